"""The ASC sandbox: a local, stateful emulator of Apple's App Store Connect API.

In-process use (tests, benchmarks, the CLI's ``--sandbox`` flag)::

    with Sandbox(seed="seed.yaml") as sandbox:
        requests.get(f"{sandbox.url}/v1/apps",
                     headers={"Authorization": f"Bearer {sandbox.token()}"})
        print(len(sandbox.journal))

The sandbox generates an API key on start, accepts tokens signed by it, and writes it as
a fastlane-format API key JSON (``api_key_json_path``) so any ASC client can use it.

Where things live:

- ``surface.json`` / ``surface.py``: the API served, derived from Apple's OpenAPI by
  ``scripts/derive_sandbox_surface.py``; routing and Apple-style 400/409 validation.
- ``engine.py``: JSON:API over the ``store.py`` Store, calling ``hooks.py`` Hooks
  (Apple's business rules live in ``rules.py``, ``content.py`` (text limits),
  ``builds.py`` (builds, TestFlight details) and ``uploads.py``). Relationships carry
  links to real routes and linkage only when included; what Apple has and the sandbox
  does not model answers 501 (``api_errors.not_modelled``).
- ``server.py``: HTTP; with ``auth.py`` (tokens), ``ratelimit.py``, ``faults.py``,
  ``journal.py`` (secrets redacted), ``persistence.py`` (``--state`` and its assets),
  ``control.py`` (``/sandbox/...``, which need the token and a local Host).
- ``spec_validator.py``: checks requests/responses against the FULL spec (test audit).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import secrets
import shutil
import string
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ascsync.api.tokens import mint_token
from ascsync.errors import ConfigError
from ascsync.sandbox.auth import KeyRing
from ascsync.sandbox.clock import Clock
from ascsync.sandbox.engine import Engine
from ascsync.sandbox.faults import Faults
from ascsync.sandbox.hooks import Hooks
from ascsync.sandbox.journal import Journal, JournalEntry
from ascsync.sandbox.persistence import StateFile
from ascsync.sandbox.ratelimit import RateLimiter
from ascsync.sandbox.server import SandboxApp, SandboxServer
from ascsync.sandbox.store import Store
from ascsync.sandbox.surface import load_surface

__all__ = ["Sandbox", "JournalEntry"]

log = logging.getLogger("ascsync.sandbox")

DEFAULT_RATE_LIMIT = 3500
"""Apple's documented default hourly budget per key."""


def _optional(module: str, attribute: str) -> Any | None:
    """A function from a domain module that may not exist yet (written concurrently)."""
    try:
        return getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


def default_hooks() -> list[Hooks]:
    """Apple's domain rules (``ascsync.sandbox.rules``), or none while they do not exist."""
    factory = _optional("ascsync.sandbox.rules", "default_hooks")
    return list(factory()) if factory else []


def populate(store: Store, seed: str | Path | dict[str, Any] | None) -> None:
    """Fill a store: a state snapshot (``{"resources": [...]}``) verbatim, else the domain seed.

    Seeds go through ``ascsync.sandbox.seed.populate`` when it exists; it adds Apple's base
    data (territories, app categories) to whatever the seed describes.
    """
    if isinstance(seed, dict) and "resources" in seed:
        store.load_dict(seed)
        return
    function = _optional("ascsync.sandbox.seed", "populate")
    if function is not None:
        function(store, seed)


def _new_key() -> tuple[str, str, bytes]:
    key_id = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(10))
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_id, str(uuid.uuid4()), pem


class Sandbox:
    """A sandbox serving on a loopback port in a background thread (a context manager)."""

    def __init__(
        self,
        *,
        seed: str | Path | dict[str, Any] | None = None,
        state_file: str | Path | None = None,
        hooks: list[Hooks] | None = None,
        latency_ms: int = 0,
        faults: str | None = None,
        rate_limit_per_hour: int = DEFAULT_RATE_LIMIT,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: dict[str, Any] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.seed = seed
        self.state_file = Path(state_file) if state_file else None
        self.host = host
        self.port = port
        self.settings: dict[str, Any] = dict(settings or {})
        self.clock = Clock(clock)
        self.surface = load_surface()
        self.store = Store(self.surface.relationship_map())
        self.hooks = default_hooks() if hooks is None else list(hooks)
        self.engine = Engine(self.store, self.surface, self.hooks, self.settings, self.clock)
        self.key_id, self.issuer_id, self.private_key_pem = _new_key()
        self.keys = KeyRing()
        self.keys.add(self.key_id, self.issuer_id, self.private_key_pem)
        self._journal = Journal()
        self.faults = Faults(faults, latency_ms)
        self.rate_limiter = RateLimiter(rate_limit_per_hour, self.clock)
        self.state = StateFile(self.store, self.state_file)
        self.app = SandboxApp(
            store=self.store,
            engine=self.engine,
            keys=self.keys,
            clock=self.clock,
            rate_limiter=self.rate_limiter,
            faults=self.faults,
            journal=self._journal,
            reset=self.reset,
            state=self.state,
        )
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self._tempdir: Path | None = None
        self.url = ""
        self.api_key_json_path = Path()

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Sandbox:
        """Load state (or the seed), bind the port, write the key file, start serving."""
        self._load()
        try:
            self._server = SandboxServer((self.host, self.port), self.app)
        except OSError as exc:
            raise ConfigError(
                f"the sandbox cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        host, port = self._server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self.url = f"http://{host}:{port}"
        self._write_key_file()
        self._thread = self._server.start_thread()
        log.info("sandbox serving on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving, save pending state and remove the key file's private directory."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.state.close()
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state ---------------------------------------------------------------------

    def _load(self) -> None:
        if not self.state.load():
            self._seed_store()

    def _seed_store(self) -> None:
        with self.store.lock:
            self.store.load_dict({"resources": []})
            populate(self.store, self.seed)
        self.state.save_now()

    def reset(self) -> None:
        """Back to the seed: store, journal, rate budget and fault sequence start over."""
        self._seed_store()
        self._journal.clear()
        self.rate_limiter.reset()
        self.faults.configure(self.faults.config.to_dict() if self.faults.config else None)

    def set_faults(self, spec: str | None) -> None:
        """Replace the fault settings (see :mod:`ascsync.sandbox.faults`)."""
        self.faults.configure(spec)

    # -- credentials ---------------------------------------------------------------

    def token(self, **overrides: Any) -> str:
        """A valid bearer token for this sandbox (``mint_token`` keywords may override)."""
        overrides.setdefault("now", self.clock())
        return mint_token(self.key_id, self.private_key_pem, self.issuer_id, **overrides)

    def add_key(self, key_id: str, issuer_id: str | None, private_key_pem: bytes) -> None:
        """Accept tokens from another key too (``issuer_id=None``: an individual key)."""
        self.keys.add(key_id, issuer_id, private_key_pem)

    def _write_key_file(self) -> None:
        self._tempdir = Path(tempfile.mkdtemp(prefix="ascsync-sandbox-"))
        os.chmod(self._tempdir, 0o700)
        path = self._tempdir / "api_key.json"
        # No ``duration``: clients then use their own default lifetime. A 1200 here made
        # clients that backdate ``iat`` by 60 s (current fastlane) mint 1260-second
        # tokens, which Apple and the sandbox refuse with 401.
        content = {
            "key_id": self.key_id,
            "issuer_id": self.issuer_id,
            "key": self.private_key_pem.decode(),
            "in_house": False,
            "is_key_content_base64": False,
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(content, handle, indent=2)
        self.api_key_json_path = path

    # -- journal -------------------------------------------------------------------

    @property
    def journal(self) -> list[JournalEntry]:
        """Every API/upload request served so far (a copy)."""
        return self._journal.entries()

    def clear_journal(self) -> None:
        self._journal.clear()

    def journal_counts(self) -> Counter[str]:
        """Requests served so far by operation, e.g. ``{"GET /v1/apps/{id}": 3}``."""
        return Counter(e.operation or f"{e.method} {e.path}" for e in self._journal.entries())
