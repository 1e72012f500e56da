"""A one-line progress bar for long commands on a terminal: the share done, the rows,
the rate and the time left, redrawn in place."""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 28


def duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def render(rows: int, fraction: float | None, elapsed: float) -> str:
    """The line for `rows` done in `elapsed` seconds, `fraction` of the whole (None:
    unknown, so no bar and no time left)."""
    rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else ""
    if fraction is None:
        return f"importing… {rows:,} rows  {rate}".rstrip()
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * WIDTH)
    left = elapsed * (1 - fraction) / fraction if fraction > 0 else None
    eta = f"  {duration(left)} left" if left is not None and fraction < 1 else ""
    return (f"[{'#' * filled}{'.' * (WIDTH - filled)}] {fraction:4.0%}  "
            f"{rows:,} rows  {rate}{eta}")


class ProgressBar:
    """Draws on `stream` each time it is called with (rows done, fraction done)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.width = 0

    def __call__(self, rows: int, fraction: float | None) -> None:
        line = render(rows, fraction, time.monotonic() - self.started)
        # Pad over a longer previous line, since it is redrawn in place.
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        if self.width:
            self.stream.write("\n")
            self.stream.flush()
