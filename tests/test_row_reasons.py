"""A refused row's reason is written from a template and read back into it, so that
the import's page offers the rejects file in its language (ingest.row_reasons)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from ingest_fixtures import database_with_layers, run_import, without_complaints

from geoapp.ingest.rejects import NAMED_REJECT_COLUMNS, REJECT_COLUMNS
from geoapp.ingest.row_reasons import (
    BAD_RECEIVED,
    TEMPLATES,
    UNPARSEABLE_DATE,
    read_reason,
)
from geoapp.read_back import Clause, clause

reasons_db = database_with_layers("reasons_db")
TRANSLATIONS = Path(__file__).parents[1] / "geoapp" / "translations"


def _filled(template: str) -> str:
    values = {name: f"«{name} 1; 2»" for name in re.findall(r"%\((\w+)\)s", template)}
    values.pop("reason", None)
    if "reason" in template:
        values["reason"] = clause(UNPARSEABLE_DATE, value="'31.02.2024'")
    return clause(template, **values)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_reason_reads_back_into_its_template(template: str) -> None:
    found = read_reason(_filled(template))
    assert found is not None and found.template == template


def test_a_nested_reason_reads_back_too() -> None:
    assert read_reason("received_at: unparseable date '31.02.2024'") == Clause(
        BAD_RECEIVED, {"reason": Clause(UNPARSEABLE_DATE, {"value": "'31.02.2024'"})})
    assert read_reason("received_at: the dog ate it") is None


def test_every_reason_an_import_writes_reads_back(reasons_db, tmp_path: Path) -> None:
    """A row of every kind the import refuses, through the real import."""
    _, engine = reasons_db
    header = "Номер;Дата обращения;Источник;Текст обращения;Адрес;Статус;Дата исполнения\n"
    rows = [
        ";12.01.2024;109;Нет воды;;;", f"{'X' * 201};12.01.2024;109;Нет воды;;;",
        "8,70123E+11;12.01.2024;109;Нет воды;;;", "R-4;12.01.2024;109;;;;",
        f"R-5;12.01.2024;109;{'а' * 20_001};;;", "R-6;;109;Нет воды;;;",
        "R-7;31.02.2024;109;Нет воды;;;", "R-8;12.01.2099;109;Нет воды;;;",
        "R-9;01.01.1900;109;Нет воды;;;", "R-10;12.01.2024;;Нет воды;;;",
        "R-11;12.01.2024;ЦОН-9;Нет воды;;;", "R-12;12.01.2024;109;Нет воды;;неведомо;",
        "R-13;12.01.2024;109;Нет воды;;исполнено;10.01.2024",
        "R-14;12.01.2024;109;Нет воды;;исполнено;32.01.2024",
        "R-15;12.01.2024;109;Нет воды;;исполнено;12.01.2099",
        "R-16;12.01.2024;109;Нет воды;;;", "R-16;12.01.2024;109;Нет воды;;;",
        "R-17;12.01.2024;109;Нет; воды;ул. Абая;;исполнено;12.02.2024",
        "R-18;12.01.2024;109;Нет воды\x00;;;",
        'R-19;12.01.2024;109;"Нет воды;;;',
    ]
    path = tmp_path / "export.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    summary, rejected = run_import(without_complaints(engine), path, tmp_path)
    assert len(rejected) >= 19, rejected
    unread = [reason for _, reason, *_ in rejected if read_reason(reason) is None]
    assert unread == []
    assert {code for code in summary.rejected_by_reason} >= {
        "missing_external_id", "bad_external_id", "missing_text", "text_too_long",
        "missing_received_at", "bad_date", "future_date", "missing_source", "bad_source",
        "bad_status", "duplicate_in_file", "extra_cells", "unclosed_quote"}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_rejects_columns_a_page_names_are_recognised(language: str) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    named = [catalogue[column].string for column in REJECT_COLUMNS]
    assert named in NAMED_REJECT_COLUMNS
