"""Public open map benchmark (issue 7): the map's data requests with 16 concurrent
clients on loopback, side by side with the same aggregate SQL run alone, on a scratch
database of N demo complaints:

(A) first request of each URL: the lattice tables are ready (computed when the
    server started, as `geoapp serve` does), each response is built from them;
(B) repeated requests: answered from the response cache;
(C) the aggregate tables alone (SQL and suppression), which the server computes off
    the request path, at start and after every change of the data;
(D) a cold start for reference: nothing computed, all clients wait for the tables.

Run with `make bench-public` (BENCH_COMPLAINTS=1000000 by default).
"""

from __future__ import annotations

import os
import statistics
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from common import scratch_database, timed
from sqlalchemy import text

from geoapp import create_app
from geoapp.analysis.public import (
    GROUP_OPTIONS,
    hexagon_table,
    microdistrict_table,
    resolved_table,
    warm_public_tables,
)
from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.demo import load_demo
from geoapp.web.httpcache import CACHE_EXTENSION
from geoapp.web.public import clear_caches

N = int(os.environ.get("BENCH_COMPLAINTS", "1000000"))
CLIENTS = 16
SEED = 11
LAYERS = ("public_microdistricts", "public_hexagons")


def fetch(url: str) -> float:
    t0 = timed()
    with urllib.request.urlopen(url, timeout=600) as response:
        response.read()
    return timed() - t0


def run(urls: list[str]) -> list[float]:
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(fetch, urls))


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    from waitress.server import create_server

    with scratch_database("public") as (url, engine):
        t0 = timed()
        with engine.begin() as conn:
            load_demo(conn, seed=SEED, complaints=N)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
            total = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
        print(f"loaded {total:,} complaints in {timed() - t0:.0f} s", flush=True)

        sql_times = []
        with engine.connect() as conn:
            for _ in range(3):
                t0 = timed()
                microdistrict_table(conn, 5)
                hexagon_table(conn, 5, 500, DEFAULT_CITY_BBOX)
                resolved_table(conn, 5)
                sql_times.append(timed() - t0)
        sql_alone = statistics.median(sql_times)

        app = create_app({"database_url": url})
        server = create_server(app, host="127.0.0.1", port=0, threads=CLIENTS)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
        periods = ["all", "2024", "2024-Q1"]
        urls = [f"{base}/open/layers/{layer}?group={g}&period={p}&lang={lang}"
                for layer in LAYERS for g in GROUP_OPTIONS for p in periods
                for lang in ("ru", "kk")]
        try:
            clear_caches(app)
            cold = run(urls)
            clear_caches(app)
            t0 = timed()
            warm_public_tables(app.extensions["geoapp.engine"], DEFAULT_CITY_BBOX)
            warming = timed() - t0
            app.extensions[CACHE_EXTENSION].clear()
            first = run(urls)
            repeated = run(urls * 4)
            sizes = [len(urllib.request.urlopen(u).read()) for u in urls]
        finally:
            server.close()

    rows = [("(A) first request, tables ready", *summary(first)),
            ("(B) repeated request, cached", *summary(repeated)),
            ("(D) cold start, tables computed on request", *summary(cold))]
    print()
    print(f"{N:,} complaints, {CLIENTS} concurrent clients, {len(urls)} distinct requests, "
          f"largest response {max(sizes) / 1024:.0f} KB")
    print(f"{'':44}{'median ms':>12}{'p95 ms':>12}")
    for label, median, p95 in rows:
        print(f"{label:44}{median * 1000:>12.1f}{p95 * 1000:>12.1f}")
    print(f"{'(C) aggregate tables alone (SQL+suppr.)':44}{sql_alone * 1000:>12.1f}")
    print(f"{'    the same, warmed through the app':44}{warming * 1000:>12.1f}")
    a, b = summary(first)[0], summary(repeated)[0]
    print(f"median (A): {a * 1000:.1f} ms, (B): {b * 1000:.1f} ms  (target <= 200 ms)")
    print(f"ratio first/repeated (A/B, median): {a / b:.1f}  (target >= 10)")
    print(f"ratio cold start/tables alone (D/C, median): {summary(cold)[0] / sql_alone:.2f}")


if __name__ == "__main__":
    main()
