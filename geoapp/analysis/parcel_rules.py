"""The parcel rules R1-R6, each ONE set-based SQL statement that finds its violations
and upserts them into `parcel_violations` under the key (rule, parcel_id, ref_id), so
that a re-run refreshes a finding without touching its review state.

Every rule's `found` query yields the same columns: parcel_id, ref_id (the zone or
other parcel, 0 if none), zone_id, other_parcel_id, overlap (MultiPolygon, 4326),
overlap_m2, overlap_share, parcel_date, other_date, value, details (jsonb). Areas
are measured in EPSG:32642; a parcel geometry that is not valid is made valid first
(R5 reports it), so one bad parcel cannot stop the run.

The rules read the parcels from a per-run temporary table (WORK_TABLE, made by
WORK_TABLE_SQL) that holds each parcel's geometry made valid, its area in m² and its
exact bounding box, computed once instead of once per rule and per candidate pair.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from geoapp.analysis.rule_config import Rule
from geoapp.models.complaints import pinpointed

BBox = tuple[float, float, float, float]
METRIC_SRID = 32642


def valid(expr: str) -> str:
    return f"(CASE WHEN ST_IsValid({expr}) THEN {expr} ELSE ST_MakeValid({expr}) END)"


def m2(expr: str) -> str:
    return f"ST_Area(ST_Transform({expr}, {METRIC_SRID}))"


def polygons(expr: str) -> str:
    """The polygonal part of a geometry as a MultiPolygon."""
    return f"ST_Multi(ST_CollectionExtract({expr}, 3))"


INTERIORS_MEET = "ST_Relate({a}, {b}, 'T********')"
# The CTEs that compute an overlap or its area are MATERIALIZED: inlined, each later
# mention of `overlap` or `overlap_m2` would run ST_Intersection (and ST_Transform) again.

# Interiors can only meet where the exact bounding boxes overlap with positive area; this
# drops the pairs that merely touch (neighbours on a shared edge) before ST_Relate.
BOXES_OVERLAP = "{a}.x0 < {b}.x1 AND {b}.x0 < {a}.x1 AND {a}.y0 < {b}.y1 AND {b}.y0 < {a}.y1"

# Where EPSG:32642 (UTM 42N) measures distances within 0.1% of the geodesic ones: the
# zone's own extent. R6 trusts a metric distance there, for parcels under 0.05° across.
UTM_ZONE = "x0 >= 66 AND x1 <= 72 AND y0 >= 0 AND y1 <= 84"
UTM_SMALL = "x1 - x0 <= 0.05 AND y1 - y0 <= 0.05"

WORK_TABLE = "rule_parcels"
WORK_TABLE_SQL: tuple[str, ...] = (
    f"DROP TABLE IF EXISTS pg_temp.{WORK_TABLE}",
    # The OFFSET 0 fences keep ST_IsValid, ST_MakeValid and ST_Transform to one call each.
    f"""CREATE TEMP TABLE {WORK_TABLE} AS
SELECT m.*, ST_Area(gm) AS m2, coalesce({UTM_ZONE} AND {UTM_SMALL}, false) AS utm_ok
FROM (
    SELECT v.*, ST_Transform(g, {METRIC_SRID}) AS gm,
           ST_XMin(g) AS x0, ST_YMin(g) AS y0, ST_XMax(g) AS x1, ST_YMax(g) AS y1
    FROM (
        SELECT c.*, CASE WHEN c.valid THEN c.geom ELSE ST_MakeValid(c.geom) END AS g
        FROM (
            SELECT id, status, land_use, allocated_at, cadastral_value_kzt,
                   declared_area_ha, geom, ST_IsValid(geom) AS valid, ST_IsEmpty(geom) AS empty
            FROM parcels OFFSET 0
        ) c OFFSET 0
    ) v OFFSET 0
) m""",
    f"CREATE INDEX ON {WORK_TABLE} USING gist (geom)",
    # Statistics for what the rules filter and join on; those of the copies g and gm
    # would cost more than the whole index build and steer no plan.
    f"ANALYZE {WORK_TABLE} (id, status, land_use, valid, empty, geom)",
)
DROP_WORK_TABLE_SQL = f"DROP TABLE IF EXISTS pg_temp.{WORK_TABLE}"

UPSERT = """
INSERT INTO parcel_violations AS v (
    rule, parcel_id, ref_id, zone_id, other_parcel_id, severity, overlap_m2, overlap_ha,
    overlap_share, parcel_date, other_date, cadastral_value_kzt, details, geom,
    first_seen_at, last_seen_at)
SELECT :rule, f.parcel_id, f.ref_id, f.zone_id, f.other_parcel_id, :severity,
       round(f.overlap_m2::numeric, 2), round((f.overlap_m2 / 10000)::numeric, 4),
       round(f.overlap_share::numeric, 6), f.parcel_date, f.other_date, f.value, f.details,
       f.overlap, now(), now()
FROM found f
ON CONFLICT (rule, parcel_id, ref_id) DO UPDATE SET
    zone_id = EXCLUDED.zone_id, other_parcel_id = EXCLUDED.other_parcel_id,
    severity = EXCLUDED.severity, overlap_m2 = EXCLUDED.overlap_m2,
    overlap_ha = EXCLUDED.overlap_ha, overlap_share = EXCLUDED.overlap_share,
    parcel_date = EXCLUDED.parcel_date, other_date = EXCLUDED.other_date,
    cadastral_value_kzt = EXCLUDED.cadastral_value_kzt, details = EXCLUDED.details,
    geom = EXCLUDED.geom, last_seen_at = EXCLUDED.last_seen_at, resolved_at = NULL
RETURNING v.id
"""


def _zone_overlap(rule: Rule, condition: str, keep: str) -> str:
    """Parcels overlapping zones of one kind: the shared part of R1 and R3."""
    return f"""
WITH z AS MATERIALIZED (
    SELECT z.id, z.kind, z.name, z.valid_from, z.valid_to, z.geom, zg.g,
           ST_XMin(zg.g) AS x0, ST_YMin(zg.g) AS y0, ST_XMax(zg.g) AS x1, ST_YMax(zg.g) AS y1
    FROM zones z CROSS JOIN LATERAL (SELECT {valid('z.geom')} AS g OFFSET 0) zg
    WHERE z.kind = :zone_kind
), hits AS MATERIALIZED (
    SELECT p.id AS parcel_id, z.id AS zone_id, p.allocated_at AS parcel_date,
           z.valid_from AS other_date, p.cadastral_value_kzt AS value, p.land_use,
           z.kind AS zone_kind, z.name AS zone_name,
           {polygons('ST_Intersection(p.g, z.g)')} AS overlap, p.m2 AS parcel_m2
    FROM z
    JOIN {WORK_TABLE} p ON p.geom && z.geom
    WHERE p.status = ANY(:statuses) AND NOT p.empty
      AND {condition}
      AND {BOXES_OVERLAP.format(a='p', b='z')}
      AND {INTERIORS_MEET.format(a='p.g', b='z.g')}
), measured AS MATERIALIZED (
    SELECT h.*, {m2('h.overlap')} AS overlap_m2 FROM hits h
), found AS (
    SELECT parcel_id, zone_id AS ref_id, zone_id, NULL::int AS other_parcel_id, overlap,
           overlap_m2, overlap_m2 / nullif(parcel_m2, 0) AS overlap_share, parcel_date,
           other_date, value,
           jsonb_build_object('zone_kind', zone_kind, 'zone_name', zone_name,
                              'land_use', land_use, 'parcel_m2', round(parcel_m2::numeric, 1))
               AS details
    FROM measured WHERE {keep}
)
"""


def r1_state_needs(rule: Rule, _: BBox) -> tuple[str, dict[str, Any]]:
    p = rule.params
    condition = ("p.allocated_at >= z.valid_from "
                 "AND (z.valid_to IS NULL OR p.allocated_at <= z.valid_to)")
    keep = "overlap_m2 > :min_share * parcel_m2 OR overlap_m2 > :min_area_m2"
    return _zone_overlap(rule, condition, keep), {
        "zone_kind": p.get("zone_kind", "state_needs"), "statuses": list(p["statuses"]),
        "min_share": float(p["min_share"]), "min_area_m2": float(p["min_area_m2"])}


def r3_water_protection(rule: Rule, _: BBox) -> tuple[str, dict[str, Any]]:
    p = rule.params
    return _zone_overlap(rule, "p.land_use <> ALL(:permitted)", "overlap_m2 > :min_area_m2"), {
        "zone_kind": p.get("zone_kind", "water_protection"), "statuses": list(p["statuses"]),
        "permitted": list(p["permitted_land_uses"]), "min_area_m2": float(p["min_area_m2"])}


def r2_overlap(rule: Rule, _: BBox) -> tuple[str, dict[str, Any]]:
    """The newer parcel of a pair is the violation: later allocation date, then the
    later registration (higher id); an unknown date counts as the oldest."""
    sql = f"""
WITH pairs AS MATERIALIZED (
    SELECT a.id AS a_id, b.id AS b_id,
           (coalesce(a.allocated_at, '-infinity'::date), a.id)
               > (coalesce(b.allocated_at, '-infinity'::date), b.id) AS a_newer,
           a.allocated_at AS a_date, b.allocated_at AS b_date,
           a.cadastral_value_kzt AS a_value, b.cadastral_value_kzt AS b_value,
           {polygons('ST_Intersection(a.g, b.g)')} AS overlap, a.m2 AS a_m2, b.m2 AS b_m2
    FROM {WORK_TABLE} a
    JOIN {WORK_TABLE} b ON a.geom && b.geom AND a.id < b.id
    WHERE a.status = ANY(:statuses) AND b.status = ANY(:statuses)
      AND NOT a.empty AND NOT b.empty
      AND {BOXES_OVERLAP.format(a='a', b='b')}
      AND {INTERIORS_MEET.format(a='a.g', b='b.g')}
), measured AS MATERIALIZED (
    SELECT pairs.*, {m2('overlap')} AS overlap_m2 FROM pairs
), found AS (
    SELECT CASE WHEN a_newer THEN a_id ELSE b_id END AS parcel_id,
           CASE WHEN a_newer THEN b_id ELSE a_id END AS ref_id, NULL::int AS zone_id,
           CASE WHEN a_newer THEN b_id ELSE a_id END AS other_parcel_id, overlap, overlap_m2,
           overlap_m2 / nullif(CASE WHEN a_newer THEN a_m2 ELSE b_m2 END, 0) AS overlap_share,
           CASE WHEN a_newer THEN a_date ELSE b_date END AS parcel_date,
           CASE WHEN a_newer THEN b_date ELSE a_date END AS other_date,
           CASE WHEN a_newer THEN a_value ELSE b_value END AS value,
           jsonb_build_object('share_of_smaller',
                              round((overlap_m2 / nullif(least(a_m2, b_m2), 0))::numeric, 4))
               AS details
    FROM measured WHERE overlap_m2 > :min_share * least(a_m2, b_m2)
)
"""
    p = rule.params
    return sql, {"statuses": list(p["statuses"]), "min_share": float(p["min_share"])}


def r4_area_mismatch(rule: Rule, _: BBox) -> tuple[str, dict[str, Any]]:
    sql = f"""
WITH measured AS (
    SELECT p.id, p.allocated_at, p.cadastral_value_kzt, p.geom,
           p.declared_area_ha * 10000 AS declared_m2, p.m2 AS geometric_m2
    FROM {WORK_TABLE} p
    WHERE p.status = ANY(:statuses) AND p.valid AND NOT p.empty
), found AS (
    SELECT id AS parcel_id, 0 AS ref_id, NULL::int AS zone_id, NULL::int AS other_parcel_id,
           {polygons('geom')} AS overlap, NULL::float8 AS overlap_m2,
           NULL::float8 AS overlap_share, allocated_at AS parcel_date, NULL::date AS other_date,
           cadastral_value_kzt AS value,
           jsonb_build_object(
               'declared_m2', round(declared_m2, 1),
               'geometric_m2', round(geometric_m2::numeric, 1),
               'difference', round(((geometric_m2 - declared_m2::float8)
                                    / nullif(declared_m2::float8, 0))::numeric, 4)) AS details
    FROM measured
    WHERE abs(geometric_m2 - declared_m2::float8) > :tolerance * declared_m2::float8
       OR (declared_m2 = 0 AND geometric_m2 > 0)
)
"""
    p = rule.params
    return sql, {"statuses": list(p["statuses"]), "tolerance": float(p["tolerance"])}


def r5_geometry(rule: Rule, city: BBox) -> tuple[str, dict[str, Any]]:
    # A geometry whose bounding box lies in the city's rectangle is covered by it: only
    # the others need ST_CoveredBy.
    inside_city = ("(CASE WHEN p.x0 >= :minx AND p.y0 >= :miny AND p.x1 <= :maxx"
                   " AND p.y1 <= :maxy THEN true ELSE ST_CoveredBy(p.g, city.env) END)")
    sql = f"""
WITH checked AS (
    SELECT p.id, p.allocated_at, p.cadastral_value_kzt, p.g, p.empty,
           NOT p.valid AS invalid, NOT p.empty AND NOT {inside_city} AS outside, city.env
    FROM {WORK_TABLE} p
    CROSS JOIN (SELECT ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326) AS env) city
    WHERE p.status = ANY(:statuses)
), found AS (
    SELECT id AS parcel_id, 0 AS ref_id, NULL::int AS zone_id, NULL::int AS other_parcel_id,
           CASE WHEN empty THEN NULL
                WHEN outside THEN {polygons('ST_Difference(g, env)')}
                ELSE {polygons('g')} END AS overlap,
           CASE WHEN outside THEN {m2('ST_Difference(g, env)')} END AS overlap_m2,
           NULL::float8 AS overlap_share, allocated_at AS parcel_date, NULL::date AS other_date,
           cadastral_value_kzt AS value,
           jsonb_build_object('empty', empty, 'invalid', invalid, 'outside_city', outside)
               AS details
    FROM checked WHERE empty OR invalid OR outside
)
"""
    return sql, {"statuses": list(rule.params["statuses"]), "minx": city[0], "miny": city[1],
                 "maxx": city[2], "maxy": city[3]}


def r6_complaints(rule: Rule, city: BBox) -> tuple[str, dict[str, Any]]:
    p = rule.params
    distance = float(p["distance_m"])
    # Degrees that surely cover `distance` metres anywhere in the city (the index filter).
    degrees = distance / (111_320 * math.cos(math.radians(max(abs(city[1]), abs(city[3])))))
    end = ("now()" if p.get("period_end") == "now" else
           "(SELECT coalesce(max(received_at), now()) FROM complaints c"
           " WHERE c.category = :group OR c.category LIKE :group_prefix)")
    sql = f"""
WITH period AS (
    SELECT {end} AS period_end
), recent AS MATERIALIZED (
    SELECT c.id, c.ticket, c.geom, c.received_at, ST_Transform(c.geom, {METRIC_SRID}) AS gm
    FROM complaints c, period
    WHERE {pinpointed('c')} AND (c.category = :group OR c.category LIKE :group_prefix)
      AND c.received_at > period.period_end - make_interval(days => :days)
      AND c.received_at <= period.period_end
), near AS (
    SELECT p.id, count(*) AS n, (array_agg(r.ticket ORDER BY r.received_at DESC))[1:20]
               AS tickets
    FROM recent r
    -- Driven by the complaints (fewer than parcels). The lookup's margin exceeds two
    -- float4 steps of any lon/lat, so it finds every parcel the box test below keeps.
    JOIN {WORK_TABLE} p ON p.geom && ST_Expand(r.geom, :degrees + 0.0001)
    CROSS JOIN LATERAL (
        SELECT CASE WHEN p.utm_ok THEN ST_Distance(p.gm, r.gm) END AS metres OFFSET 0
    ) u
    WHERE p.status = ANY(:statuses) AND NOT p.empty
      AND r.geom && ST_Expand(p.geom, :degrees)
      -- the geodesic test only where the metric distance is too close to call
      AND CASE WHEN u.metres <= :surely_near THEN true
               WHEN u.metres > :surely_far THEN false
               ELSE ST_DWithin(p.g::geography, r.geom::geography, :distance) END
    GROUP BY p.id HAVING count(*) >= :min_complaints
), found AS (
    SELECT p.id AS parcel_id, 0 AS ref_id, NULL::int AS zone_id,
           NULL::int AS other_parcel_id, {polygons('p.g')} AS overlap,
           NULL::float8 AS overlap_m2, NULL::float8 AS overlap_share,
           p.allocated_at AS parcel_date,
           (period.period_end AT TIME ZONE 'Asia/Almaty')::date AS other_date,
           p.cadastral_value_kzt AS value,
           jsonb_build_object('complaints', near.n, 'tickets', to_jsonb(near.tickets),
                              'distance_m', :distance, 'period_days', :days) AS details
    FROM near JOIN {WORK_TABLE} p ON p.id = near.id CROSS JOIN period
)
"""
    group = str(p.get("category_group", "land"))
    return sql, {"statuses": list(p["statuses"]), "group": group, "group_prefix": f"{group}.%",
                 "days": int(p["period_days"]), "min_complaints": int(p["min_complaints"]),
                 "distance": distance, "degrees": degrees,
                 "surely_near": distance * 0.99 - 0.1, "surely_far": distance * 1.01 + 0.1}


RuleSQL = Callable[[Rule, BBox], tuple[str, dict[str, Any]]]
RULE_SQL: dict[str, RuleSQL] = {
    "R1": r1_state_needs, "R2": r2_overlap, "R3": r3_water_protection,
    "R4": r4_area_mismatch, "R5": r5_geometry, "R6": r6_complaints,
}


def rule_statement(rule: Rule, city: BBox) -> tuple[str, dict[str, Any]]:
    """The one statement that finds and upserts a rule's violations, and its parameters."""
    found, params = RULE_SQL[rule.code](rule, city)
    return found + UPSERT, {**params, "rule": rule.code, "severity": rule.severity}


def found_statement(rule: Rule, city: BBox) -> tuple[str, dict[str, Any]]:
    """The rule's bare finding query (no upsert), for benchmarks and checks; like
    rule_statement it needs the work table of WORK_TABLE_SQL."""
    found, params = RULE_SQL[rule.code](rule, city)
    return found + "SELECT count(*) FROM found", params
