"""One export row to one complaint record, or to a reason why not.

Text is kept as text: HTML or script in a complaint is stored verbatim and escaped
wherever it is shown, never interpreted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from geoapp.geocode.notes import (
    ADDRESS_CUT,
    COORDINATES_IGNORED,
    ONE_COORDINATE,
    joined_notes,
)
from geoapp.ingest.coordinates import parse_coordinate, parse_point
from geoapp.ingest.row_reasons import (
    BAD_ID,
    BAD_RECEIVED,
    BAD_RESOLVED,
    FUTURE_RECEIVED,
    LONG_ID,
    LONG_TEXT,
    MISSING_ID,
    MISSING_RECEIVED,
    MISSING_TEXT,
    NO_SOURCE,
    PLACEHOLDER_DATE,
    RESOLVED_BEFORE,
    RESOLVED_FUTURE,
)
from geoapp.ingest.source_labels import SourceLabels
from geoapp.ingest.table_source import RawRow
from geoapp.ingest.values import (
    exponent_digits,
    normalise_phone,
    parse_datetime,
    with_time_of_day,
)
from geoapp.read_back import clause

MAX_TEXT = 20_000
# Exports write an empty date as Excel's or Unix's day zero; no complaint to a city
# service predates this.
EARLIEST_YEAR = 2000
MAX_FIELD = 1_000
# Cyrillic, and the Kazakh Latin alphabet's own letters ("jylu joq")
KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІäğñöqūüıÄĞÑÖQŪÜ")


class RowRejected(ValueError):
    """A row that cannot land; the message is its reason in the rejects file."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass
class ComplaintRecord:
    line: int
    source: str
    external_id: str
    received_at: datetime
    text: str
    language: str
    category_label: str | None
    address: str | None
    lat: float | None
    lon: float | None
    coordinate_note: str | None
    status: str | None  # None: the export does not say (complaint_sql keeps the stored)
    resolved_at: datetime | None
    department: str | None
    applicant_name: str | None
    applicant_phone: str | None


def detect_language(text: str) -> str:
    return "ru" if KAZAKH_LETTERS.isdisjoint(text) else "kk"


def _coordinates(values: dict[str, str | None]) -> tuple[float | None, float | None, str | None]:
    lat, lon, note = _row_coordinates(values)
    # A GeoJSON feature's geometry that was not a point (geojson_table._feature_point).
    return lat, lon, joined_notes(values.get("geometry_note"), note)


def _row_coordinates(values: dict[str, str | None]
                     ) -> tuple[float | None, float | None, str | None]:
    raw_lat, raw_lon = values.get("lat"), values.get("lon")
    if raw_lat is None and raw_lon is None:
        if (raw_point := values.get("point")) is None:
            return None, None, None
        try:
            lat, lon = parse_point(raw_point)
        except ValueError as exc:
            return None, None, clause(COORDINATES_IGNORED, reason=str(exc))
        return lat, lon, None
    if raw_lat is None or raw_lon is None:
        return None, None, ONE_COORDINATE
    try:
        return parse_coordinate(raw_lat), parse_coordinate(raw_lon), None
    except ValueError as exc:
        return None, None, clause(COORDINATES_IGNORED, reason=str(exc))


# A report's total line under its rows ("Итого: 1 234", "Всего обращений", Kazakh
# "Барлығы", "Жиыны"): no complaint, though exports keep it in the table.
_TOTAL_WORDS = ("итого", "всего", "барлығы", "жиыны", "total")


def is_total_row(row: RawRow) -> bool:
    """A row with no text whose first filled cell opens with a total word: a report's
    sum, which no complaint can be (each has a text)."""
    if row.values.get("text"):
        return False
    cells = [cell.strip().lower() for cell in row.original if cell and cell.strip()]
    return bool(cells) and cells[0].startswith(_TOTAL_WORDS)


def parse_row(row: RawRow, *, default_source: str | None, tz: ZoneInfo, now: datetime,
              labels: SourceLabels) -> ComplaintRecord:
    if row.unstorable is not None:
        raise RowRejected(*row.unstorable)
    values = row.values
    external_id = values.get("external_id")
    if not external_id:
        raise RowRejected(MISSING_ID, "missing_external_id")
    if len(external_id) > 200:
        raise RowRejected(LONG_ID, "bad_external_id")
    if "E" in external_id or "e" in external_id:
        try:
            external_id = exponent_digits(external_id) or external_id
        except ValueError as exc:
            raise RowRejected(clause(BAD_ID, reason=str(exc)), "bad_external_id") from None
    text = values.get("text")
    if not text:
        raise RowRejected(MISSING_TEXT, "missing_text")
    if len(text) > MAX_TEXT:
        raise RowRejected(clause(LONG_TEXT, limit=MAX_TEXT, length=len(text)),
                          "text_too_long")
    raw_received = values.get("received_at")
    if not raw_received:
        raise RowRejected(MISSING_RECEIVED, "missing_received_at")
    try:
        received_at = parse_datetime(raw_received, tz)
        if raw_time := values.get("received_time"):
            received_at = with_time_of_day(received_at, raw_time)
    except ValueError as exc:
        raise RowRejected(clause(BAD_RECEIVED, reason=str(exc)), "bad_date") from None
    if received_at > now:
        raise RowRejected(clause(FUTURE_RECEIVED, value=repr(raw_received)),
                          "future_date")
    if received_at.year < EARLIEST_YEAR:
        raise RowRejected(clause(PLACEHOLDER_DATE, value=repr(raw_received),
                                 year=EARLIEST_YEAR), "bad_date")

    raw_source = values.get("source") or default_source
    if not raw_source:
        raise RowRejected(NO_SOURCE, "missing_source")
    try:
        source = labels.source(raw_source)
    except ValueError as exc:
        raise RowRejected(str(exc), "bad_source") from None

    try:
        status = labels.status(values["status"]) if values.get("status") else None
    except ValueError as exc:
        raise RowRejected(str(exc), "bad_status") from None
    resolved_at = None
    if values.get("resolved_at"):
        try:
            resolved_at = parse_datetime(values["resolved_at"] or "", tz)
        except ValueError as exc:
            raise RowRejected(clause(BAD_RESOLVED, reason=str(exc)), "bad_date") from None
        if resolved_at < received_at:
            raise RowRejected(RESOLVED_BEFORE, "bad_date")
        if resolved_at > now:
            raise RowRejected(RESOLVED_FUTURE, "future_date")

    lat, lon, note = _coordinates(values)
    address = values.get("address") or None
    if address is not None and len(address) > MAX_FIELD:
        note = joined_notes(note, clause(ADDRESS_CUT, limit=f"{MAX_FIELD:,}",
                                         length=f"{len(address):,}"))
        address = address[:MAX_FIELD]
    language = (values.get("language") or "").lower()
    if language not in ("ru", "kk"):
        language = detect_language(text)
    phone = values.get("applicant_phone")
    return ComplaintRecord(
        line=row.line, source=source, external_id=external_id, received_at=received_at,
        text=text, language=language, category_label=values.get("category"),
        address=address,
        lat=lat, lon=lon, coordinate_note=note, status=status, resolved_at=resolved_at,
        department=" ".join((values.get("department") or "").split()) or None,
        applicant_name=(values.get("applicant_name") or None),
        applicant_phone=normalise_phone(phone) if phone else None,
    )
