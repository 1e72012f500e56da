"""What a background complaint is about: a building (weighted by its residents, and by
what the category needs: central heating, a lift, a block of flats), a parcel, or a
place near a building (a road, a stop, a yard)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geoapp.demo.plan import VIOLATION_TAGS
from geoapp.demo.world import World
from geoapp.taxonomy import CATEGORY_CODES

SUBJECT_BUILDING, SUBJECT_PARCEL, SUBJECT_PLACE = 0, 1, 2
POINTS_PER_PARCEL = 8

_POOL_OF_CATEGORY = {
    "housing_utilities.heating": "central_elsewhere", "housing_utilities.hot_water": "central",
    "housing_utilities.cold_water": "residents", "housing_utilities.sewage": "residents",
    "housing_utilities.electricity": "residents", "housing_utilities.gas": "gas",
    "housing_utilities.elevator": "elevator", "housing_utilities.roof": "blocks",
    "housing_utilities.management": "blocks",
    "land.illegal_allocation": "parcel", "land.encroachment": "parcel",
    "land.boundary": "parcel", "land.land_use": "parcel",
    "roads": "place", "transport": "place", "landscaping": "place",
    "waste": "residents", "public_order": "residents", "social": "residents",
    "other": "residents",
}
# Every heating complaint from 15 мкр is a planted one: background heating complaints
# come from the centrally heated buildings of the other microdistricts.
POOLS = ("central", "residents", "gas", "elevator", "blocks", "parcel", "place",
         "central_elsewhere")
POOL_OF_CATEGORY = np.array([POOLS.index(_POOL_OF_CATEGORY[c]) for c in CATEGORY_CODES])


@dataclass
class Pool:
    items: np.ndarray
    cumulative: np.ndarray

    def sample(self, u: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.cumulative, u * self.cumulative[-1], side="right")
        return self.items[np.minimum(pos, len(self.items) - 1)]


def _pool(items: np.ndarray, weights: np.ndarray) -> Pool:
    keep = weights > 0
    return Pool(items[keep], np.cumsum(weights[keep].astype(float)))


@dataclass
class Subjects:
    pools: list[Pool]
    parcel_points: np.ndarray  # (parcels, POINTS_PER_PARCEL, 2) local metres, inside
    parcel_ref_building: np.ndarray  # the parcel's building, or the nearest within 300 m


def _interior_points(world: World, rng: np.random.Generator) -> np.ndarray:
    inner = shapely.buffer(world.p_local, -1.5, join_style="mitre")
    bounds = shapely.bounds(inner)
    tries = 24
    u = rng.random((len(inner), tries, 2))
    xs = bounds[:, [0]] + u[:, :, 0] * (bounds[:, [2]] - bounds[:, [0]])
    ys = bounds[:, [1]] + u[:, :, 1] * (bounds[:, [3]] - bounds[:, [1]])
    ok = shapely.contains_xy(inner[:, None], xs, ys)
    first = np.argsort(~ok, axis=1, kind="stable")  # columns of the hits come first
    count = np.maximum(ok.sum(axis=1), 1)
    cols = first[np.arange(len(inner))[:, None],
                 np.arange(POINTS_PER_PARCEL)[None, :] % count[:, None]]
    rows = np.arange(len(inner))[:, None]
    out = np.stack([xs[rows, cols], ys[rows, cols]], axis=-1)
    empty = ~ok.any(axis=1)
    if empty.any():
        fallback = shapely.get_coordinates(shapely.point_on_surface(world.p_local[empty]))
        out[empty] = fallback[:, None, :]
    return out


def _reference_buildings(world: World) -> np.ndarray:
    ref = np.full(len(world.p_local), -1, dtype=np.int64)
    own = world.b_parcel >= 0
    ref[world.b_parcel[own]] = np.flatnonzero(own)
    tree = shapely.STRtree(shapely.points(world.b_x, world.b_y))
    reps = shapely.point_on_surface(world.p_local)
    src, dst = tree.query_nearest(reps, max_distance=300.0, all_matches=False)
    free = ref[src] < 0
    ref[src[free]] = dst[free]
    return ref


def build_subjects(world: World, rng: np.random.Generator) -> Subjects:
    b = np.arange(len(world.b_address))
    res = world.b_residents.astype(float)
    heating = np.array(world.b_heating)
    floors = np.array([x.floors for x in world.reg.buildings])
    flats = np.array([x.flats for x in world.reg.buildings])
    clean = np.array([p.tag not in VIOLATION_TAGS for p in world.reg.parcels])
    pools = {
        "central": _pool(b, np.where(heating == "central", res, 0)),
        "residents": _pool(b, res),
        "gas": _pool(b, np.where(flats > 0, res, res * 3)),
        "elevator": _pool(b, np.where(floors >= 6, res, 0)),
        "blocks": _pool(b, np.where(flats > 0, res, 0)),
        "parcel": _pool(np.arange(len(clean)), clean.astype(float)),
        "place": _pool(b, res ** 0.7),
        "central_elsewhere": _pool(b, np.where((heating == "central")
                                               & (world.b_district != 0), res, 0)),
    }
    return Subjects([pools[name] for name in POOLS], _interior_points(world, rng),
                    _reference_buildings(world))
