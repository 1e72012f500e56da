"""Issue "ingestion", done when: the demo's files imported into an empty database
give the counts per microdistrict and per category of the directly loaded demo, up
to the geocoding losses the summary reports; and the geocoder's precision and
errors on the demo's noisy addresses, measured against the ground truth."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import DEMO_SEED
from helpers import run_geoapp
from sqlalchemy import Engine, text

from geoapp.db import make_engine
from geoapp.demo import write_demo
from geoapp.geocode.notes import read_note
from geoapp.migrate import upgrade


@pytest.fixture(scope="module")
def imported(new_database, tmp_path_factory) -> tuple[Engine, dict, Path]:
    out = tmp_path_factory.mktemp("demo-files")
    write_demo(out, seed=DEMO_SEED)
    url = new_database("roundtrip")
    engine = make_engine(url)
    upgrade(engine)
    env = {"DATABASE_URL": url}
    for layer in ("microdistricts", "buildings", "parcels", "zones"):
        proc = run_geoapp("import", "layer", layer, str(out / f"{layer}.geojson"), "--json",
                          env=env)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["rejected"] == 0
    proc = run_geoapp("import", "complaints", str(out / "complaints.csv"), "--json",
                      "--rejects", str(out / "rejects.csv"), env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    yield engine, json.loads(proc.stdout), out
    engine.dispose()


def counts(engine: Engine, sql: str) -> Counter:
    with engine.connect() as conn:
        return Counter(dict(conn.execute(text(sql)).all()))


def test_same_counts_per_category_and_microdistrict(imported, demo_engine: Engine) -> None:
    engine, summary, _ = imported
    assert summary["read"] == summary["inserted"] + summary["rejected"]
    direct_total = counts(demo_engine, "SELECT 1, count(*) FROM complaints")[1]
    assert summary["read"] == direct_total
    assert summary["rejected"] <= 0.001 * direct_total
    by_category = "SELECT category, count(*) FROM complaints GROUP BY 1"
    direct, again = counts(demo_engine, by_category), counts(engine, by_category)
    for category, n in direct.items():
        # Rows without a category are classified from their text: a few land elsewhere.
        assert abs(again[category] - n) <= max(10, 0.05 * n), category
    by_md = """SELECT m.name, count(*) FROM complaints c
               JOIN microdistricts m ON m.id = c.microdistrict_id GROUP BY 1"""
    direct, again = counts(demo_engine, by_md), counts(engine, by_md)
    unlocated = summary["geocoded_by_precision"].get("none", 0)
    assert sum(direct.values()) - sum(again.values()) <= unlocated + 0.01 * direct_total
    for name, n in direct.items():
        assert abs(again[name] - n) <= max(10, 0.03 * n), name


def test_geocoder_precision_and_errors_against_ground_truth(imported) -> None:
    engine, _summary, out = imported
    with (out / "complaints_truth.csv").open(encoding="utf-8") as fh:
        truth = {(r["source"], r["external_id"]): r for r in csv.DictReader(fh, delimiter=";")}
    with engine.connect() as conn:
        stored = conn.execute(text("""
            SELECT c.source, c.external_id, c.geocode_precision, b.address, m.name,
                   p.cadastral_number, c.geocode_note LIKE '%house of this street within%'
            FROM complaints c LEFT JOIN buildings b ON b.id = c.building_id
            LEFT JOIN microdistricts m ON m.id = c.microdistrict_id
            LEFT JOIN parcels p ON p.id = c.parcel_id""")).all()
    by_precision: Counter = Counter()
    wrong_building = wrong_md = wrong_parcel = 0
    in_district = Counter()  # a street named in its microdistrict, without a house
    district_only = Counter()  # known to the microdistrict only: in the right one?
    for source, external_id, precision, address, microdistrict, cadastral, within in stored:
        t = truth[(source, external_id)]
        by_precision[precision] += 1
        if precision == "building" and t["true_address"] and address != t["true_address"]:
            wrong_building += 1
        if precision == "parcel" and cadastral != t["true_cadastral_number"]:
            wrong_parcel += 1
        if precision != "none" and microdistrict != t["true_microdistrict"]:
            wrong_md += 1
        if within:
            in_district[microdistrict == t["true_microdistrict"]] += 1
        if precision == "microdistrict":
            district_only[microdistrict == t["true_microdistrict"]] += 1
    located_by_address = by_precision["building"]
    shares = {k: round(v / len(stored), 4) for k, v in by_precision.items()}
    print(f"\ngeocoder on the demo's noisy addresses: precision shares {shares}; "
          f"wrong building {wrong_building}/{located_by_address} "
          f"({wrong_building / max(1, located_by_address):.2%}); "
          f"wrong microdistrict {wrong_md}/{len(stored)} ({wrong_md / len(stored):.2%}); "
          f"wrong parcel {wrong_parcel}/{by_precision['parcel']}; a street in its "
          f"microdistrict: {in_district[True]} in the right one, {in_district[False]} not; "
          f"known to the microdistrict only: {district_only[True]} in the right one, "
          f"{district_only[False]} not")
    assert wrong_building / max(1, located_by_address) <= 0.03
    assert wrong_md / len(stored) <= 0.03
    assert by_precision["parcel"] > 100 and wrong_parcel == 0  # named by cadastral number
    assert by_precision["none"] / len(stored) <= 0.05
    # The demo's mistyped house numbers (demo.addresses.slipped) leave only the street.
    assert by_precision["street"] > 0
    # "мкр. Самал, ул. Абая" (demo.addresses.street_in_district): on the street, inside
    assert in_district[True] > 20 and in_district[False] == 0
    # "15 мкр, во дворе" without coordinates (demo.addresses.district_only): as many as
    # the demo wrote, each in its own microdistrict
    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    expected = written["complaints"]["known_only_to_their_microdistrict"]
    assert expected > 100 and district_only[True] >= expected and district_only[False] == 0


def test_classifier_accuracy_per_category_on_the_demo_truth(imported) -> None:
    """Issue "ingestion" 5: >= 90% on every category with at least 100 samples."""
    _, _, out = imported
    proc = run_geoapp("analyze", "classifier", str(out / "complaints.csv"),
                      str(out / "complaints_truth.csv"), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["overall"]["samples"] == 33_800
    assert report["overall"]["without_label"] > 1_000  # the rows the import classifies
    big = {code: row for code, row in report["categories"].items() if row["samples"] >= 100}
    assert len(big) >= 15
    print("\nclassifier on the demo's ground truth: " + ", ".join(
        f"{code} {row['accuracy']:.1%} of {row['samples']}" for code, row in big.items()))
    assert report["below_target"] == []
    assert all(row["accuracy"] >= 0.9 for row in big.values())


def test_every_location_note_of_the_import_reads_back(imported, demo_engine: Engine) -> None:
    """The complaint's page shows the note in its language (geocode.notes): every note
    the import wrote (1,316 complaints on the demo), and the demo's own, reads back."""
    engine, _, _ = imported
    notes = counts(engine, "SELECT geocode_note, count(*) FROM complaints "
                           "WHERE geocode_note IS NOT NULL GROUP BY 1")
    notes.update(counts(demo_engine, "SELECT geocode_note, count(*) FROM complaints "
                                     "WHERE geocode_note IS NOT NULL GROUP BY 1"))
    assert notes.total() > 34_000 and len(notes) > 300
    assert [note for note in notes if read_note(note) is None] == []
