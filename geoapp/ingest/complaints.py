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
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from geoapp.classify import OTHER, classify_text, classify_within
from geoapp.config import Settings
from geoapp.errors import InputError, error_fields, worded
from geoapp.ingest import complaint_sql as sql
from geoapp.ingest import running
from geoapp.ingest.complaint_rows import ComplaintRecord, RowRejected, is_total_row, parse_row
from geoapp.ingest.complaint_writer import WRITERS, BatchWriter, WrittenBatch
from geoapp.ingest.interrupts import interrupts_held
from geoapp.ingest.locate import Gazetteer, Location
from geoapp.ingest.lost_letters import has_lost_letters
from geoapp.ingest.places import Place, PlaceFinder, PlaceQuery
from geoapp.ingest.readers import open_table
from geoapp.ingest.rejects import RejectsWriter, leading_reject_columns
from geoapp.ingest.row_reasons import DUPLICATE, KEY_TAKEN
from geoapp.ingest.source_labels import SourceLabels
from geoapp.ingest.table_source import RawRow, TableSource
from geoapp.ingest.zipped import unpacked_export
from geoapp.read_back import clause
from geoapp.taxonomy import CATEGORY_BY_CODE

BATCH_SIZE = int(os.environ.get("GEOAPP_IMPORT_BATCH_ROWS") or 25_000)
# Called after each batch lands: rows read so far, and the share of the file they
# span (None when the format cannot tell).
Progress = Callable[[int, float | None], None]


@dataclass
class ImportSummary:
    file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    relocated: int = 0  # of the updated: placed anew (complaint_sql.PLACE_COLUMNS)
    unchanged: int = 0
    rejected: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    geocoded_by_precision: Counter[str] = field(default_factory=Counter)
    total_rows: int = 0  # a report's "Итого" lines, left out (complaint_rows.is_total_row)
    classified: int = 0
    # Of the classified, those whose text holds no keyword of any category: `other`.
    classified_as_other: int = 0
    # Rows with letters lost to '?' (lost_letters): a copy saved without Kazakh letters.
    lost_letters: int = 0
    # Labels that neither mapping knows: their rows were classified from the text.
    unmapped_labels: Counter[str] = field(default_factory=Counter)
    batches_committed: int = 0
    interrupted: bool = False
    batch_id: int | None = None
    # Header cells that name no field: what an export holds that geoapp does not read.
    columns_not_read: list[str] = field(default_factory=list)
    error: str | None = None  # why an import that had started stopped

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "read": self.read, "inserted": self.inserted,
            "updated": self.updated, "relocated": self.relocated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "rejected_by_reason": dict(self.rejected_by_reason.most_common()),
            "geocoded_by_precision": dict(self.geocoded_by_precision.most_common()),
            "total_rows_left_out": self.total_rows,
            "classified_from_text": self.classified,
            "classified_as_other_for_want_of_a_keyword": self.classified_as_other,
            "rows_with_lost_letters": self.lost_letters,
            "unmapped_category_labels": dict(self.unmapped_labels.most_common(UNMAPPED_SHOWN)),
            "batches_committed": self.batches_committed, "interrupted": self.interrupted,
            "import_batch_id": self.batch_id, "columns_not_read": self.columns_not_read,
            **error_fields(self.error),
        }


UNMAPPED_SHOWN = 50


def resolve_category(label: str | None, text: str, labels: SourceLabels
                     ) -> tuple[str, float, bool]:
    """(code, confidence, from_text): the row's own category when `labels` knows it
    (within its group by the text, when the label names a group only), else the
    classifier's guess from the text."""
    code = labels.category(label) if label else None
    if code in CATEGORY_BY_CODE:
        return code, 1.0, False
    if code:
        return *classify_within(code, text[:CLASSIFY_CHARS]), False
    code, confidence = classify_text(text[:CLASSIFY_CHARS])
    return code, confidence, True


def _stage_row(record: ComplaintRecord, location: Location, category: tuple[str, float, bool]
               ) -> tuple[Any, ...]:
    """The staging columns up to the places (complaint_writer adds those)."""
    note = location.note  # the row's own note on its coordinates included (locate)
    return (
        record.line, record.source, record.external_id, record.received_at, category[0],
        category[1], record.text, record.language, record.address, record.status,
        record.resolved_at, record.department, record.applicant_name, record.applicant_phone,
        location.lon, location.lat, location.precision, location.score, note,
        location.row_note,
    )


def _place_query(location: Location) -> PlaceQuery:
    return PlaceQuery(location.lon, location.lat, location.microdistrict_id,
                      location.building_id, location.precision == "coordinates",
                      location.parcel_id)


BATCH_BYTES = 8 * 1024 * 1024
# Places are looked up by chunks of a batch, so that the lookups of the first batch
# overlap its preparation instead of holding up its write.
PLACES_CHUNK = 5_000
PlaceLookup = Callable[[list[PlaceQuery]], "Future[list[Place]]"]
# What a complaint is about is said at its start; long texts need not be read whole.
CLASSIFY_CHARS = 2_000


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
    so_far = {**summary.as_dict(), "share_landed": share}
    with conn.begin():
        conn.execute(sql.RECORD_PROGRESS, {
            "id": summary.batch_id, "summary": json.dumps(so_far, ensure_ascii=False)})


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
                        _account(summary, rejects, batch, written)


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
        _account(summary, rejects, *writer.settle())
        if progress:
            progress(summary.read)


@dataclass
class PreparedBatch:
    """A batch parsed, located and classified, ready for the database."""

    raw_rows: list[RawRow]
    tz: ZoneInfo  # the city's, for dates in reasons
    staged: list[tuple[Any, ...]] = field(default_factory=list)
    places: list[Future[list[Place]]] = field(default_factory=list)  # one per chunk
    rejected: list[tuple[int, str, list[str]]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    precisions: dict[int, str] = field(default_factory=dict)
    unmapped: dict[int, str] = field(default_factory=dict)  # line → its unknown label
    from_text: set[int] = field(default_factory=set)  # lines classified from the text
    as_other: set[int] = field(default_factory=set)  # of them, those with no keyword
    lost_letters: int = 0
    total_rows: int = 0


def _lost_letters(record: ComplaintRecord) -> bool:
    return any(value and "?" in value and has_lost_letters(value) for value in (
        record.text, record.address, record.department, record.applicant_name))


def prepare_batch(raw_rows: list[RawRow], gazetteer: Gazetteer, labels: SourceLabels,
                  default_source: str | None, tz: ZoneInfo, now: datetime,
                  find_places: PlaceLookup) -> PreparedBatch:
    """Parse, locate and classify; the places are looked up (`find_places`) by
    chunks while the rest of the batch is still being prepared."""
    batch = PreparedBatch(raw_rows, tz)
    queries: list[PlaceQuery] = []
    for row in raw_rows:
        try:
            record = parse_row(row, default_source=default_source, tz=tz, now=now,
                               labels=labels)
        except RowRejected as exc:
            if is_total_row(row):
                batch.total_rows += 1
                continue
            batch.rejected.append((row.line, str(exc), row.original))
            batch.reasons[exc.code] += 1
            continue
        location = gazetteer.locate(record.lat, record.lon, record.address,
                                    record.coordinate_note)
        category = resolve_category(record.category_label, record.text, labels)
        batch.lost_letters += _lost_letters(record)
        if category[2]:
            batch.from_text.add(record.line)
            if category[0] == OTHER:
                batch.as_other.add(record.line)
            if record.category_label:
                batch.unmapped[record.line] = record.category_label
        batch.staged.append(_stage_row(record, location, category))
        batch.precisions[record.line] = location.precision
        queries.append(_place_query(location))
        if len(queries) >= PLACES_CHUNK:
            batch.places.append(find_places(queries))
            queries = []
    if queries:
        batch.places.append(find_places(queries))
    return batch


def _account(summary: ImportSummary, rejects: RejectsWriter, batch: PreparedBatch,
             written: WrittenBatch) -> None:
    """Count a committed batch; only now are its rejects written."""
    rejected = list(batch.rejected)
    reasons = Counter(batch.reasons)
    precisions = dict(batch.precisions)
    unmapped = dict(batch.unmapped)
    from_text, as_other = set(batch.from_text), set(batch.as_other)
    originals = {row.line: row.original for row in batch.raw_rows}
    left_out = [(line, clause(DUPLICATE, first=first), "duplicate_in_file")
                for line, first in written.duplicates]
    left_out += [(line, clause(KEY_TAKEN,
                               received=f"{received.astimezone(batch.tz):%d.%m.%Y %H:%M}"),
                  "key_taken")
                 for line, received in written.keys_taken]
    for line, reason, code in left_out:
        rejected.append((line, reason, originals[line]))
        reasons[code] += 1
        precisions.pop(line, None)
        unmapped.pop(line, None)
        from_text.discard(line)
        as_other.discard(line)
    landed = len(batch.staged) - len(left_out)
    summary.read += len(batch.raw_rows)
    summary.inserted += written.inserted
    summary.updated += written.updated
    summary.relocated += written.relocated
    summary.unchanged += landed - written.inserted - written.updated
    summary.rejected += len(rejected)
    summary.rejected_by_reason.update(reasons)
    summary.geocoded_by_precision.update(precisions.values())
    summary.classified += len(from_text)
    summary.classified_as_other += len(as_other)
    summary.lost_letters += batch.lost_letters
    summary.total_rows += batch.total_rows
    summary.unmapped_labels.update(unmapped.values())
    summary.batches_committed += 1
    rejects.write(sorted(rejected))
