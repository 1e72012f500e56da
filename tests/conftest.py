"""Test fixtures on a real PostgreSQL + PostGIS.

One fresh database per test session, on the `DATABASE_URL` server when set or
else on the project-local cluster, built by the Alembic migrations and dropped
at the end. Each test that takes `db_session` runs inside a transaction rolled
back afterwards (savepoints cover the test's own commits). A second database
holds the synthetic demo dataset, loaded once, for the read-only tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from geoapp import create_app
from geoapp.config import Settings
from geoapp.db import database_url, make_engine
from geoapp.demo_load import load_demo_dataset
from geoapp.localdb import LocalCluster
from geoapp.migrate import upgrade

DEMO_SEED = 42


def _server_url() -> str:
    settings = Settings.from_env()
    if settings.uses_local_database:
        LocalCluster(settings).up()
    return database_url(settings)


def _admin_conninfo(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    return parsed.render_as_string(hide_password=False)


def create_database(server_url: str, name: str) -> str:
    """A new empty database with PostGIS on the same server; returns its URL."""
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(make_url(url).set(drivername="postgresql")
                         .render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return url


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def new_database(server_url: str) -> Iterator:
    """A factory of throw-away databases, all dropped at the end of the session."""
    created: list[str] = []

    def make(label: str = "t") -> str:
        name = f"geoapp_test_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        created.append(name)
        return create_database(server_url, name)

    yield make
    for name in created:
        drop_database(server_url, name)


@pytest.fixture(scope="session")
def test_db_url(new_database) -> str:
    url = new_database("schema")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def layer_db(new_database) -> Iterator[tuple[str, Engine]]:
    """A new migrated database of a test's own, empty: (url, engine)."""
    url = new_database("layers")
    engine = make_engine(url)
    upgrade(engine)
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="session")
def engine(test_db_url: str) -> Iterator[Engine]:
    engine = make_engine(test_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def db_session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture(scope="session")
def demo_db_url(new_database) -> str:
    url = new_database("demo")
    engine = make_engine(url)
    upgrade(engine)
    load_demo_dataset(engine, seed=DEMO_SEED, complaints=None, force=False)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_engine(demo_db_url: str) -> Iterator[Engine]:
    engine = make_engine(demo_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_manifest(demo_engine: Engine) -> dict:
    from geoapp.demo_load import load_manifest

    manifest = load_manifest(demo_engine)
    assert manifest is not None
    return manifest


@pytest.fixture
def app(test_db_url: str) -> Flask:
    return create_app({"database_url": test_db_url, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def demo_app(demo_db_url: str) -> Flask:
    return create_app({"database_url": demo_db_url, "TESTING": True})
