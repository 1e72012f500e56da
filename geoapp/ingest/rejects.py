"""The rejects file: each refused row with its original line number, its original
values under the original headers, and the reason."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO


class RejectsWriter:
    def __init__(self, path: Path | None, header: list[str]) -> None:
        self.path = path
        self.header = header
        self._fh: IO[str] | None = None
        self._writer: csv.writer | None = None  # type: ignore[valid-type]

    def write(self, rows: list[tuple[int, str, list[str]]]) -> None:
        """Rows of (line, reason, original cells); written and flushed at once."""
        if self.path is None or not rows:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._fh, delimiter=";")
            self._writer.writerow(["line", "reason", *self.header])
        for line, reason, cells in rows:
            self._writer.writerow([line, reason, *cells])
        assert self._fh is not None
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
