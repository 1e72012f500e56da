"""The database side of a complaint import, in worker threads with a connection
each, so that Python prepares the next batch meanwhile:

- lookups (one connection, one thread, in file order): the batch's microdistricts,
  parcels and buildings (places.PlaceFinder), read beside the writes as soon as the
  batch is prepared; then its keys, to find those met earlier in the file;
- writers (WRITERS connections): one transaction per batch (COPY to staging,
  upsert with events). Two batches are written at once: one writer is mostly held
  up by foreign-key checks and index upkeep, which leaves a core idle.

Batches touch disjoint keys (duplicates are set aside before the write), so they
can commit in any order. `settle` returns results in submission order; `abandon`
cancels what is in flight on the server first (Ctrl-C), after which each batch
either committed whole or rolled back whole.
"""

from __future__ import annotations

import queue
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from geoapp.ingest import complaint_sql as sql
from geoapp.ingest.array_params import fetch_with_arrays
from geoapp.ingest.places import Place, PlaceFinder, PlaceQuery

WRITERS = 2
_COPY_STAGE = (f"COPY stage_complaints ({', '.join(sql.STAGE_COLUMNS)}) "
               "FROM STDIN (FORMAT BINARY)")
Duplicates = list[tuple[int, int]]  # (line, first line of its key)
KeysTaken = list[tuple[int, datetime]]  # (line, when the stored complaint was received)
Tag = TypeVar("Tag")  # what the caller knows a batch by


@dataclass(frozen=True)
class WrittenBatch:
    """What a committed batch did, and the rows it left out: duplicates in the file,
    and keys that already name another complaint (complaint_sql.KEY_TAKEN).
    `relocated`: updated complaints placed anew (complaint_sql.PLACE_COLUMNS)."""

    inserted: int
    updated: int
    relocated: int
    duplicates: Duplicates
    keys_taken: KeysTaken


def met_before(conn: Connection, staged: list[tuple[Any, ...]]) -> Duplicates:
    """Register a batch's keys on `conn` (after the batches before it): the rows whose
    key came earlier in the file. Staged rows start with line, source, external_id."""
    with conn.begin():
        rows = fetch_with_arrays(conn, sql.REGISTER_KEYS, {
            "line": [r[0] for r in staged], "source": [r[1] for r in staged],
            "external_id": [r[2] for r in staged]})
    return [(line, first) for line, first in rows]


def write_batch(conn: Connection, staged: list[tuple[Any, ...]], places: list[Place],
                duplicates: Duplicates, batch_id: int) -> WrittenBatch:
    """Stage and upsert one batch, but its duplicates, in one transaction. Each staged
    row is completed by its place (the last staging columns)."""
    left_out = {line for line, _ in duplicates}
    with conn.begin():
        conn.execute(sql.TRUNCATE_STAGE)
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(_COPY_STAGE) as copy:
            copy.set_types(sql.STAGE_TYPES)
            for values, place in zip(staged, places, strict=True):
                if values[0] not in left_out:
                    copy.write_row(values + place)
        conn.execute(sql.RESTORE_DEPARTMENT_NAMES)
        conn.execute(sql.ADD_DEPARTMENTS)
        inserted, updated, relocated, _events, taken_lines, taken_received = conn.execute(
            sql.UPSERT, {"batch_id": batch_id}).one()
    return WrittenBatch(inserted, updated, relocated, duplicates,
                        list(zip(taken_lines, taken_received, strict=True)))


def _cancel(conn: Connection) -> None:
    """Cancel the statement running on `conn`, if any (from another thread)."""
    driver = conn.connection.driver_connection
    # cancel_safe() (psycopg >= 3.2) does not block the caller on a slow network.
    getattr(driver, "cancel_safe", driver.cancel)()


class BatchWriter(Generic[Tag]):
    """Looks up places and keys with `finder`'s connection and writes batches on
    `writers`, as many at once as there are writer connections. Each batch is
    submitted with a tag, which comes back with its result."""

    def __init__(self, writers: list[Connection], finder: PlaceFinder, batch_id: int) -> None:
        self.writers = writers
        self.finder = finder
        self.batch_id = batch_id
        self._idle: queue.SimpleQueue[Connection] = queue.SimpleQueue()
        for conn in writers:
            self._idle.put(conn)
        self._lookups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-lookups")
        self._write_pool = ThreadPoolExecutor(max_workers=len(writers),
                                              thread_name_prefix="import-writer")
        self._pending: deque[tuple[Tag, Future[WrittenBatch]]] = deque()
        self._finding: list[Future[Any]] = []  # lookups of batches not yet written
        self._abandoning = False

    def prepare(self) -> None:
        """Create the staging table of each writer and the keys table of the lookups
        (temporary: each connection's own)."""
        for conn in self.writers:
            with conn.begin():
                conn.exec_driver_sql(str(sql.CREATE_STAGE))
        with self.finder.conn.begin():
            self.finder.conn.exec_driver_sql(str(sql.CREATE_SEEN_KEYS))

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def full(self) -> bool:
        return len(self._pending) >= len(self.writers)

    def find_places(self, queries: list[PlaceQuery]) -> Future[list[Place]]:
        """Start finding places now, before their batch can be written."""
        future = self._lookups.submit(self.finder.find, queries)
        self._finding.append(future)
        return future

    def submit(self, tag: Tag, staged: list[tuple[Any, ...]],
               places: list[Future[list[Place]]]) -> None:
        """Write a batch once its places (by chunks, in order) and its duplicates are
        known and a writer is free."""
        if self.full:
            raise RuntimeError("every writer has a batch in flight: settle one first")
        duplicates = self._lookups.submit(met_before, self.finder.conn, staged)
        self._finding = []
        self._pending.append((tag, self._write_pool.submit(self._write, staged, places,
                                                           duplicates)))

    def _write(self, staged: list[tuple[Any, ...]], places: list[Future[list[Place]]],
               duplicates: Future[Duplicates]) -> WrittenBatch:
        found = [p for f in places for p in f.result()]
        left_out = duplicates.result()
        if self._abandoning:
            raise RuntimeError("import abandoned before this batch was written")
        conn = self._idle.get()
        try:
            return write_batch(conn, staged, found, left_out, self.batch_id)
        finally:
            self._idle.put(conn)

    def wait_oldest(self, timeout: float | None = None) -> bool:
        """Wait until the oldest batch in flight has committed or failed, or `timeout`
        seconds: whether it is over. It stays in flight (for `settle`, or `abandon`
        when the wait is interrupted)."""
        if not self._pending:
            return True
        return not wait([self._pending[0][1]], timeout=timeout).not_done

    def settle(self) -> tuple[Tag, WrittenBatch]:
        """Wait for the oldest batch in flight; its error, if any, is raised here (the
        batch then stays in flight, for `abandon`)."""
        if not self._pending:
            raise RuntimeError("no batch in flight")
        tag, future = self._pending[0]
        result = future.result()
        self._pending.popleft()
        return tag, result

    def abandon(self) -> list[tuple[Tag, WrittenBatch | None]]:
        """Cancel every batch in flight and wait for them, oldest first: each one's
        result when it committed anyway (the cancel came too late), None when it was
        rolled back or never started."""
        self._abandoning = True
        for conn in (self.finder.conn, *self.writers):
            _cancel(conn)
        outcomes: list[tuple[Tag, WrittenBatch | None]] = []
        while self._pending:
            tag, future = self._pending.popleft()
            try:
                outcomes.append((tag, future.result()))
            except Exception:
                outcomes.append((tag, None))
        return outcomes

    def close(self) -> None:
        """Stop: lookups for a batch never submitted are dropped, or cancelled."""
        self._lookups.shutdown(wait=False, cancel_futures=True)
        if not all(future.done() for future in self._finding):
            _cancel(self.finder.conn)
        self._lookups.shutdown(wait=True)
        self._write_pool.shutdown(wait=True)
