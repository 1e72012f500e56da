"""Aggregates for the public open map and open data: counts per microdistrict and per
hexagon, by category group and period, with small-count and complementary
suppression (see geoapp.analysis.suppression). No Flask here.

The whole lattice of one table is counted in one set-based statement (GROUPING SETS
over area x group x month/quarter/year) and suppressed at once, so every request
answers from the same, consistently suppressed cells. Tables are kept in process and
recomputed in the background when the data changes (geoapp.analysis.table_cache).
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, text

from geoapp.analysis.suppression import (
    ALL,
    Key,
    last_months,
    period_options,
    relations,
    suppress,
    years_between,
)
from geoapp.analysis.table_cache import VersionedTables
from geoapp.errors import ConfigError
from geoapp.models.complaints import pinpointed
from geoapp.taxonomy import CATEGORY_GROUPS

DEFAULT_K, DEFAULT_HEX_M = 5, 500
GROUP_OPTIONS: tuple[str, ...] = (ALL, *CATEGORY_GROUPS)
TZ = "Asia/Almaty"


@dataclass(frozen=True)
class PublicSettings:
    k: int = DEFAULT_K
    hex_m: int = DEFAULT_HEX_M


def public_settings() -> PublicSettings:
    """k (GEOAPP_PUBLIC_K, at least 5... or more) and the hexagon edge in metres
    (GEOAPP_PUBLIC_HEX_M)."""
    try:
        k = int(os.environ.get("GEOAPP_PUBLIC_K") or DEFAULT_K)
        hex_m = int(os.environ.get("GEOAPP_PUBLIC_HEX_M") or DEFAULT_HEX_M)
    except ValueError as exc:
        raise ConfigError(f"GEOAPP_PUBLIC_K / GEOAPP_PUBLIC_HEX_M must be integers: {exc}"
                          ) from None
    if k < 2 or not 50 <= hex_m <= 5000:
        raise ConfigError("GEOAPP_PUBLIC_K must be >= 2 and GEOAPP_PUBLIC_HEX_M 50..5000")
    return PublicSettings(k, hex_m)


@dataclass
class Table:
    """One suppressed lattice: counts by (area, group, period) and the withheld keys."""

    counts: dict[Key, int]
    withheld: set[Key]
    periods: list[str]
    months: list[str]
    areas: dict[Hashable, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, dict[Key, Any]] = field(default_factory=dict)

    def value(self, area: Hashable, group: str, period: str) -> int | None:
        """The published count (None: suppressed)."""
        key = (area, group, period)
        return None if key in self.withheld else self.counts.get(key, 0)


GROUP_SQL = "split_part(c.category, '.', 1)"
PERIOD_SQL = f"""
    to_char(c.received_at AT TIME ZONE '{TZ}', 'YYYY-MM') AS month,
    to_char(c.received_at AT TIME ZONE '{TZ}', 'YYYY-"Q"Q') AS quarter,
    to_char(c.received_at AT TIME ZONE '{TZ}', 'YYYY') AS year"""


def _grouping_sets(with_months: bool) -> str:
    sets = ["(grp, quarter)", "(grp, year)", "(grp)", "(quarter)", "(year)", "()"]
    if with_months:
        sets += ["(grp, month)", "(month)"]
    return ", ".join(sets)


def _lattice_select(measures: str, with_months: bool) -> str:
    return f"""
        SELECT area,
               CASE WHEN GROUPING(grp) = 1 THEN 'all' ELSE grp END AS grp_key,
               CASE WHEN {'GROUPING(month) = 0 THEN month WHEN' if with_months else ''}
                    GROUPING(quarter) = 0 THEN quarter
                    WHEN GROUPING(year) = 0 THEN year ELSE 'all' END AS period_key,
               {measures}
        FROM base GROUP BY area, GROUPING SETS ({_grouping_sets(with_months)})"""


def data_range(conn: Connection, column: str = "received_at") -> tuple[date, date] | None:
    """First and last local day of `column` (a fixed column name, never request text)."""
    assert column in ("received_at", "resolved_at")
    first, last = conn.execute(text(f"""
        SELECT (min({column}) AT TIME ZONE '{TZ}')::date,
               (max({column}) AT TIME ZONE '{TZ}')::date FROM complaints""")).one()
    return None if first is None else (first, last)


def _finish(counts: dict[Key, int], areas: list[Hashable], first: date, last: date, k: int,
            with_months: bool) -> tuple[set[Key], list[str], list[str]]:
    years = years_between(first, last)
    withheld = suppress(counts, relations(areas, CATEGORY_GROUPS, years, with_months), k)
    return withheld, period_options(first, last), last_months(last)


def microdistrict_table(conn: Connection, k: int) -> Table:
    """Complaints received per microdistrict, with the cohort's resolved and unresolved
    counts (each suppressed on its own) and the median days to resolve."""
    span = data_range(conn) or (date.today(), date.today())
    rows = conn.execute(text(f"""
        WITH base AS (
            SELECT c.microdistrict_id AS area, {GROUP_SQL} AS grp, {PERIOD_SQL},
                   c.status = 'resolved' AS resolved,
                   CASE WHEN c.status = 'resolved' AND c.resolved_at >= c.received_at
                        THEN date_part('epoch', c.resolved_at - c.received_at) / 86400
                   END AS days
            FROM complaints c WHERE c.microdistrict_id IS NOT NULL
        )
        {_lattice_select('''count(*) AS n, count(*) FILTER (WHERE resolved) AS r,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days''', True)}
    """)).all()
    areas = {r["id"]: dict(r) for r in conn.execute(text(
        "SELECT id, name, name_kk, population FROM microdistricts ORDER BY name"
    )).mappings()}
    counts, resolved, unresolved, medians = {}, {}, {}, {}
    for area, grp, period, n, r, median in rows:
        key = (area, grp, period)
        counts[key], resolved[key], unresolved[key] = n, r, n - r
        medians[key] = median
    ids = list(areas)
    withheld, periods, months = _finish(counts, ids, *span, k, True)
    table = Table(counts, withheld, periods, months, areas)
    r_withheld = _finish(resolved, ids, *span, k, True)[0]
    u_withheld = _finish(unresolved, ids, *span, k, True)[0]
    table.extra["share_resolved"] = {
        key: round(100 * resolved[key] / n) for key, n in counts.items()
        if key not in withheld and key not in r_withheld and key not in u_withheld
    }
    table.extra["median_days"] = {
        key: round(float(medians[key]), 1) for key in counts
        if key not in withheld and key not in r_withheld and resolved[key] >= k
        and medians[key] is not None
    }
    return table


def resolved_table(conn: Connection, k: int) -> Table:
    """"What has been done": complaints resolved per microdistrict, by the period of
    resolution."""
    span = data_range(conn, "resolved_at") or (date.today(), date.today())
    rows = conn.execute(text(f"""
        WITH base AS (
            SELECT c.microdistrict_id AS area, {GROUP_SQL} AS grp,
                   {PERIOD_SQL.replace('received_at', 'resolved_at')}
            FROM complaints c
            WHERE c.microdistrict_id IS NOT NULL AND c.status = 'resolved'
              AND c.resolved_at IS NOT NULL
        )
        {_lattice_select('count(*) AS n', False)}
    """)).all()
    areas = {r["id"]: dict(r) for r in conn.execute(text(
        "SELECT id, name, name_kk, population FROM microdistricts ORDER BY name"
    )).mappings()}
    counts = {(a, g, p): n for a, g, p, n in rows}
    withheld, periods, months = _finish(counts, list(areas), *span, k, False)
    return Table(counts, withheld, periods, months, areas)


def hexagon_table(conn: Connection, k: int, hex_m: int,
                  city: tuple[float, float, float, float]) -> Table:
    """Complaints per hexagon (edge `hex_m` metres, EPSG:32642) of the city's extent."""
    span = data_range(conn) or (date.today(), date.today())
    params = {"size": hex_m, "minx": city[0], "miny": city[1], "maxx": city[2],
              "maxy": city[3]}
    rows = conn.execute(text(f"""
        WITH grid AS MATERIALIZED (
            SELECT h.i || ':' || h.j AS area, ST_Transform(h.geom, 4326) AS geom
            FROM ST_HexagonGrid(:size, ST_Transform(
                ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326), 32642)) h
        ), base AS (
            SELECT g.area, {GROUP_SQL} AS grp, {PERIOD_SQL}
            FROM grid g JOIN complaints c ON c.geom && g.geom AND ST_Intersects(g.geom, c.geom)
            WHERE {pinpointed('c')}
        )
        {_lattice_select('count(*) AS n', False)}
    """), params).all()
    counts = {(a, g, p): n for a, g, p, n in rows}
    ids = sorted({a for a, _, _ in counts})
    geoms = conn.execute(text("""
        SELECT h.i || ':' || h.j AS area,
               ST_AsGeoJSON(ST_Transform(h.geom, 4326), 5) AS geometry
        FROM ST_HexagonGrid(:size, ST_Transform(
            ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326), 32642)) h
        WHERE h.i || ':' || h.j = ANY(:ids)
    """), {**params, "ids": ids}).all()
    withheld, periods, months = _finish(counts, ids, *span, k, False)
    return Table(counts, withheld, periods, months,
                 {area: {"geometry": geometry} for area, geometry in geoms})


def microdistrict_geometries(conn: Connection, tolerance: float = 0.0002) -> dict[int, str]:
    return dict(conn.execute(text("""
        SELECT id, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, :tolerance), 5)
        FROM microdistricts"""), {"tolerance": tolerance}).all())


TABLES = VersionedTables()


def cached_table(conn: Connection, name: str, city: tuple[float, float, float, float]
                 ) -> Table:
    """The named table ("microdistricts", "hexagons", "resolved", "md_geometries") of
    the connection's database, kept in process and refreshed when the data changes.
    The four are computed and replaced together: refreshed one by one, a page could
    offer a period (from the new microdistrict table) that a layer still answering from
    the old hexagon table refused."""
    s = public_settings()
    key = (conn.engine.url.render_as_string(), "public tables", s.k, s.hex_m, city)

    def compute(c: Connection) -> dict[str, Any]:
        return {"microdistricts": microdistrict_table(c, s.k),
                "resolved": resolved_table(c, s.k),
                "hexagons": hexagon_table(c, s.k, s.hex_m, city),
                "md_geometries": microdistrict_geometries(c)}

    return TABLES.get(conn, key, compute)[name]


PUBLIC_TABLES = ("microdistricts", "md_geometries", "hexagons", "resolved")


def warm_public_tables(engine: Engine, city: tuple[float, float, float, float]) -> None:
    """Compute every public table now, so that no visitor waits for the first one."""
    with engine.connect() as conn:
        cached_table(conn, PUBLIC_TABLES[0], city)  # computes them all
