"""Streaming readers of complaint exports: CSV/TSV (sniffed encoding and
delimiter), XLSX and GeoJSON. Each yields rows with their original line number
and original values, mapped onto contract fields by header aliases."""

from __future__ import annotations

import codecs
import csv
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from geoapp.errors import N_, InputError
from geoapp.geocode.notes import (
    EMPTY_GEOMETRY,
    INSIDE_SHAPE,
    UNREADABLE_GEOMETRY,
    UNREADABLE_GEOMETRY_OF_NO_KIND,
)
from geoapp.ingest.file_kind import not_text_reason
from geoapp.ingest.headers import COMPLAINT_FIELDS, COMPLAINT_REQUIRED, match_headers
from geoapp.ingest.layer_encoding import guess_code_page
from geoapp.ingest.row_reasons import (
    BAD_BYTES,
    EXTRA_CELLS,
    EXTRA_CELLS_TAB,
    FORMULA_WITHOUT_VALUE,
    NUL_CHARACTER,
    UNCLOSED_QUOTE,
    UNCLOSED_QUOTE_AT_END,
    UNCLOSED_QUOTE_SPANNING,
    UNCLOSED_QUOTE_SPANNING_AT_END,
)
from geoapp.ingest.xlsx_formulas import (
    formula_rows,
    formula_text,
    sheet_has_formulas,
    unsaved_formulas,
)
from geoapp.read_back import clause

SNIFF_BYTES = 256 * 1024
# A CSV's header is the first of its first lines that names the required columns (title
# rows may stand above it), as a workbook's is found among its first rows.
HEADER_LINES = 10
DELIMITERS = (";", ",", "\t")
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class RawRow:
    """A row's mapped values and its original cells. `unstorable`: why it cannot land
    as read, as (reason, code): text that cannot be stored, or a CSV record that is
    not one row (an unclosed quote, more cells than the header)."""

    line: int
    values: dict[str, str | None]
    original: list[str]
    unstorable: tuple[str, str] | None = None


@dataclass
class TableSource:
    """An opened export: its header as written, the field of each column, its rows."""

    header: list[str]
    columns: dict[int, str]
    rows: Iterator[RawRow]
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    # How much of the file the rows read so far span (0..1), for a progress bar; None
    # when the format cannot tell.
    fraction_read: Callable[[], float | None] = lambda: None


class ReadPosition:
    """The share of a file's bytes read so far, from the binary file under a reader
    (ahead of the rows by at most one buffer)."""

    def __init__(self, path: Path) -> None:
        self.size = path.stat().st_size
        self.file: IO[bytes] | None = None

    def __call__(self) -> float | None:
        if self.file is None or not self.size:
            return None
        if self.file.closed:
            return 1.0
        return min(1.0, self.file.tell() / self.size)


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


def _require(columns: dict[int, str], header: list[str]) -> None:
    missing = [f for f in COMPLAINT_REQUIRED if f not in columns.values()]
    if missing:
        shown = ", ".join(h for h in header if h)[:200]
        raise InputError(N_("missing required columns: %(missing)s (found: %(found)s)"),
                         missing=", ".join(missing), found=shown or "no header")


# Undecodable bytes of a CSV are read as lone surrogates (the "surrogateescape" error
# handler), as are a JSON string's unpaired escapes such as \uD800.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable(cells: list[str]) -> tuple[str, str] | None:
    """Why PostgreSQL text cannot hold these cells, if it cannot: a NUL character, or
    a lone surrogate (bytes not valid in the file's encoding)."""
    joined = "".join(cells)
    if "\x00" in joined:
        return NUL_CHARACTER, "nul_character"
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return BAD_BYTES, "bad_encoding"
    return None


def _visible(cell: str) -> str:
    """A cell as the rejects file can show it: undecodable bytes as \\xNN, other
    lone surrogates as \\uNNNN, NUL as \\x00."""
    def show(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
    return _SURROGATE.sub(show, cell).replace("\x00", "\\x00")


def _row(line: int, cells: list[str], fields: tuple[tuple[int, str], ...],
         damaged: tuple[str, str] | None = None) -> RawRow:
    """`fields`: (position, field) of the mapped columns. Cells are stripped; an
    empty or missing cell is None. `damaged`: why the record cannot land as read (a
    CSV record that is not one row, a formula without its value)."""
    count = len(cells)
    values: dict[str, str | None] = {}
    for position, name in fields:
        values[name] = (cells[position].strip() or None) if position < count else None
    if (why := _unstorable(cells)) is not None:
        return RawRow(line, values, [_visible(c) for c in cells], damaged or why)
    return RawRow(line, values, cells, damaged)


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


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
                if damaged is None and _blank(cells):
                    continue
                yield _row(line, cells, fields,
                           damaged or _extra_cells(cells, len(header), delimiter))
        finally:
            text.close()

    position = ReadPosition(path)
    position.file = text.buffer
    return TableSource(header, columns, rows(), encoding=encoding, delimiter=delimiter,
                       fraction_read=position)


def sheet_cell_text(value: object) -> str:
    """A workbook cell's value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):  # a date, or a time of day alone ("09:30:00")
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def date_cell_text(value: object, epoch: Any) -> str:
    """A date column's cell: a bare number there is Excel's own date serial (a cell
    formatted as General, or pasted as values), read in the workbook's date system."""
    if _is_number(value) and value > 0:  # type: ignore[operator]
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
    _require(columns, header)
    return header, columns, data_start


def workbook_row(number: int, cells: list[str], fields: tuple[tuple[int, str], ...]
                 ) -> RawRow | None:
    """A sheet's row as read, or None when it is blank."""
    return None if _blank(cells) else _row(number, cells, fields)


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
        raise InputError(N_("%(file)s is not a readable XLSX file: %(reason)s"),
                         file=path.name, reason=str(exc)) from exc

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
                    yield _row(number, cells, fields, _unsaved_reason(number, unsaved, columns))
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


def json_code_page(path: Path) -> str:
    """UTF-8, UTF-8 with a BOM, or, for a file that is not UTF-8 as JSON must be (one
    saved by Notepad or an older tool in CP1251), the code page its bytes show."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        if fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        while chunk := fh.read(1 << 16):  # small: a streamed file is never held
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return guess_code_page(chunk)
    return "utf-8"


class _AsUtf8:
    """A binary file in `code_page`, read as UTF-8 bytes, the JSON parser's input."""

    def __init__(self, raw: IO[bytes], code_page: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(code_page)("replace")

    def read(self, size: int = -1) -> bytes:
        while chunk := self._raw.read(size):
            if text := self._decoder.decode(chunk):  # a BOM alone decodes to nothing
                return text.encode("utf-8")
        return self._decoder.decode(b"", final=True).encode("utf-8")


def _json_items(path: Path, prefix: str, position: ReadPosition | None = None,
                code_page: str = "utf-8") -> Iterator[Any]:
    """The values at `prefix`, parsed incrementally: only one is in memory at a time."""
    import ijson

    with path.open("rb") as fh:
        if position is not None:
            position.file = fh
        source = fh if code_page == "utf-8" else _AsUtf8(fh, code_page)
        try:
            yield from ijson.items(source, prefix, use_float=True)
        except ijson.JSONError as exc:
            raise InputError(N_("%(file)s is not valid JSON: %(reason)s"), file=path.name,
                             reason=_json_reason(exc)) from None


def _json_reason(exc: Exception) -> str:
    """The first line of a parser's message (yajl's has three, and may come as bytes)."""
    raw = exc.args[0] if exc.args else ""
    message = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return (message.strip().splitlines() or ["cannot parse"])[0]


def _geojson_outline(path: Path, code_page: str) -> tuple[list[str], str]:
    """The property names of all features, in order of first appearance, and the
    declared CRS; the file is read through (so a syntax error refuses it whole)
    without ever holding more than one feature's properties."""
    kind = next(_json_items(path, "type", code_page=code_page), None)
    if kind != "FeatureCollection":
        raise InputError(N_("%(file)s is not a GeoJSON FeatureCollection"), file=path.name)
    crs = next(_json_items(path, "crs.properties.name", code_page=code_page), None)
    keys: dict[str, None] = {}
    for properties in _json_items(path, "features.item.properties", code_page=code_page):
        if isinstance(properties, dict):
            keys.update(dict.fromkeys(properties))
    return list(keys), crs if isinstance(crs, str) else ""


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reprojection(path: Path, crs: str) -> Callable[[float, float], tuple[float, float]] | None:
    """How to bring the points of a file declaring `crs` (the old GeoJSON `crs`
    member) to lon/lat; None when they are lon/lat already."""
    if not crs or crs.upper().endswith(("CRS84", "4326")):
        return None
    # Imported here: pyproj takes a while to load and most exports have no `crs`.
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        source = CRS.from_user_input(crs)
    except CRSError:
        raise InputError(N_("%(file)s declares a CRS that is not known: %(crs)s"),
                         file=path.name, crs=crs) from None
    transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)
    return transformer.transform  # type: ignore[no-any-return]


def _feature_point(geometry: dict[str, Any]) -> tuple[tuple[Any, Any] | None, str]:
    """A feature's point and, when it is not one, a note: a complaint drawn as an area
    or a line on a web form is placed at a point inside it; what cannot be read is
    said, and the row falls back to its address."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
        return (coordinates[0], coordinates[1]), ""
    if not geometry:
        return None, ""
    import shapely.geometry
    from shapely.errors import GeometryTypeError, ShapelyError

    try:
        shape = shapely.geometry.shape(geometry)
        if shape.is_empty:
            return None, clause(EMPTY_GEOMETRY, kind=str(kind))
        inside = shape.representative_point()
    except (GeometryTypeError, ShapelyError, TypeError, ValueError, KeyError, IndexError):
        return None, (clause(UNREADABLE_GEOMETRY, kind=str(kind)) if kind
                      else UNREADABLE_GEOMETRY_OF_NO_KIND)
    return (inside.x, inside.y), clause(INSIDE_SHAPE, kind=str(kind))


def open_geojson(path: Path) -> TableSource:
    """Feature properties carry the fields; a Point geometry supplies lat/lon,
    reprojected when the file declares another CRS. Line numbers are feature numbers
    (1-based). Features are streamed."""
    code_page = json_code_page(path)
    keys, crs = _geojson_outline(path, code_page)
    to_lon_lat = _reprojection(path, crs)
    columns = match_headers(keys, COMPLAINT_FIELDS)
    header = list(keys)
    _require(columns, header)
    lat_pos = next((p for p, f in columns.items() if f == "lat"), None)
    lon_pos = next((p for p, f in columns.items() if f == "lon"), None)
    if lat_pos is None:
        header.append("lat")
        lat_pos = len(header) - 1
        columns[lat_pos] = "lat"
    if lon_pos is None:
        header.append("lon")
        lon_pos = len(header) - 1
        columns[lon_pos] = "lon"
    header.append("geometry_note")
    note_pos = len(header) - 1
    columns[note_pos] = "geometry_note"
    fields = tuple(columns.items())
    position = ReadPosition(path)

    def rows() -> Iterator[RawRow]:
        for number, feature in enumerate(_json_items(path, "features.item", position,
                                                     code_page), start=1):
            feature = feature if isinstance(feature, dict) else {}
            props = _mapping(feature.get("properties"))
            cells = ["" if props.get(k) is None else str(props.get(k)) for k in keys]
            cells += [""] * (len(header) - len(cells))
            geometry = _mapping(feature.get("geometry"))
            point, cells[note_pos] = _feature_point(geometry)
            if point is not None:
                lon, lat = point
                if to_lon_lat is not None and _is_number(lon) and _is_number(lat):
                    lon, lat = to_lon_lat(lon, lat)
                cells[lon_pos], cells[lat_pos] = str(lon), str(lat)
            yield _row(number, cells, fields)

    return TableSource(header, columns, rows(), encoding=code_page, fraction_read=position)


def open_table(path: Path, sheet: str | None = None) -> TableSource:
    """The export at `path`; `sheet` names a workbook's sheet."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory; give the export file itself")
    from geoapp.ingest.html_table import is_web_page, open_html

    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(1024)
    if suffix in (".xlsx", ".xlsm", ".xls", ".html", ".htm", ".xml"):
        # by content: an old .xls saved as .xlsx, or the other way round, is still read,
        # and so is a web page under a workbook's name (a web system's "Excel" export)
        if head.startswith(b"PK\x03\x04"):
            return open_xlsx(path, sheet)
        if suffix in (".html", ".htm") or is_web_page(head):
            if sheet is not None:
                raise InputError(N_("%(file)s is a web page: it has no sheets for --sheet"),
                                 file=path.name)
            return open_html(path)
        from geoapp.ingest.spreadsheet_xml import is_spreadsheet_xml, open_spreadsheet_xml

        if is_spreadsheet_xml(head):
            return open_spreadsheet_xml(path, sheet)
        if suffix == ".xml" or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
            raise InputError(N_("%(file)s is an XML file but not an Excel 2003 XML "
                                "spreadsheet: export CSV or XLSX"), file=path.name)
        from geoapp.ingest.xls import open_xls

        return open_xls(path, sheet)
    if sheet is not None:
        raise InputError(N_("--sheet applies to workbooks (XLSX, XLS), not to %(file)s"),
                         file=path.name)
    if suffix in (".csv", ".tsv", ".txt"):
        if is_web_page(head):  # a web system's export under a text name
            return open_html(path)
        return open_csv(path)
    if suffix in (".geojson", ".json"):
        return open_geojson(path)
    raise InputError(N_("%(file)s: unsupported format %(suffix)s; use CSV, TSV, XLSX, XLS, "
                        "GeoJSON, an HTML table or Excel 2003 XML"),
                     file=path.name, suffix=suffix or "(none)")


__all__ = ["RawRow", "TableSource", "open_table", "sniff_delimiter", "sniff_encoding"]
