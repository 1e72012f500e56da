"""One batch of an export made ready for the database: each row parsed, located and
classified, its staging values in the order complaint_sql.STAGE gives, and its
places looked up by chunks while the rest of the batch is prepared."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from geoapp.classify import OTHER, classify_text, classify_within
from geoapp.ingest.complaint_rows import ComplaintRecord, RowRejected, is_total_row, parse_row
from geoapp.ingest.locate import Gazetteer, Location
from geoapp.ingest.lost_letters import has_lost_letters
from geoapp.ingest.places import Place, PlaceQuery
from geoapp.ingest.source_labels import SourceLabels
from geoapp.ingest.table_source import RawRow
from geoapp.taxonomy import CATEGORY_BY_CODE

# Places are looked up by chunks of a batch, so that the lookups of the first batch
# overlap its preparation instead of holding up its write.
PLACES_CHUNK = 5_000
PlaceLookup = Callable[[list[PlaceQuery]], "Future[list[Place]]"]
# What a complaint is about is said at its start; long texts need not be read whole.
CLASSIFY_CHARS = 2_000


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


