"""Login throttling: after a few failures for a username or from an address, further
attempts are refused for a while. In memory, per process: waitress serves from one
process, and a restart forgetting the counters is acceptable."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class Throttle:
    def __init__(self, limit: int = 5, window_s: float = 300.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> float:
        """Seconds to wait before another attempt for any of `keys` (0: allowed)."""
        now = time.monotonic()
        with self._lock:
            waits = [self.window_s - (now - t[0]) for k in keys
                     if len(t := self._recent(k, now)) >= self.limit]
        return max(waits, default=0.0)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def reset(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
