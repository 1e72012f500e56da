"""Formula cells that a workbook holds without their computed value.

Excel and LibreOffice save each formula's result beside it; a workbook written by a
program (a report generator, openpyxl) may carry the formula alone. openpyxl does not
calculate, so such a cell reads as empty, and a date or an address computed by a
formula would vanish without a word. These cells are found by reading the sheet a
second time, formulas as written, in step with the values; that second reading
happens only when the sheet's XML holds a formula at all.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# A formula element, with or without a namespace prefix: <f>, <f t="shared" .../>, <x:f>.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_CHUNK = 1 << 20


def sheet_has_formulas(path: Path, sheet: Any) -> bool:
    """Whether the sheet's XML has a formula element. True when it cannot tell (the
    sheet's part unknown): then the cells are checked anyway."""
    part = getattr(sheet, "_worksheet_path", None)
    if not isinstance(part, str):
        return True
    with zipfile.ZipFile(path) as archive, archive.open(part) as xml:
        tail = b""
        while chunk := xml.read(_CHUNK):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def formula_rows(path: Path, sheet_title: str, first_row: int) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows from `first_row` as written: a formula cell gives its text
    ("=A2+1"), or an openpyxl formula object for array and table formulas."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        yield from book[sheet_title].iter_rows(min_row=first_row, values_only=True)
    finally:
        book.close()


def formula_text(written: object) -> str | None:
    """A cell's formula as written ("=A2+1"), or None when it holds none."""
    if isinstance(written, str):
        return written if written.startswith("=") else None
    if type(written).__name__ in ("ArrayFormula", "DataTableFormula"):
        return str(getattr(written, "text", written))
    return None


def unsaved_formulas(values: tuple[Any, ...], written: tuple[Any, ...],
                     positions: list[int]) -> list[int]:
    """The positions among `positions` whose cell is a formula read without a value."""
    return [p for p in positions
            if p < len(values) and values[p] is None and p < len(written)
            and formula_text(written[p]) is not None]
