"""Extra (non-JSON:API) routes registered by hooks: upload parts and assets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from ascsync.sandbox import Sandbox
from ascsync.sandbox.hooks import Hooks, RawResponse, Route, SandboxError


class _Parts(Hooks):
    """Stores uploaded parts by name and serves them back, like a tiny object store."""

    def __init__(self) -> None:
        self.parts: dict[str, bytes] = {}

    def routes(self) -> list[Route]:
        return [
            Route("PUT", r"/_test/(?P<name>\w+)", self.put),
            Route("GET", r"/_test/(?P<name>\w+)", self.get),
        ]

    def put(self, ctx, data: bytes, name: str) -> RawResponse:
        if name == "forbidden":
            raise SandboxError(403, "FORBIDDEN", "Forbidden", "not this one")
        self.parts[name] = data
        return RawResponse(200, b"", {"ETag": f'"{len(data)}"'})

    def get(self, ctx, data: bytes, name: str) -> RawResponse:
        return RawResponse(200, self.parts[name], {"Content-Type": "application/octet-stream"})


@pytest.fixture(scope="module")
def parts_sandbox() -> Iterator[tuple[Sandbox, _Parts]]:
    hooks = _Parts()
    with Sandbox(hooks=[hooks]) as sandbox:
        yield sandbox, hooks


@pytest.fixture
def routed(parts_sandbox):
    sandbox, hooks = parts_sandbox
    sandbox.set_faults(None)
    sandbox.clear_journal()
    hooks.parts.clear()
    return parts_sandbox


def test_upload_routes_need_no_token_and_are_journaled(routed):
    sandbox, hooks = routed
    answer = requests.put(f"{sandbox.url}/_test/part1", data=b"x" * 1000)
    assert answer.status_code == 200 and answer.headers["ETag"] == '"1000"'
    assert hooks.parts["part1"] == b"x" * 1000
    assert requests.get(f"{sandbox.url}/_test/part1").content == b"x" * 1000
    kinds = [(e.method, e.kind, e.status) for e in sandbox.journal]
    assert kinds == [("PUT", "upload", 200), ("GET", "asset", 200)]


def test_a_route_error_becomes_an_error_response(routed):
    sandbox, _ = routed
    answer = requests.put(f"{sandbox.url}/_test/forbidden", data=b"x")
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["code"] == "FORBIDDEN"


def test_drop_mid_upload_closes_the_connection_without_storing(routed):
    sandbox, hooks = routed
    sandbox.set_faults("drop_upload=1")
    with pytest.raises(requests.ConnectionError):
        requests.put(f"{sandbox.url}/_test/part2", data=b"y" * 100_000)
    assert "part2" not in hooks.parts
    assert (sandbox.journal[-1].fault, sandbox.journal[-1].status) == ("drop_upload", None)
    # reads of assets are not uploads: they are not dropped
    sandbox.set_faults(None)
    requests.put(f"{sandbox.url}/_test/part3", data=b"z")
    sandbox.set_faults("drop_upload=1")
    assert requests.get(f"{sandbox.url}/_test/part3").content == b"z"


def test_api_drop_faults_do_not_touch_uploads(routed):
    sandbox, hooks = routed
    sandbox.set_faults("drop=1")
    assert requests.put(f"{sandbox.url}/_test/part4", data=b"ok").status_code == 200
    assert hooks.parts["part4"] == b"ok"


class _Broken(Hooks):
    def before_create(self, ctx, type_, attributes, relationships):
        raise RuntimeError("a bug in a hook")


@pytest.mark.spec_audit_exempt  # this test crashes the sandbox on purpose
def test_a_crashing_hook_answers_500_and_is_flagged_in_the_journal():
    from ascsync.sandbox.server import INTERNAL_ERROR
    from tests.sandbox.conftest import authed
    from tests.spec_audit import SpecAudit

    with Sandbox(hooks=[_Broken()]) as sandbox, authed(sandbox) as api:
        body = {"data": {"type": "betaTesters", "attributes": {"email": "a@example.com"}}}
        response = api.post(f"{sandbox.url}/v1/betaTesters", json=body)
        assert response.status_code == 500
        assert response.json()["errors"][0]["status"] == "500"
        assert api.get(f"{sandbox.url}/v1/apps").status_code == 200  # still serving
        (crash, _) = sandbox.journal
        assert crash.fault == INTERNAL_ERROR
        audit = SpecAudit(current_test="t::crash")
        audit.observe(crash)
        assert [c.test for c in audit.crashes] == ["t::crash"]
