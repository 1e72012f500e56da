"""Derived tables kept in process and refreshed off the request path.

A table is tagged with the data version it was computed from (the `data_versions`
rows that statement triggers bump on every write, migration 0003). A request always
gets the newest table at once; when the data has moved on, one background thread
recomputes it while requests keep answering from the previous one
(stale-while-revalidate). Only the very first computation of a table is waited for,
and then by one thread while the others wait for its result.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)
VERSION_PROBE_S = 1.0
Compute = Callable[[Connection], Any]


def data_version(conn: Connection) -> tuple[tuple[str, int], ...]:
    """Every table's change counter: equal tuples mean no write in between."""
    rows = conn.execute(text("SELECT name, version FROM data_versions ORDER BY name"))
    return tuple((name, version) for name, version in rows)


@dataclass
class Entry:
    value: Any
    version: tuple[tuple[str, int], ...]
    compute: Compute
    database: str  # the URL it was computed from: only that database's writes age it


class VersionedTables:
    def __init__(self, probe_interval: float = VERSION_PROBE_S) -> None:
        self.probe_interval = probe_interval
        self.generation = 0  # moves whenever a table is replaced: a key for response caches
        self._entries: dict[Hashable, Entry] = {}
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._probed: dict[str, tuple[float, tuple[tuple[str, int], ...]]] = {}

    def get(self, conn: Connection, key: Hashable, compute: Compute) -> Any:
        """The table `key` of the connection's database. A first computation runs on
        `conn` itself, so that a request never holds two pooled connections."""
        self.refresh_if_stale(conn.engine, conn)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                return entry.value
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                entry = self._entries.get(key)
            if entry is None:
                entry = self._compute(conn, key, compute)
            return entry.value

    def refresh_if_stale(self, engine: Engine, conn: Connection | None = None) -> None:
        """Start a background refresh of every table older than the data (at most one
        version probe per `probe_interval` seconds and engine)."""
        current = self._current_version(engine, conn)
        database = engine.url.render_as_string()
        with self._lock:
            stale = [(key, entry) for key, entry in self._entries.items()
                     if entry.database == database and entry.version != current
                     and key not in self._refreshing]
            self._refreshing.update(key for key, _ in stale)
        for key, entry in stale:
            threading.Thread(target=self._refresh, args=(engine, key, entry.compute),
                             name=f"refresh {key!r}"[:60], daemon=True).start()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._probed.clear()
            self.generation += 1

    def _current_version(self, engine: Engine, conn: Connection | None
                         ) -> tuple[tuple[str, int], ...]:
        url = engine.url.render_as_string()
        now = time.monotonic()
        with self._lock:
            probed = self._probed.get(url)
        if probed and now - probed[0] < self.probe_interval:
            return probed[1]
        if conn is None:
            with engine.connect() as own:
                version = data_version(own)
        else:
            version = data_version(conn)
        with self._lock:
            self._probed[url] = (now, version)
        return version

    def _compute(self, conn: Connection, key: Hashable, compute: Compute) -> Entry:
        # Read the version first: a write during the computation makes it stale.
        version = data_version(conn)
        entry = Entry(compute(conn), version, compute, conn.engine.url.render_as_string())
        with self._lock:
            self._entries[key] = entry
            self.generation += 1
        return entry

    def _refresh(self, engine: Engine, key: Hashable, compute: Compute) -> None:
        try:
            with engine.connect() as conn:
                self._compute(conn, key, compute)
        except Exception:  # the previous table keeps serving; the next probe retries
            log.exception("refreshing %r failed", key)
        finally:
            with self._lock:
                self._refreshing.discard(key)
