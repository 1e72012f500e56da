"""Excel 2003 XML spreadsheets (SpreadsheetML), as report generators write them, often
under an .xls name: typed cells, a cover sheet, merged group headers, skipped cells."""

from __future__ import annotations

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

from geoapp.ingest.spreadsheet_xml import open_spreadsheet_xml

sheetml_db = database_with_layers("sheetml_db")


@pytest.fixture
def engine(sheetml_db) -> Engine:
    return without_complaints(sheetml_db[1])


def cell(value: object, **attrs: object) -> str:
    extra = "".join(f' ss:{k}="{v}"' for k, v in attrs.items())
    if value is None:
        return f"<Cell{extra}/>"
    if isinstance(value, datetime):
        data = f'<Data ss:Type="DateTime">{value.isoformat()}.000</Data>'
    elif isinstance(value, int | float):
        data = f'<Data ss:Type="Number">{value}</Data>'
    else:
        data = f'<Data ss:Type="String">{value}</Data>'
    return f"<Cell{extra}>{data}</Cell>"


def workbook(*sheets: tuple[str, list[str]], encoding: str = "UTF-8") -> str:
    body = "".join(
        f'<Worksheet ss:Name="{name}"><Table>'
        + "".join(rows) + "</Table></Worksheet>" for name, rows in sheets)
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
            f"{body}</Workbook>")


def row(*cells: str, **attrs: object) -> str:
    extra = "".join(f' ss:{k}="{v}"' for k, v in attrs.items())
    return f"<Row{extra}>{''.join(cells)}</Row>"


GROUP_HEADER = [
    row(cell("Реестр обращений за январь 2024", MergeAcross=8)),
    row(cell("Номер обращения", MergeDown=1), cell("Дата обращения", MergeDown=1),
        cell("Источник", MergeDown=1), cell("Текст обращения", MergeDown=1),
        cell("Адрес", MergeDown=1), cell("Координаты", MergeAcross=1),
        cell("Статус", MergeDown=1), cell("Телефон", MergeDown=1)),
    row(cell("Широта", Index=6), cell("Долгота")),
]


def test_an_xml_spreadsheet_lands_as_its_csv_would(engine: Engine, tmp_path: Path) -> None:
    """A cover sheet first; a title row merged across, a header merged down over a
    group of coordinates; typed dates and numbers; a skipped cell (ss:Index); a bad
    row rejected with its own row number, the others landing. Windows-1251."""
    rows = [
        row(cell("X-1"), cell(datetime(2024, 1, 12, 9, 30)), cell("109"),
            cell("Нет отопления, батареи холодные"), cell("15 мкр, д. 7, кв. 12"),
            cell("Исполнено", Index=8), cell(87011234567)),
        row(cell("X-2"), cell(45303.5), cell("109"), cell("Мусор не вывозят"), cell(None),
            cell(42.9031), cell(71.3851), cell("В работе")),
        row(cell("X-3"), cell("вчера"), cell("109"), cell("Яма на дороге"),
            cell("мкр. Жайлау, 12"), Index=7),
    ]
    path = tmp_path / "otchet.xls"
    path.write_bytes(workbook(("Сводка", [row(cell("Всего"), cell(3))]),
                              ("Обращения", GROUP_HEADER + rows),
                              encoding="windows-1251").encode("cp1251"))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (2, 1)
    assert [(r[0], r[2]) for r in rejected] == [("7", "X-3")]  # its ss:Index
    x1, x2 = stored_with_building(engine, "X-1"), stored_with_building(engine, "X-2")
    assert x1["received_at"] == datetime(2024, 1, 12, 3, 30, tzinfo=UTC)
    assert (x1["status"], x1["building"], x1["applicant_phone"]) == (
        "resolved", "15 мкр, 7", "+77011234567")
    assert x2["received_at"] == datetime(2024, 1, 12, 6, 0, tzinfo=UTC)  # serial 45303.5
    assert (x2["geocode_precision"], x2["lon"], x2["lat"]) == ("coordinates", 71.3851,
                                                               42.9031)


def test_merged_cells_keep_the_columns_of_the_rows_below(tmp_path: Path) -> None:
    path = tmp_path / "merged.xml"
    path.write_text(workbook(("Лист1", [
        row(cell("Номер обращения"), cell("Дата обращения"), cell("Текст обращения"),
            cell("Адрес")),
        row(cell("A"), cell("12.01.2024", MergeDown=1), cell("один", MergeAcross=1)),
        row(cell("B"), cell("два"), cell("ул. Абая, 1")),
    ])), encoding="utf-8")
    table = open_spreadsheet_xml(path)
    assert table.fraction_read() == 0.0
    assert [r.original for r in table.rows] == [
        ["A", "12.01.2024", "один", ""], ["B", "", "два", "ул. Абая, 1"]]


@pytest.mark.parametrize(("name", "content", "words"), [
    ("broken.xls", workbook(("Лист1", [row(cell("Номер"))]))[:-20],
     ("broken.xls is not a readable Excel 2003 XML file",)),
    ("other.xml", '<?xml version="1.0"?><root/>',
     ("other.xml is an XML file but not an Excel 2003 XML spreadsheet",)),
])
def test_what_is_not_a_readable_xml_spreadsheet_is_named_in_one_line(
        sheetml_db, tmp_path: Path, name: str, content: str, words: tuple[str, ...]) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": sheetml_db[0]})
    assert_one_line_error(proc, *words)


def test_a_large_xml_spreadsheet_streams(tmp_path: Path) -> None:
    """The rows come before the file is read through, and the bar can tell how far."""
    path = tmp_path / "big.xml"
    path.write_text(workbook(("Лист1", [
        row(cell("Номер обращения"), cell("Дата обращения"), cell("Текст обращения")),
        *(row(cell(f"B-{i}"), cell(datetime(2024, 1, 12, 9, 30)), cell("Нет отопления"))
          for i in range(20_000))])), encoding="utf-8")
    table = open_spreadsheet_xml(path)
    rows = iter(table.rows)
    assert next(rows).values["external_id"] == "B-0"
    assert 0 < table.fraction_read() < 0.5
    assert sum(1 for _ in rows) == 19_999
