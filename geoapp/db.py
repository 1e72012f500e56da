"""Engine and session lifecycle, and the database URL: `DATABASE_URL` when set,
else the embedded project-local cluster."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from geoapp.config import Settings
from geoapp.errors import ConfigError, DatabaseUnavailable

LOCAL_DB_NAME = "geoapp"
LOCAL_DB_USER = "geoapp"


def local_database_url(settings: Settings, database: str = LOCAL_DB_NAME) -> str:
    return f"postgresql+psycopg://{LOCAL_DB_USER}@127.0.0.1:{settings.db_port}/{database}"


def normalise_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` URLs and route them to psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a database URL: {url!r}") from exc
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        raise ConfigError(f"DATABASE_URL must point at PostgreSQL, got {parsed.drivername!r}")
    return parsed.render_as_string(hide_password=False)


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return normalise_url(settings.database_url)
    return local_database_url(settings)


def display_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str, **kwargs: object) -> Engine:
    options: dict[str, object] = {
        "pool_pre_ping": True,
        "connect_args": {"connect_timeout": 5, "application_name": "geoapp"},
    }
    options.update(kwargs)
    return create_engine(url, **options)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any error."""
    with factory() as session, session.begin():
        yield session


@dataclass(frozen=True)
class ServerInfo:
    url: str
    postgres_version: str
    postgis_version: str | None


def server_info(engine: Engine) -> ServerInfo:
    """Versions of the server and of PostGIS; raises DatabaseUnavailable when unreachable."""
    try:
        with engine.connect() as conn:
            pg = conn.execute(text("SHOW server_version")).scalar_one()
            has_postgis = conn.execute(
                text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
            ).scalar_one()
            postgis = (
                conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
                if has_postgis else None
            )
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"cannot reach the database at {display_url(str(engine.url))}: {reason}"
        ) from exc
    return ServerInfo(display_url(str(engine.url)), str(pg).split()[0], postgis)


def ensure_postgis(engine: Engine) -> ServerInfo:
    """Create the PostGIS extension if it is missing and can be created; else a clear error."""
    info = server_info(engine)
    if info.postgis_version is not None:
        return info
    with engine.connect() as conn:
        available = conn.execute(text(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'"
        )).scalar_one()
    if not available:
        raise DatabaseUnavailable(
            f"PostGIS is not installed on the server of {info.url}: install "
            "postgresql-<major>-postgis-3 there"
        )
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except DBAPIError as exc:
        raise DatabaseUnavailable(
            f"the database at {info.url} has no PostGIS and this role cannot create it: "
            "ask its owner to run `CREATE EXTENSION postgis`"
        ) from exc
    return server_info(engine)


def require_postgis(engine: Engine) -> ServerInfo:
    info = server_info(engine)
    if info.postgis_version is None:
        raise DatabaseUnavailable(
            f"the database at {info.url} has no PostGIS extension: run "
            "`CREATE EXTENSION postgis` as its owner (package postgresql-<major>-postgis-3)"
        )
    return info
