"""App availability (v2) over HTTP: created once, listing every storefront."""

from __future__ import annotations

from typing import Any

import requests

from ascsync.kinds.availability import availability_body
from ascsync.sandbox import Sandbox

APP = "6446123456"
SEED = {"apps": [{"id": APP, "bundleId": "com.example.avail", "name": "Avail"}]}


def post(sandbox: Sandbox, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{sandbox.url}/v2/appAvailabilities",
        json=body,
        headers={"Authorization": f"Bearer {sandbox.token()}"},
        timeout=10,
    )


def remove_availability(sandbox: Sandbox) -> None:
    for resource in sandbox.store.list("appAvailabilities"):
        sandbox.store.delete("appAvailabilities", resource.id)


def test_a_second_availability_for_an_app_is_a_conflict() -> None:
    with Sandbox(seed=SEED) as sandbox:
        catalog = sorted(t.id for t in sandbox.store.list("territories"))
        answer = post(sandbox, availability_body(APP, True, catalog, {"USA"}))
        assert answer.status_code == 409
        error = answer.json()["errors"][0]
        assert error["source"]["pointer"] == "/data/relationships/app"
        assert "already has an availability" in error["detail"]
        assert len(sandbox.store.list("appAvailabilities")) == 1


def test_a_first_availability_must_list_every_storefront() -> None:
    with Sandbox(seed=SEED) as sandbox:
        remove_availability(sandbox)
        catalog = sorted(t.id for t in sandbox.store.list("territories"))
        partial = post(sandbox, availability_body(APP, True, ["USA", "CAN"], {"USA"}))
        assert partial.status_code == 409
        assert "missing: " in partial.json()["errors"][0]["detail"]
        assert sandbox.store.list("appAvailabilities") == []

        full = post(sandbox, availability_body(APP, False, catalog, {"USA"}))
        assert full.status_code == 201, full.text
        created = full.json()["data"]
        assert created["attributes"] == {"availableInNewTerritories": False}
