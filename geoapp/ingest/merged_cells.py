"""Rows of a table whose cells may span columns and rows (an HTML table's colspan and
rowspan, a SpreadsheetML cell's MergeAcross and MergeDown), laid out as a sheet
holds merged cells: the value in the first position, the positions it covers empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, TypeVar

Value = TypeVar("Value")


class Cell(NamedTuple):
    value: object
    across: int = 0  # further columns it covers
    down: int = 0  # further rows it covers
    index: int | None = None  # its 0-based column, when the format says so


class MergedCells:
    """Lays out the rows of one table in turn, remembering the cells that span down."""

    def __init__(self) -> None:
        self._down: dict[int, int] = {}  # column → rows below still covered

    def row(self, cells: Iterable[Cell], empty: Value) -> list[Value]:
        """The row's values by column; a cell without an index takes the next column
        that no cell of a row above covers."""
        placed: dict[int, object] = {}
        below: dict[int, int] = {}
        column = 0
        for cell in cells:
            if cell.index is not None:
                column = cell.index
            while column in self._down:
                column += 1
            placed[column] = cell.value
            if cell.down:
                below.update(dict.fromkeys(range(column, column + cell.across + 1), cell.down))
            column += cell.across + 1
        width = max([column, *(c + 1 for c in self._down)])
        self._down = {c: n - 1 for c, n in self._down.items() if n > 1} | below
        return [placed.get(c, empty) for c in range(width)]  # type: ignore[misc]
