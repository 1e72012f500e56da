"""The officials' complaint list, its exports, the detail page and the workflow forms,
on a database of this module's own (independent of the demo data)."""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_token, login
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import Connection, Engine, text
from werkzeug.test import TestResponse

from geoapp import create_app
from geoapp.accounts import create_user
from geoapp.analysis.public import hexagon_table
from geoapp.db import make_engine
from geoapp.exports import safe_cell
from geoapp.migrate import upgrade

PASSWORD = "password123"
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
BASE = datetime(2024, 1, 1, 4, 0, tzinfo=UTC)  # 10:00 in Taraz
SEEDED_109 = 55


def add_complaint(conn: Connection, **fields: object) -> str:
    """Insert one complaint; returns its ticket."""
    values: dict[str, object] = {
        "source": "web", "external_id": uuid.uuid4().hex[:12], "received_at": BASE,
        "category": "roads", "text": "Яма на дороге", "address": "ул. Абая, 1",
        "status": "received", "resolved_at": None, "department_id": None,
        "microdistrict_id": None, "applicant_name": "Асель Нурланова",
        "applicant_phone": "+77011234567", "lon": 71.38, "lat": 42.90,
        "category_confidence": None, **fields,
    }
    values.setdefault("precision", "none" if values["lon"] is None else "coordinates")
    return conn.execute(text("""
        INSERT INTO complaints (source, external_id, received_at, category, text, address,
            status, resolved_at, department_id, microdistrict_id, applicant_name,
            applicant_phone, category_confidence, geom, geocode_precision)
        VALUES (:source, :external_id, :received_at, :category, :text, :address, :status,
            :resolved_at, :department_id, :microdistrict_id, :applicant_name,
            :applicant_phone, :category_confidence, ST_SetSRID(ST_MakePoint(CAST(:lon AS float8),
            CAST(:lat AS float8)), 4326), :precision)
        RETURNING ticket"""), values).scalar_one()


def _microdistrict(conn: Connection, name: str, name_kk: str, x: float) -> int:
    return conn.execute(text("""
        INSERT INTO microdistricts (name, name_kk, population, geom)
        VALUES (:name, :name_kk, 1000,
                ST_Multi(ST_MakeEnvelope(:x, 42.88, :x + 0.01, 42.89, 4326)))
        RETURNING id"""), {"name": name, "name_kk": name_kk, "x": x}).scalar_one()


def _department(conn: Connection, name: str) -> int:
    return conn.execute(text("INSERT INTO departments (name) VALUES (:name) RETURNING id"),
                        {"name": name}).scalar_one()


def seed(conn: Connection) -> dict[str, object]:
    zhailau = _microdistrict(conn, "мкр. Жайлау", "Жайлау ы/а", 71.36)
    mkr15 = _microdistrict(conn, "15 мкр", "15 ы/а", 71.38)
    heat = _department(conn, "ГКП «Тараз Жылу»")
    roads = _department(conn, "Отдел дорог")
    for i in range(SEEDED_109):
        status = ("received", "in_progress", "resolved")[i % 3]
        received = BASE + timedelta(days=i)
        add_complaint(conn, source="109", external_id=f"R-{i:03d}", received_at=received,
                      address=f"ул. Толе би, {i}", status=status,
                      resolved_at=received + timedelta(days=10) if status == "resolved" else None,
                      microdistrict_id=None if i % 4 == 0 else (zhailau if i % 2 else mkr15))
    tickets = {
        # 20:30 UTC on 29 Feb is 01:30 on 1 March in Taraz (UTC+5 from 18:00 UTC that day).
        "tz": add_complaint(conn, source="open311", external_id="TZ-1",
                            category="housing_utilities.heating", status="in_progress",
                            received_at=datetime(2024, 2, 29, 20, 30, tzinfo=UTC),
                            microdistrict_id=zhailau, department_id=heat,
                            category_confidence=0.87),
        "wild": add_complaint(conn, source="open311", external_id="W-1",
                              address="ул. 100%_скидка", lon=None, lat=None),
        "formula": add_complaint(conn, source="eotinish", external_id="F-1",
                                 text='=HYPERLINK("http://x")', address="+SUM(1)",
                                 applicant_name="-2+3", applicant_phone="@SUM(1)"),
        "xss": add_complaint(conn, source="walk_in", external_id="X-1", text=PAYLOAD,
                             address=PAYLOAD, applicant_name=PAYLOAD),
    }
    return {"departments": {"heat": heat, "roads": roads}, "tickets": tickets,
            "microdistricts": {"zhailau": zhailau, "mkr15": mkr15}}


@pytest.fixture(scope="module")
def db(new_database) -> Iterator[tuple[str, Engine, dict]]:
    url = new_database("complaints")
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        create_user(conn, "off1", "official", PASSWORD)
        create_user(conn, "insp1", "inspector", PASSWORD)
        data = seed(conn)
    yield url, engine, data
    engine.dispose()


@pytest.fixture(scope="module")
def web_app(db) -> Flask:
    return create_app({"database_url": db[0], "TESTING": True})


@pytest.fixture
def engine_(db) -> Engine:
    return db[1]


@pytest.fixture
def data(db) -> dict:
    return db[2]


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, PASSWORD).status_code == 302
    client.get("/?lang=en")
    return client


@pytest.fixture
def official(web_app: Flask) -> FlaskClient:
    return _client(web_app, "off1")


def fresh(engine: Engine, **fields: object) -> str:
    with engine.begin() as conn:
        return add_complaint(conn, **fields)


def state(engine: Engine, ticket: str) -> dict:
    with engine.connect() as conn:
        row = conn.execute(text("""
            SELECT c.status, c.version, c.department_id, c.reject_reason, c.resolved_at,
                   (SELECT count(*) FROM complaint_events e WHERE e.complaint_id = c.id)
                       AS events
            FROM complaints c WHERE ticket = :t"""), {"t": ticket}).mappings().one()
    return dict(row)


def last_event(engine: Engine, ticket: str) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(text("""
            SELECT e.from_status, e.to_status, e.actor, e.comment, e.department_id, e.at
            FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id
            WHERE c.ticket = :t ORDER BY e.id DESC LIMIT 1"""), {"t": ticket}).mappings().one())


def rows_of(page: str) -> list[list[str]]:
    """The cells of the list table's body rows, tags stripped."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def listed(client: FlaskClient, query: str) -> list[list[str]]:
    response = client.get(f"/complaints?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return rows_of(response.get_data(as_text=True))


def form_fields(page: str, action: str) -> dict[str, str]:
    """csrf_token and version of the form posting to `action`."""
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version
    return {"csrf_token": csrf_token(form), "version": version.group(1)}


# --- access -----------------------------------------------------------------------

def test_anonymous_redirected_and_inspector_forbidden(web_app: Flask, data: dict) -> None:
    ticket = data["tickets"]["tz"]
    urls = ["/complaints", "/complaints/export.csv", "/complaints/export.xlsx",
            f"/complaints/{ticket}"]
    anonymous = web_app.test_client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
    inspector = _client(web_app, "insp1")
    for url in urls:
        assert inspector.get(url).status_code == 403, url
    token = csrf_token(inspector.get("/").get_data(as_text=True))
    refused = inspector.post(f"/complaints/{ticket}/status",
                             data={"csrf_token": token, "version": "1", "status": "resolved"})
    assert refused.status_code == 403
    assert 'href="/complaints"' not in inspector.get("/").get_data(as_text=True)


def test_nav_link_for_officials(official: FlaskClient) -> None:
    page = official.get("/").get_data(as_text=True)
    assert 'href="/complaints"' in page


# --- list ---------------------------------------------------------------------------

def test_list_filters_and_search(official: FlaskClient, data: dict) -> None:
    page = official.get("/complaints?source=109").get_data(as_text=True)
    assert f"Complaints found: {SEEDED_109}" in page
    assert 'id="list-filters"' in page
    heating = listed(official, "category=housing_utilities.heating")
    assert [r[0] for r in heating] == [data["tickets"]["tz"]]
    _ticket, received, category, status, district, _addr, department, _days = heating[0]
    assert received == "01.03.2024 01:30"  # Asia/Almaty
    assert (category, status, district) == ("Heating", "In progress", "мкр. Жайлау")
    assert department == "ГКП «Тараз Жылу»"
    # The date filter is a local date too.
    assert [r[0] for r in listed(official, "source=open311&from=2024-03-01&to=2024-03-01")] \
        == [data["tickets"]["tz"]]
    assert listed(official, "source=open311&from=2024-02-29&to=2024-02-29") == []
    resolved = listed(official, "source=109&status=resolved")
    assert len(resolved) == len(range(2, SEEDED_109, 3))
    assert {r[3] for r in resolved} == {"Resolved"} and {r[7] for r in resolved} == {"10"}


def test_list_by_microdistrict(official: FlaskClient, data: dict) -> None:
    mkr15 = data["microdistricts"]["mkr15"]
    rows = listed(official, f"source=109&microdistrict={mkr15}")
    assert len(rows) == len(range(2, SEEDED_109, 4)) and {r[4] for r in rows} == {"15 мкр"}
    page = official.get("/complaints").get_data(as_text=True)
    assert f'<option value="{mkr15}" >15 мкр</option>' in page
    assert official.get("/complaints?microdistrict=abc").status_code == 400
    # The microdistrict's page links to its complaints, with the page's filters.
    card = official.get(f"/microdistricts/{mkr15}?source=109").get_data(as_text=True)
    assert f"/complaints?microdistrict={mkr15}&amp;source=109" in card
    layer = official.get(f"/api/layers/microdistrict_rates?microdistrict={mkr15}").get_json()
    counts = {f["properties"]["name"]: f["properties"]["complaints"] for f in layer["features"]}
    assert counts["мкр. Жайлау"] == 0 and counts["15 мкр"] > 0


def test_list_by_area(official: FlaskClient, engine_: Engine) -> None:
    """An area (a hotspot's bounds, say) keeps the complaints inside it, boundary
    included, in the list, its count, the exports and the map's aggregates."""
    day = datetime(2023, 6, 15, 6, 0, tzinfo=UTC)
    inside = fresh(engine_, external_id="AREA-IN", received_at=day, lon=71.401, lat=42.871)
    edge = fresh(engine_, external_id="AREA-EDGE", received_at=day, lon=71.41, lat=42.88)
    fresh(engine_, external_id="AREA-OUT", received_at=day, lon=71.42, lat=42.871)
    fresh(engine_, external_id="AREA-NONE", received_at=day, lon=None, lat=None)
    dates = "from=2023-06-15&to=2023-06-15"
    args = f"{dates}&area=71.40,42.87,71.41,42.88"
    assert len(listed(official, dates)) == 4
    assert sorted(r[0] for r in listed(official, args)) == sorted([inside, edge])
    page = official.get(f"/complaints?{args}").get_data(as_text=True)
    assert "Complaints found: 2" in page
    assert 'name="area" value="71.4,42.87,71.41,42.88"' in page  # kept by the form
    export = official.get(f"/complaints/export.csv?{args}").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))) == 3
    heat = official.get(f"/api/layers/complaints_heat?{args}&bbox=71.3,42.8,71.5,43.0&zoom=12")
    assert heat.status_code == 200 and sum(p[2] for p in heat.get_json()["points"]) == 2
    assert official.get(f"/dashboard?{args}").status_code == 200
    for bad in ("1,2,3", "nan,0,1,1", "71.41,42.87,71.40,42.88", "a,b,c,d", "0,0,200,1"):
        assert official.get(f"/complaints?area={bad}").status_code == 400, bad


def test_complaints_known_only_to_their_microdistrict_are_counted_not_drawn(
        official: FlaskClient, engine_: Engine, data: dict) -> None:
    """Forty complaints placed at 15 мкр's representative point would be a heat spot
    and a cluster where nothing happened: the point layers leave them out and say how
    many; the microdistrict figures and lists count them."""
    mkr15 = data["microdistricts"]["mkr15"]
    day = datetime(2023, 7, 20, 6, 0, tzinfo=UTC)
    located = fresh(engine_, external_id="PIN-1", received_at=day, lon=71.3812, lat=42.8811,
                    microdistrict_id=mkr15)
    area_only = [fresh(engine_, external_id=f"AREA-ONLY-{i}", received_at=day, lon=71.385,
                       lat=42.885, microdistrict_id=mkr15, precision="microdistrict",
                       address="15 мкр") for i in range(40)]
    dates = "from=2023-07-20&to=2023-07-20"
    view = "bbox=71.3,42.8,71.5,43.0"
    heat = official.get(f"/api/layers/complaints_heat?{dates}&{view}&zoom=12").get_json()
    assert sum(p[2] for p in heat["points"]) == 1 and heat["not_drawn"] == 40
    clusters = official.get(f"/api/layers/complaints_clusters?{dates}&{view}&zoom=12").get_json()
    assert sum(c[2] for c in clusters["clusters"]) == 1 and clusters["not_drawn"] == 40
    points = official.get(f"/api/layers/complaints_clusters?{dates}"
                          "&bbox=71.38,42.88,71.39,42.89&zoom=18").get_json()
    assert [p["ticket"] for p in points["points"]] == [located] and points["not_drawn"] == 40
    # a view away from 15 мкр has nothing to say about it
    away = official.get(f"/api/layers/complaints_heat?{dates}&bbox=71.30,42.80,71.31,42.81"
                        "&zoom=15").get_json()
    assert away["not_drawn"] == 0
    rates = official.get(f"/api/layers/microdistrict_rates?{dates}").get_json()
    counts = {f["properties"]["name"]: f["properties"]["complaints"] for f in rates["features"]}
    assert counts["15 мкр"] == 41
    assert len(listed(official, f"{dates}&microdistrict={mkr15}")) == 41
    # an area (a hotspot's bounds) holds only what stands in it
    assert [r[0] for r in listed(official, f"{dates}&area=71.38,42.88,71.39,42.89")] == [located]
    # the open map's hexagons hold what stands in them, nothing more
    with engine_.connect() as conn:
        hexagons = hexagon_table(conn, 1, 500, (71.3, 42.8, 71.5, 43.0))
        drawable = conn.execute(text(
            "SELECT count(*) FILTER (WHERE geom IS NOT NULL), count(*) FILTER (WHERE "
            "geocode_precision = 'microdistrict') FROM complaints")).one()
    in_hexagons = sum(n for (_, group, period), n in hexagons.counts.items()
                      if group == "all" and period == "all")
    assert drawable[1] >= 40 and in_hexagons == drawable[0] - drawable[1]
    # the case's own map outlines the microdistrict instead of pinning a point
    page = official.get(f"/complaints/{area_only[1]}").get_data(as_text=True)
    assert 'data-area="{&#34;type&#34;:&#34;Polygon&#34;' in page
    assert "Only the microdistrict is known" in page
    assert "data-area" not in official.get(f"/complaints/{located}").get_data(as_text=True)
    # an official who later learns the house places it: it is drawn from then on
    with engine_.begin() as conn:
        conn.execute(text("UPDATE complaints SET geocode_precision = 'building' "
                          "WHERE ticket = :t"), {"t": area_only[0]})
    heat = official.get(f"/api/layers/complaints_heat?{dates}&{view}&zoom=12").get_json()
    assert sum(p[2] for p in heat["points"]) == 2 and heat["not_drawn"] == 39


def test_map_popups_give_the_local_date(official: FlaskClient, engine_: Engine) -> None:
    """01:30 in Taraz on 16 June is still 15 June in UTC: the popup says the 16th."""
    late = datetime(2023, 6, 15, 19, 30, tzinfo=UTC)
    ticket = fresh(engine_, external_id="TZ-1", received_at=late, lon=71.4305, lat=42.8605)
    data = official.get("/api/layers/complaints_clusters?bbox=71.43,42.86,71.431,42.861"
                        "&zoom=18").get_json()
    shown = {p["ticket"]: p["received_at"] for p in data["points"]}
    assert shown[ticket].startswith("2023-06-16T01:30")


def test_search_escapes_wildcards(official: FlaskClient, data: dict) -> None:
    wild = data["tickets"]["wild"]
    assert [r[0] for r in listed(official, "q=%25")] == [wild]
    assert [r[0] for r in listed(official, "q=_")] == [wild]
    by_external = listed(official, "q=r-054")
    assert len(by_external) == 1 and by_external[0][5] == "ул. Толе би, 54"
    by_ticket = listed(official, f"q={data['tickets']['formula']}")
    assert [r[0] for r in by_ticket] == [data["tickets"]["formula"]]
    assert listed(official, "q=nothing-like-this") == []


def _all_109(client: FlaskClient, sort: str) -> list[list[str]]:
    first = listed(client, f"source=109&{sort}")
    second = listed(client, f"source=109&{sort}&page=2")
    assert len(first) == 50 and len(second) == SEEDED_109 - 50
    return first + second


def test_sort_and_pagination(official: FlaskClient) -> None:
    ascending = _all_109(official, "sort=received_at&dir=asc")
    assert ascending[0][1] == "01.01.2024 10:00" and ascending[-1][5] == "ул. Толе би, 54"
    descending = _all_109(official, "sort=received_at&dir=desc")
    assert [r[0] for r in descending] == [r[0] for r in reversed(ascending)]
    page2 = official.get("/complaints?source=109&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2 and 'rel="prev"' in page2 and 'rel="next"' not in page2
    # Status sorts in workflow order, not alphabetically.
    statuses = [r[3] for r in _all_109(official, "sort=status&dir=asc")]
    order = ["Received", "In progress", "Resolved"]
    assert statuses == sorted(statuses, key=order.index)
    districts = [r[4] for r in _all_109(official, "sort=microdistrict&dir=desc")]
    named = [d for d in districts if d != "—"]
    assert districts[len(named):] == ["—"] * (len(districts) - len(named))  # nulls last
    assert named == sorted(named, reverse=True)
    assert len(listed(official, "source=109&page=9")) == 0


@pytest.mark.parametrize("query", [
    "sort=id;DROP TABLE complaints", "sort=text", "dir=sideways", "page=0", "page=abc",
    "page=-1", "page=²", "page=99999999", "status=bogus", "from=2024-13-01",
    "from=2024-03-02&to=2024-03-01", "unresolved_days=²", "category=nope", "q=" + "x" * 201,
])
def test_bad_parameters_are_400(official: FlaskClient, query: str) -> None:
    for path in ("/complaints", "/complaints/export.csv", "/complaints/export.xlsx"):
        response = official.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)


@pytest.mark.parametrize(("query", "said"), [
    ("from=2024-05-01&to=2024-01-01", "дата «С» позже даты «По»"),
    ("page=abc", "номер страницы — целое число от 1 до 100000"),
    ("status=bogus", "неизвестный статус &#39;bogus&#39;"),
])
def test_a_filter_the_page_cannot_take_is_said_in_its_language(official: FlaskClient,
                                                                query: str, said: str) -> None:
    """Typed dates the wrong way round, or a hand-edited link: the site's own page in
    Russian, with a way back to the page without the filters."""
    for path in ("/complaints", "/dashboard", "/hotspots", "/microdistricts/1"):
        if path != "/complaints" and not query.startswith("from"):
            continue  # the others take no page or status
        response = official.get(f"{path}?{query}&lang=ru")
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and said in page, (path, query)
        assert f'<a href="{path}" id="without-filters">' in page, path
    official.get("/?lang=en")


# --- exports ------------------------------------------------------------------------

def _csv(client: FlaskClient, query: str) -> list[list[str]]:
    response = client.get(f"/complaints/export.csv?{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _xlsx(client: FlaskClient, query: str) -> list[tuple]:
    response = client.get(f"/complaints/export.xlsx?{query}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return list(sheet.iter_rows(values_only=True))


def test_export_csv_all_rows_with_personal_data(official: FlaskClient, data: dict) -> None:
    rows = _csv(official, "source=109&page=2&sort=received_at&dir=asc")
    header, body = rows[0], rows[1:]
    assert len(body) == SEEDED_109  # every row, not a page
    assert header[:4] == ["Ticket", "Source number", "Source", "Received"]
    assert "Applicant" in header and "Phone" in header and "Text" in header
    first = dict(zip(header, body[0], strict=True))
    assert first["Source number"] == "R-000" and first["Received"] == "2024-01-01 10:00"
    assert first["Phone"] == "'+77011234567" and first["Applicant"] == "Асель Нурланова"
    tz = dict(zip(header, _csv(official, "q=TZ-1")[1], strict=True))
    assert tz["Category"] == "Heating" and tz["Microdistrict"] == "мкр. Жайлау"


def test_exports_neutralise_formulas(official: FlaskClient) -> None:
    header, row = _csv(official, "q=F-1")
    cells = dict(zip(header, row, strict=True))
    assert cells["Text"] == "'=HYPERLINK(\"http://x\")"
    assert cells["Address"] == "'+SUM(1)"
    assert cells["Applicant"] == "'-2+3" and cells["Phone"] == "'@SUM(1)"
    # In a workbook a text cell is text, never a formula: kept as written, no apostrophe.
    response = official.get("/complaints/export.xlsx?q=F-1")
    sheet = load_workbook(io.BytesIO(response.data)).active
    xheader, xrow = [c.value for c in sheet[1]], sheet[2]
    xcells = {name: cell for name, cell in zip(xheader, xrow, strict=True)}
    assert xcells["Text"].value == "=HYPERLINK(\"http://x\")"
    assert xcells["Address"].value == "+SUM(1)" and xcells["Applicant"].value == "-2+3"
    assert {xcells[k].data_type for k in ("Text", "Address", "Applicant", "Phone")} == {"s"}
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(response.data)).read(
        "xl/worksheets/sheet1.xml")
    assert isinstance(xcells["Received"].value, datetime)


def test_safe_cell_covers_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1") == f"'{start}1"
    assert safe_cell("ул. Абая, 1") == "ул. Абая, 1"
    assert safe_cell(-5) == -5 and safe_cell(None) is None


def test_export_xlsx_rows(official: FlaskClient) -> None:
    rows = _xlsx(official, "source=109&sort=received_at&dir=asc")
    assert len(rows) == SEEDED_109 + 1
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Source number"] == "R-000"
    assert first["Received"] == datetime(2024, 1, 1, 10, 0)


# --- detail and history --------------------------------------------------------------

def test_detail_shows_fields_map_and_history(official: FlaskClient, engine_: Engine,
                                              data: dict) -> None:
    ticket = data["tickets"]["tz"]
    with engine_.begin() as conn:
        cid = conn.execute(text("SELECT id FROM complaints WHERE ticket = :t"),
                           {"t": ticket}).scalar_one()
        conn.execute(text("""
            INSERT INTO complaint_events (complaint_id, at, from_status, to_status, actor,
                                          comment, department_id)
            VALUES (:id, '2024-03-01 03:00+00', 'received', 'in_progress', 'dispatcher7',
                    'Бригада выехала', :dep)"""),
                     {"id": cid, "dep": data["departments"]["heat"]})
    response = official.get(f"/complaints/{ticket}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Асель Нурланова" in page and "+77011234567" in page
    history = page.split("complaint-history", 1)[1].split("</table>", 1)[0]
    assert "01.03.2024 08:00" in history  # 03:00 UTC in Taraz
    assert "Received → In progress" in history
    assert "dispatcher7" in history and "Бригада выехала" in history
    assert "ГКП «Тараз Жылу»" in history
    assert 'id="complaint-map"' in page and "L.circleMarker" in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "/static/vendor/leaflet/leaflet.css" in page
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert not re.search(r'(src|href)="https?://', page)  # no external scripts or styles
    # Only the allowed next statuses are offered.
    form = page.split('name="status"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'value="(\w+)"', form) == ["resolved", "rejected"]
    assert official.get("/complaints/TRZ-9999999").status_code == 404


def test_names_follow_the_language(official: FlaskClient, data: dict) -> None:
    kazakh = official.get("/complaints?category=housing_utilities.heating&lang=kk")
    row = rows_of(kazakh.get_data(as_text=True))[0]
    assert (row[2], row[3], row[4]) == ("Жылыту", "Орындалуда", "Жайлау ы/а")
    russian = official.get(f"/complaints/{data['tickets']['tz']}?lang=ru")
    page = russian.get_data(as_text=True)
    assert russian.status_code == 200 and "Отопление" in page and "В работе" in page
    assert "87%" in page
    exported = _csv(official, "q=TZ-1&lang=ru")[1]
    assert "Отопление" in exported and "В работе" in exported


def test_the_detail_names_the_location_precision(official: FlaskClient,
                                                engine_: Engine) -> None:
    with engine_.begin() as conn:
        ticket = add_complaint(conn, address="мкр. Жайлау, уч. 06:097:001:002")
        conn.execute(text("UPDATE complaints SET geocode_precision = 'parcel' "
                          "WHERE ticket = :t"), {"t": ticket})
    names = {"en": "land parcel named by its cadastral number",
             "ru": "земельный участок по кадастровому номеру",
             "kk": "кадастрлық нөмірі бойынша жер учаскесі"}
    for lang, name in names.items():
        page = official.get(f"/complaints/{ticket}?lang={lang}").get_data(as_text=True)
        assert name in page, lang


def test_the_detail_gives_the_location_note_in_the_page_language(
        official: FlaskClient, engine_: Engine) -> None:
    """The import writes its notes in English (geocode.notes); the page reads them
    back: the register's address and the typed words stay as written."""
    note = ("coordinates outside the city; the address used instead; house not in the "
            "register; placed at the nearest-numbered house, ул. Абая, 12; the street's "
            "name matched approximately (88)")
    shown = {"ru": "координаты вне города; взят адрес; дома нет в реестре; поставлено у "
                   "дома с ближайшим номером, ул. Абая, 12; название улицы совпало "
                   "приблизительно (88)",
             "kk": "координаттар қаладан тыс; орнына мекенжай алынды; үй тізілімде жоқ; "
                   "нөмірі жақын үйге қойылды, ул. Абая, 12; көше атауы шамамен сәйкес "
                   "келді (88)",
             "en": note}
    unread = "placed by hand after a call <b>to the applicant</b>"  # no template
    with engine_.begin() as conn:
        ticket = add_complaint(conn)
        other = add_complaint(conn)
        for t, text_ in ((ticket, note), (other, unread)):
            conn.execute(text("UPDATE complaints SET geocode_note = :n WHERE ticket = :t"),
                         {"n": text_, "t": t})
    for lang, expected in shown.items():
        page = official.get(f"/complaints/{ticket}?lang={lang}").get_data(as_text=True)
        assert str(escape(expected)) in page, lang
    page = official.get(f"/complaints/{other}?lang=ru").get_data(as_text=True)
    assert "placed by hand after a call &lt;b&gt;to the applicant&lt;/b&gt;" in page


def test_detail_without_point_has_no_map(official: FlaskClient, data: dict) -> None:
    page = official.get(f"/complaints/{data['tickets']['wild']}").get_data(as_text=True)
    assert 'id="complaint-map"' not in page and "No coordinates" in page


# --- workflow -------------------------------------------------------------------------

def _post(client: FlaskClient, ticket: str, kind: str, **fields: str) -> TestResponse:
    page = client.get(f"/complaints/{ticket}").get_data(as_text=True)
    action = f"/complaints/{ticket}/{kind}"
    return client.post(action, data={**form_fields(page, action), **fields})


def test_status_change_with_csrf(official: FlaskClient, engine_: Engine) -> None:
    ticket = fresh(engine_)
    response = _post(official, ticket, "status", status="in_progress", comment="Выехали")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/complaints/{ticket}")
    shown = official.get(f"/complaints/{ticket}").get_data(as_text=True)
    assert "Status changed to “In progress”." in shown
    after = state(engine_, ticket)
    assert (after["status"], after["version"], after["events"]) == ("in_progress", 2, 1)
    event = last_event(engine_, ticket)
    assert (event["from_status"], event["to_status"], event["actor"], event["comment"]) == \
        ("received", "in_progress", "off1", "Выехали")
    assert _post(official, ticket, "status", status="resolved").status_code == 302
    resolved = state(engine_, ticket)
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None
    assert _post(official, ticket, "status", status="reopened",
                 comment="Снова нет").status_code == 302
    reopened = state(engine_, ticket)
    assert reopened["status"] == "reopened" and reopened["resolved_at"] is None
    assert reopened["version"] == 4 and reopened["events"] == 3
    assert "exported-status" not in official.get(f"/complaints/{ticket}").get_data(
        as_text=True)  # nothing exported: nothing to compare with
    with engine_.begin() as conn:  # as an import of the source's export leaves it
        conn.execute(text("UPDATE complaints SET exported_status = 'received' "
                          "WHERE ticket = :t"), {"t": ticket})
    shown = official.get(f"/complaints/{ticket}?lang=ru").get_data(as_text=True)
    assert "exported-status" in shown and "«Зарегистрировано»" in shown


def test_post_without_csrf_token_is_refused(official: FlaskClient, engine_: Engine) -> None:
    ticket = fresh(engine_)
    response = official.post(f"/complaints/{ticket}/status",
                             data={"version": "1", "status": "in_progress"})
    assert response.status_code == 400
    assert state(engine_, ticket)["status"] == "received"


def test_invalid_transition_refused(official: FlaskClient, engine_: Engine) -> None:
    ticket = fresh(engine_)
    response = _post(official, ticket, "status", status="reopened")
    assert response.status_code == 400
    assert "cannot go from “Received” to “Reopened”" in response.get_data(as_text=True)
    response = _post(official, ticket, "status", status="no_such_status")
    assert response.status_code == 400
    no_reason = _post(official, ticket, "status", status="rejected", comment="Дубль")
    assert no_reason.status_code == 400
    assert "Choose a reason for the rejection." in no_reason.get_data(as_text=True)
    assert "Дубль" in no_reason.get_data(as_text=True)  # the comment is kept in the form
    assert state(engine_, ticket) == {"status": "received", "version": 1,
                                      "department_id": None, "reject_reason": None,
                                      "resolved_at": None, "events": 0}
    done = _post(official, ticket, "status", status="rejected", reason="duplicate",
                 comment="См. TRZ-1")
    assert done.status_code == 302
    after = state(engine_, ticket)
    assert (after["status"], after["reject_reason"]) == ("rejected", "duplicate")
    assert last_event(engine_, ticket)["comment"] == "duplicate: См. TRZ-1"


def test_stale_version_refused_with_409(official: FlaskClient, web_app: Flask,
                                        engine_: Engine, data: dict) -> None:
    ticket = fresh(engine_)
    page = official.get(f"/complaints/{ticket}").get_data(as_text=True)
    status_form = form_fields(page, f"/complaints/{ticket}/status")
    assign_form = form_fields(page, f"/complaints/{ticket}/assign")
    other = _client(web_app, "off1")
    assert _post(other, ticket, "status", status="in_progress",
                 comment="first").status_code == 302
    before = state(engine_, ticket)
    response = official.post(f"/complaints/{ticket}/status",
                             data={**status_form, "status": "resolved", "comment": "late"})
    assert response.status_code == 409
    assert "Someone else changed this complaint" in response.get_data(as_text=True)
    response = official.post(f"/complaints/{ticket}/assign",
                             data={**assign_form, "department": data["departments"]["roads"]})
    assert response.status_code == 409
    assert state(engine_, ticket) == before
    assert last_event(engine_, ticket)["comment"] == "first"


def test_assign_writes_event(official: FlaskClient, engine_: Engine, data: dict) -> None:
    ticket = fresh(engine_)
    roads, heat = data["departments"]["roads"], data["departments"]["heat"]
    response = _post(official, ticket, "assign", department=str(roads), comment="срочно")
    assert response.status_code == 302
    after = state(engine_, ticket)
    assert (after["status"], after["department_id"], after["version"]) == \
        ("assigned", roads, 2)
    event = last_event(engine_, ticket)
    assert (event["from_status"], event["to_status"], event["actor"]) == \
        ("received", "assigned", "off1")
    assert event["comment"] == "assigned to Отдел дорог: срочно"
    assert event["department_id"] == roads
    page = official.get(f"/complaints/{ticket}").get_data(as_text=True)
    assert "Assigned to Отдел дорог." in page and "assigned to Отдел дорог" in page
    assert _post(official, ticket, "assign", department=str(heat)).status_code == 302
    event = last_event(engine_, ticket)
    assert (event["from_status"], event["to_status"]) == ("assigned", "assigned")
    assert event["comment"] == "assigned to ГКП «Тараз Жылу»"
    same = _post(official, ticket, "assign", department=str(heat))
    assert same.status_code == 400
    assert _post(official, ticket, "assign", department="999999").status_code == 400
    assert _post(official, ticket, "assign", department="x").status_code == 400
    assert state(engine_, ticket)["events"] == 2



def test_the_history_gives_geoapps_comments_in_the_page_language(
        official: FlaskClient, engine_: Engine, data: dict) -> None:
    """An assignment, a rejection and an import write their part of a comment in
    English (event_comments); the page words it in its language, the official's own
    words and the department's name as they are."""
    ticket = fresh(engine_)
    roads = data["departments"]["roads"]
    assert _post(official, ticket, "assign", department=str(roads),
                 comment="срочно: <b>до 5-го</b>").status_code == 302
    assert _post(official, ticket, "status", status="rejected", reason="duplicate",
                 comment="См. TRZ-1").status_code == 302
    written = (("rejected", "reopened", "import", "status changed in a re-import"),
               ("reopened", "reopened", "off1", "duplicate: not a rejection"))
    with engine_.begin() as conn:
        for from_status, to_status, actor, comment in written:
            conn.execute(text("""
                INSERT INTO complaint_events (complaint_id, at, from_status, to_status,
                                              actor, comment)
                SELECT id, now(), :from_status, :to_status, :actor, :comment
                FROM complaints WHERE ticket = :t"""),
                {"t": ticket, "from_status": from_status, "to_status": to_status,
                 "actor": actor, "comment": comment})
    shown = {
        "ru": ("назначено: Отдел дорог: срочно: &lt;b&gt;до 5-го&lt;/b&gt;",
               "Дубликат: См. TRZ-1", "статус изменён повторным импортом"),
        "kk": ("тағайындалды: Отдел дорог: срочно: &lt;b&gt;до 5-го&lt;/b&gt;",
               "Қайталама: См. TRZ-1", "мәртебе қайта импортпен өзгерді"),
        "en": ("assigned to Отдел дорог: срочно: &lt;b&gt;до 5-го&lt;/b&gt;",
               "Duplicate: См. TRZ-1", "status changed in a re-import"),
    }
    for lang, expected in shown.items():
        page = official.get(f"/complaints/{ticket}?lang={lang}").get_data(as_text=True)
        comments = re.findall(r'<td class="comment">(.*?)</td>', page)
        assert comments == [*expected, "duplicate: not a rejection"], lang
        actors = re.findall(r'<td>([^<]*)</td>\s*<td class="comment">', page)
        imported = {"en": "import"}.get(lang, "импорт")
        assert actors == ["off1", "off1", imported, "off1"], lang


# --- escaping -------------------------------------------------------------------------

def test_user_text_is_escaped_everywhere(official: FlaskClient, data: dict) -> None:
    listing = official.get("/complaints?q=X-1").get_data(as_text=True)
    assert PAYLOAD not in listing and ESCAPED in listing
    assert data["tickets"]["xss"] in listing
    detail = official.get(f"/complaints/{data['tickets']['xss']}").get_data(as_text=True)
    assert PAYLOAD not in detail and detail.count(ESCAPED) >= 3  # name, address, text
    csv_rows = _csv(official, "q=X-1")  # an attachment with nosniff, never HTML
    cells = dict(zip(csv_rows[0], csv_rows[1], strict=True))
    assert cells["Text"] == PAYLOAD and cells["Address"] == PAYLOAD
    xrows = _xlsx(official, "q=X-1")
    assert dict(zip(xrows[0], xrows[1], strict=True))["Text"] == PAYLOAD
    searched = official.get("/complaints?q=" + PAYLOAD).get_data(as_text=True)
    assert PAYLOAD not in searched


def test_the_language_links_keep_the_page_and_its_filters(official: FlaskClient,
                                                          web_app: Flask) -> None:
    page = official.get("/complaints?group=land&status=open&page=2").get_data(as_text=True)
    assert 'href="/complaints?group=land&amp;status=open&amp;page=2&amp;lang=kk"' in page
    official.get("/?lang=en")
    anonymous = web_app.test_client()
    for asked, shown in (("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"), ("en-US,en;q=0.9", "ru"),
                         ("ru-RU", "ru")):
        home = anonymous.get("/track", headers={"Accept-Language": asked})
        assert f'<html lang="{shown}">' in home.get_data(as_text=True), asked


def test_the_russian_export_names_its_codes(official: FlaskClient) -> None:
    """Source, rejection reason, location precision and language by name, as the
    complaint's page shows them, in the CSV and the XLSX alike."""
    official.get("/?lang=ru")
    header, *rows = _csv(official, "status=rejected")
    cells = [dict(zip(header, r, strict=True)) for r in rows]
    assert cells and {c["Причина отказа"] for c in cells} <= {
        "Дубликат", "Не в нашей компетенции", "Необоснованно", ""}
    everything = [dict(zip(header, r, strict=True)) for r in _csv(official, "")[1:]]
    assert {c["Язык"] for c in everything} <= {"русский", "казахский", ""}
    assert not {c["Точность привязки"] for c in everything} & {
        "coordinates", "building", "street", "microdistrict", "none", "parcel"}
    assert not {c["Источник"] for c in everything} & {"109", "walk_in", "web"}
    official.get("/?lang=en")


def test_the_history_names_who_acted_by_their_name(web_app: Flask, engine_: Engine) -> None:
    """As the imported events read ("Оператор 109"), not by a login."""
    with engine_.begin() as conn:
        create_user(conn, "a.named", "official", PASSWORD, full_name="Асем Нурланова")
    client = _client(web_app, "a.named")
    ticket = fresh(engine_)
    assert _post(client, ticket, "status", status="in_progress").status_code == 302
    history = client.get(f"/complaints/{ticket}").get_data(as_text=True)
    assert "<td>Асем Нурланова</td>" in history and "<td>a.named</td>" not in history
