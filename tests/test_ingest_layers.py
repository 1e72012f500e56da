"""`geoapp import layer`: formats, CRS, repairs, natural-key upserts, bad input."""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from helpers import assert_one_line_error, run_geoapp
from ingest_fixtures import BUILDINGS, feature_collection, write_reference_layers
from shapely.geometry import Polygon, box, mapping
from sqlalchemy import Engine, text

from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.errors import InputError
from geoapp.ingest.history import recent_imports
from geoapp.ingest.layer_read import geos_reason
from geoapp.ingest.layer_stages import (
    CHECKING,
    LOADING,
    PARCEL_CHECKS,
    PLACING,
    READING,
)
from geoapp.ingest.layers import import_layer


def _zones(folder: Path, features: list[dict], crs: str | None = None) -> Path:
    path = folder / "zones.geojson"
    path.write_text(json.dumps(feature_collection(features, crs), ensure_ascii=False))
    return path


def test_reference_layers_import_and_reimport_changes_nothing(layer_db, tmp_path) -> None:
    url, engine = layer_db
    paths = write_reference_layers(tmp_path)
    for kind in ("microdistricts", "buildings", "parcels"):
        proc = run_geoapp("import", "layer", kind, str(paths[kind]), "--json",
                          env={"DATABASE_URL": url})
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(proc.stdout)
        assert summary["inserted"] == summary["read"] and summary["rejected"] == 0
    again = import_layer(engine, "buildings", paths["buildings"])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("""
            SELECT b.address, m.name FROM buildings b JOIN microdistricts m
            ON m.id = b.microdistrict_id""")).all())
        kinds = conn.execute(text(
            "SELECT DISTINCT GeometryType(geom) FROM parcels")).scalars().all()
    assert rows["15 мкр, 7"] == "15 мкр" and rows["ул. Толе би, 45А"] == "мкр. Жайлау"
    assert kinds == ["MULTIPOLYGON"]


def test_changed_attribute_is_an_update(layer_db, tmp_path) -> None:
    _, engine = layer_db
    paths = write_reference_layers(tmp_path)
    import_layer(engine, "microdistricts", paths["microdistricts"])
    data = json.loads(paths["microdistricts"].read_text())
    data["features"][0]["properties"]["Население"] = 3300
    paths["microdistricts"].write_text(json.dumps(data, ensure_ascii=False))
    summary = import_layer(engine, "microdistricts", paths["microdistricts"])
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, 1)


def test_a_register_saved_again_with_other_spacing_is_the_same_features(layer_db, tmp_path
                                                                          ) -> None:
    """A non-breaking space, a doubled one, a tab or a line break inside a name or
    address: read as one space, so the features are unchanged, not added again."""
    _, engine = layer_db
    paths = write_reference_layers(tmp_path)
    for kind in ("microdistricts", "buildings"):
        import_layer(engine, kind, paths[kind])
    respaced = {"мкр. Жайлау": "мкр.\u00a0 Жайлау", "15 мкр, 7": " 15  мкр,\t7\n",
                "ул. Толе би, 45А": "ул.\u202fТоле би,\r\n45А"}
    for kind, key in (("microdistricts", "Название"), ("buildings", "Адрес")):
        data = json.loads(paths[kind].read_text())
        for feature in data["features"]:
            properties = feature["properties"]
            properties[key] = respaced.get(properties[key], properties[key])
        paths[kind].write_text(json.dumps(data, ensure_ascii=False))
        summary = import_layer(engine, kind, paths[kind])
        assert (summary.inserted, summary.updated, summary.rejected) == (0, 0, []), kind
    with engine.connect() as conn:
        addresses = conn.execute(text("SELECT address FROM buildings")).scalars().all()
    assert sorted(addresses) == sorted(address for address, *_ in BUILDINGS)


def test_a_list_where_one_value_belongs_rejects_its_feature(layer_db, tmp_path) -> None:
    """A GeoJSON array as a name or a population (GDAL reads it as a list): found by
    fuzzing, it stopped the import with numpy's "truth value of an array"."""
    _, engine = layer_db
    features = [{"type": "Feature", "properties": props,
                 "geometry": mapping(box(71.30 + i * 0.01, 42.90, 71.305 + i * 0.01, 42.905))}
                for i, props in enumerate([{"name": ["Самал", "Жайлау"], "population": 10},
                                           {"name": "Мамыр", "population": [1, 2]},
                                           {"name": "Астана", "population": 30}])]
    path = tmp_path / "md.geojson"
    path.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    summary = import_layer(engine, "microdistricts", path)
    assert summary.inserted == 1  # GDAL reads the columns as lists: ["Астана"], [30]
    assert [n for n, _ in summary.rejected] == [1, 2]
    assert all("a list where one value belongs" in r for _, r in summary.rejected)
    assert _microdistrict_names(engine) == ["Астана"]


def test_a_feature_far_from_the_city_is_kept_with_a_warning(layer_db, tmp_path) -> None:
    """Lon/lat that are plausible but not Taraz's (a wrong CRS, latitude written
    first): kept, as a suburb of a region's register would be, but not in silence."""
    _, engine = layer_db

    def zone(name: str, bounds: tuple[float, float, float, float]) -> dict:
        return {"type": "Feature", "geometry": mapping(box(*bounds)), "properties": {
            "kind": "green", "name": name, "valid_from": "2020-01-01"}}

    path = _zones(tmp_path, [zone("В городе", (71.30, 42.85, 71.31, 42.86)),
                             zone("Пригород", (71.55, 42.85, 71.56, 42.86)),
                             zone("Германия", (10.0, 50.0, 10.01, 50.01)),
                             zone("Наоборот", (42.85, 71.30, 42.86, 71.31))])
    summary = import_layer(engine, "zones", path, city=DEFAULT_CITY_BBOX)
    assert summary.inserted == 4
    assert [(n, str(w)) for n, w in summary.warnings] == [
        (3, "it lies far outside the city, near lon 10.005, lat 50.005"),
        (4, "it lies far outside the city, near lon 42.855, lat 71.305: with longitude and "
            "latitude swapped it would be inside (does the file write latitude first?)")]


def test_self_intersecting_polygon_is_repaired(layer_db, tmp_path) -> None:
    _, engine = layer_db
    bowtie = Polygon([(71.30, 42.85), (71.32, 42.87), (71.32, 42.85), (71.30, 42.87)])
    assert not bowtie.is_valid
    path = _zones(tmp_path, [{"type": "Feature", "geometry": mapping(bowtie), "properties": {
        "kind": "green", "name": "Парк", "valid_from": "2020-01-01"}}])
    summary = import_layer(engine, "zones", path)
    assert summary.inserted == 1 and summary.repaired == 1
    with engine.connect() as conn:
        valid, kind = conn.execute(text(
            "SELECT ST_IsValid(geom), GeometryType(geom) FROM zones")).one()
    assert valid and kind == "MULTIPOLYGON"


def test_empty_and_null_geometries_rejected_with_feature_numbers(layer_db, tmp_path) -> None:
    _, engine = layer_db
    good = mapping(box(71.30, 42.85, 71.31, 42.86))
    path = _zones(tmp_path, [
        {"type": "Feature", "geometry": good,
         "properties": {"kind": "green", "name": "A", "valid_from": "01.02.2020"}},
        {"type": "Feature", "geometry": None,
         "properties": {"kind": "green", "name": "B", "valid_from": "2020-01-01"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []},
         "properties": {"kind": "green", "name": "C", "valid_from": "2020-01-01"}},
        {"type": "Feature", "geometry": good,
         "properties": {"kind": "лес", "name": "D", "valid_from": "2020-01-01"}},
    ])
    summary = import_layer(engine, "zones", path)
    assert summary.inserted == 1
    assert [n for n, _ in summary.rejected] == [2, 3, 4]
    assert "unknown zone kind" in summary.rejected[2][1]


def test_a_point_or_line_in_a_polygon_layer_is_rejected_by_its_type(layer_db, tmp_path
                                                                    ) -> None:
    _, engine = layer_db
    flat = {"type": "Polygon", "coordinates": [[[71.30, 42.85], [71.31, 42.85],
                                                [71.32, 42.85], [71.30, 42.85]]]}
    shapes = [mapping(box(71.30, 42.85, 71.31, 42.86)),
              {"type": "Point", "coordinates": [71.30, 42.85]},
              {"type": "LineString", "coordinates": [[71.30, 42.85], [71.31, 42.86]]},
              flat]
    path = _zones(tmp_path, [
        {"type": "Feature", "geometry": shape,
         "properties": {"kind": "green", "name": name, "valid_from": "2020-01-01"}}
        for name, shape in zip("ABCD", shapes, strict=True)])
    summary = import_layer(engine, "zones", path)
    assert summary.inserted == 1
    assert summary.rejected == [
        (2, "geometry is a point, not a polygon"),
        (3, "geometry is a linestring, not a polygon"),
        (4, "geometry is empty after repair (a polygon without area)"),
    ]


def test_geojson_with_a_non_4326_crs_member_is_reprojected(layer_db, tmp_path) -> None:
    _, engine = layer_db
    utm = gpd.GeoSeries([box(71.30, 42.85, 71.31, 42.86)], crs=4326).to_crs(32642)[0]
    path = _zones(tmp_path, [{"type": "Feature", "geometry": mapping(utm), "properties": {
        "kind": "state_needs", "name": "Под школу", "valid_from": "2021-06-01"}}],
        crs="urn:ogc:def:crs:EPSG::32642")
    summary = import_layer(engine, "zones", path)
    assert summary.inserted == 1 and "32642" in (summary.source_crs or "")
    with engine.connect() as conn:
        xmin, ymin = conn.execute(text(
            "SELECT ST_XMin(geom), ST_YMin(geom) FROM zones")).one()
    assert abs(xmin - 71.30) < 1e-6 and abs(ymin - 42.85) < 1e-6


def test_shapefile_without_prj_needs_crs(layer_db, tmp_path) -> None:
    url, engine = layer_db
    frame = gpd.GeoDataFrame(
        {"cad_num": ["06:097:002:001"], "land_use": ["commercial"], "area": [0.5]},
        geometry=[box(71.30, 42.85, 71.301, 42.851)], crs=4326).to_crs(32642)
    frame = frame.rename(columns={"cad_num": "cadastral", "area": "area_ha"})
    shp = tmp_path / "parcels.shp"
    frame.to_file(shp, engine="pyogrio")
    shp.with_suffix(".prj").unlink()
    refused = run_geoapp("import", "layer", "parcels", str(shp), env={"DATABASE_URL": url})
    assert_one_line_error(refused, "no CRS", "--crs")
    with pytest.raises(InputError):
        import_layer(engine, "parcels", shp)
    archive = tmp_path / "parcels.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("parcels.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    summary = import_layer(engine, "parcels", archive, crs=32642)
    assert summary.inserted == 1
    with engine.connect() as conn:
        xmin = conn.execute(text("SELECT ST_XMin(geom) FROM parcels")).scalar_one()
    assert abs(xmin - 71.30) < 1e-5


def test_a_zipped_folder_of_a_shapefile_is_read(layer_db, tmp_path) -> None:
    """Compressing a folder (Windows, macOS) puts the shapefile one folder down, and
    macOS adds __MACOSX/ metadata copies named like it; GDAL alone saw no shapefile."""
    url, engine = layer_db
    folder = tmp_path / "Участки"
    folder.mkdir()
    gpd.GeoDataFrame({"cadastral_number": ["06:097:002:001"], "land_use": ["commercial"],
                      "declared_area_ha": [0.5], "note": ["спорный"]},
                     geometry=[box(71.30, 42.85, 71.301, 42.851)], crs=4326
                     ).to_crs(32642).to_file(folder / "участки.shp", engine="pyogrio")
    archive = tmp_path / "parcels.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, f"Участки/{part.name}")
            zf.writestr(f"__MACOSX/Участки/._{part.name}", b"\x00\x05\x16\x07")
    summary = import_layer(engine, "parcels", archive)
    assert (summary.inserted, summary.rejected) == (1, [])
    assert "32642" in (summary.source_crs or "")
    assert summary.attributes_not_read == ["note"]

    with zipfile.ZipFile(archive, "a") as zf:
        for part in folder.iterdir():
            zf.write(part, f"старые/{part.name}")
    proc = run_geoapp("import", "layer", "parcels", str(archive), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "shapefiles in several folders", "Участки, старые")


def test_attribute_names_with_the_words_registers_add(layer_db, tmp_path) -> None:
    """A land register names its columns in full: "Кадастровый номер земельного
    участка", "Площадь участка, га"; such a file was refused for missing attributes."""
    _, engine = layer_db
    path = tmp_path / "register.geojson"
    path.write_text(json.dumps(feature_collection([{
        "type": "Feature", "geometry": mapping(box(71.30, 42.85, 71.301, 42.851)),
        "properties": {"Кадастровый номер земельного участка": "06:097:004:001",
                       "Целевое назначение земельного участка": "ИЖС",
                       "Площадь участка, га": "0,1", "Дата предоставления": "01.02.2023",
                       "Примечание": "—"}}])))
    summary = import_layer(engine, "parcels", path)
    assert (summary.inserted, summary.rejected) == (1, [])
    assert summary.attributes_not_read == ["Примечание"]
    with engine.connect() as conn:
        landed = conn.execute(text(
            "SELECT cadastral_number, land_use, declared_area_ha, allocated_at FROM parcels"
        )).one()
    assert landed[:2] == ("06:097:004:001", "individual_housing")
    assert float(landed[2]) == 0.1
    assert str(landed[3]) == "2023-02-01"


def test_duplicated_cadastral_number_rejected(layer_db, tmp_path) -> None:
    _, engine = layer_db
    features = [
        {"type": "Feature", "geometry": mapping(box(71.30 + i * 0.001, 42.85, 71.3005 + i * 0.001,
                                                    42.8505)),
         "properties": {"cadastral_number": number, "land_use": "residential",
                        "declared_area_ha": 0.2}}
        for i, number in enumerate(["06:097:003:001", "06:097:003:002", "06:097:003:001"])
    ]
    path = tmp_path / "dup.geojson"
    path.write_text(json.dumps(feature_collection(features)))
    summary = import_layer(engine, "parcels", path)
    assert summary.inserted == 2
    assert summary.rejected == [(3, "duplicate cadastral_number 06:097:003:001 "
                                    "(first at feature 1)")]


def _parcel_features(numbers: list[str]) -> list[dict]:
    return [{"type": "Feature",
             "geometry": mapping(box(71.30 + i * 0.001, 42.85, 71.3005 + i * 0.001, 42.8505)),
             "properties": {"cadastral_number": number, "land_use": "residential",
                            "declared_area_ha": 0.2}}
            for i, number in enumerate(numbers)]


def test_cadastral_numbers_stay_text_whatever_the_file_is_named(layer_db, tmp_path) -> None:
    """GDAL reads a GeoJSON by its content; a wrong name must not bring back its
    guess that 06:097:003:001 is a time."""
    _, engine = layer_db
    path = tmp_path / "parcels.shp"  # a GeoJSON saved under a shapefile's name
    path.write_text(json.dumps(feature_collection(
        _parcel_features(["06:097:003:001", "06:097:003:002"]))))
    summary = import_layer(engine, "parcels", path)
    assert (summary.inserted, summary.rejected) == (2, [])
    with engine.connect() as conn:
        numbers = conn.execute(text(
            "SELECT cadastral_number FROM parcels ORDER BY 1")).scalars().all()
    assert numbers == ["06:097:003:001", "06:097:003:002"]


def test_formats_outside_the_contract_are_refused_by_name(layer_db, tmp_path) -> None:
    url, engine = layer_db
    sequence = tmp_path / "parcels.geojsonl"  # GeoJSONSeq cannot keep text as text
    sequence.write_text("".join(json.dumps(f) + "\n" for f in _parcel_features(
        ["06:097:003:001", "06:097:003:002"])))
    proc = run_geoapp("import", "layer", "parcels", str(sequence), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "GDAL reads it as GeoJSONSeq", "GeoJSON, GeoPackage")
    not_a_shapefile = tmp_path / "parcels.zip"
    with zipfile.ZipFile(not_a_shapefile, "w") as archive:
        archive.writestr("readme.txt", "no layer here")
    proc = run_geoapp("import", "layer", "parcels", str(not_a_shapefile),
                      env={"DATABASE_URL": url})
    assert_one_line_error(proc, "parcels.zip", "holds no shapefile")
    sent_in_part = tmp_path / "parcels-part.geojson"  # GDAL's words were its parser's
    whole = json.dumps({"type": "FeatureCollection", "features": _parcel_features(
        ["06:097:003:001", "06:097:003:002"])}, indent=1)
    sent_in_part.write_text(whole[:len(whole) // 2])
    proc = run_geoapp("import", "layer", "parcels", str(sent_in_part),
                      env={"DATABASE_URL": url})
    assert_one_line_error(proc, "cannot read parcels-part.geojson: not valid GeoJSON "
                                "(damaged or cut short; line ")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(not_a_shapefile.read_bytes()[:40])
    proc = run_geoapp("import", "layer", "parcels", str(cut), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "cut.zip is not a readable ZIP archive (damaged or cut short)")
    for empty in ("parcels.geojson", "parcels.gpkg", "parcels.shp"):
        (tmp_path / empty).write_bytes(b"")
        proc = run_geoapp("import", "layer", "parcels", str(tmp_path / empty),
                          env={"DATABASE_URL": url})
        assert_one_line_error(proc, f"{empty} is empty")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM parcels")).scalar_one() == 0


def test_a_shapefile_without_a_part_it_needs_is_refused_by_naming_it(layer_db,
                                                                     tmp_path) -> None:
    """GDAL reads no shapefile without its .shx (it failed deep inside, "index 0 is
    out of bounds") and one without its .dbf as features without attributes."""
    url, engine = layer_db
    frame = gpd.GeoDataFrame.from_features(_parcel_features(["06:097:003:001"]), crs=4326)
    folder = tmp_path / "участки"
    folder.mkdir()
    with warnings.catch_warnings():  # a .dbf keeps 10 letters of a name: not tested here
        warnings.simplefilter("ignore")
        frame.to_file(folder / "parcels.shp", engine="pyogrio")
    for left_out in (".shx", ".dbf"):
        packed = tmp_path / f"without{left_out}.zip"
        with zipfile.ZipFile(packed, "w") as archive:
            for part in folder.iterdir():
                if part.suffix != left_out:
                    archive.write(part, f"участки/{part.name}")
        proc = run_geoapp("import", "layer", "parcels", str(packed), env={"DATABASE_URL": url})
        assert_one_line_error(proc, f"{packed.name}: the shapefile parcels.shp comes without "
                              f"its {left_out}; send its .shp, .shx, .dbf and .prj files")
    damaged = tmp_path / "damaged.zip"  # the .shp's own header overwritten
    with zipfile.ZipFile(damaged, "w") as archive:
        for part in sorted(folder.iterdir(), key=lambda part: part.suffix != ".shp"):
            archive.write(part, part.name)
    damaged.write_bytes(b"XXXX" + damaged.read_bytes()[4:])
    proc = run_geoapp("import", "layer", "parcels", str(damaged), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "damaged.zip is not a readable ZIP archive")
    (folder / "parcels.shx").unlink()
    for given in (folder, folder / "parcels.shp"):
        proc = run_geoapp("import", "layer", "parcels", str(given), env={"DATABASE_URL": url})
        assert_one_line_error(proc, f"{given.name}: the shapefile parcels.shp comes without "
                              "its .shx")
    empty = tmp_path / "parcels.geojson"
    empty.write_text(json.dumps(feature_collection([])))
    proc = run_geoapp("import", "layer", "parcels", str(empty), env={"DATABASE_URL": url})
    assert_one_line_error(proc, "parcels.geojson holds no features: nothing to import")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM parcels")).scalar_one() == 0

def test_missing_required_attribute_refuses_the_file(layer_db, tmp_path) -> None:
    url, _ = layer_db
    path = tmp_path / "md.geojson"
    path.write_text(json.dumps(feature_collection([{"type": "Feature",
        "geometry": mapping(box(71.3, 42.85, 71.31, 42.86)), "properties": {"name": "X"}}])))
    proc = run_geoapp("import", "layer", "microdistricts", str(path),
                      env={"DATABASE_URL": url})
    assert_one_line_error(proc, "missing required attributes", "population")
    missing = run_geoapp("import", "layer", "zones", str(tmp_path / "nope.gpkg"),
                         env={"DATABASE_URL": url})
    assert_one_line_error(missing, "no such file")


def test_geopackage_of_several_layers_is_never_read_by_a_silent_pick(layer_db, tmp_path
                                                                     ) -> None:
    """The layer named after the kind is read, else the one given with --source-layer;
    without either, the file is refused, naming its layers."""
    url, engine = layer_db
    package = tmp_path / "city.gpkg"
    squares = [box(71.30 + i * 0.01, 42.90, 71.305 + i * 0.01, 42.905) for i in range(3)]
    gpd.GeoDataFrame({"name": ["Old"], "population": [1]}, geometry=squares[:1],
                     crs=4326).to_file(package, layer="roads_2019", engine="pyogrio")
    gpd.GeoDataFrame({"name": ["Мкр А", "Мкр Б"], "population": [10, 20]},
                     geometry=squares[1:], crs=4326).to_file(package, layer="microdistricts",
                                                            engine="pyogrio")
    by_kind = import_layer(engine, "microdistricts", package)
    assert (by_kind.read, by_kind.inserted) == (2, 2)

    refused = run_geoapp("import", "layer", "zones", str(package), env={"DATABASE_URL": url})
    assert_one_line_error(refused, "2 layers", "roads_2019, microdistricts", "--source-layer")
    unknown = run_geoapp("import", "layer", "microdistricts", str(package), "--source-layer",
                         "roads", env={"DATABASE_URL": url})
    assert_one_line_error(unknown, "no layer 'roads'", "roads_2019")
    chosen = run_geoapp("import", "layer", "microdistricts", str(package), "--source-layer",
                        "roads_2019", "--json", env={"DATABASE_URL": url})
    assert chosen.returncode == 0, chosen.stderr
    assert json.loads(chosen.stdout)["inserted"] == 1
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM microdistricts ORDER BY name")).scalars()
        assert list(names) == ["Old", "Мкр А", "Мкр Б"]


def _dbf_without_code_page(path: Path, code_page: str, names: list[str]) -> Path:
    """A shapefile whose .dbf holds its field names and text in `code_page` and says
    nothing of it (no .cpg, no code page mark), as older Russian-language systems do."""
    def raw(text_: str) -> str:  # the bytes, written through as Latin-1
        return text_.encode(code_page).decode("latin-1")
    squares = [box(71.30 + i * 0.01, 42.90, 71.305 + i * 0.01, 42.905) for i in range(len(names))]
    # A field name has 10 bytes: Russian ones fit in a single-byte code page only.
    fields = ("name", "population") if code_page == "utf-8" else ("Название", "Население")
    frame = gpd.GeoDataFrame({raw(fields[0]): [raw(n) for n in names],
                              raw(fields[1]): list(range(1, len(names) + 1))},
                             geometry=squares, crs=4326)
    frame.to_file(path, engine="pyogrio", encoding="ISO-8859-1")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


@pytest.mark.parametrize(("code_page", "guessed"), [
    ("kz1048", "kz1048"), ("cp1251", "kz1048"), ("cp866", "cp866"), ("utf-8", "utf-8"),
])
def test_shapefile_without_code_page_is_decoded_not_garbled(layer_db, tmp_path,
                                                            code_page: str,
                                                            guessed: str) -> None:
    """GDAL reads such a .dbf as Latin-1 ("Ìêð"); its bytes show the code page.
    Russian text reads the same in KZ-1048 as in CP1251."""
    _, engine = layer_db
    kazakh = code_page in ("kz1048", "utf-8")  # CP1251 and CP866 have no Kazakh letters
    names = ["Самал шағын ауданы", "Жайлау ш.а."] if kazakh else ["Микрорайон Самал",
                                                                 "мкр. Жайлау"]
    shp = _dbf_without_code_page(tmp_path / "md.shp", code_page, names)
    summary = import_layer(engine, "microdistricts", shp)
    assert summary.inserted == 2 and summary.text_encoding is not None
    assert summary.text_encoding.startswith(guessed)
    with engine.connect() as conn:
        stored_names = conn.execute(text("SELECT name FROM microdistricts ORDER BY population"))
        assert list(stored_names.scalars()) == names


def _utf8_dbf_with_a_cut_letter(path: Path, declared: bool) -> tuple[Path, str]:
    """A UTF-8 shapefile whose long Russian name the writer cut at the field's 254
    bytes, inside a two-byte letter (as ArcGIS does); with or without its .cpg."""
    name = "Микрорайон " + "Ж" * 200
    squares = [box(71.30, 42.90, 71.305, 42.905), box(71.31, 42.90, 71.315, 42.905)]
    frame = gpd.GeoDataFrame({"name": ["x" * 254, "Самал"], "population": [1, 2]},
                             geometry=squares, crs=4326)
    frame.to_file(path, engine="pyogrio", layer_options={"ENCODING": "UTF-8"})
    dbf = path.with_suffix(".dbf")
    data = dbf.read_bytes()
    cut = name.encode("utf-8")[:254]  # ends in the first byte of a letter
    dbf.write_bytes(data.replace(b"x" * 254, cut))
    if not declared:
        path.with_suffix(".cpg").unlink()
    return path, cut[:-1].decode("utf-8")


@pytest.mark.parametrize("declared", [True, False])
def test_a_utf8_name_cut_inside_a_letter_loses_that_half_letter_only(
        layer_db, tmp_path, declared: bool) -> None:
    _, engine = layer_db
    shp, kept = _utf8_dbf_with_a_cut_letter(tmp_path / "md.shp", declared)
    summary = import_layer(engine, "microdistricts", shp)
    assert summary.inserted == 2 and not summary.rejected
    assert (summary.text_encoding or "utf-8").startswith("utf-8")
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM microdistricts ORDER BY population"))
        assert list(names.scalars()) == [kept, "Самал"]


def test_a_wrong_cpg_is_overridden_by_the_encoding_option(layer_db, tmp_path) -> None:
    _, engine = layer_db
    shp = _dbf_without_code_page(tmp_path / "md.shp", "cp1251", ["Самал", "Жайлау"])
    shp.with_suffix(".cpg").write_text("UTF-8")  # what the writer claimed
    summary = import_layer(engine, "microdistricts", shp, encoding="cp1251")
    assert summary.inserted == 2 and summary.text_encoding == "cp1251 (as given)"
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM microdistricts ORDER BY population"))
        assert list(names.scalars()) == ["Самал", "Жайлау"]


def _declared(folder: Path, written_in: str, names: list[str], cpg: str | None,
              mark: int = 0) -> Path:
    """The shapefile of `_dbf_without_code_page` (`names` written in `written_in`)
    with a .cpg holding `cpg` and the code page mark `mark` (byte 29, "LDID") in its
    .dbf header."""
    path = _dbf_without_code_page(folder / "md.shp", written_in, names)
    if cpg is not None:
        path.with_suffix(".cpg").write_text(cpg)
    dbf = path.with_suffix(".dbf")
    header = bytearray(dbf.read_bytes())
    header[29] = mark
    dbf.write_bytes(bytes(header))
    return path


def _microdistrict_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT name FROM microdistricts ORDER BY population")).scalars())


@pytest.mark.parametrize(("cpg", "mark", "zipped"), [
    ("1251", 0, False), ("ANSI 1251", 0, False), ("CP1251", 0, True),
    ("windows-1251", 0, False), (None, 0xC9, False), (None, 0xC9, True),
])
def test_a_shapefile_declaring_cp1251_is_read_in_cp1251(layer_db, tmp_path, cpg: str | None,
                                                        mark: int, zipped: bool) -> None:
    """GDAL converts such text itself and then says it is UTF-8: the .cpg tells it from
    a UTF-8 file, or every Cyrillic name would arrive as U+FFFD."""
    _, engine = layer_db
    names = ["Мкр Самал", "Мкр Жайлау"]
    shp = _declared(tmp_path, "cp1251", names, cpg, mark)
    if zipped:
        archive = tmp_path / "md.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for part in tmp_path.glob("md.*"):
                if part.suffix != ".zip":
                    zf.write(part, f"Слой/{part.name.upper()}")
        shp = archive
    summary = import_layer(engine, "microdistricts", shp)
    assert (summary.inserted, summary.rejected, summary.text_encoding) == (2, [], None)
    assert _microdistrict_names(engine) == names


@pytest.mark.parametrize("mark", [0x57, 0x03, 0x01])
def test_a_dbf_marked_with_a_western_code_page_is_decoded_as_its_bytes_show(
        layer_db, tmp_path, mark: int) -> None:
    """Russian-language ArcView and MapInfo marked CP1251 text "ANSI" (0x57), 1252 or
    437: GDAL would decode it so ("Ìêð Ñàìàë")."""
    _, engine = layer_db
    names = ["Мкр Самал", "Мкр Жайлау"]
    shp = _declared(tmp_path, "cp1251", names, None, mark)
    summary = import_layer(engine, "microdistricts", shp)
    assert summary.text_encoding == "kz1048 (guessed: its .dbf names a Western code page)"
    assert _microdistrict_names(engine) == names


def test_a_utf8_shapefile_with_russian_field_names_is_read(layer_db, tmp_path) -> None:
    """QGIS writes UTF-8 with a .cpg; "Адрес" takes all 10 bytes of a .dbf name."""
    _, engine = layer_db
    path = tmp_path / "houses.shp"
    frame = gpd.GeoDataFrame({"Адрес": ["ул. Абая, 1", "Абай көшесі, 3"], "floors": [5, 9]},
                             geometry=[box(71.38, 42.90, 71.381, 42.901),
                                       box(71.39, 42.90, 71.391, 42.901)], crs=4326)
    frame.to_file(path, engine="pyogrio", encoding="utf-8")
    assert path.with_suffix(".cpg").read_text() == "UTF-8"
    summary = import_layer(engine, "buildings", path)
    assert (summary.inserted, summary.rejected, summary.text_encoding) == (2, [], None)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT address FROM buildings ORDER BY floors"))
        assert list(stored.scalars()) == ["ул. Абая, 1", "Абай көшесі, 3"]


@pytest.mark.parametrize(("cpg", "mark"), [("1251", 0), (None, 0xC9)])
def test_kazakh_letters_in_a_shapefile_labelled_cp1251_are_read(layer_db, tmp_path,
                                                                 cpg: str | None,
                                                                 mark: int) -> None:
    """A Kazakh system writes KZ-1048 and may call it 1251: CP1251 would make "ќ" of
    its "қ". Windows Cyrillic is read as KZ-1048, as complaint files are."""
    _, engine = layer_db
    names = ["Қарасу шағын ауданы", "Мыңбұлақ ш.а."]
    shp = _declared(tmp_path, "kz1048", names, cpg, mark)
    summary = import_layer(engine, "microdistricts", shp)
    assert summary.text_encoding == (
        "kz1048 (the shapefile says cp1251, but its letters are KZ-1048's Kazakh ones)")
    assert _microdistrict_names(engine) == names


def test_a_cpg_saying_1251_of_utf8_text_is_guessed(layer_db, tmp_path) -> None:
    """QGIS and ogr2ogr write UTF-8, and a .cpg copied from an older layer may say
    otherwise: decoded as CP1251 "Мкр Самал" would be "РњРєСЂ РЎР°РјР°Р»"."""
    _, engine = layer_db
    names = ["Мкр Самал", "Қарасу ш.а."]
    shp = _declared(tmp_path, "utf-8", names, "1251")
    summary = import_layer(engine, "microdistricts", shp)
    assert summary.text_encoding == (
        "utf-8 (guessed: the shapefile says cp1251, but the text is UTF-8)")
    assert _microdistrict_names(engine) == names


def test_a_cpg_saying_utf8_of_text_that_is_not_is_guessed(layer_db, tmp_path) -> None:
    _, engine = layer_db
    shp = _declared(tmp_path, "cp1251", ["Самал"], "UTF-8")
    summary = import_layer(engine, "microdistricts", shp)
    assert summary.text_encoding == "kz1048 (guessed: the .cpg says UTF-8, but the text is not)"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM microdistricts")).scalar_one() == "Самал"


@pytest.mark.parametrize(("code_page", "names"), [
    ("kz1048", ["Қарасу ш.а.", "Мыңбұлақ"]), ("cp1251", ["Самал", "мкр. Жайлау"]),
    ("utf-8-sig", ["Қарасу ш.а.", "Мыңбұлақ"]),
])
@pytest.mark.parametrize("zipped", [False, True])
def test_a_geojson_file_not_in_utf8_is_read_as_its_bytes_show(layer_db, tmp_path,
                                                              code_page: str,
                                                              names: list[str],
                                                              zipped: bool) -> None:
    """RFC 7946 says UTF-8; Notepad and older tools save CP1251, which GDAL refuses,
    alone or zipped for mail."""
    _, engine = layer_db
    path = tmp_path / "md.geojson"
    features = [{"type": "Feature", "properties": {"name": name, "population": i},
                 "geometry": mapping(box(71.30 + i * 0.01, 42.90, 71.305 + i * 0.01, 42.905))}
                for i, name in enumerate(names)]
    path.write_bytes(json.dumps(feature_collection(features), ensure_ascii=False)
                     .encode(code_page))
    if zipped:
        with zipfile.ZipFile(tmp_path / "md.zip", "w") as archive:
            archive.write(path, "Микрорайоны/md.geojson")
        path = tmp_path / "md.zip"
    summary = import_layer(engine, "microdistricts", path)
    assert (summary.inserted, summary.rejected) == (2, [])
    assert summary.text_encoding == (
        None if code_page == "utf-8-sig"
        else "kz1048 (guessed: a GeoJSON file must be UTF-8, this one is not)")
    assert _microdistrict_names(engine) == names


def test_encoding_option_is_checked_and_only_for_shapefiles(layer_db, tmp_path) -> None:
    url, engine = layer_db
    shp = _dbf_without_code_page(tmp_path / "md.shp", "cp866", ["Самал", "Жайлау"])
    given = import_layer(engine, "microdistricts", shp, encoding="cp866")
    assert given.inserted == 2 and given.text_encoding == "cp866 (as given)"
    unknown = run_geoapp("import", "layer", "microdistricts", str(shp), "--encoding",
                         "cp9999", env={"DATABASE_URL": url})
    assert_one_line_error(unknown, "cp9999", "not a known code page")
    paths = write_reference_layers(tmp_path / "geojson")
    not_shp = run_geoapp("import", "layer", "microdistricts", str(paths["microdistricts"]),
                         "--encoding", "cp1251", env={"DATABASE_URL": url})
    assert_one_line_error(not_shp, "--encoding is for shapefiles", "utf-8")


def test_heights_are_dropped_not_refused(layer_db, tmp_path) -> None:
    """Survey and CAD exports carry Z: the layers are 2D, so Z goes, the shape stays."""
    _, engine = layer_db
    ring = [[71.30, 42.90, 500.0], [71.31, 42.90, 500.0], [71.31, 42.91, 501.5],
            [71.30, 42.91, 500.0], [71.30, 42.90, 500.0]]
    path = tmp_path / "md3d.geojson"
    path.write_text(json.dumps(feature_collection([{
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": "Высотный", "population": 10}}])))
    summary = import_layer(engine, "microdistricts", path)
    assert (summary.inserted, summary.rejected) == (1, [])
    with engine.connect() as conn:
        dims, area = conn.execute(text("""
            SELECT ST_NDims(geom), round(ST_Area(geom)::numeric, 6) FROM microdistricts
            WHERE name = 'Высотный'""")).one()
    assert (dims, float(area)) == (2, 0.0001)


def test_parcel_areas_and_values_written_with_units(layer_db, tmp_path) -> None:
    """Hand-kept registers write units after the number: they are converted to the
    contract's hectares and tenge; an unknown unit is a reason, not a guess."""
    _, engine = layer_db
    written = [("0,9 га", "94 000 000 тг"), ("6 соток", "12,3 млн тенге"),
               ("9 000 кв. м", "1500000"), ("5 акров", "1 тг")]
    features = [
        {"type": "Feature",
         "geometry": mapping(box(71.30 + i * 0.002, 42.85, 71.301 + i * 0.002, 42.851)),
         "properties": {"Кадастровый номер": f"06:097:010:00{i + 1}",
                        "Целевое назначение": "ИЖС", "Площадь, га": area,
                        "Кадастровая стоимость": value}}
        for i, (area, value) in enumerate(written)]
    path = tmp_path / "units.geojson"
    path.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    summary = import_layer(engine, "parcels", path)
    assert summary.inserted == 3
    assert summary.rejected == [(4, "declared_area_ha: unknown unit 'акров' in '5 акров'")]
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT declared_area_ha, cadastral_value_kzt FROM parcels
            WHERE cadastral_number LIKE '06:097:010:%' ORDER BY cadastral_number""")).all()
    assert [(float(a), v) for a, v in rows] == [(0.9, 94_000_000), (0.06, 12_300_000),
                                                (0.9, 1_500_000)]


def test_land_use_words_map_onto_the_contract_codes(layer_db, tmp_path) -> None:
    """One purpose, one code, whichever language or form the register wrote it in;
    a purpose outside the list is kept as written (the list is open)."""
    _, engine = layer_db
    written = ["ИЖС", "Жеке тұрғын үй құрылысы", "individual_housing", "Коммерческая",
               "Под склад ГСМ"]
    features = [
        {"type": "Feature",
         "geometry": mapping(box(71.30 + i * 0.002, 42.85, 71.301 + i * 0.002, 42.851)),
         "properties": {"cadastral_number": f"06:097:011:00{i + 1}", "land_use": use,
                        "declared_area_ha": 0.1}}
        for i, use in enumerate(written)]
    path = tmp_path / "uses.geojson"
    path.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    assert import_layer(engine, "parcels", path).inserted == len(written)
    with engine.connect() as conn:
        uses = conn.execute(text("""SELECT land_use FROM parcels
            WHERE cadastral_number LIKE '06:097:011:%' ORDER BY cadastral_number""")).scalars()
        assert list(uses) == ["individual_housing"] * 3 + ["commercial", "под склад гсм"]


def _typed_parcels() -> gpd.GeoDataFrame:
    """Parcels as a GIS saves them: typed columns, nulls as NaN/NaT, UTM 42N."""
    import pandas as pd

    frame = gpd.GeoDataFrame({
        "cadastral_number": ["06:097:012:001", "06:097:012:002"],
        "land_use": ["ИЖС", "recreation"], "declared_area_ha": [0.12, 0.3],
        "cadastral_value_kzt": [1_500_000.0, None],
        "allocated_at": pd.to_datetime(["2023-05-01", None]),
        "status": ["изъят", "active"],
    }, geometry=[box(71.300, 42.850, 71.301, 42.851), box(71.310, 42.850, 71.311, 42.851)],
        crs=4326)
    return frame.to_crs(32642)


@pytest.mark.parametrize("name", ["parcels.gpkg", "parcels.shp"])
def test_typed_layers_with_nulls_and_dbf_names_import_whole(layer_db, tmp_path, name) -> None:
    """A GeoPackage hands over NaN and NaT for empty cells; a shapefile cuts the
    contract's names to ten characters ("cadastral_", "cadastra_1") and writes
    dates as text. Both import with every attribute."""
    _, engine = layer_db
    path = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the writer's own notes on the names it cuts
        _typed_parcels().to_file(path)
    summary = import_layer(engine, "parcels", path)
    assert (summary.inserted, summary.rejected) == (2, [])
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT cadastral_number, land_use, declared_area_ha::float8, cadastral_value_kzt,
                   allocated_at::text, status FROM parcels ORDER BY 1""")).all()
    assert [tuple(r) for r in rows] == [
        ("06:097:012:001", "individual_housing", 0.12, 1_500_000, "2023-05-01", "withdrawn"),
        ("06:097:012:002", "recreation", 0.3, None, None, "active")]


def test_dbf_cut_names_find_their_fields() -> None:
    from geoapp.ingest.headers import COMPLAINT_FIELDS, LAYER_FIELDS, match_headers

    parcels = match_headers(["cadastral_", "land_use", "declared_a", "cadastra_1", "allocated_",
                             "geometry"], LAYER_FIELDS["parcels"])
    assert parcels == {0: "cadastral_number", 1: "land_use", 2: "declared_area_ha",
                       3: "cadastral_value_kzt", 4: "allocated_at"}
    complaints = match_headers(["Номер обращения", "Дата_испол", "applicant_", "applican_1",
                                "Something_"], COMPLAINT_FIELDS)
    assert complaints == {0: "external_id", 1: "resolved_at", 2: "applicant_name",
                          3: "applicant_phone"}


def test_a_null_required_date_rejects_its_feature_only(layer_db, tmp_path) -> None:
    import pandas as pd

    _, engine = layer_db
    frame = gpd.GeoDataFrame({
        "kind": ["green", "green"], "name": ["Сквер", "Бульвар"],
        "valid_from": pd.to_datetime(["2020-01-01", None])},
        geometry=[box(71.30, 42.85, 71.31, 42.86), box(71.32, 42.85, 71.33, 42.86)], crs=4326)
    path = tmp_path / "zones.gpkg"
    frame.to_file(path)
    summary = import_layer(engine, "zones", path)
    assert (summary.inserted, summary.rejected) == (1, [(2, "missing valid_from")])


def test_a_future_allocation_date_is_kept_with_a_warning(layer_db, tmp_path) -> None:
    """2032 for 2023 is a typo a register easily carries; rule R1 compares the date, so
    the import keeps the parcel and names it."""
    url, _engine = layer_db
    features = [
        {"type": "Feature",
         "geometry": mapping(box(71.30 + i * 0.002, 42.85, 71.301 + i * 0.002, 42.851)),
         "properties": {"cadastral_number": f"06:097:020:00{i + 1}", "land_use": "ИЖС",
                        "declared_area_ha": "0,1", "allocated_at": when}}
        for i, when in enumerate(("12.03.2023", "12.03.2032"))]
    path = tmp_path / "dates.geojson"
    path.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    proc = run_geoapp("import", "layer", "parcels", str(path), "--json",
                      env={"DATABASE_URL": url})
    summary = json.loads(proc.stdout)
    assert (summary["inserted"], summary["rejected"]) == (2, 0)
    assert summary["warnings"] == [  # with what the web translates it from
        {"feature": 2, "warning": "allocated_at 12.03.2032 is in the future",
         "template": "allocated_at %(allocated)s is in the future",
         "params": {"allocated": "12.03.2032"}}]
    text_run = run_geoapp("import", "layer", "parcels", str(path), env={"DATABASE_URL": url})
    assert "feature 2 kept, but allocated_at 12.03.2032 is in the future" in text_run.stdout


def _parcels_file(path: Path, numbers: list[str], empty: tuple[str, ...] = ()) -> Path:
    features = [
        {"type": "Feature",
         "geometry": None if number in empty else mapping(
             box(71.30 + i * 0.002, 42.86, 71.301 + i * 0.002, 42.861)),
         "properties": {"cadastral_number": number, "land_use": "ИЖС",
                        "declared_area_ha": "0,1"}}
        for i, number in enumerate(numbers)]
    path.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    return path


def test_cadastral_numbers_written_otherwise_are_the_same_parcels(layer_db, tmp_path) -> None:
    """Hyphens, spaces or no separators at all: the same key, stored in the contract's
    form, so such a register neither adds its parcels again nor retires them."""
    _, engine = layer_db
    numbers = ["06:097:030:001", "06:097:030:002", "06:097:030:003", "06:097:030:0004"]
    written = ["06-097-030-001", "06 : 097 : 030 : 002", "06097030003", "06.097.030.0004"]
    first = import_layer(engine, "parcels", _parcels_file(tmp_path / "a.geojson", written))
    assert (first.inserted, first.rejected) == (4, [])
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT cadastral_number FROM parcels ORDER BY 1"))
        assert list(stored.scalars()) == sorted(numbers)
    again = import_layer(engine, "parcels", _parcels_file(tmp_path / "b.geojson", numbers),
                         retire_missing=True)
    assert (again.inserted, again.unchanged, again.retired) == (0, 4, 0)
    back = import_layer(engine, "parcels", _parcels_file(tmp_path / "c.geojson", written),
                        retire_missing=True)
    assert (back.inserted, back.unchanged, back.retired) == (0, 4, 0)


def test_parcels_left_out_of_a_new_register_can_be_retired(layer_db, tmp_path) -> None:
    """--retire-missing cancels (never deletes) the parcels a new register no longer
    lists; a feature rejected for its geometry still counts as listed; a file that
    would cancel most of the register is refused whole."""
    url, engine = layer_db
    numbers = [f"06:097:030:00{i}" for i in range(1, 5)]
    env = {"DATABASE_URL": url}

    def statuses() -> dict[str, str]:
        with engine.connect() as conn:
            return dict(conn.execute(text(
                "SELECT cadastral_number, status FROM parcels ORDER BY 1")).all())

    def run(path: Path, *extra: str):  # type: ignore[no-untyped-def]
        return run_geoapp("import", "layer", "parcels", str(path), *extra, env=env)

    assert run(_parcels_file(tmp_path / "all.geojson", numbers)).returncode == 0
    listed = _parcels_file(tmp_path / "broken.geojson", numbers, empty=(numbers[3],))
    summary = json.loads(run(listed, "--retire-missing", "--json").stdout)
    assert (summary["rejected"], summary["retired"]) == (1, 0)

    three = _parcels_file(tmp_path / "three.geojson", numbers[:3])
    assert json.loads(run(three, "--json").stdout)["retired"] == 0  # not asked to
    assert set(statuses().values()) == {"active"}
    proc = run(three, "--retire-missing")
    assert "parcels no longer in the register, now cancelled: 1" in proc.stdout
    assert statuses() == {**dict.fromkeys(numbers[:3], "active"), numbers[3]: "cancelled"}
    assert json.loads(run(three, "--retire-missing", "--json").stdout)["retired"] == 0

    partial = _parcels_file(tmp_path / "one.geojson", numbers[:1])
    assert_one_line_error(run(partial, "--retire-missing"),
                          "would cancel 2 of 3 parcels", "Nothing was imported")
    assert statuses()[numbers[1]] == "active"
    # The import had started (its file was read): its entry says it failed, and why.
    history = run_geoapp("import", "history", "--limit", "1", "--json", env=env)
    last = json.loads(history.stdout)[0]
    assert (last["file"], last["status"]) == ("one.geojson", "failed")
    with engine.connect() as conn:
        error = conn.execute(text("SELECT summary->>'error' FROM import_batches "
                                  "ORDER BY id DESC LIMIT 1")).scalar_one()
    assert "would cancel 2 of 3 parcels" in error
    assert_one_line_error(
        run_geoapp("import", "layer", "zones", str(partial), "--retire-missing", env=env),
        "--retire-missing is for parcels only")


def _squares(count: int, crs: int = 4326) -> list:
    """`count` small squares in Taraz, in `crs`."""
    squares = [box(71.30 + i * 0.002, 42.87, 71.301 + i * 0.002, 42.871) for i in range(count)]
    return list(gpd.GeoSeries(squares, crs=4326).to_crs(crs))


def test_projected_geojson_without_crs_is_refused_not_stored_as_degrees(layer_db, tmp_path
                                                                        ) -> None:
    """GDAL says EPSG:4326 for any GeoJSON without a crs member: its UTM metres were
    stored as degrees. Such a file is refused, naming --crs, and read with it."""
    url, engine = layer_db
    path = tmp_path / "md_utm.geojson"
    path.write_text(json.dumps(feature_collection([
        {"type": "Feature", "geometry": mapping(square),
         "properties": {"name": f"Мкр {i}", "population": 100}}
        for i, square in enumerate(_squares(2, 32642))]), ensure_ascii=False))
    refused = run_geoapp("import", "layer", "microdistricts", str(path),
                         env={"DATABASE_URL": url})
    assert_one_line_error(refused, "md_utm.geojson", "not longitude/latitude", "--crs 32642")
    geographic = run_geoapp("import", "layer", "microdistricts", str(path), "--crs", "4326",
                            env={"DATABASE_URL": url})
    assert_one_line_error(geographic, "--crs 4326 is longitude/latitude")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM microdistricts")).scalar_one() == 0
    summary = import_layer(engine, "microdistricts", path, crs=32642)
    assert summary.inserted == 2
    with engine.connect() as conn:
        xmin = conn.execute(text("SELECT min(ST_XMin(geom)) FROM microdistricts")).scalar_one()
    assert abs(xmin - 71.30) < 1e-6


def _typed_package(path: Path, columns: dict[str, list], crs: int = 4326) -> Path:
    """A GeoPackage whose columns keep their pandas types (Real, Integer, Text)."""
    count = len(next(iter(columns.values())))
    gpd.GeoDataFrame(columns, geometry=_squares(count, crs), crs=crs).to_file(path)
    return path


def test_a_number_beyond_its_column_rejects_its_feature_only(layer_db, tmp_path) -> None:
    """123,456,789 ha, 3 billion residents, 2e19 tenge: PostgreSQL refused the whole
    file with an internal error; the feature is rejected with its reason."""
    _, engine = layer_db
    districts = _typed_package(tmp_path / "md.gpkg", {
        "name": ["A", "B", "C"], "population": [3_000_000_000, 2_147_483_647, 10]})
    summary = import_layer(engine, "microdistricts", districts)
    assert summary.inserted == 2
    assert summary.rejected == [(1, "population 3,000,000,000 is more than the register "
                                    "can hold (at most 2,147,483,647)")]
    parcels = _typed_package(tmp_path / "parcels.gpkg", {
        "cadastral_number": [f"06:097:040:00{i}" for i in range(1, 5)],
        "land_use": ["ИЖС"] * 4,
        "declared_area_ha": [0.1, 123_456_789.0, 99_999_999.9999, 0.2],
        "cadastral_value_kzt": [100.0, 1.0, 1.0, 2e19]})
    summary = import_layer(engine, "parcels", parcels)
    assert summary.inserted == 2
    assert [n for n, _ in summary.rejected] == [2, 4]
    assert "declared_area_ha 123,456,789 is more than the register" in summary.rejected[0][1]
    assert "cadastral_value_kzt 20,000,000,000,000,000,000" in summary.rejected[1][1]


def test_typed_numbers_are_numbers_not_text_with_a_unit(layer_db, tmp_path) -> None:
    """str(1e-05) is '1e-05', which the unit pattern read as 1 and the unit 'e-05'."""
    _, engine = layer_db
    path = _typed_package(tmp_path / "parcels.gpkg", {
        "cadastral_number": ["06:097:041:001", "06:097:041:002", "06:097:041:003"],
        "land_use": ["ИЖС"] * 3, "declared_area_ha": [1e-05, 0.00012, 2.5],
        "cadastral_value_kzt": [1.5e16, 1e5, None]})
    summary = import_layer(engine, "parcels", path)
    assert (summary.inserted, summary.rejected) == (3, [])
    assert summary.warnings == [
        (1, "declared_area_ha 1e-05 is stored as 0 (the register keeps 4 decimals)")]
    with engine.connect() as conn:
        rows = conn.execute(text("""SELECT declared_area_ha::float8, cadastral_value_kzt
            FROM parcels ORDER BY cadastral_number""")).all()
    assert [tuple(r) for r in rows] == [(0.0, 15_000_000_000_000_000), (0.0001, 100_000),
                                        (2.5, None)]


@pytest.mark.parametrize("numbers", [[6097570015, 6097570016], [6097570015.0, None]])
def test_cadastral_numbers_held_as_numbers_are_rejected(layer_db, tmp_path, numbers) -> None:
    """The contract's key is text, 06:097:570:015: a number column lost the leading
    zero and the colons, and 6097570015.0 would never match the register's key."""
    _, engine = layer_db
    path = _typed_package(tmp_path / "parcels.gpkg", {
        "cadastral_number": numbers, "land_use": ["ИЖС"] * 2, "declared_area_ha": [0.1, 0.1]})
    summary = import_layer(engine, "parcels", path)
    assert summary.inserted == 0
    assert summary.rejected[0] == (1, "cadastral_number 6097570015 is a number, not text: "
                                      "the file's number column has lost the leading zero "
                                      "and the colons (06:097:012:345); export the column "
                                      "as text")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM parcels")).scalar_one() == 0


def test_every_name_geoapp_shows_for_a_code_reads_back_as_the_code() -> None:
    from geoapp.ingest.layer_values import parcel, zone
    from geoapp.taxonomy import LAND_USE_NAMES, PARCEL_STATUS_NAMES, ZONE_KIND_NAMES

    base = {"cadastral_number": "06:097:042:001", "declared_area_ha": 0.1,
            "land_use": "residential"}
    for code, names in LAND_USE_NAMES.items():
        for name in names.values():
            assert parcel({**base, "land_use": name})["land_use"] == code, name
    for code, names in PARCEL_STATUS_NAMES.items():
        for name in names.values():
            assert parcel({**base, "status": name.upper()})["status"] == code, name
    for code, names in ZONE_KIND_NAMES.items():
        for name in names.values():
            row = zone({"kind": name, "name": "Z", "valid_from": "2020-01-01"})
            assert row["kind"] == code, name


def test_layer_names_and_dates_as_geoapp_and_complaint_files_write_them(layer_db, tmp_path
                                                                       ) -> None:
    _, engine = layer_db
    written = [("Мемлекет мұқтажы үшін", "1.6.2021 0:00:00"),
               ("Резерв под дороги", "2 августа 2022 г."),
               ("Objects of nothing", "02-08-2022"),
               ("Heritage", "2022-08-02T00:00:00")]
    path = _zones(tmp_path, [
        {"type": "Feature", "geometry": mapping(square),
         "properties": {"kind": kind, "name": f"Зона {i}", "valid_from": when}}
        for i, (square, (kind, when)) in enumerate(zip(_squares(4), written, strict=True))])
    summary = import_layer(engine, "zones", path)
    assert summary.rejected == [(3, "unknown zone kind 'Objects of nothing'")]
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT kind, valid_from::text FROM zones ORDER BY name")).all()
    assert [tuple(r) for r in rows] == [("state_needs", "2021-06-01"),
                                        ("road_reserve", "2022-08-02"),
                                        ("heritage", "2022-08-02")]


def test_a_table_without_geometries_is_not_a_layer(layer_db, tmp_path) -> None:
    """QGIS saves its styles into the GeoPackage as a table, `layer_styles`: the file
    was refused as of two layers, and naming the table crashed."""
    import pandas as pd
    import pyogrio

    url, engine = layer_db
    package = _typed_package(tmp_path / "qgis.gpkg", {
        "cadastral_number": ["06:097:043:001"], "land_use": ["ИЖС"],
        "declared_area_ha": [0.1]})
    pyogrio.write_dataframe(pd.DataFrame({"f_table_name": ["qgis"], "styleQML": ["<qgis/>"]}),
                            package, layer="layer_styles")
    assert import_layer(engine, "parcels", package).inserted == 1
    proc = run_geoapp("import", "layer", "parcels", str(package), "--source-layer",
                      "layer_styles", env={"DATABASE_URL": url})
    assert_one_line_error(proc, "'layer_styles' is a table without geometries", "qgis")


def test_two_fields_of_one_name_refuse_the_file_by_name(layer_db, tmp_path) -> None:
    """A .dbf keeps 10 bytes of a name: "Кадастровый номер" and "Кадастровая
    стоимость" both arrive as one name, and GDAL hands over one column for both."""
    url, _engine = layer_db
    shp = _dbf_without_code_page(tmp_path / "md.shp", "cp866", ["Самал", "Жайлау"])
    dbf = bytearray(shp.with_suffix(".dbf").read_bytes())
    first, second = 32, 64  # the field descriptors follow the 32-byte header
    dbf[second:second + 11] = dbf[first:first + 11]
    shp.with_suffix(".dbf").write_bytes(bytes(dbf))
    proc = run_geoapp("import", "layer", "microdistricts", str(shp),
                      env={"DATABASE_URL": url})
    assert_one_line_error(proc, "md.shp has 2 attributes named 'Название'", "rename")


def test_an_unreadable_geometry_rejects_its_feature_only(layer_db, tmp_path) -> None:
    _, engine = layer_db
    good, other = (mapping(s) for s in _squares(2))
    unclosed = {"type": "Polygon",
                "coordinates": [[[71.31, 42.87], [71.311, 42.87], [71.311, 42.871]]]}
    path = _zones(tmp_path, [
        {"type": "Feature", "geometry": geometry,
         "properties": {"kind": "green", "name": name, "valid_from": "2020-01-01"}}
        for name, geometry in (("A", good), ("B", unclosed), ("C", other))])
    summary = import_layer(engine, "zones", path)
    assert summary.inserted == 2
    assert summary.rejected == [(2, "geometry cannot be read: a ring of the polygon is not "
                                    "closed (its last point is not its first)")]


@pytest.mark.parametrize(("geos", "said"), [
    ("IllegalArgumentException: Points of LinearRing do not form a closed linestring",
     "a ring of the polygon is not closed (its last point is not its first)"),
    ("IllegalArgumentException: Invalid number of points in LinearRing found 3 - must be 0 "
     "or >= 4", "a ring of the polygon has 3 points, fewer than the 4 a closed ring needs"),
    ("IllegalArgumentException: point array must contain 0 or >1 elements\n",
     "a line of a single point"),
    ("ParseException: something GEOS has never said\nmore", "ParseException: something GEOS "
     "has never said"),
])
def test_what_geos_cannot_build_is_said_in_plain_words(geos: str, said: str) -> None:
    assert geos_reason(geos) == said


def test_a_layer_import_says_what_it_is_doing_and_its_entry_keeps_it(layer_db,
                                                                      tmp_path) -> None:
    """A register that takes minutes: each stage is told as it starts, and kept in the
    running import's entry, where its page reads it."""
    _, engine = layer_db
    paths = write_reference_layers(tmp_path)
    told: list[tuple[str, dict, str | None]] = []

    def stage(said) -> None:  # type: ignore[no-untyped-def]
        with engine.connect() as conn:
            history = recent_imports(conn, 1)
        kept = history[0]["stage"] if history else None
        told.append((said.template, said.params, kept))

    import_layer(engine, "buildings", paths["buildings"], stage=stage,
                 checks=lambda conn: {"found": 0, "resolved": 0})
    assert [(template, params) for template, params, _ in told] == [
        (READING, {}), (CHECKING, {"n": len(BUILDINGS)}), (LOADING, {"n": len(BUILDINGS)}),
        (PLACING, {}), (PARCEL_CHECKS, {})]
    # read before the entry exists (the command line's order), then kept in it
    assert [kept for *_, kept in told][:2] == [None, None]
    assert [kept for *_, kept in told][2] == f"loading into PostGIS (repairing, comparing, "\
        f"upserting): {len(BUILDINGS)} features"
    with engine.connect() as conn:  # the summary replaces the stage once it is over
        assert conn.execute(text("SELECT summary ? 'stage' FROM import_batches ORDER BY id "
                                 "DESC LIMIT 1")).scalar_one() is False


def test_an_unchanged_import_leaves_the_data_version_alone(layer_db, tmp_path) -> None:
    """The server recomputes its public figures when a table's data version moves."""
    _, engine = layer_db
    paths = write_reference_layers(tmp_path)

    def version() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT coalesce(max(version), 0) FROM data_versions "
                                     "WHERE name = 'microdistricts'")).scalar_one()

    import_layer(engine, "microdistricts", paths["microdistricts"])
    first = version()
    assert first > 0
    assert import_layer(engine, "microdistricts", paths["microdistricts"]).unchanged == 2
    assert version() == first
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM microdistricts WHERE name = 'nothing'"))
    assert version() == first
    with engine.begin() as conn:
        conn.execute(text("UPDATE microdistricts SET population = population + 1"))
    assert version() == first + 1


def test_the_same_register_in_another_crs_is_unchanged(layer_db, tmp_path) -> None:
    """Reprojected there and back, coordinates differ by some 1e-14°: not an edit.
    A boundary moved by a metre is one."""
    _, engine = layer_db
    squares = _squares(3)
    frame = gpd.GeoDataFrame({"name": ["A", "B", "C"], "population": [1, 2, 3]},
                             geometry=squares, crs=4326)
    frame.to_file(tmp_path / "md.gpkg")
    assert import_layer(engine, "microdistricts", tmp_path / "md.gpkg").inserted == 3
    utm = frame.to_crs(32642)
    utm.to_file(tmp_path / "md_utm.gpkg")
    summary = import_layer(engine, "microdistricts", tmp_path / "md_utm.gpkg")
    assert (summary.updated, summary.unchanged) == (0, 3)
    moved = utm.copy()
    moved.loc[1, "geometry"] = moved.geometry[1].buffer(1.0, join_style="mitre")
    moved.to_file(tmp_path / "md_moved.gpkg")
    summary = import_layer(engine, "microdistricts", tmp_path / "md_moved.gpkg")
    assert (summary.updated, summary.unchanged) == (1, 2)


def test_names_a_dbf_cut_to_the_same_ten_characters_keep_their_fields(layer_db,
                                                                       tmp_path) -> None:
    """A shapefile keeps 10 characters of a name: "Действует с" and "Действует по"
    both become "Действует" (GDAL's second "Действуе_1"), and the dates went to the
    wrong fields; "cadastral_value_kzt" before "cadastral_number" left the number in
    "cadastra_1" and every parcel was refused as a number, not text."""
    import geopandas as gpd

    _, engine = layer_db
    zones = gpd.GeoDataFrame({
        "Вид": ["green"], "Наименование": ["Сквер у школы"], "Действует с": ["01.07.2015"],
        "Действует по": ["31.12.2030"]},
        geometry=[box(71.30, 42.85, 71.31, 42.86)], crs=4326)
    (tmp_path / "z").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL on the names it cuts
        zones.to_file(tmp_path / "z" / "zones.shp", encoding="cp1251")
    summary = import_layer(engine, "zones", tmp_path / "z" / "zones.shp")
    assert (summary.inserted, summary.rejected) == (1, [])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT valid_from::text, valid_to::text FROM zones "
                                 "WHERE name = 'Сквер у школы'")).one() == (
            "2015-07-01", "2030-12-31")

    parcels = gpd.GeoDataFrame.from_features(_parcel_features(["06:097:005:001"]), crs=4326)
    parcels["cadastral_value_kzt"] = 2121000
    parcels = parcels[["cadastral_value_kzt", "cadastral_number", "land_use",
                       "declared_area_ha", "geometry"]]
    (tmp_path / "p").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        parcels.to_file(tmp_path / "p" / "parcels.shp", encoding="utf-8")
    summary = import_layer(engine, "parcels", tmp_path / "p" / "parcels.shp")
    assert (summary.inserted, summary.rejected) == (1, [])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT cadastral_value_kzt FROM parcels WHERE "
                                 "cadastral_number = '06:097:005:001'")).scalar_one() == 2121000


def test_a_file_without_an_optional_column_leaves_its_stored_values(layer_db,
                                                                     tmp_path) -> None:
    """An extract of the register without valuations or holders does not erase them
    (as an export that says nothing of a complaint's department leaves it); a column
    present but empty does empty them."""
    _, engine = layer_db
    features = _parcel_features(["06:097:006:001", "06:097:006:002"])
    for f in features:
        f["properties"] |= {"holder": "ТОО «Жер»", "cadastral_value_kzt": 5000000}
    whole = tmp_path / "whole.geojson"
    whole.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    assert import_layer(engine, "parcels", whole).inserted == 2
    for f in features:
        del f["properties"]["holder"], f["properties"]["cadastral_value_kzt"]
    extract = tmp_path / "extract.geojson"
    extract.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    summary = import_layer(engine, "parcels", extract)
    assert (summary.updated, summary.unchanged) == (0, 2)
    for f in features:
        f["properties"]["holder"] = None
    emptied = tmp_path / "emptied.geojson"
    emptied.write_text(json.dumps(feature_collection(features), ensure_ascii=False))
    assert import_layer(engine, "parcels", emptied).updated == 2
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT DISTINCT holder, cadastral_value_kzt FROM parcels "
            "WHERE cadastral_number LIKE '06:097:006:%'")).all() == [(None, 5000000)]
