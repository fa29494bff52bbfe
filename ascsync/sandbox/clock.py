"""The sandbox's time, which tests may move forward without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable


class Clock:
    """A base clock plus an offset moved by ``POST /sandbox/clock``.

    Token expiry, the hourly rate budget and domain hooks (``ctx.now``) all read this
    clock, so advancing it makes tokens expire and asset processing settle at once.
    """

    def __init__(self, base: Callable[[], float] | None = None) -> None:
        self._base = base or time.time
        self.offset = 0.0

    def __call__(self) -> float:
        return self._base() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
