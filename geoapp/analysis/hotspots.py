"""Heating-outage hotspots: significant, emerging and persistent hot spots with the
buildings and residents affected.

The steps: the cube (geoapp.analysis.cube, one SQL statement), each bin's
significance (geoapp.analysis.spacetime: exposure, Gi*, p-value, FDR), hexagons
ever hot merged into areas in SQL (`ST_ClusterDBSCAN` with eps 1 m, so touching
hexagons join, then `ST_Union`) with the figures of each area, and the pattern of
each area (geoapp.analysis.trend) from its weekly series: hot when any of its
hexagons is hot, the largest z-score of its hexagons. Areas are sorted by the
residents affected (of centrally heated buildings for a heating category, else
all) times persistence (share of weeks hot). Results are cached in-process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from geoapp.analysis.cube import Cube, CubeParams, build_cube
from geoapp.analysis.getis import hex_centres
from geoapp.analysis.spacetime import BinStats, bin_stats
from geoapp.analysis.trend import classify
from geoapp.models.complaints import pinpointed
from geoapp.taxonomy import OPEN_STATUSES

CACHE_SECONDS = 600.0


@dataclass(frozen=True)
class Hotspot:
    id: int
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]
    microdistricts: list[str]
    pattern: str
    first_week: date
    last_week: date
    weeks_hot: int
    persistence: float
    active: bool
    seasons: list[str]
    hexagons: int
    max_z: float
    complaints: int
    buildings: int
    open_complaints: int
    oldest_open_days: int | None
    central_buildings: int
    central_residents: int
    residents: int
    affected_residents: int

    @property
    def score(self) -> float:
        return self.affected_residents * self.persistence


@dataclass(frozen=True)
class Analysis:
    params: CubeParams
    alpha: float
    method: str
    date_from: date | None
    date_to: date | None
    weeks: int
    hexagons: int
    bins: int
    hot_bins: int
    hotspots: list[Hotspot] = field(default_factory=list)
    seconds: float = 0.0


AREAS_SQL = f"""
WITH cells AS (
    SELECT h.geom, c.k FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[]))
        WITH ORDINALITY AS c(x, y, k)
    CROSS JOIN LATERAL (SELECT geom FROM ST_HexagonGrid(:edge,
        ST_SetSRID(ST_MakePoint(c.x, c.y), 32642)) g
        WHERE ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint(c.x, c.y), 32642))
        LIMIT 1) h
),
clustered AS (
    SELECT k, geom, ST_ClusterDBSCAN(geom, eps => 1.0, minpoints => 1) OVER () AS area
    FROM cells
),
areas AS (
    SELECT area, array_agg(k ORDER BY k) AS members,
           ST_Transform(ST_Union(geom), 4326) AS geom
    FROM clustered GROUP BY area
),
inside AS (
    SELECT a.area, c.id, c.building_id, c.status, c.received_at
    FROM areas a
    JOIN complaints c ON c.category = :category
     AND c.received_at >= CAST(:day_from AS date)::timestamp AT TIME ZONE :tz
     AND c.received_at < CAST(:day_after AS date)::timestamp AT TIME ZONE :tz
    LEFT JOIN buildings b ON b.id = c.building_id
    WHERE {pinpointed('c')} AND ST_Intersects(a.geom, coalesce(b.geom, c.geom))
)
SELECT a.area, a.members, ST_AsGeoJSON(a.geom, 6)::json AS geometry,
       ST_XMin(a.geom) AS minx, ST_YMin(a.geom) AS miny,
       ST_XMax(a.geom) AS maxx, ST_YMax(a.geom) AS maxy,
       ARRAY(SELECT m.name FROM microdistricts m WHERE ST_Intersects(m.geom, a.geom)
             ORDER BY ST_Area(ST_Intersection(m.geom, a.geom)) DESC) AS microdistricts,
       (SELECT count(*) FROM inside i WHERE i.area = a.area) AS complaints,
       (SELECT count(DISTINCT i.building_id) FROM inside i WHERE i.area = a.area) AS buildings,
       (SELECT count(*) FROM inside i
        WHERE i.area = a.area AND i.status = ANY(:open)) AS open_complaints,
       (SELECT floor(extract(epoch FROM now() - min(i.received_at)) / 86400)::int
        FROM inside i WHERE i.area = a.area AND i.status = ANY(:open)) AS oldest_open_days,
       (SELECT count(*) FROM buildings b
        WHERE b.heating = 'central' AND ST_Intersects(a.geom, b.geom)) AS central_buildings,
       (SELECT coalesce(sum(b.residents), 0) FROM buildings b
        WHERE b.heating = 'central' AND ST_Intersects(a.geom, b.geom)) AS central_residents,
       (SELECT coalesce(sum(b.residents), 0) FROM buildings b
        WHERE ST_Intersects(a.geom, b.geom)) AS residents
FROM areas a
"""


def _area_rows(conn: Connection, cube: Cube, rows: np.ndarray) -> list[Any]:
    edge = cube.params.hex_edge_m
    xs, ys = hex_centres(cube.i[rows], cube.j[rows], edge)
    last = cube.date_to
    return conn.execute(text(AREAS_SQL), {
        "xs": xs.tolist(), "ys": ys.tolist(), "edge": edge,
        "category": cube.params.category, "tz": cube.params.tz,
        "day_from": cube.date_from, "day_after": last.fromordinal(last.toordinal() + 1),
        "open": sorted(OPEN_STATUSES)}).all()


def _hotspot(row: Any, cube: Cube, stats: BinStats, rows: np.ndarray) -> Hotspot:
    members = rows[np.asarray(row.members) - 1]
    hot = stats.hot[members].any(axis=0)
    cold = stats.cold[members].any(axis=0)
    z = stats.z[members].max(axis=0)
    weeks = np.flatnonzero(hot)
    heating = cube.params.category.startswith("housing_utilities.heating")
    return Hotspot(
        id=0, geometry=row.geometry, bbox=(row.minx, row.miny, row.maxx, row.maxy),
        microdistricts=list(row.microdistricts), pattern=classify(hot, cold, z),
        first_week=cube.mondays[weeks[0]], last_week=cube.mondays[weeks[-1]],
        weeks_hot=int(weeks.size), persistence=round(float(hot.mean()), 4),
        active=bool(hot[-1]), seasons=sorted({cube.seasons[t] for t in weeks.tolist()}),
        hexagons=int(members.size), max_z=round(float(z.max()), 2),
        complaints=row.complaints, buildings=row.buildings,
        open_complaints=row.open_complaints, oldest_open_days=row.oldest_open_days,
        central_buildings=row.central_buildings, central_residents=int(row.central_residents),
        residents=int(row.residents),
        affected_residents=int(row.central_residents if heating else row.residents))


def analyze_hotspots(conn: Connection, params: CubeParams | None = None, alpha: float = 0.05,
                     method: str = "poisson") -> Analysis:
    """Run the whole analysis (no cache)."""
    started = time.perf_counter()
    params = params or CubeParams()
    cube = build_cube(conn, params)
    if cube is None:
        return Analysis(params, alpha, method, params.date_from, params.date_to, 0, 0, 0, 0)
    stats = bin_stats(cube, alpha, method)
    rows = np.flatnonzero(stats.hot.any(axis=1))
    hotspots = [_hotspot(r, cube, stats, rows) for r in _area_rows(conn, cube, rows)] \
        if rows.size else []
    hotspots.sort(key=lambda h: (-h.score, -h.complaints, h.first_week))
    hotspots = [_renumber(h, k) for k, h in enumerate(hotspots, start=1)]
    return Analysis(params, alpha, method, cube.date_from, cube.date_to, len(cube.mondays),
                    cube.shape[0], cube.counts.size, int(stats.hot.sum()), hotspots,
                    round(time.perf_counter() - started, 3))


def _renumber(hotspot: Hotspot, number: int) -> Hotspot:
    from dataclasses import replace

    return replace(hotspot, id=number)


_cache: dict[tuple, tuple[float, Analysis]] = {}
_lock = threading.Lock()


def cached_hotspots(conn: Connection, params: CubeParams | None = None, alpha: float = 0.05,
                    method: str = "poisson", max_age: float = CACHE_SECONDS) -> Analysis:
    """The analysis for these parameters on this database, reused for `max_age` s."""
    params = params or CubeParams()
    key = (conn.engine.url.render_as_string(hide_password=True), params, alpha, method)
    with _lock:
        hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < max_age:
        return hit[1]
    result = analyze_hotspots(conn, params, alpha, method)
    with _lock:
        _cache[key] = (time.monotonic(), result)
    return result


def clear_cache() -> None:
    with _lock:
        _cache.clear()
