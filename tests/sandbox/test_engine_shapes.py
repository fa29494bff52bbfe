"""Responses have the shapes Apple's spec declares (documents, resources, relationships)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ascsync.sandbox import Sandbox
from ascsync.sandbox.spec_validator import SpecValidator
from tests.sandbox.conftest import authed
from tests.spec_audit import SPEC_PATH

pytestmark = pytest.mark.skipif(not SPEC_PATH.is_file(), reason="Apple's openapi.json is absent")


@pytest.fixture(scope="module")
def validator() -> SpecValidator:
    return SpecValidator.from_file(SPEC_PATH)


@pytest.fixture(scope="module")
def demo() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sandbox:
        yield sandbox


def _reads(store) -> list[str]:
    app = store.list("apps")[0]
    version = store.list("appStoreVersions")[0]
    localization = store.list("appStoreVersionLocalizations")[0]
    urls = [
        "/v1/apps?include=appStoreVersions,appInfos",
        f"/v1/apps/{app.id}",
        f"/v1/apps/{app.id}/appStoreVersions?include=appStoreVersionLocalizations,build,app",
        f"/v1/appStoreVersions/{version.id}/appStoreVersionLocalizations"
        "?include=appScreenshotSets,appPreviewSets",
        f"/v1/apps/{app.id}/relationships/appStoreVersions",
        f"/v1/appStoreVersionLocalizations/{localization.id}/appScreenshotSets"
        "?include=appScreenshots",
        "/v1/territories?limit=200",
        "/v1/appCategories?include=subcategories,parent",
        f"/v1/apps/{app.id}/appInfos"
        "?include=ageRatingDeclaration,primaryCategory,appInfoLocalizations",
        f"/v1/apps/{app.id}/inAppPurchasesV2?include=inAppPurchaseLocalizations",
        f"/v1/apps/{app.id}/subscriptionGroups"
        "?include=subscriptions,subscriptionGroupLocalizations",
        f"/v1/apps/{app.id}/betaGroups",
        f"/v1/apps/{app.id}/betaAppLocalizations",
        f"/v1/apps/{app.id}/builds",
        f"/v1/reviewSubmissions?filter[app]={app.id}&include=items",
        f"/v1/apps/{app.id}?fields[apps]=name,appStoreVersions&include=appStoreVersions",
    ]
    for screenshot_set in store.list("appScreenshotSets")[:1]:
        urls.append(f"/v1/appScreenshotSets/{screenshot_set.id}/appScreenshots")
    return urls


def test_read_responses_match_the_spec(demo, validator):
    problems = []
    with authed(demo) as api:
        for url in _reads(demo.store):
            response = api.get(f"{demo.url}{url}")
            assert response.status_code == 200, (url, response.text)
            path = url.split("?")[0]
            for problem in validator.check_response("GET", path, 200, response.json()):
                problems.append(f"{url}: {problem}")
    assert problems == []


def test_write_and_error_responses_match_the_spec(validator):
    with Sandbox(hooks=[]) as sandbox, authed(sandbox) as api:
        app = sandbox.store.create("apps", {"name": "A", "bundleId": "a", "sku": "A"})
        body = {
            "data": {
                "type": "appStoreVersions",
                "attributes": {"platform": "IOS", "versionString": "1.0"},
                "relationships": {"app": {"data": {"type": "apps", "id": app.id}}},
            }
        }
        created = api.post(f"{sandbox.url}/v1/appStoreVersions", json=body)
        version_id = created.json()["data"]["id"]
        patch = {
            "data": {
                "type": "appStoreVersions",
                "id": version_id,
                "attributes": {"copyright": "2026"},
            }
        }
        updated = api.patch(f"{sandbox.url}/v1/appStoreVersions/{version_id}", json=patch)
        missing = api.get(f"{sandbox.url}/v1/apps/nope")
        checks = [
            ("POST", "/v1/appStoreVersions", created),
            ("PATCH", f"/v1/appStoreVersions/{version_id}", updated),
            ("GET", "/v1/apps/nope", missing),
        ]
        for method, path, response in checks:
            assert (
                validator.check_response(method, path, response.status_code, response.json()) == []
            )
