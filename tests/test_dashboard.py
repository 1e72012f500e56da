"""The dashboard and microdistrict pages and the figures behind them, on a database
with 20 complaints whose every figure is known."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import login
from markupsafe import escape
from sqlalchemy import Engine, text

from geoapp import create_app
from geoapp.accounts import create_user
from geoapp.analysis import stats
from geoapp.db import make_engine
from geoapp.maps.filters import ComplaintFilter
from geoapp.migrate import upgrade

PASSWORD = "password123"
EVERYTHING = ComplaintFilter()

MICRODISTRICTS = [  # id, name, population, envelope
    (1, "мкр. Первый", 2000, (71.30, 42.88, 71.32, 42.90)),
    (2, "мкр. Второй", 500, (71.33, 42.88, 71.35, 42.90)),
    (3, "мкр. Пустой", 1000, (71.36, 42.88, 71.38, 42.90)),
]
BUILDINGS = [  # id, address, microdistrict
    (1, "мкр. Первый, 1", 1), (2, "мкр. Первый, 2", 1), (3, "мкр. Второй, 5", 2),
]
# external id, received (local time, UTC+5), category, status, days to resolve,
# microdistrict, building. c07 is rejected with a closing date: not "resolved".
# c08 is 2024-03-10 20:30 UTC, a Sunday in UTC but Monday 11 March in Taraz.
COMPLAINTS = [
    ("c01", "2024-03-04 09:00", "housing_utilities.heating", "resolved", 0.5, 1, 1),
    ("c02", "2024-03-04 10:00", "housing_utilities.heating", "resolved", 1.9, 1, 1),
    ("c03", "2024-03-05 11:00", "housing_utilities.hot_water", "resolved", 2.0, 1, 1),
    ("c04", "2024-03-05 12:00", "housing_utilities.sewage", "received", None, 1, 1),
    ("c05", "2024-03-06 08:00", "housing_utilities.roof", "in_progress", None, 1, 1),
    ("c06", "2024-03-07 09:30", "housing_utilities.elevator", "resolved", 5.0, 1, 1),
    ("c07", "2024-03-08 14:00", "housing_utilities.gas", "rejected", 1.0, 1, 1),
    ("c08", "2024-03-11 01:30", "land.encroachment", "resolved", 10.0, 1, 2),
    ("c09", "2024-03-12 09:00", "land.boundary", "assigned", None, 1, 2),
    ("c10", "2024-03-12 10:00", "land.illegal_allocation", "received", None, 1, 2),
    ("c11", "2024-03-13 10:00", "land.land_use", "resolved", 20.0, 1, 2),
    ("c12", "2024-03-14 10:00", "land.encroachment", "reopened", None, 1, None),
    ("c13", "2024-03-25 09:00", "roads", "resolved", 45.0, 2, 3),
    ("c14", "2024-03-25 10:00", "roads", "received", None, 2, 3),
    ("c15", "2024-03-26 10:00", "roads", "in_progress", None, 2, 3),
    ("c16", "2024-03-27 10:00", "roads", "rejected", None, 2, None),
    ("c17", "2024-03-28 10:00", "waste", "resolved", 100.0, 2, None),
    ("c18", "2024-03-29 10:00", "waste", "received", None, None, None),
    ("c19", "2024-03-30 10:00", "other", "assigned", None, None, None),
    ("c20", "2024-03-31 10:00", "other", "in_progress", None, None, None),
]


def seed(conn) -> None:  # type: ignore[no-untyped-def]
    for mid, name, population, (x1, y1, x2, y2) in MICRODISTRICTS:
        conn.execute(text("""
            INSERT INTO microdistricts (id, name, population, geom)
            VALUES (:id, :name, :pop, ST_Multi(ST_MakeEnvelope(:x1, :y1, :x2, :y2, 4326)))"""),
            {"id": mid, "name": name, "pop": population, "x1": x1, "y1": y1, "x2": x2,
             "y2": y2})
    for bid, address, mid in BUILDINGS:
        conn.execute(text("""
            INSERT INTO buildings (id, address, microdistrict_id, geom)
            SELECT :id, :address, m.id, ST_PointOnSurface(m.geom)
            FROM microdistricts m WHERE m.id = :mid"""),
            {"id": bid, "address": address, "mid": mid})
    for ext, received, category, status, days, mid, bid in COMPLAINTS:
        conn.execute(text("""
            INSERT INTO complaints (source, external_id, received_at, category, text, status,
                                    resolved_at, microdistrict_id, building_id)
            VALUES ('109', :ext, CAST(:received AS timestamptz), :category, 'текст', :status,
                    CAST(:received AS timestamptz) + make_interval(secs => :secs),
                    :mid, :bid)"""),
            {"ext": ext, "received": received + "+05", "category": category,
             "status": status, "secs": None if days is None else days * 86400,
             "mid": mid, "bid": bid})


@pytest.fixture(scope="module")
def dash_engine(new_database) -> Iterator[Engine]:
    engine = make_engine(new_database("dash"))
    upgrade(engine)
    with engine.begin() as conn:
        seed(conn)
        create_user(conn, "off", "official", PASSWORD)
        create_user(conn, "insp", "inspector", PASSWORD)
        create_user(conn, "adm", "admin", PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def dash_app(dash_engine: Engine) -> Flask:
    url = dash_engine.url.render_as_string(hide_password=False)
    return create_app({"database_url": url, "TESTING": True})


def client_as(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, PASSWORD).status_code == 302
    client.get("/?lang=en")
    return client


def tickets(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT external_id, ticket FROM complaints")).all())


def embedded_json(page: str, element_id: str) -> dict:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>',
                      page, re.S)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


# --- the figures ---------------------------------------------------------------------

def test_shares_by_group_and_status(dash_engine: Engine) -> None:
    with dash_engine.connect() as conn:
        groups = {s.key: (s.count, round(s.share, 4)) for s in stats.by_group(conn, EVERYTHING)}
        statuses = {s.key: (s.count, round(s.share, 4))
                    for s in stats.by_status(conn, EVERYTHING)}
    assert groups == {"housing_utilities": (7, 0.35), "land": (5, 0.25), "roads": (4, 0.2),
                      "waste": (2, 0.1), "other": (2, 0.1)}
    assert statuses == {"resolved": (8, 0.4), "received": (4, 0.2), "in_progress": (3, 0.15),
                        "assigned": (2, 0.1), "rejected": (2, 0.1), "reopened": (1, 0.05)}


def test_microdistricts_with_rates_per_1000(dash_engine: Engine) -> None:
    with dash_engine.connect() as conn:
        rows = stats.by_microdistrict(conn, EVERYTHING)
    assert [(r.id, r.count, r.share, r.per_1000) for r in rows] == [
        (1, 12, 0.6, 6.0), (2, 5, 0.25, 10.0), (3, 0, 0.0, 0.0), (None, 3, 0.15, None),
    ]


def test_filters_narrow_every_figure(dash_engine: Engine) -> None:
    land = ComplaintFilter.from_args({"group": "land"})
    week = ComplaintFilter.from_args({"from": "2024-03-11", "to": "2024-03-17"})
    with dash_engine.connect() as conn:
        districts = stats.by_microdistrict(conn, land)
        land_statuses = {s.key: s.count for s in stats.by_status(conn, land)}
        in_week = sum(s.count for s in stats.by_group(conn, week))
    assert [(r.id, r.count, r.share) for r in districts] == [
        (1, 5, 1.0), (2, 0, 0.0), (3, 0, 0.0)]
    assert land_statuses == {"resolved": 2, "assigned": 1, "received": 1, "reopened": 1}
    assert in_week == 5  # c08 counts on its local date, 11 March


def test_weekly_trend_in_local_time_with_empty_weeks(dash_engine: Engine) -> None:
    with dash_engine.connect() as conn:
        weeks = stats.weekly_trend(conn, EVERYTHING)
        first = stats.weekly_trend(conn, EVERYTHING, microdistrict_id=1)
    assert [(w.monday.isoformat(), w.label, w.count) for w in weeks] == [
        ("2024-03-04", "2024-W10", 7), ("2024-03-11", "2024-W11", 5),
        ("2024-03-18", "2024-W12", 0), ("2024-03-25", "2024-W13", 8),
    ]
    assert [(w.label, w.count) for w in first] == [("2024-W10", 7), ("2024-W11", 5)]


def test_resolution_buckets_and_median(dash_engine: Engine) -> None:
    with dash_engine.connect() as conn:
        everything = stats.resolution_times(conn, EVERYTHING)
        first = stats.resolution_times(conn, EVERYTHING, microdistrict_id=1)
        second = stats.resolution_times(conn, EVERYTHING, microdistrict_id=2)
        empty = stats.resolution_times(conn, EVERYTHING, microdistrict_id=3)
    assert [(b.label, b.count) for b in everything.buckets] == [
        ("0-1", 2), ("2-3", 1), ("4-7", 1), ("8-14", 1), ("15-30", 1), ("31-60", 1),
        ("61-90", 0), (">90", 1),
    ]
    assert everything.resolved == 8 and everything.median_days == pytest.approx(7.5)
    assert first.median_days == pytest.approx(3.5) and second.median_days == pytest.approx(72.5)
    assert empty.resolved == 0 and empty.median_days is None
    assert [b.count for b in empty.buckets] == [0] * 8


def test_oldest_unresolved_first(dash_engine: Engine) -> None:
    with dash_engine.connect() as conn:
        oldest = stats.oldest_unresolved(conn, EVERYTHING, limit=3)
        every_open = stats.oldest_unresolved(conn, EVERYTHING, limit=20)
    by_ticket = {t: e for e, t in tickets(dash_engine).items()}
    assert [by_ticket[c.ticket] for c in oldest] == ["c04", "c05", "c09"]
    assert [by_ticket[c.ticket] for c in every_open] == [
        "c04", "c05", "c09", "c10", "c12", "c14", "c15", "c18", "c19", "c20"]
    assert oldest[0].address == "мкр. Первый, 1" and oldest[0].microdistrict == "мкр. Первый"
    assert oldest[0].received_local.isoformat() == "2024-03-05T12:00:00"


def test_microdistrict_counts_and_top_addresses(dash_engine: Engine) -> None:
    with dash_engine.connect() as conn:
        categories = {s.key: s.count for s in stats.by_category(conn, EVERYTHING, 1)}
        statuses = {s.key: s.count for s in stats.by_status(conn, EVERYTHING, 1)}
        top = stats.top_addresses(conn, EVERYTHING, 1)
        info = stats.microdistrict_info(conn, 1)
        missing = stats.microdistrict_info(conn, 999)
    assert categories["housing_utilities.heating"] == 2
    assert categories["land.encroachment"] == 2 and sum(categories.values()) == 12
    assert statuses == {"resolved": 6, "received": 2, "rejected": 1, "in_progress": 1,
                        "assigned": 1, "reopened": 1}
    assert [(a.address, a.count, a.open) for a in top] == [
        ("мкр. Первый, 1", 7, 2), ("мкр. Первый, 2", 4, 2)]
    assert info is not None and info.population == 2000
    assert info.geojson["type"] == "MultiPolygon" and missing is None


# --- the pages -----------------------------------------------------------------------

def test_access_by_role(dash_app: Flask) -> None:
    anonymous = dash_app.test_client()
    for path in ("/dashboard", "/microdistricts/1"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    inspector = client_as(dash_app, "insp")
    assert inspector.get("/dashboard").status_code == 403
    assert inspector.get("/microdistricts/1").status_code == 403
    admin = client_as(dash_app, "adm")
    assert admin.get("/dashboard").status_code == 200
    assert admin.get("/microdistricts/1").status_code == 200


def test_dashboard_page_figures(dash_app: Flask, dash_engine: Engine) -> None:
    client = client_as(dash_app, "off")
    response = client.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shares = dict(re.findall(r'data-group="(\w+)" data-share="([0-9.]+)"', page))
    assert {k: float(v) for k, v in shares.items()} == {
        "housing_utilities": 0.35, "land": 0.25, "roads": 0.2, "waste": 0.1, "other": 0.1}
    assert "Housing &amp; utilities" in page and "35.0%" in page and "25.0%" in page
    assert re.search(r'data-status="resolved".*?40\.0%', page, re.S)
    rates = re.findall(r'data-microdistrict="(\d*)">.*?class="num per-1000">([^<]+)<',
                       page, re.S)
    assert rates == [("1", "6.0"), ("2", "10.0"), ("3", "0.0"), ("", "—")]
    assert 'href="/microdistricts/1"' in page
    trend = embedded_json(page, "trend-data")
    assert trend["labels"] == ["2024-W10", "2024-W11", "2024-W12", "2024-W13"]
    assert trend["datasets"][0]["data"] == [7, 5, 0, 8]
    assert embedded_json(page, "resolution-data")["datasets"][0]["data"] == [
        2, 1, 1, 1, 1, 1, 0, 1]
    assert re.search(r'class="median">7\.5<', page)
    ids = tickets(dash_engine)
    assert f'href="/complaints/{ids["c04"]}"' in page
    assert page.index(ids["c04"]) < page.index(ids["c05"]) < page.index(ids["c20"])
    assert f"/complaints/{ids['c01']}" not in page  # resolved
    assert "vendor/chartjs/chart.umd.js" in page and "js/charts.js" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_dashboard_follows_filters(dash_app: Flask) -> None:
    client = client_as(dash_app, "off")
    page = client.get("/dashboard?group=land").get_data(as_text=True)
    assert re.findall(r'data-group="(\w+)" data-share="([0-9.]+)"', page) == [("land", "1.0")]
    assert embedded_json(page, "trend-data")["datasets"][0]["data"] == [5]


@pytest.mark.parametrize("query", ["status=bogus", "from=2024-13-01", "group=weather",
                                   "unresolved_days=-3", "from=2024-03-10&to=2024-03-01"])
def test_bad_filters_are_400(dash_app: Flask, query: str) -> None:
    client = client_as(dash_app, "off")
    assert client.get(f"/dashboard?{query}").status_code == 400
    assert client.get(f"/microdistricts/1?{query}").status_code == 400


def test_microdistrict_page(dash_app: Flask, dash_engine: Engine) -> None:
    client = client_as(dash_app, "off")
    response = client.get("/microdistricts/1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "мкр. Первый" in page and "2,000" in page.replace("\u202f", ",")
    assert re.search(r'class="per-1000">6\.0<', page)
    assert re.search(r'class="median">3\.5<', page)
    assert re.search(r'data-status="resolved"><td>[^<]+</td><td class="num">6<', page)
    assert re.search(r'data-category="land.encroachment"><td>[^<]+</td><td class="num">2<',
                     page)
    addresses = re.findall(r"<tr><td>(мкр\.[^<]+)</td><td class=\"num\">(\d+)<", page)
    assert addresses == [("мкр. Первый, 1", "7"), ("мкр. Первый, 2", "4")]
    assert embedded_json(page, "trend-data")["datasets"][0]["data"] == [7, 5]
    outline = embedded_json(page, "outline-data")
    assert outline["geometry"]["type"] == "MultiPolygon"
    basemap = dash_app.config["GEOAPP_SETTINGS"].basemap_url
    assert "vendor/leaflet/leaflet.js" in page and f'data-basemap="{escape(basemap)}"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another host


def test_unknown_microdistrict_is_404(dash_app: Flask) -> None:
    client = client_as(dash_app, "off")
    assert client.get("/microdistricts/999").status_code == 404


def test_nav_shows_dashboard_to_officials_only(dash_app: Flask) -> None:
    official = client_as(dash_app, "off").get("/").get_data(as_text=True)
    assert 'href="/dashboard"' in official and 'href="/admin"' not in official
    inspector = client_as(dash_app, "insp").get("/").get_data(as_text=True)
    assert 'href="/dashboard"' not in inspector


def test_demo_dashboard_group_shares(demo_app: Flask, demo_engine: Engine) -> None:
    pytest.importorskip("geoapp.demo")
    with demo_engine.begin() as conn:
        if not conn.execute(text("SELECT 1 FROM users WHERE username = 'dash_demo'")).first():
            create_user(conn, "dash_demo", "official", PASSWORD)
    client = client_as(demo_app, "dash_demo")
    page = client.get("/dashboard").get_data(as_text=True)
    shares = {k: float(v) for k, v in
              re.findall(r'data-group="(\w+)" data-share="([0-9.]+)"', page)}
    assert 0.30 <= shares["housing_utilities"] <= 0.40
    assert 0.20 <= shares["land"] <= 0.30
    shown = re.search(r'data-group="housing_utilities".*?(\d+\.\d)%', page, re.S)
    assert shown and 30 <= float(shown.group(1)) <= 40
