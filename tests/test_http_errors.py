"""HTTP errors the app does not word itself (an unknown address, another role's page,
an expired form, a method a page does not take) in the page's language and inside the
site's layout; JSON for API callers."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import login
from sqlalchemy import Engine, text

from geoapp.accounts import create_user

NOT_FOUND = {"ru": "Такой страницы нет; ссылка могла устареть.",
             "kk": "Мұндай бет жоқ; сілтеме ескірген болуы мүмкін.",
             "en": "There is no such page; the link may be out of date."}


PASSWORD = "errors-pass-123"


@pytest.fixture
def inspector(demo_app: Flask, demo_engine: Engine) -> FlaskClient:
    with demo_engine.begin() as conn:
        if not conn.execute(text("SELECT 1 FROM users WHERE username = 'errors_insp'")).first():
            create_user(conn, "errors_insp", "inspector", PASSWORD)
    client = demo_app.test_client()
    assert login(client, "errors_insp", PASSWORD).status_code == 302
    return client


@pytest.mark.parametrize("lang", sorted(NOT_FOUND))
@pytest.mark.parametrize("path", ["/no-such-page", "/imports/999999", "/parcels/06:000:000:000",
                                  "/imports/"])
def test_a_missing_page_is_worded_in_the_page_language(inspector: FlaskClient, path: str,
                                                       lang: str) -> None:
    response = inspector.get(f"{path}?lang={lang}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert f"<p>{NOT_FOUND[lang]}</p>" in page
    assert 'href="/inspector"' in page  # the site's navigation, to go on from here
    assert "The requested URL was not found on the server" not in page


def test_another_roles_page_is_refused_in_words(inspector: FlaskClient) -> None:
    response = inspector.get("/complaints?lang=ru")
    assert response.status_code == 403
    assert "<p>Роль вашей учётной записи не открывает эту страницу.</p>" in \
        response.get_data(as_text=True)


def test_an_expired_form_says_to_reload(inspector: FlaskClient) -> None:
    response = inspector.post("/inspector/checks?lang=ru", data={"next": "/inspector"})
    assert response.status_code == 400
    assert ("<p>Форма устарела или отправлена не с этого сайта; обновите страницу и "
            "отправьте её снова.</p>") in response.get_data(as_text=True)


def test_a_method_not_taken_keeps_the_allowed_ones(inspector: FlaskClient) -> None:
    response = inspector.put("/inspector?lang=kk")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert "<p>Бұл мекенжай мұндай сұрауды қабылдамайды.</p>" in \
        response.get_data(as_text=True)


def test_api_callers_get_json(demo_app: Flask, inspector: FlaskClient) -> None:
    anonymous = demo_app.test_client().get("/api/layers/complaints_heat?lang=ru")
    assert anonymous.status_code == 401
    assert anonymous.get_json() == {"error": "Войдите, чтобы увидеть это."}
    missing = inspector.get("/api/layers/no_such_layer?lang=en")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": NOT_FOUND["en"]}
    asked = inspector.get("/no-such-page", headers={"Accept": "application/json"})
    assert asked.status_code == 404 and asked.get_json() == {"error": NOT_FOUND["en"]}


def test_a_redirect_is_still_a_redirect(demo_app: Flask) -> None:
    """Routing's own redirects are not errors: they pass untouched."""
    response = demo_app.test_client().get("/map")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
