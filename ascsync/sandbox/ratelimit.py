"""Apple's hourly request budget: the ``X-Rate-Limit`` header and 429 once it is spent."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

WINDOW = 3600.0


class RateLimiter:
    """A fixed one-hour window starting at the first request, on the sandbox's clock."""

    def __init__(self, per_hour: int, now: Callable[[], float]) -> None:
        self.per_hour = per_hour
        self._now = now
        self._lock = threading.Lock()
        self._window_start: float | None = None
        self._used = 0

    def reset(self, per_hour: int | None = None) -> None:
        with self._lock:
            if per_hour is not None:
                self.per_hour = per_hour
            self._window_start = None
            self._used = 0

    def consume(self) -> tuple[bool, str, int]:
        """Take one request from the budget: ``(allowed, header value, retry-after seconds)``."""
        with self._lock:
            now = self._now()
            if self._window_start is None or now - self._window_start >= WINDOW:
                self._window_start = now
                self._used = 0
            allowed = self._used < self.per_hour
            if allowed:
                self._used += 1
            retry_after = max(1, math.ceil(self._window_start + WINDOW - now))
            return allowed, self._header(), retry_after

    def header(self) -> str:
        with self._lock:
            return self._header()

    def _header(self) -> str:
        remaining = max(0, self.per_hour - self._used)
        return f"user-hour-lim:{self.per_hour};user-hour-rem:{remaining};"
