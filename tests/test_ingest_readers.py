"""Reading a complaints CSV as its author meant it: a quote never closed, a delimiter
inside a value, title rows above the header, a Kazakh code page, the headers other
exports write. Nothing is lost silently: what cannot be read is rejected with a reason
and its original values."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import assert_one_line_error, run_geoapp
from ingest_fixtures import (
    database_with_layers,
    run_import,
    without_complaints,
)
from sqlalchemy import Engine, text

from geoapp.ingest.csv_table import sniff_encoding
from geoapp.ingest.headers import COMPLAINT_FIELDS, match_headers
from geoapp.ingest.readers import open_table

HEADER = "Номер обращения;Дата обращения;Текст обращения;Адрес;Исполнитель"


readers_db = database_with_layers("readers_db")


@pytest.fixture
def engine(readers_db) -> Engine:
    return without_complaints(readers_db[1])


def write(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def stored(engine: Engine, column: str) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(text(
            f"SELECT external_id, {column} FROM complaints")).all())


# --- 1. a quote that opens a cell and is never closed ---------------------------------

def test_an_unclosed_quote_rejects_its_line_and_the_rows_after_it_land(
        engine: Engine, tmp_path: Path) -> None:
    """The quote would read the next rows into the cell up to the next quote (here in
    `ТОО "Энерго"`): the damaged line is rejected with its values as written, and
    the lines after it are read again as rows."""
    path = write(tmp_path / "quote.csv", HEADER,
                 'Q7-1;05.03.2024 10:15;"Срочно! Нет воды 3 дня;мкр. Жайлау, 12;ГКП Тараз су',
                 "Q7-2;05.03.2024 10:20;Нет отопления;мкр. Жайлау, 12;ГКП Жылу",
                 'Q7-3;05.03.2024 10:25;Нет света;мкр. Жайлау, 12;ТОО "Энерго"',
                 "Q7-4;05.03.2024 10:30;Мусор не вывозят;мкр. Жайлау, 12;ТОО Тазалык",
                 '"Q7-5";05.03.2024 10:35;"Яма на дороге,\nглубокая";мкр. Жайлау, 12;Отдел',
                 "Q7-6;05.03.2024 10:40;Нет газа;мкр. Жайлау, 12;Отдел")
    summary, rejected = run_import(engine, path, tmp_path, default_source="109")
    assert (summary.read, summary.inserted, summary.rejected) == (6, 5, 1)
    assert dict(summary.rejected_by_reason) == {"unclosed_quote": 1}
    line, reason, *values = rejected[0]
    assert line == "2"
    assert "quote opened in column «Текст обращения» is not closed" in reason
    assert "lines 2–4" in reason
    assert values == ["Q7-1", "05.03.2024 10:15", '"Срочно! Нет воды 3 дня',
                      "мкр. Жайлау, 12", "ГКП Тараз су"]
    texts = stored(engine, "text")
    assert texts["Q7-2"] == "Нет отопления"
    assert texts["Q7-5"] == "Яма на дороге,\nглубокая"  # a quoted cell over two lines
    assert set(texts) == {"Q7-2", "Q7-3", "Q7-4", "Q7-5", "Q7-6"}


def test_an_unclosed_quote_to_the_end_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "end.csv", HEADER,
                 "E-1;05.03.2024;Нет воды;мкр. Жайлау, 12;Отдел",
                 'E-2;05.03.2024;"Нет света;мкр. Жайлау, 12;Отдел',
                 "E-3;05.03.2024;Нет газа;мкр. Жайлау, 12;Отдел")
    rows = list(open_table(path).rows)
    assert [(r.line, r.values["external_id"]) for r in rows] == [
        (2, "E-1"), (3, "E-2"), (4, "E-3")]
    assert rows[1].unstorable is not None
    assert "not closed before the end of the file: lines 3–4" in rows[1].unstorable[0]
    assert rows[2].unstorable is None and rows[2].values["text"] == "Нет газа"


def test_a_lone_quote_ending_a_line(tmp_path: Path) -> None:
    """`Отдел"` cut to a bare `"` in the last column: found by fuzzing, it stopped
    the import with an IndexError."""
    path = write(tmp_path / "lone.csv", HEADER,
                 "L-1;05.03.2024;Нет воды;мкр. Жайлау, 12;\"",
                 "L-2;05.03.2024;Нет газа;мкр. Жайлау, 12;Отдел")
    rows = list(open_table(path).rows)
    assert [r.values["external_id"] for r in rows] == ["L-1", "L-2"]
    assert rows[0].unstorable is not None and rows[0].unstorable[1] == "unclosed_quote"
    assert rows[0].original[-1] == '"'
    assert rows[1].unstorable is None


def test_a_quote_closed_by_a_stray_quote_rows_later(tmp_path: Path) -> None:
    """No parse error at all: the quote opened on line 2 closes at the inch mark that
    ends line 3; the rows it swallowed are still read as rows."""
    path = write(tmp_path / "inch.csv", HEADER,
                 'I-1;05.03.2024;"Течёт труба;мкр. Жайлау, 12;Отдел',
                 'I-2;05.03.2024;Нужен кран 3/4;мкр. Жайлау, 12;Отдел"',
                 "I-3;05.03.2024;Нет газа;мкр. Жайлау, 12;Отдел")
    rows = list(open_table(path).rows)
    assert [r.values["external_id"] for r in rows] == ["I-1", "I-2", "I-3"]
    assert rows[0].unstorable is not None and rows[0].unstorable[1] == "unclosed_quote"
    assert rows[1].values["text"] == "Нужен кран 3/4"
    assert rows[2].unstorable is None


# --- 2. more cells than the header ----------------------------------------------------

def test_a_row_with_more_cells_than_the_header_is_rejected_whole(engine: Engine,
                                                                 tmp_path: Path) -> None:
    path = write(tmp_path / "extra.csv", f"{HEADER};Телефон",
                 "S9-1;05.03.2024 10:15;Нет воды; срочно примите меры;мкр. Жайлау, 12;"
                 "ГКП Тараз су;87012345678",
                 "S9-2;05.03.2024 10:20;Нет отопления;мкр. Жайлау, 12;ГКП Жылу;87012345679;;",
                 "S9-3;05.03.2024 10:20;Нет газа;мкр. Жайлау, 12;Отдел")
    summary, rejected = run_import(engine, path, tmp_path, default_source="109")
    assert (summary.inserted, summary.rejected) == (2, 1)  # trailing empty cells are fine
    assert dict(summary.rejected_by_reason) == {"extra_cells": 1}
    assert rejected == [["2", "7 cells where the header has 6: a ';' inside a value that "
                         "is not quoted?", "S9-1", "05.03.2024 10:15", "Нет воды",
                         " срочно примите меры", "мкр. Жайлау, 12", "ГКП Тараз су",
                         "87012345678"]]
    assert stored(engine, "applicant_phone")["S9-2"] == "+77012345679"
    with engine.connect() as conn:
        departments = conn.execute(text("SELECT name FROM departments")).scalars().all()
    assert "мкр. Жайлау, 12" not in departments


# --- 3. title rows above the header ---------------------------------------------------

def test_title_rows_above_a_csv_header(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "titled.csv",
                 "Реестр обращений за период 01.03.2024 - 31.03.2024;;;;",
                 ";;;;", "", HEADER,
                 "T1-1;05.03.2024 10:15;Нет отопления;мкр. Жайлау, 12;ГКП Жылу",
                 "T1-2;вчера;Нет воды;мкр. Жайлау, 12;ГКП Жылу")
    summary, rejected = run_import(engine, path, tmp_path, default_source="109")
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert [r[:3] for r in rejected] == [["6", "received_at: unparseable date 'вчера'",
                                          "T1-2"]]  # the file's own line number
    assert summary.columns_not_read == []


def test_no_csv_header_in_the_first_ten_lines(readers_db, tmp_path: Path) -> None:
    url, _ = readers_db
    path = write(tmp_path / "deep.csv", *["Реестр;;;;"] * 10, HEADER,
                 "T2-1;05.03.2024;Нет воды;мкр. Жайлау, 12;Отдел")
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "missing required columns", "first 10 lines", "line 1")


# --- 4. the Kazakh code page ----------------------------------------------------------

def test_a_kz1048_file_reads_its_kazakh_letters(engine: Engine, tmp_path: Path) -> None:
    kazakh = "Жылу жоқ, үйде суық; Әлия Өмірқызы, Ғабит, Ұлан, Һ, ң"
    path = write(tmp_path / "kz.csv", HEADER,
                 f"KZ-1;05.03.2024;\"{kazakh}\";мкр. Жайлау, 12;Отдел",
                 "KZ-2;05.03.2024;Нет воды;мкр. Жайлау, 12;Отдел", encoding="kz1048")
    assert sniff_encoding(path.read_bytes()) == "kz1048"
    summary, rejected = run_import(engine, path, tmp_path, default_source="109")
    assert (summary.inserted, rejected) == (2, [])
    texts = stored(engine, "text")
    assert texts == {"KZ-1": kazakh, "KZ-2": "Нет воды"}
    assert stored(engine, "language")["KZ-1"] == "kk"


# --- 5. header names of other exports -------------------------------------------------

@pytest.mark.parametrize(("cell", "field"), [
    ("Регистрационный номер", "external_id"), ("Рег. номер", "external_id"),
    ("Рег.номер", "external_id"), ("Мобильный телефон", "applicant_phone"),
    ("Контактный телефон заявителя", "applicant_phone"),
    ("Контактный телефон", "applicant_phone"), ("Адрес места проблемы", "address"),
    ("Место проблемы", "address"), ("Регистрационный №", "external_id"),
    ("Краткое содержание", "text"), ("Описание", "text"), ("Суть вопроса", "text"),
    ("Дата создания", "received_at"), ("Дата и время создания", "received_at"),
    ("Фактическая дата исполнения", "resolved_at"), ("Дата ответа", "resolved_at"),
    ("Организация-исполнитель", "department"), ("Адрес объекта", "address"),
    ("Қысқаша мазмұны", "text"),
])
def test_header_aliases(cell: str, field: str) -> None:
    assert match_headers([cell], COMPLAINT_FIELDS) == {0: field}


@pytest.mark.parametrize("cell", ["Срок исполнения", "Вид обращения", "Адрес заявителя"])
def test_header_names_that_are_not_fields(cell: str) -> None:
    """A deadline is not the day a complaint was resolved; a kind of appeal (жалоба,
    заявление) is not its category."""
    assert match_headers([cell], COMPLAINT_FIELDS) == {}


def test_the_applicants_address_is_not_the_problems(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "eotinish.csv",
                 "Рег.номер;Дата обращения;Текст обращения;Адрес заявителя;Адрес;"
                 "Адрес места проблемы;Мобильный телефон",
                 "EO-1;05.03.2024;Нет воды;ул. Абая, 1;ул. Абая, 1;мкр. Жайлау, 12;"
                 "8 701 234 56 78")
    assert match_headers(["Адрес заявителя"], COMPLAINT_FIELDS) == {}
    summary, rejected = run_import(engine, path, tmp_path, default_source="109")
    assert (summary.inserted, rejected) == (1, [])
    assert stored(engine, "address") == {"EO-1": "мкр. Жайлау, 12"}
    assert stored(engine, "applicant_phone") == {"EO-1": "+77012345678"}


@pytest.mark.parametrize("name", ["export.xlsx", "export.xls", ".csv", "export"])
def test_a_text_export_under_a_workbook_name_or_none_is_read_as_text(
        engine: Engine, tmp_path: Path, name: str) -> None:
    """A CSV saved as "export.xlsx", a mail client's ".csv", a name that lost its
    extension: read by what the file holds, as a web page under an .xls name is."""
    path = write(tmp_path / name, HEADER, "R-1;12.01.2024;Нет отопления;15 мкр, 7;",
                 encoding="cp1251")
    summary, rejected = run_import(engine, path, tmp_path, default_source="109")
    assert (summary.inserted, rejected) == (1, [])
    assert stored(engine, "text") == {"R-1": "Нет отопления"}


def test_a_long_number_excel_rounded_is_refused_as_an_id(engine: Engine,
                                                          tmp_path: Path) -> None:
    """Excel keeps 15 significant digits: an id of 19 typed as a number is stored as
    1.23456789012345E+18, its last digits gone; read as 1234567890123450112 it would
    be an invented key. Refused as rounded, as its exponent form in a CSV is."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Номер обращения", "Дата обращения", "Текст обращения"])
    book.active.append([1.23456789012345e18, "12.01.2024", "Нет отопления"])
    book.active.append([123456789012345.0, "12.01.2024", "Нет отопления"])
    book.save(tmp_path / "ids.xlsx")
    summary, rejected = run_import(engine, tmp_path / "ids.xlsx", tmp_path, default_source="109")
    assert summary.inserted == 1 and stored(engine, "text") == {
        "123456789012345": "Нет отопления"}
    assert [r[:2] for r in rejected] == [[
        "2", "external_id '1.23456789012345E+18' is a number of 19 digits rounded to 15 "
        "when the file was saved (Excel's exponent form): save the column as text"]]


def _password_protected_workbook(path: Path) -> Path:
    import io

    import openpyxl
    from msoffcrypto.format.ooxml import OOXMLFile

    book = openpyxl.Workbook()
    book.active.append(["Номер обращения", "Дата обращения", "Текст обращения"])
    plain = io.BytesIO()
    book.save(plain)
    plain.seek(0)
    with path.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    return path


@pytest.mark.parametrize(("name", "content", "said"), [
    ("locked.xlsx", None, "locked.xlsx is protected with a password: open it in Excel, "
                          "save it without one and import it again"),
    ("noise.xls", bytes(range(256)) * 8, "noise.xls is not a readable XLS workbook "
                                          "(damaged, cut short, or not a workbook at all)"),
    ("letter.xlsx", b"PK", "letter.xlsx is a ZIP archive but not a readable XLSX workbook"),
    ("noise", bytes(range(256)) * 8, "noise: unsupported format (no extension"),
])
def test_what_no_reader_takes_is_named_for_what_the_user_can_do(
        readers_db, tmp_path: Path, name: str, content: bytes | None, said: str) -> None:
    path = tmp_path / name
    if content is None:
        _password_protected_workbook(path)
    elif content == b"PK":  # a zip, but another kind of document
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
    else:
        path.write_bytes(content)
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": readers_db[0]})
    assert_one_line_error(proc, said)
