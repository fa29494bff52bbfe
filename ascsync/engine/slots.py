"""Work slots: how many changes apply runs at once, and letting a waiting change step aside.

The executor gives each running change one of ``concurrency`` slots. A change that only
waits (an upload waiting for App Store Connect to process the file) calls :func:`idle`,
which hands its slot to the next change for as long as the wait lasts; so uploads keep
flowing while earlier ones settle, and the number of requests in flight stays bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_CURRENT = threading.local()


class Slots:
    """``concurrency`` slots shared by the executor's worker threads."""

    def __init__(self, concurrency: int) -> None:
        self._semaphore = threading.BoundedSemaphore(max(1, concurrency))

    @contextmanager
    def held(self) -> Iterator[None]:
        """Run the body in a slot (this thread's :func:`idle` gives it back meanwhile)."""
        self._semaphore.acquire()
        _CURRENT.slots = self
        try:
            yield
        finally:
            _CURRENT.slots = None
            self._semaphore.release()


@contextmanager
def idle() -> Iterator[None]:
    """Give this thread's slot back while the body only waits; take one again after it."""
    slots: Slots | None = getattr(_CURRENT, "slots", None)
    if slots is None:
        yield
        return
    slots._semaphore.release()
    try:
        yield
    finally:
        slots._semaphore.acquire()


__all__ = ["Slots", "idle"]
