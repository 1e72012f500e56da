"""A kept rejects file as the import's page offers it: its two columns of its own
and the reasons in the page's language, the rows' cells as they were. The kept file
stays in English, as the command line writes it; either imports again as it is."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from flask_babel import gettext as _

from geoapp.ingest.rejects import REJECT_COLUMNS
from geoapp.web.read_back import shown_reason

ROWS_PER_CHUNK = 500


def worded_rejects(path: Path) -> Iterator[str]:
    """The file's text, in chunks (a rejects file can hold many thousand rows), with a
    byte order mark, as the import writes it, for Excel to read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    with path.open(encoding="utf-8-sig", newline="") as kept:
        reader = csv.reader(kept, delimiter=";")
        header = next(reader, None)
        if header is None:
            return
        writer.writerow([*map(_, REJECT_COLUMNS), *header[len(REJECT_COLUMNS):]])
        shown: dict[str, str] = {}  # many rows share a reason ("missing text")
        for n, row in enumerate(reader, 1):
            if len(row) > 1:
                if (reason := row[1]) not in shown:
                    shown[reason] = shown_reason(reason)
                row[1] = shown[reason]
            writer.writerow(row)
            if n % ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()
