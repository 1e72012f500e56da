"""Clean parcels that look suspicious to a careless check: each must NOT be reported
as a violation. They are listed in the manifest under `clean_decoys`."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import shapely
from shapely import affinity
from shapely.ops import substring

from geoapp.demo.layout import SCHOOL_SITE, TOUCH_SPAN, Layout
from geoapp.demo.people import company, farm, person_name
from geoapp.demo.register import Parcel, Register
from geoapp.demo.sites import SiteFinder
from geoapp.demo.violations import along

DECOY_TOUCHING = "decoy_touching_state_needs"
DECOY_DAY_BEFORE = "decoy_allocated_day_before_zone"
DECOY_WATER_RECREATION = "decoy_recreation_in_water_strip"
DECOY_WATER_PUBLIC = "decoy_public_in_water_strip"
DECOY_SLIVER = "decoy_sliver_overlap"
DECOY_MULTI = "decoy_multipolygon"
DECOY_HOLE = "decoy_with_hole"
DECOY_IN_HOLE = "decoy_inside_hole"

DECOY_NOTES = {
    DECOY_TOUCHING: "shares an edge with a state-needs zone, no area inside it",
    DECOY_DAY_BEFORE: "inside a state-needs zone, allocated the day before it took effect",
    DECOY_WATER_RECREATION: "recreation use, allowed in the water-protection strip",
    DECOY_WATER_PUBLIC: "public use (pumping station), allowed in the water-protection strip",
    DECOY_SLIVER: "overlaps its neighbour by a sliver under 1% and under 100 m²",
    DECOY_MULTI: "a MultiPolygon parcel (two fields split by a canal)",
    DECOY_HOLE: "a polygon with a hole (a park around a leased kiosk plot)",
    DECOY_IN_HOLE: "a plot filling the hole of another parcel without touching it",
}


def plant_zone_decoys(layout: Layout, reg: Register, rng: np.random.Generator) -> None:
    """The decoys next to or inside zones; placed before housing so it keeps clear."""
    bypass, school = layout.zone("bypass"), layout.zone("school")
    line = shapely.LineString([(7700, -2000), (8000, 500), (7300, 3000)])
    shape = along(line, 1000, 0, 55, 40)
    if not bypass.geom.contains(shape):
        raise RuntimeError("the day-before decoy left the bypass zone")
    reg.add_parcel(Parcel(shape, "individual_housing", -1, person_name(rng, True),
                          bypass.valid_from - timedelta(days=1), tag=DECOY_DAY_BEFORE))
    x1 = SCHOOL_SITE[2]
    touching = shapely.box(x1, TOUCH_SPAN[0], x1 + 45, TOUCH_SPAN[1])
    if touching.intersection(school.geom).area > 0 or not touching.touches(school.geom):
        raise RuntimeError("the touching decoy does not just touch the school site")
    reg.add_parcel(Parcel(touching, "commercial", -1, company(rng), date(2023, 2, 10),
                          tag=DECOY_TOUCHING))
    water = layout.zone("water").geom
    bank = substring(layout.river, 7000, 7400).buffer(70, single_sided=True)
    home = max(layout.districts, key=lambda d: d.geom.intersection(bank).area)
    bank = bank.intersection(home.geom).buffer(-1, join_style="mitre")
    pump = along(layout.river, 7800, -40, 30, 25)
    for shape, use, tag, holder in (
        (bank, "recreation", DECOY_WATER_RECREATION, "ГКП «Жасыл Тараз»"),
        (pump, "public", DECOY_WATER_PUBLIC, "ГКП «Тараз су»"),
    ):
        if not water.contains(shape):
            raise RuntimeError(f"{tag} left the water-protection strip")
        reg.add_parcel(Parcel(shape, use, -1, holder, date(2017, 5, 12), tag=tag))


def plant_free_decoys(reg: Register, finder: SiteFinder, rng: np.random.Generator) -> None:
    """The decoys that need free ground: placed after housing."""
    a = shapely.box(0, 0, 60, 60)
    b = shapely.box(59.6, 15, 119.6, 75)  # 0.4 m x 45 m = 18 m² of overlap
    dx, dy = finder.place(a.union(b), (-2000.0, -900.0))
    for shape, year in ((a, 2016), (b, 2018)):
        reg.add_parcel(Parcel(affinity.translate(shape, dx, dy), "commercial", -1,
                              company(rng), date(year, 4 + year % 5, 11), tag=DECOY_SLIVER))
    fields = shapely.MultiPolygon([shapely.box(0, 0, 120, 100), shapely.box(135, 0, 255, 100)])
    dx, dy = finder.place(fields, (-6900.0, -3400.0))
    reg.add_parcel(Parcel(affinity.translate(fields, dx, dy), "agricultural", -1, farm(rng),
                          date(2009, 3, 18), tag=DECOY_MULTI))
    outer = shapely.box(0, 0, 140, 120)
    hole = shapely.box(55, 45, 85, 75)
    park = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords])
    dx, dy = finder.place(outer, (3300.0, 2500.0))
    reg.add_parcel(Parcel(affinity.translate(park, dx, dy), "recreation", -1,
                          "ГКП «Жасыл Тараз»", date(2011, 9, 1), tag=DECOY_HOLE))
    kiosk = shapely.box(56, 46, 84, 74)
    reg.add_parcel(Parcel(affinity.translate(kiosk, dx, dy), "commercial", -1, company(rng),
                          date(2019, 6, 3), tag=DECOY_IN_HOLE))
