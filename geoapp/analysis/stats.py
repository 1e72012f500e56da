"""Complaint figures for the dashboard and the microdistrict pages.

Each function runs one SQL statement over a Connection. The map's filters
(`ComplaintFilter`) apply throughout; `microdistrict_id` narrows a figure to one
microdistrict. Shares are fractions (0-1) of the complaints in scope. No Flask here.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text

from geoapp.maps.filters import ComplaintFilter
from geoapp.taxonomy import OPEN_STATUSES

DEFAULT_TZ = "Asia/Almaty"
# Counts read the narrow, trigger-kept copy of complaints (geoapp.models.derived): the
# same columns under the same alias, a sixth of the bytes to scan.
COUNTED = "complaint_map_points"
# Days to resolve are whole days elapsed (floor); a bucket starts at each edge.
RESOLUTION_EDGES: tuple[int, ...] = (0, 2, 4, 8, 15, 31, 61, 91)
RESOLUTION_LABELS: tuple[str, ...] = (
    "0-1", "2-3", "4-7", "8-14", "15-30", "31-60", "61-90", ">90",
)


@dataclass(frozen=True)
class Share:
    key: str
    count: int
    share: float


@dataclass(frozen=True)
class MicrodistrictCount:
    """One microdistrict's complaints; `id` None is the complaints in no microdistrict."""

    id: int | None
    name: str | None
    name_kk: str | None
    population: int | None
    count: int
    share: float | None
    per_1000: float | None


@dataclass(frozen=True)
class WeekCount:
    monday: date
    label: str
    count: int


@dataclass(frozen=True)
class OpenComplaint:
    ticket: str
    received_local: datetime
    days_open: int
    category: str
    status: str
    address: str | None
    microdistrict_id: int | None
    microdistrict: str | None


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int


@dataclass(frozen=True)
class ResolutionTimes:
    buckets: tuple[Bucket, ...]
    median_days: float | None
    resolved: int


@dataclass(frozen=True)
class AddressCount:
    building_id: int
    address: str
    count: int
    open: int


@dataclass(frozen=True)
class MicrodistrictInfo:
    id: int
    name: str
    name_kk: str | None
    population: int
    geojson: dict[str, Any]


def _scope(filters: ComplaintFilter,
           microdistrict_id: int | None = None) -> tuple[str, dict[str, object]]:
    where, params = filters.where("c")
    if microdistrict_id is not None:
        where = f"({where}) AND c.microdistrict_id = :s_microdistrict"
        params = {**params, "s_microdistrict": microdistrict_id}
    return where, params


# The keys are fixed SQL, chosen by the function, never by a request.
_SHARE_KEYS = {
    "group": "split_part(c.category, '.', 1)",
    "category": "c.category",
    "status": "c.status",
}


def _shares(conn: Connection, key: str, filters: ComplaintFilter,
            microdistrict_id: int | None) -> list[Share]:
    where, params = _scope(filters, microdistrict_id)
    rows = conn.execute(text(f"""
        SELECT {_SHARE_KEYS[key]} AS key, count(*) AS n,
               count(*)::float8 / sum(count(*)) OVER () AS share
        FROM {COUNTED} c WHERE {where}
        GROUP BY 1 ORDER BY n DESC, key"""), params)
    return [Share(r.key, r.n, r.share) for r in rows]


def by_group(conn: Connection, filters: ComplaintFilter,
             microdistrict_id: int | None = None) -> list[Share]:
    """Counts and shares by category group (`housing_utilities`, `land`, ...)."""
    return _shares(conn, "group", filters, microdistrict_id)


def by_category(conn: Connection, filters: ComplaintFilter,
                microdistrict_id: int | None = None) -> list[Share]:
    return _shares(conn, "category", filters, microdistrict_id)


def by_status(conn: Connection, filters: ComplaintFilter,
              microdistrict_id: int | None = None) -> list[Share]:
    return _shares(conn, "status", filters, microdistrict_id)


def by_microdistrict(conn: Connection, filters: ComplaintFilter) -> list[MicrodistrictCount]:
    """Every microdistrict (also those without complaints) with its count, share and
    complaints per 1,000 residents; then one row for complaints in no microdistrict."""
    where, params = _scope(filters)
    rows = conn.execute(text(f"""
        WITH counts AS (SELECT c.microdistrict_id, count(*) AS n FROM {COUNTED} c
                        WHERE {where} GROUP BY 1),
             total AS (SELECT sum(n)::bigint AS n FROM counts)
        SELECT * FROM (
            SELECT m.id, m.name, m.name_kk, m.population, coalesce(k.n, 0) AS n,
                   coalesce(k.n, 0)::float8 / nullif(t.n, 0) AS share,
                   coalesce(k.n, 0) * 1000.0::float8 / nullif(m.population, 0) AS per_1000
            FROM microdistricts m
            LEFT JOIN counts k ON k.microdistrict_id = m.id
            CROSS JOIN total t
            UNION ALL
            SELECT NULL, NULL, NULL, NULL, k.n, k.n::float8 / t.n, NULL
            FROM counts k CROSS JOIN total t WHERE k.microdistrict_id IS NULL
        ) AS r
        ORDER BY r.id IS NULL, r.n DESC, r.name"""), params)
    return [MicrodistrictCount(r.id, r.name, r.name_kk, r.population, r.n, r.share,
                               r.per_1000) for r in rows]


def weekly_trend(conn: Connection, filters: ComplaintFilter,
                 microdistrict_id: int | None = None, tz: str = DEFAULT_TZ) -> list[WeekCount]:
    """Complaints per ISO week of local time, from the first week to the last with
    complaints; weeks in between without any count as 0."""
    where, params = _scope(filters, microdistrict_id)
    # Counted by quarter-hour first: date_bin is plain arithmetic, while a time-zone
    # conversion per complaint costs more than the whole count. Every zone's offset
    # is a whole number of quarter-hours, so each bin falls in one local week.
    rows = conn.execute(text(f"""
        WITH bins AS (
            SELECT date_bin('15 minutes', c.received_at, TIMESTAMPTZ '2000-01-01 00:00Z')
                       AS bin, count(*) AS n
            FROM {COUNTED} c WHERE {where} GROUP BY 1),
        weeks AS (
            SELECT date_trunc('week', bin AT TIME ZONE :s_tz)::date AS monday,
                   sum(n)::bigint AS n
            FROM bins GROUP BY 1)
        SELECT s::date AS monday, to_char(s, 'IYYY-"W"IW') AS label,
               coalesce(w.n, 0) AS n
        FROM generate_series((SELECT min(monday) FROM weeks)::timestamp,
                             (SELECT max(monday) FROM weeks)::timestamp,
                             interval '7 days') AS s
        LEFT JOIN weeks w ON w.monday = s::date
        ORDER BY s"""), {**params, "s_tz": tz})
    return [WeekCount(r.monday, r.label, r.n) for r in rows]


def oldest_unresolved(conn: Connection, filters: ComplaintFilter, limit: int = 20,
                      tz: str = DEFAULT_TZ) -> list[OpenComplaint]:
    """Open complaints (OPEN_STATUSES), the longest waiting first."""
    where, params = _scope(filters)
    rows = conn.execute(text(f"""
        SELECT c.ticket, c.received_at AT TIME ZONE :s_tz AS received_local,
               floor(extract(epoch FROM now() - c.received_at) / 86400)::int AS days_open,
               c.category, c.status, coalesce(b.address, c.address) AS address,
               m.id AS microdistrict_id, m.name AS microdistrict
        FROM complaints c
        LEFT JOIN buildings b ON b.id = c.building_id
        LEFT JOIN microdistricts m ON m.id = c.microdistrict_id
        WHERE c.status = ANY(:s_open) AND {where}
        ORDER BY c.received_at, c.id
        LIMIT :s_limit"""),
        {**params, "s_tz": tz, "s_open": sorted(OPEN_STATUSES), "s_limit": limit})
    return [OpenComplaint(**r._mapping) for r in rows]


# date_part, not extract: extract returns numeric, several times slower over a million.
DAYS_TO_RESOLVE = "date_part('epoch', c.resolved_at - c.received_at) / 86400"
RESOLVED = "c.status = 'resolved' AND c.resolved_at >= c.received_at"


def resolution_times(conn: Connection, filters: ComplaintFilter,
                     microdistrict_id: int | None = None) -> ResolutionTimes:
    """Resolved complaints by whole days from receipt to resolution (RESOLUTION_LABELS
    buckets) and the median in fractional days. A resolution dated before its receipt
    is a data error and left out."""
    where, params = _scope(filters, microdistrict_id)
    rows = conn.execute(text(f"""
        SELECT floor({DAYS_TO_RESOLVE})::int AS day, count(*) AS n FROM {COUNTED} c
        WHERE {RESOLVED} AND {where} GROUP BY 1"""), params)
    by_day: dict[int, int] = {row.day: row.n for row in rows}
    counts = [0] * len(RESOLUTION_EDGES)
    for day, n in by_day.items():
        counts[bisect_right(RESOLUTION_EDGES, day) - 1] += n
    buckets = tuple(Bucket(label, n) for label, n in zip(RESOLUTION_LABELS, counts,
                                                         strict=True))
    return ResolutionTimes(buckets, _median_days(conn, by_day, where, params),
                           sum(by_day.values()))


def _median_days(conn: Connection, by_day: dict[int, int], where: str,
                 params: dict[str, object]) -> float | None:
    """The exact median (percentile_cont(0.5)) without sorting every resolution time:
    the whole-day histogram tells which days hold the middle rank(s), and only those
    days' times are sorted."""
    total = sum(by_day.values())
    if total == 0:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2
    below, first_day, last_day, below_first = 0, None, None, 0
    for day in sorted(by_day):
        if first_day is None and below + by_day[day] > low_rank:
            first_day, below_first = day, below
        if below + by_day[day] > high_rank:
            last_day = day
            break
        below += by_day[day]
    middle = conn.execute(text(f"""
        SELECT {DAYS_TO_RESOLVE} AS days FROM {COUNTED} c
        WHERE {RESOLVED} AND {where}
          AND floor({DAYS_TO_RESOLVE})::int BETWEEN :s_first AND :s_last
        ORDER BY days OFFSET :s_offset LIMIT :s_limit"""),
        {**params, "s_first": first_day, "s_last": last_day,
         "s_offset": low_rank - below_first, "s_limit": high_rank - low_rank + 1},
    ).scalars().all()
    return sum(middle) / len(middle)


def top_addresses(conn: Connection, filters: ComplaintFilter, microdistrict_id: int,
                  limit: int = 10) -> list[AddressCount]:
    """The buildings of the address register with the most complaints in a microdistrict,
    with how many of those are still open."""
    where, params = _scope(filters, microdistrict_id)
    rows = conn.execute(text(f"""
        SELECT b.id, b.address, count(*) AS n,
               count(*) FILTER (WHERE c.status = ANY(:s_open)) AS open
        FROM complaints c JOIN buildings b ON b.id = c.building_id
        WHERE {where}
        GROUP BY b.id, b.address
        ORDER BY n DESC, b.address
        LIMIT :s_limit"""), {**params, "s_open": sorted(OPEN_STATUSES), "s_limit": limit})
    return [AddressCount(r.id, r.address, r.n, r.open) for r in rows]


def microdistrict_info(conn: Connection, microdistrict_id: int) -> MicrodistrictInfo | None:
    row = conn.execute(text("""
        SELECT id, name, name_kk, population, ST_AsGeoJSON(geom, 6)::json AS geojson
        FROM microdistricts WHERE id = :id"""), {"id": microdistrict_id}).one_or_none()
    if row is None:
        return None
    return MicrodistrictInfo(row.id, row.name, row.name_kk, row.population, row.geojson)
