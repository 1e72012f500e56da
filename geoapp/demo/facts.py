"""The planted facts about the reference data, measured on the stored geometry
(EPSG:4326 back in EPSG:32642 metres), for the manifest."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from geoapp.demo.decoys import DECOY_NOTES
from geoapp.demo.geo import to_local
from geoapp.demo.plan import outage_buildings, violating_parcels
from geoapp.demo.violations import (
    STATE_NEEDS_VALUE_KZT,
    TAG_DOUBLE,
    TAG_STATE_NEEDS,
    TAG_WATER,
)
from geoapp.demo.world import World


def _ha(m2: float) -> float:
    return round(m2 / 10_000, 4)


def _parcel_entry(world: World, k: int) -> dict[str, Any]:
    p = world.reg.parcels[k]
    return {
        "cadastral_number": world.p_cadastral[k],
        "land_use": p.land_use,
        "holder": p.holder,
        "allocated_at": p.allocated_at.isoformat() if p.allocated_at else None,
        "status": p.status,
        "area_ha": _ha(float(world.p_area_m2[k])),
        "declared_area_ha": world.p_declared_ha[k],
        "cadastral_value_kzt": p.value_kzt,
        "microdistrict": world.md_names[int(world.p_district[k])],
    }


def _zone_of(world: World, name: str) -> dict[str, Any]:
    zone = next(z for z in world.zones if z.name == name)
    return {"zone": zone.name, "zone_kind": zone.kind,
            "zone_valid_from": zone.valid_from.isoformat()}


def outage_reference(world: World) -> dict[str, Any]:
    blocks = outage_buildings(world)
    return {
        "microdistrict": world.md_names[0],
        "microdistrict_kk": world.md_names_kk[0],
        "category": "housing_utilities.heating",
        "heating_season": "15 October - 15 April",
        "outage_seasons": ["2022-23", "2023-24"],
        "quiet_season": "2024-25",
        "buildings_count": len(blocks),
        "buildings_residents": int(world.b_residents[blocks].sum()),
        "microdistrict_population": world.md_population[0],
        "building_addresses": [world.b_address[b] for b in blocks.tolist()],
    }


def land_violations(world: World) -> dict[str, Any]:
    tags = [p.tag for p in world.reg.parcels]
    violating = violating_parcels(world)
    union = shapely.union_all(world.p_local[violating])

    def group(tag: str) -> list[int]:
        return [k for k in violating.tolist() if tags[k] == tag]

    state = group(TAG_STATE_NEEDS)
    state_entries = [{**_parcel_entry(world, k), **_zone_of(world, world.reg.parcels[k].note)}
                     for k in state]
    pairs = []
    for k in group(TAG_DOUBLE):
        older = world.reg.parcels[k].pair
        overlap = world.p_local[k].intersection(world.p_local[older]).area
        pairs.append({
            "newer": _parcel_entry(world, k), "older": _parcel_entry(world, older),
            "shift_m": float(world.reg.parcels[k].note.split()[1]),
            "overlap_share_of_newer": round(overlap / float(world.p_area_m2[k]), 4),
        })
    newer = group(TAG_DOUBLE)
    with_older = newer + [world.reg.parcels[k].pair for k in newer]
    water = group(TAG_WATER)
    water_name = next(z.name for z in world.zones if z.kind == "water_protection")
    values = sum(world.reg.parcels[k].value_kzt or 0 for k in state)
    if values != STATE_NEEDS_VALUE_KZT:
        raise RuntimeError("state-needs parcel values drifted")
    return {
        "total_union_area_ha": _ha(union.area),
        "area_method": "area of the union of the violating parcels' stored geometry, "
                       "projected to EPSG:32642",
        "violating_cadastral_numbers": [world.p_cadastral[k] for k in violating.tolist()],
        "state_needs": {
            "description": "allocated after the state-needs zone took effect, inside it",
            "count": len(state),
            "area_ha": _ha(shapely.union_all(world.p_local[state]).area),
            "cadastral_value_kzt_total": int(values),
            "parcels": state_entries,
        },
        "double_allocation": {
            "description": "a newer active parcel on most of an older one's footprint; "
                           "the newer one is the violation",
            "count": len(pairs),
            "area_ha": _ha(shapely.union_all(world.p_local[newer]).area),
            "area_ha_with_older": _ha(shapely.union_all(world.p_local[with_older]).area),
            "pairs": pairs,
        },
        "water_protection": {
            "description": "individual housing or commercial use inside the "
                           "water-protection strip",
            "zone": water_name,
            "count": len(water),
            "area_ha": _ha(shapely.union_all(world.p_local[water]).area),
            "parcels": [_parcel_entry(world, k) for k in water],
        },
    }


def clean_decoys(world: World) -> list[dict[str, Any]]:
    return [{"kind": p.tag, "note": DECOY_NOTES[p.tag], **_parcel_entry(world, k)}
            for k, p in enumerate(world.reg.parcels) if p.tag in DECOY_NOTES]


def reference_summary(world: World) -> dict[str, Any]:
    counts = np.bincount(world.b_district, minlength=len(world.md_names))
    residents = np.bincount(world.b_district, weights=world.b_residents,
                            minlength=len(world.md_names))
    zones = [{"kind": z.kind, "name": z.name, "valid_from": z.valid_from.isoformat(),
              "area_ha": _ha(float(shapely.area(g)))}
             for z, g in zip(world.zones, to_local(world.zone_geoms), strict=True)]
    return {
        "microdistricts": [
            {"name": n, "name_kk": kk, "population": pop, "buildings": int(c),
             "residents_on_register": int(r)}
            for n, kk, pop, c, r in zip(world.md_names, world.md_names_kk,
                                        world.md_population, counts.tolist(),
                                        residents.tolist(), strict=True)],
        "zones": zones,
        "parcels_by_land_use": _count([p.land_use for p in world.reg.parcels]),
        "parcels_by_status": _count([p.status for p in world.reg.parcels]),
    }


def _count(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))
