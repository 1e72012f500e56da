"""The inspector's pages on the demo data: roles, the map and its sources, the
register with reviews through the web (CSRF), the parcel card and the exports."""

from __future__ import annotations

import csv
import io
import json
import re

import geopandas as gpd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_token, login, run_geoapp
from ingest_fixtures import migrated_with_layers
from sqlalchemy import Engine, text

from geoapp import create_app
from geoapp.accounts import create_user
from geoapp.analysis.rule_config import load_rules
from geoapp.analysis.violation_export import COLUMNS
from geoapp.analysis.violations import run_checks
from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.taxonomy import LAND_USE_NAMES, PARCEL_STATUS_NAMES, ZONE_KIND_NAMES

PASSWORD = "parcel-pass-123"


@pytest.fixture(scope="module")
def prepared(demo_engine: Engine) -> Engine:
    with demo_engine.begin() as conn:
        for name, role in (("parcel_insp", "inspector"), ("parcel_off", "official")):
            if not conn.execute(text("SELECT 1 FROM users WHERE username = :u"),
                                {"u": name}).first():
                create_user(conn, name, role, PASSWORD)
        run_checks(conn, load_rules(), DEFAULT_CITY_BBOX)
    return demo_engine


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, PASSWORD).status_code == 302
    client.get("/?lang=en")
    return client


@pytest.fixture
def inspector(demo_app: Flask, prepared: Engine) -> FlaskClient:
    return _client(demo_app, "parcel_insp")


def _violation(engine: Engine, rule: str, offset: int = 0) -> tuple[int, str]:
    with engine.connect() as conn:
        return tuple(conn.execute(text("""
            SELECT v.id, p.cadastral_number FROM parcel_violations v
            JOIN parcels p ON p.id = v.parcel_id WHERE v.rule = :r AND v.resolved_at IS NULL
            ORDER BY v.id OFFSET :o LIMIT 1"""), {"r": rule, "o": offset}).one())  # type: ignore


PAGES = ("/inspector", "/inspector/violations", "/inspector/violations/export.csv",
         "/inspector/search?q=06:097")


@pytest.mark.parametrize("path", PAGES)
def test_roles(demo_app: Flask, prepared: Engine, path: str) -> None:
    anonymous = demo_app.test_client().get(path)
    if "search" in path:  # the map's script asks: it is told, not sent to a login form
        assert anonymous.status_code == 401 and "error" in anonymous.get_json()
    else:
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert _client(demo_app, "parcel_off").get(path).status_code == 403


def test_the_officials_search_tells_an_expired_session(demo_app: Flask) -> None:
    response = demo_app.test_client().get("/api/search?q=Самал", headers={
        "Accept": "*/*", "Accept-Language": "ru"})
    assert response.status_code == 401 and response.get_json()["error"]


def test_an_address_is_found_by_its_words(demo_app: Flask, prepared: Engine) -> None:
    """Typed without the register's punctuation ("Самал 135" for "мкр. Самал, 135")."""
    with prepared.connect() as conn:
        address = conn.execute(text("SELECT address FROM buildings WHERE address LIKE "
                                    "'мкр. %, %' ORDER BY id LIMIT 1")).scalar_one()
    typed = address.removeprefix("мкр. ").replace(",", "")
    official = _client(demo_app, "parcel_off")
    for path in ("/api/search", "/inspector/search"):
        client = official if path.startswith("/api") else _client(demo_app, "parcel_insp")
        found = client.get(path, query_string={"q": typed}).get_json()["results"]
        assert address in [r["label"] for r in found], (path, typed)


def test_parcel_card_roles(demo_app: Flask, prepared: Engine) -> None:
    _, number = _violation(prepared, "R1")
    assert demo_app.test_client().get(f"/parcels/{number}").status_code == 302
    assert _client(demo_app, "parcel_off").get(f"/parcels/{number}").status_code == 403


def test_a_parcel_number_typed_otherwise_leads_to_its_card(inspector: FlaskClient,
                                                           prepared: Engine) -> None:
    _, number = _violation(prepared, "R1")
    typed = inspector.get(f"/parcels/{number.replace(':', '-')}")
    assert typed.status_code == 302 and typed.headers["Location"] == f"/parcels/{number}"
    assert inspector.get("/parcels/06-999-999-999").status_code == 404


def test_inspector_map_and_layers(inspector: FlaskClient) -> None:
    page = inspector.get("/inspector")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for layer in ("parcels", "zones", "violations", "land_complaints"):
        assert f"/api/layers/{layer}" in html
    assert "vendor/leaflet/leaflet.js" in html and "unpkg" not in html
    city = "71.25,42.82,71.50,42.97"
    far = inspector.get(f"/api/layers/parcels?bbox={city}&zoom=12").get_json()
    assert far["features"] == []  # never the whole city
    zones = inspector.get(f"/api/layers/zones?bbox={city}&zoom=12").get_json()
    assert {f["properties"]["kind"] for f in zones["features"]} >= {"state_needs",
                                                                    "water_protection"}
    violations = inspector.get(f"/api/layers/violations?bbox={city}&zoom=12").get_json()
    assert len(violations["features"]) >= 49


def test_parcels_by_viewport_when_zoomed_in(inspector: FlaskClient, prepared: Engine) -> None:
    _, number = _violation(prepared, "R1")
    with prepared.connect() as conn:
        lon, lat = conn.execute(text("""
            SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM parcels
            WHERE cadastral_number = :n"""), {"n": number}).one()
    bbox = f"{lon - 0.004},{lat - 0.003},{lon + 0.004},{lat + 0.003}"
    data = inspector.get(f"/api/layers/parcels?bbox={bbox}&zoom=16").get_json()
    hit = [f for f in data["features"] if f["properties"]["cadastral_number"] == number]
    assert hit and hit[0]["properties"]["flagged"] is True
    assert 0 < len(data["features"]) < 2000


def test_search_by_cadastral_number_and_holder(inspector: FlaskClient,
                                               prepared: Engine) -> None:
    _, number = _violation(prepared, "R2")
    results = inspector.get(f"/inspector/search?q={number}").get_json()["results"]
    assert results[0]["url"] == f"/parcels/{number}"
    for written in (number.replace(":", "-"), number.replace(":", ""),
                    number.replace(":", " ")[:-2]):  # as typed, or read off a paper plan
        found = inspector.get("/inspector/search", query_string={"q": written}).get_json()
        assert any(r["url"] == f"/parcels/{number}" for r in found["results"]), written
    with prepared.connect() as conn:
        holder = conn.execute(text("SELECT holder FROM parcels WHERE cadastral_number = :n"),
                              {"n": number}).scalar_one()
    by_holder = inspector.get("/inspector/search", query_string={"q": holder}).get_json()
    assert any(r.get("url") == f"/parcels/{number}" for r in by_holder["results"])


def test_register_totals_and_filters(inspector: FlaskClient) -> None:
    html = inspector.get("/inspector/violations").get_data(as_text=True)
    assert "R1 State-needs zone" in html and "94 000 000" in html  # rules by title
    russian = inspector.get("/inspector/violations?lang=ru").get_data(as_text=True)
    assert "R1 Зона гос. нужд" in russian and "R3 Водоохранная зона" in russian
    only_r2 = inspector.get("/inspector/violations?rule=R2").get_data(as_text=True)
    assert only_r2.count('class="review-form"') == 5
    assert inspector.get("/inspector/violations?rule=R9").status_code == 400


def test_confirm_and_dismiss_through_the_web(inspector: FlaskClient, prepared: Engine) -> None:
    confirm_id, number = _violation(prepared, "R1", 0)
    dismiss_id, _ = _violation(prepared, "R3", 0)
    page = inspector.get("/inspector/violations").get_data(as_text=True)
    token = csrf_token(page)
    no_token = inspector.post(f"/inspector/violations/{confirm_id}/review",
                              data={"state": "confirmed"})
    assert no_token.status_code == 400
    ok = inspector.post(f"/inspector/violations/{confirm_id}/review",
                        data={"state": "confirmed", "csrf_token": token})
    assert ok.status_code == 302
    refused = inspector.post(f"/inspector/violations/{dismiss_id}/review",
                             data={"state": "dismissed", "comment": "", "csrf_token": token})
    assert refused.status_code == 302
    inspector.post(f"/inspector/violations/{dismiss_id}/review",
                   data={"state": "dismissed", "comment": "recreation lease, checked on site",
                         "csrf_token": token})
    with prepared.connect() as conn:
        states = dict(conn.execute(text("""
            SELECT id, review_state || ':' || coalesce(review_comment, '') || ':'
                   || coalesce(reviewed_by, '') FROM parcel_violations WHERE id IN (:a, :b)"""),
            {"a": confirm_id, "b": dismiss_id}).all())
    assert states[confirm_id].startswith("confirmed::")
    assert states[dismiss_id].startswith("dismissed:recreation lease, checked on site:")
    # the review survives a re-run of the checks
    with prepared.begin() as conn:
        run_checks(conn, load_rules(), DEFAULT_CITY_BBOX)
    card = inspector.get(f"/parcels/{number}").get_data(as_text=True)
    history = card.split('class="hint review-history"')[1].split("</ul>")[0]
    assert "→ confirmed" in history
    with prepared.connect() as conn:
        kept = conn.execute(text("SELECT review_state FROM parcel_violations WHERE id = :i"),
                            {"i": dismiss_id}).scalar_one()
    assert kept == "dismissed"


def test_parcel_card(inspector: FlaskClient, prepared: Engine) -> None:
    _, number = _violation(prepared, "R1")
    page = inspector.get(f"/parcels/{number}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert number in html and 'class="declared-area"' in html and 'class="geometric-area"' in html
    assert "state_needs" in html and 'id="parcel-map-data"' in html
    with prepared.connect() as conn:
        land_use, status, allocated = conn.execute(text(
            "SELECT land_use, status, allocated_at FROM parcels WHERE cadastral_number = :n"),
            {"n": number}).one()
    russian = inspector.get(f"/parcels/{number}?lang=ru").get_data(as_text=True)
    fields = russian[russian.index('class="figures parcel-fields"'):russian.index("</dl>")]
    assert f"<dd>{LAND_USE_NAMES[land_use]['ru']}</dd>" in fields  # by name, not code
    assert f"<dd>{PARCEL_STATUS_NAMES[status]['ru']}</dd>" in fields
    assert f"<dd>{allocated.strftime('%d.%m.%Y')}</dd>" in fields  # dates as every page
    zones = russian[russian.index('class="data parcel-zones"'):]
    assert ZONE_KIND_NAMES["state_needs"]["ru"] in zones[:zones.index("</table>")]
    assert "vendor/leaflet/leaflet.js" in html and "js/parcel-card.js" in html
    start = html.index('id="parcel-map-data">') + len('id="parcel-map-data">')
    data = json.loads(html[start:html.index("</script>", start)])
    roles = {f["properties"]["role"] for f in data["features"]}
    assert roles >= {"parcel", "neighbour", "zone"}
    assert 'class="data parcel-complaints"' in html  # land complaints within 100 m
    _, newer = _violation(prepared, "R2")
    overlaps = inspector.get(f"/parcels/{newer}").get_data(as_text=True)
    assert 'class="data parcel-overlaps"' in overlaps
    assert inspector.get("/parcels/06:000:000:000").status_code == 404


def test_the_parcel_card_words_the_checks_comment_in_the_page_language(
        inspector: FlaskClient, prepared: Engine) -> None:
    """The checks write "no longer found by the checks" into a violation's history in
    English (test_parcel_checks); the card shows it translated, an inspector's same
    words as typed."""
    violation_id, number = _violation(prepared, "R3")
    with prepared.begin() as conn:
        written = conn.execute(text("""
            INSERT INTO violation_reviews (violation_id, actor, from_state, to_state, comment)
            VALUES (:id, 'geoapp check', 'new', 'resolved', 'no longer found by the checks'),
                   (:id, 'parcel_insp', 'resolved', 'new', 'no longer found by the checks')
            RETURNING id"""), {"id": violation_id}).scalars().all()
    try:
        shown = {"ru": "при проверке больше не найдено", "kk": "тексеру кезінде енді табылмады",
                 "en": "no longer found by the checks"}
        for lang, words in shown.items():
            page = inspector.get(f"/parcels/{number}?lang={lang}").get_data(as_text=True)
            row = page[page.index(f'id="violation-{violation_id}"'):]
            history = re.findall(r"<li>(.*?)</li>", row[:row.index("</ul>")], re.S)
            assert " · geoapp check · " in history[-2], lang
            assert history[-2].endswith(f": {words}"), lang
            assert " · parcel_insp · " in history[-1], lang
            assert history[-1].endswith(": no longer found by the checks"), lang
    finally:
        with prepared.begin() as conn:
            conn.execute(text("DELETE FROM violation_reviews WHERE id = ANY(:ids)"),
                         {"ids": written})

def test_exports(inspector: FlaskClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(
        inspector.get("/inspector/violations/export.csv").get_data(as_text=True)
        .lstrip("\ufeff"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) - 1 >= 49
    geojson = inspector.get("/inspector/violations/export.geojson?rule=R1").get_json()
    assert len(geojson["features"]) == 30
    assert geojson["features"][0]["geometry"]["type"] == "MultiPolygon"
    response = inspector.get("/inspector/violations/export.gpkg")
    assert response.status_code == 200
    path = tmp_path / "register.gpkg"
    path.write_bytes(response.data)
    frame = gpd.read_file(path)
    assert set(COLUMNS) <= set(frame.columns) and len(frame) == len(rows) - 1
    assert frame.crs.to_epsg() == 4326 and frame.geometry.notna().all()
    assert (frame.geom_type == "MultiPolygon").all()
    ids = frame["id"].head(3).tolist()
    selected = inspector.get("/inspector/violations/export.gpkg",
                             query_string=[("id", str(i)) for i in ids])
    (tmp_path / "sel.gpkg").write_bytes(selected.data)
    assert sorted(gpd.read_file(tmp_path / "sel.gpkg")["id"].tolist()) == sorted(ids)


def test_pages_say_when_the_register_is_behind_the_layers(new_database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Imported parcels never checked, then checked, then a new register imported: the
    inspector's pages say which, and the layer import says to run the checks."""
    url = new_database("freshness")
    engine = migrated_with_layers(url, tmp_path / "layers")
    with engine.begin() as conn:
        create_user(conn, "fresh_insp", "inspector", PASSWORD)
    app = create_app({"database_url": url})
    client = _client(app, "fresh_insp")

    def banner() -> str:
        pages = [client.get(p).get_data(as_text=True) for p in ("/inspector",
                                                                 "/inspector/violations")]
        found = [re.search(r'<p class="(warning register-behind|hint register-checked)">'
                           r'(.*?)</p>', page, re.S) for page in pages]
        assert all(found) and found[0].groups() == found[1].groups()  # type: ignore[union-attr]
        return f"{found[0].group(1)}: {found[0].group(2)}"  # type: ignore[union-attr]

    assert banner() == ("warning register-behind: The register has never been checked "
                        "against the imported parcels. Check the parcels to fill it.")
    with engine.begin() as conn:
        run_checks(conn, load_rules(), DEFAULT_CITY_BBOX)
    assert banner().startswith("hint register-checked: Checked on ")

    data = json.loads((tmp_path / "layers" / "parcels.geojson").read_text(encoding="utf-8"))
    data["features"][0]["properties"]["land_use"] = "commercial"
    changed = tmp_path / "parcels-2.geojson"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = run_geoapp("import", "layer", "parcels", str(changed), env={"DATABASE_URL": url})
    assert "run `geoapp check parcels`" in proc.stdout
    assert re.fullmatch(r"warning register-behind: The register was last checked on "
                        r"\d\d\.\d\d\.\d{4} \d\d:\d\d; since then new parcels were imported\. "
                        r"Check the parcels again to bring it up to date\.", banner())
    again = run_geoapp("import", "layer", "parcels", str(changed), env={"DATABASE_URL": url})
    assert "geoapp check parcels" not in again.stdout  # nothing changed this time
    page = client.get("/inspector/violations?rule=R1").get_data(as_text=True)
    assert 'id="run-checks"' in page  # an inspector without a shell runs them here
    checked = client.post("/inspector/checks", data={
        "csrf_token": csrf_token(page), "next": "/inspector/violations?rule=R1"})
    assert checked.status_code == 302
    assert checked.headers["Location"] == "/inspector/violations?rule=R1"
    shown = client.get(checked.headers["Location"]).get_data(as_text=True)
    assert re.search(r"The parcels were checked: [\d\u202f]+ violations found or seen "
                     r"again, \d+ no longer found \(marked resolved\)\.", shown)
    assert banner().startswith("hint register-checked: ")
    assert 'id="run-checks"' not in client.get("/inspector").get_data(as_text=True)
    engine.dispose()


def test_complaints_are_linked_only_for_roles_that_can_open_them(
        demo_app: Flask, inspector: FlaskClient, prepared: Engine) -> None:
    """An inspector sees the land complaints near a parcel and on the map, but a
    complaint's page is the officials' (403): the ticket is shown without a link."""
    with prepared.begin() as conn:
        if not conn.execute(text("SELECT 1 FROM users WHERE username = 'parcel_adm'")).first():
            create_user(conn, "parcel_adm", "admin", PASSWORD)
        number, ticket = conn.execute(text("""
            SELECT p.cadastral_number, c.ticket FROM parcels p JOIN complaints c
              ON ST_DWithin(p.geom::geography, c.geom::geography, 50)
            WHERE c.category LIKE 'land.%' AND c.geocode_precision <> 'microdistrict'
            ORDER BY c.received_at DESC LIMIT 1""")).one()
    admin = _client(demo_app, "parcel_adm")
    for client, linked in ((inspector, False), (admin, True)):
        card = client.get(f"/parcels/{number}").get_data(as_text=True)
        assert f">{ticket}<" in card
        assert (f'href="/complaints/{ticket}"' in card) is linked
        page = client.get("/inspector").get_data(as_text=True)
        config = re.search(r'"id": "land_complaints", [^\n]*?"link": ("[^"]*"|null)', page)
        assert config is not None
        assert (config.group(1) == '"/complaints/{ticket}"') is linked
    assert inspector.get(f"/complaints/{ticket}").status_code == 403
