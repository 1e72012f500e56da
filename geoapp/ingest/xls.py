"""Excel 97-2003 workbooks (.xls), as older registry systems still export them, read
with xlrd the way an XLSX workbook is read: the sheet of complaints, its header found
among the first rows, each row with its own row number.

An .xls sheet holds at most 65,536 rows, so xlrd's reading of the whole sheet is
bounded. A web page saved under an .xls name (what many web systems call an Excel
export) is read as one (geoapp.ingest.html_table), and so is an Excel 2003 XML file
(geoapp.ingest.spreadsheet_xml).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import xlrd

from geoapp.errors import N_, InputError
from geoapp.ingest.table_source import HEADER_LINES, RawRow, TableSource
from geoapp.ingest.workbook import (
    choose_sheet,
    date_cell_text,
    sheet_cell_text,
    workbook_header,
    workbook_row,
)


def _value(cell: Any, datemode: int) -> object:
    """The cell as the Python value openpyxl would give: None, text, a number, a
    date and time (a time of day alone below one day), a truth value or an error
    code's text ("#N/A")."""
    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate.xldate_as_datetime(value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return value
        return moment.time() if value < 1 else moment
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return value


def _epoch(datemode: int) -> datetime:
    """The workbook's date system as openpyxl names it (1900 or 1904)."""
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

    return MAC_EPOCH if datemode else WINDOWS_EPOCH


# An XLSX workbook saved with a password is not a zip but an OLE2 container holding
# the encrypted package under this stream name (MS-OFFCRYPTO).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
PASSWORD_PROTECTED = N_("%(file)s is protected with a password: open it in Excel, save it "
                        "without one and import it again")


def _holds(path: Path, marker: bytes, chunk: int = 1 << 20) -> bool:
    with path.open("rb") as fh:
        tail = b""
        while block := fh.read(chunk):
            if marker in tail + block:
                return True
            tail = block[-len(marker):]
    return False


def _refusal(path: Path, exc: Exception) -> InputError:
    """What the user can act on, not xlrd's words ("Expected BOF record")."""
    if "encrypted" in str(exc).lower() or _holds(path, _ENCRYPTED_PACKAGE):
        return InputError(PASSWORD_PROTECTED, file=path.name)
    return InputError(N_("%(file)s is not a readable XLS workbook (damaged, cut short, or "
                         "not a workbook at all)"), file=path.name)


def open_xls(path: Path, sheet_name: str | None = None) -> TableSource:
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd raises several types for a file it cannot read
        raise _refusal(path, exc) from exc
    try:
        names = book.sheet_names()

        def top_of(index: int) -> list[list[str]]:
            sheet = book.sheet_by_index(index)
            return [[sheet_cell_text(_value(c, book.datemode)) for c in sheet.row(r)]
                    for r in range(min(sheet.nrows, HEADER_LINES))]

        index = choose_sheet(names, top_of, path, sheet_name)
        top = top_of(index)
        if not top:
            raise InputError(N_("%(file)s is empty"), file=path.name)
        header, columns, data_start = workbook_header(top)
    except InputError:
        book.release_resources()
        raise
    sheet = book.sheet_by_index(index)
    fields = tuple(columns.items())
    date_positions = {p for p, f in fields if f in ("received_at", "resolved_at")}
    epoch = _epoch(book.datemode)
    reached = [data_start - 1]

    def cell_text(position: int, cell: Any) -> str:
        value = _value(cell, book.datemode)
        if position in date_positions:
            return date_cell_text(value, epoch)
        return sheet_cell_text(value)

    def rows() -> Iterator[RawRow]:
        try:
            for number in range(data_start, sheet.nrows + 1):
                reached[0] = number
                cells = [cell_text(i, c) for i, c in enumerate(sheet.row(number - 1))]
                if (read := workbook_row(number, cells, fields)) is not None:
                    yield read
        finally:
            book.release_resources()

    def fraction_read() -> float | None:
        return min(1.0, reached[0] / sheet.nrows) if sheet.nrows else None

    return TableSource(header, columns, rows(), fraction_read=fraction_read)
