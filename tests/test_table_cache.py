"""The public tables' cache: computed once, kept while the data stays, refreshed in the
background after a write while requests keep the previous table."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Connection, Engine, text

from geoapp.analysis.table_cache import VersionedTables


def bump(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO data_versions (name, version) VALUES ('complaints', 1)
            ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1"""))


def get(tables: VersionedTables, engine: Engine, key: str, compute: Any) -> Any:
    with engine.connect() as conn:
        return tables.get(conn, key, compute)


def test_stale_while_revalidate(engine: Engine) -> None:
    tables = VersionedTables(probe_interval=0)
    calls: list[int] = []
    release = threading.Event()
    release.set()

    def compute(conn: Connection) -> int:
        release.wait(10)
        calls.append(1)
        return len(calls)

    assert get(tables, engine, "t", compute) == 1
    assert get(tables, engine, "t", compute) == 1 and len(calls) == 1
    generation = tables.generation

    release.clear()  # hold the refresh, to see the old table served meanwhile
    bump(engine)
    assert get(tables, engine, "t", compute) == 1
    assert get(tables, engine, "t", compute) == 1  # one refresh at a time, not one per call
    release.set()
    deadline = time.monotonic() + 10
    while get(tables, engine, "t", compute) != 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert get(tables, engine, "t", compute) == 2 and len(calls) == 2
    assert tables.generation > generation


def test_concurrent_first_requests_compute_once(engine: Engine) -> None:
    tables = VersionedTables()
    calls: list[int] = []

    def compute(conn: Connection) -> str:
        time.sleep(0.3)
        calls.append(1)
        return "table"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(get(tables, engine, "k", compute)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["table"] * 8 and len(calls) == 1
