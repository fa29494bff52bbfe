"""Fixtures for the sandbox engine tests: a running sandbox and authenticated sessions.

Engine tests run without Apple's domain rules (``hooks=[]``) so they exercise the generic
JSON:API behaviour only; the domain's own tests cover the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from ascsync.sandbox import Sandbox
from ascsync.sandbox.journal import EXPECT_INVALID_HEADER
from ascsync.sandbox.store import Resource


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[Sandbox]:
    """One sandbox per module (starting one costs ~0.1 s); reset before each test."""
    with Sandbox(hooks=[]) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(shared_sandbox: Sandbox) -> Sandbox:
    shared_sandbox.reset()
    shared_sandbox.set_faults(None)
    shared_sandbox.rate_limiter.reset(3500)
    shared_sandbox.clock.offset = 0
    return shared_sandbox


def authed(sandbox: Sandbox, token: str | None = None) -> requests.Session:
    """A session sending a valid bearer token (or ``token``) to ``sandbox``."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token or sandbox.token()}"
    return session


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[requests.Session]:
    with authed(sandbox) as session:
        yield session


def control(sandbox: Sandbox) -> requests.Session:
    """A session for the ``/sandbox/...`` control endpoints (they need the sandbox's token)."""
    return authed(sandbox)


INVALID = {EXPECT_INVALID_HEADER: "1"}
"""Headers for a request that violates the spec on purpose (exempt from the spec audit)."""


@pytest.fixture
def make_app(sandbox: Sandbox) -> Callable[..., Resource]:
    counter = iter(range(1, 10_000))

    def make(**attributes: object) -> Resource:
        n = next(counter)
        defaults = {
            "name": f"App {n}",
            "bundleId": f"com.example.app{n}",
            "sku": f"APP{n}",
            "primaryLocale": "en-US",
        }
        return sandbox.store.create("apps", {**defaults, **attributes})

    return make
