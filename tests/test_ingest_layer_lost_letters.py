"""A layer saved in CP1251, its Kazakh letters lost to '?': read as the register it
copies, never written over it nor added to it again; its original gives them back."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from helpers import run_geoapp
from ingest_fixtures import (
    feature_collection,
    row,
    run_import,
    stored,
    write_csv,
    write_reference_layers,
)
from shapely.geometry import Point, box, mapping, shape
from sqlalchemy import Engine, text

from geoapp.ingest.layers import import_layer

# Keys with Kazakh letters (microdistricts, buildings, zones by kind and name), and
# values with and without them; a coded value given in Kazakh ("орталық").
LAYERS = {
    "microdistricts": [
        {"name": "Қарасу", "name_kk": "Қарасу ш.а.", "population": 1},
        {"name": "Мыңбұлақ", "name_kk": "Мыңбұлақ ш.а.", "population": 2},
        {"name": "15 мкр", "name_kk": "15 шағын аудан", "population": 3},
        {"name": "мкр. Самал", "name_kk": None, "population": 4},
    ],
    "buildings": [
        {"address": "Төле би көшесі, 5", "address_kk": "Төле би көшесі, 5 үй", "residents": 1,
         "heating": "орталық"},
        {"address": "ул. Абая, 7", "address_kk": "Абай көшесі, 7 үй", "residents": 2,
         "heating": "жеке"},
        {"address": "ул. Абая, 9", "address_kk": None, "residents": 3, "heating": "жоқ"},
        {"address": "ул. Абая, 11", "address_kk": None, "residents": 4, "heating": "central"},
    ],
    "zones": [
        {"kind": "су қорғау аймағы", "name": "Талас өзенінің су қорғау белдеуі",
         "decision_ref": "№ 215", "valid_from": "2015-07-01"},
        {"kind": "green", "name": "Жасыл белдеу", "decision_ref": "№ 17",
         "valid_from": "2016-07-01"},
        {"kind": "heritage", "name": "Айша бибі кесенесі", "decision_ref": "қаулы № 3",
         "valid_from": "2017-07-01"},
        {"kind": "heritage", "name": "Бабаджи хатун", "decision_ref": "№ 4",
         "valid_from": "2018-07-01"},
    ],
}
CODES = {"орталық": "central", "жеке": "individual", "жоқ": "none",
         "су қорғау аймағы": "water_protection"}
ORDER = {"microdistricts": "population", "buildings": "residents", "zones": "valid_from"}


def _shape(kind: str, position: int, points: list[Point] | None = None) -> dict:
    if points is not None:
        return mapping(points[position])
    if kind == "buildings":
        return mapping(Point(71.38 + position * 0.001, 42.90))
    return mapping(box(71.30 + position * 0.01, 42.90, 71.305 + position * 0.01, 42.905))


def _original(folder: Path, kind: str, rows: list[dict],
              points: list[Point] | None = None) -> Path:
    path = folder / f"{kind}.geojson"
    features = [{"type": "Feature", "geometry": _shape(kind, i, points), "properties": row}
                for i, row in enumerate(rows)]
    path.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    return path


def _lossy(value: object) -> object:
    return value.encode("cp1251", "replace").decode("cp1251") if isinstance(value, str) else value


def _cp1251_copy(folder: Path, kind: str, rows: list[dict],
                 points: list[Point] | None = None) -> Path:
    """The layer as a shapefile saved in CP1251 (its .cpg says so): '?' for ә ғ қ ң ө ұ ү һ."""
    path = folder / f"{kind}.shp"
    frame = gpd.GeoDataFrame([{k: _lossy(v) for k, v in row.items()} for row in rows],
                             geometry=[shape(_shape(kind, i, points))
                                       for i in range(len(rows))],
                             crs=4326)
    with warnings.catch_warnings():  # field names cut to 10 bytes, as any .dbf's are
        warnings.simplefilter("ignore")
        frame.to_file(path, engine="pyogrio", encoding="cp1251")
    assert path.with_suffix(".cpg").read_text().upper() in ("CP1251", "1251")
    return path


def _stored(engine: Engine, kind: str) -> list[tuple]:
    fields = [f for f in LAYERS[kind][0] if f != "valid_from"]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            f"SELECT {', '.join(fields)} FROM {kind} ORDER BY {ORDER[kind]}"))]


def _as_rows(rows: list[dict]) -> list[tuple]:
    return [tuple(CODES.get(v, v) for k, v in row.items() if k != "valid_from")
            for row in rows]


def _as_copied(row: dict) -> dict:
    """A row as stored from its CP1251 copy: its text with '?', its codes read."""
    return {k: v if v in CODES else _lossy(v) for k, v in row.items()}


def _with_lost_letters(rows: list[dict]) -> int:
    """Rows whose text loses letters (a code in Kazakh reads as its code all the same)."""
    return sum(any(_lossy(v) != v for v in row.values() if v not in CODES) for row in rows)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_a_cp1251_copy_over_the_register_changes_nothing(layer_db, tmp_path, kind: str) -> None:
    _, engine = layer_db
    rows, lossy = LAYERS[kind], _with_lost_letters(LAYERS[kind])
    import_layer(engine, kind, _original(tmp_path, kind, rows))
    summary = import_layer(engine, kind, _cp1251_copy(tmp_path, kind, rows))
    assert (summary.inserted, summary.updated, summary.unchanged, summary.rejected) == (
        0, 0, 4, [])
    assert (summary.lost_letters.features, summary.lost_letters.kept) == (lossy, lossy)
    assert summary.lost_letters.restored == 0
    assert _stored(engine, kind) == _as_rows(rows)


@pytest.mark.parametrize("kind", list(LAYERS))
def test_the_original_gives_back_what_its_copy_lost(layer_db, tmp_path, kind: str) -> None:
    _, engine = layer_db
    rows, lossy = LAYERS[kind], _with_lost_letters(LAYERS[kind])
    copy = import_layer(engine, kind, _cp1251_copy(tmp_path, kind, rows))
    assert (copy.inserted, copy.rejected, copy.lost_letters.kept) == (4, [], 0)
    assert copy.lost_letters.features == lossy
    assert _stored(engine, kind) == _as_rows([_as_copied(row) for row in rows])
    original = import_layer(engine, kind, _original(tmp_path, kind, rows))
    changed = sum(_as_rows([row]) != _as_rows([_as_copied(row)]) for row in rows)
    assert (original.inserted, original.updated, original.unchanged) == (0, changed,
                                                                         4 - changed)
    assert original.lost_letters.restored == changed
    assert _stored(engine, kind) == _as_rows(rows)
    again = import_layer(engine, kind, _cp1251_copy(tmp_path, kind, rows))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_a_copy_that_could_be_either_of_two_names_is_not_taken_for_one(layer_db,
                                                                        tmp_path) -> None:
    """"?ала" copies "Қала" and "Ғала" alike: it is a feature of its own."""
    _, engine = layer_db
    rows = [{"name": "Қала", "population": 1}, {"name": "Ғала", "population": 2}]
    import_layer(engine, "microdistricts", _original(tmp_path, "microdistricts", rows))
    copy = [{"name": "?ала", "population": 3}]
    (tmp_path / "copy").mkdir()
    summary = import_layer(engine, "microdistricts",
                           _original(tmp_path / "copy", "microdistricts", copy))
    assert (summary.inserted, summary.lost_letters.features, summary.lost_letters.kept) == (
        1, 1, 0)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM microdistricts ORDER BY population"))
        assert list(names.scalars()) == ["Қала", "Ғала", "?ала"]


def test_the_summary_says_what_was_read_and_what_to_do(layer_db, tmp_path) -> None:
    url, _ = layer_db
    rows = LAYERS["buildings"]
    into_empty = run_geoapp("import", "layer", "buildings",
                            str(_cp1251_copy(tmp_path, "buildings", rows)),
                            env={"DATABASE_URL": url})
    assert into_empty.returncode == 0, into_empty.stderr
    assert ("features with letters lost to '?' (saved in a code page without Kazakh "
            "letters): 2; read as the register's text they copy: 0; kept as written: 2 "
            "(import the file saved in UTF-8 to give them their letters)") in into_empty.stdout
    original = run_geoapp("import", "layer", "buildings", "--json",
                          str(_original(tmp_path, "buildings", rows)),
                          env={"DATABASE_URL": url})
    summary = json.loads(original.stdout)
    assert (summary["updated"], summary["lost_letters_restored"]) == (2, 2)


def test_complaints_matched_against_a_copy_are_matched_again_by_its_original(
        layer_db, tmp_path) -> None:
    """Against a register whose Kazakh addresses lost letters, a Kazakh address matches
    only approximately, or another house; the original register matches it again."""
    _, engine = layer_db
    import_layer(engine, "microdistricts", write_reference_layers(tmp_path)["microdistricts"])
    houses = [{"address": f"ул. Мусрепова, {n}", "address_kk": f"Мүсірепов көшесі, {n}",
               "residents": n} for n in (95, 97)]
    points = [Point(71.372 + i * 0.001, 42.902) for i in range(len(houses))]
    copy = import_layer(engine, "buildings", _cp1251_copy(tmp_path, "buildings", houses, points))
    assert copy.lost_letters.features == 2
    rows = [row("K-1", **{"Адрес": "Мүсірепов көшесі, №95 үй"}),
            row("K-2", **{"Адрес": "Мүсірепов көш., 97"})]
    first, _ = run_import(engine, write_csv(tmp_path / "k.csv", rows), tmp_path)
    assert first.inserted == 2
    before = {eid: stored(engine, eid) for eid in ("K-1", "K-2")}
    assert any(c["geocode_score"] < 100 for c in before.values()), before
    original = import_layer(engine, "buildings", _original(tmp_path, "buildings", houses, points))
    assert original.lost_letters.restored == 2
    after = {eid: stored(engine, eid) for eid in ("K-1", "K-2")}
    assert [(c["building"], c["geocode_score"]) for c in after.values()] == [
        ("ул. Мусрепова, 95", 100), ("ул. Мусрепова, 97", 100)]
    assert sum(original.complaints_relocated.values()) + original.complaints_rematched == sum(
        1 for eid in before if before[eid]["geocode_score"] < 100)
    assert all(c["version"] == 1 for c in after.values())
