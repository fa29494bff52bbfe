"""Control endpoints under ``/sandbox/...``, outside Apple's API space.

They need no token, cost no rate budget, get no faults and are not journaled, so tests
and benchmarks can inspect and steer a sandbox without disturbing what they measure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ascsync.errors import ConfigError
from ascsync.sandbox.clock import Clock
from ascsync.sandbox.faults import Faults
from ascsync.sandbox.journal import Journal
from ascsync.sandbox.ratelimit import RateLimiter
from ascsync.sandbox.replies import Reply, plain_json
from ascsync.sandbox.store import Store

PREFIX = "/sandbox"


class Control:
    """One method per endpoint; :data:`ENDPOINTS` is the routing table and the index."""

    def __init__(
        self,
        *,
        store: Store,
        journal: Journal,
        faults: Faults,
        rate_limiter: RateLimiter,
        clock: Clock,
        reset: Callable[[], None],
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.journal = journal
        self.faults = faults
        self.rate_limiter = rate_limiter
        self.clock = clock
        self._reset = reset
        self.settings = settings if settings is not None else {}

    def handle(self, method: str, path: str, body: Any, raw: bytes, base_url: str) -> Reply:
        """Run the endpoint for ``method path``; 400 on bad input, 404 listing the valid ones."""
        name = path[len(PREFIX) :].strip("/")
        action = ENDPOINTS.get((method, name))
        if action is None:
            error = f"unknown control endpoint {method} {PREFIX}/{name}"
            return plain_json(404, {"error": error, "endpoints": index()})
        try:
            return action(self, body=body, raw=raw, base_url=base_url)
        except ConfigError as error:
            return plain_json(400, {"error": str(error)})

    def info(self, base_url: str, **_: Any) -> Reply:
        return plain_json(200, {"url": base_url, "endpoints": index()})

    def get_journal(self, **_: Any) -> Reply:
        return plain_json(200, {"entries": [e.to_dict() for e in self.journal.entries()]})

    def clear_journal(self, **_: Any) -> Reply:
        self.journal.clear()
        return Reply(204)

    def reset(self, **_: Any) -> Reply:
        self._reset()
        return Reply(204)

    def get_faults(self, **_: Any) -> Reply:
        return plain_json(200, self.faults.config.to_dict())

    def put_faults(self, body: Any, raw: bytes, **_: Any) -> Reply:
        """Body: a spec string (text), ``{"spec": "..."}`` or the settings as a JSON object."""
        if isinstance(body, dict):
            spec = body.get("spec") if "spec" in body else body
        else:
            spec = raw.decode().strip() or None
        self.faults.configure(spec)
        return plain_json(200, self.faults.config.to_dict())

    def get_state(self, **_: Any) -> Reply:
        with self.store.lock:
            return plain_json(200, self.store.to_dict())

    def get_clock(self, **_: Any) -> Reply:
        return plain_json(200, {"now": self.clock(), "offset": self.clock.offset})

    def advance_clock(self, body: Any, **_: Any) -> Reply:
        advance = body.get("advance") if isinstance(body, dict) else None
        if not isinstance(advance, int | float) or isinstance(advance, bool):
            raise ConfigError('POST /sandbox/clock needs a JSON body {"advance": seconds}')
        self.clock.advance(advance)
        return self.get_clock()

    def set_rate_limit(self, body: Any, **_: Any) -> Reply:
        per_hour = body.get("per_hour") if isinstance(body, dict) else None
        if not isinstance(per_hour, int) or isinstance(per_hour, bool) or per_hour < 0:
            raise ConfigError('PUT /sandbox/rate-limit needs a JSON body {"per_hour": N}')
        self.rate_limiter.reset(per_hour)
        return plain_json(200, {"per_hour": per_hour})

    def get_settings(self, **_: Any) -> Reply:
        return plain_json(200, self.settings)

    def update_settings(self, body: Any, **_: Any) -> Reply:
        """Merge a JSON object into the settings hooks read (``ctx.settings``)."""
        if not isinstance(body, dict):
            raise ConfigError(
                'PATCH /sandbox/settings needs a JSON object, e.g. {"settle_seconds": 0}'
            )
        self.settings.update(body)
        return plain_json(200, self.settings)


ENDPOINTS: dict[tuple[str, str], Callable[..., Reply]] = {
    ("GET", ""): Control.info,
    ("GET", "journal"): Control.get_journal,
    ("DELETE", "journal"): Control.clear_journal,
    ("POST", "reset"): Control.reset,
    ("GET", "faults"): Control.get_faults,
    ("PUT", "faults"): Control.put_faults,
    ("GET", "state"): Control.get_state,
    ("GET", "clock"): Control.get_clock,
    ("POST", "clock"): Control.advance_clock,
    ("PUT", "rate-limit"): Control.set_rate_limit,
    ("GET", "settings"): Control.get_settings,
    ("PATCH", "settings"): Control.update_settings,
}


def index() -> list[str]:
    """``["GET /sandbox/journal", ...]``"""
    return [f"{method} {PREFIX}/{name}".rstrip("/") for method, name in ENDPOINTS]
