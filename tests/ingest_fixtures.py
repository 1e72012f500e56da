"""A small hand-made Taraz for ingestion tests: two microdistricts, a street,
a few buildings and parcels, written as the files an official would import."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from shapely.geometry import Point, box, mapping
from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from geoapp.ingest.complaint_summary import ImportSummary

# Two microdistricts side by side near the centre of Taraz.
MKR15 = box(71.370, 42.900, 71.380, 42.906)
ZHAILAU = box(71.380, 42.900, 71.390, 42.906)

BUILDINGS = [
    ("15 мкр, 7", "15 шағын аудан, 7 үй", Point(71.3720, 42.9020), 48, "central"),
    ("15 мкр, 8", None, Point(71.3740, 42.9020), 52, "central"),
    ("мкр. Жайлау, 12", "Жайлау ш.а., 12 үй", Point(71.3850, 42.9030), 60, "central"),
    ("ул. Толе би, 45А", "Төле би көшесі, 45А", Point(71.3860, 42.9050), 5, "individual"),
    ("ул. Толе би, 47", None, Point(71.3866, 42.9050), 4, "individual"),
]
PARCELS = [
    ("06:097:001:001", box(71.3715, 42.9015, 71.3725, 42.9025), "residential"),
    ("06:097:001:002", box(71.3845, 42.9025, 71.3855, 42.9035), "residential"),
]


def feature_collection(features: list[dict], crs: str | None = None) -> dict:
    data: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return data


def write_reference_layers(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    layers = {
        "microdistricts": [
            {"type": "Feature", "geometry": mapping(MKR15),
             "properties": {"Название": "15 мкр", "name_kk": "15 шағын аудан",
                            "Население": 3200}},
            {"type": "Feature", "geometry": mapping(ZHAILAU),
             "properties": {"Название": "мкр. Жайлау", "name_kk": "Жайлау ш.а.",
                            "Население": 21000}},
        ],
        "buildings": [
            {"type": "Feature", "geometry": mapping(point),
             "properties": {"Адрес": address, "address_kk": kk, "residents": residents,
                            "heating": heating}}
            for address, kk, point, residents, heating in BUILDINGS
        ],
        "parcels": [
            {"type": "Feature", "geometry": mapping(shape),
             "properties": {"Кадастровый номер": number, "land_use": use,
                            "declared_area_ha": "0,9", "status": "active"}}
            for number, shape, use in PARCELS
        ],
    }
    paths = {}
    for kind, features in layers.items():
        path = folder / f"{kind}.geojson"
        path.write_text(json.dumps(feature_collection(features), ensure_ascii=False),
                        encoding="utf-8")
        paths[kind] = path
    return paths


def migrated_with_layers(url: str, folder: Path) -> Engine:
    """An engine on `url`, migrated, with the small Taraz's layers imported."""
    from geoapp.db import make_engine
    from geoapp.ingest.layers import import_layer
    from geoapp.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    paths = write_reference_layers(folder)
    for kind in ("microdistricts", "buildings", "parcels"):
        import_layer(engine, kind, paths[kind])
    return engine


def database_with_layers(name: str) -> Callable[..., Any]:
    """A test module's database fixture, `name`: a database of its own, migrated, with
    the small Taraz's layers imported; yields (url, engine)."""
    @pytest.fixture(scope="module", name=name)
    def database(new_database, tmp_path_factory) -> Iterator[tuple[str, Engine]]:
        url = new_database(name.removesuffix("_db"))
        engine = migrated_with_layers(url, tmp_path_factory.mktemp("layers"))
        yield url, engine
        engine.dispose()
    return database


def without_complaints(engine: Engine) -> Engine:
    """`engine` once the complaints, their events and the import batches an earlier
    test left are gone (the layers stay)."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE complaints, complaint_events, import_batches CASCADE"))
    return engine


def stored_with_building(engine: Engine, external_id: str) -> dict:
    """The stored complaint with its point and its building's address."""
    with engine.connect() as conn:
        return dict(conn.execute(text("""
            SELECT c.*, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, b.address AS building
            FROM complaints c LEFT JOIN buildings b ON b.id = c.building_id
            WHERE external_id = :e"""), {"e": external_id}).mappings().one())


def run_import(engine: Engine, path: Path, tmp_path: Path, **options: object
               ) -> tuple[ImportSummary, list[list[str]]]:
    """import_complaints with a rejects file: its summary and the rejected rows."""
    from geoapp.config import Settings
    from geoapp.ingest.complaints import import_complaints

    rejects = tmp_path / "rejects.csv"
    summary = import_complaints(engine, path, settings=Settings.from_env(),
                                rejects_path=rejects, **options)  # type: ignore[arg-type]
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        return summary, list(csv.reader(fh, delimiter=";"))[1:]


# A 109 export's columns, and one of its rows.
HEADER = ["Номер обращения", "Дата обращения", "Источник", "Категория", "Текст обращения",
          "Адрес", "Широта", "Долгота", "Статус", "Дата исполнения", "Исполнитель", "ФИО",
          "Телефон"]


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
