"""Workbooks: XLSX read here, and what the XLS and Excel 2003 XML readers share
with it (the sheet of complaints, its header, a cell as text)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from geoapp.errors import N_, InputError
from geoapp.ingest.headers import COMPLAINT_FIELDS, COMPLAINT_REQUIRED, match_headers
from geoapp.ingest.row_reasons import (
    FORMULA_WITHOUT_VALUE,
)
from geoapp.ingest.table_source import (
    RawRow,
    TableSource,
    is_blank,
    is_number,
    raw_row,
    require_columns,
)
from geoapp.ingest.xlsx_formulas import (
    formula_rows,
    formula_text,
    sheet_has_formulas,
    unsaved_formulas,
)
from geoapp.read_back import clause

EXCEL_EXACT_LIMIT = 1e15  # the smallest number of 16 digits


def sheet_cell_text(value: object) -> str:
    """A workbook cell's value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):  # a date, or a time of day alone ("09:30:00")
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        if abs(value) >= EXCEL_EXACT_LIMIT:
            # Excel keeps 15 significant digits: a longer number (an id typed as one)
            # lost the rest when it was entered. Written as Excel shows it, so that
            # the id is refused as rounded, never stored with invented digits.
            return f"{value:.14E}"
        return str(int(value))
    return str(value)


def date_cell_text(value: object, epoch: Any) -> str:
    """A date column's cell: a bare number there is Excel's own date serial (a cell
    formatted as General, or pasted as values), read in the workbook's date system."""
    if is_number(value) and value > 0:  # type: ignore[operator]
        from openpyxl.utils.datetime import from_excel

        try:
            moment = from_excel(value, epoch)
        except (ValueError, OverflowError):
            return sheet_cell_text(value)
        if isinstance(moment, datetime):
            return (moment + timedelta(microseconds=500_000)).isoformat(
                sep=" ", timespec="seconds")
    return sheet_cell_text(value)


def _sheet_top(sheet: Any) -> list[list[str]]:
    return [[sheet_cell_text(v) for v in row]
            for row in sheet.iter_rows(min_row=1, max_row=10, values_only=True)]


def _has_required_header(top: list[list[str]]) -> bool:
    fields = set().union(*(match_headers(r, COMPLAINT_FIELDS).values() for r in top))
    return all(f in fields for f in COMPLAINT_REQUIRED)


def choose_sheet(names: list[str], top_of: Callable[[int], list[list[str]]], path: Path,
                 wanted: str | None) -> int:
    """The index of `wanted`; else of the one sheet whose top rows (`top_of`) name the
    required columns (a cover or summary sheet may come first). Never a silent pick
    among several."""
    if wanted is not None:
        if wanted not in names:
            raise InputError(N_("%(file)s has no sheet %(sheet)r; its sheets: %(sheets)s"),
                             file=path.name, sheet=wanted, sheets=", ".join(names))
        return names.index(wanted)
    if len(names) == 1:
        return 0
    tables = [i for i in range(len(names)) if _has_required_header(top_of(i))]
    if len(tables) > 1:
        raise InputError(N_("%(file)s has %(n)d sheets of complaints (%(sheets)s): import "
                            "each with --sheet"), file=path.name, n=len(tables),
                         sheets=", ".join(names[i] for i in tables))
    return tables[0] if tables else 0


def workbook_header(top: list[list[str]]) -> tuple[list[str], dict[int, str], int]:
    """A sheet's header, the field of each column and the 1-based row number of the
    first data row, from its first rows. The header row is the one naming most contract
    fields; a second header row below it (cells under a merged group header) fills
    gaps. Refused when the required columns are missing."""
    scores = [len(match_headers(r, COMPLAINT_FIELDS)) for r in top]
    header_index = max(range(len(top)), key=lambda i: scores[i])
    header = top[header_index]
    columns = match_headers(header, COMPLAINT_FIELDS)
    data_start = header_index + 2
    if header_index + 1 < len(top):
        # Under a merged group header ("Координаты" over "Широта", "Долгота") the
        # cells below name the fields: they fill the gaps and take over the group's.
        sub = top[header_index + 1]
        below = match_headers(sub, COMPLAINT_FIELDS)
        elsewhere = {f for p, f in columns.items() if p not in below}
        extra = {p: f for p, f in below.items() if f not in elsewhere}
        if extra:
            columns = {p: f for p, f in columns.items() if p not in extra} | extra
            header = [sub[i] if i in extra or (not h and i < len(sub)) else h
                      for i, h in enumerate(header)]
            data_start += 1
    require_columns(columns, header)
    return header, columns, data_start


def workbook_row(number: int, cells: list[str], fields: tuple[tuple[int, str], ...]
                 ) -> RawRow | None:
    """A sheet's row as read, or None when it is blank."""
    return None if is_blank(cells) else raw_row(number, cells, fields)


def open_xlsx(path: Path, sheet_name: str | None = None) -> TableSource:
    """The sheet of complaints (choose_sheet) read from its header on
    (workbook_header)."""
    import openpyxl

    # openpyxl judges a file by its name: one saved as .xls is given as an open file
    file = path.open("rb")
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        file.close()
        raise InputError(N_("%(file)s is a ZIP archive but not a readable XLSX workbook "
                            "(another kind of document, damaged, or cut short)"),
                         file=path.name) from exc

    def close() -> None:
        book.close()
        file.close()

    try:
        sheet = book.worksheets[choose_sheet(
            book.sheetnames, lambda i: _sheet_top(book.worksheets[i]), path, sheet_name)]
        top = _sheet_top(sheet)
        if not top:
            raise InputError(N_("%(file)s is empty"), file=path.name)
        header, columns, data_start = workbook_header(top)
    except InputError:
        close()
        raise
    fields = tuple(columns.items())
    # The sheet's declared extent: a workbook is compressed, so its bytes say little.
    last_row = sheet.max_row if isinstance(sheet.max_row, int) else None
    reached = [data_start - 1]
    date_positions = {p for p, f in fields if f in ("received_at", "resolved_at")}

    mapped = sorted(columns)
    written = (formula_rows(path, sheet.title, data_start)
               if sheet_has_formulas(path, sheet) else None)

    def rows() -> Iterator[RawRow]:
        try:
            for number, row in enumerate(sheet.iter_rows(min_row=data_start, values_only=True),
                                         start=data_start):
                reached[0] = number
                as_written = next(written, ()) if written is not None else ()
                cells = [date_cell_text(v, book.epoch) if i in date_positions
                         else sheet_cell_text(v) for i, v in enumerate(row)]
                unsaved = unsaved_formulas(row, as_written, mapped) if as_written else []
                if unsaved:  # the rejects file shows the formulas as written
                    for p in unsaved:
                        cells[p] = formula_text(as_written[p]) or ""
                    yield raw_row(number, cells, fields, _unsaved_reason(number, unsaved, columns))
                elif (read := workbook_row(number, cells, fields)) is not None:
                    yield read
        finally:
            close()
            if written is not None:
                written.close()

    def fraction_read() -> float | None:
        return min(1.0, reached[0] / last_row) if last_row else None

    return TableSource(header, columns, rows(), fraction_read=fraction_read)


def _unsaved_reason(row: int, positions: list[int], columns: dict[int, str]
                   ) -> tuple[str, str]:
    from openpyxl.utils import get_column_letter

    cells = ", ".join(f"{columns[p]} ({get_column_letter(p + 1)}{row})" for p in positions)
    return clause(FORMULA_WITHOUT_VALUE, cells=cells), "formula_without_value"

