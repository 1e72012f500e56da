"""The planted land violations (fact b), about 11 ha in all:

(i)   parcels allocated after a state-needs zone took effect, lying inside it, worth
      94 million tenge together;
(ii)  double allocations: a newer active parcel on the footprint of an older one,
      shifted by a few metres;
(iii) individual-housing and commercial parcels in the water-protection strip.

Sizes are planned first so that the union area of all violating parcels comes out at
11.0 ha: (iii) takes what (i) and (ii) leave.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry.base import BaseGeometry

from geoapp.demo.geo import box
from geoapp.demo.layout import SCHOOL_SITE, SPORT_SITE, Layout
from geoapp.demo.people import company, person_name
from geoapp.demo.register import Parcel, Register
from geoapp.demo.sites import SiteFinder

TARGET_UNION_HA = 11.0
STATE_NEEDS_VALUE_KZT = 94_000_000

TAG_STATE_NEEDS = "violation_state_needs"
TAG_DOUBLE = "violation_double_allocation"
TAG_DOUBLE_ORIGINAL = "double_allocation_original"
TAG_WATER = "violation_water_protection"

# (width, height, land use) of the older parcel of each double-allocation pair.
DOUBLE_PAIRS = ((92.0, 85.0, "commercial"), (100.0, 90.0, "industrial"),
                (80.0, 76.0, "commercial"), (28.0, 38.0, "individual_housing"),
                (82.0, 80.0, "commercial"))
DOUBLE_SITES = ((4700.0, -4300.0), (-6400.0, 600.0), (1200.0, 650.0), (-2100.0, 2300.0),
                (5600.0, -200.0))


def _day(rng: np.random.Generator, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _holder(rng: np.random.Generator, land_use: str) -> str:
    if land_use == "individual_housing":
        return person_name(rng, bool(rng.random() < 0.75))
    return company(rng)


def along(line: BaseGeometry, dist: float, offset: float, length: float,
          width: float) -> BaseGeometry:
    """A rectangle `length` along `line` and `width` across it, centred `offset` metres
    to the left of the point `dist` metres along the line."""
    p0, p1 = line.interpolate(dist - 1), line.interpolate(dist + 1)
    angle = math.atan2(p1.y - p0.y, p1.x - p0.x)
    mid = line.interpolate(dist)
    cx = mid.x - math.sin(angle) * offset
    cy = mid.y + math.cos(angle) * offset
    return box(cx, cy, length, width, math.degrees(angle))


def _state_needs(layout: Layout, reg: Register, rng: np.random.Generator) -> list[int]:
    school, sport, bypass = (layout.zone(k) for k in ("school", "sport", "bypass"))
    made: list[int] = []
    x0, y0, _, _ = SCHOOL_SITE
    for r in range(4):
        for c in range(5):
            cell = shapely.box(x0 + 30 + c * 32, y0 + 12 + r * 44,
                               x0 + 58 + c * 32, y0 + 52 + r * 44)
            made.append(reg.add_parcel(Parcel(
                cell, "individual_housing", -1, _holder(rng, "individual_housing"),
                _day(rng, date(2022, 4, 20), date(2022, 8, 30)), tag=TAG_STATE_NEEDS,
                note=school.name)))
    sx0, sy0, _, _ = SPORT_SITE
    for k in range(2):
        cell = shapely.box(sx0 + 40 + k * 120, sy0 + 60, sx0 + 110 + k * 120, sy0 + 120)
        made.append(reg.add_parcel(Parcel(
            cell, "commercial", -1, _holder(rng, "commercial"),
            _day(rng, date(2021, 2, 1), date(2022, 6, 30)), tag=TAG_STATE_NEEDS,
            note=sport.name)))
    line = shapely.LineString([(7700, -2000), (8000, 500), (7300, 3000)])
    for k in range(8):
        shape = along(line, 300 + k * 75 + (900 if k >= 4 else 0), 0, 55, 40)
        use = "individual_housing" if k % 3 else "commercial"
        made.append(reg.add_parcel(Parcel(
            shape, use, -1, _holder(rng, use), _day(rng, date(2021, 7, 1), date(2022, 8, 31)),
            tag=TAG_STATE_NEEDS, note=bypass.name)))
    for k in made:
        if not bypass.geom.union(school.geom).union(sport.geom).contains(reg.parcels[k].geom):
            raise RuntimeError("a state-needs violation parcel left its zone")
    _share_value(reg, made, rng)
    return made


def _share_value(reg: Register, parcels: list[int], rng: np.random.Generator) -> None:
    """Cadastral values of the (i) parcels, summing to exactly 94 million tenge."""
    weights = np.array([reg.parcels[k].geom.area for k in parcels]) * rng.uniform(
        0.85, 1.15, len(parcels))
    values = np.round(weights / weights.sum() * STATE_NEEDS_VALUE_KZT / 1000) * 1000
    values[-1] += STATE_NEEDS_VALUE_KZT - values.sum()
    for k, v in zip(parcels, values.tolist(), strict=True):
        reg.parcels[k].value_kzt = int(v)


def double_allocation_area_m2() -> float:
    return sum(w * h for w, h, _ in DOUBLE_PAIRS)


def _water(layout: Layout, reg: Register, rng: np.random.Generator,
           target_m2: float) -> list[int]:
    river = layout.river
    water = layout.zone("water").geom
    plan = [("individual_housing", 36.0, 28.0)] * 8 + [("commercial", 62.0, 52.0)] * 6
    scale = math.sqrt(target_m2 / sum(a * b for _, a, b in plan))
    stations = [1900 + k * 260 for k in range(len(plan))]
    made = []
    for (use, length, width), dist in zip(plan, stations, strict=True):
        side = 1 if (dist // 260) % 2 else -1
        shape = along(river, dist, side * 50, length * scale, width * scale)
        if not water.contains(shape):
            raise RuntimeError("a water-protection violation parcel left the strip")
        made.append(reg.add_parcel(Parcel(
            shape, use, -1, _holder(rng, use), _day(rng, date(2016, 1, 1), date(2022, 8, 31)),
            tag=TAG_WATER, note=layout.zone("water").name)))
    return made


def plant_in_zones(layout: Layout, reg: Register, rng: np.random.Generator) -> None:
    """(i) and (iii): the violations that sit inside zones, before housing is laid out."""
    made = _state_needs(layout, reg, rng)
    area_i = sum(reg.parcels[k].geom.area for k in made)
    remaining = TARGET_UNION_HA * 10_000 - area_i - double_allocation_area_m2()
    _water(layout, reg, rng, remaining)


def plant_double_allocations(reg: Register, finder: SiteFinder,
                             rng: np.random.Generator) -> None:
    """(ii): older clean parcels and newer ones on (most of) the same footprint."""
    for (w, h, use), near in zip(DOUBLE_PAIRS, DOUBLE_SITES, strict=True):
        shift = rng.uniform(2, 5)
        angle = rng.uniform(0, 2 * math.pi)
        dx, dy = shift * math.cos(angle), shift * math.sin(angle)
        older = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
        newer = affinity.translate(older, dx, dy)
        ox, oy = finder.place(older.union(newer), near)
        older_at = _day(rng, date(2003, 1, 1), date(2014, 12, 31))
        first = reg.add_parcel(Parcel(affinity.translate(older, ox, oy), use, -1,
                                      _holder(rng, use), older_at, tag=TAG_DOUBLE_ORIGINAL))
        second = reg.add_parcel(Parcel(
            affinity.translate(newer, ox, oy), use, -1, _holder(rng, use),
            _day(rng, date(2019, 3, 1), date(2022, 8, 31)), tag=TAG_DOUBLE, pair=first,
            note=f"shift {shift:.1f} m"))
        reg.parcels[first].pair = second
