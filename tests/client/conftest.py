from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ascsync.api.client import ApiClient, RetryPolicy
from ascsync.api.tokens import TokenProvider
from tests.client.scripted_server import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


@pytest.fixture
def sleeps() -> list[float]:
    """Waits the client asked for; recorded instead of slept so tests stay fast."""
    return []


@pytest.fixture
def make_client(
    server: ScriptedServer, ec_key_pem: bytes, sleeps: list[float]
) -> Callable[..., ApiClient]:
    def factory(**kwargs: object) -> ApiClient:
        tokens = kwargs.pop("tokens", TokenProvider("KEY123", ec_key_pem, "issuer-1"))
        kwargs.setdefault("retry", RetryPolicy(attempts=4, backoff_base=0.5, jitter=0))
        return ApiClient(server.url, tokens, sleep=sleeps.append, **kwargs)  # type: ignore[arg-type]

    return factory
