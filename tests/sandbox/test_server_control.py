"""Control endpoints, the journal, persistence, keep-alive and the in-process API."""

from __future__ import annotations

import json
import socket
import time

import pytest

from ascsync.errors import ConfigError
from ascsync.sandbox import Sandbox
from ascsync.sandbox.hooks import Hooks
from ascsync.sandbox.journal import OBSERVERS
from tests.sandbox.conftest import INVALID, authed, control


def test_journal_lists_requests_with_query_status_and_body(sandbox, api, make_app):
    app = make_app()
    api.get(f"{sandbox.url}/v1/apps?limit=5&fields[apps]=name")
    body = {"data": {"type": "apps", "id": app.id, "attributes": {"primaryLocale": "fr-FR"}}}
    api.patch(f"{sandbox.url}/v1/apps/{app.id}", json=body)
    entries = control(sandbox).get(f"{sandbox.url}/sandbox/journal").json()["entries"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/v1/apps", 200),
        ("PATCH", f"/v1/apps/{app.id}", 200),
    ]
    assert entries[0]["query"] == [["limit", "5"], ["fields[apps]", "name"]]
    assert entries[1]["body"] == body
    assert all(e["ms"] >= 0 for e in entries)
    assert [e.operation for e in sandbox.journal] == ["GET /v1/apps", "PATCH /v1/apps/{id}"]
    assert sandbox.journal_counts() == {"GET /v1/apps": 1, "PATCH /v1/apps/{id}": 1}


def test_journal_can_be_cleared_and_skips_control_requests(sandbox, api):
    api.get(f"{sandbox.url}/v1/apps")
    control(sandbox).get(f"{sandbox.url}/sandbox/state")
    assert len(sandbox.journal) == 1
    assert control(sandbox).delete(f"{sandbox.url}/sandbox/journal").status_code == 204
    assert sandbox.journal == []


def test_observers_see_every_entry(sandbox, api):
    seen = []
    OBSERVERS.append(seen.append)
    try:
        api.get(f"{sandbox.url}/v1/apps")
    finally:
        OBSERVERS.remove(seen.append)
    assert [(e.method, e.path) for e in seen] == [("GET", "/v1/apps")]


def test_reset_returns_to_the_seed(sandbox, api, make_app):
    make_app()
    territories = len(sandbox.store.list("territories"))
    assert control(sandbox).post(f"{sandbox.url}/sandbox/reset").status_code == 204
    assert sandbox.store.list("apps") == []
    assert len(sandbox.store.list("territories")) == territories
    assert sandbox.journal == []


def test_state_endpoint_returns_the_store_snapshot(sandbox, make_app):
    app = make_app(name="Snapshot")
    state = control(sandbox).get(f"{sandbox.url}/sandbox/state").json()
    apps = [r for r in state["resources"] if r["type"] == "apps"]
    assert apps == [
        {"type": "apps", "id": app.id, "attributes": app.attributes, "relationships": {}}
    ]


def test_unknown_control_endpoint_lists_the_valid_ones(sandbox):
    answer = control(sandbox).get(f"{sandbox.url}/sandbox/nothing")
    assert answer.status_code == 404
    assert "GET /sandbox/journal" in answer.json()["endpoints"]


def test_state_persists_across_sandboxes(tmp_path):
    state = tmp_path / "state.json"
    with Sandbox(hooks=[], state_file=state) as first, authed(first) as api:
        app = first.store.create("apps", {"name": "A", "bundleId": "a", "sku": "A"})
        body = {
            "data": {
                "type": "appStoreVersions",
                "attributes": {"platform": "IOS", "versionString": "1.0"},
                "relationships": {"app": {"data": {"type": "apps", "id": app.id}}},
            }
        }
        version_id = api.post(f"{first.url}/v1/appStoreVersions", json=body).json()["data"]["id"]
    assert version_id in state.read_text()
    with Sandbox(hooks=[], state_file=state) as second, authed(second) as api:
        listed = api.get(f"{second.url}/v1/apps/{app.id}/appStoreVersions").json()["data"]
        assert [item["id"] for item in listed] == [version_id]


def test_a_failed_write_does_not_touch_the_state_file(tmp_path):
    state = tmp_path / "state.json"
    with Sandbox(hooks=[], state_file=state) as sandbox, authed(sandbox) as api:
        before = state.read_text()
        body = {"data": {"type": "appStoreVersions", "attributes": {"bogus": 1}}}
        api.post(f"{sandbox.url}/v1/appStoreVersions", json=body, headers=INVALID)
        assert state.read_text() == before


def test_dict_seed_snapshot_and_settings_reach_the_sandbox():
    snapshot = {"resources": [{"type": "apps", "id": "1", "attributes": {"name": "Seeded"}}]}
    with Sandbox(hooks=[], seed=snapshot, settings={"settle_seconds": 0}) as sandbox:
        assert sandbox.engine.settings["settle_seconds"] == 0
        with authed(sandbox) as api:
            assert api.get(f"{sandbox.url}/v1/apps/1").json()["data"]["attributes"]["name"] == (
                "Seeded"
            )


def test_keep_alive_serves_many_requests_on_one_connection(sandbox):
    token = sandbox.token()
    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as conn:
        reader = conn.makefile("rb")
        for _ in range(3):
            conn.sendall(
                f"GET /v1/apps HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Bearer {token}\r\n\r\n".encode()
            )
            status = reader.readline()
            headers = {}
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.lower()] = value.strip()
            body = reader.read(int(headers["content-length"]))
            assert status.startswith(b"HTTP/1.1 200")
            assert json.loads(body)["meta"]["paging"]["total"] == 0


def test_links_use_the_host_the_client_asked_for(sandbox, api):
    port = sandbox.url.rsplit(":", 1)[1]
    response = api.get(f"http://localhost:{port}/v1/apps")
    assert response.json()["links"]["self"] == f"http://localhost:{port}/v1/apps"


def test_state_is_saved_shortly_after_a_write_while_serving(tmp_path):
    state = tmp_path / "state.json"
    with Sandbox(hooks=[], state_file=state) as sandbox, authed(sandbox) as api:
        app = sandbox.store.create("apps", {"name": "A", "bundleId": "a", "sku": "A"})
        body = {"data": {"type": "apps", "id": app.id, "attributes": {"primaryLocale": "ja"}}}
        api.patch(f"{sandbox.url}/v1/apps/{app.id}", json=body)
        deadline = time.monotonic() + 5
        while '"ja"' not in state.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert '"primaryLocale": "ja"' in state.read_text()


def test_control_endpoints_reject_bad_bodies_with_a_message(sandbox):
    answer = control(sandbox).post(f"{sandbox.url}/sandbox/clock", json={"advance": "soon"})
    assert answer.status_code == 400 and "advance" in answer.json()["error"]
    answer = control(sandbox).put(f"{sandbox.url}/sandbox/rate-limit", json={"per_hour": -1})
    assert answer.status_code == 400 and "per_hour" in answer.json()["error"]
    assert control(sandbox).get(f"{sandbox.url}/sandbox").json()["url"] == sandbox.url


def test_a_chunked_request_body_is_read(sandbox, api, make_app):
    app = make_app()
    body = {"data": {"type": "apps", "id": app.id, "attributes": {"primaryLocale": "it"}}}
    encoded = json.dumps(body).encode()
    chunks = (encoded[i : i + 7] for i in range(0, len(encoded), 7))  # a generator: chunked
    response = api.patch(
        f"{sandbox.url}/v1/apps/{app.id}", data=chunks, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert sandbox.store.get("apps", app.id).attributes["primaryLocale"] == "it"


def test_a_corrupt_state_file_is_a_clear_error(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{not json")
    with pytest.raises(ConfigError, match="not a sandbox state file"):
        Sandbox(hooks=[], state_file=state).start()


def test_settings_reach_hooks_and_can_be_changed_while_serving():
    seen = []

    class Spy(Hooks):
        def before_update(self, ctx, resource, attributes, relationships):
            seen.append(dict(ctx.settings))

    with Sandbox(hooks=[Spy()], settings={"settle_seconds": 5}) as sandbox, authed(sandbox) as api:
        settings = {"settle_seconds": 0}
        answer = control(sandbox).patch(f"{sandbox.url}/sandbox/settings", json=settings)
        assert answer.json() == {"settle_seconds": 0}
        app = sandbox.store.create("apps", {"name": "A"})
        body = {"data": {"type": "apps", "id": app.id, "attributes": {"primaryLocale": "fr"}}}
        api.patch(f"{sandbox.url}/v1/apps/{app.id}", json=body)
    assert seen == [{"settle_seconds": 0}]


def test_a_busy_port_is_a_clear_error(sandbox):
    port = int(sandbox.url.rsplit(":", 1)[1])
    with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
        Sandbox(hooks=[], port=port).start()
