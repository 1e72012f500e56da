"""Writing the dataset as files in the DATA_CONTRACT formats: RFC 7946 GeoJSON layers,
the complaints as a 109-style CSV (UTF-8, `;`, Russian headers, local times), the
ground truth CSV and the manifest. Complaint files are written chunk by chunk."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import shapely

from geoapp.demo.complaints import SOURCES, Chunk
from geoapp.demo.departments import DEPARTMENTS, department_of_category
from geoapp.demo.lifecycle import NEVER, REJECTED, RESOLVED
from geoapp.demo.subjects import SUBJECT_PARCEL, SUBJECT_PLACE
from geoapp.demo.timeline import utc_to_naive
from geoapp.demo.world import World
from geoapp.taxonomy import CATEGORY_BY_CODE, CATEGORY_CODES

COMPLAINT_HEADERS = ("Номер обращения", "Дата обращения", "Источник", "Категория",
                     "Текст обращения", "Адрес", "Широта", "Долгота", "Статус",
                     "Дата исполнения", "Исполнитель", "ФИО", "Телефон", "Язык")
TRUTH_HEADERS = ("source", "external_id", "true_category", "true_microdistrict",
                 "true_address", "true_cadastral_number", "true_lon", "true_lat",
                 "true_subject", "planted")
STATUS_LABELS = ("Зарегистрировано", "Назначено", "В работе", "Исполнено", "Отказано")
SUBJECT_NAMES = ("building", "parcel", "place")
PLANTED_NAMES = ("", "heating_outage", "land_violation")
_CATEGORY_LABELS = [CATEGORY_BY_CODE[c].name_ru for c in CATEGORY_CODES]
_DEPARTMENT = department_of_category()


def _feature_lines(geoms: np.ndarray, props: Iterable[dict[str, Any]]) -> Iterable[str]:
    for geometry, p in zip(shapely.to_geojson(geoms).tolist(), props, strict=True):
        yield ('{"type":"Feature","properties":' + json.dumps(p, ensure_ascii=False)
               + ',"geometry":' + geometry + "}")


def write_layer(path: Path, name: str, geoms: np.ndarray,
                props: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write('{"type":"FeatureCollection","name":' + json.dumps(name) + ',"features":[\n')
        f.write(",\n".join(_feature_lines(geoms, props)))
        f.write("\n]}\n")


def write_layers(out_dir: Path, world: World) -> dict[str, int]:
    reg = world.reg
    write_layer(out_dir / "microdistricts.geojson", "microdistricts", world.md_geoms, (
        {"name": n, "name_kk": kk, "population": pop}
        for n, kk, pop in zip(world.md_names, world.md_names_kk, world.md_population,
                              strict=True)))
    points = shapely.points(world.b_lon, world.b_lat)
    write_layer(out_dir / "buildings.geojson", "buildings", points, (
        {"address": world.b_address[k], "address_kk": world.b_address_kk[k],
         "residents": b.residents, "floors": b.floors, "heating": b.heating,
         "microdistrict": world.md_names[b.district]}
        for k, b in enumerate(reg.buildings)))
    write_layer(out_dir / "parcels.geojson", "parcels", world.p_geoms, (
        {"cadastral_number": world.p_cadastral[k], "land_use": p.land_use,
         "holder": p.holder, "declared_area_ha": world.p_declared_ha[k],
         "cadastral_value_kzt": p.value_kzt,
         "allocated_at": p.allocated_at.isoformat() if p.allocated_at else None,
         "decision_ref": world.p_decision[k], "status": p.status}
        for k, p in enumerate(reg.parcels)))
    write_layer(out_dir / "zones.geojson", "zones", world.zone_geoms, (
        {"kind": z.kind, "name": z.name, "decision_ref": z.decision_ref,
         "valid_from": z.valid_from.isoformat(),
         "valid_to": z.valid_to.isoformat() if z.valid_to else None}
        for z in world.zones))
    return {"microdistricts": len(world.md_names), "buildings": len(reg.buildings),
            "parcels": len(reg.parcels), "zones": len(world.zones)}


def local_minutes(utc: np.ndarray) -> list[str]:
    """`dd.mm.yyyy HH:MM` in Asia/Almaty; "" where the time is NEVER."""
    naive = utc_to_naive(np.where(utc == NEVER, 0, utc)).astype("datetime64[s]")
    text = np.datetime_as_string(naive, unit="m").tolist()
    return ["" if u == NEVER else f"{s[8:10]}.{s[5:7]}.{s[:4]} {s[11:16]}"
            for s, u in zip(text, utc.tolist(), strict=True)]


class ComplaintFiles:
    """The complaints CSV and its ground truth, open while the chunks stream past."""

    def __init__(self, out_dir: Path, world: World) -> None:
        self.world = world
        self._files: list[TextIO] = [
            (out_dir / name).open("w", encoding="utf-8", newline="")
            for name in ("complaints.csv", "complaints_truth.csv")]
        self.rows = csv.writer(self._files[0], delimiter=";", lineterminator="\n")
        self.truth = csv.writer(self._files[1], delimiter=";", lineterminator="\n")
        self.rows.writerow(COMPLAINT_HEADERS)
        self.truth.writerow(TRUTH_HEADERS)

    def write(self, chunk: Chunk) -> None:
        world = self.world
        life = chunk.life
        status = life.status.tolist()
        closed = np.where((life.status == RESOLVED) | (life.status == REJECTED), life.closed,
                          NEVER)
        category = chunk.category.tolist()
        source = [SOURCES[s] for s in chunk.source.tolist()]
        self.rows.writerows(
            (ext, when, src, "" if blank else _CATEGORY_LABELS[cat], text, addr, lat, lon,
             STATUS_LABELS[st], done, DEPARTMENTS[_DEPARTMENT[cat]][0] if st else "", name,
             phone, "kk" if kk else "ru")
            for ext, when, src, cat, blank, text, addr, lat, lon, st, done, name, phone, kk
            in zip(chunk.external_id, local_minutes(chunk.received), source, category,
                   chunk.label_blank.tolist(), chunk.text, chunk.address, chunk.rep_lat,
                   chunk.rep_lon, status, local_minutes(closed), chunk.applicant,
                   chunk.phone_typed, chunk.kazakh.tolist(), strict=True))
        parcels = world.reg.parcels
        rows = zip(source, chunk.external_id, category, chunk.district.tolist(),
                   chunk.subject.tolist(), chunk.building.tolist(),
                   chunk.near_building.tolist(), chunk.parcel.tolist(), chunk.lon.tolist(),
                   chunk.lat.tolist(), chunk.kind.tolist(), strict=True)
        for src, ext, cat, district, subject, b, near, p, lon, lat, kind in rows:
            if subject == SUBJECT_PARCEL:
                b = parcels[p].building
            elif subject == SUBJECT_PLACE:
                b = near
            self.truth.writerow((
                src, ext, CATEGORY_CODES[cat], world.md_names[district],
                world.b_address[b] if b >= 0 else "", world.p_cadastral[p] if p >= 0 else "",
                f"{lon:.7f}", f"{lat:.7f}", SUBJECT_NAMES[subject], PLANTED_NAMES[kind]))

    def close(self) -> None:
        for f in self._files:
            f.close()


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
