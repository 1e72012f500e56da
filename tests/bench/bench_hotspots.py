"""Hotspot benchmark (issue 5): `geoapp analyze hotspots` over N complaints (two
seasons and more of the synthetic demo) in a scratch database, beside the bare
binning SQL alone in the same run; prints wall time, peak RSS and the ratio.

Run with `make bench-hotspots` (BENCH_COMPLAINTS=1000000 by default).
"""

from __future__ import annotations

import os

from common import GEOAPP, run_measured, scratch_database, timed
from sqlalchemy import text

from geoapp.analysis.cube import BINNING_SQL, CubeParams, analysis_weeks, binning_params, data_range
from geoapp.demo import load_demo

N = int(os.environ.get("BENCH_COMPLAINTS", "1000000"))
SEED = 11


def main() -> None:
    with scratch_database("hotspots") as (url, engine):
        t0 = timed()
        with engine.begin() as conn:
            load_demo(conn, seed=SEED, complaints=N)
        print(f"loaded {N:,} complaints in {timed() - t0:.0f} s", flush=True)
        params = CubeParams()
        with engine.connect() as conn:
            first, last = data_range(conn, params)
            mondays = [m for m, _ in analysis_weeks(first, last, params)]
            args = binning_params(params, first, last, mondays)
            conn.execute(text(BINNING_SQL), args).all()  # warm the cache
            t0 = timed()
            rows = conn.execute(text(BINNING_SQL), args).all()
            bare = timed() - t0
        seconds, rss, proc = run_measured([GEOAPP, "analyze", "hotspots"],
                                          env={"DATABASE_URL": url})
        print(proc.stdout.splitlines()[0])
        print(proc.stdout.splitlines()[1] if len(proc.stdout.splitlines()) > 1 else "")
        print(f"bare binning SQL: {bare:.2f} s ({len(rows)} hexagons, {len(mondays)} weeks)")
        print(f"geoapp analyze hotspots: {seconds:.2f} s wall, peak RSS {rss:.0f} MB")
        print(f"ratio analysis / binning: {seconds / bare:.2f}")


if __name__ == "__main__":
    main()
