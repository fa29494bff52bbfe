"""Deterministic fault injection: latency, 500/503s, 429 bursts, dropped connections.

A fault spec is a comma-separated list of ``key=value`` settings, for example
``seed=7,error=0.1,drop=0.05,burst429=3:20,latency=40,path=/v1/appScreenshots``:

- ``seed=N``         random seed; the same seed and request order give the same faults
- ``latency=MS``     added delay before every matching request is answered
- ``error=RATIO``    share of requests answered 500 or 503 (``status=500`` or ``503`` to fix one)
- ``status=500|503`` the error status to use (default: alternate at random)
- ``burst429=N:M``   in every block of M requests, the first N are answered 429
- ``retry_after=S``  the ``Retry-After`` seconds those 429s carry (default 60, like a
  real budget reset would; tests use 1 so retries don't sleep for minutes)
- ``drop=RATIO``     share of requests whose connection is closed without an answer
- ``drop_upload=RATIO`` share of upload requests dropped after half of the body was read
- ``lost=RATIO``     share of API writes (POST, PATCH, DELETE) that are carried out and
  whose answer is then lost: the connection is closed, or a 500 is sent instead (half
  each). The client cannot tell these from a failure, which is what Apple's API does to
  a request that timed out on its side.
- ``path=PREFIX``    only requests whose path starts with PREFIX get faults (repeatable)

Faults apply to API and upload requests, never to ``/sandbox/...`` control endpoints.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from ascsync.errors import ConfigError

_RATIOS = ("error", "drop", "drop_upload", "lost")


@dataclass
class FaultConfig:
    """Parsed fault settings; the defaults inject nothing."""

    seed: int = 0
    latency_ms: int = 0
    error: float = 0.0
    status: int | None = None
    burst429: tuple[int, int] | None = None
    retry_after: int = 60
    drop: float = 0.0
    drop_upload: float = 0.0
    lost: float = 0.0
    paths: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, spec: str | dict[str, Any] | None) -> FaultConfig:
        """From a spec string (see module doc) or an equivalent dict; ConfigError if invalid."""
        config = cls()
        if not spec:
            return config
        items = spec.items() if isinstance(spec, dict) else _split(spec)
        for key, value in items:
            if value is not None:
                config._set(str(key).strip(), value)
        return config

    def _set(self, key: str, value: Any) -> None:
        try:
            if key == "seed":
                self.seed = int(value)
            elif key in ("latency", "latency_ms"):
                self.latency_ms = int(value)
            elif key in _RATIOS:
                ratio = float(value)
                if not 0 <= ratio <= 1:
                    raise ValueError
                setattr(self, key, ratio)
            elif key == "status":
                self.status = int(value)
                if self.status not in (500, 503):
                    raise ValueError
            elif key == "burst429":
                count, every = (int(x) for x in str(value).split(":"))
                if not 0 <= count <= every or every < 1:
                    raise ValueError
                self.burst429 = (count, every)
            elif key == "retry_after":
                self.retry_after = int(value)
                if self.retry_after < 0:
                    raise ValueError
            elif key in ("path", "paths"):
                self.paths.extend(value if isinstance(value, list) else [str(value)])
            else:
                raise ConfigError(
                    f"unknown fault setting '{key}' (valid: seed, latency, error, status, "
                    "burst429, retry_after, drop, drop_upload, lost, path)"
                )
        except (ValueError, TypeError):
            raise ConfigError(f"invalid value for fault setting '{key}': {value!r}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "latency": self.latency_ms,
            "error": self.error,
            "status": self.status,
            "burst429": f"{self.burst429[0]}:{self.burst429[1]}" if self.burst429 else None,
            "retry_after": self.retry_after,
            "drop": self.drop,
            "drop_upload": self.drop_upload,
            "lost": self.lost,
            "path": list(self.paths),
        }


def _split(spec: str) -> list[tuple[str, str]]:
    pairs = []
    for part in spec.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ConfigError(f"fault setting '{part.strip()}' needs the form key=value")
        pairs.append((key.strip(), value.strip()))
    return pairs


@dataclass(frozen=True)
class Decision:
    """What to do to one request."""

    latency_ms: int = 0
    kind: str | None = None  # None | "drop" | "drop_upload" | "error" | "429" | "lost"
    status: int | None = None
    retry_after: int = 60


class Faults:
    """Draws a :class:`Decision` per request from a seeded generator, thread-safely."""

    def __init__(self, spec: str | dict[str, Any] | None = None, latency_ms: int = 0) -> None:
        self._lock = threading.Lock()
        self._base_latency = latency_ms
        self.configure(spec)

    def configure(self, spec: str | dict[str, Any] | None) -> None:
        config = FaultConfig.parse(spec)
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
            self._count = 0

    def decide(self, path: str, upload: bool = False, write: bool = False) -> Decision:
        config = self.config
        latency = self._base_latency + config.latency_ms
        if config.paths and not any(path.startswith(p) for p in config.paths):
            return Decision(latency_ms=self._base_latency)
        with self._lock:
            index = self._count
            self._count += 1
            roll = self._random.random()
            pick = self._random.random()
        if config.burst429 and index % config.burst429[1] < config.burst429[0]:
            return Decision(latency, "429", 429, config.retry_after)
        threshold = config.drop_upload if upload else config.drop
        if roll < threshold:
            return Decision(latency, "drop_upload" if upload else "drop")
        roll -= threshold
        if roll < config.error:
            status = config.status or (500 if pick < 0.5 else 503)
            return Decision(latency, "error", status)
        roll -= config.error
        if write and roll < config.lost:
            return Decision(latency, "lost", 500 if pick < 0.5 else None)
        return Decision(latency)
