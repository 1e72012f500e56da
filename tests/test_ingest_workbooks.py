"""Complaint exports as XLSX workbooks: merged header cells, dates as Excel serials,
formulas without saved values, the sheet of complaints among several."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from helpers import assert_one_line_error, run_geoapp
from ingest_fixtures import (
    HEADER,
    database_with_layers,
    row,
    run_import,
    stored,
    without_complaints,
    write_csv,
)
from sqlalchemy import Engine

from geoapp.ingest.xlsx_formulas import sheet_has_formulas

ingest_db = database_with_layers("ingest_db")


@pytest.fixture
def engine(ingest_db) -> Engine:
    return without_complaints(ingest_db[1])


def test_xlsx_with_merged_header_cells(engine: Engine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Реестр обращений службы 109 за январь 2024"])
    sheet.merge_cells("A1:H1")
    sheet.append(["Номер обращения", "Дата обращения", "Текст обращения", "Адрес",
                  "Координаты", None, "Статус", "Источник", None])
    sheet.merge_cells("E2:F2")
    sheet.append([None, None, None, None, "Широта", "Долгота", None, None, "Примечание"])
    sheet.append(["X-1", "15.01.2024 10:00", "Мусор не вывозят неделю", "мкр. Жайлау, 12",
                  42.9031, 71.3851, "В работе", "109", "повторно"])
    sheet.append(["X-2", "16.01.2024", "Яма на дороге", None, None, None, "Исполнено", "109"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 2, rejected
    assert summary.columns_not_read == ["Примечание"]
    x1 = stored(engine, "X-1")
    assert x1["geocode_precision"] == "coordinates" and x1["status"] == "in_progress"
    assert x1["category"] == "waste"
    assert stored(engine, "X-2")["geocode_precision"] == "none"


def test_xlsx_dates_as_numbers_are_excel_serials(engine: Engine, tmp_path: Path) -> None:
    """Dates pasted as values, or in cells formatted as General, are Excel's day
    serials: read as the workbook's dates, not refused as unparseable."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    serial = row("N-1", **{"Дата обращения": "", "Дата исполнения": "",
                           "Статус": "Исполнено"})
    serial[HEADER.index("Дата обращения")] = 45303.395833333336  # 12.01.2024 09:30
    serial[HEADER.index("Дата исполнения")] = 45306  # 15.01.2024
    sheet.append(serial)
    typed = row("N-2")
    typed[HEADER.index("Дата обращения")] = datetime(2024, 1, 12, 9, 30)  # a date cell
    sheet.append(typed)
    path = tmp_path / "serials.xlsx"
    book.save(path)
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (2, [])
    n1 = stored(engine, "N-1")
    assert n1["received_at"].isoformat().startswith("2024-01-12T03:30:00")
    assert n1["resolved_at"].isoformat().startswith("2024-01-14T18:00:00")
    assert stored(engine, "N-2")["received_at"] == n1["received_at"]


def _with_saved_value(path: Path, cell: str, value: str) -> None:
    """Give the formula in `cell` a saved result, as Excel would have written it."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml, found = re.subn(rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v ?/>'.encode(),
                         rf"\g<1><v>{value}</v>".encode(), parts[sheet])
    assert found == 1
    parts[sheet] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_xlsx_formula_without_a_saved_value(engine: Engine, tmp_path: Path) -> None:
    """A workbook written by a program may hold formulas without their results: such a
    cell would read as empty. The row is rejected naming the cell and showing the
    formula; formulas with a saved value, and formulas in columns not read, are fine."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADER, "Примечание"])
    sheet.append(row("FX-1", **{"Дата обращения": "=DATE(2024,1,12)"}))
    sheet.append(row("FX-2", **{"Адрес": '="15 мкр, д. "&7'}))
    sheet.append([*row("FX-3"), "=1+1"])
    sheet.append(row("FX-4", **{"Дата обращения": "=DATE(2024,1,13)"}))
    path = tmp_path / "generated.xlsx"
    book.save(path)
    _with_saved_value(path, "B5", "45304")  # FX-4's date, as if saved by Excel
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 2 and summary.rejected_by_reason == {"formula_without_value": 2}
    reasons = {r[2]: r[1] for r in rejected}
    assert reasons["FX-1"].startswith("formula without a saved value in received_at (B2)")
    assert reasons["FX-2"].startswith("formula without a saved value in address (F3)")
    assert "open it in Excel or LibreOffice" in reasons["FX-1"]
    assert rejected[0][0] == "2" and rejected[0][3] == "'=DATE(2024,1,12)"  # written not to run
    assert stored(engine, "FX-3")["building"] == "15 мкр, 7"
    local = stored(engine, "FX-4")["received_at"].astimezone(ZoneInfo("Asia/Almaty"))
    assert local.date() == date(2024, 1, 13)


def test_a_sheet_without_formulas_is_read_once(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(row("P-1"))
    path = tmp_path / "plain.xlsx"
    book.save(path)
    loaded = openpyxl.load_workbook(path, read_only=True)
    assert not sheet_has_formulas(path, loaded.active)
    book.active.append(row("P-2", **{"Адрес": "=B2"}))
    book.save(path)
    loaded = openpyxl.load_workbook(path, read_only=True)
    assert sheet_has_formulas(path, loaded.active)


def test_xlsx_sheet_of_complaints_is_found_or_chosen(ingest_db, tmp_path: Path) -> None:
    """A cover sheet before the data is passed over; two sheets of complaints are
    never read by a silent pick: --sheet names the one to import."""
    url, engine = ingest_db
    book = openpyxl.Workbook()
    book.active.title = "Сводка"
    book.active.append(["Всего обращений", 3])
    for title, ids in (("Январь", ["W-1", "W-2"]), ("Февраль", ["W-3"])):
        sheet = book.create_sheet(title)
        sheet.append(HEADER)
        for eid in ids:
            sheet.append(row(eid))
    path = tmp_path / "export.xlsx"
    book.save(path)
    env = {"DATABASE_URL": url}
    assert_one_line_error(run_geoapp("import", "complaints", str(path), env=env),
                          "2 sheets of complaints", "Январь, Февраль", "--sheet")
    assert_one_line_error(run_geoapp("import", "complaints", str(path), "--sheet", "Март",
                                     env=env), "no sheet 'Март'", "Сводка, Январь, Февраль")
    for title, count in (("Январь", 2), ("Февраль", 1)):
        proc = run_geoapp("import", "complaints", str(path), "--sheet", title, "--json",
                          env=env)
        assert json.loads(proc.stdout)["inserted"] == count, proc.stderr
    del book["Февраль"]
    book.save(path)
    without_complaints(engine)
    proc = run_geoapp("import", "complaints", str(path), "--json", env=env)
    assert json.loads(proc.stdout)["inserted"] == 2, proc.stderr
    csv_path = write_csv(tmp_path / "in.csv", [row("W-9")])
    assert_one_line_error(run_geoapp("import", "complaints", str(csv_path), "--sheet", "A",
                                     env=env), "--sheet applies to workbooks")
