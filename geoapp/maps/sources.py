"""Named queries that feed map layers. A layer file names one of these; the request
only supplies a viewport, a zoom and validated filters, all as bound parameters.

Heavy layers aggregate on the server: complaints are snapped to a grid whose cell
follows the zoom (a few screen pixels), so a response stays small whatever the
number of complaints, and points are sent one by one only when zoomed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from geoapp.maps.filters import BBox, ComplaintFilter
from geoapp.models.complaints import pinpointed
from geoapp.models.derived import NOT_DRAWN

POINTS_FROM_ZOOM = 16
MAX_POINTS = 3000


@dataclass(frozen=True)
class Query:
    bbox: BBox
    zoom: int
    filters: ComplaintFilter
    language: str = "ru"
    timezone: str = "Asia/Almaty"  # the city's: dates shown in popups are local dates


Source = Callable[[Connection, Query], dict[str, Any]]
SOURCES: dict[str, Source] = {}
# Modules that register more named sources with @source; imported by all_sources().
SOURCE_MODULES: tuple[str, ...] = ("geoapp.maps.public_sources",
                                  "geoapp.maps.sources_hotspots",
                                  "geoapp.maps.parcel_sources")


def all_sources() -> dict[str, Source]:
    from importlib import import_module

    for name in SOURCE_MODULES:
        import_module(name)
    return SOURCES


def source(name: str) -> Callable[[Source], Source]:
    def register(fn: Source) -> Source:
        SOURCES[name] = fn
        return fn
    return register


def grid_cell(zoom: int, pixels: float) -> float:
    """Degrees spanned by `pixels` screen pixels at a web-mercator zoom level."""
    return 360.0 / (256 * 2 ** zoom) * pixels


def _envelope(q: Query) -> dict[str, float]:
    return {"minx": q.bbox[0], "miny": q.bbox[1], "maxx": q.bbox[2], "maxy": q.bbox[3]}


IN_VIEW = "c.geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)"


# Aggregated views scan the narrow, trigger-kept copy `complaint_map_points`
# (geoapp.models.derived): same filter columns, a sixth of the bytes.
IN_VIEW_POINTS = ("p.lon BETWEEN :minx AND :maxx AND p.lat BETWEEN :miny AND :maxy")


def _grid_counts(conn: Connection, q: Query, pixels: float, measures: str
                 ) -> list[Any]:
    """Complaints in view counted per grid cell `pixels` screen pixels wide."""
    where, params = q.filters.where("p")
    return conn.execute(text(f"""
        SELECT {measures}, count(*) FROM complaint_map_points p
        WHERE {IN_VIEW_POINTS} AND {where}
        GROUP BY round(p.lon / :cell), round(p.lat / :cell)
    """), {**params, **_envelope(q), "cell": grid_cell(q.zoom, pixels)}).all()


def not_drawn(conn: Connection, q: Query) -> int:
    """Complaints following the filters, in the microdistricts in view, that a point
    layer leaves out: known only to their microdistrict (kept without a point)."""
    where, params = q.filters.where("p")
    return conn.execute(text(f"""
        SELECT count(*) FROM complaint_map_points p
        WHERE {NOT_DRAWN} AND {where}
          AND p.microdistrict_id IN (
              SELECT m.id FROM microdistricts m
              WHERE m.geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326))
    """), {**params, **_envelope(q)}).scalar_one()


@source("complaint_heat")
def complaint_heat(conn: Connection, q: Query) -> dict[str, Any]:
    rows = _grid_counts(conn, q, 6, "round(p.lat / :cell) * :cell, round(p.lon / :cell) * :cell")
    points = [[round(lat, 6), round(lon, 6), n] for lat, lon, n in rows]
    return {"kind": "heat", "points": points, "max": max((p[2] for p in points), default=0),
            "not_drawn": not_drawn(conn, q)}


@source("complaint_clusters")
def complaint_clusters(conn: Connection, q: Query) -> dict[str, Any]:
    if q.zoom < POINTS_FROM_ZOOM:
        rows = _grid_counts(conn, q, 60, "avg(p.lat), avg(p.lon)")
        return {"kind": "clusters",
                "clusters": [[round(lat, 6), round(lon, 6), n] for lat, lon, n in rows],
                "not_drawn": not_drawn(conn, q)}
    where, params = q.filters.where("c")
    rows = conn.execute(text(f"""
        SELECT c.ticket, c.category, c.status, c.received_at AT TIME ZONE :tz AS received_at,
               c.address, left(c.text, 160) AS excerpt, ST_Y(c.geom) AS lat,
               ST_X(c.geom) AS lon
        FROM complaints c WHERE {IN_VIEW} AND {pinpointed('c')} AND {where}
        ORDER BY c.received_at DESC LIMIT :limit
    """), {**params, **_envelope(q), "limit": MAX_POINTS + 1, "tz": q.timezone}).mappings().all()
    points = [{**dict(r), "received_at": r["received_at"].isoformat()}
              for r in rows[:MAX_POINTS]]
    return {"kind": "points", "points": points, "truncated": len(rows) > MAX_POINTS,
            "not_drawn": not_drawn(conn, q)}


@source("microdistrict_rates")
def microdistrict_rates(conn: Connection, q: Query) -> dict[str, Any]:
    """Complaints per 1,000 residents per microdistrict, following the filters."""
    where, params = q.filters.where("p")
    rows = conn.execute(text(f"""
        WITH counts AS (
            SELECT p.microdistrict_id, count(*) AS n FROM complaint_map_points p
            WHERE p.microdistrict_id IS NOT NULL AND {where}
            GROUP BY 1
        )
        SELECT m.id, m.name, m.name_kk, m.population, coalesce(counts.n, 0) AS complaints,
               ST_AsGeoJSON(ST_SimplifyPreserveTopology(m.geom, :tolerance), 6) AS geometry,
               ST_Y(ST_PointOnSurface(m.geom)) AS label_lat,
               ST_X(ST_PointOnSurface(m.geom)) AS label_lon
        FROM microdistricts m LEFT JOIN counts ON counts.microdistrict_id = m.id
        WHERE m.geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)
        ORDER BY m.name
    """), {**params, **_envelope(q), "tolerance": grid_cell(q.zoom, 1)}).mappings().all()
    features = []
    for r in rows:
        rate = round(1000 * r["complaints"] / r["population"], 1) if r["population"] else None
        name = (r["name_kk"] or r["name"]) if q.language == "kk" else r["name"]
        features.append({
            "type": "Feature", "geometry": json.loads(r["geometry"]),
            "properties": {"id": r["id"], "name": name, "population": r["population"],
                           "complaints": r["complaints"], "rate": rate,
                           "label": [r["label_lat"], r["label_lon"]]},
        })
    return {"kind": "choropleth", "type": "FeatureCollection", "features": features}
