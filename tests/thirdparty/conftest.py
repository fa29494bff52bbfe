"""Third-party App Store Connect clients, unmodified, talking to the sandbox.

Such a library has Apple's address built in. The tests reach the sandbox the way a
network would: every request for ``https://api.appstoreconnect.apple.com`` is sent to
the sandbox's port instead (at the ``requests`` transport, below the library), so all of
the library's own code runs as it does against Apple. Links the sandbox returns
(``links.related``, ``links.next``, upload URLs) already name the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from requests.adapters import HTTPAdapter

from ascsync.sandbox import Sandbox

APPLE = "https://api.appstoreconnect.apple.com"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo", settings={"settle_seconds": 0}) as sandbox:
        yield sandbox


@pytest.fixture
def apple_is_the_sandbox(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Route requests for Apple's API host to the sandbox (like a hosts-file entry)."""
    send = HTTPAdapter.send

    def routed(self: HTTPAdapter, request, *args, **kwargs):  # noqa: ANN001 - requests' API
        if request.url.startswith(APPLE):
            request.url = sandbox.url + request.url[len(APPLE) :]
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", routed)
    return sandbox
