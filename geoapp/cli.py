"""The `geoapp` command. Every error a user can cause ends as one line on stderr
and a non-zero exit code, never a traceback."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from geoapp.config import Settings
from geoapp.db import (
    database_url,
    display_url,
    ensure_postgis,
    make_engine,
    require_postgis,
    server_info,
)
from geoapp.errors import DatabaseUnavailable, GeoappError
from geoapp.localdb import LocalCluster

if TYPE_CHECKING:
    from flask import Flask


def cli_engine(settings: Settings, *, start_local: bool = True) -> Engine:
    """The engine for `DATABASE_URL`, or for the local cluster, started if need be."""
    if settings.uses_local_database and start_local:
        LocalCluster(settings).up()
    return make_engine(database_url(settings))


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database the migrations have not brought to head."""
    from geoapp.migrate import current_revision, head_revision

    require_postgis(engine)
    if current_revision(engine) != head_revision():
        raise DatabaseUnavailable(
            f"the schema of {display_url(str(engine.url))} is not up to date: "
            "run `geoapp db migrate`"
        )


@click.group(help="geoapp: complaints of Taraz on maps. Honours DATABASE_URL.")
def cli() -> None:
    pass


# -- db ----------------------------------------------------------------------
@click.group(help="The database: the embedded local cluster, or DATABASE_URL.")
def db() -> None:
    pass


@db.command("up", help="Create and start the project-local PostGIS cluster (idempotent).")
def db_up() -> None:
    settings = Settings.from_env()
    if not settings.uses_local_database:
        info = require_postgis(make_engine(database_url(settings)))
        click.echo(f"DATABASE_URL is set; using {info.url} (nothing to start)")
        return
    url = LocalCluster(settings).up()
    click.echo(f"local database running: {display_url(url)}")


@db.command("down", help="Stop the project-local cluster.")
def db_down() -> None:
    settings = Settings.from_env()
    if not settings.uses_local_database:
        click.echo("DATABASE_URL is set; the local cluster is not in use")
        return
    was_running = LocalCluster(settings).down()
    click.echo("local database stopped" if was_running else "local database was not running")


@db.command("status", help="Print the URL and the PostgreSQL and PostGIS versions.")
def db_status() -> None:
    from geoapp.migrate import current_revision

    settings = Settings.from_env()
    engine = make_engine(database_url(settings))
    if settings.uses_local_database and not LocalCluster(settings).is_running():
        click.echo(f"url: {display_url(str(engine.url))}")
        raise DatabaseUnavailable("the local database is not running: run `geoapp db up`")
    info = server_info(engine)
    click.echo(f"url: {info.url}")
    click.echo(f"postgresql: {info.postgres_version}")
    click.echo(f"postgis: {info.postgis_version or 'not installed in this database'}")
    click.echo(f"schema revision: {current_revision(engine) or 'none (run geoapp db migrate)'}")


@db.command("migrate", help="Upgrade the schema to the newest migration.")
@click.option("--revision", default="head", show_default=True)
def db_migrate(revision: str) -> None:
    from geoapp.migrate import current_revision, upgrade

    engine = cli_engine(Settings.from_env())
    ensure_postgis(engine)
    upgrade(engine, revision)
    click.echo(f"schema at revision {current_revision(engine)}")


# -- demo --------------------------------------------------------------------
@click.command(help="Generate the synthetic Taraz dataset: load it, or write files with --out.")
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--complaints", "n_complaints", type=click.IntRange(min=0), default=None,
              help="Number of complaints (default: about 15,000 a year, 2022-10 to 2024-12).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write GeoJSON layers, a 109-style CSV and the manifest here instead.")
@click.option("--force", is_flag=True, help="Replace the data of a non-empty database.")
@click.option("--if-empty", is_flag=True, help="Load only when the database has no data.")
def demo(seed: int, n_complaints: int | None, out: Path | None, force: bool,
         if_empty: bool) -> None:
    from geoapp.demo_load import load_demo_dataset, write_demo_files

    if out is not None:
        manifest = write_demo_files(out, seed=seed, complaints=n_complaints)
        click.echo(f"wrote the synthetic dataset to {out}: "
                   f"{manifest['sizes']['complaints']:,} complaints (seed {seed})")
        return
    engine = cli_engine(Settings.from_env())
    require_schema(engine)
    manifest = load_demo_dataset(engine, seed=seed, complaints=n_complaints, force=force,
                                 if_empty=if_empty)
    if manifest is None:
        click.echo("the database already has data; demo data not loaded")
    else:
        click.echo(f"loaded the synthetic Taraz dataset (seed {seed}): "
                   f"{manifest['sizes']['complaints']:,} complaints, "
                   f"{manifest['sizes']['buildings']:,} buildings, "
                   f"{manifest['sizes']['parcels']:,} parcels. The data is synthetic.")
        _check_demo_parcels(engine)
    _print_demo_accounts(engine, create=manifest is not None)


def _check_demo_parcels(engine: Engine) -> None:
    """Run the parcel rules once, so that the inspectors' map and register show the
    demo's flagged parcels from the start (later runs: `geoapp check parcels`)."""
    from geoapp.analysis.rule_config import load_rules
    from geoapp.analysis.violations import run_checks

    with engine.begin() as conn:
        result = run_checks(conn, load_rules(), Settings.from_env().city_bbox)
    click.echo(f"checked the parcels: {sum(result.found.values()):,} violations "
               "in the register (geoapp check parcels runs the rules again)")


def _print_demo_accounts(engine: Engine, create: bool) -> None:
    from geoapp.accounts import DEMO_ACCOUNTS, demo_passwords_in_use, ensure_demo_accounts

    if create:
        with engine.begin() as conn:
            ensure_demo_accounts(conn)
    working = set(demo_passwords_in_use(engine))
    shown = [a for a in DEMO_ACCOUNTS if a.username in working]
    if shown:
        click.echo("demo logins (public passwords; never use them in production):")
        for account in shown:
            click.echo(f"  {account.username:<10} {account.password:<16} ({account.role})")


# -- serve -------------------------------------------------------------------
@click.command(help="Serve the web app with waitress (a production WSGI server).")
@click.option("--host", default=None, help="Default: GEOAPP_HOST or 127.0.0.1.")
@click.option("--port", default=None, type=int, help="Default: GEOAPP_PORT or 5000.")
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str | None, port: int | None, threads: int) -> None:
    from waitress import serve as waitress_serve

    from geoapp import create_app

    settings = Settings.from_env()
    host = host or settings.host
    port = port or settings.port
    app = create_app()
    start_warming_public_tables(app)
    click.echo(f"geoapp serving on http://{host}:{port}/ (Ctrl-C to stop)")
    waitress_serve(app, host=host, port=port, threads=threads, ident="geoapp")


def start_warming_public_tables(app: Flask) -> None:
    """Compute the public map's tables in the background while the server starts, so
    that the first visitor of the open map does not wait for them."""
    import threading

    from geoapp.analysis.public import warm_public_tables

    engine = app.extensions["geoapp.engine"]
    city = app.config["GEOAPP_SETTINGS"].city_bbox
    threading.Thread(target=warm_public_tables, args=(engine, city), name="warm public",
                     daemon=True).start()


def _feature_groups() -> tuple[click.Group, ...]:
    """The command groups of the features, each in its own module."""
    from geoapp.cli_admin import layers, users
    from geoapp.cli_analyze import analyze
    from geoapp.cli_check import check
    from geoapp.cli_import import import_group

    return import_group, users, layers, check, analyze


COMMANDS = (db, demo, serve, *_feature_groups())
for _command in COMMANDS:
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: typed errors become one line and an exit code."""
    try:
        cli.main(args=argv, prog_name="geoapp", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted: nothing of the unfinished step was saved", err=True)
        sys.exit(130)
    except GeoappError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown"
        click.echo(f"error: cannot reach the database: {reason}", err=True)
        sys.exit(DatabaseUnavailable.exit_code)
    except Exception as exc:  # the last guard: a user never sees a traceback
        if os.environ.get("GEOAPP_DEBUG"):
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        click.echo(f"internal error: {type(exc).__name__}: {message} "
                   "(set GEOAPP_DEBUG=1 for the traceback)", err=True)
        sys.exit(70)


def print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


__all__ = ["COMMANDS", "cli", "main", "print_json"]


if __name__ == "__main__":
    main()
