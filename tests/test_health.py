"""`/healthz` and the home page, with the database up and down."""

from __future__ import annotations

import re
import socket

from flask.testing import FlaskClient

from geoapp import create_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_reports_versions(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert int(body["postgresql"].split(".")[0]) >= 15
    assert body["postgis"].startswith("3.")


def test_healthz_503_when_database_unreachable() -> None:
    url = f"postgresql://nobody@127.0.0.1:{_closed_port()}/nothing"
    client = create_app({"database_url": url, "TESTING": True}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert "Traceback" not in response.get_data(as_text=True)
    home = client.get("/")
    assert home.status_code == 200
    assert "База данных недоступна" in home.get_data(as_text=True)


def test_healthz_503_without_postgis(new_database) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = new_database("nopostgis")
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP EXTENSION postgis")
    client = create_app({"database_url": url, "TESTING": True}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "PostGIS" in response.get_json()["error"]


def test_home_page_served_from_top_level_templates(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Обращения граждан на карте Тараза" in page
    assert client.get("/static/css/app.css").status_code == 200
    # The page names its own icon, so a browser never asks for a missing /favicon.ico.
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page)
    assert icon and icon.group(1).startswith("/static/")
    served = client.get(icon.group(1))
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"


def test_home_page_says_demo_data_is_synthetic(demo_app) -> None:
    page = demo_app.test_client().get("/").get_data(as_text=True)
    assert "синтетические" in page
