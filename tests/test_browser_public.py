"""The public open map in a real browser (Debian's Chromium, headless, offline):
aggregates drawn, language switched, a demo request tracked."""

from __future__ import annotations

import re

from browser import OUTPUT, browser_page, serve
from sqlalchemy import Engine, text

from geoapp import create_app

OFFLINE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


def test_open_map_draws_switches_language_and_tracks(demo_db_url: str,
                                                     demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        ticket, digits = conn.execute(text("""
            SELECT ticket, right(applicant_phone, 4) FROM complaints
            WHERE applicant_phone IS NOT NULL ORDER BY id LIMIT 1""")).one()
    app = create_app({"database_url": demo_db_url, "basemap_url": OFFLINE_TILES})
    with serve(app) as base, browser_page() as page:
        page.goto(f"{base}/")
        for layer in ("public_microdistricts", "public_hexagons"):
            page.wait_for_selector(f"body[data-layer-{layer}='drawn']", state="attached",
                                   timeout=20000)
        assert page.locator(".leaflet-geoapp-areas-pane path").count() >= 40
        assert page.locator("path.hexbin").count() > 10
        page.screenshot(path=str(OUTPUT / "public-map.png"))
        # Rates as the Russian page writes numbers ("151,2"), in the legend and the
        # table below the map alike.
        legend = page.inner_text("#map-legend")
        assert re.search(r"\d,\d", legend) and not re.search(r"\d\.\d", legend), legend
        table = page.locator("details.md-figures table").text_content() or ""
        # the map's own buttons speak the page's language too
        assert page.get_attribute(".leaflet-control-zoom-in", "title") == "Приблизить"
        assert page.get_attribute(".leaflet-control-zoom-fullscreen", "aria-label") == \
            "Во весь экран"
        assert re.search(r"\d,\d", table) and not re.search(r"\d\.\d", table)

        page.click(".lang-switch a[hreflang=kk]")
        page.wait_for_selector("body[data-layer-public_hexagons='drawn']", state="attached",
                               timeout=20000)
        assert "Шағын аудандар бойынша 1 000 тұрғынға" in page.inner_text("body")

        page.click(".open-links a[href='/track']")
        page.fill("input[name=ticket]", ticket)
        page.fill("input[name=digits]", digits)
        page.click("#track-form button[type=submit]")
        page.wait_for_selector("table.track-history")
        result = page.inner_text("#track-result")
        assert ticket in result and "Тіркелді" in result
        page.screenshot(path=str(OUTPUT / "public-track.png"))
        assert page.outside_requests == []  # type: ignore[attr-defined]
