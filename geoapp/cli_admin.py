"""`geoapp users …` and `geoapp layers check`: accounts and the layer catalog."""

from __future__ import annotations

import sys

import click

from geoapp.config import Settings
from geoapp.taxonomy import ROLES


def _engine():  # type: ignore[no-untyped-def]
    from geoapp.cli import cli_engine, require_schema

    engine = cli_engine(Settings.from_env())
    require_schema(engine)
    return engine


def read_password(confirm: bool = True) -> str:
    """From a prompt on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("password", hide_input=True, confirmation_prompt=confirm)
    return sys.stdin.readline().rstrip("\r\n")


@click.group("users", help="User accounts.")
def users() -> None:
    pass


@users.command("add", help="Add a user; the password comes from a prompt or stdin.")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "full_name", default=None, help="Full name shown in the UI.")
def users_add(username: str, role: str, full_name: str | None) -> None:
    from geoapp.accounts import create_user

    password = read_password()
    with _engine().begin() as conn:
        create_user(conn, username, role, password, full_name)
    click.echo(f"user {username} added with role {role}")


@users.command("passwd", help="Set a user's password (from a prompt or stdin).")
@click.argument("username")
def users_passwd(username: str) -> None:
    from geoapp.accounts import set_password

    password = read_password()
    with _engine().begin() as conn:
        set_password(conn, username, password)
    click.echo(f"password of {username} changed")


@users.command("list", help="List the users.")
def users_list() -> None:
    from sqlalchemy import text

    with _engine().connect() as conn:
        for username, role, active, demo in conn.execute(text(
                "SELECT username, role, is_active, is_demo FROM users ORDER BY username")):
            flags = ("" if active else " (disabled)") + (" (demo)" if demo else "")
            click.echo(f"{username}\t{role}{flags}")


@click.group("layers", help="The map layer catalog in layers/.")
def layers() -> None:
    pass


@layers.command("check", help="Validate every layer file; exit 2 on the first error.")
def layers_check() -> None:
    from geoapp.maps.catalog import load_catalog

    catalog = load_catalog()
    for spec in catalog.values():
        click.echo(f"{spec.id}: {spec.kind} from {spec.source}, maps {', '.join(spec.maps)}, "
                   f"roles {', '.join(spec.roles)}")
    click.echo(f"{len(catalog)} layers OK")
