"""The sandbox's rules for custom product pages, in-app events and product page tests,
as a client sees them over HTTP (default hooks, a small seed)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from ascsync.sandbox import Sandbox
from tests.sandbox.conftest import authed

SEED: dict[str, Any] = {
    "apps": [
        {
            "id": "1000000016",
            "bundleId": "com.example.pages",
            "name": "Pages App",
            "versions": [{"versionString": "1.0", "state": "READY_FOR_DISTRIBUTION"}],
            "customProductPages": [
                {
                    "name": "Approved page",
                    "versions": [
                        {
                            "state": "APPROVED",
                            "localizations": {"en-US": {"promotionalText": "Old text"}},
                        }
                    ],
                }
            ],
            "appEvents": [
                {
                    "referenceName": "Launch party",
                    "localizations": {"en-US": {"name": "Launch party"}},
                }
            ],
            "productPageTests": [{"name": "Icon test", "trafficProportion": 20}],
        }
    ]
}
APP = "1000000016"
SCHEDULE = {
    "territories": ["USA"],
    "publishStart": "2030-06-24T16:00:00Z",
    "eventStart": "2030-07-01T16:00:00Z",
    "eventEnd": "2030-07-10T16:00:00Z",
}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=SEED, settings={"settle_seconds": 0}) as sandbox:
        yield sandbox


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[requests.Session]:
    with authed(sandbox) as session:
        yield session


def body(type_: str, attributes: dict[str, Any], **relationships: tuple[str, str]) -> dict:
    return {
        "data": {
            "type": type_,
            "attributes": attributes,
            "relationships": {
                k: {"data": {"type": t, "id": i}} for k, (t, i) in relationships.items()
            },
        }
    }


def patch(type_: str, id_: str, attributes: dict[str, Any]) -> dict:
    return {"data": {"type": type_, "id": id_, "attributes": attributes}}


def the(sandbox: Sandbox, type_: str) -> Any:
    (resource,) = sandbox.store.list(type_)
    return resource


def error(response: requests.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    return errors[0]


# -- custom product pages ------------------------------------------------------------------


def test_an_approved_page_version_refuses_new_locales_but_takes_promotional_text(
    sandbox: Sandbox, api: requests.Session
) -> None:
    version = the(sandbox, "appCustomProductPageVersions")
    created = api.post(
        f"{sandbox.url}/v1/appCustomProductPageLocalizations",
        json=body(
            "appCustomProductPageLocalizations",
            {"locale": "de-DE"},
            appCustomProductPageVersion=("appCustomProductPageVersions", version.id),
        ),
    )
    assert created.status_code == 409
    assert error(created)["code"] == "STATE_ERROR"
    assert (
        "custom product page version cannot be edited in state APPROVED" in error(created)["detail"]
    )

    localization = the(sandbox, "appCustomProductPageLocalizations")
    changed = api.patch(
        f"{sandbox.url}/v1/appCustomProductPageLocalizations/{localization.id}",
        json=patch(
            "appCustomProductPageLocalizations", localization.id, {"promotionalText": "New"}
        ),
    )
    assert changed.status_code == 200, changed.text
    assert localization.attributes["promotionalText"] == "New"


def test_a_new_page_comes_with_a_version_and_stays_hidden_until_approved(
    sandbox: Sandbox, api: requests.Session
) -> None:
    created = api.post(
        f"{sandbox.url}/v1/appCustomProductPages",
        json=body("appCustomProductPages", {"name": "Spring"}, app=("apps", APP)),
    )
    assert created.status_code == 201, created.text
    page = created.json()["data"]
    assert page["attributes"]["visible"] is False
    assert page["attributes"]["url"].endswith(f"?ppid={page['id']}")
    versions = api.get(
        f"{sandbox.url}/v1/appCustomProductPages/{page['id']}/appCustomProductPageVersions"
    )
    assert [v["attributes"]["state"] for v in versions.json()["data"]] == ["PREPARE_FOR_SUBMISSION"]

    shown = api.patch(
        f"{sandbox.url}/v1/appCustomProductPages/{page['id']}",
        json=patch("appCustomProductPages", page["id"], {"visible": True}),
    )
    assert shown.status_code == 409
    assert "once it is approved" in error(shown)["detail"]

    same_name = api.post(
        f"{sandbox.url}/v1/appCustomProductPages",
        json=body("appCustomProductPages", {"name": "approved PAGE"}, app=("apps", APP)),
    )
    assert same_name.status_code == 409


# -- in-app events -------------------------------------------------------------------------


def test_event_schedules_are_checked_all_at_once(sandbox: Sandbox, api: requests.Session) -> None:
    event = the(sandbox, "appEvents")
    bad = [
        {**SCHEDULE, "eventEnd": "2030-08-10T16:00:00Z"},  # 40 days
        {**SCHEDULE, "territories": ["USA"], "publishStart": "2030-06-01T16:00:00Z"},
        {
            **SCHEDULE,
            "territories": ["CAN"],
            "eventStart": "2020-07-01T16:00:00Z",
            "eventEnd": "2020-07-05T16:00:00Z",
            "publishStart": "2020-06-30T16:00:00Z",
        },
    ]
    refused = api.patch(
        f"{sandbox.url}/v1/appEvents/{event.id}",
        json=patch("appEvents", event.id, {"territorySchedules": bad}),
    )
    assert refused.status_code == 409
    details = {(e["source"]["pointer"], e["detail"]) for e in refused.json()["errors"]}
    assert details == {
        (
            "/data/attributes/territorySchedules/0/eventEnd",
            "An event lasts from 15 minutes to 31 days.",
        ),
        (
            "/data/attributes/territorySchedules/1/publishStart",
            "Publish start must be 0 to 14 days before the start.",
        ),
        ("/data/attributes/territorySchedules/1/territories", "USA has two schedules."),
        (
            "/data/attributes/territorySchedules/2/eventStart",
            "The event start must be in the future.",
        ),
    }
    ok = api.patch(
        f"{sandbox.url}/v1/appEvents/{event.id}",
        json=patch("appEvents", event.id, {"territorySchedules": [SCHEDULE]}),
    )
    assert ok.status_code == 200, ok.text


def test_a_submitted_event_is_frozen(sandbox: Sandbox, api: requests.Session) -> None:
    event = the(sandbox, "appEvents")
    event.attributes["eventState"] = "IN_REVIEW"
    refused = api.patch(
        f"{sandbox.url}/v1/appEvents/{event.id}",
        json=patch("appEvents", event.id, {"priority": "HIGH"}),
    )
    assert refused.status_code == 409
    assert error(refused)["detail"] == "The in-app event cannot be edited in state IN_REVIEW."


def reserve(
    api: requests.Session, sandbox: Sandbox, data: bytes, asset_type: str
) -> requests.Response:
    localization = the(sandbox, "appEventLocalizations")
    return api.post(
        f"{sandbox.url}/v1/appEventScreenshots",
        json=body(
            "appEventScreenshots",
            {"fileName": "card.png", "fileSize": len(data), "appEventAssetType": asset_type},
            appEventLocalization=("appEventLocalizations", localization.id),
        ),
    )


def upload_and_settle(
    api: requests.Session, sandbox: Sandbox, data: bytes, asset_type: str
) -> dict:
    reserved = reserve(api, sandbox, data, asset_type)
    assert reserved.status_code == 201, reserved.text
    item = reserved.json()["data"]
    for operation in item["attributes"]["uploadOperations"]:
        start, length = operation["offset"], operation["length"]
        assert requests.put(operation["url"], data=data[start : start + length], timeout=5).ok
    committed = api.patch(
        f"{sandbox.url}/v1/appEventScreenshots/{item['id']}",
        json=patch("appEventScreenshots", item["id"], {"uploaded": True}),
    )
    assert committed.status_code == 200, committed.text
    time.sleep(0.01)
    return api.get(f"{sandbox.url}/v1/appEventScreenshots/{item['id']}").json()["data"]


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


def test_event_media_settle_with_their_size_checked_and_one_per_asset_type(
    sandbox: Sandbox, api: requests.Session
) -> None:
    square = upload_and_settle(api, sandbox, png(1200, 1200), "EVENT_CARD")
    state = square["attributes"]["assetDeliveryState"]
    assert state["state"] == "FAILED"
    assert state["errors"][0]["code"] == "IMAGE_INCORRECT_DIMENSIONS"
    api.delete(f"{sandbox.url}/v1/appEventScreenshots/{square['id']}")

    card = upload_and_settle(api, sandbox, png(1920, 1080), "EVENT_CARD")
    assert card["attributes"]["assetDeliveryState"]["state"] == "COMPLETE"
    assert card["attributes"]["imageAsset"]["width"] == 1920

    second = reserve(api, sandbox, png(1920, 1080), "EVENT_CARD")
    assert second.status_code == 409
    assert "already has EVENT_CARD media" in error(second)["detail"]


# -- product page tests --------------------------------------------------------------------


def test_a_test_starts_only_once_approved_and_one_runs_at_a_time(
    sandbox: Sandbox, api: requests.Session
) -> None:
    test = the(sandbox, "appStoreVersionExperiments")
    url = f"{sandbox.url}/v2/appStoreVersionExperiments/{test.id}"
    early = api.patch(url, json=patch("appStoreVersionExperiments", test.id, {"started": True}))
    assert early.status_code == 409
    assert "must be approved before it starts" in error(early)["detail"]

    test.attributes["state"] = "APPROVED"
    started = api.patch(url, json=patch("appStoreVersionExperiments", test.id, {"started": True}))
    assert started.status_code == 200, started.text
    assert started.json()["data"]["attributes"]["startDate"]

    other = api.post(
        f"{sandbox.url}/v2/appStoreVersionExperiments",
        json=body(
            "appStoreVersionExperiments",
            {"name": "Second", "platform": "IOS", "trafficProportion": 10},
            app=("apps", APP),
        ),
    ).json()["data"]
    sandbox.store.get("appStoreVersionExperiments", other["id"]).attributes["state"] = "APPROVED"
    second = api.patch(
        f"{sandbox.url}/v2/appStoreVersionExperiments/{other['id']}",
        json=patch("appStoreVersionExperiments", other["id"], {"started": True}),
    )
    assert second.status_code == 409
    assert error(second)["detail"] == "Another test of this app is running."

    stopped = api.patch(url, json=patch("appStoreVersionExperiments", test.id, {"started": False}))
    assert stopped.status_code == 200
    assert stopped.json()["data"]["attributes"]["state"] == "STOPPED"
    again = api.patch(url, json=patch("appStoreVersionExperiments", test.id, {"started": True}))
    assert again.status_code == 409


def test_a_test_has_at_most_three_treatments_and_needs_a_live_version(
    sandbox: Sandbox, api: requests.Session
) -> None:
    test = the(sandbox, "appStoreVersionExperiments")
    for n in range(4):
        created = api.post(
            f"{sandbox.url}/v1/appStoreVersionExperimentTreatments",
            json=body(
                "appStoreVersionExperimentTreatments",
                {"name": f"T{n}"},
                appStoreVersionExperimentV2=("appStoreVersionExperiments", test.id),
            ),
        )
        assert created.status_code == (201 if n < 3 else 409), created.text
    assert "at most 3 treatments" in error(created)["detail"]

    version = the(sandbox, "appStoreVersions")
    version.attributes["appVersionState"] = "PREPARE_FOR_SUBMISSION"
    refused = api.post(
        f"{sandbox.url}/v2/appStoreVersionExperiments",
        json=body(
            "appStoreVersionExperiments",
            {"name": "New", "platform": "IOS", "trafficProportion": 10},
            app=("apps", APP),
        ),
    )
    assert refused.status_code == 409
    assert "needs a version of the app on the App Store" in error(refused)["detail"]


def test_deleting_a_page_takes_its_versions_locales_and_sets_along(
    sandbox: Sandbox, api: requests.Session
) -> None:
    page = the(sandbox, "appCustomProductPages")
    assert api.delete(f"{sandbox.url}/v1/appCustomProductPages/{page.id}").status_code == 204
    for type_ in ("appCustomProductPageVersions", "appCustomProductPageLocalizations"):
        assert sandbox.store.list(type_) == []


def test_submitting_a_review_submission_sends_its_event_to_review(
    sandbox: Sandbox, api: requests.Session
) -> None:
    event = the(sandbox, "appEvents")
    submission = api.post(
        f"{sandbox.url}/v1/reviewSubmissions",
        json=body("reviewSubmissions", {"platform": "IOS"}, app=("apps", APP)),
    ).json()["data"]
    item = api.post(
        f"{sandbox.url}/v1/reviewSubmissionItems",
        json={
            "data": {
                "type": "reviewSubmissionItems",
                "relationships": {
                    "reviewSubmission": {
                        "data": {"type": "reviewSubmissions", "id": submission["id"]}
                    },
                    "appEvent": {"data": {"type": "appEvents", "id": event.id}},
                },
            }
        },
    )
    assert item.status_code == 201, item.text
    sent = api.patch(
        f"{sandbox.url}/v1/reviewSubmissions/{submission['id']}",
        json=patch("reviewSubmissions", submission["id"], {"submitted": True}),
    )
    assert sent.status_code == 200, sent.text
    assert event.attributes["eventState"] == "WAITING_FOR_REVIEW"
    frozen = api.patch(
        f"{sandbox.url}/v1/appEvents/{event.id}",
        json=patch("appEvents", event.id, {"priority": "HIGH"}),
    )
    assert frozen.status_code == 409
