"""The rejects file: each refused row with its original line number, its original
values under the original headers, and the reason.

The file is created (header only) before the first row is read: a path that cannot
be written is refused at once rather than after batches have landed, and a rejects
file left by an earlier run is never mistaken for this run's."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

from geoapp.errors import InputError


class RejectsWriter:
    def __init__(self, path: Path | None, header: list[str]) -> None:
        self.path = path
        self.header = header
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
            self._writer.writerow(["line", "reason", *header])
            self._fh.flush()

    def write(self, rows: list[tuple[int, str, list[str]]]) -> None:
        """Rows of (line, reason, original cells); written and flushed at once."""
        if self._writer is None or self._fh is None or not rows:
            return
        for line, reason, cells in rows:
            self._writer.writerow([line, reason, *cells])
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
