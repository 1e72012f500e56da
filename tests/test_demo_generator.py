"""The synthetic dataset generator, checked on its files alone (no database).

A small dataset (3,000 complaints) is written once per module; the planted facts are
then recomputed from the files, independently of the generator's own bookkeeping.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geoapp.demo import DEFAULT_COMPLAINTS, write_demo

SEED = 42
SIZE = 3_000
FILES = ("microdistricts.geojson", "buildings.geojson", "parcels.geojson", "zones.geojson",
         "complaints.csv", "complaints_truth.csv", "manifest.json")
HEADER = ("Номер обращения;Дата обращения;Источник;Категория;Текст обращения;Адрес;Широта;"
          "Долгота;Статус;Дата исполнения;Исполнитель;ФИО;Телефон;Язык")
CONTRACT_FIELDS = {
    "microdistricts": {"name", "name_kk", "population"},
    "buildings": {"address", "address_kk", "residents", "floors", "heating"},
    "parcels": {"cadastral_number", "land_use", "holder", "declared_area_ha",
                "cadastral_value_kzt", "allocated_at", "decision_ref", "status"},
    "zones": {"kind", "name", "decision_ref", "valid_from", "valid_to"},
}
BBOX = (71.25, 42.82, 71.50, 42.97)
METRIC = 32642
SEASONS = {"2022-23": (date(2022, 10, 15), date(2023, 4, 15)),
           "2023-24": (date(2023, 10, 15), date(2024, 4, 15)),
           "2024-25": (date(2024, 10, 15), date(2025, 4, 15))}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "a"
    seen: list[tuple[int, int]] = []
    write_demo(path, seed=SEED, complaints=SIZE, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (SIZE, SIZE)
    return path


@pytest.fixture(scope="module")
def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def layers(out: Path) -> dict[str, gpd.GeoDataFrame]:
    # GDAL reads "06:097:606:003" as a time unless told to keep dates as text.
    return {name: gpd.read_file(out / f"{name}.geojson", DATE_AS_STRING="YES")
            for name in CONTRACT_FIELDS}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


@pytest.fixture(scope="module")
def complaints(out: Path) -> list[dict[str, str]]:
    return _csv(out / "complaints.csv")


@pytest.fixture(scope="module")
def truth(out: Path) -> list[dict[str, str]]:
    return _csv(out / "complaints_truth.csv")


def _season(day: date) -> str | None:
    return next((name for name, (a, b) in SEASONS.items() if a <= day <= b), None)


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%d.%m.%Y %H:%M")


# -- determinism ---------------------------------------------------------------------

def test_same_seed_and_size_give_byte_identical_files(out: Path, tmp_path: Path) -> None:
    write_demo(tmp_path, seed=SEED, complaints=SIZE)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_another_seed_gives_another_dataset(out: Path, tmp_path: Path) -> None:
    write_demo(tmp_path, seed=SEED + 1, complaints=500)
    for name in ("buildings.geojson", "parcels.geojson"):
        assert (tmp_path / name).read_bytes() != (out / name).read_bytes(), name


# -- formats ------------------------------------------------------------------------

def test_layers_are_rfc7946_with_the_contract_fields(
        layers: dict[str, gpd.GeoDataFrame]) -> None:
    for name, frame in layers.items():
        assert frame.crs.to_epsg() == 4326, name
        assert CONTRACT_FIELDS[name] <= set(frame.columns), name
        assert frame.geometry.is_valid.all(), name
        x0, y0, x1, y1 = frame.total_bounds
        assert BBOX[0] < x0 and x1 < BBOX[2] and BBOX[1] < y0 and y1 < BBOX[3], name
    assert set(layers["buildings"].geom_type) == {"Point"}
    assert layers["buildings"]["address"].is_unique
    assert layers["parcels"]["cadastral_number"].is_unique
    assert layers["parcels"]["cadastral_number"].str.fullmatch(r"06:097:\d{3}:\d{3}").all()
    assert layers["microdistricts"]["name"].is_unique
    assert "15 мкр" in set(layers["microdistricts"]["name"])
    assert 425_000 <= layers["microdistricts"]["population"].sum() <= 435_000
    assert {"state_needs", "water_protection", "green"} <= set(layers["zones"]["kind"])


def test_geojson_rings_are_counter_clockwise(out: Path) -> None:
    data = json.loads((out / "zones.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        shape = shapely.geometry.shape(feature["geometry"])
        for part in shapely.get_parts(shape):
            assert part.exterior.is_ccw


def test_complaints_csv_is_a_109_export(out: Path, complaints: list[dict[str, str]]) -> None:
    first = (out / "complaints.csv").read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first == HEADER
    assert len(complaints) == SIZE
    statuses = {"Зарегистрировано", "Назначено", "В работе", "Исполнено", "Отказано"}
    assert {r["Статус"] for r in complaints} <= statuses
    assert {r["Язык"] for r in complaints} == {"ru", "kk"}
    stamp = re.compile(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}")
    assert all(stamp.fullmatch(r["Дата обращения"]) for r in complaints)
    received = [_when(r["Дата обращения"]) for r in complaints]
    assert datetime(2022, 10, 1) <= min(received) and max(received) < datetime(2025, 1, 1)
    keys = Counter((r["Источник"], r["Номер обращения"]) for r in complaints)
    assert max(keys.values()) == 1
    no_address = sum(not r["Адрес"] for r in complaints) / SIZE
    no_coords = sum(not r["Широта"] for r in complaints) / SIZE
    assert 0.02 < no_address < 0.09 and 0.2 < no_coords < 0.4
    assert any("," in r["Широта"] for r in complaints)  # decimal commas as noise
    kazakh = sum(r["Язык"] == "kk" for r in complaints) / SIZE
    assert 0.2 < kazakh < 0.4
    for r in complaints:
        digits = re.sub(r"\D", "", r["Телефон"])
        assert not digits or (len(digits) == 11 and digits[1] == "7"), r["Телефон"]


def test_truth_file_matches_the_complaints(complaints: list[dict[str, str]],
                                          truth: list[dict[str, str]]) -> None:
    assert [r["Номер обращения"] for r in complaints] == [r["external_id"] for r in truth]
    groups = Counter(r["true_category"].split(".")[0] for r in truth)
    assert 0.30 < groups["housing_utilities"] / SIZE < 0.45
    assert 0.20 < groups["land"] / SIZE < 0.30


def test_manifest_says_synthetic(manifest: dict) -> None:
    assert manifest["synthetic"] is True
    assert "SYNTHETIC" in manifest["note"]
    assert manifest["seed"] == SEED
    assert manifest["sizes"]["complaints"] == SIZE
    assert 30_000 <= DEFAULT_COMPLAINTS <= 36_000


# -- planted fact (a): the heating outage in 15 мкр -----------------------------------

def test_fifteen_has_58_centrally_heated_blocks_with_2800_residents(
        layers: dict[str, gpd.GeoDataFrame], manifest: dict) -> None:
    md = layers["microdistricts"]
    fifteen = md.loc[md["name"] == "15 мкр", "geometry"].iloc[0]
    b = layers["buildings"]
    inside = b[b.within(fifteen)]
    central = inside[inside["heating"] == "central"]
    assert len(central) == 58
    assert 2_790 <= central["residents"].sum() <= 2_810
    assert 3_000 <= md.loc[md["name"] == "15 мкр", "population"].iloc[0] <= 3_400
    fact = manifest["planted_facts"]["heating_outage"]
    assert sorted(fact["building_addresses"]) == sorted(central["address"])
    assert fact["buildings_residents"] == central["residents"].sum()


def test_outage_complaints_come_in_the_two_seasons_only(
        layers: dict[str, gpd.GeoDataFrame], complaints: list[dict[str, str]],
        truth: list[dict[str, str]], manifest: dict) -> None:
    blocks = set(manifest["planted_facts"]["heating_outage"]["building_addresses"])
    per_season: dict[str | None, Counter[str]] = {}
    for row, t in zip(complaints, truth, strict=True):
        if t["true_category"] != "housing_utilities.heating" or t["true_microdistrict"] != (
                "15 мкр"):
            continue
        season = _season(_when(row["Дата обращения"]).date())
        per_season.setdefault(season, Counter())[t["true_address"]] += 1
        assert t["planted"] == "heating_outage"  # no background heating there at all
        assert t["true_address"] in blocks
        assert row["Статус"] == "Исполнено"
        assert datetime(2024, 4, 16) <= _when(row["Дата исполнения"]) < datetime(2025, 1, 1)
    assert set(per_season) == {"2022-23", "2023-24"}
    for season in ("2022-23", "2023-24"):
        assert set(per_season[season]) == blocks  # every one of the 58 buildings
    planted = sum(t["planted"] == "heating_outage" for t in truth)
    figures = manifest["planted_facts"]["heating_outage"]
    assert planted == figures["complaints_total"] == max(round(0.022 * SIZE), 2 * 58)
    assert figures["complaints_by_season"]["2024-25"] == 0


def test_no_other_microdistrict_looks_like_an_outage(truth: list[dict[str, str]],
                                                     complaints: list[dict[str, str]]) -> None:
    heating = Counter()
    for row, t in zip(complaints, truth, strict=True):
        if t["true_category"] == "housing_utilities.heating" and t["planted"] == "":
            day = _when(row["Дата обращения"]).date()
            assert _season(day) is not None  # heating complaints only in the seasons
            heating[t["true_address"]] += 1
    assert max(heating.values()) <= 4  # thinly spread over the centrally heated blocks


# -- planted fact (b): improperly allocated parcels -----------------------------------

def _metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(METRIC)


def test_violating_parcels_total_11_ha_and_94_million(
        layers: dict[str, gpd.GeoDataFrame], manifest: dict) -> None:
    facts = manifest["planted_facts"]["land_violations"]
    parcels = _metric(layers["parcels"]).set_index("cadastral_number")
    violating = parcels.loc[facts["violating_cadastral_numbers"]]
    assert violating.union_all().area / 10_000 == pytest.approx(11.0, abs=0.5)
    state = [p["cadastral_number"] for p in facts["state_needs"]["parcels"]]
    assert parcels.loc[state, "cadastral_value_kzt"].sum() == pytest.approx(94e6, abs=1e6)
    for pair in facts["double_allocation"]["pairs"]:
        newer = parcels.loc[pair["newer"]["cadastral_number"], "geometry"]
        older = parcels.loc[pair["older"]["cadastral_number"], "geometry"]
        assert newer.intersection(older).area > 0.5 * newer.area
        assert pair["newer"]["allocated_at"] > pair["older"]["allocated_at"]


def _zone_hits(parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
               kind: str) -> list[tuple[str, str]]:
    """(cadastral number, zone valid_from) of parcels with more than 1 m² in a zone."""
    hits = []
    for zone in zones[zones["kind"] == kind].itertuples():
        for parcel in parcels[parcels.intersects(zone.geometry)].itertuples():
            if parcel.geometry.intersection(zone.geometry).area > 1.0:
                hits.append((parcel.cadastral_number, zone.valid_from))
    return hits


def test_violations_recomputed_from_the_layers_match_the_manifest(
        layers: dict[str, gpd.GeoDataFrame], manifest: dict) -> None:
    facts = manifest["planted_facts"]["land_violations"]
    parcels = _metric(layers["parcels"])
    zones = _metric(layers["zones"])
    by_number = parcels.set_index("cadastral_number")
    late = {num for num, valid_from in _zone_hits(parcels, zones, "state_needs")
            if by_number.loc[num, "allocated_at"] >= valid_from
            and by_number.loc[num, "status"] == "active"}
    assert late == {p["cadastral_number"] for p in facts["state_needs"]["parcels"]}
    in_strip = {num for num, _ in _zone_hits(parcels, zones, "water_protection")
                if by_number.loc[num, "land_use"] not in ("recreation", "public")}
    assert in_strip == {p["cadastral_number"] for p in facts["water_protection"]["parcels"]}
    overlaps = set()
    tree = shapely.STRtree(parcels.geometry.values)
    left, right = tree.query(parcels.geometry.values, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            a, b = parcels.geometry.iloc[i], parcels.geometry.iloc[j]
            shared = a.intersection(b).area
            if shared > 100 and shared > 0.01 * min(a.area, b.area):
                pair = sorted([parcels.iloc[i], parcels.iloc[j]],
                              key=lambda p: p["allocated_at"])
                overlaps.add(pair[1]["cadastral_number"])
    assert overlaps == {p["newer"]["cadastral_number"]
                        for p in facts["double_allocation"]["pairs"]}


def test_clean_parcels_and_decoys_break_no_rule(layers: dict[str, gpd.GeoDataFrame],
                                                 manifest: dict) -> None:
    facts = manifest["planted_facts"]["land_violations"]
    violating = set(facts["violating_cadastral_numbers"])
    parcels = _metric(layers["parcels"])
    clean = parcels[~parcels["cadastral_number"].isin(violating)]
    ratio = clean["declared_area_ha"] * 10_000 / clean.area
    assert ratio.between(0.98, 1.02).all()
    decoys = {d["kind"]: d["cadastral_number"] for d in manifest["planted_facts"]["clean_decoys"]}
    assert {"decoy_touching_state_needs", "decoy_sliver_overlap",
            "decoy_allocated_day_before_zone", "decoy_multipolygon",
            "decoy_with_hole"} <= set(decoys)
    by_number = clean.set_index("cadastral_number")
    assert by_number.loc[decoys["decoy_multipolygon"]].geometry.geom_type == "MultiPolygon"
    assert len(by_number.loc[decoys["decoy_with_hole"]].geometry.interiors) == 1
    zones = _metric(layers["zones"])
    for num, valid_from in _zone_hits(clean, zones, "state_needs"):
        assert by_number.loc[num, "allocated_at"] < valid_from
    touching = by_number.loc[decoys["decoy_touching_state_needs"]].geometry
    assert zones[zones["kind"] == "state_needs"].intersects(touching).any()


def test_land_complaints_point_into_the_violating_parcels(
        layers: dict[str, gpd.GeoDataFrame], truth: list[dict[str, str]],
        manifest: dict) -> None:
    facts = manifest["planted_facts"]["land_violations"]
    parcels = layers["parcels"].set_index("cadastral_number")
    planted = [t for t in truth if t["planted"] == "land_violation"]
    assert {t["true_cadastral_number"] for t in planted} == set(
        facts["violating_cadastral_numbers"])
    for t in planted:
        assert t["true_category"] in ("land.illegal_allocation", "land.encroachment")
        point = shapely.Point(float(t["true_lon"]), float(t["true_lat"]))
        assert parcels.loc[t["true_cadastral_number"], "geometry"].contains(point)
