"""Rate limit and fault injection, observed over HTTP."""

from __future__ import annotations

import pytest
import requests

from ascsync.errors import ConfigError
from ascsync.sandbox import Sandbox
from ascsync.sandbox.faults import FaultConfig
from tests.sandbox.conftest import authed, control


def test_every_answer_carries_the_hourly_budget(sandbox, api):
    first = api.get(f"{sandbox.url}/v1/apps").headers["X-Rate-Limit"]
    second = api.get(f"{sandbox.url}/v1/apps").headers["X-Rate-Limit"]
    assert first == "user-hour-lim:3500;user-hour-rem:3499;"
    assert second == "user-hour-lim:3500;user-hour-rem:3498;"


def test_spent_budget_answers_429_with_retry_after_until_the_hour_passes(sandbox, api):
    control(sandbox).put(f"{sandbox.url}/sandbox/rate-limit", json={"per_hour": 2})
    assert [api.get(f"{sandbox.url}/v1/apps").status_code for _ in range(3)] == [200, 200, 429]
    refused = api.get(f"{sandbox.url}/v1/apps")
    error = refused.json()["errors"][0]
    assert (error["status"], error["code"]) == ("429", "RATE_LIMIT_EXCEEDED")
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert refused.headers["X-Rate-Limit"] == "user-hour-lim:2;user-hour-rem:0;"
    control(sandbox).post(f"{sandbox.url}/sandbox/clock", json={"advance": 3600})
    api.headers["Authorization"] = f"Bearer {sandbox.token()}"  # the old token expired too
    assert api.get(f"{sandbox.url}/v1/apps").status_code == 200


def _statuses(sandbox, count):
    with authed(sandbox) as api:
        out = []
        for _ in range(count):
            try:
                out.append(api.get(f"{sandbox.url}/v1/apps").status_code)
            except requests.ConnectionError:
                out.append("dropped")
        return out


def test_faults_are_deterministic_under_a_seed(sandbox):
    sandbox.set_faults("seed=11,error=0.3,drop=0.1")
    first = _statuses(sandbox, 40)
    sandbox.set_faults("seed=11,error=0.3,drop=0.1")
    second = _statuses(sandbox, 40)
    assert first == second
    assert {500, 503} <= set(first) and "dropped" in first and 200 in first
    sandbox.set_faults("seed=12,error=0.3,drop=0.1")
    assert _statuses(sandbox, 40) != first


def test_server_errors_use_apples_error_shape(sandbox, api):
    sandbox.set_faults("error=1,status=503")
    response = api.get(f"{sandbox.url}/v1/apps")
    assert response.status_code == 503
    assert response.json()["errors"][0]["status"] == "503"
    entry = sandbox.journal[-1]
    assert (entry.status, entry.fault) == (503, "error")


def test_429_bursts(sandbox):
    sandbox.set_faults("burst429=2:5")
    assert _statuses(sandbox, 10) == [429, 429, 200, 200, 200] * 2


def test_429_bursts_carry_the_configured_retry_after(sandbox, api):
    sandbox.set_faults("burst429=1:2")
    assert api.get(f"{sandbox.url}/v1/apps").headers["Retry-After"] == "60"
    sandbox.set_faults("burst429=1:2,retry_after=1")
    answer = api.get(f"{sandbox.url}/v1/apps")
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "1")
    assert answer.json()["errors"][0]["code"] == "RATE_LIMIT_EXCEEDED"


def test_dropped_requests_are_journaled_without_status(sandbox):
    sandbox.set_faults("drop=1")
    assert _statuses(sandbox, 1) == ["dropped"]
    assert (sandbox.journal[-1].status, sandbox.journal[-1].fault) == (None, "drop")


def test_faults_can_target_paths_and_add_latency(sandbox, api, make_app):
    app = make_app()
    sandbox.set_faults("error=1,path=/v1/apps/")
    assert api.get(f"{sandbox.url}/v1/apps").status_code == 200
    assert api.get(f"{sandbox.url}/v1/apps/{app.id}").status_code in (500, 503)
    sandbox.set_faults("latency=60")
    api.get(f"{sandbox.url}/v1/apps")
    assert sandbox.journal[-1].ms >= 60


def test_faults_through_the_control_endpoint(sandbox):
    answer = control(sandbox).put(f"{sandbox.url}/sandbox/faults", data="error=0.5,seed=3")
    assert answer.status_code == 200 and answer.json()["error"] == 0.5
    assert control(sandbox).get(f"{sandbox.url}/sandbox/faults").json()["seed"] == 3
    answer = control(sandbox).put(f"{sandbox.url}/sandbox/faults", json={"spec": "nonsense=1"})
    assert answer.status_code == 400 and "nonsense" in answer.json()["error"]


@pytest.mark.parametrize("spec", ["error=2", "burst429=6:5", "drop", "status=404", "latency=x"])
def test_invalid_fault_specs_are_config_errors(spec):
    with pytest.raises(ConfigError):
        FaultConfig.parse(spec)


def test_faults_and_latency_given_at_start():
    with Sandbox(hooks=[], faults="error=1,status=500", latency_ms=30) as sandbox:
        assert _statuses(sandbox, 2) == [500, 500]
        assert all(entry.ms >= 30 for entry in sandbox.journal)
