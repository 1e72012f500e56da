"""The public tables' cache: computed once, kept while the data stays, refreshed in the
background after a write while requests keep the previous table."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Connection, Engine, text

from geoapp.analysis.table_cache import VersionedTables, data_version
from geoapp.db import make_engine
from geoapp.migrate import upgrade


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


def test_a_table_is_refreshed_from_its_own_database_only(engine: Engine, new_database) -> None:  # type: ignore[no-untyped-def]
    """A write to one database aged every cached table and refreshed it from that
    database: a process serving two (the tests do) got one's figures in the other's
    pages."""
    other = make_engine(new_database("cache_other"))
    upgrade(other)
    tables = VersionedTables(probe_interval=0)

    def where_from(conn: Connection) -> str:
        return str(conn.execute(text("SELECT current_database()")).scalar_one())

    try:
        mine = get(tables, engine, "mine", where_from)
        with engine.connect() as conn:
            versions = dict(data_version(conn))
        with other.begin() as conn:  # the other database moves on, past mine; mine does not
            conn.execute(text("INSERT INTO data_versions (name, version) VALUES "
                              "('complaints', :v)"), {"v": versions.get("complaints", 0) + 1})
        theirs = get(tables, other, "theirs", where_from)
        time.sleep(0.3)  # a wrongly started refresh would have finished
        with tables._lock:
            held = {key: entry.value for key, entry in tables._entries.items()}
        assert held == {"mine": mine, "theirs": theirs} and mine != theirs
    finally:
        other.dispose()
