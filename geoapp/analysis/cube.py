"""The space-time cube of complaints: hexagons in EPSG:32642 × weeks of the heating
season, built in one SQL statement.

A bin's value is the number of distinct complaining places in it: a building of
the register counts once however many complaints came from it that week (repeated
calls from one flat do not make a hotspot); a complaint with no building counts by
its point rounded to `point_snap_m`. A building is placed by its register point,
so all its complaints fall in one hexagon.

The hexagons are PostGIS's `ST_HexagonGrid`, which is anchored at the origin of the
SRS: generating it around each place (a LATERAL call) gives exactly the cells of
the grid over the complaints' extent, without a polygon join. The study area is
every hexagon holding a building of the register or a complaint in scope; the
others (fields, the river) are not places where a complaint could be expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Connection, text

from geoapp.maps.seasons import SEASON_END, SEASON_START, season_of, season_weeks
from geoapp.models.complaints import pinpointed

DEFAULT_CATEGORY = "housing_utilities.heating"
METRIC_SRID = 32642


@dataclass(frozen=True)
class CubeParams:
    """What to bin. `hex_across_m` is the distance between opposite sides."""

    category: str = DEFAULT_CATEGORY
    date_from: date | None = None
    date_to: date | None = None
    hex_across_m: float = 250.0
    season_start: tuple[int, int] = SEASON_START
    season_end: tuple[int, int] = SEASON_END
    min_week_days: int = 4
    point_snap_m: float = 10.0
    tz: str = "Asia/Almaty"

    @property
    def hex_edge_m(self) -> float:
        return self.hex_across_m / math.sqrt(3)


@dataclass(frozen=True)
class Cube:
    params: CubeParams
    date_from: date
    date_to: date
    mondays: list[date]
    seasons: list[str]
    i: np.ndarray  # (H,) hexagon column
    j: np.ndarray  # (H,) hexagon row
    buildings: np.ndarray  # (H,) buildings of the register in the hexagon
    counts: np.ndarray  # (H, T) distinct complaining places per hexagon and week

    @property
    def shape(self) -> tuple[int, int]:
        return self.counts.shape


def analysis_weeks(first: date, last: date, params: CubeParams) -> list[tuple[date, str]]:
    """Season weeks between two days with at least `min_week_days` days both in the
    season and in the range (a week cut to a day or two would look falsely quiet)."""
    weeks = []
    for monday, label in season_weeks(first, last, params.season_start, params.season_end):
        days = [monday + timedelta(days=d) for d in range(7)]
        inside = sum(first <= d <= last and season_of(d, params.season_start,
                                                      params.season_end) is not None
                     for d in days)
        if inside >= params.min_week_days:
            weeks.append((monday, label))
    return weeks


def data_range(conn: Connection, params: CubeParams) -> tuple[date, date] | None:
    """The range asked for, completed by the first and last local day with complaints."""
    first, last = conn.execute(text("""
        SELECT (min(received_at) AT TIME ZONE :tz)::date, (max(received_at) AT TIME ZONE :tz)::date
        FROM complaints WHERE category = :category"""),
        {"tz": params.tz, "category": params.category}).one()
    first, last = params.date_from or first, params.date_to or last
    if first is None or last is None or first > last:
        return None
    return first, last


_md = "{:02d}{:02d}".format

BINNING_SQL = f"""
WITH scoped AS (
    SELECT array_position(CAST(:mondays AS date[]), date_trunc('week', l.local)::date) AS t,
           CASE WHEN c.building_id IS NOT NULL THEN c.building_id::bigint
                ELSE -1 - (floor(ST_X(p.g) / :snap)::bigint * 10000000
                           + floor(ST_Y(p.g) / :snap)::bigint) END AS place
    FROM complaints c
    CROSS JOIN LATERAL (SELECT c.received_at AT TIME ZONE :tz AS local) l
    CROSS JOIN LATERAL (SELECT ST_Transform(c.geom, 32642) AS g) p
    WHERE c.category = :category AND {pinpointed('c')}
      AND c.received_at >= CAST(:day_from AS date)::timestamp AT TIME ZONE :tz
      AND c.received_at < CAST(:day_after AS date)::timestamp AT TIME ZONE :tz
      AND CASE WHEN :md_start <= :md_end
               THEN to_char(l.local, 'MMDD') BETWEEN :md_start AND :md_end
               ELSE to_char(l.local, 'MMDD') >= :md_start
                    OR to_char(l.local, 'MMDD') <= :md_end END
),
units AS (SELECT DISTINCT t, place FROM scoped WHERE t IS NOT NULL),
places AS (
    SELECT u.place,
           coalesce(ST_Transform(b.geom, 32642),
                    ST_SetSRID(ST_MakePoint(((-1 - u.place) / 10000000 + 0.5) * :snap,
                                            ((-1 - u.place) % 10000000 + 0.5) * :snap),
                               32642)) AS g
    FROM (SELECT DISTINCT place FROM units) u
    LEFT JOIN buildings b ON u.place > 0 AND b.id = u.place
),
located AS (
    SELECT p.place, h.i, h.j FROM places p
    CROSS JOIN LATERAL (SELECT i, j FROM ST_HexagonGrid(:edge, p.g) h
                        WHERE ST_Intersects(h.geom, p.g) ORDER BY i, j LIMIT 1) h
),
bins AS (
    SELECT l.i, l.j, u.t, count(*) AS n
    FROM units u JOIN located l ON l.place = u.place GROUP BY 1, 2, 3
),
cells AS (
    SELECT i, j, array_agg(t ORDER BY t) AS ts, array_agg(n ORDER BY t) AS ns
    FROM bins GROUP BY i, j
),
register AS (
    SELECT h.i, h.j, count(*) AS buildings FROM buildings b
    CROSS JOIN LATERAL (SELECT ST_Transform(b.geom, 32642) AS g) p
    CROSS JOIN LATERAL (SELECT i, j FROM ST_HexagonGrid(:edge, p.g) h
                        WHERE ST_Intersects(h.geom, p.g) ORDER BY i, j LIMIT 1) h
    GROUP BY 1, 2
)
SELECT coalesce(r.i, c.i) AS i, coalesce(r.j, c.j) AS j,
       coalesce(r.buildings, 0) AS buildings, c.ts, c.ns
FROM register r FULL JOIN cells c ON c.i = r.i AND c.j = r.j
ORDER BY 1, 2
"""


def binning_params(params: CubeParams, first: date, last: date,
                   mondays: list[date]) -> dict[str, object]:
    return {
        "mondays": mondays, "tz": params.tz, "snap": params.point_snap_m,
        "category": params.category, "day_from": first, "day_after": last + timedelta(days=1),
        "md_start": _md(*params.season_start), "md_end": _md(*params.season_end),
        "edge": params.hex_edge_m,
    }


def build_cube(conn: Connection, params: CubeParams) -> Cube | None:
    """The cube for the parameters; None when there is no season week in the range."""
    found = data_range(conn, params)
    if found is None:
        return None
    first, last = found
    weeks = analysis_weeks(first, last, params)
    if not weeks:
        return None
    mondays = [m for m, _ in weeks]
    rows = conn.execute(text(BINNING_SQL),
                        binning_params(params, first, last, mondays)).all()
    counts = np.zeros((len(rows), len(weeks)), dtype=np.int64)
    for k, row in enumerate(rows):
        if row.ts:
            counts[k, np.asarray(row.ts) - 1] = row.ns
    return Cube(params, first, last, mondays, [s for _, s in weeks],
                np.array([r.i for r in rows], dtype=np.int64),
                np.array([r.j for r in rows], dtype=np.int64),
                np.array([r.buildings for r in rows], dtype=np.int64), counts)
