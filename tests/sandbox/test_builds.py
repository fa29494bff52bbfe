"""Builds like Apple's: pre-release versions, expiry, processing and TestFlight details."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from ascsync.sandbox import Sandbox
from tests.sandbox.conftest import authed

APP = "1000000042"
SEED: dict[str, Any] = {
    "apps": [
        {
            "id": APP,
            "bundleId": "com.example.builds",
            "name": "Builds",
            "builds": [
                {"version": "100", "uploadedDate": "2026-01-10T08:00:00Z"},
                {"version": "101"},
                {"version": "102", "processingState": "PROCESSING"},
                {"version": "7", "preReleaseVersion": "3.0", "usesNonExemptEncryption": True},
            ],
            "versions": [
                {"versionString": "1.0", "state": "READY_FOR_DISTRIBUTION", "build": "100"},
                {"versionString": "1.1", "build": "101"},
            ],
        }
    ]
}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=SEED, settings={"settle_seconds": 0}) as sandbox:
        yield sandbox


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[requests.Session]:
    with authed(sandbox) as session:
        yield session


def builds(sandbox: Sandbox, api: requests.Session, **params: str) -> dict[str, dict]:
    document = api.get(f"{sandbox.url}/v1/builds", params=params).json()
    return {b["attributes"]["version"]: b for b in document["data"]}


def test_every_build_has_a_pre_release_version_the_filters_find(sandbox, api):
    assert set(builds(sandbox, api, **{"filter[preReleaseVersion.version]": "1.1"})) == {
        "101",
        "102",  # not named by a version: the app's last seeded version
    }
    assert set(builds(sandbox, api, **{"filter[preReleaseVersion.version]": "3.0"})) == {"7"}
    assert builds(sandbox, api, **{"filter[preReleaseVersion.version]": "9.9"}) == {}
    versions = api.get(f"{sandbox.url}/v1/apps/{APP}/preReleaseVersions").json()["data"]
    assert sorted(v["attributes"]["version"] for v in versions) == ["1.0", "1.1", "3.0"]
    assert {v["attributes"]["platform"] for v in versions} == {"IOS"}
    one_one = next(v for v in versions if v["attributes"]["version"] == "1.1")
    listed = api.get(one_one["relationships"]["builds"]["links"]["related"]).json()["data"]
    assert sorted(b["attributes"]["version"] for b in listed) == ["101", "102"]


def test_expiration_date_is_ninety_days_after_upload_and_expired_follows_the_clock(sandbox, api):
    build = builds(sandbox, api)["100"]["attributes"]
    assert build["uploadedDate"] == "2026-01-10T08:00:00Z"
    assert build["expirationDate"] == "2026-04-10T08:00:00.000+00:00"
    assert build["expired"] is (datetime.now(UTC) >= datetime(2026, 4, 10, 8, tzinfo=UTC))

    fresh = builds(sandbox, api)["101"]["attributes"]  # undated: uploaded when seeded
    expires = datetime.fromisoformat(fresh["expirationDate"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    assert fresh["expired"] is False
    sandbox.clock.advance(91 * 24 * 3600)
    api.headers["Authorization"] = f"Bearer {sandbox.token()}"  # the old one expired too
    assert builds(sandbox, api)["101"]["attributes"]["expired"] is True


def test_a_build_expired_by_request_stays_expired(sandbox, api):
    build = builds(sandbox, api)["101"]
    body = {"data": {"type": "builds", "id": build["id"], "attributes": {"expired": True}}}
    assert api.patch(f"{sandbox.url}/v1/builds/{build['id']}", json=body).status_code == 200
    after = builds(sandbox, api)["101"]["attributes"]
    assert after["expired"] is True
    detail = api.get(f"{sandbox.url}/v1/builds/{build['id']}/buildBetaDetail").json()["data"]
    assert detail["attributes"]["internalBuildState"] == "EXPIRED"


def test_processing_finishes_after_the_configured_time(sandbox, api):
    assert builds(sandbox, api)["102"]["attributes"]["processingState"] == "PROCESSING"
    sandbox.settings["build_processing_seconds"] = 60
    build = builds(sandbox, api)["102"]
    detail_url = build["relationships"]["buildBetaDetail"]["links"]["related"]
    assert api.get(detail_url).json()["data"]["attributes"]["internalBuildState"] == "PROCESSING"
    sandbox.clock.advance(61)
    assert builds(sandbox, api)["102"]["attributes"]["processingState"] == "VALID"
    detail = api.get(detail_url).json()["data"]["attributes"]
    assert detail["internalBuildState"] == "READY_FOR_BETA_TESTING"
    assert detail["externalBuildState"] == "READY_FOR_BETA_SUBMISSION"


def test_a_submission_flow_walks_build_to_app_version_and_beta_detail(sandbox, api):
    """What fastlane/asconnect-style flows do: find the build, follow its links."""
    (build,) = builds(
        sandbox, api, **{"filter[version]": "101", "filter[preReleaseVersion.version]": "1.1"}
    ).values()
    related = {name: rel["links"]["related"] for name, rel in build["relationships"].items()}
    app = api.get(related["app"]).json()["data"]
    assert app["attributes"]["bundleId"] == "com.example.builds"
    pre = api.get(related["preReleaseVersion"]).json()["data"]
    assert pre["attributes"] == {"version": "1.1", "platform": "IOS"}
    version = api.get(related["appStoreVersion"]).json()["data"]
    assert version["attributes"]["versionString"] == "1.1"
    detail = api.get(related["buildBetaDetail"]).json()["data"]
    assert detail["attributes"]["externalBuildState"] == "READY_FOR_BETA_SUBMISSION"

    submission = {
        "data": {
            "type": "betaAppReviewSubmissions",
            "relationships": {"build": {"data": {"type": "builds", "id": build["id"]}}},
        }
    }
    submitted = api.post(f"{sandbox.url}/v1/betaAppReviewSubmissions", json=submission)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["data"]["attributes"]["betaReviewState"] == "WAITING_FOR_REVIEW"
    detail = api.get(related["buildBetaDetail"]).json()["data"]
    assert detail["attributes"]["externalBuildState"] == "WAITING_FOR_BETA_REVIEW"
    again = api.post(f"{sandbox.url}/v1/betaAppReviewSubmissions", json=submission)
    assert again.status_code == 409


def test_a_processing_build_cannot_go_to_beta_review(sandbox, api):
    build = builds(sandbox, api)["102"]
    body = {
        "data": {
            "type": "betaAppReviewSubmissions",
            "relationships": {"build": {"data": {"type": "builds", "id": build["id"]}}},
        }
    }
    response = api.post(f"{sandbox.url}/v1/betaAppReviewSubmissions", json=body)
    assert response.status_code == 409
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/relationships/build"}


def test_every_app_has_its_beta_review_detail_and_license_under_its_own_id(sandbox, api):
    detail = api.get(f"{sandbox.url}/v1/betaAppReviewDetails/{APP}").json()["data"]
    assert detail["attributes"]["demoAccountRequired"] is False
    body = {
        "data": {
            "type": "betaAppReviewDetails",
            "id": APP,
            "attributes": {"contactEmail": "beta@example.com", "notes": "Sign in with Apple"},
        }
    }
    assert api.patch(f"{sandbox.url}/v1/betaAppReviewDetails/{APP}", json=body).status_code == 200
    via_app = api.get(f"{sandbox.url}/v1/apps/{APP}/betaAppReviewDetail").json()["data"]
    assert via_app["attributes"]["contactEmail"] == "beta@example.com"
    assert api.get(f"{sandbox.url}/v1/betaLicenseAgreements/{APP}").status_code == 200
