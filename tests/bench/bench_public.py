"""Public open map benchmark (issue 7): the map's data requests with 16 concurrent
clients on loopback, cold (caches cleared) and warm (cached), side by side with the
same aggregate SQL run alone, on a scratch database of N demo complaints.

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
from geoapp.analysis.public import GROUP_OPTIONS, hexagon_table, microdistrict_table
from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.demo import load_demo
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
                sql_times.append(timed() - t0)
        sql_alone = statistics.median(sql_times)

        app = create_app({"database_url": url})
        server = create_server(app, host="127.0.0.1", port=0, threads=CLIENTS)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
        periods = ["all", "2024", "2024-Q1"]
        urls = [f"{base}/open/layers/{layer}?group={g}&period={p}&lang=ru"
                for layer in LAYERS for g in GROUP_OPTIONS for p in periods]
        try:
            clear_caches(app)
            cold = run(urls)
            warm = run(urls * 4)
        finally:
            server.close()

    cold_med, cold_p95 = summary(cold)
    warm_med, warm_p95 = summary(warm)
    print()
    print(f"{N:,} complaints, {CLIENTS} concurrent clients, {len(urls)} distinct requests")
    print(f"{'':40}{'median ms':>12}{'p95 ms':>12}")
    print(f"{'(A) cold: caches cleared':40}{cold_med * 1000:>12.1f}{cold_p95 * 1000:>12.1f}")
    print(f"{'(B) warm: cached':40}{warm_med * 1000:>12.1f}{warm_p95 * 1000:>12.1f}")
    print(f"{'(C) aggregate tables alone (SQL+suppr.)':40}{sql_alone * 1000:>12.1f}")
    print(f"ratio cold/warm (median): {cold_med / warm_med:.1f}  (target >= 10)")
    print(f"ratio cold median / tables alone: {cold_med / sql_alone:.2f}")
    print(f"warm median: {warm_med * 1000:.1f} ms  (target <= 200 ms)")


if __name__ == "__main__":
    main()
