"""Complaint exports as GeoJSON: properties as fields, points reprojected from a
declared CRS, areas and lines placed inside, broken features refused alone,
streamed feature by feature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import assert_one_line_error, run_geoapp
from ingest_fixtures import (
    database_with_layers,
    run_import,
    stored,
    without_complaints,
)
from sqlalchemy import Engine

ingest_db = database_with_layers("ingest_db")


@pytest.fixture
def engine(ingest_db) -> Engine:
    return without_complaints(ingest_db[1])


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
    ('{"type": "FeatureCollection", "features": [', ("c.geojson is cut short: its json ends "
                                                     "before it is complete",)),
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


def _feature(eid: str, lon: float = 71.3851, lat: float = 42.9031, **props: object) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": eid, "received_at": "2024-02-01 08:00",
                           "text": "Жарық жоқ", "source": "web", **props}}
