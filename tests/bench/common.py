"""Shared pieces of the benchmarks: a scratch database on the local cluster (or the
DATABASE_URL server), timing, peak memory of a child process."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from geoapp.config import Settings
from geoapp.db import database_url, make_engine
from geoapp.localdb import LocalCluster
from geoapp.migrate import upgrade

GEOAPP = str(Path(sys.executable).parent / "geoapp")


def plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_database(label: str, keep: bool = False) -> Iterator[tuple[str, Engine]]:
    settings = Settings.from_env()
    if settings.uses_local_database:
        LocalCluster(settings).up()
    server = database_url(settings)
    name = f"geoapp_bench_{label}_{uuid.uuid4().hex[:6]}"
    admin = plain(make_url(server).set(database="postgres").render_as_string(
        hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield url, engine
    finally:
        engine.dispose()
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_measured(args: list[str], env: dict[str, str] | None = None
                 ) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run a command; return its wall time (s), peak RSS (MB) and the result."""
    script = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
              "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
              "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
              "print('@@', time.perf_counter() - t, "
              "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)")
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})})
    marker = proc.stdout.rstrip().splitlines()[-1].split()
    seconds, rss_kb, code = float(marker[1]), int(marker[2]), int(marker[3])
    out = "\n".join(proc.stdout.rstrip().splitlines()[:-1])
    result = subprocess.CompletedProcess(args, code, out, proc.stderr)
    if code != 0:
        raise SystemExit(f"{args[0]} failed ({code}): {proc.stderr.strip()[-500:]}")
    return seconds, rss_kb / 1024, result


def timed() -> float:
    return time.perf_counter()


def own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
