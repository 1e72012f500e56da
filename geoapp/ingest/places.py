"""What a located complaint lies in or next to: its microdistrict, parcel and
building, found by PostGIS for a whole batch of points in one statement.

The lookups are reads of the reference layers only, so they run on a connection
of their own, beside (not inside) the transaction that writes the batch: the
database works on the next batch's places while it writes the current one.
Points taken from the gazetteer (a building's or a microdistrict's) repeat
across the file; their answers are kept for the rest of the import.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Connection

from geoapp.ingest.array_params import fetch_with_arrays


class PlaceQuery(NamedTuple):
    """A point with what geocoding already knows. `nearest_building`: look for the
    nearest building within 30 m (rows located by their own coordinates)."""

    lon: float | None
    lat: float | None
    microdistrict_id: int | None
    building_id: int | None
    nearest_building: bool


class Place(NamedTuple):
    microdistrict_id: int | None
    parcel_id: int | None
    building_id: int | None


# Microdistrict by ST_Covers; parcel by ST_Covers, else the nearest within 15 m;
# building: the geocoded one, else (for rows located by their own coordinates)
# the nearest within 30 m. The bounding-box test lets the GiST indexes work
# before the exact distance on the spheroid; its half-side in degrees is sized for the
# batch's northernmost latitude, rounded up to a whole degree, and written into the
# statement: as a bound parameter it made the lookups a third slower (the planner's
# generic plan). One row per input point, in order.
_FIND_PLACES = """
    SELECT coalesce(q.md, md.id), coalesce(pc.id, pn.id), coalesce(q.building, bn.id)
    FROM unnest(CAST(%(lon)b AS float8[]), CAST(%(lat)b AS float8[]), CAST(%(md)b AS int[]),
                CAST(%(building)b AS int[]), CAST(%(near)b AS bool[]))
         WITH ORDINALITY AS q(lon, lat, md, building, near, i)
    CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(q.lon, q.lat), 4326) AS geom) g
    LEFT JOIN LATERAL (
        SELECT m.id FROM microdistricts m
        WHERE q.md IS NULL AND ST_Covers(m.geom, g.geom) ORDER BY m.id LIMIT 1
    ) md ON true
    LEFT JOIN LATERAL (
        SELECT p.id FROM parcels p
        WHERE ST_Covers(p.geom, g.geom) ORDER BY p.id LIMIT 1
    ) pc ON true
    LEFT JOIN LATERAL (
        SELECT p.id FROM parcels p
        WHERE pc.id IS NULL
          AND p.geom && ST_Expand(g.geom, {parcel_box})
          AND ST_DWithin(p.geom::geography, g.geom::geography, 15)
        ORDER BY ST_Distance(p.geom::geography, g.geom::geography), p.id LIMIT 1
    ) pn ON true
    LEFT JOIN LATERAL (
        SELECT b.id FROM buildings b
        WHERE q.building IS NULL AND q.near
          AND b.geom && ST_Expand(g.geom, {building_box})
          AND ST_DWithin(b.geom::geography, g.geom::geography, 30)
        ORDER BY ST_Distance(b.geom::geography, g.geom::geography), b.id LIMIT 1
    ) bn ON true
    ORDER BY q.i
"""


def degrees_per_metre(latitude: float) -> float:
    """An upper bound, with 10% to spare, of the degrees (of longitude, the shorter
    ones) that a metre spans at `latitude`."""
    return 1.1 / (111_320 * max(math.cos(math.radians(latitude)), 0.01))


@lru_cache(maxsize=16)
def find_places_sql(latitude: int) -> str:
    """The lookup statement for points no farther north (or south) than `latitude`."""
    per_metre = degrees_per_metre(min(latitude, 89))
    return _FIND_PLACES.format(parcel_box=f"{15 * per_metre:.8f}",
                               building_box=f"{30 * per_metre:.8f}")


class PlaceFinder:
    """Finds places on `conn`, one statement per call; not thread-safe (one
    caller at a time)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._kept: dict[PlaceQuery, Place] = {}

    def find(self, queries: list[PlaceQuery]) -> list[Place]:
        places: list[Place | None] = [None] * len(queries)
        asked: dict[PlaceQuery, list[int]] = {}
        for i, query in enumerate(queries):
            if query.lon is None or query.lat is None:
                places[i] = Place(query.microdistrict_id, None, query.building_id)
            elif (kept := self._kept.get(query)) is not None:
                places[i] = kept
            else:
                asked.setdefault(query, []).append(i)
        for query, place in zip(asked, self._look_up(list(asked)), strict=True):
            if not query.nearest_building:  # a gazetteer point: it will come again
                self._kept[query] = place
            for i in asked[query]:
                places[i] = place
        return places  # type: ignore[return-value]

    def _look_up(self, queries: list[PlaceQuery]) -> list[Place]:
        if not queries:
            return []
        with self.conn.begin():
            northmost = max(abs(q.lat) for q in queries)  # type: ignore[arg-type]
            rows = fetch_with_arrays(self.conn, find_places_sql(math.ceil(northmost)), {
                "lon": [float(q.lon) for q in queries],  # type: ignore[arg-type]
                "lat": [float(q.lat) for q in queries],  # type: ignore[arg-type]
                "md": [q.microdistrict_id for q in queries],
                "building": [q.building_id for q in queries],
                "near": [q.nearest_building for q in queries],
            })
        return [Place(*row) for row in rows]
