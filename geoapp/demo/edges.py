"""Parcels away from the housing: shops and offices near homes, public plots, industry
further out and fields at the city's edges, on a 100 m lattice, plus the parks."""

from __future__ import annotations

import numpy as np
import shapely

from geoapp.demo.layout import Layout
from geoapp.demo.register import Parcel, Register

CELL = 100.0
PARK_HOLDER = "ГКП «Жасыл Тараз»"


def add_parks(layout: Layout, reg: Register) -> None:
    """The land of each green zone is held by the city's parks company as recreation
    parcels, one per microdistrict the park spans."""
    for zone in layout.zones:
        if zone.kind != "green":
            continue
        for district in layout.districts:
            part = zone.geom.intersection(district.geom).buffer(-3, join_style="mitre")
            if part.area > 1000:
                reg.add_parcel(Parcel(part, "recreation", -1, PARK_HOLDER, zone.valid_from))


def _choose(dist: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A land use per candidate cell by its distance to the nearest building ('' = none)."""
    u = rng.random(dist.size)
    near, mid = dist < 300, (dist >= 300) & (dist < 1200)
    far = dist >= 1200
    use = np.full(dist.size, "", dtype=object)
    use[near & (u < 0.16)] = "commercial"
    use[near & (u >= 0.16) & (u < 0.22)] = "public"
    use[mid & (u < 0.05)] = "industrial"
    use[mid & (u >= 0.05) & (u < 0.08)] = "commercial"
    use[far & (u < 0.025)] = "agricultural"
    use[far & (u >= 0.025) & (u < 0.035)] = "industrial"
    return use


def lay_out_edges(layout: Layout, reg: Register, rng: np.random.Generator) -> None:
    zones = shapely.union_all([z.geom for z in layout.zones]).buffer(10)
    shapely.prepare(zones)
    b = shapely.bounds(reg.parcel_geoms())
    parcels = shapely.STRtree(shapely.box(b[:, 0] - 10, b[:, 1] - 10, b[:, 2] + 10,
                                          b[:, 3] + 10))
    inner = layout.city.buffer(-40)
    shapely.prepare(inner)
    x0, y0, x1, y1 = layout.city.bounds
    ii, jj = np.meshgrid(np.arange(int((x1 - x0) // CELL) + 1),
                         np.arange(int((y1 - y0) // CELL) + 1))
    xs, ys = x0 + ii.ravel() * CELL, y0 + jj.ravel() * CELL
    cells = shapely.box(xs, ys, xs + CELL, ys + CELL)
    in_one_district = np.zeros(len(cells), dtype=bool)
    for district in layout.districts:
        in_one_district |= shapely.contains(district.geom, cells)
    free = in_one_district & shapely.contains(inner, cells) & ~shapely.intersects(zones, cells)
    free[np.unique(parcels.query(cells, predicate="intersects")[0])] = False
    cells, xs, ys = cells[free], xs[free], ys[free]
    homes = shapely.points([(b.x, b.y) for b in reg.buildings])
    tree = shapely.STRtree(homes)
    _, dist = tree.query_nearest(shapely.centroid(cells), return_distance=True,
                                 all_matches=False)
    uses = _choose(dist, rng)
    for cell, use, x, y in zip(cells, uses, xs, ys, strict=True):
        if not use:
            continue
        if use in ("agricultural", "industrial"):
            shape = shapely.buffer(cell, -rng.uniform(3, 6), join_style="mitre")
        else:
            w, h = rng.uniform(35, 90), rng.uniform(35, 90)
            ox, oy = rng.uniform(4, CELL - 4 - w), rng.uniform(4, CELL - 4 - h)
            shape = shapely.box(x + ox, y + oy, x + ox + w, y + oy + h)
        reg.add_parcel(Parcel(shape, use, -1))
