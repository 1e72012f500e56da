"""`geoapp import complaints`: every bad row gets a reason, every valid row lands,
re-imports neither duplicate nor lose, interruptions leave whole batches only."""

from __future__ import annotations

import csv
import json
import re
import signal
import subprocess
import time
import zipfile
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from helpers import GEOAPP, assert_one_line_error, interruptible, run_geoapp
from ingest_fixtures import (
    database_with_layers,
    migrated_with_layers,
    run_import,
    without_complaints,
    write_reference_layers,
)
from shapely.geometry import Point, box, mapping
from sqlalchemy import Engine, text

from geoapp.ingest.csv_table import sniff_encoding
from geoapp.ingest.values import parse_datetime
from geoapp.ingest.xlsx_formulas import sheet_has_formulas

HEADER = ["Номер обращения", "Дата обращения", "Источник", "Категория", "Текст обращения",
          "Адрес", "Широта", "Долгота", "Статус", "Дата исполнения", "Исполнитель", "ФИО",
          "Телефон"]


ingest_db = database_with_layers("ingest_db")


@pytest.fixture
def engine(ingest_db) -> Engine:
    return without_complaints(ingest_db[1])


def row(eid: str, **overrides: str) -> list[str]:
    values = {
        "Номер обращения": eid, "Дата обращения": "12.01.2024 09:30", "Источник": "109",
        "Категория": "", "Текст обращения": "Нет отопления, батареи холодные",
        "Адрес": "15 мкр, д. 7, кв. 12", "Широта": "", "Долгота": "",
        "Статус": "Зарегистрировано", "Дата исполнения": "", "Исполнитель": "",
        "ФИО": "Иванов Иван", "Телефон": "8 (701) 123-45-67",
    }
    values.update(overrides)
    return [values[h] for h in HEADER]


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ";",
              encoding: str = "utf-8", header: list[str] = HEADER) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def stored(engine: Engine, eid: str) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(text("""
            SELECT c.*, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, m.name AS microdistrict,
                   b.address AS building, p.cadastral_number
            FROM complaints c LEFT JOIN microdistricts m ON m.id = c.microdistrict_id
            LEFT JOIN buildings b ON b.id = c.building_id
            LEFT JOIN parcels p ON p.id = c.parcel_id
            WHERE external_id = :e"""), {"e": eid}).mappings().one())


@pytest.mark.parametrize(("delimiter", "encoding"), [
    (";", "utf-8"), (",", "utf-8-sig"), ("\t", "cp1251"), (";", "cp1251"),
    ("\t", "utf-16"),  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    ("\t", "utf-16-le"), (";", "utf-16-be"),  # the same saved without a BOM
])
def test_encodings_and_delimiters(engine: Engine, tmp_path: Path, delimiter: str,
                                  encoding: str) -> None:
    path = write_csv(tmp_path / "in.csv", [row("A-1"), row("A-2", **{"Адрес": "мкр. Жайлау, 12"})],
                     delimiter=delimiter, encoding=encoding)
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (2, 0), rejected
    first = stored(engine, "A-1")
    assert first["text"] == "Нет отопления, батареи холодные"
    assert first["applicant_name"] == "Иванов Иван"
    assert first["applicant_phone"] == "+77011234567"
    assert (first["microdistrict"], first["building"]) == ("15 мкр", "15 мкр, 7")
    assert first["geocode_precision"] == "building"
    assert first["category"] == "housing_utilities.heating"
    assert stored(engine, "A-2")["building"] == "мкр. Жайлау, 12"


def test_a_cadastral_number_in_the_address_places_the_complaint_on_that_parcel(
        engine: Engine, tmp_path: Path) -> None:
    land = "Участок захвачен, забор поставлен на чужой земле"
    rows = [
        row("K-1", **{"Адрес": "мкр. Жайлау, уч. 06:097:001:002", "Текст обращения": land}),
        row("K-2", **{"Адрес": "Жайлау ш.а., 06 : 097 : 001 : 002 учаскесі",
                      "Текст обращения": land}),
        # a number the layer does not hold: the rest of the address, with a note
        row("K-3", **{"Адрес": "15 мкр, уч. 06:097:999:999", "Текст обращения": land}),
        # the microdistrict only: placed at its representative point, on no parcel
        row("K-4", **{"Адрес": "мкр. Жайлау"}),
        # a parcel of Жайлау named with 15 мкр: placed on it, the mismatch noted
        row("K-5", **{"Адрес": "15 мкр, уч. 06:097:001:002", "Текст обращения": land}),
        # hyphens, as some registers print the number
        row("K-6", **{"Адрес": "мкр. Жайлау, участок 06-097-001-002", "Текст обращения": land}),
    ]
    path = write_csv(tmp_path / "land.csv", rows)
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (6, 0), rejected
    assert summary.geocoded_by_precision == {"parcel": 4, "microdistrict": 2}
    for eid in ("K-1", "K-2", "K-5", "K-6"):
        named = stored(engine, eid)
        assert (named["geocode_precision"], named["cadastral_number"], named["microdistrict"],
                named["building"]) == ("parcel", "06:097:001:002", "мкр. Жайлау", None)
        assert 71.3845 < named["lon"] < 71.3855 and 42.9025 < named["lat"] < 42.9035
    assert stored(engine, "K-1")["geocode_note"] is None
    assert stored(engine, "K-5")["geocode_note"] == (
        "the address names 15 мкр; the parcel lies in мкр. Жайлау")
    unknown = stored(engine, "K-3")
    assert (unknown["geocode_precision"], unknown["microdistrict"], unknown["parcel_id"]) == (
        "microdistrict", "15 мкр", None)
    assert unknown["geocode_note"].startswith(
        "cadastral number 06:097:999:999 is not in the parcels layer")
    district_only = stored(engine, "K-4")
    assert (district_only["geocode_precision"], district_only["parcel_id"]) == (
        "microdistrict", None)


def test_a_stray_nul_does_not_make_a_file_utf16() -> None:
    header = "Номер обращения;Дата обращения;Текст обращения\n".encode()
    row_with_nul = "1;01.01.2024;текст\x00 обрыв\n".encode()
    assert sniff_encoding(header + row_with_nul * 3) == "utf-8"
    # Windows Cyrillic is read as KZ-1048, where Russian reads as in CP1251.
    assert sniff_encoding((header + row_with_nul).decode().encode("cp1251")) == "kz1048"


def test_a_cp1251_row_near_the_top_does_not_make_a_utf8_file_cp1251(
        engine: Engine, tmp_path: Path) -> None:
    """Exports appended to one another: a UTF-8 file with a CP1251 row inside the part
    read to sniff the encoding is still read as UTF-8 (not its header as mojibake, which
    refused the whole file); that row alone is rejected."""
    path = write_csv(tmp_path / "appended.csv", [row("E-1"), row("E-2"), row("E-3")])
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].decode().encode("cp1251")
    path.write_bytes(b"\n".join(lines))
    assert sniff_encoding(path.read_bytes()) == "utf-8"
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (2, 1)
    assert [(r[0], r[2]) for r in rejected] == [("3", "E-2")]


def test_bad_rows_get_reasons_and_valid_rows_land(engine: Engine, tmp_path: Path) -> None:
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    rows = [
        row("B-1", **{"Широта": "42,9021", "Долгота": "71,3721"}),        # decimal commas
        row("B-2", **{"Дата обращения": "32.13.2023"}),                   # unparseable
        row("B-3", **{"Дата обращения": "01.01.2099 10:00"}),             # future
        row("B-4", **{"Широта": "71.3721", "Долгота": "42.9021"}),        # swapped
        row("B-5", **{"Широта": "43.5", "Долгота": "76.9"}),              # Almaty: outside
        row("B-6", **{"Широта": "сорок два", "Долгота": "71.37"}),        # non-numeric
        row("B-1", **{"Текст обращения": "повтор"}),                      # same id again
        row("B-7", **{"Текст обращения": script, "Адрес": script}),       # HTML
        row("B-8", **{"Текст обращения": "Ж" * 20_001}),                  # too long
        row("B-9", **{"Текст обращения": ""}),                            # no text
        row("B-10", **{"Дата обращения": "2024-01-12T09:30:00+05:00"}),   # ISO 8601
        row("B-11", **{"Адрес": "15 мкр, д. 7, " + "кв. 1 " * 300}),      # address too long
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    summary, rejected = run_import(engine, path, tmp_path)
    reasons = {r[0]: r[1] for r in rejected}
    assert summary.read == 12
    assert summary.inserted == 7 and summary.rejected == 5
    assert set(reasons) == {"3", "4", "8", "10", "11"}
    assert "unparseable date" in reasons["3"]
    assert "future" in reasons["4"]
    assert reasons["8"] == "duplicate external_id in this file (first at line 2)"
    assert "longer than 20000" in reasons["10"]
    assert "missing text" in reasons["11"]
    assert [r[2] for r in rejected if r[0] == "3"] == ["B-2"]  # original values kept
    assert stored(engine, "B-1")["geocode_precision"] == "coordinates"
    assert stored(engine, "B-1")["building"] == "15 мкр, 7"   # nearest within 30 m
    assert stored(engine, "B-1")["cadastral_number"] == "06:097:001:001"
    swapped = stored(engine, "B-4")
    assert (round(swapped["lon"], 4), round(swapped["lat"], 4)) == (71.3721, 42.9021)
    assert "swapped" in swapped["geocode_note"]
    outside = stored(engine, "B-5")
    assert outside["geocode_precision"] == "building" and "outside" in outside["geocode_note"]
    assert stored(engine, "B-6")["geocode_note"].count("coordinates ignored") == 1
    html = stored(engine, "B-7")
    assert html["text"] == script and html["address"] == script
    long_address = stored(engine, "B-11")
    assert len(long_address["address"]) == 1_000
    assert "address longer than 1,000 characters (1,813): its first 1,000 kept" in \
        long_address["geocode_note"]
    assert long_address["building"] == "15 мкр, 7"
    iso = stored(engine, "B-10")["received_at"]
    assert iso.isoformat().startswith("2024-01-12T04:30:00")
    naive = stored(engine, "B-1")["received_at"]  # 09:30 in Almaty, UTC+6 before March 2024
    assert naive.astimezone().utcoffset() is not None
    assert naive.isoformat().startswith("2024-01-12T03:30:00")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
def test_unstorable_characters_reject_their_row_only(engine: Engine, tmp_path: Path,
                                                      encoding: str) -> None:
    """A NUL, or bytes not valid in the file's encoding far past the part read to sniff
    it, cannot be stored as text: the row is rejected, shown with its bytes, and the
    rows around it land."""
    filler = [row(f"D-{i}", **{"Текст обращения": "Нет отопления " + "ж" * 400})
              for i in range(1, 800)]  # > 256 KB before the broken rows
    rows = [*filler, row("D-NUL", **{"Текст обращения": "батареи\x00 холодные"}),
            row("D-BYTES", **{"Текст обращения": "BROKEN батареи"}), row("D-LAST")]
    path = write_csv(tmp_path / "mixed.csv", rows, encoding=encoding)
    # One line in a foreign encoding: UTF-8 in a CP1251 file can decode (as mojibake),
    # so the foreign bytes there are 0x98, the one byte CP1251 leaves undefined.
    foreign = "тут".encode("cp1251") if encoding == "utf-8" else b"\x98\x98"
    path.write_bytes(path.read_bytes().replace(b"BROKEN", foreign))
    assert path.stat().st_size > 256 * 1024

    summary, rejected = run_import(engine, path, tmp_path)
    reasons = {r[2]: r for r in rejected}
    assert (summary.inserted, summary.rejected) == (800, 2)
    assert dict(summary.rejected_by_reason) == {"nul_character": 1, "bad_encoding": 1}
    assert reasons["D-NUL"][0] == "801" and "NUL" in reasons["D-NUL"][1]
    assert reasons["D-NUL"][6] == "батареи\\x00 холодные"
    assert reasons["D-BYTES"][0] == "802" and "not valid" in reasons["D-BYTES"][1]
    shown = "".join(f"\\x{b:02x}" for b in foreign)
    assert reasons["D-BYTES"][6] == f"{shown} батареи"
    assert stored(engine, "D-LAST")["geocode_precision"] == "building"


def test_reimport_is_idempotent_and_records_status_changes(engine: Engine,
                                                           tmp_path: Path) -> None:
    rows = [row("C-1"), row("C-2")]
    path = write_csv(tmp_path / "first.csv", rows)
    first, _ = run_import(engine, path, tmp_path)
    assert first.inserted == 2
    again, _ = run_import(engine, path, tmp_path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    rows[0] = row("C-1", **{"Статус": "Исполнено", "Дата исполнения": "20.01.2024 12:00",
                            "Исполнитель": "ГКП «Жылу»"})
    changed, _ = run_import(engine, write_csv(tmp_path / "second.csv", rows), tmp_path)
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 1, 1)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
        events = conn.execute(text("""
            SELECT e.from_status, e.to_status FROM complaint_events e
            JOIN complaints c ON c.id = e.complaint_id
            WHERE c.external_id = 'C-1' ORDER BY e.id""")).all()
        department = conn.execute(text("""
            SELECT d.name FROM complaints c JOIN departments d ON d.id = c.department_id
            WHERE c.external_id = 'C-1'""")).scalar_one()
    assert count == 2
    assert events == [(None, "received"), ("received", "resolved")]
    assert department == "ГКП «Жылу»"


def test_a_reimport_places_anew_what_the_register_or_the_source_now_says_better(
        new_database, tmp_path: Path) -> None:
    """Complaints imported before their buildings layer are placed when it comes (and
    a re-import of their file then finds them where the import would put them); a
    corrected address moves its complaint; an address the import cannot locate never
    takes a located complaint off the map, nor one without coordinates a complaint off
    its own point."""
    from geoapp.db import make_engine
    from geoapp.ingest.layers import import_layer
    from geoapp.migrate import upgrade

    engine = make_engine(new_database("relocate"))
    upgrade(engine)
    layers = write_reference_layers(tmp_path / "layers")
    import_layer(engine, "microdistricts", layers["microdistricts"])
    rows = [row("P-1"),  # "15 мкр, д. 7": only its microdistrict is known yet
            row("P-2", **{"Адрес": "ул. Толе би, 47"}),  # no street known yet
            row("P-3", **{"Широта": "42.9030", "Долгота": "71.3785", "Адрес": ""}),
            row("P-4", **{"Адрес": "мкр. Жайлау, 12"}),
            row("P-5", **{"Адрес": "ул. Толе би, 45А"})]
    first, _ = run_import(engine, write_csv(tmp_path / "first.csv", rows), tmp_path)
    assert first.geocoded_by_precision == {"microdistrict": 2, "none": 2, "coordinates": 1}
    assert stored(engine, "P-1")["building"] is None

    # the buildings register places them by their stored address
    buildings = import_layer(engine, "buildings", layers["buildings"])
    assert buildings.complaints_relocated == {"building": 4}
    assert buildings.complaints_placed_roughly == {}
    import_layer(engine, "parcels", layers["parcels"])
    again, _ = run_import(engine, write_csv(tmp_path / "first.csv", rows), tmp_path)
    assert (again.updated, again.relocated, again.unchanged) == (0, 0, 5)
    p1 = stored(engine, "P-1")
    assert (p1["geocode_precision"], p1["building"]) == ("building", "15 мкр, 7")
    assert p1["cadastral_number"] == "06:097:001:001"  # its building's parcel
    assert stored(engine, "P-2")["building"] == "ул. Толе би, 47"
    assert p1["version"] == 1  # a new place is no edit an official's save conflicts with
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaint_events")).scalar_one() == 5
        # the map's copy follows (its trigger)
        assert conn.execute(text("""
            SELECT (p.lon, p.lat) = (ST_X(c.geom)::real, ST_Y(c.geom)::real)
            FROM complaint_map_points p JOIN complaints c ON c.id = p.id
            WHERE c.external_id = 'P-2'""")).scalar_one()
    same, _ = run_import(engine, write_csv(tmp_path / "first.csv", rows), tmp_path)
    assert (same.updated, same.relocated, same.unchanged) == (0, 0, 5)

    rows[3] = row("P-4", **{"Адрес": "ул. Толе би, 45А, кв. 3"})  # corrected
    rows[4] = row("P-5", **{"Адрес": "ул. Неизвестная, 1"})  # nowhere in the register
    rows[0] = row("P-1", **{"Статус": "Исполнено", "Дата исполнения": "20.01.2024 12:00"})
    rows[2] = row("P-3", **{"Адрес": "мкр. Жайлау, 12"})  # a report without coordinates
    corrected, _ = run_import(engine, write_csv(tmp_path / "second.csv", rows), tmp_path)
    assert (corrected.updated, corrected.relocated, corrected.unchanged) == (2, 1, 3)
    p3 = stored(engine, "P-3")
    assert (p3["geocode_precision"], p3["lon"], p3["address"]) == ("coordinates", 71.3785, None)
    p4, p5 = stored(engine, "P-4"), stored(engine, "P-5")
    assert (p4["address"], p4["building"]) == ("ул. Толе би, 45А, кв. 3", "ул. Толе би, 45А")
    assert (p5["address"], p5["building"]) == ("ул. Толе би, 45А", "ул. Толе би, 45А")
    assert stored(engine, "P-1")["version"] == 2
    engine.dispose()


def test_a_changed_register_places_anew_the_complaints_it_now_knows_the_houses_of(
        new_database, tmp_path: Path) -> None:
    """Complaints imported before their buildings layer are geocoded again from their
    stored address when it comes, the row's own note kept; an address the register
    still does not know is counted under its file; one that names only its
    microdistrict is neither moved nor counted: no register places it better."""
    from geoapp.db import make_engine
    from geoapp.ingest.layers import import_layer
    from geoapp.migrate import upgrade

    url = new_database("roughly")
    engine = make_engine(url)
    upgrade(engine)
    layers = write_reference_layers(tmp_path / "layers")
    import_layer(engine, "microdistricts", layers["microdistricts"])
    run_import(engine, write_csv(tmp_path / "export-109.csv", [
        row("R-1"), row("R-2", **{"Адрес": "15 мкр, во дворе"}),
        row("R-3", **{"Адрес": "ул. Толе би, 47"}),
        row("R-4", **{"Адрес": "ул. Неизвестная, 1"})]), tmp_path)
    run_import(engine, write_csv(tmp_path / "eotinish.csv", [
        row("E-1"),
        row("E-2", **{"Адрес": "ул. Толе би, 45А", "Широта": "43.2567", "Долгота": "76.9286"}),
    ]), tmp_path)
    assert stored(engine, "R-2")["geocode_note"] == (
        "no house number in the address; placed inside the microdistrict")
    outside = "coordinates outside the city; the address used instead"
    e2 = stored(engine, "E-2")
    assert (e2["geocode_precision"], e2["row_note"]) == ("none", outside)
    before = {eid: stored(engine, eid) for eid in ("R-1", "R-2", "R-4")}

    proc = run_geoapp("import", "layer", "buildings", str(layers["buildings"]),
                      env={"DATABASE_URL": url})
    assert proc.returncode == 0, proc.stderr
    assert "complaints placed anew by their address: 4 (building 4)" in proc.stdout
    assert ("complaints whose address the register still places short of a building or "
            "not at all: 1, from export-109.csv (1)") in proc.stdout
    r1, e2 = stored(engine, "R-1"), stored(engine, "E-2")
    assert (r1["geocode_precision"], r1["building"], r1["microdistrict"]) == (
        "building", "15 мкр, 7", before["R-1"]["microdistrict"])
    assert (r1["version"], r1["status"]) == (before["R-1"]["version"], before["R-1"]["status"])
    assert (e2["geocode_precision"], e2["building"]) == ("building", "ул. Толе би, 45А")
    assert e2["geocode_note"].startswith(outside + ";") or e2["geocode_note"] == outside
    for eid in ("R-2", "R-4"):  # nothing better known: left as they were
        after = stored(engine, eid)
        assert {k: after[k] for k in ("geocode_precision", "geocode_note", "lon", "updated_at")} \
            == {k: before[eid][k] for k in ("geocode_precision", "geocode_note", "lon",
                                            "updated_at")}
    with engine.connect() as conn:
        assert conn.execute(text("""
            SELECT count(*) FROM complaint_map_points p JOIN complaints c ON c.id = p.id
            WHERE (p.lon, p.lat) IS DISTINCT FROM (ST_X(c.geom)::real, ST_Y(c.geom)::real)
              AND c.geocode_precision <> 'microdistrict'""")).scalar_one() == 0

    again = import_layer(engine, "buildings", layers["buildings"])
    assert again.as_dict()["complaints_relocated"] == 0  # nothing changed: not looked at
    assert again.as_dict()["complaints_placed_roughly"] == 0

    # a parcel named by its cadastral number is placed when the parcels register has it
    run_import(engine, write_csv(tmp_path / "land.csv", [
        row("L-1", **{"Адрес": "мкр. Жайлау, уч. 06:097:001:002"})]), tmp_path)
    l1 = stored(engine, "L-1")
    assert (l1["geocode_precision"], l1["cadastral_number"]) == ("microdistrict", None)
    assert "06:097:001:002 is not in the parcels layer" in l1["geocode_note"]
    parcels = import_layer(engine, "parcels", layers["parcels"])
    assert parcels.complaints_relocated == {"parcel": 1}
    l1 = stored(engine, "L-1")
    assert (l1["geocode_precision"], l1["cadastral_number"]) == ("parcel", "06:097:001:002")
    engine.dispose()


def test_reimport_keeps_what_officials_changed_unless_the_source_changed_it(
        engine: Engine, tmp_path: Path) -> None:
    """The 109 export lags behind the work done in geoapp: a daily re-import of a row
    the source did not change must not put an assigned, in-progress complaint back to
    `received` or take it from its department. A change the source did make still
    lands, with its event."""
    from geoapp.workflow import assign, change_status

    path = write_csv(tmp_path / "day1.csv", [row("K-1"), row("K-2")])
    run_import(engine, path, tmp_path)
    with engine.begin() as conn:
        ticket, version = conn.execute(text(
            "SELECT ticket, version FROM complaints WHERE external_id = 'K-1'")).one()
        conn.execute(text("INSERT INTO departments (name) VALUES ('Отдел ЖКХ')"))
        department = conn.execute(text(
            "SELECT id FROM departments WHERE name = 'Отдел ЖКХ'")).scalar_one()
        assign(conn, ticket, version=version, department_id=department, actor="official")
        change_status(conn, ticket, version=version + 1, new_status="in_progress",
                      actor="official")
        other = conn.execute(text(
            "SELECT ticket FROM complaints WHERE external_id = 'K-2'")).scalar_one()
        change_status(conn, other, version=1, new_status="rejected", actor="official",
                      reason="duplicate")

    again, _ = run_import(engine, path, tmp_path)
    assert (again.updated, again.unchanged) == (0, 2)
    assert stored(engine, "K-1")["status"] == "in_progress"
    with engine.connect() as conn:
        kept = conn.execute(text("""SELECT d.name FROM complaints c
            JOIN departments d ON d.id = c.department_id
            WHERE c.external_id = 'K-1'""")).scalar_one()
    assert kept == "Отдел ЖКХ"

    resolved = write_csv(tmp_path / "day2.csv", [
        row("K-1", **{"Статус": "Исполнено", "Дата исполнения": "20.01.2024 12:00"}),
        row("K-2", **{"Статус": "В работе"})])
    later, _ = run_import(engine, resolved, tmp_path)
    assert (later.updated, later.unchanged) == (2, 0)
    assert stored(engine, "K-1")["status"] == "resolved"
    reopened = stored(engine, "K-2")  # the source's change wins; the reason goes with it
    assert (reopened["status"], reopened["reject_reason"]) == ("in_progress", None)
    with engine.connect() as conn:
        events = conn.execute(text("""
            SELECT e.from_status, e.to_status, e.actor FROM complaint_events e
            JOIN complaints c ON c.id = e.complaint_id
            WHERE c.external_id = 'K-1' ORDER BY e.id""")).all()
        department_after = conn.execute(text(
            "SELECT department_id FROM complaints WHERE external_id = 'K-1'")).scalar_one()
    assert events[-1] == ("in_progress", "resolved", "import")
    assert department_after == department  # the source still names no department


def test_an_export_silent_on_status_or_department_leaves_them_as_they_are(
        engine: Engine, tmp_path: Path) -> None:
    """A narrower export (no status or department column) or an empty cell says
    nothing: a resolved complaint must not go back to `received`, nor lose its
    department."""
    run_import(engine, write_csv(tmp_path / "full.csv", [
        row("S-1", **{"Статус": "Исполнено", "Дата исполнения": "20.01.2024 12:00",
                      "Исполнитель": "ГКП «Жылу»"}),
        row("S-2", **{"Статус": "В работе", "Исполнитель": "ГКП «Жылу»"})]), tmp_path)
    before = {eid: stored(engine, eid) for eid in ("S-1", "S-2")}
    narrow = [h for h in HEADER if h not in ("Статус", "Дата исполнения", "Исполнитель")]
    silent = write_csv(tmp_path / "narrow.csv", [
        [r[HEADER.index(h)] for h in narrow] for r in (row("S-1"), row("S-2"), row("S-3"))],
        header=narrow)
    summary, _ = run_import(engine, silent, tmp_path)
    assert (summary.inserted, summary.updated, summary.unchanged) == (1, 0, 2)
    blank, _ = run_import(engine, write_csv(tmp_path / "blank.csv", [
        row("S-1", **{"Статус": ""}), row("S-2", **{"Статус": " "})]), tmp_path)
    assert (blank.updated, blank.unchanged) == (0, 2)
    for eid, was in before.items():
        now = stored(engine, eid)
        assert (now["status"], now["resolved_at"], now["department_id"]) == (
            was["status"], was["resolved_at"], was["department_id"]) != (
            "received", None, None)
    assert stored(engine, "S-3")["status"] == "received"
    with engine.connect() as conn:
        events = conn.execute(text("""SELECT count(*) FROM complaint_events e
            JOIN complaints c ON c.id = e.complaint_id
            WHERE c.external_id IN ('S-1', 'S-2')""")).scalar_one()
    assert events == 4  # received and the exported status, each; nothing since


def test_a_key_reused_for_another_complaint_is_rejected_not_merged(
        engine: Engine, tmp_path: Path) -> None:
    """A bare `№` column numbers the rows of each day's export: day 2's complaint 1 is
    not day 1's. Counting it as unchanged would lose it without a word."""
    day1 = write_csv(tmp_path / "day1.csv", [
        row("1"), row("2", **{"Текст обращения": "Прорыв трубы во дворе"})])
    run_import(engine, day1, tmp_path)
    day2 = write_csv(tmp_path / "day2.csv", [
        row("1", **{"Дата обращения": "14.01.2024 10:00"}),
        row("2", **{"Текст обращения": "Не вывозят мусор третью неделю"}),
        row("3", **{"Текст обращения": "  прорыв   трубы во дворе", "Дата обращения":
                    "12.01.2024 09:30"})])
    summary, rejected = run_import(engine, day2, tmp_path)
    assert (summary.inserted, summary.updated, summary.unchanged, summary.rejected) == (
        1, 0, 0, 2)
    assert dict(summary.rejected_by_reason) == {"key_taken": 2}
    assert [r[0] for r in rejected] == ["2", "3"]
    assert "received 12.01.2024 09:30" in rejected[0][1]
    assert stored(engine, "2")["text"] == "Прорыв трубы во дворе"
    # The same complaint re-exported with its text re-spaced and re-cased is the same.
    again = write_csv(tmp_path / "again.csv", [
        row("2", **{"Текст обращения": "ПРОРЫВ  трубы во дворе", "Дата обращения":
                    "12.01.2024 09:30"})])
    same, _ = run_import(engine, again, tmp_path)
    assert (same.unchanged, same.rejected) == (1, 0)


def test_a_long_number_excel_rounded_is_refused_not_taken_for_another_key(
        engine: Engine, tmp_path: Path) -> None:
    """Excel shows a 12-digit number as 8,70123E+11 and saves a CSV as it shows it:
    the key's last digits are gone. Taken as a key, it would add the complaint again
    under a number that is not its own, and make its neighbours duplicates."""
    run_import(engine, write_csv(tmp_path / "first.csv", [
        row("870123456789"), row("870123456790", **{"Текст обращения": "Мусор"})]),
        tmp_path)
    resaved, rejected = run_import(engine, write_csv(tmp_path / "resaved.csv", [
        row("8,70123E+11", **{"Телефон": "8,70123E+11"}),
        row("8.70123456790E+11", **{"Текст обращения": "Мусор",
                                    "Телефон": "8.7012345678E+10"})]), tmp_path)
    assert (resaved.inserted, resaved.unchanged, resaved.rejected) == (0, 1, 1)
    assert dict(resaved.rejected_by_reason) == {"bad_external_id": 1}
    assert rejected[0][0] == "2" and "rounded to 6" in rejected[0][1]
    assert "save the column as text" in rejected[0][1]
    with engine.connect() as conn:
        keys = conn.execute(text("SELECT external_id FROM complaints ORDER BY 1")).scalars()
        assert list(keys) == ["870123456789", "870123456790"]
    codes, _ = run_import(engine, write_csv(tmp_path / "codes.csv", [
        row("2E5"), row("1E+3", **{"Телефон": "8.7012345678E+10"})]), tmp_path)
    assert (codes.inserted, codes.rejected) == (2, 0)  # no decimal part: codes, kept
    assert stored(engine, "1E+3")["applicant_phone"] == "+77012345678"


def test_department_names_as_exports_vary_them_are_one_department(
        engine: Engine, tmp_path: Path) -> None:
    """Case, quotes and spacing vary between exports: "ГКП  «ЖЫЛУ»" is the department
    "ГКП «Жылу»", not a new one the complaint moves to."""
    run_import(engine, write_csv(tmp_path / "v1.csv", [
        row("D-1", **{"Исполнитель": "ГКП «Жылу»", "Статус": "В работе"})]), tmp_path)
    again, _ = run_import(engine, write_csv(tmp_path / "v2.csv", [
        row("D-1", **{"Исполнитель": "ГКП  «ЖЫЛУ» ", "Статус": "В работе"}),
        row("D-2", **{"Исполнитель": "гкп жылу"}),
        row("D-3", **{"Исполнитель": "Отдел  ЖКХ"}),
        row("D-4", **{"Исполнитель": "отдел жкх"})]), tmp_path)
    assert (again.inserted, again.updated, again.unchanged) == (3, 0, 1)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM departments ORDER BY name")).scalars()
        by_complaint = dict(conn.execute(text("""SELECT c.external_id, d.name
            FROM complaints c JOIN departments d ON d.id = c.department_id""")).all())
    assert list(names) == ["ГКП «Жылу»", "Отдел ЖКХ"]
    assert by_complaint == {"D-1": "ГКП «Жылу»", "D-2": "ГКП «Жылу»", "D-3": "Отдел ЖКХ",
                            "D-4": "Отдел ЖКХ"}


def test_words_phones_and_times_as_exports_write_them(engine: Engine,
                                                       tmp_path: Path) -> None:
    """eOtinish's statuses, its name in Cyrillic, a phone Excel turned into a float or
    a landline without a city code (kept as typed, so /track still finds it), a time
    of day Excel kept as a fraction, a generic land label refined by the text."""
    header = [*HEADER, "Время обращения"]
    rows = [
        [*row("W-1", **{"Статус": "Қаралуда", "Источник": "ЕОТИНИШ",
                        "Телефон": "87012345678.0"}), ""],
        [*row("W-2", **{"Статус": "На рассмотрении", "Телефон": "43-12-34"}), ""],
        [*row("W-3", **{"Статус": "Исполнен", "Дата исполнения": "20.01.2024 12:00",
                        "Телефон": "8 701 234 56 78, 8 777 123 45 67",
                        "Дата обращения": "12.01.2024"}), "0.4375"],
        [*row("W-4", **{"Статус": "Тіркелген", "Категория": "Земельные вопросы",
                        "Текст обращения": "Сосед самовольно захватил часть общего "
                        "двора и поставил забор"}), ""],
        [*row("W-5", **{"Статус": "Отклонен", "Категория": "Земельные вопросы",
                        "Текст обращения": "Прошу разобраться"}), ""],
    ]
    summary, rejected = run_import(engine, write_csv(tmp_path / "w.csv", rows,
                                                     header=header), tmp_path)
    assert (summary.inserted, rejected) == (5, [])
    got = {eid: stored(engine, eid) for eid in ("W-1", "W-2", "W-3", "W-4", "W-5")}
    assert [got[e]["status"] for e in sorted(got)] == [
        "in_progress", "in_progress", "resolved", "received", "rejected"]
    assert got["W-1"]["source"] == "eotinish"
    assert [got[e]["applicant_phone"] for e in ("W-1", "W-2", "W-3")] == [
        "+77012345678", "43-12-34", "+77012345678"]
    tz = ZoneInfo("Asia/Almaty")
    assert got["W-3"]["received_at"].astimezone(tz).time() == time_of_day(10, 30)
    assert (got["W-4"]["category"], got["W-5"]["category"]) == (
        "land.encroachment", "land.illegal_allocation")
    assert got["W-5"]["category_confidence"] < 1


def test_a_fixed_rejects_file_is_imported_as_it_is(engine: Engine, tmp_path: Path) -> None:
    """The way back for refused rows: fix them in the rejects file and import it; its
    own line and reason columns are neither read as data nor stacked in the next one."""
    path = write_csv(tmp_path / "day.csv", [
        row("F-1"), row("F-2", **{"Дата обращения": "12.13.2024"}),
        row("F-3", **{"Дата обращения": "вчера"})])
    run_import(engine, path, tmp_path)
    rejects = tmp_path / "rejects.csv"
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(rejects.read_text(encoding="utf-8-sig").replace("12.13.2024", "12.12.2024"),
                     encoding="utf-8-sig")
    summary, rejected = run_import(engine, fixed, tmp_path)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert summary.columns_not_read == []
    assert stored(engine, "F-2")["received_at"].isoformat().startswith("2024-12-1")
    header = rejects.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    assert header[:3] == ["line", "reason", "Номер обращения"]
    assert [(r[0], r[2]) for r in rejected] == [("3", "F-3")]  # its line in fixed.csv


def test_import_history_says_what_each_import_did(ingest_db, tmp_path: Path) -> None:
    url, _ = ingest_db
    env = {"DATABASE_URL": url}
    path = write_csv(tmp_path / "night.csv", [row("N-1"), row("N-2", **{"Дата обращения": "x"})])
    assert run_geoapp("import", "complaints", str(path), "--source", "109",
                      env=env).returncode == 0
    assert run_geoapp("import", "complaints", str(path), env=env).returncode == 0
    listed = run_geoapp("import", "history", "--limit", "2", env=env)
    assert listed.returncode == 0, listed.stderr
    newest, before = listed.stdout.splitlines()
    assert re.fullmatch(r"#\d+ \d\d\.\d\d\.\d{4} \d\d:\d\d complaints night\.csv: done "
                        r"in [\d.]+ s; read 2, inserted 0, updated 0, unchanged 1, rejected 1",
                        newest), newest
    assert " complaints 109 night.csv: done" in before and "inserted 1," in before
    as_json = json.loads(run_geoapp("import", "history", "--limit", "1", "--json",
                                    env=env).stdout)
    assert as_json[0]["status"] == "done" and as_json[0]["rejected"] == 1
    assert as_json[0]["file"] == "night.csv" and as_json[0]["seconds"] >= 0


def test_missing_columns_refuse_the_whole_file(ingest_db, tmp_path: Path) -> None:
    url, _ = ingest_db
    path = write_csv(tmp_path / "cols.csv", [["1", "x"]], header=["Номер обращения", "Адрес"])
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "missing required columns", "received_at", "text")


def test_rejects_file_never_overwrites_the_import(ingest_db, tmp_path: Path) -> None:
    url, _ = ingest_db
    path = write_csv(tmp_path / "in.csv", [row("R-1", **{"Дата обращения": "вчера"})])
    before = path.read_bytes()
    proc = run_geoapp("import", "complaints", str(path), "--rejects",
                      str(tmp_path / "." / "in.csv"), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "--rejects", "is the file being imported")
    assert path.read_bytes() == before


def test_unwritable_rejects_path_is_refused_before_anything_lands(ingest_db, tmp_path: Path
                                                                  ) -> None:
    url, engine = ingest_db
    path = write_csv(tmp_path / "in.csv", [row("W-1"), row("W-2", **{"Дата обращения": "вчера"})])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    proc = run_geoapp("import", "complaints", str(path), "--rejects",
                      str(blocker / "rejects.csv"), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "cannot write the rejects file", "rejects.csv")
    with engine.connect() as conn:
        landed = conn.execute(text(
            "SELECT count(*) FROM complaints WHERE external_id LIKE 'W-%'")).scalar_one()
    assert landed == 0


def test_rerun_without_rejects_leaves_no_stale_rejects(ingest_db, tmp_path: Path) -> None:
    url, _ = ingest_db
    rejects = tmp_path / "rejects.csv"
    bad = write_csv(tmp_path / "bad.csv", [row("S-1", **{"Дата обращения": "вчера"})])
    good = write_csv(tmp_path / "good.csv", [row("S-2")])
    for path, expected in ((bad, 1), (good, 0)):
        proc = run_geoapp("import", "complaints", str(path), "--rejects", str(rejects),
                          env={"DATABASE_URL": url})
        assert proc.returncode == 0, proc.stderr
        with rejects.open(encoding="utf-8-sig") as fh:
            lines = list(csv.reader(fh, delimiter=";"))
        assert lines[0][:2] == ["line", "reason"]
        assert len(lines) - 1 == expected


def test_a_directory_is_not_an_export(ingest_db, tmp_path: Path) -> None:
    url, _ = ingest_db
    proc = run_geoapp("import", "complaints", str(tmp_path), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "is a directory")


def test_workbook_saved_under_csv_name_is_named_as_such(ingest_db, tmp_path: Path) -> None:
    url, _ = ingest_db
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.save(tmp_path / "export.csv")
    proc = run_geoapp("import", "complaints", str(tmp_path / "export.csv"),
                      env={"DATABASE_URL": url})
    assert_one_line_error(proc, "export.csv is a ZIP archive", ".xlsx")


@pytest.mark.parametrize(("content", "words"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ("a PNG image",)),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", ("a PDF document", "CSV or XLSX")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), ("Excel 97-2003", "name it .xls")),
    (bytes(range(256)) * 16, ("binary data, not text",)),
])
def test_a_file_that_is_not_text_is_named_as_such(ingest_db, tmp_path: Path, content: bytes,
                                                   words: tuple[str, ...]) -> None:
    url, _ = ingest_db
    (tmp_path / "export.csv").write_bytes(content)
    proc = run_geoapp("import", "complaints", str(tmp_path / "export.csv"),
                      env={"DATABASE_URL": url})
    assert_one_line_error(proc, "export.csv is", *words)


def test_empty_file_and_header_only(ingest_db, tmp_path: Path) -> None:
    url, _ = ingest_db
    for content in (b"", b"\xff\xfe"):  # nothing; a UTF-16 byte-order mark alone
        empty = tmp_path / "empty.csv"
        empty.write_bytes(content)
        assert_one_line_error(run_geoapp("import", "complaints", str(empty),
                                         env={"DATABASE_URL": url}), "empty.csv is empty")
    header_only = write_csv(tmp_path / "header.csv", [])
    proc = run_geoapp("import", "complaints", str(header_only), "--json",
                      env={"DATABASE_URL": url})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["read"] == 0


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


def test_the_time_of_day_in_its_own_column(engine: Engine, tmp_path: Path) -> None:
    """Exports that keep the time apart from the date; in a workbook both are typed
    cells (a time-only cell stopped the whole import with an internal error)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Номер обращения", "Дата обращения", "Время обращения", "Текст обращения",
                  "Источник"])
    sheet.append(["V-1", date(2024, 1, 12), time_of_day(9, 30), "Нет отопления", "109"])
    sheet.append(["V-2", "12.01.2024", "9.45", "Нет отопления", "109"])
    sheet.append(["V-3", "12.01.2024 10:00", "10:00", "Нет отопления", "109"])
    sheet.append(["V-4", "12.01.2024", "25:10", "Нет отопления", "109"])
    sheet.append(["V-5", "12.01.2024 10:00", "11:00", "Нет отопления", "109"])
    path = tmp_path / "split.xlsx"
    book.save(path)
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 3 and summary.columns_not_read == []
    assert {r[2]: r[1] for r in rejected} == {
        "V-4": "received_at: unparseable time '25:10'",
        "V-5": "received_at: the date says 10:00 and the time column '11:00'"}
    tz = ZoneInfo("Asia/Almaty")
    local = {eid: stored(engine, eid)["received_at"].astimezone(tz).strftime("%d.%m %H:%M")
             for eid in ("V-1", "V-2", "V-3")}
    assert local == {"V-1": "12.01 09:30", "V-2": "12.01 09:45", "V-3": "12.01 10:00"}


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
    assert rejected[0][0] == "2" and rejected[0][3] == "=DATE(2024,1,12)"
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


def test_geojson_complaints(engine: Engine, tmp_path: Path) -> None:
    data = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [71.3851, 42.9031]},
        "properties": {"id": "G-1", "received_at": "2024-02-01 08:00", "text": "Жарық жоқ",
                       "source": "web"}}]}
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False))
    summary, _ = run_import(engine, path, tmp_path)
    assert summary.inserted == 1
    stored_row = stored(engine, "G-1")
    assert stored_row["microdistrict"] == "мкр. Жайлау" and stored_row["language"] == "kk"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "kz1048", "cp1251"])
def test_geojson_not_in_plain_utf8_is_read(engine: Engine, tmp_path: Path,
                                           encoding: str) -> None:
    """JSON must be UTF-8, without a BOM; Notepad adds one, older tools save CP1251.
    The Cyrillic sits past the first megabyte, where a sample would not see it."""
    padding = [{"type": "Feature", "geometry": None,
                "properties": {"id": f"P-{n}", "received_at": "2024-02-01 08:00",
                               "text": "x" * 1000, "source": "web"}} for n in range(1100)]
    text_ = "Жарық жоқ" if encoding != "cp1251" else "Нет света в подъезде"
    data = {"type": "FeatureCollection", "features": [*padding, {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [71.3851, 42.9031]},
        "properties": {"id": f"G-{encoding}", "received_at": "2024-02-01 08:00",
                       "text": text_, "source": "web"}}]}
    path = tmp_path / "c.geojson"
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode(encoding))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.read, rejected) == (1101, [])
    assert stored(engine, f"G-{encoding}")["text"] == text_


def test_geojson_in_another_crs_is_reprojected(engine: Engine, tmp_path: Path) -> None:
    """An old-style `crs` member (here UTM 42N, the city's metric zone) is honoured:
    the points arrive in lon/lat, not refused and not misread."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 32642, always_xy=True).transform(71.3851, 42.9031)
    data = {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32642"}},
            "features": [{"type": "Feature",
                          "geometry": {"type": "Point", "coordinates": [x, y]},
                          "properties": {"id": "U-1", "received_at": "2024-02-01 08:00",
                                         "text": "Жарық жоқ", "source": "web"}}]}
    path = tmp_path / "utm.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (1, [])
    row = stored(engine, "U-1")
    assert row["geocode_precision"] == "coordinates" and row["microdistrict"] == "мкр. Жайлау"
    assert abs(row["lon"] - 71.3851) < 1e-7 and abs(row["lat"] - 42.9031) < 1e-7


def _feature(eid: str, lon: float = 71.3851, lat: float = 42.9031, **props: object) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": eid, "received_at": "2024-02-01 08:00",
                           "text": "Жарық жоқ", "source": "web", **props}}


def test_geojson_keeps_good_features_beside_broken_ones(engine: Engine, tmp_path: Path
                                                         ) -> None:
    """Properties named only by a later feature still count; a feature with broken
    members is rejected with its number and the rest lands."""
    data = {"features": [
        _feature("G-1"),
        {"type": "Feature", "geometry": "nowhere", "properties": ["not", "an", "object"]},
        _feature("G-3", lon=42.9031, lat=71.3851, address="мкр. Жайлау, 7"),
        "not a feature",
    ], "type": "FeatureCollection"}  # "type" after the features: still found
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.read, summary.inserted, summary.rejected) == (4, 2, 2)
    assert [r[0] for r in rejected] == ["2", "4"] and all("external_id" in r[1]
                                                          for r in rejected)
    assert stored(engine, "G-3")["geocode_note"] == "latitude and longitude were swapped; fixed"


def test_geojson_areas_and_lines_are_placed_inside(engine: Engine, tmp_path: Path) -> None:
    """A complaint drawn on a web form as an area or a line lands at a point inside it,
    with a note; a geometry that cannot be read leaves the row to its address."""
    square = [[[71.3850, 42.9030], [71.3852, 42.9030], [71.3852, 42.9032],
               [71.3850, 42.9032], [71.3850, 42.9030]]]
    data = {"type": "FeatureCollection", "features": [
        {**_feature("A-1"), "geometry": {"type": "Polygon", "coordinates": square}},
        {**_feature("A-2"), "geometry": {"type": "LineString",
                                         "coordinates": [[71.3850, 42.9030], [71.3852, 42.9032]]}},
        {**_feature("A-3", address="15 мкр, д. 7"),
         "geometry": {"type": "Polygon", "coordinates": "broken"}},
    ]}
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (3, [])
    for eid, kind in (("A-1", "Polygon"), ("A-2", "LineString")):
        placed = stored(engine, eid)
        assert placed["geocode_precision"] == "coordinates"
        assert placed["geocode_note"] == f"a {kind}: placed at a point inside it"
        assert 71.3850 <= placed["lon"] <= 71.3852 and 42.9030 <= placed["lat"] <= 42.9032
    by_address = stored(engine, "A-3")
    assert by_address["geocode_precision"] == "building"
    assert by_address["geocode_note"] == "Polygon geometry cannot be read; ignored"


@pytest.mark.parametrize(("content", "words"), [
    ('{"type": "FeatureCollection", "features": [', ("not valid json",)),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
     '{"text": "a"}}, }', ("not valid json",)),
    ('{"type": "Feature", "properties": {}}', ("not a geojson featurecollection",)),
    ('[1, 2, 3]', ("not a geojson featurecollection",)),
    ('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
     '"urn:ogc:def:crs:EPSG::99999"}}, "features": []}', ("99999", "crs that is not known")),
])
def test_geojson_refused_whole_with_one_line(ingest_db, tmp_path: Path,
                                             content: str | bytes,
                                             words: tuple[str, ...]) -> None:
    url, _ = ingest_db
    path = tmp_path / "c.geojson"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": url})
    assert_one_line_error(proc, *words)


def test_geojson_streams_one_feature_at_a_time(tmp_path: Path) -> None:
    """Reading a GeoJSON export holds one feature, not the file: the peak of Python
    allocations stays a small fraction of the file's size."""
    import tracemalloc

    from geoapp.ingest.readers import open_table

    path = tmp_path / "many.geojson"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "features": [')
        fh.write(",".join(json.dumps(_feature(f"S-{i}", address=f"ул. Абая, {i}"),
                                     ensure_ascii=False) for i in range(30_000)))
        fh.write("]}")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        rows = sum(1 for _ in open_table(path).rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 30_000
    assert peak < size / 8, f"peak {peak / 2**20:.1f} MB for a {size / 2**20:.1f} MB file"


def test_long_file_streams_in_bounded_memory(ingest_db, tmp_path: Path) -> None:
    """About 200 MB of long complaints: memory stays far below the file's size."""
    url, engine = ingest_db
    without_complaints(engine)
    body = "Во дворе дома не вывозят мусор, контейнеры переполнены. " * 340  # ~19 KB
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        for i in range(6_400):
            writer.writerow(row(f"L-{i}", **{"Текст обращения": body}))
    assert path.stat().st_size > 200 * 1024 * 1024
    script = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = subprocess.run(["python3", "-c", script, GEOAPP, "import", "complaints",
                           str(path), "--json"], capture_output=True, text=True,
                          env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=600)
    lines = proc.stdout.strip().splitlines()
    peak_mb = int(lines[-1]) / 1024
    summary = json.loads("\n".join(lines[:-1]))
    assert summary["inserted"] == 6_400
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB for a 200 MB file"


def test_the_summary_names_complaints_known_only_to_their_microdistrict(
        ingest_db, tmp_path: Path) -> None:
    url, engine = ingest_db
    without_complaints(engine)
    path = write_csv(tmp_path / "areas.csv", [
        row("MD-1", **{"Адрес": "15 мкр"}), row("MD-2", **{"Адрес": "15-й микрорайон"}),
        row("MD-3")])
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": url})
    assert proc.returncode == 0, proc.stderr
    assert "located by: microdistrict 2, building 1" in proc.stdout
    assert ("known only to their microdistrict: 2 (counted per microdistrict, not drawn "
            "as points)") in proc.stdout
    with engine.connect() as conn:
        drawn = conn.execute(text(
            "SELECT c.external_id, p.lon IS NOT NULL, p.microdistrict_id IS NOT NULL "
            "FROM complaints c JOIN complaint_map_points p USING (id) ORDER BY 1")).all()
    assert [tuple(r) for r in drawn] == [("MD-1", False, True), ("MD-2", False, True),
                                         ("MD-3", True, True)]


def test_interrupt_leaves_whole_batches_only(ingest_db, tmp_path: Path) -> None:
    url, engine = ingest_db
    without_complaints(engine)
    path = write_csv(tmp_path / "many.csv", [row(f"I-{i}") for i in range(400_000)])
    proc = subprocess.Popen([GEOAPP, "import", "complaints", str(path), "--json"],
                            env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin",
                                 "GEOAPP_IMPORT_BATCH_ROWS": "2000"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=interruptible)
    deadline = time.monotonic() + 120
    landed = 0
    while time.monotonic() < deadline and landed < 4_000:
        time.sleep(0.2)
        with engine.connect() as conn:
            landed = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    summary = json.loads(out)
    assert summary["interrupted"] is True
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
        events = conn.execute(text("SELECT count(*) FROM complaint_events")).scalar_one()
    assert count == summary["inserted"] == summary["batches_committed"] * 2000
    assert events == count
    assert count < 400_000


def test_a_sources_own_labels_map_through_a_labels_file(ingest_db, tmp_path: Path) -> None:
    """Labels geoapp does not know are classified from the text and listed in the
    summary; a --labels file (CSV or TOML) maps them without touching geoapp."""
    url, engine = ingest_db
    without_complaints(engine)  # another test's L-1 would make these rows its copies
    path = write_csv(tmp_path / "in.csv", [
        row("L-1", **{"Категория": "Кот. 14 / тепло", "Текст обращения": "Прошу принять меры"}),
        row("L-2", **{"Категория": "Кот. 14 / тепло", "Текст обращения": "Разберитесь"}),
        row("L-3", **{"Категория": "Отопление"})])
    proc = run_geoapp("import", "complaints", str(path), "--json", env={"DATABASE_URL": url})
    summary = json.loads(proc.stdout)
    assert summary["unmapped_category_labels"] == {"Кот. 14 / тепло": 2}
    assert summary["classified_from_text"] == 2
    assert summary["classified_as_other_for_want_of_a_keyword"] == 2
    without_complaints(engine)

    mapping = tmp_path / "labels.csv"
    mapping.write_text("Метка;Код\nкот. 14/ТЕПЛО;housing_utilities.heating\n", encoding="utf-8")
    toml = tmp_path / "labels.toml"
    toml.write_text('[labels]\n"Кот. 14 / тепло" = "housing_utilities.heating"\n',
                    encoding="utf-8")
    for labels in (mapping, toml):
        proc = run_geoapp("import", "complaints", str(path), "--labels", str(labels),
                          env={"DATABASE_URL": url})
        assert proc.returncode == 0, proc.stderr
        assert "not in the mapping" not in proc.stdout
        for eid in ("L-1", "L-2"):
            stored_row = stored(engine, eid)
            assert stored_row["category"] == "housing_utilities.heating"
            assert stored_row["category_confidence"] == 1.0


def test_a_reports_total_lines_are_left_out_not_rejected(ingest_db, tmp_path: Path) -> None:
    """1C and case systems end a report with "Итого"; a row with no text that opens
    with such a word is no complaint. A complaint whose text starts so still lands."""
    url, engine = ingest_db
    without_complaints(engine)
    path = write_csv(tmp_path / "report.csv", [
        row("T-1"), row("T-2", **{"Текст обращения": "Всего два дня было отопление"}),
        ["Итого: 2", *[""] * (len(HEADER) - 1)],
        ["", "", "", "", "", "", "", "", "", "", "Всего обращений", "", "2"],
        row("T-3", **{"Текст обращения": ""})])
    proc = run_geoapp("import", "complaints", str(path), "--json", env={"DATABASE_URL": url})
    summary = json.loads(proc.stdout)
    assert (summary["read"], summary["inserted"], summary["rejected"]) == (5, 2, 1)
    assert summary["rejected_by_reason"] == {"missing_text": 1}
    assert summary["total_rows_left_out"] == 2
    without_complaints(engine)
    printed = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": url})
    assert "a report's total lines left out (Итого, Всего): 2" in printed.stdout


def test_a_zipped_export_is_read_and_recorded_under_both_names(ingest_db, tmp_path: Path
                                                                ) -> None:
    """A large export goes by mail zipped; Windows' zip stores a Cyrillic name in CP866
    without saying so. A zip of several exports, or of none, is refused by name."""
    url, engine = ingest_db
    without_complaints(engine)
    export = write_csv(tmp_path / "export.csv", [row("Z-1"), row("Z-2")])
    packed = tmp_path / "Выгрузка.zip"
    windows_name = "Обращения 109.csv".encode("cp866")  # no UTF-8 flag: as Windows writes
    placeholder = b"N" * len(windows_name)
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(placeholder.decode(), export.read_bytes())
        archive.writestr("__MACOSX/._Обращения 109.csv", b"\0\5\22")
    packed.write_bytes(packed.read_bytes().replace(placeholder, windows_name))
    proc = run_geoapp("import", "complaints", str(packed), "--json", env={"DATABASE_URL": url})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["inserted"] == 2
    listed = run_geoapp("import", "history", "--limit", "1", env={"DATABASE_URL": url})
    assert "complaints Выгрузка.zip/Обращения 109.csv: done" in listed.stdout

    several = tmp_path / "two.zip"
    with zipfile.ZipFile(several, "w") as archive:
        archive.write(export, "a.csv")
        archive.write(export, "b.xlsx")
    assert_one_line_error(run_geoapp("import", "complaints", str(several),
                                     env={"DATABASE_URL": url}),
                          "two.zip holds 2 exports (a.csv, b.xlsx)", "one by one")
    none = tmp_path / "photos.zip"
    with zipfile.ZipFile(none, "w") as archive:
        archive.writestr("scan.jpg", b"\xff\xd8\xff")
    assert_one_line_error(run_geoapp("import", "complaints", str(none),
                                     env={"DATABASE_URL": url}),
                          "photos.zip holds no complaints export")


def test_the_summary_counts_rows_categorised_from_their_text(ingest_db, tmp_path: Path
                                                             ) -> None:
    """Those with no keyword of any category apart: they are `other` for want of a
    reading, where a per-category count may be short. A row left out as a duplicate
    is not counted."""
    url, engine = ingest_db
    without_complaints(engine)
    path = write_csv(tmp_path / "in.csv", [
        row("C-1"),                                                  # heating by its text
        row("C-2", **{"Текст обращения": "Прошу разобраться"}),      # no keyword
        row("C-2", **{"Текст обращения": "Прошу разобраться"}),      # the same id again
        row("C-3", **{"Категория": "Отопление", "Текст обращения": "Прошу разобраться"})])
    proc = run_geoapp("import", "complaints", str(path), "--json", env={"DATABASE_URL": url})
    summary = json.loads(proc.stdout)
    assert (summary["inserted"], summary["rejected"]) == (3, 1)
    assert summary["classified_from_text"] == 2
    assert summary["classified_as_other_for_want_of_a_keyword"] == 1
    assert stored(engine, "C-2")["category"] == "other"
    without_complaints(engine)
    proc = run_geoapp("import", "complaints", str(path), env={"DATABASE_URL": url})
    assert ("categorised from the text (no usable category in the row): 2, of them 1 "
            "with no keyword of any category, filed as «other»") in proc.stdout


def test_a_sources_own_statuses_and_channels_map_through_the_labels_file(engine: Engine,
                                                                 tmp_path: Path) -> None:
    """A status word geoapp does not know rejects its row, saying how to map it; the
    labels file maps statuses beside categories (the code tells which is which)."""
    path = write_csv(tmp_path / "in.csv", [
        row("S-1", **{"Статус": "Снято с контроля", "Категория": "Кот. 14 / тепло"}),
        row("S-2", **{"Статус": "На доработке"}),
        row("S-3", **{"Статус": "В работе"}),
        row("S-4", **{"Источник": "Колл-центр акимата"})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 1
    assert {r[0]: r[1] for r in rejected} == {
        "2": "unknown status 'Снято с контроля' (map it with --labels)",
        "3": "unknown status 'На доработке' (map it with --labels)",
        "5": "unknown source 'Колл-центр акимата' (map it with --labels)"}
    assert summary.rejected_by_reason == {"bad_status": 2, "bad_source": 1}

    csv_labels = tmp_path / "labels.csv"
    csv_labels.write_text("Метка;Код\nснято  с контроля;resolved\n"
                          "Кот. 14 / тепло;housing_utilities.heating\n"
                          "На доработке;in_progress\n"
                          "Колл-центр акимата;109\n", encoding="utf-8")
    toml_labels = tmp_path / "labels.toml"
    toml_labels.write_text('[labels]\n"Кот. 14 / тепло" = "housing_utilities.heating"\n'
                           '[statuses]\n"Снято с контроля" = "resolved"\n'
                           '"на доработке" = "in_progress"\n'
                           '[sources]\n"колл-центр акимата" = "109"\n', encoding="utf-8")
    for labels in (csv_labels, toml_labels):
        without_complaints(engine)
        summary, rejected = run_import(engine, path, tmp_path, labels_path=labels)
        assert (summary.inserted, rejected) == (4, []), labels.name
        assert stored(engine, "S-4")["source"] == "109"
        assert stored(engine, "S-1")["status"] == "resolved"
        assert stored(engine, "S-1")["category"] == "housing_utilities.heating"
        assert stored(engine, "S-2")["status"] == "in_progress"
        assert stored(engine, "S-3")["status"] == "in_progress"


def test_dates_with_the_year_word(engine: Engine, tmp_path: Path) -> None:
    """Russian and Kazakh documents write the year with its abbreviation."""
    path = write_csv(tmp_path / "in.csv", [
        row("Y-1", **{"Дата обращения": "12.01.2024 г."}),
        row("Y-2", **{"Дата обращения": "12.01.2024г. 09:30"}),
        row("Y-3", **{"Дата обращения": "12.01.2024 ж., 09:30",
                      "Дата исполнения": "15.01.2024 г."}),
        row("Y-4", **{"Дата обращения": "12.01.24 г."}),
        row("Y-5", **{"Дата обращения": "12/01/24 г."})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 4
    assert [r[:2] for r in rejected] == [["6", "received_at: unparseable date '12/01/24 г.'"]]
    assert stored(engine, "Y-4")["received_at"].isoformat().startswith("2024-01-11T18:00:00")
    assert stored(engine, "Y-1")["received_at"].isoformat().startswith("2024-01-11T18:00:00")
    for eid in ("Y-2", "Y-3"):
        assert stored(engine, eid)["received_at"].isoformat().startswith("2024-01-12T03:30")
    assert stored(engine, "Y-3")["resolved_at"].isoformat().startswith("2024-01-14T18:00")


def test_headers_with_the_words_exports_add(engine: Engine, tmp_path: Path) -> None:
    """"Статус обращения", "Широта (WGS 84)", "Дата и время обращения": the field's
    name with words that do not change it. Columns no field takes are reported, not
    dropped in silence; the applicant's own address is not the problem's place."""
    header = ["№ п/п", "Номер обращения", "Дата и время обращения", "Текст обращения заявителя",
              "Адрес заявителя", "Адрес обращения", "Широта (WGS 84)", "Долгота, °",
              "Статус обращения", "Дата и время исполнения", "Ответственный исполнитель",
              "ФИО заявителя", "Контактный телефон", "Примечание"]
    cells = ["1", "H-1", "12.01.2024 09:30", "Нет отопления", "ул. Абая, 1",
             "15 мкр, д. 7", "42,9021", "71,3721", "Исполнено", "14.01.2024 10:00",
             "ГКП «Жылу»", "Иванов Иван", "8 701 123 45 67", "срочно"]
    path = write_csv(tmp_path / "h.csv", [cells], header=header)
    summary, rejected = run_import(engine, path, tmp_path, default_source="109")
    assert (summary.inserted, rejected) == (1, [])
    assert summary.columns_not_read == ["№ п/п", "Адрес заявителя", "Примечание"]
    landed = stored(engine, "H-1")
    assert (landed["address"], landed["status"]) == ("15 мкр, д. 7", "resolved")
    assert (round(landed["lat"], 4), round(landed["lon"], 4)) == (42.9021, 71.3721)
    assert landed["resolved_at"] is not None and landed["department_id"] is not None
    assert (landed["applicant_name"], landed["applicant_phone"]) == ("Иванов Иван",
                                                                     "+77011234567")


def test_a_point_in_one_column(engine: Engine, tmp_path: Path) -> None:
    """Exports that keep the point as a map service copies it, in one "Координаты"
    cell; a cell that is not a point is noted and the row located by its address."""
    header = [h for h in HEADER if h not in ("Широта", "Долгота")] + ["Координаты"]
    rows = [[*(v for h, v in zip(HEADER, row(eid), strict=True)
               if h not in ("Широта", "Долгота")), point]
            for eid, point in (("P-1", "42,9021, 71,3721"), ("P-2", "POINT(71.3721 42.9021)"),
                               ("P-3", "71.3721 42.9021"), ("P-4", "у рынка"),
                               ("P-5", "42°54'07.6\"N 71°22'19.6\"E"),
                               ("P-6", "71°22'19.6\" в.д., 42°54'07.6\" с.ш."))]
    summary, rejected = run_import(engine, write_csv(tmp_path / "p.csv", rows, header=header),
                                   tmp_path)
    assert (summary.inserted, rejected) == (6, [])
    assert stored(engine, "P-6")["geocode_note"] is None  # its hemispheres said which is which
    for eid in ("P-1", "P-2", "P-3", "P-5", "P-6"):
        placed = stored(engine, eid)
        assert placed["geocode_precision"] == "coordinates", eid
        assert (round(placed["lat"], 4), round(placed["lon"], 4)) == (42.9021, 71.3721)
    assert "swapped" in stored(engine, "P-3")["geocode_note"]
    by_address = stored(engine, "P-4")
    assert by_address["geocode_precision"] == "building"
    assert "not a point" in by_address["geocode_note"]


def test_latitude_and_longitude_in_degrees_and_minutes(engine: Engine, tmp_path: Path
                                                        ) -> None:
    """As a GPS unit or a surveyor writes them; a cell that is neither a number nor
    degrees is noted and the row located by its address."""
    path = write_csv(tmp_path / "dms.csv", [
        row("D-1", **{"Широта": "42°54'07.6\"", "Долгота": "71°22'19.6\""}),
        row("D-2", **{"Широта": "42° 54,126′ с.ш.", "Долгота": "71° 22,327′ в.д."}),
        row("D-3", **{"Широта": "N 42.9021°", "Долгота": "E 71.3721°"}),
        row("D-4", **{"Широта": "42°74'", "Долгота": "71°22'"})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (4, [])
    for eid in ("D-1", "D-2", "D-3"):
        placed = stored(engine, eid)
        assert placed["geocode_precision"] == "coordinates", eid
        assert (round(placed["lat"], 4), round(placed["lon"], 4)) == (42.9021, 71.3721), eid
    wrong = stored(engine, "D-4")
    assert wrong["geocode_precision"] == "building"
    assert "not degrees, minutes and seconds: \"42°74'\"" in wrong["geocode_note"]


@pytest.mark.parametrize(("written", "local"), [
    ("12-01-2024", "2024-01-12 00:00"),
    ("12.01.2024, 09:30", "2024-01-12 09:30"),
    ("12.01.2024 09.30", "2024-01-12 09:30"),
    ("12.01.2024 09:30:15.000", "2024-01-12 09:30"),     # 1C's fraction of a second
    ("12 января 2024 г.", "2024-01-12 00:00"),
    ("12 янв. 2024, 09:30", "2024-01-12 09:30"),
    ("5 мая 2024", "2024-05-05 00:00"),
    ("5 марта 2024", "2024-03-05 00:00"),
    ("12 қаңтар 2024 ж.", "2024-01-12 00:00"),
    ("12 мамыр 2024", "2024-05-12 00:00"),
    ("12.01.24", "2024-01-12 00:00"),                   # a short date format's CSV
    ("12.01.24 9:30", "2024-01-12 09:30"),
    ("45303", "2024-01-12 00:00"),                      # Excel's number for the date
    ("45303,395833", "2024-01-12 09:30"),
    ("45303.3958333333", "2024-01-12 09:30"),
])
def test_dates_as_other_exports_and_typists_write_them(written: str, local: str) -> None:
    tz = ZoneInfo("Asia/Almaty")
    assert parse_datetime(written, tz).astimezone(tz).strftime("%Y-%m-%d %H:%M") == local


def test_a_placeholder_date_is_rejected(engine: Engine, tmp_path: Path) -> None:
    """An empty date exported as day zero would put a complaint in 1900 and skew every
    statistic by period."""
    path = write_csv(tmp_path / "zero.csv", [
        row("Z-1", **{"Дата обращения": "01.01.1900"}),
        row("Z-2", **{"Дата обращения": "01.01.1970 00:00"}),
        row("Z-3", **{"Дата обращения": "03.01.2000"})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 1
    assert [(r[2], r[1]) for r in rejected] == [
        ("Z-1", "received_at '01.01.1900' is before 2000: an empty date's placeholder "
                "(01.01.1900, 01.01.1970)?"),
        ("Z-2", "received_at '01.01.1970 00:00' is before 2000: an empty date's placeholder "
                "(01.01.1900, 01.01.1970)?")]


@pytest.mark.parametrize("written", [
    "12.01/2024", "31 ноября 2024", "12 бла 2024", "01/12/2024 9:30 PM", "12/01/24",
    "12-01-24", "24.01", "12.01.2", "2024", "12024", "453031"])
def test_dates_that_would_be_guesses_are_refused(written: str) -> None:
    with pytest.raises(ValueError, match="unparseable date"):
        parse_datetime(written, ZoneInfo("Asia/Almaty"))


def test_a_two_digit_year_is_this_century_and_never_the_future(engine: Engine,
                                                                tmp_path: Path) -> None:
    path = write_csv(tmp_path / "short_years.csv", [
        row("Y-1", **{"Дата обращения": "12.01.24 09:30", "Дата исполнения": "15.01.24"}),
        row("Y-2", **{"Дата обращения": "12.01.99"})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert [(r[2], r[1]) for r in rejected] == [
        ("Y-2", "received_at '12.01.99' is in the future")]
    with engine.connect() as conn:
        received, resolved = conn.execute(text("""
            SELECT to_char(received_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD HH24:MI'),
                   to_char(resolved_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD')
            FROM complaints WHERE external_id = 'Y-1'""")).one()
    assert (received, resolved) == ("2024-01-12 09:30", "2024-01-15")


@pytest.mark.parametrize(("content", "name", "words"), [
    ("Кот. 14 / тепло;heating\n", "labels.csv", ("line 1", "'heating'", "not a taxonomy code")),
    ("just one column\n", "labels.csv", ("a label and a code",)),
    ('[labels]\n"Тепло" = "housing_utilities.warmth"\n', "labels.toml",
     ("'Тепло'", "not a taxonomy code")),
    ("[labels\n", "labels.toml", ("not valid toml",)),
    ("Снято;closed\n", "labels.csv", ("'closed'", "not a taxonomy code, a status or a source")),
    ('[statuses]\n"Тепло" = "housing_utilities.heating"\n', "labels.toml",
     ("[statuses] 'Тепло'", "not a status")),
    ('[labels]\n"Снято" = "resolved"\n', "labels.toml", ("'Снято'", "not a taxonomy code")),
    ('[other]\n"a" = "b"\n', "labels.toml", ("no [labels], [statuses] or [sources] table",)),
    ('[sources]\n"Сайт акимата" = "site"\n', "labels.toml", ("'site'", "not a source")),
])
def test_a_bad_labels_file_refuses_the_import(ingest_db, tmp_path: Path, content: str,
                                              name: str, words: tuple[str, ...]) -> None:
    url, engine = ingest_db
    path = write_csv(tmp_path / "in.csv", [row("B-1")])
    labels = tmp_path / name
    labels.write_text(content, encoding="utf-8")
    proc = run_geoapp("import", "complaints", str(path), "--labels", str(labels),
                      env={"DATABASE_URL": url})
    assert_one_line_error(proc, *words)
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT count(*) FROM complaints WHERE external_id = 'B-1'")).scalar_one() == 0


def test_approximate_locations_say_where_they_were_placed(engine: Engine, tmp_path: Path
                                                          ) -> None:
    """An official checking a point sees which register address it stands on when
    that is not exactly the one typed."""
    path = write_csv(tmp_path / "in.csv", [
        row("N-1", **{"Адрес": "ул. Толе би, д. 52"}),
        row("N-2", **{"Адрес": "ул. Толле би 47"}),
        row("N-3", **{"Адрес": "ул. Толе би 47"}),
        row("N-4", **{"Адрес": "мкр. Жайлау"}),
        # Толе би's houses stand in Жайлау, 240 m from "мкр. Жайлау, 12"
        row("N-5", **{"Адрес": "мкр. Жайлау, ул. Толе би"})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (5, [])
    street = stored(engine, "N-1")
    assert street["geocode_precision"] == "street" and street["building"] is None
    assert street["geocode_note"] == ("house not in the register; placed at the "
                                      "nearest-numbered house, ул. Толе би, 47")
    fuzzy = stored(engine, "N-2")
    assert (fuzzy["geocode_precision"], fuzzy["building"]) == ("building", "ул. Толе би, 47")
    assert fuzzy["geocode_note"].startswith("address matched approximately (")
    assert fuzzy["geocode_note"].endswith("): ул. Толе би, 47")
    assert stored(engine, "N-3")["geocode_note"] is None
    district = stored(engine, "N-4")
    assert (district["geocode_precision"], district["microdistrict"]) == (
        "microdistrict", "мкр. Жайлау")
    assert district["geocode_note"] == ("no house number in the address; placed inside "
                                        "the microdistrict")
    on_street = stored(engine, "N-5")
    assert (on_street["geocode_precision"], on_street["microdistrict"]) == (
        "street", "мкр. Жайлау")
    assert on_street["geocode_note"] == (
        "no house number in the address; placed at the middle-numbered house of this "
        "street within мкр. Жайлау, ул. Толе би, 45А")


def test_nearest_building_search_reaches_30_m_at_any_latitude(engine: Engine) -> None:
    """The index's box is sized by latitude: at 60°N a degree of longitude is half
    as long as at the equator, and a building 28 m east is still found."""
    from geoapp.ingest.places import PlaceFinder, PlaceQuery

    lon_east = 10.0 + 28 / (111_320 * 0.5)  # 28 m east of (10, 60) on the sphere
    with engine.begin() as conn:
        building_id = conn.execute(text("""
            INSERT INTO buildings (address, geom)
            VALUES ('test, north', ST_SetSRID(ST_MakePoint(10, 60), 4326)) RETURNING id
        """)).scalar_one()
    try:
        with engine.connect() as conn:
            places = PlaceFinder(conn).find([PlaceQuery(lon_east, 60.0, None, None, True),
                                             PlaceQuery(lon_east * 1.0001, 60.0, None, None,
                                                        True)])
        assert places[0].building_id == building_id
        assert places[1].building_id is None  # ≈ 84 m away
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM buildings WHERE id = :id"), {"id": building_id})


def test_excel_separator_hint_line(engine: Engine, tmp_path: Path) -> None:
    """Excel writes (and reads) a "sep=;" line above the header; it names the
    delimiter, and line numbers still count it."""
    path = tmp_path / "excel.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write("sep=,\r\n")
        writer = csv.writer(fh, delimiter=",")
        writer.writerow(HEADER)
        writer.writerow(row("E-1", **{"Текст обращения": "Нет отопления; батареи холодные"}))
        writer.writerow(row("E-2", **{"Дата обращения": "вчера"}))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert rejected[0][:2] == ["4", "received_at: unparseable date 'вчера'"]
    assert stored(engine, "E-1")["text"] == "Нет отопления; батареи холодные"


def test_a_row_counter_column_never_stands_for_the_complaint_number(engine: Engine,
                                                                    tmp_path: Path) -> None:
    """Exports often start with "№", the row's position in this file; the complaint's
    own number, when a column names it, is the key, wherever that column stands."""
    header = ["№", *HEADER]
    path = write_csv(tmp_path / "in.csv", [["1", *row("K-77")], ["2", *row("K-78")]],
                     header=header)
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (2, [])
    assert stored(engine, "K-77")["external_id"] == "K-77"
    only_counter = write_csv(tmp_path / "only.csv", [["K-79", "12.01.2024 09:30", "Нет света"]],
                             header=["№", "Дата", "Текст"])
    summary, rejected = run_import(engine, only_counter, tmp_path, default_source="109")
    assert (summary.inserted, rejected) == (1, [])


def test_complaints_follow_a_changed_reference_layer(new_database, tmp_path: Path) -> None:
    """A new parcel register, a moved microdistrict boundary or a new building
    re-places the complaints already imported; the same file again changes nothing."""
    url = new_database("reassign")
    engine = migrated_with_layers(url, tmp_path / "layers")
    path = write_csv(tmp_path / "in.csv", [
        row("R-1", **{"Широта": "42.9020", "Долгота": "71.3720", "Адрес": ""}),
        row("R-2", **{"Широта": "42.9030", "Долгота": "71.3785", "Адрес": ""}),
        row("R-3"),  # "15 мкр, д. 7": geocoded to that building
        row("R-4", **{"Адрес": "мкр. Жайлау"})])  # at the microdistrict's own point
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 4 and rejected == []
    before = {e: stored(engine, e) for e in ("R-1", "R-2", "R-3")}
    assert before["R-1"]["cadastral_number"] == "06:097:001:001"
    assert before["R-2"]["cadastral_number"] is None and before["R-2"]["building"] is None
    assert before["R-2"]["microdistrict"] == "15 мкр"

    def reimport(kind: str, features: list[dict]) -> dict:
        layer = tmp_path / f"{kind}-new.geojson"
        layer.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                    ensure_ascii=False), encoding="utf-8")
        proc = run_geoapp("import", "layer", kind, str(layer), "--json",
                          env={"DATABASE_URL": url})
        assert proc.returncode == 0, proc.stderr
        again = run_geoapp("import", "layer", kind, str(layer), "--json",
                           env={"DATABASE_URL": url})
        assert json.loads(again.stdout)["complaints_reassigned"] == 0
        return json.loads(proc.stdout)

    def parcel(number: str, shape: object) -> dict:
        return {"type": "Feature", "geometry": mapping(shape),
                "properties": {"cadastral_number": number, "land_use": "residential",
                               "declared_area_ha": "0,9"}}

    # The register now has 001 where R-2 stands, a new 003 under R-1 and a new 004
    # under Жайлау's representative point, where R-4 was placed.
    moved = reimport("parcels", [
        parcel("06:097:001:001", box(71.378, 42.9025, 71.379, 42.9035)),
        parcel("06:097:001:003", box(71.3715, 42.9015, 71.3725, 42.9025)),
        parcel("06:097:001:004", box(71.384, 42.902, 71.386, 42.904))])
    assert moved["complaints_reassigned"] == 3  # R-3 stands at its building, on 003 too
    assert moved["complaints_reassigned_from_none"] == 1  # R-2 had no parcel
    assert stored(engine, "R-1")["cadastral_number"] == "06:097:001:003"
    assert stored(engine, "R-3")["cadastral_number"] == "06:097:001:003"
    assert stored(engine, "R-2")["cadastral_number"] == "06:097:001:001"
    assert stored(engine, "R-4")["cadastral_number"] is None  # it says nothing of one

    # The boundary between the two microdistricts moves west of R-2.
    shifted = reimport("microdistricts", [
        {"type": "Feature", "geometry": mapping(box(71.370, 42.900, 71.378, 42.906)),
         "properties": {"name": "15 мкр", "population": 3200}},
        {"type": "Feature", "geometry": mapping(box(71.378, 42.900, 71.390, 42.906)),
         "properties": {"name": "мкр. Жайлау", "population": 21000}}])
    assert shifted["complaints_reassigned"] == 1
    assert stored(engine, "R-2")["microdistrict"] == "мкр. Жайлау"
    with engine.connect() as conn:  # the map's copy follows (its trigger)
        assert conn.execute(text("""
            SELECT m.name FROM complaint_map_points p JOIN complaints c ON c.id = p.id
            JOIN microdistricts m ON m.id = p.microdistrict_id
            WHERE c.external_id = 'R-2'""")).scalar_one() == "мкр. Жайлау"

    # A building 8 m from R-2, and one beside the building of.
    built = reimport("buildings", [
        {"type": "Feature", "geometry": mapping(Point(71.3786, 42.9030)),
         "properties": {"address": "мкр. Жайлау, 99", "residents": 10}},
        {"type": "Feature", "geometry": mapping(Point(71.37203, 42.9020)),
         "properties": {"address": "15 мкр, 7/1", "residents": 10}}])
    assert built["complaints_reassigned"] == 1
    assert stored(engine, "R-2")["building"] == "мкр. Жайлау, 99"
    assert stored(engine, "R-1")["building"] == "15 мкр, 7"  # still the nearest
    assert stored(engine, "R-3")["building"] == "15 мкр, 7"  # geocoded: kept
