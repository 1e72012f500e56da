"""Web-page exports: the HTML table that many web systems hand out as "Excel"
(`export.xls` that is really `<html><table>…`), or save as .html.

The page is read as Excel opens it: every table row is a sheet row, numbered from 1
in page order; a cell is its text (tags dropped, entities decoded, `<br>` a line
break, a line end of the page's layout one space, a no-break space a space); a cell
spanning columns or rows holds its text in its first position and leaves the others
empty, as a merged cell does, so a group header over "Широта", "Долгота" is read as
in a workbook. Script and style are not text. The file is parsed as it is read, so
memory does not grow with its size.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from geoapp.errors import N_, InputError
from geoapp.ingest.csv_table import sniff_encoding
from geoapp.ingest.merged_cells import Cell, MergedCells
from geoapp.ingest.table_source import HEADER_LINES, RawRow, TableSource
from geoapp.ingest.workbook import workbook_header, workbook_row

CHUNK = 256 * 1024
MAX_SPAN = 1_000  # a colspan or rowspan beyond this is a broken page, not a layout
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
# White space with a line end in it is the page's own layout; other spaces are the
# text's (an address typed with two spaces keeps them, as in the CSV of the same rows).
_LAYOUT = re.compile(r"[ \t]*[\r\n\f]+[ \t\r\n\f]*")
_NOT_TEXT = frozenset({"script", "style"})


def is_web_page(head: bytes) -> bool:
    """Whether a file's first bytes are those of an HTML page (or fragment)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<!--",
                             b"<head", b"<body", b"<style"))


def page_encoding(head: bytes) -> str:
    """The charset the page declares, else the one its bytes show. Text that is
    valid UTF-8 beyond ASCII is UTF-8 whatever the page says: a template's
    `charset=windows-1251` left in a UTF-8 export is common, and Cyrillic in
    Windows-1251 is next to never valid UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if not head.isascii() and sniff_encoding(head) == "utf-8":
        return "utf-8"
    if (declared := _CHARSET.search(head)) is not None:
        try:
            return codecs.lookup(declared.group(1).decode("ascii")).name
        except (LookupError, UnicodeDecodeError):
            pass
    return sniff_encoding(head)


class _TableRows(HTMLParser):
    """Collects the rows of a page's tables as lists of cell texts. A table inside a
    cell is read as that cell's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: deque[list[str]] = deque()
        self._depth = 0  # tables open
        self._hidden = 0  # inside script, style, …
        self._layout = MergedCells()
        self._row: list[Cell] | None = None
        self._cell: list[str] | None = None
        self._spans = (0, 0)  # the open cell's further columns and rows

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_TEXT:
            self._hidden += 1
        elif tag == "table":
            self._depth += 1
        elif self._cell is not None and tag in ("br", "td", "th", "tr") and (
                tag == "br" or self._depth > 1):
            # a line break; or a nested table's cell, a space in the outer cell's text
            self._cell.append("\n" if tag == "br" else " ")
        elif self._depth > 1 or self._hidden:
            return
        elif tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            spans = dict(attrs)
            self._cell = []
            self._spans = (_span(spans.get("colspan")), _span(spans.get("rowspan")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _NOT_TEXT:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_TEXT:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "table":
            if self._depth == 1:
                self._end_row()
                self._layout = MergedCells()  # a span ends with its table
            self._depth = max(0, self._depth - 1)
        elif self._depth > 1 or self._hidden:
            return
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._hidden:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self._end_row()

    def _end_cell(self) -> None:
        if self._cell is None:
            return
        lines = "".join(self._cell).split("\n")
        text = "\n".join(_LAYOUT.sub(" ", line).replace("\u00a0", " ").strip()
                         for line in lines).strip()
        if self._row is None:  # a cell outside any row: a row of its own
            self._row = []
        self._row.append(Cell(text, *self._spans))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None:
            self.rows.append(self._layout.row(self._row, ""))
            self._row = None


def _span(value: str | None) -> int:
    """A colspan's or rowspan's further columns or rows."""
    try:
        return max(1, min(int((value or "1").strip()), MAX_SPAN)) - 1
    except ValueError:
        return 0


def open_html(path: Path) -> TableSource:
    """The table of complaints in a web-page export, its header found among the
    first rows as in a workbook."""
    size = path.stat().st_size
    handle = path.open("rb")
    head = handle.read(4096)
    handle.seek(0)
    encoding = page_encoding(head)
    reader = codecs.getincrementaldecoder(encoding)(errors="replace")
    parser = _TableRows()
    read = [0]

    def next_rows() -> bool:
        """Parse on until rows are ready or the file ends; False at its end."""
        while not parser.rows:
            chunk = handle.read(CHUNK)
            read[0] += len(chunk)
            if not chunk:
                parser.feed(reader.decode(b"", final=True))
                parser.close()
                return bool(parser.rows)
            parser.feed(reader.decode(chunk))
        return True

    top: list[list[str]] = []
    while len(top) < HEADER_LINES and next_rows():
        top.append(parser.rows.popleft())
    if not any(any(cells) for cells in top):
        handle.close()
        raise InputError(N_("%(file)s is a web page without a table of complaints"),
                         file=path.name)
    try:
        header, columns, data_start = workbook_header(top)
    except InputError:
        handle.close()
        raise
    fields = tuple(columns.items())
    waiting = deque(top[data_start - 1:])

    def rows() -> Iterator[RawRow]:
        number = data_start
        try:
            while waiting or next_rows():
                cells = waiting.popleft() if waiting else parser.rows.popleft()
                if (row := workbook_row(number, cells, fields)) is not None:
                    yield row
                number += 1
        finally:
            handle.close()

    def fraction_read() -> float | None:
        return min(1.0, read[0] / size) if size else None

    return TableSource(header, columns, rows(), encoding=encoding,
                       fraction_read=fraction_read)
