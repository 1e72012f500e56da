"""Parcel-check benchmark (issue 6): 200,000 parcels and 2,000 zones generated in the
city into a scratch database, then, side by side in one run:

(A) `geoapp check parcels`: all six rules, the upsert into the register, stale
    marking and the totals, as a user runs it (wall time and peak RSS, and the
    seconds of each step as `--timings` reports them);
(B) the bare SQL of R2 alone: the self-join of active parcels with the 1% overlap
    test, counting pairs (no upsert, no geometry kept).

Run with `make bench-parcels` (BENCH_PARCELS=200000, BENCH_ZONES=2000 by default).
"""

from __future__ import annotations

import math
import os

from common import GEOAPP, run_measured, scratch_database, timed
from sqlalchemy import text

from geoapp.config import DEFAULT_CITY_BBOX

N_PARCELS = int(os.environ.get("BENCH_PARCELS", "200000"))
N_ZONES = int(os.environ.get("BENCH_ZONES", "2000"))
N_COMPLAINTS = int(os.environ.get("BENCH_COMPLAINTS", "60000"))
KINDS = ("state_needs", "water_protection", "green", "road_reserve", "utility_corridor",
         "heritage")
USES = ("individual_housing", "residential", "commercial", "industrial", "public",
        "recreation", "agricultural")

# A grid of touching parcels over the city; every 97th is shifted a few metres onto its
# neighbour (a double allocation), every 89th has a declared area 10% off.
PARCELS_SQL = """
INSERT INTO parcels (cadastral_number, land_use, holder, declared_area_ha,
                     cadastral_value_kzt, allocated_at, status, geom)
SELECT format('06:%s:%s:%s', lpad((i / 1000000)::text, 3, '0'),
              lpad((i / 1000 % 1000)::text, 3, '0'), lpad((i % 1000)::text, 3, '0')),
       (CAST(:uses AS text[]))[1 + i % 7], 'holder ' || i,
       round((ST_Area(ST_Transform(g, 32642)) / 10000
              * CASE WHEN i % 89 = 0 THEN 1.1 ELSE 1 END)::numeric, 4),
       100000 + (i % 1000) * 5000, DATE '1995-01-01' + (i * 7919 % 10500),
       CASE WHEN i % 53 = 0 THEN 'withdrawn' ELSE 'active' END, ST_Multi(g)
FROM (
    SELECT i, ST_MakeEnvelope(x0 + shift, y0, x0 + shift + :dx, y0 + :dy, 4326) AS g
    FROM (
        SELECT i, :minx + (i % :cols) * :dx AS x0, :miny + (i / :cols) * :dy AS y0,
               CASE WHEN i % 97 = 0 THEN :dx * 0.1 ELSE 0 END AS shift
        FROM generate_series(0, :n - 1) AS i
    ) cells
) shapes
"""

ZONES_SQL = """
INSERT INTO zones (kind, name, valid_from, geom)
SELECT (CAST(:kinds AS text[]))[1 + k % 6], 'zone ' || k, DATE '2005-01-01' + (k * 4271 % 7000),
       ST_Multi(ST_MakeEnvelope(x, y, x + w, y + w * 0.75, 4326))
FROM (
    SELECT k, :minx + random() * (:maxx - :minx - 0.01) AS x,
           :miny + random() * (:maxy - :miny - 0.01) AS y, 0.001 + random() * 0.006 AS w
    FROM generate_series(1, :n) AS k
) z
"""

COMPLAINTS_SQL = """
INSERT INTO complaints (source, external_id, received_at, category, text, geom,
                        geocode_precision)
SELECT 'web', 'bench-' || k, TIMESTAMPTZ '2024-01-01' + make_interval(mins => k * 7),
       'land.encroachment', 'bench',
       ST_SetSRID(ST_MakePoint(:minx + random() * (:maxx - :minx),
                               :miny + random() * (:maxy - :miny)), 4326), 'coordinates'
FROM generate_series(1, :n) AS k
"""

BARE_R2 = """
SELECT count(*) FROM parcels a
JOIN parcels b ON a.geom && b.geom AND a.id::bigint < b.id::bigint
    AND ST_Intersects(a.geom, b.geom)
WHERE a.status = 'active' AND b.status = 'active'
  AND ST_Area(ST_Transform(ST_Intersection(a.geom, b.geom), 32642)) > 0.01 * least(
      ST_Area(ST_Transform(a.geom, 32642)), ST_Area(ST_Transform(b.geom, 32642)))
"""


def split_timings(stdout: str) -> tuple[str, dict[str, float]]:
    """The check's output without its `seconds:` line, and that line's steps."""
    lines = stdout.splitlines()
    steps = next((ln for ln in lines if ln.startswith("seconds: ")), "seconds: ")
    pairs = (part.rsplit(" ", 1) for part in steps.removeprefix("seconds: ").split(", ")
             if part)
    rest = "\n".join(ln for ln in lines if not ln.startswith("seconds: "))
    return rest, {step: float(value) for step, value in pairs}


def print_steps(first: dict[str, float], again: dict[str, float]) -> None:
    print(f"{'seconds by step':28}{'(A)':>8}{'again':>8}")
    for step in first:
        print(f"  {step:26}{first[step]:>8.2f}{again.get(step, float('nan')):>8.2f}")


def main() -> None:
    minx, miny, maxx, maxy = DEFAULT_CITY_BBOX
    cols = math.ceil(math.sqrt(N_PARCELS * (maxx - minx) / (maxy - miny)))
    rows = math.ceil(N_PARCELS / cols)
    dx, dy = (maxx - minx) / cols, (maxy - miny) / rows
    with scratch_database("parcels") as (url, engine):
        t0 = timed()
        box = {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}
        with engine.begin() as conn:
            conn.execute(text(PARCELS_SQL), {**box, "n": N_PARCELS, "cols": cols, "dx": dx,
                                             "dy": dy, "uses": list(USES)})
            conn.execute(text("SELECT setseed(0.42)"))
            conn.execute(text(ZONES_SQL), {**box, "n": N_ZONES, "kinds": list(KINDS)})
            conn.execute(text(COMPLAINTS_SQL), {**box, "n": N_COMPLAINTS})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE parcels, zones, complaints"))
        print(f"generated {N_PARCELS:,} parcels ({cols} x {rows} grid), {N_ZONES:,} zones, "
              f"{N_COMPLAINTS:,} land complaints in {timed() - t0:.1f} s", flush=True)

        env = {"DATABASE_URL": url}
        check = [GEOAPP, "check", "parcels", "--timings"]
        a_seconds, a_rss, result = run_measured(check, env)
        table, a_steps = split_timings(result.stdout)
        print(table)
        t0 = timed()
        with engine.connect() as conn:
            pairs = conn.execute(text(BARE_R2)).scalar_one()
        b_seconds = timed() - t0
        again_seconds, _, again = run_measured(check, env)
        again_steps = split_timings(again.stdout)[1]

    print()
    print_steps(a_steps, again_steps)
    print()
    print(f"{'':44}{'seconds':>10}")
    print(f"{'(A) geoapp check parcels, all rules':44}{a_seconds:>10.1f}")
    print(f"{'(A) again (re-run, reviews kept)':44}{again_seconds:>10.1f}")
    print(f"{'(B) bare SQL of R2 alone (' + format(pairs, ',') + ' pairs)':44}"
          f"{b_seconds:>10.1f}")
    print(f"ratio A/B (time): {a_seconds / b_seconds:.2f}")
    print(f"A peak RSS: {a_rss:,.0f} MB; target: all rules under 60 s "
          f"({'met' if a_seconds < 60 else 'NOT met'})")


if __name__ == "__main__":
    main()
