"""Re-importing an export: nothing duplicated, changed fields and statuses taken
with their events, what officials changed kept, a reused key refused, complaints
placed anew when the register or the source says better."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_geoapp
from ingest_fixtures import (
    HEADER,
    database_with_layers,
    migrated_with_layers,
    row,
    run_import,
    stored,
    without_complaints,
    write_csv,
    write_reference_layers,
)
from shapely.geometry import Point, box, mapping
from sqlalchemy import Engine, text

ingest_db = database_with_layers("ingest_db")


@pytest.fixture
def engine(ingest_db) -> Engine:
    return without_complaints(ingest_db[1])


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
