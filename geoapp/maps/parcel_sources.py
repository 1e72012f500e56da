"""Named sources of the inspector's map: parcels (by viewport, only zoomed in), zones,
the violations found by the parcel checks, and land complaints. Each returns a
GeoJSON FeatureCollection drawn by the map's `polygons` kind."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from geoapp.maps.sources import Query, grid_cell, source
from geoapp.models.complaints import pinpointed

PARCELS_FROM_ZOOM = 14
MAX_PARCELS = 5000
MAX_POINTS = 3000
ENVELOPE = "ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)"


def _params(q: Query, **extra: Any) -> dict[str, Any]:
    minx, miny, maxx, maxy = q.bbox
    return {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy,
            "tolerance": grid_cell(q.zoom, 0.5), **extra}


def _collection(rows: list[Any], truncated: bool = False, **meta: Any) -> dict[str, Any]:
    features = [{"type": "Feature", "geometry": json.loads(r["geometry"]),
                 "properties": {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                for k, v in r.items() if k != "geometry"}}
                for r in rows if r["geometry"]]
    return {"type": "FeatureCollection", "features": features, "truncated": truncated,
            **meta}


@source("parcels")
def parcels(conn: Connection, q: Query) -> dict[str, Any]:
    """Parcels in the viewport with their land use and status, from zoom 14 only; each
    says whether it has an open violation."""
    if q.zoom < PARCELS_FROM_ZOOM:
        return _collection([], min_zoom=PARCELS_FROM_ZOOM)
    rows = conn.execute(text(f"""
        SELECT p.id, p.cadastral_number AS cadastral_number, p.land_use, p.status,
               p.holder, p.declared_area_ha::float8 AS declared_area_ha, p.allocated_at,
               EXISTS (SELECT 1 FROM parcel_violations v WHERE v.parcel_id = p.id
                       AND v.resolved_at IS NULL AND v.review_state <> 'dismissed')
                   AS flagged,
               ST_AsGeoJSON(p.geom, 6) AS geometry
        FROM parcels p WHERE p.geom && {ENVELOPE}
        ORDER BY p.id LIMIT :limit
    """), _params(q, limit=MAX_PARCELS + 1)).mappings().all()
    return _collection(list(rows[:MAX_PARCELS]), len(rows) > MAX_PARCELS,
                       min_zoom=PARCELS_FROM_ZOOM)


@source("zones")
def zones(conn: Connection, q: Query) -> dict[str, Any]:
    rows = conn.execute(text(f"""
        SELECT z.id, z.kind, z.name, z.decision_ref, z.valid_from, z.valid_to,
               ST_AsGeoJSON(ST_SimplifyPreserveTopology(z.geom, :tolerance), 6) AS geometry
        FROM zones z WHERE z.geom && {ENVELOPE} ORDER BY z.kind, z.name
    """), _params(q)).mappings().all()
    return _collection(list(rows))


@source("parcel_violations")
def parcel_violations(conn: Connection, q: Query) -> dict[str, Any]:
    """Open violations: their overlap geometry zoomed in, a point on it zoomed out."""
    shape = ("ST_AsGeoJSON(coalesce(v.geom, p.geom), 6)" if q.zoom >= PARCELS_FROM_ZOOM else
             "ST_AsGeoJSON(ST_PointOnSurface(coalesce(v.geom, p.geom)), 6)")
    rows = conn.execute(text(f"""
        SELECT v.id, v.rule, v.severity, v.review_state AS state,
               p.cadastral_number AS cadastral_number, round(v.overlap_m2)::int AS overlap_m2,
               {shape} AS geometry
        FROM parcel_violations v JOIN parcels p ON p.id = v.parcel_id
        WHERE v.resolved_at IS NULL AND coalesce(v.geom, p.geom) && {ENVELOPE}
        ORDER BY v.id LIMIT :limit
    """), _params(q, limit=MAX_PARCELS + 1)).mappings().all()
    return _collection(list(rows[:MAX_PARCELS]), len(rows) > MAX_PARCELS)


@source("land_complaints")
def land_complaints(conn: Connection, q: Query) -> dict[str, Any]:
    """Land complaints (category group `land`) in the viewport, following the filters."""
    where, params = q.filters.where("c")
    rows = conn.execute(text(f"""
        SELECT c.ticket, c.category, c.status, c.received_at AT TIME ZONE :tz AS received_at,
               c.address, ST_AsGeoJSON(c.geom, 6) AS geometry
        FROM complaints c
        WHERE c.geom && {ENVELOPE} AND {pinpointed('c')}
          AND (c.category = 'land' OR c.category LIKE 'land.%')
          AND {where}
        ORDER BY c.received_at DESC LIMIT :limit
    """), {**params, **_params(q, limit=MAX_POINTS + 1, tz=q.timezone)}).mappings().all()
    return _collection(list(rows[:MAX_POINTS]), len(rows) > MAX_POINTS)
