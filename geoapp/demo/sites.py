"""Finding free ground for hand-made parcels once the housing is laid out."""

from __future__ import annotations

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry.base import BaseGeometry

from geoapp.demo.register import Register


class SiteFinder:
    """Places footprints where nothing else is: inside the city and inside one
    microdistrict, clear of every zone and every parcel (and of each other) by
    `margin` metres."""

    def __init__(self, city: BaseGeometry, districts: list[BaseGeometry],
                 blocked: list[BaseGeometry], reg: Register, margin: float = 12.0) -> None:
        self.inner = city.buffer(-60)
        shapely.prepare(self.inner)
        self.districts = [d.buffer(-margin) for d in districts]
        self.margin = margin
        self.reg = reg
        self.blocked = [shapely.buffer(g, margin) for g in blocked]
        self._tree_size = -1
        self._tree: shapely.STRtree | None = None

    def _clear(self, shape: BaseGeometry) -> bool:
        if not self.inner.contains(shape):
            return False
        if not any(d.contains(shape) for d in self.districts):
            return False
        if any(shape.intersects(b) for b in self.blocked):
            return False
        if self._tree is None or self._tree_size != len(self.reg.parcels):
            self._tree = shapely.STRtree(self.reg.parcel_geoms())
            self._tree_size = len(self.reg.parcels)
        grown = shape.buffer(self.margin)
        return len(self._tree.query(grown, predicate="intersects")) == 0

    def place(self, footprint: BaseGeometry, near: tuple[float, float],
              step: float = 40.0) -> tuple[float, float]:
        """The offset (dx, dy) that moves `footprint` (drawn around the origin) to the
        free spot nearest `near`; the spot is then blocked."""
        for ring in range(0, 80):
            offsets = [(a, b) for a in range(-ring, ring + 1) for b in range(-ring, ring + 1)
                       if max(abs(a), abs(b)) == ring]
            offsets.sort(key=lambda o: (np.hypot(*o), o))
            for a, b in offsets:
                dx, dy = near[0] + a * step, near[1] + b * step
                shape = affinity.translate(footprint, dx, dy)
                if self._clear(shape):
                    self.blocked.append(shape.buffer(self.margin))
                    return dx, dy
        raise RuntimeError(f"no free site near {near}")
