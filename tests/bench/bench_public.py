"""Public open map benchmark (issue 7): the map's data requests with 16 concurrent
clients on loopback against `geoapp serve` running in its own process (as in
production), side by side with the same aggregate SQL run alone, on a scratch database
of N demo complaints:

(D) a cold start: the server has just started and is computing its tables; the
    first clients wait for them;
(A) first request of each URL: the tables are ready, each response is built from them;
(B) repeated requests: answered from the response cache;
(C) the aggregate tables alone (SQL and suppression), which the server computes off
    the request path, at start and after every change of the data.

Run with `make bench-public` (BENCH_COMPLAINTS=1000000 by default).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import GEOAPP, scratch_database, timed
from sqlalchemy import text

from geoapp.analysis.public import (
    GROUP_OPTIONS,
    hexagon_table,
    microdistrict_table,
    resolved_table,
)
from geoapp.config import DEFAULT_CITY_BBOX
from geoapp.demo import load_demo

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


def summary(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    return (statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)],
            ordered[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "GEOAPP_PORT": str(port)}
    server = subprocess.Popen([GEOAPP, "serve", "--threads", str(CLIENTS)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              cwd=Path(__file__).resolve().parents[2])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    server.kill()
    raise SystemExit("geoapp serve did not start")


def main() -> None:
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

        port = free_port()
        base = f"http://127.0.0.1:{port}"

        def urls(*languages: str) -> list[str]:
            return [f"{base}/open/layers/{layer}?group={g}&period={p}&lang={lang}"
                    for layer in LAYERS for g in GROUP_OPTIONS
                    for p in ("all", "2024", "2024-Q1") for lang in languages]

        server = start_server(url, port)
        try:
            cold = run(urls("en"))  # while the server computes its tables
            distinct = urls("ru", "kk")  # not in the response cache yet
            first = run(distinct)
            repeated = run(distinct * 4)
            sizes = [len(urllib.request.urlopen(u).read()) for u in distinct]
        finally:
            server.terminate()
            server.wait(30)

    rows = [("(D) cold start, tables being computed", *summary(cold)),
            ("(A) first request, tables ready", *summary(first)),
            ("(B) repeated request, cached", *summary(repeated))]
    print()
    print(f"{N:,} complaints, {CLIENTS} concurrent clients, {len(distinct)} distinct "
          f"requests, largest response {max(sizes) / 1024:.0f} KB")
    print(f"{'':44}{'median ms':>12}{'p95 ms':>12}{'max ms':>12}")
    for label, median, p95, worst in rows:
        print(f"{label:44}{median * 1000:>12.1f}{p95 * 1000:>12.1f}{worst * 1000:>12.1f}")
    print(f"{'(C) aggregate tables alone (SQL+suppr.)':44}{sql_alone * 1000:>12.1f}")
    a, b = summary(first)[0], summary(repeated)[0]
    print(f"median (A): {a * 1000:.1f} ms, (B): {b * 1000:.1f} ms  (target <= 200 ms)")
    print(f"ratio first/repeated (A/B, median): {a / b:.1f}")
    print(f"ratio tables alone/repeated (C/B, median): {sql_alone / b:.0f}  (target >= 10: "
          "without a cache every request would pay C)")


if __name__ == "__main__":
    main()
