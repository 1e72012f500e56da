"""Alembic, driven from code: the migrations live in the top-level `migrations/`."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from geoapp.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's ini interpolation treats % specially.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("postgresql://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


POSTGIS_TABLES = frozenset({"spatial_ref_sys"})


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """Autogenerate filter: skip PostGIS's own tables and let GeoAlchemy2 handle the
    spatial indexes it creates itself."""
    from geoalchemy2 import alembic_helpers

    if type_ == "table" and name in POSTGIS_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def schema_differences(engine: Engine) -> list:
    """What autogenerate would change to make the database match the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from geoapp.models import Base

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_object": include_object, "compare_type": True,
            "target_metadata": Base.metadata,
        })
        return compare_metadata(context, Base.metadata)
