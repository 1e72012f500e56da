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

from geoapp.errors import InputError
from geoapp.ingest.readers import (
    HEADER_LINES,
    RawRow,
    TableSource,
    sniff_encoding,
    workbook_header,
    workbook_row,
)

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
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._rowspan = 1
        self._hidden = 0  # inside script, style, …
        # column → rows still covered by a cell spanning down into them
        self._pending: dict[int, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_TEXT:
            self._hidden += 1
        elif tag == "table":
            self._depth += 1
        elif self._depth > 1 or self._hidden:
            if tag == "br" and self._cell is not None:
                self._cell.append("\n")
            elif tag in ("td", "th", "tr") and self._cell is not None:
                self._cell.append(" ")
        elif tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell = []
            spans = dict(attrs)
            self._colspan = _span(spans.get("colspan"))
            self._rowspan = _span(spans.get("rowspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_TEXT:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_TEXT:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "table":
            if self._depth == 1:
                self._end_row()
                self._pending.clear()  # a span ends with its table
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

    def _skip_covered(self) -> None:
        """Leave empty the positions that a cell of an earlier row spans down into."""
        assert self._row is not None
        while (left := self._pending.get(len(self._row))) is not None:
            self._row.append("")
            if left > 1:
                self._pending[len(self._row) - 1] = left - 1
            else:
                del self._pending[len(self._row) - 1]

    def _end_cell(self) -> None:
        if self._cell is None or self._row is None:
            return
        self._skip_covered()
        lines = "".join(self._cell).split("\n")
        text = "\n".join(_LAYOUT.sub(" ", line).replace("\u00a0", " ").strip()
                         for line in lines).strip()
        start = len(self._row)
        self._row.extend([text] + [""] * (self._colspan - 1))
        if self._rowspan > 1:
            for column in range(start, len(self._row)):
                self._pending[column] = self._rowspan - 1
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is None:
            return
        # a row that ends before the columns spanned down into it still has them
        while self._pending and len(self._row) <= max(self._pending):
            if len(self._row) in self._pending:
                self._skip_covered()
            else:
                self._row.append("")
        self.rows.append(self._row)
        self._row = None


def _span(value: str | None) -> int:
    try:
        return max(1, min(int((value or "1").strip()), MAX_SPAN))
    except ValueError:
        return 1


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
        raise InputError(f"{path.name} is a web page without a table of complaints")
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
