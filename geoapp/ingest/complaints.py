"""`geoapp import complaints`: stream an export into PostGIS in atomic batches.

Python parses, validates, classifies and geocodes each batch; PostgreSQL takes it
by COPY into a staging table and does the rest in a few set-based statements.
The two overlap: while the database writes up to two batches (complaint_writer),
Python prepares the next. Each batch is one transaction, so an interruption leaves
whole batches only; the summary says what landed.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from geoapp.config import Settings
from geoapp.errors import InputError, worded
from geoapp.ingest import complaint_sql as sql
from geoapp.ingest import running
from geoapp.ingest.complaint_batch import PreparedBatch, prepare_batch
from geoapp.ingest.complaint_summary import ImportSummary, account_batch
from geoapp.ingest.complaint_writer import WRITERS, BatchWriter
from geoapp.ingest.interrupts import interrupts_held
from geoapp.ingest.locate import Gazetteer
from geoapp.ingest.places import PlaceFinder
from geoapp.ingest.readers import open_table
from geoapp.ingest.rejects import RejectsWriter, leading_reject_columns, unguarded_rows
from geoapp.ingest.source_labels import SourceLabels
from geoapp.ingest.table_source import RawRow, TableSource
from geoapp.ingest.zipped import unpacked_export

BATCH_SIZE = int(os.environ.get("GEOAPP_IMPORT_BATCH_ROWS") or 25_000)
# Called after each batch lands: rows read so far, and the share of the file they
# span (None when the format cannot tell).
Progress = Callable[[int, float | None], None]
BATCH_BYTES = 8 * 1024 * 1024


def _batches(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    """Batches of at most `size` rows and about BATCH_BYTES of text, so that memory
    stays bounded whatever the file's size or its rows' length."""
    batch: list[RawRow] = []
    weight = 0
    for row in rows:
        batch.append(row)
        weight += sum(map(len, row.original))
        if len(batch) >= size or weight >= BATCH_BYTES:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


# The import allocates millions of short-lived objects, nearly all freed by reference
# counting; the collector's older-generation passes re-walk every long-lived object
# (the gazetteer, caches) each time. Spacing those passes out saves ~10% of the
# Python time.
_IMPORT_GC_THRESHOLDS = (700, 50, 1000)


@contextmanager
def _sparse_gc() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*_IMPORT_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@dataclass(frozen=True)
class _Options:
    """How to import: what the caller asked for, and whom to tell what."""

    settings: Settings
    shown: str  # the path as given, for the summary
    default_source: str | None
    rejects_path: Path | None
    progress: Progress | None
    labels: SourceLabels
    sheet: str | None
    batch_size: int
    imported_by: str | None
    started: Callable[[int], None] | None
    stop_requested: Callable[[], bool] | None


def import_complaints(engine: Engine, path: Path, *, settings: Settings,
                      default_source: str | None = None, rejects_path: Path | None = None,
                      progress: Progress | None = None, labels_path: Path | None = None,
                      sheet: str | None = None, batch_size: int = BATCH_SIZE,
                      imported_by: str | None = None,
                      started: Callable[[int], None] | None = None,
                      stop_requested: Callable[[], bool] | None = None) -> ImportSummary:
    """The export at `path` (or the one export in the zip `path`) imported in batches.
    `started` hears the import's id once the file has been opened and the import
    recorded (a file refused whole raises InputError before that); `imported_by`:
    the account that asked for it. Once `stop_requested` says so, the import stops as
    Ctrl-C stops it: the batches in flight are rolled back, the summary says what
    landed."""
    if rejects_path is not None and rejects_path.resolve() == path.resolve():
        raise InputError(f"--rejects {rejects_path} is the file being imported: "
                         "its rejects would overwrite it")
    labels = SourceLabels.from_file(labels_path) if labels_path else SourceLabels()
    options = _Options(settings, str(path), default_source, rejects_path, progress, labels,
                       sheet, batch_size, imported_by, started, stop_requested)
    with unpacked_export(path) as (readable, name):
        return _import_table(engine, readable, name, options)


def _import_table(engine: Engine, path: Path, name: str, options: _Options) -> ImportSummary:
    source_table = open_table(path, options.sheet)
    own_columns = leading_reject_columns(source_table.header)
    if own_columns:
        source_table.rows = unguarded_rows(source_table.rows)
    summary = ImportSummary(file=options.shown, columns_not_read=[
        name for position, name in enumerate(source_table.header)
        if name and position not in source_table.columns and position >= own_columns])
    tz = ZoneInfo(options.settings.timezone)
    now = datetime.now(UTC)
    rejects = RejectsWriter(options.rejects_path, source_table.header)
    with (engine.connect() as conn, engine.connect() as places_conn,
          ExitStack() as writer_conns, _sparse_gc()):
        writers = [writer_conns.enter_context(engine.connect()) for _ in range(WRITERS)]
        with conn.begin():
            gazetteer = Gazetteer.load(conn, options.settings.city_bbox)
            summary.batch_id = conn.execute(sql.START_BATCH, {
                "file": name, "source": options.default_source,
                "imported_by": options.imported_by}).scalar_one()
            running.hold(conn, summary.batch_id)
        writer = BatchWriter(writers, PlaceFinder(places_conn), summary.batch_id)
        status = "failed"
        try:
            if options.started:
                options.started(summary.batch_id)
            writer.prepare()
            reading = _ReadCounter(source_table)
            prepared = (prepare_batch(raw_rows, gazetteer, options.labels,
                                      options.default_source, tz, now, writer.find_places)
                        for raw_rows in _batches(reading.rows(), options.batch_size))

            def report(landed: int) -> None:
                share = reading.share_of(landed)
                _record_progress(conn, summary, share)
                if options.progress:
                    options.progress(landed, share)

            _run_batches(writer, prepared, summary, rejects, report,
                         options.stop_requested or _never)
            status = "interrupted" if summary.interrupted else "done"
        except InputError as exc:
            summary.error = worded(exc)
            raise
        finally:
            try:
                writer.close()
                rejects.close()
                with conn.begin():
                    conn.execute(sql.FINISH_BATCH, {
                        "status": status, "id": summary.batch_id,
                        "summary": json.dumps(summary.as_dict(), ensure_ascii=False),
                    })
            finally:
                # The connection goes back to the pool: the lock must not go with it.
                with conn.begin():
                    running.release(conn, summary.batch_id)
    return summary


def _record_progress(conn: Connection, summary: ImportSummary, share: float | None) -> None:
    """What has landed so far, in the import's row: the history and the import's page
    follow a running import by it (the finished summary replaces it)."""
    running.record_so_far(conn, summary.batch_id, {**summary.as_dict(), "share_landed": share})


class _ReadCounter:
    """Rows taken from a table so far, to turn the share of the file read (ahead of
    what has landed by the batches in flight) into the share of rows landed."""

    def __init__(self, table: TableSource) -> None:
        self.table = table
        self.taken = 0

    def rows(self) -> Iterator[RawRow]:
        for row in self.table.rows:
            self.taken += 1
            yield row

    def share_of(self, landed: int) -> float | None:
        read = self.table.fraction_read()
        if read is None or not self.taken:
            return None
        return min(1.0, landed * read / self.taken)


def _never() -> bool:
    return False


class _StopRequested(Exception):
    """The caller asked the import to stop (a Stop button): handled as Ctrl-C."""


def _run_batches(writer: BatchWriter[PreparedBatch], batches: Iterator[PreparedBatch],
                 summary: ImportSummary, rejects: RejectsWriter,
                 progress: Callable[[int], None] | None,
                 stop_requested: Callable[[], bool]) -> None:
    """Write batches while the next is prepared; count each once committed, in file
    order. Ctrl-C, or a stop asked for, rolls back the batches in flight (unless they
    committed already)."""
    try:
        for prepared in batches:
            if stop_requested():
                raise _StopRequested
            if writer.full:
                _settle_oldest(writer, summary, rejects, progress, stop_requested)
            writer.submit(prepared, prepared.staged, prepared.places)
        while writer.busy:
            _settle_oldest(writer, summary, rejects, progress, stop_requested)
    except (KeyboardInterrupt, _StopRequested):
        summary.interrupted = True
    finally:
        if writer.busy:
            # Already stopping: a second Ctrl-C must not cut the count of what landed.
            with interrupts_held(raise_after=False):
                for batch, written in writer.abandon():
                    if written is not None:
                        account_batch(summary, rejects, batch, written)


# How often a wait for a batch looks whether the import was asked to stop.
STOP_POLL_SECONDS = 0.25


def _settle_oldest(writer: BatchWriter[PreparedBatch], summary: ImportSummary,
                   rejects: RejectsWriter, progress: Callable[[int], None] | None,
                   stop_requested: Callable[[], bool]) -> None:
    """Count the oldest batch in flight once it is written. Ctrl-C or a stop asked
    for during the wait leaves it in flight (for `abandon`); once it is taken out of
    flight, Ctrl-C waits until it is counted."""
    while not writer.wait_oldest(STOP_POLL_SECONDS):
        if stop_requested():
            raise _StopRequested
    with interrupts_held():  # the progress is written to the database too
        account_batch(summary, rejects, *writer.settle())
        if progress:
            progress(summary.read)


