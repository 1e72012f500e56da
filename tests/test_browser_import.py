"""An official imports the 109 service's workbook from the browser, as they would
receive it by mail: the import's page follows it while it runs, then says what
landed and what was refused, the refused rows download with their reasons, and the
new complaints are in the list."""

from __future__ import annotations

import csv
import io

import openpyxl
from browser import OUTPUT, browser_page, login_in_browser, serve
from ingest_fixtures import database_with_layers
from sqlalchemy import text

from geoapp import create_app
from geoapp.accounts import ensure_demo_accounts

browser_import_db = database_with_layers("browser_import_db")
OFFLINE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


def _workbook(path) -> None:  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Отчёт по обращениям за январь 2024"])
    sheet.append(["Номер обращения", "Дата обращения", "Текст обращения", "Адрес", "Статус"])
    sheet.append(["X-1", "12.01.2024 09:30", "Нет отопления, батареи холодные", "15 мкр, д. 7",
                  "В работе"])
    sheet.append(["X-2", "12.01.2099", "Нет воды", "15 мкр, д. 8", "Зарегистрировано"])
    sheet.append(["X-3", "13.01.2024", "Свалка мусора во дворе", "мкр. Жайлау, 12",
                  "Зарегистрировано"])
    book.save(path)


def test_an_official_imports_a_workbook_from_the_browser(browser_import_db, tmp_path) -> None:
    url, engine = browser_import_db
    with engine.begin() as conn:
        ensure_demo_accounts(conn)
    workbook = tmp_path / "Обращения 109 январь.xlsx"
    _workbook(workbook)
    app = create_app({"database_url": url, "data_dir": tmp_path / "data",
                      "basemap_url": OFFLINE_TILES})
    with serve(app) as base, browser_page() as page:
        login_in_browser(page, base, "official", "official-demo")
        page.click("nav >> text=Импорт")
        page.set_input_files("#import-form input[type=file]", str(workbook))
        page.select_option("#import-form select[name=source]", "109")
        # The click's own submission is held back, so that the form can be looked at
        # while the upload would run; then the form is sent.
        page.evaluate("document.getElementById('import-form')"
                      ".addEventListener('submit', e => e.preventDefault())")
        page.click("#import-form button[type=submit]")
        assert page.is_disabled("#import-form button[type=submit]")  # no second import
        assert "Файл загружается" in page.inner_text("#import-form .working")
        with engine.connect() as conn, conn.begin():
            # Rows cannot land while this holds: the import's page says it is running,
            # then follows it (it reloads itself) once they can.
            conn.execute(text("LOCK TABLE complaints IN EXCLUSIVE MODE"))
            page.evaluate("document.getElementById('import-form').submit()")
            page.wait_for_selector("#import-status[data-status=running]")
            assert "строк загружено" in page.inner_text("#import-progress")
            page.screenshot(path=str(OUTPUT / "import-running.png"))
        page.wait_for_selector("#import-status[data-status=done]", timeout=30_000)
        assert page.inner_text("[data-count=read]") == "3"
        assert page.inner_text("[data-count=inserted]") == "2"
        assert page.inner_text("[data-count=rejected]") == "1"
        assert "дата в будущем" in page.inner_text("#rejected-by-reason")
        assert page.inner_text("#import-status") == "завершён"
        page.screenshot(path=str(OUTPUT / "import-summary.png"))
        with page.expect_download() as download:
            page.click("#rejects-link")
        rejects = download.value.path().read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(rejects), delimiter=";"))
        assert rows[0][:2] == ["строка", "причина"]
        assert [row[:3] for row in rows[1:]] == [["4", "дата поступления (received_at) "
                                                  "'12.01.2099' — в будущем", "X-2"]]

        page.goto(f"{base}/imports")
        assert "Обращения 109 январь.xlsx" in page.inner_text("#imports")
        page.screenshot(path=str(OUTPUT / "import-page.png"), full_page=True)
        page.goto(f"{base}/complaints")
        listed = page.content()
        assert "Нет отопления" in listed or "15 мкр" in listed
        assert page.outside_requests == []  # type: ignore[attr-defined]
    with engine.connect() as conn:
        landed = dict(conn.execute(text(
            "SELECT external_id, status FROM complaints WHERE source = '109'")).all())
    assert landed == {"X-1": "in_progress", "X-3": "received"}
