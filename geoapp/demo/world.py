"""The reference data of the synthetic city for a seed: microdistricts, zones,
buildings and parcels, in stored form (EPSG:4326, rounded) plus the local-metre
geometry a reader would compute from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geoapp.demo import geo
from geoapp.demo.addresses import canonical, canonical_kk
from geoapp.demo.cadastre import complete_parcels
from geoapp.demo.decoys import plant_free_decoys, plant_zone_decoys
from geoapp.demo.edges import add_parks, lay_out_edges
from geoapp.demo.housing import lay_out_housing
from geoapp.demo.layout import Layout, ZonePlan, build_layout
from geoapp.demo.register import Register
from geoapp.demo.rng import stream
from geoapp.demo.sites import SiteFinder
from geoapp.demo.violations import plant_double_allocations, plant_in_zones

TOTAL_POPULATION = 430_000
FIFTEEN_POPULATION_FACTOR = 1.14  # residents not on the address register


@dataclass
class World:
    seed: int
    layout: Layout
    reg: Register
    # microdistricts, in layout order (15 мкр first)
    md_names: list[str]
    md_names_kk: list[str]
    md_population: list[int]
    md_geoms: np.ndarray  # EPSG:4326
    md_local: np.ndarray  # the stored geometry back in local metres
    zones: tuple[ZonePlan, ...]
    zone_geoms: np.ndarray  # EPSG:4326
    # buildings
    b_address: list[str]
    b_address_kk: list[str]
    b_x: np.ndarray  # local metres of the stored point
    b_y: np.ndarray
    b_lon: np.ndarray
    b_lat: np.ndarray
    b_residents: np.ndarray
    b_district: np.ndarray
    b_parcel: np.ndarray
    b_heating: list[str]
    # parcels
    p_cadastral: list[str]
    p_declared_ha: list[float]
    p_decision: list[str]
    p_geoms: np.ndarray  # EPSG:4326
    p_local: np.ndarray  # the stored geometry back in local metres
    p_area_m2: np.ndarray
    p_district: np.ndarray


def _district_of(layout: Layout, xy: np.ndarray) -> np.ndarray:
    out = np.full(len(xy), -1, dtype=np.int64)
    for k, district in enumerate(layout.districts):
        hit = shapely.contains_xy(district.geom, xy[:, 0], xy[:, 1])
        out[(out < 0) & hit] = k
    if (out < 0).any():
        raise RuntimeError("a place outside every microdistrict")
    return out


def _populations(layout: Layout, residents: np.ndarray, districts: np.ndarray) -> list[int]:
    per = np.bincount(districts, weights=residents, minlength=len(layout.districts))
    fifteen = int(round(per[0] * FIFTEEN_POPULATION_FACTOR, -1))
    rest = (TOTAL_POPULATION - fifteen) * per[1:] / per[1:].sum()
    return [fifteen, *(int(round(v, -1)) for v in rest)]


def _lay_out(seed: int, layout: Layout) -> Register:
    reg = Register()
    plant_in_zones(layout, reg, stream(seed, "violations"))
    plant_zone_decoys(layout, reg, stream(seed, "decoys", "zones"))
    add_parks(layout, reg)
    zones = shapely.union_all([z.geom for z in layout.zones])
    exclusion = shapely.union_all([zones.buffer(15), reg.occupied(15)])
    lay_out_housing(layout, reg, exclusion, seed)
    finder = SiteFinder(layout.city, [d.geom for d in layout.districts],
                        [z.geom for z in layout.zones], reg)
    plant_double_allocations(reg, finder, stream(seed, "violations", "double"))
    plant_free_decoys(reg, finder, stream(seed, "decoys", "free"))
    lay_out_edges(layout, reg, stream(seed, "edges"))
    return reg


def build_world(seed: int) -> World:
    layout = build_layout()
    reg = _lay_out(seed, layout)
    b_lon, b_lat = geo.lonlat(np.array([b.x for b in reg.buildings]),
                              np.array([b.y for b in reg.buildings]))
    b_x, b_y = geo.local_xy(b_lon, b_lat)
    residents = np.array([b.residents for b in reg.buildings], dtype=np.int64)
    b_district = np.array([b.district for b in reg.buildings], dtype=np.int64)
    if not (_district_of(layout, np.column_stack([b_x, b_y])) == b_district).all():
        raise RuntimeError("a building outside its microdistrict")
    address = [canonical(reg.areas[b.area], b.number) for b in reg.buildings]
    if len(set(address)) != len(address):
        raise RuntimeError("duplicate building addresses")
    address_kk = [canonical_kk(reg.areas[b.area], b.number) for b in reg.buildings]
    p_geoms = geo.to_wgs(reg.parcel_geoms())
    p_local = geo.to_local(p_geoms)
    p_area = shapely.area(p_local)
    p_district = _district_of(layout, shapely.get_coordinates(
        shapely.point_on_surface(p_local)))
    for p, d in zip(reg.parcels, p_district.tolist(), strict=True):
        p.district = d
    labels = [_condo_label(reg, k) for k in range(len(reg.parcels))]
    numbers, declared, refs = complete_parcels(reg, labels, p_area, stream(seed, "cadastre"))
    md_geoms = geo.to_wgs(np.array([d.geom for d in layout.districts], dtype=object))
    return World(
        seed=seed, layout=layout, reg=reg,
        md_names=[d.name for d in layout.districts],
        md_names_kk=[d.name_kk for d in layout.districts],
        md_population=_populations(layout, residents, b_district),
        md_geoms=md_geoms, md_local=geo.to_local(md_geoms),
        zones=layout.zones,
        zone_geoms=geo.to_wgs(np.array([z.geom for z in layout.zones], dtype=object)),
        b_address=address, b_address_kk=address_kk, b_x=b_x, b_y=b_y, b_lon=b_lon,
        b_lat=b_lat, b_residents=residents, b_district=b_district,
        b_parcel=np.array([b.parcel for b in reg.buildings], dtype=np.int64),
        b_heating=[b.heating for b in reg.buildings],
        p_cadastral=numbers, p_declared_ha=declared, p_decision=refs, p_geoms=p_geoms,
        p_local=p_local, p_area_m2=p_area, p_district=p_district,
    )


def _condo_label(reg: Register, parcel: int) -> str:
    b = reg.parcels[parcel].building
    if b < 0:
        return ""
    area = reg.areas[reg.buildings[b].area]
    return f"{area.ru}-{reg.buildings[b].number}" if area.kind == "mkr" else (
        f"{area.ru} {reg.buildings[b].number}")

