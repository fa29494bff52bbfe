"""Apple's hourly request budget, read from the ``X-Rate-Limit`` response header.

Apple answers every request with ``X-Rate-Limit: user-hour-lim:3500;user-hour-rem:3499;``.
Rather than run into 429s near the end of a long apply, the client spaces requests out
once the remaining budget falls under a low-water mark.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

HOUR = 3600.0


@dataclass(frozen=True)
class RateLimit:
    """The budget as last reported: requests allowed per hour and requests left."""

    limit: int
    remaining: int

    @classmethod
    def parse(cls, header: str | None) -> RateLimit | None:
        """Parse ``user-hour-lim:N;user-hour-rem:M;``; None when absent or unreadable."""
        if not header:
            return None
        fields: dict[str, int] = {}
        for part in header.split(";"):
            name, _, value = part.strip().partition(":")
            if value.strip().lstrip("-").isdigit():
                fields[name.strip()] = int(value)
        if "user-hour-lim" not in fields or "user-hour-rem" not in fields:
            return None
        return cls(fields["user-hour-lim"], max(0, fields["user-hour-rem"]))


class Pacer:
    """Decides how long to wait before the next request, given the last reported budget.

    Above the low-water mark there is no delay. Below it, requests are spread so the
    budget left would last the rest of the hour's window: ``HOUR / limit`` seconds
    apart, the average pace Apple allows, which keeps a long run going instead of
    stalling on 429s.
    """

    def __init__(self, low_water: int | None = None) -> None:
        self._low_water = low_water
        self._lock = threading.Lock()
        self.current: RateLimit | None = None

    def update(self, header: str | None) -> None:
        parsed = RateLimit.parse(header)
        if parsed is not None:
            with self._lock:
                self.current = parsed

    def low_water(self, limit: int) -> int:
        return self._low_water if self._low_water is not None else max(20, limit // 50)

    def delay(self) -> float:
        """Seconds to wait before sending the next request."""
        with self._lock:
            current = self.current
        if current is None or current.limit <= 0:
            return 0.0
        if current.remaining >= self.low_water(current.limit):
            return 0.0
        return HOUR / current.limit
