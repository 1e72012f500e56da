"""Ingestion benchmark (issue: ingestion): `geoapp import complaints` on a 109-style
CSV of N complaints against the raw baseline, side by side in one run and on the
same database.

(A) geoapp import complaints: parsing, validation, geocoding, classification,
    COPY to staging, set-based assignment and upsert with events.
(B) the raw baseline: psql \\copy of the same rows, already normalised, into a
    staging table, then one INSERT ... SELECT joining microdistricts by ST_Covers
    into `complaints` itself, emptied after (A): the same indexes, constraints and
    triggers as (A) meets.
(B') the same into a bare copy of the table (its indexes, none of its foreign keys
    or triggers): what the insert costs without the schema's integrity checks.

Each side's CPU is printed beside its wall time (cpu.CpuMeter: the client process
and the database server): with every core busy, the CPU that (A) spends per row,
client and server, is what decides the ratio.

Run with `make bench-import` (BENCH_COMPLAINTS=1000000 by default). The host's
speed drifts by minutes; BENCH_ROUNDS=3 repeats A, B and B' in turn and prints each
round's ratios and their median.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from common import GEOAPP, plain, run_measured, scratch_database, timed
from cpu import CpuMeter, CpuReading
from sqlalchemy import Engine, text

from geoapp.demo import write_demo

N = int(os.environ.get("BENCH_COMPLAINTS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
SEED = 7

BASELINE_SQL = """
\\timing off
CREATE TEMP TABLE bench_stage (source text, external_id text, received_at timestamptz,
    category text, text text, language text, address text, status text,
    resolved_at timestamptz, lon float8, lat float8);
{create_target}
\\copy bench_stage FROM '{path}' WITH (FORMAT csv)
INSERT INTO {target} (source, external_id, received_at, category, text, language,
    address, status, resolved_at, geom, geocode_precision, microdistrict_id)
SELECT s.source, s.external_id, s.received_at, s.category, s.text, s.language, s.address,
       s.status, s.resolved_at, g.geom,
       CASE WHEN g.geom IS NULL THEN 'none' ELSE 'coordinates' END, m.id
FROM bench_stage s
CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS geom) g
LEFT JOIN microdistricts m ON ST_Covers(m.geom, g.geom);
"""
BARE_COPY = """DROP TABLE IF EXISTS bench_complaints;
CREATE TABLE bench_complaints (LIKE complaints INCLUDING DEFAULTS
    INCLUDING CONSTRAINTS INCLUDING INDEXES);"""


class Measured(NamedTuple):
    """One side's run: rows landed, wall seconds, CPU seconds (cpu.CpuMeter)."""

    rows: int
    seconds: float
    cpu: CpuReading


def run_baseline(url: str, engine: Engine, meter: CpuMeter, work: Path, normalised: Path,
                 target: str) -> Measured:
    """Rows loaded into `target`, the seconds psql took and the CPU it and the
    server used."""
    script = work / f"baseline_{target}.sql"
    create = BARE_COPY if target == "bench_complaints" else ""
    script.write_text(BASELINE_SQL.format(path=normalised, target=target,
                                          create_target=create))
    cpu_before = meter.read()
    t0 = timed()
    subprocess.run([psql_binary(), plain(url), "-q", "-v", "ON_ERROR_STOP=1", "-f",
                    str(script)], check=True, capture_output=True)
    seconds = timed() - t0
    cpu = meter.since(cpu_before)
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT count(*) FROM {target}")).scalar_one()
    return Measured(rows, seconds, cpu)


class Round(NamedTuple):
    """One round's figures: (A)'s summary, run and peak RSS; (B) and (B')."""

    summary: dict[str, Any]
    a: Measured
    a_rss: float
    b: Measured
    bare: Measured


def empty_complaints(engine: Engine) -> None:
    """Back to the state before the import: no complaints, no import records."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE complaints, import_batches CASCADE"))
        conn.execute(text("ANALYZE complaints"))


def write_normalised(engine: Engine, path: Path) -> None:
    """The rows as (A) left them, for the baseline: coordinates where it had them."""
    with engine.connect() as conn, path.open("wb") as fh:
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy("""COPY (SELECT source, external_id, received_at, category,
                text, language, address, status, resolved_at, ST_X(geom), ST_Y(geom)
                FROM complaints WHERE geocode_precision = 'coordinates'
                UNION ALL
                SELECT source, external_id, received_at, category, text, language,
                address, status, resolved_at, NULL, NULL
                FROM complaints WHERE geocode_precision <> 'coordinates')
                TO STDOUT WITH (FORMAT csv)""") as copy:
            for chunk in copy:
                fh.write(chunk)


def psql_binary() -> str:
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))
    if not candidates:
        raise SystemExit("psql not found")
    return str(candidates[-1])


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="geoapp-bench-import-"))
    try:
        t0 = timed()
        manifest = write_demo(work, seed=SEED, complaints=N)
        generate_s = timed() - t0
        csv_path = work / "complaints.csv"
        with csv_path.open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh, delimiter=";")
            rows = with_coords = 0
            for record in reader:
                rows += 1
                with_coords += bool(record["Широта"])
        print(f"generated {rows:,} complaints in {generate_s:.1f} s "
              f"({with_coords / rows:.0%} with coordinates, "
              f"{1 - with_coords / rows:.0%} address only or neither); "
              f"file {csv_path.stat().st_size / 2**20:.0f} MB", flush=True)
        assert manifest["sizes"]["complaints"] == rows

        with scratch_database("import") as (url, engine):
            for layer in ("microdistricts", "buildings", "parcels", "zones"):
                subprocess.run([GEOAPP, "import", "layer", layer, str(work / f"{layer}.geojson")],
                               check=True, capture_output=True,
                               env={**os.environ, "DATABASE_URL": url})
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            normalised = work / "normalised.csv"
            meter = CpuMeter(engine)
            rounds: list[Round] = []
            for number in range(ROUNDS):
                if number:
                    empty_complaints(engine)
                cpu_before = meter.read()
                a_seconds, a_rss, proc = run_measured(
                    [GEOAPP, "import", "complaints", str(csv_path), "--json"],
                    env={"DATABASE_URL": url})
                a_cpu = meter.since(cpu_before)
                summary = json.loads(proc.stdout)
                landed = summary["inserted"] + summary["updated"] + summary["unchanged"]
                if not number:
                    write_normalised(engine, normalised)
                empty_complaints(engine)
                b = run_baseline(url, engine, meter, work, normalised, "complaints")
                bare = run_baseline(url, engine, meter, work, normalised, "bench_complaints")
                rounds.append(Round(summary, Measured(landed, a_seconds, a_cpu), a_rss, b,
                                    bare))
                if ROUNDS > 1:
                    print(f"round {number + 1}: A {a_seconds:.1f} s, B {b.seconds:.1f} s, "
                          f"B' {bare.seconds:.1f} s, A/B {a_seconds / b.seconds:.2f}, "
                          f"A/B' {a_seconds / bare.seconds:.2f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if ROUNDS > 1:
        a_b = statistics.median(r.a.seconds / r.b.seconds for r in rounds)
        a_bare = statistics.median(r.a.seconds / r.bare.seconds for r in rounds)
        print(f"median over {ROUNDS} rounds: A/B {a_b:.2f}, A/B' {a_bare:.2f}; "
              "the table shows the median round by A/B")
    report(sorted(rounds, key=lambda r: r.a.seconds / r.b.seconds)[(len(rounds) - 1) // 2])


def _cpu_columns(run: Measured) -> str:
    """Client and server CPU seconds, and CPU microseconds per row."""
    client, server = run.cpu
    if server is None:
        return f"{client:>10.1f}{'-':>10}{'-':>10}"
    return f"{client:>10.1f}{server:>10.1f}{(client + server) / run.rows * 1e6:>10.0f}"


def report(chosen: Round) -> None:
    a, b, bare = chosen.a, chosen.b, chosen.bare
    print()
    print(f"{'':36}{'rows':>12}{'seconds':>10}{'rows/s':>12}"
          f"{'CPU cli':>10}{'CPU srv':>10}{'CPU µs/r':>10}")
    for label, run in (("(A) geoapp import complaints", a),
                       ("(B) psql \\copy + INSERT..SELECT", b),
                       ("(B') the same, into a bare copy", bare)):
        print(f"{label:36}{run.rows:>12,}{run.seconds:>10.1f}{run.rows / run.seconds:>12,.0f}"
              + _cpu_columns(run))
    print(f"ratio A/B (time): {a.seconds / b.seconds:.2f}  (target <= 2.0); "
          f"A/B' {a.seconds / bare.seconds:.2f}")
    if a.cpu.server is not None and b.cpu.server is not None:
        a_cpu, b_cpu = sum(a.cpu), sum(b.cpu)  # type: ignore[arg-type]
        print(f"CPU: A used {a_cpu / a.seconds:.2f} cores on average, B "
              f"{b_cpu / b.seconds:.2f} (this host: {os.cpu_count()}); A/B (CPU) "
              f"{a_cpu / b_cpu:.2f}; A's client alone {a.cpu.client / b.seconds:.2f} x B's "
              "wall time")
    print(f"A rows/s: {a.rows / a.seconds:,.0f}  (target >= 50,000)")
    print(f"A peak RSS: {chosen.a_rss:,.0f} MB  (target <= 1,536 MB)")
    print(f"A rejected: {chosen.summary['rejected']:,} {chosen.summary['rejected_by_reason']}")
    print(f"A located by: {chosen.summary['geocoded_by_precision']}")
    sys.stdout.flush()

if __name__ == "__main__":
    main()
