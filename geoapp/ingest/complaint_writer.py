"""The database side of a complaint import, in two worker threads with a
connection each, so that Python prepares the next batch meanwhile:

- places: the batch's microdistricts, parcels and buildings (places.PlaceFinder),
  read beside the writes, as soon as the batch is prepared;
- writer: one transaction per batch (COPY to staging, duplicates, upsert with
  events), once the previous batch committed and this one's places are found.

At most one batch is in flight. `settle` waits for it; `abandon` cancels it on the
server first (Ctrl-C), after which it either committed whole or rolled back whole.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoapp.ingest import complaint_sql as sql
from geoapp.ingest.places import Place, PlaceFinder, PlaceQuery

_COPY_STAGE = (f"COPY stage_complaints ({', '.join(sql.STAGE_COLUMNS)}) "
               "FROM STDIN (FORMAT BINARY)")


@dataclass(frozen=True)
class WrittenBatch:
    """What a committed batch did; `duplicates` are (line, first line of the key)."""

    inserted: int
    updated: int
    duplicates: list[tuple[int, int]]


def write_batch(conn: Connection, staged: list[tuple[Any, ...]], places: list[Place],
                batch_id: int) -> WrittenBatch:
    """Stage, deduplicate and upsert one batch in one transaction. Each staged row
    is completed by its place (the last staging columns)."""
    with conn.begin():
        conn.execute(sql.TRUNCATE_STAGE)
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(_COPY_STAGE) as copy:
            copy.set_types(sql.STAGE_TYPES)
            for values, place in zip(staged, places, strict=True):
                copy.write_row(values + place)
        duplicates = [(line, first) for line, first in conn.execute(sql.FIND_DUPLICATES)]
        if duplicates:
            conn.execute(sql.DELETE_LINES, {"lines": [line for line, _ in duplicates]})
        conn.execute(sql.REMEMBER_KEYS)
        conn.execute(sql.ADD_DEPARTMENTS)
        inserted, updated, _events = conn.execute(sql.UPSERT, {"batch_id": batch_id}).one()
    return WrittenBatch(inserted, updated, duplicates)


def _cancel(conn: Connection) -> None:
    """Cancel the statement running on `conn`, if any (from another thread)."""
    driver = conn.connection.driver_connection
    # cancel_safe() (psycopg >= 3.2) does not block the caller on a slow network.
    getattr(driver, "cancel_safe", driver.cancel)()


class BatchWriter:
    """Finds places with `finder` and writes batches on `conn`, one batch at a time."""

    def __init__(self, conn: Connection, finder: PlaceFinder, batch_id: int) -> None:
        self.conn = conn
        self.finder = finder
        self.batch_id = batch_id
        self._places_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-places")
        self._write_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._pending: Future[WrittenBatch] | None = None
        self._finding: list[Future[list[Place]]] = []  # lookups of the batch to come

    def prepare(self) -> None:
        """Create the connection's staging tables (temporary: they are its own)."""
        with self.conn.begin():
            self.conn.exec_driver_sql(str(sql.CREATE_STAGE))

    @property
    def busy(self) -> bool:
        return self._pending is not None

    def find_places(self, queries: list[PlaceQuery]) -> Future[list[Place]]:
        """Start finding places now, before their batch can be written."""
        future = self._places_pool.submit(self.finder.find, queries)
        self._finding.append(future)
        return future

    def submit(self, staged: list[tuple[Any, ...]], places: list[Future[list[Place]]]) -> None:
        """Write a batch once its places (by chunks, in order) are found and the batch
        before has settled."""
        if self._pending is not None:
            raise RuntimeError("a batch is still in flight: settle it first")
        self._finding = []
        self._pending = self._write_pool.submit(
            lambda: write_batch(self.conn, staged, [p for f in places for p in f.result()],
                                self.batch_id))

    def settle(self) -> WrittenBatch:
        """Wait for the batch in flight; its error, if any, is raised here."""
        if self._pending is None:
            raise RuntimeError("no batch in flight")
        result = self._pending.result()
        self._pending = None
        return result

    def abandon(self) -> WrittenBatch | None:
        """Cancel the batch in flight and wait for it: the result when it committed
        anyway (the cancel came too late), None when it was rolled back."""
        if self._pending is None:
            return None
        for conn in (self.finder.conn, self.conn):
            _cancel(conn)
        try:
            return self.settle()
        except Exception:
            self._pending = None
            return None

    def close(self) -> None:
        """Stop: lookups for a batch never submitted are dropped, or cancelled."""
        self._places_pool.shutdown(wait=False, cancel_futures=True)
        if not all(future.done() for future in self._finding):
            _cancel(self.finder.conn)
        self._places_pool.shutdown(wait=True)
        self._write_pool.shutdown(wait=True)
