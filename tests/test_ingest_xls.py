"""Excel 97-2003 workbooks (.xls), written with xlwt as older registry systems write
them: typed dates and numbers, title rows, a cover sheet, merged group headers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
import xlwt
from helpers import assert_one_line_error, run_geoapp
from ingest_fixtures import (
    database_with_layers,
    run_import,
    stored_with_building,
    without_complaints,
)
from sqlalchemy import Engine

HEADER = ["Номер обращения", "Дата обращения", "Источник", "Текст обращения", "Адрес",
          "Широта", "Долгота", "Статус", "Дата исполнения", "Телефон"]
WHEN = xlwt.easyxf(num_format_str="DD.MM.YYYY HH:MM")


xls_db = database_with_layers("xls_db")


@pytest.fixture
def engine(xls_db) -> Engine:
    return without_complaints(xls_db[1])


def write_sheet(sheet: xlwt.Worksheet, rows: list[list[object]], first: int = 0) -> None:
    for r, values in enumerate(rows, start=first):
        for c, value in enumerate(values):
            if isinstance(value, datetime):
                sheet.write(r, c, value, WHEN)
            elif value is not None:
                sheet.write(r, c, value)


def test_an_xls_export_lands_as_its_csv_would(engine: Engine, tmp_path: Path) -> None:
    """A cover sheet first, a title row above the header; typed dates (and a date left
    as Excel's serial number in a General cell), coordinates and a phone number as
    numbers; a bad row rejected with its own row number, the others landing."""
    book = xlwt.Workbook(encoding="utf-8")
    write_sheet(book.add_sheet("Сводка"), [["Выгрузка службы 109"], ["Всего", 3]])
    sheet = book.add_sheet("Обращения")
    write_sheet(sheet, [
        ["Реестр обращений за январь 2024"],
        HEADER,
        ["S-1", datetime(2024, 1, 12, 9, 30), "109", "Нет отопления, батареи холодные",
         "15 мкр, д. 7, кв. 12", None, None, "Исполнено", datetime(2024, 1, 20, 15, 0),
         87011234567],
        ["S-2", 45303.5, "109", "Мусор не вывозят", "", 42.9031, 71.3851, "В работе", None,
         "8 (701) 765-43-21"],
        ["S-3", "вчера", "109", "Яма на дороге", "мкр. Жайлау, 12", None, None,
         "Зарегистрировано", None, None],
    ])
    path = tmp_path / "export-109.xls"
    book.save(str(path))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (2, 1)
    assert [(r[0], r[2]) for r in rejected] == [("5", "S-3")]  # the sheet's row 5
    assert rejected[0][1].startswith("received_at")
    s1, s2 = stored_with_building(engine, "S-1"), stored_with_building(engine, "S-2")
    # Asia/Almaty, UTC+6 until March 2024
    assert s1["received_at"] == datetime(2024, 1, 12, 3, 30, tzinfo=UTC)
    assert s1["resolved_at"] == datetime(2024, 1, 20, 9, 0, tzinfo=UTC)
    assert (s1["status"], s1["building"], s1["applicant_phone"]) == (
        "resolved", "15 мкр, 7", "+77011234567")
    assert s1["category"] == "housing_utilities.heating"
    assert s2["received_at"] == datetime(2024, 1, 12, 6, 0, tzinfo=UTC)  # serial 45303.5
    assert (s2["geocode_precision"], s2["lon"], s2["lat"]) == ("coordinates", 71.3851,
                                                               42.9031)


def test_merged_group_headers_and_the_sheet_option(xls_db, tmp_path: Path) -> None:
    url, engine = xls_db
    without_complaints(engine)
    book = xlwt.Workbook(encoding="utf-8")
    for name in ("Январь", "Февраль"):
        sheet = book.add_sheet(name)
        sheet.write_merge(0, 0, 4, 5, "Координаты")
        write_sheet(sheet, [["Номер обращения", "Дата обращения", "Текст обращения",
                             "Источник"]])
        write_sheet(sheet, [[None, None, None, None, "Широта", "Долгота"],
                            [f"{name}-1", datetime(2024, 1, 15, 10, 0), "Яма на дороге", "109",
                             42.9031, 71.3851]], first=1)
    path = tmp_path / "months.xls"
    book.save(str(path))
    env = {"DATABASE_URL": url}
    assert_one_line_error(run_geoapp("import", "complaints", str(path), env=env),
                          "months.xls has 2 sheets of complaints", "--sheet")
    proc = run_geoapp("import", "complaints", str(path), "--sheet", "Февраль", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "inserted 1" in proc.stdout
    assert stored_with_building(engine, "Февраль-1")["geocode_precision"] == "coordinates"


def test_a_workbook_under_the_other_workbook_name_is_read_by_its_content(
        engine: Engine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER[:4])
    book.active.append(["W-1", "12.01.2024 09:30", "109", "Нет отопления"])
    path = tmp_path / "saved-as.xls"
    book.save(path)
    summary, _ = run_import(engine, path, tmp_path)
    assert summary.inserted == 1


@pytest.mark.parametrize(("content", "words"), [
    # a web page under an .xls name is read as one (test_ingest_html): here, its table
    # has no complaints' columns
    (b"<html><body><table><tr><td>\xd0\x9d\xd0\xbe\xd0\xbc\xd0\xb5\xd1\x80</td></tr>"
     b"</table></body></html>", ("missing required columns",)),
    # so is an Excel 2003 XML file (test_ingest_spreadsheet_xml): here, an empty one
    (b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:'
     b'spreadsheet"></Workbook>', ("export.xls is an XML file without worksheets",)),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ("export.xls is not a readable XLS",)),
    (b"", ("export.xls is empty",)),
])
def test_what_is_not_an_xls_workbook_is_named_in_one_line(xls_db, tmp_path: Path,
                                                          content: bytes,
                                                          words: tuple[str, ...]) -> None:
    path = tmp_path / "export.xls"
    path.write_bytes(content)
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": xls_db[0]})
    assert_one_line_error(proc, *words)
