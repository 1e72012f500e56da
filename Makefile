# The two commands of the README: `make run` and `make test`. Both set up first.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench db-up db-down clean-db

setup:
	@bash .ci/setup

## Set up, start the local PostGIS (unless DATABASE_URL is set), migrate,
## load the synthetic demo data into an empty database, and serve on :5000.
run: setup
	@$(BIN)/geoapp db up
	@$(BIN)/geoapp db migrate
	@$(BIN)/geoapp demo --if-empty
	@$(BIN)/geoapp serve

## Set up and run the test suite on a fresh test database (real PostGIS).
test: setup
	@$(BIN)/ruff check geoapp tests migrations
	@$(BIN)/python -m pytest

lint: setup
	@$(BIN)/ruff check geoapp tests migrations

db-up: setup
	@$(BIN)/geoapp db up

db-down:
	@$(BIN)/geoapp db down

## Stop the local cluster and delete its data (asks nothing: the data is local).
clean-db: db-down
	rm -rf .geoapp/pgdata .geoapp/postgres.log
