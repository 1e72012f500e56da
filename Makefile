# The two commands of the README: `make run` and `make test`. Both set up first.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint db-up db-down clean-db bench-import

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

## Benchmarks (not part of `make test`); each prints its figures beside a baseline.
bench-import: setup
	@cd tests/bench && ../../$(BIN)/python bench_import.py

## Refresh the message catalogs after changing UI strings (then translate the .po files).
translations: setup
	@$(BIN)/pybabel -q extract -F geoapp/translations/babel.cfg -k _l -k N_ -o geoapp/translations/messages.pot .
	@for lang in ru kk en; do \
	  if [ -f geoapp/translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update -N -i geoapp/translations/messages.pot -d geoapp/translations -l $$lang; \
	  else \
	    $(BIN)/pybabel -q init -i geoapp/translations/messages.pot -d geoapp/translations -l $$lang; \
	  fi; \
	done

bench-map: setup
	@cd tests/bench && ../../$(BIN)/python bench_map.py

## Hotspot analysis over 1,000,000 complaints beside the bare binning SQL (BENCH_COMPLAINTS).
bench-hotspots: setup
	@cd tests/bench && ../../$(BIN)/python bench_hotspots.py

bench-public: setup
	@cd tests/bench && ../../$(BIN)/python bench_public.py

bench-parcels: setup
	@cd tests/bench && ../../$(BIN)/python bench_parcels.py
