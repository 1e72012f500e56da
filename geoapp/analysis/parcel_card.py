"""Everything the parcel card shows, in a few set-based statements: attributes,
declared vs geometric area, intersecting zones and overlapping parcels with their
shares, land complaints nearby, violations with their review history, and the GeoJSON
of the parcel, its neighbours and the zones around it for the card's map."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from geoapp.analysis.parcel_rules import m2, valid
from geoapp.models.complaints import pinpointed

COMPLAINTS_WITHIN_M = 100.0
NEIGHBOURS_WITHIN_M = 60.0
VP = valid("p.geom")


def parcel(conn: Connection, cadastral_number: str) -> dict[str, Any] | None:
    row = conn.execute(text(f"""
        SELECT p.id, p.cadastral_number, p.land_use, p.holder, p.declared_area_ha::float8
                   AS declared_area_ha, {m2(VP)} / 10000 AS geometric_area_ha,
               p.cadastral_value_kzt, p.allocated_at, p.decision_ref, p.status,
               ST_IsValid(p.geom) AS is_valid, ST_NumGeometries(p.geom) AS parts,
               ST_AsGeoJSON(p.geom, 7) AS geometry
        FROM parcels p WHERE p.cadastral_number = :n
    """), {"n": cadastral_number}).mappings().one_or_none()
    if row is None:
        return None
    out = dict(row)
    declared = out["declared_area_ha"] or 0
    out["area_difference"] = ((out["geometric_area_ha"] - declared) / declared
                              if declared else None)
    return out


def zones_of(conn: Connection, parcel_id: int) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(text(f"""
        SELECT z.id, z.kind, z.name, z.decision_ref, z.valid_from, z.valid_to,
               {m2(f'ST_Intersection({VP}, z.geom)')} AS overlap_m2,
               {m2(f'ST_Intersection({VP}, z.geom)')} / nullif({m2(VP)}, 0) AS share
        FROM parcels p JOIN zones z ON z.geom && p.geom AND ST_Intersects(p.geom, z.geom)
        WHERE p.id = :id ORDER BY overlap_m2 DESC
    """), {"id": parcel_id}).mappings()]


def overlapping_parcels(conn: Connection, parcel_id: int) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(text(f"""
        SELECT o.cadastral_number, o.land_use, o.status, o.allocated_at, o.holder,
               {m2(f'ST_Intersection({VP}, {valid("o.geom")})')} AS overlap_m2,
               {m2(f'ST_Intersection({VP}, {valid("o.geom")})')} / nullif({m2(VP)}, 0)
                   AS share
        FROM parcels p JOIN parcels o ON o.id <> p.id AND o.geom && p.geom
        WHERE p.id = :id AND ST_Relate({VP}, {valid("o.geom")}, 'T********')
        ORDER BY overlap_m2 DESC
    """), {"id": parcel_id}).mappings()]


def land_complaints_near(conn: Connection, parcel_id: int,
                         within_m: float = COMPLAINTS_WITHIN_M) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(text(f"""
        SELECT c.ticket, c.category, c.status, c.received_at, c.address,
               round(ST_Distance({VP}::geography, c.geom::geography)::numeric, 0)
                   AS distance_m
        FROM parcels p JOIN complaints c
          ON c.geom && ST_Expand(p.geom, :deg)
         AND ST_DWithin({VP}::geography, c.geom::geography, :within)
        WHERE p.id = :id AND {pinpointed('c')}
          AND (c.category = 'land' OR c.category LIKE 'land.%')
        ORDER BY c.received_at DESC LIMIT 200
    """), {"id": parcel_id, "within": within_m, "deg": within_m / 75_000}).mappings()]


def violations_of(conn: Connection, parcel_id: int) -> list[dict[str, Any]]:
    """The parcel's violations (as the flagged or the other parcel) with history."""
    rows = [dict(r) for r in conn.execute(text("""
        SELECT v.id, v.rule, v.severity, v.review_state, v.review_comment, v.reviewed_by,
               v.reviewed_at, v.resolved_at, v.overlap_m2, v.overlap_share, v.parcel_date,
               v.other_date, v.cadastral_value_kzt, v.details, v.parcel_id = :id AS own,
               z.kind AS zone_kind, z.name AS zone_name, o.cadastral_number AS other_number,
               p.cadastral_number AS flagged_number,
               coalesce((SELECT jsonb_agg(jsonb_build_object(
                   'at', r.at, 'actor', r.actor, 'from', r.from_state, 'to', r.to_state,
                   'comment', r.comment) ORDER BY r.at, r.id)
                   FROM violation_reviews r WHERE r.violation_id = v.id), '[]') AS history
        FROM parcel_violations v
        JOIN parcels p ON p.id = v.parcel_id
        LEFT JOIN zones z ON z.id = v.zone_id
        LEFT JOIN parcels o ON o.id = v.other_parcel_id
        WHERE v.parcel_id = :id OR v.other_parcel_id = :id
        ORDER BY v.resolved_at NULLS FIRST, v.rule, v.id
    """), {"id": parcel_id}).mappings()]
    return rows


def card_map(conn: Connection, parcel_id: int) -> dict[str, Any]:
    """GeoJSON for the card's map: the parcel, neighbours and zones nearby."""
    rows = conn.execute(text("""
        WITH me AS (SELECT id, geom, ST_Expand(geom, :deg) AS around FROM parcels
                    WHERE id = :id)
        SELECT 'parcel' AS role, p.cadastral_number AS label, p.land_use AS kind,
               ST_AsGeoJSON(p.geom, 7) AS geometry
        FROM parcels p JOIN me ON p.id = me.id
        UNION ALL
        SELECT 'neighbour', p.cadastral_number, p.land_use, ST_AsGeoJSON(p.geom, 7)
        FROM parcels p, me WHERE p.id <> me.id AND p.geom && me.around
        UNION ALL
        SELECT 'zone', z.name, z.kind, ST_AsGeoJSON(ST_Intersection(z.geom,
               ST_Expand(me.around, :deg)), 7)
        FROM zones z, me WHERE z.geom && me.around
    """), {"id": parcel_id, "deg": NEIGHBOURS_WITHIN_M / 75_000}).mappings().all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(r["geometry"]),
         "properties": {"role": r["role"], "label": r["label"], "kind": r["kind"]}}
        for r in rows if r["geometry"]]}
