"""The land inspectors' issue, done as a user would, in a real browser on its own demo
database: the flagged parcels stand out in the state-needs zone and along the river,
an inspector opens a parcel card, confirms one violation and dismisses another, and
exports the register as a GeoPackage that geopandas opens with every column."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import geopandas as gpd
from browser import OUTPUT, browser_page, demo_site, login_in_browser, serve
from sqlalchemy import text

from geoapp import create_app
from geoapp.analysis.rule_config import load_rules
from geoapp.analysis.violation_export import COLUMNS
from geoapp.analysis.violations import run_checks
from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.taxonomy import PARCEL_STATUS_NAMES

OFFLINE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


def layer_json(page, path: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(page.evaluate(f"() => fetch('{path}').then(r => r.text())"))


def review(page, row_index: int, state: str, comment: str) -> str:  # type: ignore[no-untyped-def]
    """Review the register's `row_index`-th open violation; returns its parcel number."""
    row = page.locator("table tr:has(form.review-form)").nth(row_index)
    cadastral = row.locator("a").first.inner_text()
    row.locator("select[name=state]").select_option(state)
    row.locator("input[name=comment]").fill(comment)
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    return cadastral


def parcel_popup_names_its_codes(page, engine) -> None:  # type: ignore[no-untyped-def]
    """Zoomed in on a parcel with nothing else over it, a click opens its popup: the
    cadastral number linked to its card, land use and status by name, not by code."""
    with engine.connect() as conn:
        number, land_use, status, lat, lon = conn.execute(text("""
            SELECT p.cadastral_number, p.land_use, p.status,
                   ST_Y(ST_PointOnSurface(p.geom)), ST_X(ST_PointOnSurface(p.geom))
            FROM parcels p
            WHERE NOT EXISTS (SELECT 1 FROM zones z WHERE ST_Intersects(z.geom, p.geom))
              AND NOT EXISTS (SELECT 1 FROM parcel_violations v WHERE v.parcel_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM parcels o WHERE o.id <> p.id
                              AND ST_Intersects(o.geom, p.geom))
              AND NOT EXISTS (SELECT 1 FROM complaints c
                              WHERE ST_DWithin(c.geom::geography, p.geom::geography, 80))
              AND p.land_use = 'individual_housing'
            ORDER BY ST_Area(p.geom) DESC LIMIT 1""")).one()
    page.evaluate(f"() => window.geoappMap.map.setView([{lat}, {lon}], 19)")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-geoapp-areas-pane path').length > 0")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.wait_for_selector(".leaflet-popup-content .feature-popup")
    heading = popup.query_selector(".popup-heading a")
    assert heading.inner_text() == number
    assert heading.get_attribute("href") == f"/parcels/{quote(number)}"
    text_shown = popup.inner_text()
    assert "Вид использования: ИЖС" in text_shown
    assert f"Статус: {PARCEL_STATUS_NAMES[status]['ru']}" in text_shown
    assert land_use not in text_shown and f": {status}" not in text_shown
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=str(OUTPUT / "inspector-parcel-popup.png"))
    heading.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/parcels/{quote(number)}")
    assert page.locator(".parcel-fields").inner_text().count("ИЖС") == 1
    # The card's map: the parcel's tooltip names its land use, the scale is metric.
    page.wait_for_selector("body[data-parcel-map='drawn']", state="attached")
    page.locator("#parcel-map path[stroke='#b23a2b']").hover(force=True)
    assert page.wait_for_selector(".leaflet-tooltip").inner_text() == f"{number} (ИЖС)"
    scale = page.locator("#parcel-map .leaflet-control-scale-line").all_inner_texts()
    assert len(scale) == 1 and re.fullmatch(r"\d+ k?m", scale[0])


def test_inspector_reviews_and_exports(new_database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = new_database("inspector")
    engine = demo_site(url, complaints=2000)
    with engine.begin() as conn:
        run_checks(conn, load_rules(), DEFAULT_CITY_BBOX)
    app = create_app({"database_url": url, "basemap_url": OFFLINE_TILES})
    with serve(app) as base, browser_page() as page:
        login_in_browser(page, base, "inspector", "inspector-demo")
        page.goto(f"{base}/inspector")
        page.wait_for_selector("body[data-layer-violations='drawn']", state="attached",
                               timeout=20000)
        flagged = layer_json(page, "/api/layers/violations")
        rules = {f["properties"]["rule"] for f in flagged["features"]}
        assert {"R1", "R3"} <= rules  # state-needs zone and the river's protection strip
        page.screenshot(path=str(OUTPUT / "inspector-map.png"))
        parcel_popup_names_its_codes(page, engine)

        page.goto(f"{base}/inspector/violations")
        first = page.locator("table tr:has(form.review-form) a").first
        card_number = first.inner_text()
        first.click()
        page.wait_for_load_state("networkidle")
        assert card_number in page.content()
        assert page.locator(".declared-area").count() == 1
        page.screenshot(path=str(OUTPUT / "inspector-parcel-card.png"))

        page.goto(f"{base}/inspector/violations")
        confirmed = review(page, 0, "confirmed", "")
        dismissed = review(page, 1, "dismissed", "Согласовано акиматом, решение №12")
        page.goto(f"{base}/inspector/violations?state=dismissed")
        assert "Согласовано акиматом" in page.content() and dismissed in page.content()

        page.goto(f"{base}/inspector/violations")
        with page.expect_download() as download:
            page.click("a[href*='export.gpkg']")
        path = tmp_path / "register.gpkg"
        download.value.save_as(path)
        assert page.outside_requests == []  # type: ignore[attr-defined]

    register = gpd.read_file(path)
    assert len(register) > 0 and register.crs.to_epsg() == 4326
    assert set(COLUMNS) <= set(register.columns)
    with engine.connect() as conn:
        states = dict(conn.execute(text("""
            SELECT p.cadastral_number || ':' || v.review_state, count(*)
            FROM parcel_violations v JOIN parcels p ON p.id = v.parcel_id
            WHERE v.review_state <> 'new' GROUP BY 1""")).all())
    assert f"{confirmed}:confirmed" in states and f"{dismissed}:dismissed" in states
    engine.dispose()
