"""Administration: who may open it, adding users and departments, changing roles,
and the guards (duplicates, CSRF, an administrator locking themself out)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_token, login
from sqlalchemy import Engine, text

from geoapp import create_app
from geoapp.accounts import create_user
from geoapp.db import make_engine
from geoapp.migrate import upgrade

PASSWORD = "password123"


@pytest.fixture(scope="module")
def admin_engine(new_database) -> Iterator[Engine]:
    engine = make_engine(new_database("admin"))
    upgrade(engine)
    with engine.begin() as conn:
        create_user(conn, "adm", "admin", PASSWORD, "Главный администратор")
        create_user(conn, "off", "official", PASSWORD)
        create_user(conn, "insp", "inspector", PASSWORD)
        conn.execute(text("INSERT INTO departments (name) VALUES ('ЖКХ'), ('Земельный отдел')"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def admin_app(admin_engine: Engine) -> Flask:
    url = admin_engine.url.render_as_string(hide_password=False)
    return create_app({"database_url": url, "TESTING": True})


def client_as(app: Flask, username: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    client.get("/?lang=en")
    return client


def post(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/admin").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def department_id(engine: Engine, name: str) -> int:
    found = scalar(engine, "SELECT id FROM departments WHERE name = :n", n=name)
    assert isinstance(found, int)
    return found


def user_id(engine: Engine, username: str) -> int:
    found = scalar(engine, "SELECT id FROM users WHERE username = :u", u=username)
    assert isinstance(found, int)
    return found


def test_access_by_role(admin_app: Flask) -> None:
    anonymous = admin_app.test_client().get("/admin")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client_as(admin_app, "off").get("/admin").status_code == 403
    assert client_as(admin_app, "insp").get("/admin").status_code == 403
    official = client_as(admin_app, "off")
    token = csrf_token(official.get("/dashboard").get_data(as_text=True))
    refused = official.post("/admin/users", data={
        "username": "sneaky", "role": "admin", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 403


def test_admin_page_lists_users_and_departments(admin_app: Flask) -> None:
    client = client_as(admin_app, "adm")
    response = client.get("/admin")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text_ in ("adm", "off", "insp", "Главный администратор", "ЖКХ", "Земельный отдел",
                  "administrator", "land inspector", 'name="csrf_token"'):
        assert text_ in page
    assert 'href="/admin"' in page  # the nav shows Administration to an admin
    own_row = page.split('data-user="adm"')[1].split("</tr>")[0]
    assert "(you)" in own_row and "never" not in own_row  # just logged in
    assert 'name="role" value="admin"' in own_row  # no role select for oneself


def test_admin_adds_a_user_who_can_log_in(admin_app: Flask, admin_engine: Engine) -> None:
    client = client_as(admin_app, "adm")
    dep = department_id(admin_engine, "ЖКХ")
    response = post(client, "/admin/users", {
        "username": "new.official", "role": "official", "password": "long-enough-1",
        "full_name": "Новый Сотрудник", "department_id": str(dep)})
    assert response.status_code == 303
    page = client.get("/admin").get_data(as_text=True)
    assert "new.official" in page and "Новый Сотрудник" in page
    with admin_engine.connect() as conn:
        row = conn.execute(text("SELECT role, department_id, is_active, is_demo FROM users "
                                "WHERE username = 'new.official'")).one()
    assert tuple(row) == ("official", dep, True, False)
    newcomer = client_as(admin_app, "new.official", "long-enough-1")
    assert newcomer.get("/dashboard").status_code == 200


def test_duplicate_and_invalid_users_are_refused(admin_app: Flask, admin_engine: Engine
                                                 ) -> None:
    client = client_as(admin_app, "adm")
    duplicate = post(client, "/admin/users", {"username": "off", "role": "official",
                                              "password": "long-enough-1"})
    assert duplicate.status_code == 400
    assert "User off already exists." in duplicate.get_data(as_text=True)
    same_but_capital = post(client, "/admin/users", {"username": "Off", "role": "official",
                                                     "password": "long-enough-1"})
    assert same_but_capital.status_code == 400
    assert "User off already exists." in same_but_capital.get_data(as_text=True)
    short = post(client, "/admin/users", {"username": "shorty", "role": "official",
                                          "password": "short"})
    assert short.status_code == 400 and "at least 8" in short.get_data(as_text=True)
    bad_role = post(client, "/admin/users", {"username": "mayor", "role": "mayor",
                                             "password": "long-enough-1"})
    assert bad_role.status_code == 400 and "unknown role" in bad_role.get_data(as_text=True)
    assert scalar(admin_engine, "SELECT count(*) FROM users WHERE username IN "
                                "('shorty', 'mayor')") == 0


def test_admin_changes_role_and_active_flag(admin_app: Flask, admin_engine: Engine) -> None:
    with admin_engine.begin() as conn:
        create_user(conn, "temp", "official", PASSWORD)
    target = user_id(admin_engine, "temp")
    temp = client_as(admin_app, "temp")
    client = client_as(admin_app, "adm")
    done = post(client, f"/admin/users/{target}", {"role": "inspector", "active": "1"})
    assert done.status_code == 303
    assert scalar(admin_engine, "SELECT role FROM users WHERE id = :i", i=target) == "inspector"
    assert temp.get("/dashboard").status_code == 403  # the new role applies at once
    off = post(client, f"/admin/users/{target}", {"role": "inspector"})  # box unticked
    assert off.status_code == 303
    assert scalar(admin_engine, "SELECT is_active FROM users WHERE id = :i", i=target) is False
    assert temp.get("/dashboard").status_code == 302  # logged out: inactive
    assert login(admin_app.test_client(), "temp", PASSWORD).status_code == 401
    assert post(client, "/admin/users/99999", {"role": "official", "active": "1"}
                ).status_code == 404


def test_admin_cannot_lock_themself_out(admin_app: Flask, admin_engine: Engine) -> None:
    client = client_as(admin_app, "adm")
    me = user_id(admin_engine, "adm")
    demote = post(client, f"/admin/users/{me}", {"role": "official", "active": "1"})
    assert demote.status_code == 400
    assert "You cannot take the administrator role from yourself." in demote.get_data(
        as_text=True)
    deactivate = post(client, f"/admin/users/{me}", {"role": "admin"})
    assert deactivate.status_code == 400
    assert "You cannot deactivate your own account." in deactivate.get_data(as_text=True)
    with admin_engine.connect() as conn:
        assert tuple(conn.execute(text(
            "SELECT role, is_active FROM users WHERE id = :i"), {"i": me}).one()) == (
                "admin", True)
    assert client.get("/admin").status_code == 200


def test_departments_added_and_renamed_with_unique_names(admin_app: Flask,
                                                         admin_engine: Engine) -> None:
    client = client_as(admin_app, "adm")
    added = post(client, "/admin/departments", {"name": "  Отдел дорог ", "name_kk": "Жол бөлімі"})
    assert added.status_code == 303
    assert "Отдел дорог" in client.get("/admin").get_data(as_text=True)
    new_id = department_id(admin_engine, "Отдел дорог")
    assert scalar(admin_engine, "SELECT name_kk FROM departments WHERE id = :i",
                  i=new_id) == "Жол бөлімі"
    duplicate = post(client, "/admin/departments", {"name": "ЖКХ"})
    assert duplicate.status_code == 400
    assert "A department named ЖКХ already exists." in duplicate.get_data(as_text=True)
    empty = post(client, "/admin/departments", {"name": "   "})
    assert empty.status_code == 400 and "A department needs a name." in empty.get_data(
        as_text=True)
    renamed = post(client, f"/admin/departments/{new_id}", {"name": "Отдел дорог и мостов"})
    assert renamed.status_code == 303
    assert scalar(admin_engine, "SELECT name FROM departments WHERE id = :i",
                  i=new_id) == "Отдел дорог и мостов"
    clash = post(client, f"/admin/departments/{new_id}", {"name": "Земельный отдел"})
    assert clash.status_code == 400
    assert scalar(admin_engine, "SELECT name FROM departments WHERE id = :i",
                  i=new_id) == "Отдел дорог и мостов"
    assert scalar(admin_engine, "SELECT count(*) FROM departments") == 3


def test_changes_need_the_csrf_token(admin_app: Flask, admin_engine: Engine) -> None:
    client = client_as(admin_app, "adm")
    response = client.post("/admin/departments", data={"name": "Без токена"})
    assert response.status_code == 400
    assert scalar(admin_engine, "SELECT count(*) FROM departments WHERE name = 'Без токена'"
                  ) == 0
