"""The sandbox's own secrets: the printed key file, the control endpoints, the journal."""

from __future__ import annotations

import json

import jwt
import requests

from ascsync.sandbox import Sandbox
from ascsync.sandbox.journal import REDACTED
from tests.sandbox.conftest import authed, control


def _fastlane_style_token(key_file: dict, now: float, default_duration: int = 500) -> str:
    """How fastlane mints: ``iat`` backdated 60 s, lifetime from the key file (or its
    default of 500 s), counted from the real time."""
    duration = key_file.get("duration", default_duration)
    claims = {
        "iss": key_file["issuer_id"],
        "iat": int(now) - 60,
        "exp": int(now) + duration,
        "aud": "appstoreconnect-v1",
    }
    return jwt.encode(
        claims, key_file["key"], algorithm="ES256", headers={"kid": key_file["key_id"]}
    )


def test_the_printed_key_works_for_a_client_that_backdates_iat(sandbox: Sandbox):
    key_file = json.loads(sandbox.api_key_json_path.read_text())
    assert "duration" not in key_file  # each client uses its own (safe) default lifetime
    token = _fastlane_style_token(key_file, sandbox.clock())
    answer = requests.get(f"{sandbox.url}/v1/apps", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    # What the old key file (duration 1200) made such a client send: refused, as by Apple.
    too_long = _fastlane_style_token({**key_file, "duration": 1200}, sandbox.clock())
    refused = requests.get(
        f"{sandbox.url}/v1/apps",
        headers={"Authorization": f"Bearer {too_long}", "X-Sandbox-Expect-Invalid": "1"},
    )
    assert refused.status_code == 401


def test_control_endpoints_need_the_sandbox_token(sandbox: Sandbox):
    app = sandbox.store.create("apps", {"name": "Kept"})
    for method, path in [("POST", "reset"), ("GET", "state"), ("GET", "journal")]:
        answer = requests.request(method, f"{sandbox.url}/sandbox/{path}")
        assert answer.status_code == 401, path
        assert "token" in answer.json()["error"]
    assert sandbox.store.get("apps", app.id) is not None  # the reset did not happen
    assert control(sandbox).get(f"{sandbox.url}/sandbox/state").status_code == 200
    forged = requests.get(
        f"{sandbox.url}/sandbox/state", headers={"Authorization": "Bearer not.a.token"}
    )
    assert forged.status_code == 401


def test_control_endpoints_refuse_a_foreign_host_even_with_the_token(sandbox: Sandbox):
    """A page on evil.example that rebinds its name to 127.0.0.1 sends Host: evil.example."""
    session = control(sandbox)
    port = sandbox.url.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.nip.io"):
        answer = session.post(f"{sandbox.url}/sandbox/reset", headers={"Host": host})
        assert answer.status_code == 403, host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "[::1]", "10.0.0.7:80"):
        answer = session.get(f"{sandbox.url}/sandbox/clock", headers={"Host": host})
        assert answer.status_code == 200, host


def test_a_cross_origin_form_post_cannot_reset_the_sandbox(sandbox: Sandbox):
    """What a browser sends for a hidden form on another site: no token, foreign Origin."""
    app = sandbox.store.create("apps", {"name": "Kept"})
    answer = requests.post(
        f"{sandbox.url}/sandbox/reset",
        data="x=1",
        headers={
            "Origin": "https://evil.example",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert answer.status_code == 401
    assert sandbox.store.get("apps", app.id) is not None


def test_the_journal_keeps_no_password(sandbox: Sandbox):
    app = sandbox.store.create("apps", {"name": "A"})
    version = sandbox.store.create("appStoreVersions", {"versionString": "1.0"}, {"app": app.ref})
    body = {
        "data": {
            "type": "appStoreReviewDetails",
            "attributes": {
                "demoAccountName": "reviewer@example.com",
                "demoAccountPassword": "Tr0ub4dor&3-secret",
                "demoAccountRequired": True,
            },
            "relationships": {
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version.id}}
            },
        }
    }
    with authed(sandbox) as api:
        assert api.post(f"{sandbox.url}/v1/appStoreReviewDetails", json=body).status_code == 201
    journal = control(sandbox).get(f"{sandbox.url}/sandbox/journal").text
    assert "Tr0ub4dor&3-secret" not in journal
    assert "reviewer@example.com" in journal  # only the secret is hidden
    (entry,) = [e for e in sandbox.journal if e.method == "POST"]
    assert entry.body["data"]["attributes"]["demoAccountPassword"] == REDACTED
    stored = sandbox.store.list("appStoreReviewDetails")[0]
    assert stored.attributes["demoAccountPassword"] == "Tr0ub4dor&3-secret"  # Apple keeps it
