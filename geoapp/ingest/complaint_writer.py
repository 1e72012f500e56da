"""The database side of a complaint import: each prepared batch is written in one
transaction (COPY to staging, duplicates, upsert with events) on a connection of
its own, in a worker thread, so that Python prepares the next batch meanwhile.

At most one batch is in flight. `settle` waits for it; `abandon` cancels it on the
server first (Ctrl-C), after which it either committed whole or rolled back whole.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoapp.ingest import complaint_sql as sql

_COPY_STAGE = f"COPY stage_complaints ({', '.join(sql.STAGE_COLUMNS)}) FROM STDIN"


@dataclass(frozen=True)
class WrittenBatch:
    """What a committed batch did; `duplicates` are (line, first line of the key)."""

    inserted: int
    updated: int
    duplicates: list[tuple[int, int]]


def write_batch(conn: Connection, staged: list[tuple[Any, ...]], batch_id: int) -> WrittenBatch:
    """Stage, deduplicate and upsert one batch in one transaction."""
    with conn.begin():
        conn.execute(sql.TRUNCATE_STAGE)
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(_COPY_STAGE) as copy:
            for values in staged:
                copy.write_row(values)
        duplicates = [(line, first) for line, first in conn.execute(sql.FIND_DUPLICATES)]
        if duplicates:
            conn.execute(sql.DELETE_LINES, {"lines": [line for line, _ in duplicates]})
        conn.execute(sql.REMEMBER_KEYS)
        conn.execute(sql.ADD_DEPARTMENTS)
        inserted, updated, _events = conn.execute(sql.UPSERT, {"batch_id": batch_id}).one()
    return WrittenBatch(inserted, updated, duplicates)


class BatchWriter:
    """Writes batches on `conn` in one worker thread, one batch at a time."""

    def __init__(self, conn: Connection, batch_id: int) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._pending: Future[WrittenBatch] | None = None

    def prepare(self) -> None:
        """Create the connection's staging tables (temporary: they are its own)."""
        with self.conn.begin():
            self.conn.exec_driver_sql(str(sql.CREATE_STAGE))

    @property
    def busy(self) -> bool:
        return self._pending is not None

    def submit(self, staged: list[tuple[Any, ...]]) -> None:
        if self._pending is not None:
            raise RuntimeError("a batch is still in flight: settle it first")
        self._pending = self._pool.submit(write_batch, self.conn, staged, self.batch_id)

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
        self.conn.connection.driver_connection.cancel_safe()
        try:
            return self.settle()
        except Exception:
            self._pending = None
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=True)
