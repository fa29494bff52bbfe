"""Work slots: how many changes apply runs at once, and letting a waiting change step aside.

The executor gives each running change one of ``concurrency`` slots, in plan order (a
change's rank): so a localization's uploads run together and its processing is checked
with few requests, instead of every localization trickling along at once. A change that
only waits (an upload waiting for App Store Connect to process the file, or for its turn
to reserve) calls :func:`idle`, which hands its slot to the next change for as long as
the wait lasts; it takes a slot again ahead of later-ranked changes.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_CURRENT = threading.local()


class Slots:
    """``concurrency`` slots shared by the executor's worker threads, lowest rank first."""

    def __init__(self, concurrency: int) -> None:
        self._cond = threading.Condition()
        self._free = max(1, concurrency)
        self._waiting: list[tuple[int, int]] = []
        self._arrivals = itertools.count()

    @contextmanager
    def held(self, rank: int = 0) -> Iterator[None]:
        """Run the body in a slot (this thread's :func:`idle` gives it back meanwhile)."""
        self._acquire(rank)
        _CURRENT.slot = (self, rank)
        try:
            yield
        finally:
            _CURRENT.slot = None
            self._release()

    def _acquire(self, rank: int) -> None:
        with self._cond:
            me = (rank, next(self._arrivals))
            heapq.heappush(self._waiting, me)
            while self._waiting[0] != me or self._free == 0:
                self._cond.wait()
            heapq.heappop(self._waiting)
            self._free -= 1
            self._cond.notify_all()

    def _release(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()


@contextmanager
def idle() -> Iterator[None]:
    """Give this thread's slot back while the body only waits; take one again after it."""
    current: tuple[Slots, int] | None = getattr(_CURRENT, "slot", None)
    if current is None:
        yield
        return
    slots, rank = current
    slots._release()
    try:
        yield
    finally:
        slots._acquire(rank)


__all__ = ["Slots", "idle"]
