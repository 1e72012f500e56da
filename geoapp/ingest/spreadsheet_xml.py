"""Excel 2003 XML spreadsheets (SpreadsheetML), which report generators of the 2000s
(1C among them) still write, often under an .xls name: read like a workbook, the
sheet of complaints or `--sheet`, its header among the first rows.

The file is parsed as it is read (iterparse, each row dropped once read): a first
pass collects the sheets' names and top rows to choose the sheet and its header, a
second yields the rows. Cells keep their places as the format gives them: a cell's
`ss:Index` skips columns, `ss:MergeAcross`/`ss:MergeDown` span cells as merged cells
do (the text in the first position), a row's `ss:Index` skips rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.utils.datetime import WINDOWS_EPOCH

from geoapp.errors import N_, InputError
from geoapp.ingest.merged_cells import Cell, MergedCells
from geoapp.ingest.table_source import HEADER_LINES, RawRow, TableSource
from geoapp.ingest.workbook import (
    choose_sheet,
    date_cell_text,
    sheet_cell_text,
    workbook_header,
    workbook_row,
)

NS = "{urn:schemas-microsoft-com:office:spreadsheet}"
MAX_SPAN = 1_000


def is_spreadsheet_xml(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head


def _value(data: Any) -> object:
    """A `Data` element's value as a workbook cell's: a number, a date and time, text."""
    if data is None:
        return None
    text = "".join(data.itertext())
    kind = data.get(f"{NS}Type")
    try:
        if kind == "Number":
            return float(text)
        if kind == "DateTime":
            return datetime.fromisoformat(text.rstrip("Z")[:19])
    except ValueError:
        pass
    return text


def _span(value: str | None) -> int:
    try:
        return max(0, min(int(value or 0), MAX_SPAN))
    except ValueError:
        return 0


def _sheets(source: BinaryIO) -> Iterator[tuple[str, Iterator[tuple[int, list[object]]]]]:
    """Each worksheet's name and its rows as (row number, cell values), read as the
    file is parsed. A sheet's rows must be consumed before the next sheet is asked."""
    events = iterparse(source, events=("start", "end"))
    for event, element in events:
        if event == "start" and element.tag == f"{NS}Worksheet":
            yield element.get(f"{NS}Name") or "", _rows(events)


def _column(cell: Any) -> int | None:
    """A cell's 0-based column when its ss:Index (1-based) gives it."""
    index = _span(cell.get(f"{NS}Index"))
    return index - 1 if index else None


def _rows(events: Iterator[tuple[str, Any]]) -> Iterator[tuple[int, list[object]]]:
    number = 0
    table = None
    layout = MergedCells()
    for event, element in events:
        if event == "start" and element.tag == f"{NS}Table":
            table = element
        elif event == "end" and element.tag == f"{NS}Row":
            number = _span(element.get(f"{NS}Index")) or number + 1
            cells = [Cell(_value(cell.find(f"{NS}Data")), _span(cell.get(f"{NS}MergeAcross")),
                          _span(cell.get(f"{NS}MergeDown")), _column(cell))
                     for cell in element.iter(f"{NS}Cell")]
            element.clear()
            if table is not None:
                table.clear()  # the rows read so far are not kept
            yield number, layout.row(cells, None)
        elif event == "end" and element.tag == f"{NS}Worksheet":
            element.clear()
            return


def _tops(source: BinaryIO) -> Iterator[tuple[str, list[tuple[int, list[str]]]]]:
    """Each sheet's name and its first rows as text, the whole file read."""
    for name, rows in _sheets(source):
        top: list[tuple[int, list[str]]] = []
        for number, values in rows:
            if len(top) < HEADER_LINES:
                top.append((number, [sheet_cell_text(v) for v in values]))
        yield name, top


def open_spreadsheet_xml(path: Path, sheet_name: str | None = None) -> TableSource:
    """The sheet of complaints (choose_sheet) read from its header on (workbook_header)."""
    try:
        with path.open("rb") as source:
            sheets = list(_tops(source))
    except ParseError as exc:
        raise InputError(N_("%(file)s is not a readable Excel 2003 XML file: %(reason)s"),
                         file=path.name, reason=str(exc)) from exc
    names = [name for name, _ in sheets]
    tops = [top for _, top in sheets]
    if not names:
        raise InputError(N_("%(file)s is an XML file without worksheets"), file=path.name)
    index = choose_sheet(names, lambda i: [cells for _, cells in tops[i]], path, sheet_name)
    top = tops[index]
    if not top:
        raise InputError(N_("%(file)s: sheet %(sheet)r is empty"), file=path.name,
                         sheet=names[index])
    header, columns, data_start = workbook_header([cells for _, cells in top])
    first = top[data_start - 1][0] if data_start <= len(top) else top[-1][0] + 1
    fields = tuple(columns.items())
    dates = {p for p, f in fields if f in ("received_at", "resolved_at")}
    epoch = WINDOWS_EPOCH  # dates are written as text; a bare number is a 1900 serial

    def text_of(position: int, value: object) -> str:
        return date_cell_text(value, epoch) if position in dates else sheet_cell_text(value)

    size = path.stat().st_size
    source = path.open("rb")

    def rows() -> Iterator[RawRow]:
        try:
            for position, (_, sheet_rows) in enumerate(_sheets(source)):
                for number, values in sheet_rows:
                    if position == index and number >= first:
                        cells = [text_of(i, v) for i, v in enumerate(values)]
                        if (row := workbook_row(number, cells, fields)) is not None:
                            yield row
                if position == index:
                    return
        finally:
            source.close()

    def fraction_read() -> float | None:
        return None if source.closed or not size else min(1.0, source.tell() / size)

    return TableSource(header, columns, rows(), fraction_read=fraction_read)
