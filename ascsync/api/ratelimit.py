"""Apple's hourly request budget, read from the ``X-Rate-Limit`` response header.

Apple answers every request with ``X-Rate-Limit: user-hour-lim:3500;user-hour-rem:3499;``
[A]. The budget belongs to the key, not to a thread: one :class:`Pacer` per API host is
shared by every client and thread of the process (:func:`shared_pacer`), so eight upload
threads together keep the pace one thread would.

While the budget is comfortable, requests go out at once. Once it falls under a
low-water mark, the pacer hands out send slots like a token bucket refilled at the
hourly rate (``HOUR / limit`` seconds apart for the whole process): a long apply slows
to the pace Apple allows instead of running into 429s. A 429 pauses everyone until its
``Retry-After`` (clamped by the caller) has passed. Upload PUTs to Apple's upload hosts
do not count against the budget [A] and are never paced (the client does not ask).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
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
    """Hands out send times for one API host's budget, to every thread that asks.

    :meth:`acquire` reserves the caller's slot under a lock and returns how long to wait
    for it; the caller sleeps outside the lock. Slots are ``HOUR / limit`` apart while
    the reported budget is under the low-water mark, so N threads together send at the
    hourly rate, not N times it.
    """

    def __init__(
        self, low_water: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._low_water = low_water
        self._clock = clock
        self._lock = threading.Lock()
        self.current: RateLimit | None = None
        self._last_slot: float | None = None
        self._paused_until = 0.0

    def update(self, header: str | None) -> str | None:
        """Record the budget a response reported; a sentence when pacing starts or stops."""
        parsed = RateLimit.parse(header)
        if parsed is None:
            return None
        with self._lock:
            was = self._interval()
            self.current = parsed
            now = self._interval()
        if now and not was:
            return (
                f"Apple's hourly request budget is low ({parsed.remaining} of {parsed.limit} "
                f"left): pacing requests {now:.1f} s apart until it recovers"
            )
        if was and not now:
            return f"request budget recovered ({parsed.remaining} of {parsed.limit} left)"
        return None

    def low_water(self, limit: int) -> int:
        return self._low_water if self._low_water is not None else max(20, limit // 50)

    def acquire(self) -> float:
        """Reserve the next send slot; seconds the caller must wait before sending."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._paused_until)
            interval = self._interval()
            if interval and self._last_slot is not None:
                slot = max(slot, self._last_slot + interval)
            self._last_slot = slot
            return slot - now

    def pause(self, seconds: float) -> tuple[float, bool]:
        """Hold every request of the process for ``seconds`` (a 429 said so).

        Returns the caller's wait and whether this call moved the resume time (so only
        one thread of many announces the pause).
        """
        with self._lock:
            now = self._clock()
            until = now + max(0.0, seconds)
            moved = until > self._paused_until + 0.5
            self._paused_until = max(self._paused_until, until)
            return self._paused_until - now, moved

    def _interval(self) -> float:
        current = self.current
        if current is None or current.limit <= 0:
            return 0.0
        if current.remaining >= self.low_water(current.limit):
            return 0.0
        return HOUR / current.limit


_SHARED: dict[str, Pacer] = {}
_SHARED_LOCK = threading.Lock()


def shared_pacer(origin: str) -> Pacer:
    """The one pacer of this process for the API at ``origin`` (``https://host:port``)."""
    with _SHARED_LOCK:
        if origin not in _SHARED:
            _SHARED[origin] = Pacer()
        return _SHARED[origin]
