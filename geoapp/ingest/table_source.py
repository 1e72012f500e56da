"""What every reader of a complaint export yields: the opened table, its rows with
their original line numbers and cells, and the checks they share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from geoapp.errors import N_, InputError
from geoapp.ingest.headers import COMPLAINT_REQUIRED
from geoapp.ingest.row_reasons import (
    BAD_BYTES,
    NUL_CHARACTER,
)

# A table's header is the first of its first lines (rows) that names the required
# columns: title rows may stand above it.
HEADER_LINES = 10


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


def require_columns(columns: dict[int, str], header: list[str]) -> None:
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


def raw_row(line: int, cells: list[str], fields: tuple[tuple[int, str], ...],
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


def is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

