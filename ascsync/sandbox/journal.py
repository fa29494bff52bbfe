"""The request journal: every API and upload request the sandbox served, in order.

Tests and benchmarks count requests by kind from it (``GET /sandbox/journal`` or
``Sandbox.journal``). Module-level observers see every entry of every sandbox in the
process; the test suite's spec audit registers one to check all requests against
Apple's full OpenAPI description.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

EXPECT_INVALID_HEADER = "X-Sandbox-Expect-Invalid"
"""Send ``X-Sandbox-Expect-Invalid: 1`` on a request that is invalid on purpose (audit exempt)."""

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"password|secret|private.?key", re.IGNORECASE)
"""Members whose values the journal never keeps (``demoAccountPassword``, ...)."""


def redact_secrets(body: Any) -> Any:
    """A copy of a request body with the value of every secret-named member replaced.

    The journal is served at ``GET /sandbox/journal`` and read by tests and benchmarks:
    a demo account's password sent to the API must not be kept there in clear.
    """
    if isinstance(body, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and _SECRET_NAME.search(key) and value is not None
            else redact_secrets(value)
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [redact_secrets(item) for item in body]
    return body


@dataclass
class JournalEntry:
    """One request: what was asked and what the sandbox answered (never the token, and
    bodies with secrets redacted: see :func:`redact_secrets`)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    status: int | None
    ms: float
    body: Any = None
    kind: str = "api"  # api | upload | asset (a hook route without a body, e.g. an image)
    expect_invalid: bool = False
    fault: str | None = None  # the injected fault, if any (latency is not a fault)
    base_url: str = ""
    operation: str | None = field(default=None)
    """The spec operation served, e.g. ``"POST /v1/appScreenshots"`` (None if unknown)."""
    response: bytes | None = field(default=None, repr=False, compare=False)
    """The answer's body, shown to observers (the test audit checks it against the spec)
    and then dropped: the journal itself keeps no response bodies."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("response")
        data["query"] = [list(pair) for pair in self.query]
        return data


Observer = Callable[[JournalEntry], None]
OBSERVERS: list[Observer] = []
"""Called with every entry of every sandbox in this process (e.g. the test-run audit)."""


class Journal:
    """A thread-safe, append-only list of entries (until cleared)."""

    def __init__(self) -> None:
        self._entries: list[JournalEntry] = []
        self._lock = threading.Lock()

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append(entry)
        for observer in list(OBSERVERS):
            observer(entry)
        entry.response = None

    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
