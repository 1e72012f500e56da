"""Web-page exports: an HTML table under an .xls name (what many web systems hand out
as "Excel") or as .html, read as Excel would open it."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import assert_one_line_error, run_geoapp
from ingest_fixtures import (
    database_with_layers,
    run_import,
    stored_with_building,
    without_complaints,
)
from sqlalchemy import Engine

from geoapp.ingest.html_table import open_html

html_db = database_with_layers("html_db")


@pytest.fixture
def engine(html_db) -> Engine:
    return without_complaints(html_db[1])


PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">
<title>Выгрузка</title><style>td {{ mso-number-format: "\\@"; }}</style></head><body>
<table border=1>
<tr><td colspan=9><b>Реестр обращений</b> за январь&nbsp;2024</td></tr>
<tr><th rowspan=2>Номер обращения</th><th rowspan=2>Дата обращения</th>
    <th rowspan=2>Источник</th><th rowspan=2>Текст обращения</th><th rowspan=2>Адрес</th>
    <th colspan=2>Координаты</th><th rowspan=2>Статус</th><th rowspan=2>Телефон</th></tr>
<tr><th>Широта</th><th>Долгота</th></tr>
{rows}
</table><script>document.write("<tr><td>not a row</td></tr>")</script></body></html>"""


def page_row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def test_a_web_page_export_lands_as_its_csv_would(engine: Engine, tmp_path: Path) -> None:
    """Windows-1251 declared in the page; a title row, a header spanning two rows with
    a group over the coordinates; tags, entities and line breaks in cells; a script's
    text is no row; a bad row rejected with its own row number, the others landing."""
    rows = "\n".join([
        page_row("H-1", "12.01.2024 09:30", "109",
                 "Нет <b>отопления</b>,<br>батареи&nbsp;холодные", "15 мкр, д. 7, кв. 12",
                 "", "", "Исполнено", "8 701 123 45 67"),
        page_row("H-2", "12.01.2024 12:00", "109", "&lt;script&gt;alert(1)&lt;/script&gt; "
                 "мусор не вывозят", "", "42,9031", "71,3851", "В работе", ""),
        "<tr></tr>",
        page_row("H-3", "вчера", "109", "Яма на дороге", "мкр. Жайлау, 12", "", "",
                 "Зарегистрировано", ""),
    ])
    path = tmp_path / "export.xls"
    path.write_bytes(PAGE.format(rows=rows).encode("cp1251"))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (2, 1)
    assert [(r[0], r[2]) for r in rejected] == [("7", "H-3")]  # the empty row counts
    assert rejected[0][1].startswith("received_at")
    h1, h2 = stored_with_building(engine, "H-1"), stored_with_building(engine, "H-2")
    assert h1["text"] == "Нет отопления,\nбатареи холодные"
    assert h1["received_at"] == datetime(2024, 1, 12, 3, 30, tzinfo=UTC)
    assert (h1["status"], h1["building"], h1["applicant_phone"]) == (
        "resolved", "15 мкр, 7", "+77011234567")
    assert h1["category"] == "housing_utilities.heating"
    assert h2["text"] == "<script>alert(1)</script> мусор не вывозят"  # text, as written
    assert (h2["geocode_precision"], h2["lon"], h2["lat"]) == ("coordinates", 71.3851,
                                                               42.9031)

    # the same rows from a CSV store the same
    csv_path = tmp_path / "export.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["Номер обращения", "Дата обращения", "Источник", "Текст обращения",
                      "Адрес", "Широта", "Долгота", "Статус", "Телефон"])
        out.writerow(["H-1", "12.01.2024 09:30", "109", "Нет отопления,\nбатареи холодные",
                      "15 мкр, д. 7, кв. 12", "", "", "Исполнено", "8 701 123 45 67"])
        out.writerow(["H-2", "12.01.2024 12:00", "109",
                      "<script>alert(1)</script> мусор не вывозят", "", "42,9031", "71,3851",
                      "В работе", ""])
    again, _ = run_import(engine, csv_path, tmp_path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_a_web_page_under_a_csv_name_is_read_as_one(engine: Engine, tmp_path: Path) -> None:
    """Its charset is what its bytes show (UTF-8), whatever it declares (windows-1251)."""
    path = tmp_path / "export.csv"
    path.write_text(PAGE.format(rows=page_row(
        "C-1", "12.01.2024 09:30", "109", "Нет отопления", "15 мкр, д. 7", "", "",
        "Исполнено", "")), encoding="utf-8")
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (1, [])
    assert stored_with_building(engine, "C-1")["building"] == "15 мкр, 7"


def test_spans_place_cells_in_their_columns(tmp_path: Path) -> None:
    """A cell spanning rows keeps its column free in the rows below; one spanning
    columns leaves the columns after it empty; a table inside a cell is its text."""
    path = tmp_path / "spans.html"
    path.write_text("""<table>
        <tr><th>Номер обращения</th><th>Дата обращения</th><th>Текст обращения</th>
            <th>Адрес</th><th>Источник</th></tr>
        <tr><td>A</td><td rowspan=2>12.01.2024</td><td>один</td><td colspan=2>мкр. 15</td></tr>
        <tr><td>B</td><td><table><tr><td>два</td><td>три</td></tr></table></td>
            <td>ул. Абая, 1</td><td>eotinish</td></tr>
        </table>""", encoding="utf-8")
    table = open_html(path)
    rows = list(table.rows)
    assert [r.line for r in rows] == [2, 3]
    assert [r.original for r in rows] == [
        ["A", "12.01.2024", "один", "мкр. 15", ""],
        ["B", "", "два три", "ул. Абая, 1", "eotinish"]]


@pytest.mark.parametrize(("content", "words"), [
    ("<html><body><p>Нет данных</p></body></html>",
     ("empty.html is a web page without a table of complaints",)),
    ("<table><tr><td>Номер</td><td>Текст</td></tr><tr><td>1</td><td>x</td></tr></table>",
     ("missing required columns: received_at",)),
])
def test_a_page_without_a_table_of_complaints_is_refused_in_one_line(
        html_db, tmp_path: Path, content: str, words: tuple[str, ...]) -> None:
    path = tmp_path / "empty.html"
    path.write_text(content, encoding="utf-8")
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": html_db[0]})
    assert_one_line_error(proc, *words)


def test_a_large_page_streams(engine: Engine, tmp_path: Path) -> None:
    """20,000 rows parsed as read: the rows come before the page is read through."""
    path = tmp_path / "big.xls"
    rows = "\n".join(page_row(f"B-{i}", "12.01.2024 09:30", "109", "Нет отопления",
                              "15 мкр, д. 7", "", "", "Исполнено", "")
                     for i in range(20_000))
    path.write_bytes(PAGE.format(rows=rows).encode("cp1251"))
    table = open_html(path)
    next(table.rows)
    assert table.fraction_read() < 0.5
    summary, _ = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (20_000, 0)
