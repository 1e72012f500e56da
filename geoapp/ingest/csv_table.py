"""CSV and TSV exports: sniffed encoding and delimiter, the header found among the
first lines, records that are not one row refused alone."""

from __future__ import annotations

import codecs
import csv
import re
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from geoapp.errors import N_, InputError
from geoapp.ingest.file_kind import not_text_reason
from geoapp.ingest.headers import COMPLAINT_FIELDS, COMPLAINT_REQUIRED, match_headers
from geoapp.ingest.layer_encoding import guess_code_page
from geoapp.ingest.row_reasons import (
    EXTRA_CELLS,
    EXTRA_CELLS_TAB,
    UNCLOSED_QUOTE,
    UNCLOSED_QUOTE_AT_END,
    UNCLOSED_QUOTE_SPANNING,
    UNCLOSED_QUOTE_SPANNING_AT_END,
)
from geoapp.ingest.table_source import (
    HEADER_LINES,
    RawRow,
    ReadPosition,
    TableSource,
    is_blank,
    raw_row,
)
from geoapp.read_back import clause

SNIFF_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t")
csv.field_size_limit(16 * 1024 * 1024)


def sniff_encoding(sample: bytes) -> str:
    """UTF-8 with BOM, UTF-16 with BOM (Excel's "Unicode text"), UTF-8, or else the
    Cyrillic code page its bytes show, as for a shapefile (layer_encoding): KZ-1048
    (CP1251 with the Kazakh letters, Russian reads the same in both; the Windows code
    page of many exports) or CP866."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if utf16 := _bomless_utf16(sample):
        return utf16
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still UTF-8.
        if exc.start >= len(sample) - 3:
            return "utf-8"
    return "utf-8" if _mostly_utf8(sample) else guess_code_page(sample)


def _mostly_utf8(sample: bytes) -> bool:
    """Whether a sample with invalid UTF-8 is still UTF-8 with a few foreign rows (a
    CP1251 export appended to a UTF-8 one): most of its lines with non-ASCII bytes are
    valid UTF-8. Cyrillic in CP1251 almost never forms valid UTF-8, so in a CP1251
    file next to none are. The last line may be cut by the sample's end: left out."""
    lines = [line for line in sample.split(b"\n")[:-1] if not line.isascii()]
    valid = 0
    for line in lines:
        try:
            line.decode("utf-8")
            valid += 1
        except UnicodeDecodeError:
            pass
    return valid > len(lines) - valid


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark, told by its NUL bytes: every ASCII
    character (delimiters, digits, line ends) has one, all on the same side of the
    pair. A stray NUL in a UTF-8 or CP1251 row never adds up to that."""
    head = sample[:4096]
    half = len(head) // 2
    if half < 8 or 0 not in head:
        return None
    high_first, high_second = head[0::2].count(0), head[1::2].count(0)
    for encoding, nuls, strays in (("utf-16-le", high_second, high_first),
                                   ("utf-16-be", high_first, high_second)):
        if nuls >= half // 10 and strays <= half // 100:
            try:
                head[: half * 2].decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise InputError(N_("cannot find the delimiter: the header has no ';', ',' or tab"))
    return best


# Excel's hint line above the header ("sep=;"), which it writes and reads itself.
_EXCEL_SEP_LINE = re.compile(r"sep=([,;\t|])")


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])


def _find_header(top: list[tuple[int, str]], delimiters: tuple[str, ...],
                 name: str) -> tuple[int, list[str], str]:
    """(position in `top`, cells, delimiter) of the first line that names the required
    columns, split by the delimiter that names most fields; or a refusal naming the
    closest line."""
    closest: tuple[int, int, list[str]] | None = None  # (fields named, line, cells)
    for index, (number, line) in enumerate(top):
        if not line.strip():
            continue
        splits = []
        for delimiter in delimiters:
            cells = [h.strip() for h in _split(line, delimiter)]
            named = set(match_headers(cells, COMPLAINT_FIELDS).values())
            splits.append((all(f in named for f in COMPLAINT_REQUIRED), len(named),
                           line.count(delimiter), cells, delimiter))
            if closest is None or len(named) > closest[0]:
                closest = (len(named), number, cells)
        if headers := [s for s in splits if s[0]]:
            return index, *max(headers, key=lambda s: s[1:3])[3:]
    if closest is None:
        raise InputError(N_("%(file)s is empty"), file=name)
    columns = match_headers(closest[2], COMPLAINT_FIELDS)
    missing = [f for f in COMPLAINT_REQUIRED if f not in columns.values()]
    shown = ", ".join(h for h in closest[2] if h)[:200]
    if not any(d in line for _, line in top for d in delimiters):
        *others, last = [_delimiter_name(d) for d in delimiters]
        shown += f"; no line has {', '.join(others)} or {last}" if others else \
            f"; no line has a {last}"
    raise InputError(N_("missing required columns: %(missing)s (looked for the header in "
                        "the first %(lines)d lines; the closest, line %(line)d: %(found)s)"),
                     missing=", ".join(missing), lines=HEADER_LINES, line=closest[1],
                     found=shown)


def _delimiter_name(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else f"'{delimiter}'"


class _Lines:
    """A text's physical lines for csv.reader, numbered; `taken` holds those of the
    record being read (a quoted cell may span several), and lines can be put back to
    be read again."""

    def __init__(self, rest: Iterable[str], first: int, ahead: list[tuple[int, str]]) -> None:
        self.rest = iter(rest)
        self.number = first  # of the first line of `rest`
        self.pending: deque[tuple[int, str]] = deque(ahead)
        self.taken: list[tuple[int, str]] = []
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pending:
            numbered = self.pending.popleft()
        else:
            try:
                numbered = (self.number, next(self.rest))
            except StopIteration:
                self.exhausted = True
                raise
            self.number += 1
        self.taken.append(numbered)
        return numbered[1]

    def put_back(self, lines: list[tuple[int, str]]) -> None:
        self.pending.extendleft(reversed(lines))


def _cells_with_open_quote(line: str, delimiter: str) -> tuple[list[str], int]:
    """The cells of a line whose quote is never closed, as written (the quote kept,
    the delimiters after it splitting cells), and the position of the quoted cell."""
    cells = _split(line, delimiter)  # the open quote takes the rest of the line
    opened = max(len(cells) - 1, 0)
    # An empty line reads as no cells at all: a lone quote ends its line (`a;"`).
    rest = next(csv.reader([cells[opened] if cells else ""], delimiter=delimiter,
                           quoting=csv.QUOTE_NONE), None) or [""]
    return [*cells[:opened], '"' + rest[0], *rest[1:]], opened


def _looks_like_rows(lines: list[tuple[int, str]], delimiter: str, width: int) -> bool:
    """Whether the lines after a record's first split into as many cells as the header:
    rows swallowed by a quote that some stray quote later closed."""
    return any(line.count(delimiter) + 1 == width for _, line in lines[1:])


def _records(lines: _Lines, delimiter: str, header: list[str]
             ) -> Iterator[tuple[int, list[str], tuple[str, str] | None]]:
    """(first line, cells, why it is not a row) of each record. A quote that opens a
    cell and is not closed would read the next lines into it, up to some later quote:
    such a record's first line is refused alone and the lines after it are read again
    (a properly quoted cell over several lines stays one cell)."""
    width = len(header)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        lines.taken, lines.exhausted = [], False
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # A quote closed mid-cell ('"a" b'): read as before, leniently.
            taken, reader = lines.taken, csv.reader(lines, delimiter=delimiter, strict=True)
            if len(taken) == 1 and not lines.exhausted:
                yield taken[0][0], _split(taken[0][1], delimiter), None
                continue
        else:
            taken = lines.taken
            if len(taken) == 1 or len(cells) == width or not _looks_like_rows(
                    taken, delimiter, width):
                yield taken[0][0], cells, None
                continue
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
        cells, opened = _cells_with_open_quote(taken[0][1], delimiter)
        lines.put_back(taken[1:])
        yield taken[0][0], cells, (_unclosed_quote(header, opened, taken, lines.exhausted),
                                   "unclosed_quote")


def _unclosed_quote(header: list[str], opened: int, taken: list[tuple[int, str]],
                    at_end: bool) -> str:
    column = (f"«{header[opened]}»" if opened < len(header) and header[opened]
              else str(opened + 1))
    first, last = taken[0][0], taken[-1][0]
    if last > first:
        return clause(UNCLOSED_QUOTE_SPANNING_AT_END if at_end else UNCLOSED_QUOTE_SPANNING,
                      column=column, first=first, last=last)
    return clause(UNCLOSED_QUOTE_AT_END if at_end else UNCLOSED_QUOTE, column=column)


def _extra_cells(cells: list[str], width: int, delimiter: str) -> tuple[str, str] | None:
    """A row with values past the header's last column (an unquoted delimiter inside a
    value shifts every later one). Empty cells there, as Excel writes, are fine."""
    if len(cells) <= width:
        return None
    used = next((n for n in range(len(cells), width, -1) if cells[n - 1].strip()), width)
    if used == width:
        return None
    if delimiter == "\t":
        return clause(EXTRA_CELLS_TAB, used=used, width=width), "extra_cells"
    return (clause(EXTRA_CELLS, used=used, width=width, delimiter=f"'{delimiter}'"),
            "extra_cells")


def open_csv(path: Path) -> TableSource:
    """The header is the first of the first ten lines (after Excel's "sep=" line) that
    names the required columns; rows keep the file's own line numbers. A record that
    is not one row (an unclosed quote, values past the header) is rejected whole."""
    with path.open("rb") as fh:
        sample = fh.read(SNIFF_BYTES)
    if not sample.strip():
        raise InputError(N_("%(file)s is empty"), file=path.name)
    encoding = sniff_encoding(sample)
    if reason := not_text_reason(sample, encoding):
        raise InputError(reason, file=path.name)
    # A byte that is not valid in the encoding rejects its row (see _unstorable), not
    # the rest of the file.
    text: IO[str] = path.open("r", encoding=encoding, newline="", errors="surrogateescape")
    try:
        first, start = text.readline(), 1
        if declared := _EXCEL_SEP_LINE.fullmatch(first.strip()):
            first, start = text.readline(), 2
            delimiters: tuple[str, ...] = (declared.group(1),)
        else:
            delimiters = ("\t",) if path.suffix.lower() == ".tsv" else DELIMITERS
        top = [(n, line) for n, line in [(start, first), *(
            (n, text.readline()) for n in range(start + 1, start + HEADER_LINES))] if line]
        index, header, delimiter = _find_header(top, delimiters, path.name)
    except BaseException:
        text.close()
        raise
    columns = match_headers(header, COMPLAINT_FIELDS)
    fields = tuple(columns.items())
    lines = _Lines(text, start + HEADER_LINES, top[index + 1:])

    def rows() -> Iterator[RawRow]:
        try:
            for line, cells, damaged in _records(lines, delimiter, header):
                if damaged is None and is_blank(cells):
                    continue
                yield raw_row(line, cells, fields,
                           damaged or _extra_cells(cells, len(header), delimiter))
        finally:
            text.close()

    position = ReadPosition(path)
    position.file = text.buffer
    return TableSource(header, columns, rows(), encoding=encoding, delimiter=delimiter,
                       fraction_read=position)

