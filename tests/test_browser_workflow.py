"""The officials' issue, done as a user would, in a real browser on its own small
demo database: 15 мкр stands out on the heating layer through the two heating
seasons; an official opens an open complaint from there, assigns it, resolves it,
and the dashboard counts one more resolved complaint."""

from __future__ import annotations

import json
import re

from browser import OUTPUT, browser_page, demo_site, login_in_browser, serve
from sqlalchemy import text

from geoapp import create_app

OFFLINE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"
SEASONS = "category=housing_utilities.heating&from=2022-10-15&to=2024-04-15"


def resolved_on_dashboard(page) -> int:  # type: ignore[no-untyped-def]
    row = page.locator("table tr", has_text="Исполнено").first.inner_text()
    return int(re.sub(r"\D", "", row.split("\t")[1]))


def test_official_finds_15_mkr_and_works_a_complaint(new_database) -> None:
    url = new_database("workflow")
    engine = demo_site(url, complaints=6000)
    with engine.begin() as conn:
        ticket = conn.execute(text("""
            SELECT c.ticket FROM complaints c JOIN microdistricts m ON m.id = c.microdistrict_id
            WHERE m.name = '15 мкр' AND c.status IN ('received', 'assigned', 'in_progress')
            ORDER BY c.received_at LIMIT 1""")).scalar_one()
    app = create_app({"database_url": url, "basemap_url": OFFLINE_TILES})
    with serve(app) as base, browser_page() as page:
        login_in_browser(page, base, "official", "official-demo")
        page.goto(f"{base}/map?{SEASONS}")
        page.wait_for_selector("body[data-layer-microdistrict_rates='drawn']", state="attached",
                               timeout=20000)
        layer = f"/api/layers/microdistrict_rates?{SEASONS}"
        rates = json.loads(page.evaluate(f"() => fetch('{layer}').then(r => r.text())"))
        ranked = sorted(rates["features"], key=lambda f: -(f["properties"]["rate"] or 0))
        assert ranked[0]["properties"]["name"] == "15 мкр"
        assert ranked[0]["properties"]["rate"] > 5 * ranked[1]["properties"]["rate"]
        page.screenshot(path=str(OUTPUT / "workflow-heating-seasons.png"))

        page.goto(f"{base}/dashboard")
        before = resolved_on_dashboard(page)

        page.goto(f"{base}/complaints/{ticket}")
        page.select_option("form[action$='/assign'] select", index=1)
        chosen = page.eval_on_selector("form[action$='/assign'] select",
                                       "s => s.options[s.selectedIndex].text")
        page.click("form[action$='/assign'] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert f"Назначено: {chosen}." in page.content()
        # the history words geoapp's part of the comment in the page's language
        assert page.locator("td.comment").all_inner_texts()[-1] == f"назначено: {chosen}"
        page.select_option("form[action$='/status'] select[name=status]", "resolved")
        page.fill("form[action$='/status'] textarea[name=comment], "
                  "form[action$='/status'] input[name=comment]", "Отопление восстановлено")
        page.click("form[action$='/status'] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Отопление восстановлено" in page.content()
        page.screenshot(path=str(OUTPUT / "workflow-complaint-resolved.png"))

        page.goto(f"{base}/dashboard")
        assert resolved_on_dashboard(page) == before + 1
        assert page.outside_requests == []  # type: ignore[attr-defined]
    with engine.connect() as conn:
        status, events = conn.execute(text("""
            SELECT c.status, count(e.id) FROM complaints c
            JOIN complaint_events e ON e.complaint_id = c.id AND e.actor = 'official'
            WHERE c.ticket = :t GROUP BY c.status"""), {"t": ticket}).one()
    assert status == "resolved" and events == 2
    engine.dispose()
