"""Complaint exports as CSV and XLSX for officials (personal data included).

Spreadsheets run a cell starting with = + - @ (and, in some, tab or CR) as a formula,
so every text cell starting with one of them gets a leading apostrophe. No Flask here:
the web layer translates the headers and sends the bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from geoapp.taxonomy import category_name, status_name

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BATCH = 500


def N_(msgid: str) -> str:
    """Marks a header for catalog extraction; the web layer translates it."""
    return msgid


# (row key, header msgid), in file order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("ticket", N_("Ticket")),
    ("external_id", N_("Source number")),
    ("source", N_("Source")),
    ("received_local", N_("Received")),
    ("category", N_("Category")),
    ("status", N_("Status")),
    ("reject_reason", N_("Rejection reason")),
    ("resolved_local", N_("Resolved")),
    ("microdistrict", N_("Microdistrict")),
    ("address", N_("Address")),
    ("department", N_("Department")),
    ("days_open", N_("Days open")),
    ("geocode_precision", N_("Location precision")),
    ("lat", N_("Latitude")),
    ("lon", N_("Longitude")),
    ("applicant_name", N_("Applicant")),
    ("applicant_phone", N_("Phone")),
    ("language", N_("Language")),
    ("text", N_("Text")),
)


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet will not run as a formula; other values as given."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_values(row: Mapping[str, object], language: str) -> list[object]:
    """The cells of one export row, category and status by their names."""
    values = dict(row)
    values["category"] = category_name(str(row["category"]), language)
    values["status"] = status_name(str(row["status"]), language)
    return [values[key] for key, _ in COLUMNS]


def _csv_text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return safe_cell(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text in chunks: UTF-8 BOM first (Excel then reads UTF-8), `;` between cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([_csv_text(v) for v in header])
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_text(v) for v in row])
        if count % CSV_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_cell(sheet: object, value: object) -> object:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "DD.MM.YYYY HH:MM"
        return cell
    if isinstance(value, str):
        # Control characters are not allowed in the XML. A text cell is never run as a
        # formula, so "+7 701 ..." stays as written; only "=..." needs saying it is text
        # (openpyxl would write it as a formula).
        clean = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not clean.startswith("="):
            return clean
        cell = WriteOnlyCell(sheet, clean)
        cell.data_type = "s"
        return cell
    return value


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[object]],
               title: str) -> bytes:
    """An XLSX workbook of one sheet, written row by row (openpyxl write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_xlsx_cell(sheet, v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
