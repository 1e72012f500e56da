"""The rejects file: each refused row with its original line number, its original
values under the original headers, and the reason.

A cell a spreadsheet would run as a formula (a citizen's "=HYPERLINK(...)", but also
"+7 701 ..." or "-5") is written with an apostrophe before it, as the complaint
exports write it; a rejects file imported again loses that apostrophe, so a fixed row
lands with the values it first had.

The file is created (header only) before the first row is read: a path that cannot
be written is refused at once rather than after batches have landed, and a rejects
file left by an earlier run is never mistaken for this run's."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

from geoapp.errors import N_, InputError
from geoapp.exports import FORMULA_STARTS, safe_cell
from geoapp.ingest.table_source import RawRow

REJECT_COLUMNS = [N_("line"), N_("reason")]
# The same as the import's page names them in a file it offers (geoapp.web.rejects_csv;
# the Russian and Kazakh catalogues say the same, as a test checks).
NAMED_REJECT_COLUMNS = (REJECT_COLUMNS, ["строка", "причина"], ["жол", "себебі"])


def leading_reject_columns(header: list[str]) -> int:
    """How many of the header's first cells are a rejects file's own (2, or 0): a
    rejects file, fixed, is imported again as it is."""
    first = [h.strip().lower() for h in header[:2]]
    return len(REJECT_COLUMNS) if first in NAMED_REJECT_COLUMNS else 0


def _unguarded(cell: str | None) -> str | None:
    if cell and cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def unguarded_rows(rows: Iterator[RawRow]) -> Iterator[RawRow]:
    """A rejects file's rows as they were before it was written (no apostrophes)."""
    for row in rows:
        yield replace(row, values={k: _unguarded(v) for k, v in row.values.items()},
                      original=[_unguarded(c) or "" for c in row.original])


class RejectsWriter:
    def __init__(self, path: Path | None, header: list[str]) -> None:
        self.path = path
        # Re-importing a rejects file: its old line and reason give way to the new ones.
        self.skip = leading_reject_columns(header)
        self.header = header[self.skip:]
        self._fh: IO[str] | None = None
        self._writer: csv.writer | None = None  # type: ignore[valid-type]
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._fh = path.open("w", encoding="utf-8-sig", newline="")
            except OSError as exc:
                raise InputError(f"cannot write the rejects file {path}: "
                                 f"{exc.strerror or exc}") from None
            self._writer = csv.writer(self._fh, delimiter=";")
            self._writer.writerow([*REJECT_COLUMNS, *self.header])
            self._fh.flush()

    def write(self, rows: list[tuple[int, str, list[str]]]) -> None:
        """Rows of (line, reason, original cells); written and flushed at once."""
        if self._writer is None or self._fh is None or not rows:
            return
        for line, reason, cells in rows:
            self._writer.writerow([line, reason, *map(safe_cell, cells[self.skip:])])
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
