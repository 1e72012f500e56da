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

    def blocked(self, key: str) -> float:
        """Seconds to wait before another attempt for `key` (0: allowed)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            return self.window_s - (now - times[0]) if len(times) >= self.limit else 0.0

    def fail(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
