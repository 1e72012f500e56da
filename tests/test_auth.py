"""Accounts, login, CSRF, throttling, roles and the production start-up checks."""

from __future__ import annotations

import pytest
from flask import Flask
from helpers import assert_one_line_error, csrf_token, login, run_geoapp
from sqlalchemy import Engine, text

from geoapp import create_app
from geoapp.accounts import DEMO_ACCOUNTS, create_user, ensure_demo_accounts
from geoapp.db import make_engine
from geoapp.errors import ConfigError, InputError
from geoapp.migrate import upgrade


@pytest.fixture(scope="module")
def auth_db(new_database) -> tuple[str, Engine]:
    url = new_database("auth")
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        create_user(conn, "off1", "official", "correct-horse")
        create_user(conn, "insp1", "inspector", "correct-horse")
        create_user(conn, "adm1", "admin", "correct-horse")
    yield url, engine
    engine.dispose()


@pytest.fixture
def auth_app(auth_db) -> Flask:
    return create_app({"database_url": auth_db[0], "TESTING": True})


def test_login_form_and_roles(auth_app: Flask) -> None:
    client = auth_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page
    anonymous = client.get("/map")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login(client, "off1", "correct-horse").status_code == 302
    assert client.get("/map").status_code == 200
    inspector = auth_app.test_client()
    login(inspector, "insp1", "correct-horse")
    assert inspector.get("/map").status_code == 403
    assert inspector.get("/api/layers/complaints_heat").status_code == 403


def test_wrong_password_and_throttling(auth_app: Flask) -> None:
    client = auth_app.test_client()
    codes = [login(client, "adm1", f"wrong-{i}").status_code for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    assert login(client, "adm1", "correct-horse").status_code == 429  # still locked out
    other = auth_app.test_client()
    assert login(other, "nobody", "whatever").status_code == 401


def test_post_without_csrf_token_is_refused(auth_app: Flask) -> None:
    client = auth_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "off1", "password": "correct-horse"})
    assert response.status_code == 400
    assert client.get("/map").status_code == 302


def test_logout_needs_post_with_token(auth_app: Flask) -> None:
    client = auth_app.test_client()
    login(client, "off1", "correct-horse")
    page = client.get("/map").get_data(as_text=True)
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/map").status_code == 302


def test_open_redirect_refused(auth_app: Flask) -> None:
    client = auth_app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=https://evil.example/x",
                           data={"username": "off1", "password": "correct-horse",
                                 "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_users_cli_reads_password_from_stdin(auth_db) -> None:
    url, engine = auth_db
    proc = run_geoapp("users", "add", "insp2", "--role", "inspector",
                      env={"DATABASE_URL": url}, input="long-enough-pw\n")
    assert proc.returncode == 0, proc.stderr
    with engine.connect() as conn:
        role = conn.execute(text("SELECT role FROM users WHERE username = 'insp2'")).scalar()
    assert role == "inspector"
    again = run_geoapp("users", "add", "insp2", "--role", "inspector",
                       env={"DATABASE_URL": url}, input="long-enough-pw\n")
    assert_one_line_error(again, "already exists")
    short = run_geoapp("users", "add", "x3", "--role", "admin", env={"DATABASE_URL": url},
                       input="short\n")
    assert_one_line_error(short, "at least 8")
    bad_role = run_geoapp("users", "add", "x4", "--role", "mayor", env={"DATABASE_URL": url},
                          input="long-enough-pw\n")
    assert bad_role.returncode == 2 and "Traceback" not in bad_role.stderr


def test_validation_of_new_users(auth_db) -> None:
    _, engine = auth_db
    with engine.begin() as conn, pytest.raises(InputError):
        create_user(conn, "bad name!", "official", "long-enough")


def test_production_refuses_default_secret_and_demo_passwords(new_database, monkeypatch
                                                              ) -> None:
    url = new_database("prod")
    engine = make_engine(url)
    upgrade(engine)
    monkeypatch.setenv("GEOAPP_ENV", "production")
    with pytest.raises(ConfigError, match="GEOAPP_SECRET_KEY"):
        create_app({"database_url": url})
    monkeypatch.setenv("GEOAPP_SECRET_KEY", "a-real-secret-of-some-length")
    assert create_app({"database_url": url}) is not None
    with engine.begin() as conn:
        ensure_demo_accounts(conn)
    with pytest.raises(ConfigError, match="demo accounts"):
        create_app({"database_url": url})
    proc = run_geoapp("serve", "--port", "1", env={
        "DATABASE_URL": url, "GEOAPP_ENV": "production",
        "GEOAPP_SECRET_KEY": "a-real-secret-of-some-length"})
    assert_one_line_error(proc, "demo accounts")
    for account in DEMO_ACCOUNTS:
        run_geoapp("users", "passwd", account.username, env={"DATABASE_URL": url},
                   input="a-new-private-password\n")
    assert create_app({"database_url": url}) is not None
    engine.dispose()
