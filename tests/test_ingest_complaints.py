"""`geoapp import complaints`: every bad row gets a reason, every valid row lands,
interruptions leave whole batches only, a file refused whole says why in one line.
Re-imports, workbooks, GeoJSON and the forms values are written in have files of
their own (test_ingest_reimport, _workbooks, _geojson, _written_forms)."""

from __future__ import annotations

import csv
import json
import re
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import GEOAPP, assert_one_line_error, interruptible, run_geoapp
from ingest_fixtures import (
    HEADER,
    database_with_layers,
    row,
    run_import,
    stored,
    without_complaints,
    write_csv,
)
from sqlalchemy import Engine, text

from geoapp.ingest.csv_table import sniff_encoding

ingest_db = database_with_layers("ingest_db")


@pytest.fixture
def engine(ingest_db) -> Engine:
    return without_complaints(ingest_db[1])


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


def test_a_rejects_file_runs_no_formula_and_imports_back_as_it_was(
        engine: Engine, tmp_path: Path) -> None:
    """A citizen's text opening with '=' would run as a formula in Excel, "+7 701..."
    turn into a broken one: the rejects file writes such cells after an apostrophe,
    as the exports do, and imported again (fixed in a text editor or in Excel) the
    row lands with the values it first had."""
    path = write_csv(tmp_path / "day.csv", [row("-17", **{
        "Дата обращения": "12.13.2024", "Текст обращения": "=1+1 нет воды",
        "ФИО": "@SUM(A1)", "Телефон": "+7 701 234 56 78"})])
    run_import(engine, path, tmp_path)
    written = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig")
    cells = list(csv.reader(written.splitlines(), delimiter=";"))[1]
    assert cells[2:3] == ["'-17"] and "'=1+1 нет воды" in cells
    assert "'@SUM(A1)" in cells and "'+7 701 234 56 78" in cells
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(written.replace("12.13.2024", "12.12.2024"), encoding="utf-8-sig")
    summary, rejected = run_import(engine, fixed, tmp_path)
    assert (summary.inserted, rejected) == (1, [])
    landed = stored(engine, "-17")
    assert (landed["text"], landed["applicant_name"], landed["applicant_phone"]) == (
        "=1+1 нет воды", "@SUM(A1)", "+77012345678")


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

    # A zip cut short in the mail, one whose packed bytes were damaged, an empty
    # workbook: said as such, not as a format the file is not.
    cut = tmp_path / "cut.zip"
    cut.write_bytes(packed.read_bytes()[:200])
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv", export.read_bytes() * 50)
    data = bytearray(damaged.read_bytes())
    data[60] ^= 0xFF  # inside the packed stream: its checksum no longer matches
    damaged.write_bytes(bytes(data))
    for broken in (cut, damaged):
        assert_one_line_error(run_geoapp("import", "complaints", str(broken),
                                         env={"DATABASE_URL": url}),
                              f"{broken.name} is not a readable ZIP archive (damaged or cut "
                              "short)")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert_one_line_error(run_geoapp("import", "complaints", str(tmp_path / "empty.xlsx"),
                                     env={"DATABASE_URL": url}), "empty.xlsx is empty")


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


