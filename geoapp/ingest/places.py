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
    nearest building within 30 m (rows located by their own coordinates). The parcel
    is looked up only for a point that stands where the complaint is: its own
    coordinates or its building's; one placed at a microdistrict's representative
    point or a street's house would get a parcel it says nothing about."""

    lon: float | None
    lat: float | None
    microdistrict_id: int | None
    building_id: int | None
    nearest_building: bool
    parcel_id: int | None = None  # the parcel the address named by cadastral number


class Place(NamedTuple):
    microdistrict_id: int | None
    parcel_id: int | None
    building_id: int | None


# Microdistrict by ST_Covers; parcel: the one the address named, else (for a point
# of the complaint's own or of its building) by ST_Covers, else the nearest within
# 15 m; building: the geocoded one, else (for rows located by their own coordinates)
# the nearest within 30 m. Each rule is one subquery over a point expression, shared
# with geoapp.ingest.reassign, which applies them again when a layer changes.
PARCEL_RADIUS_M = 15
BUILDING_RADIUS_M = 30


def covering(table: str, point: str, when: str = "true") -> str:
    """The first feature of `table` (by id) that covers `point`."""
    return (f"SELECT x.id FROM {table} x WHERE {when} AND ST_Covers(x.geom, {point}) "
            "ORDER BY x.id LIMIT 1")


def nearest_within(table: str, point: str, metres: int, latitude: int,
                   when: str = "true") -> str:
    """The nearest feature of `table` within `metres` of `point` (a point no farther
    north or south than `latitude`). The bounding-box test lets the GiST index work
    before the exact distance on the spheroid; its half-side is written into the
    statement: as a bound parameter it made the lookups a third slower (the planner's
    generic plan)."""
    box = metres * degrees_per_metre(min(latitude, 89))
    return f"""SELECT x.id FROM {table} x
        WHERE {when} AND x.geom && ST_Expand({point}, {box:.8f})
          AND ST_DWithin(x.geom::geography, {point}::geography, {metres})
        ORDER BY ST_Distance(x.geom::geography, {point}::geography), x.id LIMIT 1"""


def degrees_per_metre(latitude: float) -> float:
    """An upper bound, with 10% to spare, of the degrees (of longitude, the shorter
    ones) that a metre spans at `latitude`."""
    return 1.1 / (111_320 * max(math.cos(math.radians(latitude)), 0.01))


PARCEL_BY_POINT = "q.parcel IS NULL AND (q.near OR q.building IS NOT NULL)"


@lru_cache(maxsize=16)
def find_places_sql(latitude: int) -> str:
    """The lookup statement for points no farther north (or south) than `latitude`,
    a whole degree: one row per input point, in order."""
    return f"""
    SELECT coalesce(q.md, md.id), coalesce(q.parcel, pc.id, pn.id),
           coalesce(q.building, bn.id)
    FROM unnest(CAST(%(lon)b AS float8[]), CAST(%(lat)b AS float8[]), CAST(%(md)b AS int[]),
                CAST(%(building)b AS int[]), CAST(%(near)b AS bool[]),
                CAST(%(parcel)b AS int[]))
         WITH ORDINALITY AS q(lon, lat, md, building, near, parcel, i)
    CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(q.lon, q.lat), 4326) AS geom) g
    LEFT JOIN LATERAL ({covering("microdistricts", "g.geom", "q.md IS NULL")}) md ON true
    LEFT JOIN LATERAL ({covering("parcels", "g.geom", PARCEL_BY_POINT)}) pc ON true
    LEFT JOIN LATERAL ({nearest_within("parcels", "g.geom", PARCEL_RADIUS_M, latitude,
                                       f"pc.id IS NULL AND {PARCEL_BY_POINT}")}) pn ON true
    LEFT JOIN LATERAL ({nearest_within("buildings", "g.geom", BUILDING_RADIUS_M, latitude,
                                       "q.building IS NULL AND q.near")}) bn ON true
    ORDER BY q.i
"""


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
                places[i] = Place(query.microdistrict_id, query.parcel_id, query.building_id)
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
        if not queries:  # no transaction for nothing
            return []
        with self.conn.begin():
            return look_up_places(self.conn, queries)


def look_up_places(conn: Connection, queries: list[PlaceQuery]) -> list[Place]:
    """The places of points that all have coordinates, in one statement on `conn`
    (inside its transaction)."""
    if not queries:
        return []
    northmost = max(abs(q.lat) for q in queries)  # type: ignore[arg-type]
    rows = fetch_with_arrays(conn, find_places_sql(math.ceil(northmost)), {
        "lon": [float(q.lon) for q in queries],  # type: ignore[arg-type]
        "lat": [float(q.lat) for q in queries],  # type: ignore[arg-type]
        "md": [q.microdistrict_id for q in queries],
        "building": [q.building_id for q in queries],
        "near": [q.nearest_building for q in queries],
        "parcel": [q.parcel_id for q in queries],
    })
    return [Place(*row) for row in rows]
