"""An export saved in an encoding without Kazakh letters (Excel's CSV on a Russian
Windows writes CP1251, each ә ғ қ ң ө ұ ү һ a '?'): read as a copy of its original,
never as new data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from ingest_fixtures import (
    database_with_layers,
    run_import,
    stored_with_building,
    without_complaints,
)
from sqlalchemy import Engine, text

from geoapp.ingest.lost_letters import (
    WordRepair,
    has_lost_letters,
    lossy_copy_sql,
    original_value,
)

lost_db = database_with_layers("lost_db")


@pytest.fixture
def engine(lost_db) -> Engine:
    return without_complaints(lost_db[1])


HEADER = ["Өтініш нөмірі", "Күні", "Источник", "Мәтін", "Мекенжай", "Мәртебе",
          "Исполнитель", "Аты-жөні"]
ROWS = [
    ["Q-1", "12.01.2024 09:30", "109", "Қайырлы күн! Жылу жоқ, батареялар суық.",
     "Төле би көшесі, 45А", "Қаралуда", "ГКП «Жылу»", "Әлиев Нұрлан"],
    ["Q-2", "12.01.2024 10:00", "109", "Қоқыс шығарылмайды, контейнерлер толы.",
     "Жайлау ш.а., 12 үй", "Орындалды", "ГКП «Таза Тараз»", "Иванова Анна"],
    ["Q-3", "12.01.2024 11:00", "109", "Нет света во всём подъезде", "15 мкр, д. 7",
     "Зарегистрировано", "ТОО «Таразэнергоцентр»", "Сейітқали Әсем"],
    ["Q-4", "12.01.2024 12:00", "109", "Аулада жарық жоқ", "Жайлау ш.а., 12 үй",
     "Қаралуда", "Жамбылский филиал АО «QazaqGaz Аймақ»", "Бекұлы Ерлан"],
]


def write_export(path: Path, encoding: str) -> Path:
    """The rows as Excel would save them: in `encoding`, a letter it lacks as '?'."""
    with path.open("w", encoding=encoding, errors="replace", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def snapshot(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("""
            SELECT c.external_id, c.text, c.address, c.applicant_name, c.status, d.name,
                   c.category, c.category_confidence, c.geocode_precision, c.geocode_note,
                   c.building_id, c.microdistrict_id, ST_AsEWKB(c.geom), c.version
            FROM complaints c LEFT JOIN departments d ON d.id = c.department_id
            ORDER BY c.external_id"""))]


def departments(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT name FROM departments ORDER BY name")).scalars())


def test_a_question_mark_is_no_lost_letter() -> None:
    assert has_lost_letters("?айырлы к?н")
    assert not has_lost_letters("Когда дадут воду? Третий день")
    assert original_value("?аралуда", {"қаралуда": "in_progress", "в работе": "x"}) == (
        "in_progress")
    # Two originals the copy could be, of different values: neither is guessed.
    assert original_value("?ала", {"қала": "a", "ғала": "b"}) is None
    assert original_value("?ала", {"хала": "a"}) is None  # CP1251 has "х"
    # A word of a closed list (a status, a code) may lose its last letter too; a
    # question mark after a whole word makes it another word.
    assert original_value("жо?", {"жоқ": "a"}) == "a"
    assert original_value("нет?", {"нет": "a"}) is None


@pytest.mark.parametrize(("copy", "original", "is_copy"), [
    ("Т?ле би", "Төле би", True), ("Т?ле би", "Толе би", False),  # CP1251 has "о"
    ("Когда?", "Когда?", True), ("?айырлы к?н", "Қайырлы күн", True),
    ("?айырлы к?н", "Қайырлы күні", False), ("Т?ле би", None, None),
])
def test_sql_reads_a_copy_as_python_does(engine: Engine, copy: str, original: str | None,
                                         is_copy: bool | None) -> None:
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT {lossy_copy_sql(':copy', ':original')}"),
                             {"copy": copy, "original": original}).scalar_one()
    assert found is is_copy


def test_words_of_an_address_are_read_back_from_the_known_words() -> None:
    words = WordRepair(["Өзен көшесі, 12", "мкр. Қарасу", "Қонаев даңғылы", "үй",
                        "шағын аудан"])
    assert words.repair("?зен к?шесі, 108/1") == (
        "өзен көшесі, 108/1", [("?зен", "өзен"), ("к?шесі", "көшесі")])
    assert words.repair("?онаев да??ылы 5, 3 ?й")[0] == "қонаев даңғылы 5, 3 үй"
    # Cleaned as the geocoder cleans it first: "шa?ын" with a Latin "a" is "ша?ын".
    assert words.repair("Жaйлay шa?ын ayдaны")[0] == "жайлау шағын ауданы"
    assert words.repair("Когда? ул. Мира")[0] == "когда? ул. мира"
    assert words.repair("?ала 5") == ("?ала 5", [])  # no known word fits
    # A key held too long besides: read as one letter when nothing fits as typed.
    assert words.repair("?арасуу шша?ын к?шесіі")[0] == "қарасу шағын көшесі"


def test_the_copy_of_an_imported_export_changes_nothing(engine: Engine,
                                                        tmp_path: Path) -> None:
    original = write_export(tmp_path / "export.csv", "utf-8")
    copy = write_export(tmp_path / "export_1251.csv", "cp1251")
    assert "?" in copy.read_text(encoding="cp1251")
    first, _ = run_import(engine, original, tmp_path)
    assert (first.inserted, first.rejected) == (4, 0)
    before, names = snapshot(engine), departments(engine)

    again, rejected = run_import(engine, copy, tmp_path)
    # Headers, statuses and the department read through their '?'; no complaint
    # is taken for another one (key_taken), none is moved to a worse place.
    assert (again.unchanged, again.updated, again.rejected) == (4, 0, 0), rejected
    assert again.lost_letters == 4
    assert snapshot(engine) == before
    assert departments(engine) == names


def test_the_original_after_its_copy_restores_what_the_copy_lost(
        engine: Engine, tmp_path: Path) -> None:
    original = write_export(tmp_path / "export.csv", "utf-8")
    copy = write_export(tmp_path / "export_1251.csv", "cp1251")
    run_import(engine, original, tmp_path)
    expected, expected_names = snapshot(engine), departments(engine)
    without_complaints(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM departments"))

    lossy, _ = run_import(engine, copy, tmp_path)
    assert (lossy.inserted, lossy.rejected, lossy.lost_letters) == (4, 0, 4)
    read_back = stored_with_building(engine, "Q-1")
    assert read_back["building"] == "ул. Толе би, 45А"  # "Т?ле би к?шесі" read back
    assert "«к?шесі» as «көшесі»" in read_back["geocode_note"]
    assert stored_with_building(engine, "Q-4")["text"] == "Аулада жары? жо?"
    assert "Жамбылский филиал АО «QazaqGaz Айма?»" in departments(engine)

    restored, _ = run_import(engine, original, tmp_path)
    assert (restored.inserted, restored.rejected) == (0, 0)
    # The text, the applicant's name, the address and the department's name come back;
    # no twin department, no new version for an official's open card.
    assert snapshot(engine) == expected
    assert departments(engine) == expected_names
    assert run_import(engine, original, tmp_path)[0].unchanged == 4
