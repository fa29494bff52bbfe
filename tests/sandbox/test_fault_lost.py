"""The sandbox's ``lost`` fault: a write is carried out, then its answer is lost."""

from __future__ import annotations

import pytest
import requests

from ascsync.errors import ConfigError
from ascsync.sandbox import Sandbox
from ascsync.sandbox.faults import FaultConfig


def beta_group_body(app_id: str, name: str) -> dict:
    return {
        "data": {
            "type": "betaGroups",
            "attributes": {"name": name},
            "relationships": {"app": {"data": {"type": "apps", "id": app_id}}},
        }
    }


def test_a_lost_write_exists_though_its_answer_never_came(sandbox: Sandbox, api, make_app) -> None:
    app = make_app()
    sandbox.set_faults("seed=1,lost=1")
    outcomes = []
    for name in ("Nightly", "Weekly", "Monthly", "Yearly"):
        try:
            response = api.post(f"{sandbox.url}/v1/betaGroups", json=beta_group_body(app.id, name))
            outcomes.append(response.status_code)
        except requests.ConnectionError:
            outcomes.append("dropped")
    sandbox.set_faults(None)
    assert set(outcomes) <= {500, "dropped"} and 201 not in outcomes
    names = sorted(g.attributes["name"] for g in sandbox.store.list("betaGroups"))
    assert names == ["Monthly", "Nightly", "Weekly", "Yearly"]  # every one was carried out


def test_reads_never_lose_their_answer(sandbox: Sandbox, api, make_app) -> None:
    make_app()
    sandbox.set_faults("seed=1,lost=1")
    assert api.get(f"{sandbox.url}/v1/apps").status_code == 200


def test_lost_ratio_is_validated() -> None:
    assert FaultConfig.parse("lost=0.25").lost == 0.25
    with pytest.raises(ConfigError, match="lost"):
        FaultConfig.parse("lost=2")
