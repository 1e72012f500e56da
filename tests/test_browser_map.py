"""The officials' map in a real browser: Debian's Chromium driven by Playwright,
headless and offline (the basemap points at a closed loopback port)."""

from __future__ import annotations

import re

from browser import OUTPUT, browser_page, demo_site, login_in_browser, serve
from sqlalchemy import Engine, text

from geoapp import create_app
from geoapp.accounts import ensure_demo_accounts

OFFLINE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


def drawn(page, layer_id: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"body[data-layer-{layer_id}='drawn']", state="attached",
                           timeout=15000)


def open_official_map(page, base: str) -> None:  # type: ignore[no-untyped-def]
    """Log in as the demo official and wait for the map's default layers."""
    login_in_browser(page, base, "official", "official-demo")
    page.goto(f"{base}/map")
    for layer in ("microdistrict_rates", "complaints_heat", "complaints_clusters"):
        drawn(page, layer)


def test_official_map_draws_toggles_pops_up_and_filters(demo_db_url: str,
                                                       demo_engine: Engine) -> None:
    with demo_engine.begin() as conn:
        ensure_demo_accounts(conn)
        center = conn.execute(text("""
            SELECT ST_Y(ST_PointOnSurface(geom)), ST_X(ST_PointOnSurface(geom))
            FROM microdistricts WHERE name = '15 мкр'""")).one()
    app = create_app({"database_url": demo_db_url, "basemap_url": OFFLINE_TILES})
    with serve(app) as base, browser_page() as page:
        open_official_map(page, base)
        assert page.locator(".leaflet-geoapp-areas-pane path").count() >= 15  # microdistricts
        assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
        assert page.locator(".geoapp-cluster").count() > 0
        assert page.locator("#map-legend .legend-row").count() >= 3
        scale = page.locator(".leaflet-control-scale-line").all_inner_texts()
        assert len(scale) == 1 and re.fullmatch(r"\d+ k?m", scale[0])  # metric only
        # The heat layer, on by default, lets the pointer through to the microdistricts.
        x, y = page.evaluate("([lat, lon]) => { const p = window.geoappMap.map"
                             ".latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
                             list(center))
        box = page.locator(".folium-map").bounding_box()
        hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).className.baseVal "
                            "|| document.elementFromPoint(x, y).className",
                            [box["x"] + x, box["y"] + y])
        assert "heatmap" not in hit, hit
        assert page.evaluate("() => getComputedStyle(document.querySelector("
                             "'canvas.leaflet-heatmap-layer')).pointerEvents") == "none"

        heat_box = page.locator(".leaflet-control-layers-overlays label",
                                has_text="Тепловая карта обращений").locator("input")
        heat_box.uncheck()
        assert page.locator("canvas.leaflet-heatmap-layer").count() == 0
        heat_box.check()
        page.wait_for_selector("canvas.leaflet-heatmap-layer", state="attached")

        page.evaluate("([lat, lon]) => window.geoappMap.map.setView([lat, lon], 18)",
                      list(center))
        page.wait_for_selector("path.complaint-marker", timeout=15000)
        page.locator("path.complaint-marker").first.click(force=True)
        popup = page.wait_for_selector(".leaflet-popup-content .complaint-popup")
        assert "TRZ-" in popup.inner_text()
        page.screenshot(path=str(OUTPUT / "officials-map-popup.png"))

        page.evaluate("() => window.geoappMap.map.setView([42.9, 71.375], 12)")
        page.wait_for_timeout(500)
        before = int(page.get_attribute("body", "data-layers-loaded") or 0)
        page.select_option("#map-filters select[name=category]", "housing_utilities.heating")
        page.click("#map-filters button[type=submit]")
        page.wait_for_function(f"Number(document.body.dataset.layersLoaded) >= {before + 3}")
        assert "category=housing_utilities.heating" in page.url
        page.screenshot(path=str(OUTPUT / "officials-map-heating.png"))
        assert page.outside_requests == []  # type: ignore[attr-defined]


def test_the_legend_says_how_many_complaints_are_not_drawn(new_database) -> None:
    """Complaints known only to their microdistrict are left off the heat and cluster
    layers; the legend says how many, in the page's language."""
    url = new_database("notdrawn")
    engine = demo_site(url, complaints=500)
    with engine.begin() as conn:
        # the demo's own yard and road complaints that name only their microdistrict
        own = conn.execute(text("SELECT count(*) FROM complaints "
                                "WHERE geocode_precision = 'microdistrict'")).scalar_one()
        conn.execute(text("""
            INSERT INTO complaints (source, external_id, received_at, category, text, address,
                                    status, microdistrict_id, geom, geocode_precision)
            SELECT 'web', 'AREA-ONLY-' || i, now() - interval '1 day', 'roads', 'Яма',
                   '15 мкр', 'received', m.id, ST_PointOnSurface(m.geom), 'microdistrict'
            FROM microdistricts m, generate_series(1, 1234) i WHERE m.name = '15 мкр'"""))
    app = create_app({"database_url": url, "basemap_url": OFFLINE_TILES})
    with serve(app) as base, browser_page() as page:
        open_official_map(page, base)
        notes = page.locator("#map-legend .not-drawn")
        notes.first.wait_for(timeout=15000)
        texts = notes.all_inner_texts()
        assert len(texts) == 2, texts  # the heat layer's and the clusters'
        shown = f"Не показано: {own + 1234:,} — известны лишь до микрорайона".replace(",", "\xa0")
        assert all(t.startswith(shown) for t in texts), (texts, shown)
        page.screenshot(path=str(OUTPUT / "officials-map-not-drawn.png"))
        # the case's page outlines its microdistrict (dashed), with no point
        with engine.connect() as conn:
            ticket = conn.execute(text("SELECT ticket FROM complaints "
                                       "WHERE external_id = 'AREA-ONLY-1'")).scalar_one()
        page.goto(f"{base}/complaints/{ticket}")
        page.wait_for_selector("#complaint-map path.leaflet-interactive", state="attached")
        assert page.locator("#complaint-map path[stroke-dasharray]").count() == 1
        scale = page.locator("#complaint-map .leaflet-control-scale-line").all_inner_texts()
        assert len(scale) == 1 and re.fullmatch(r"\d+ k?m", scale[0])  # metric only
        page.screenshot(path=str(OUTPUT / "complaint-known-by-microdistrict.png"))
        assert page.outside_requests == []  # type: ignore[attr-defined]
    engine.dispose()
