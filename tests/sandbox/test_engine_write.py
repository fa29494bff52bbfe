"""Writing over HTTP: create, update, delete, linkage writes, and Apple's 409 body errors."""

from __future__ import annotations

import pytest

from ascsync.sandbox.hooks import Hooks, SandboxError
from tests.sandbox.conftest import INVALID


def _create_version(sandbox, api, app_id, **attributes):
    body = {
        "data": {
            "type": "appStoreVersions",
            "attributes": {"platform": "IOS", "versionString": "1.0", **attributes},
            "relationships": {"app": {"data": {"type": "apps", "id": app_id}}},
        }
    }
    return api.post(f"{sandbox.url}/v1/appStoreVersions", json=body)


def test_create_returns_201_and_the_resource_is_linked_both_ways(sandbox, api, make_app):
    app = make_app()
    response = _create_version(sandbox, api, app.id, copyright="2026 Example")
    assert response.status_code == 201
    document = response.json()
    version_id = document["data"]["id"]
    assert document["data"]["attributes"]["copyright"] == "2026 Example"
    assert document["links"]["self"] == f"{sandbox.url}/v1/appStoreVersions/{version_id}"
    listed = api.get(f"{sandbox.url}/v1/apps/{app.id}/appStoreVersions").json()["data"]
    assert [item["id"] for item in listed] == [version_id]


def test_update_changes_only_given_attributes(sandbox, api, make_app):
    app = make_app(name="Old", sku="KEEP")
    body = {"data": {"type": "apps", "id": app.id, "attributes": {"primaryLocale": "de-DE"}}}
    response = api.patch(f"{sandbox.url}/v1/apps/{app.id}", json=body)
    assert response.status_code == 200
    attributes = api.get(f"{sandbox.url}/v1/apps/{app.id}").json()["data"]["attributes"]
    assert attributes["primaryLocale"] == "de-DE" and attributes["sku"] == "KEEP"


def test_delete_removes_the_resource_and_references_to_it(sandbox, api, make_app):
    app = make_app()
    version_id = _create_version(sandbox, api, app.id).json()["data"]["id"]
    assert api.delete(f"{sandbox.url}/v1/appStoreVersions/{version_id}").status_code == 204
    assert api.get(f"{sandbox.url}/v1/appStoreVersions/{version_id}").status_code == 404
    assert api.get(f"{sandbox.url}/v1/apps/{app.id}/appStoreVersions").json()["data"] == []


@pytest.mark.parametrize(
    "attributes, code, pointer",
    [
        ({"bogus": 1}, "ENTITY_ERROR.ATTRIBUTE.UNKNOWN", "/data/attributes/bogus"),
        ({"copyright": 2026}, "ENTITY_ERROR.ATTRIBUTE.TYPE", "/data/attributes/copyright"),
        (
            {"releaseType": "SOMETIME"},
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "/data/attributes/releaseType",
        ),
        ({"versionString": None}, "ENTITY_ERROR.ATTRIBUTE.TYPE", "/data/attributes/versionString"),
        (
            {"earliestReleaseDate": "tomorrow"},
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "/data/attributes/earliestReleaseDate",
        ),
    ],
)
def test_bad_attributes_are_entity_errors(sandbox, api, make_app, attributes, code, pointer):
    app = make_app()
    body = {
        "data": {
            "type": "appStoreVersions",
            "attributes": {"platform": "IOS", "versionString": "1.0", **attributes},
            "relationships": {"app": {"data": {"type": "apps", "id": app.id}}},
        }
    }
    response = api.post(f"{sandbox.url}/v1/appStoreVersions", json=body, headers=INVALID)
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert (error["status"], error["code"], error["source"]) == ("409", code, {"pointer": pointer})
    assert sandbox.store.list("appStoreVersions") == []


def test_missing_required_attribute_and_relationship(sandbox, api, make_app):
    app = make_app()
    body = {
        "data": {
            "type": "appStoreVersions",
            "attributes": {"platform": "IOS"},
            "relationships": {"app": {"data": {"type": "apps", "id": app.id}}},
        }
    }
    response = api.post(f"{sandbox.url}/v1/appStoreVersions", json=body, headers=INVALID)
    error = response.json()["errors"][0]
    assert error["code"] == "ENTITY_ERROR.ATTRIBUTE.REQUIRED"
    assert error["source"] == {"pointer": "/data/attributes/versionString"}

    body["data"]["attributes"]["versionString"] = "1.0"
    body["data"]["relationships"] = {}
    response = api.post(f"{sandbox.url}/v1/appStoreVersions", json=body, headers=INVALID)
    error = response.json()["errors"][0]
    assert error["code"] == "ENTITY_ERROR.RELATIONSHIP.REQUIRED"
    assert error["source"] == {"pointer": "/data/relationships/app"}


def test_relationship_to_a_missing_resource_is_invalid(sandbox, api):
    response = _create_version(sandbox, api, "no-such-app")
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert error["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    assert error["source"] == {"pointer": "/data/relationships/app"}


def test_unknown_relationship_and_wrong_type(sandbox, api, make_app):
    app = make_app()
    body = {"data": {"type": "apps", "id": app.id, "relationships": {"prices": {"data": []}}}}
    response = api.patch(f"{sandbox.url}/v1/apps/{app.id}", json=body, headers=INVALID)
    assert response.json()["errors"][0]["code"] == "ENTITY_ERROR.RELATIONSHIP.UNKNOWN"

    body = {"data": {"type": "builds", "id": app.id, "attributes": {}}}
    response = api.patch(f"{sandbox.url}/v1/apps/{app.id}", json=body, headers=INVALID)
    assert response.status_code == 409
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/type"}


def test_body_that_is_not_json_is_rejected(sandbox, api, make_app):
    app = make_app()
    response = api.patch(
        f"{sandbox.url}/v1/apps/{app.id}",
        data=b"{not json",
        headers={"Content-Type": "application/json", **INVALID},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "ENTITY_UNPARSABLE"


def test_linkage_replace_reorders_a_to_many_relationship(sandbox, api):
    store = sandbox.store
    screenshot_set = store.create("appScreenshotSets", {"screenshotDisplayType": "APP_IPHONE_67"})
    shots = [
        store.create(
            "appScreenshots", {"fileName": f"{n}.png"}, {"appScreenshotSet": screenshot_set.ref}
        )
        for n in range(3)
    ]
    url = f"{sandbox.url}/v1/appScreenshotSets/{screenshot_set.id}/relationships/appScreenshots"
    new_order = [shots[2], shots[0], shots[1]]
    body = {"data": [{"type": "appScreenshots", "id": s.id} for s in new_order]}
    assert api.patch(url, json=body).status_code == 204
    listed = api.get(f"{sandbox.url}/v1/appScreenshotSets/{screenshot_set.id}/appScreenshots")
    assert [item["id"] for item in listed.json()["data"]] == [s.id for s in new_order]


def test_linkage_add_and_remove_on_a_to_many(sandbox, api, make_app):
    app = make_app()
    group = sandbox.store.create("betaGroups", {"name": "QA"}, {"app": app.ref})
    testers = [
        sandbox.store.create("betaTesters", {"email": f"t{n}@example.com"}) for n in range(2)
    ]
    url = f"{sandbox.url}/v1/betaGroups/{group.id}/relationships/betaTesters"
    body = {"data": [{"type": "betaTesters", "id": t.id} for t in testers]}
    assert api.post(url, json=body).status_code == 204
    assert len(api.get(url).json()["data"]) == 2
    # the inverse side follows
    tester_groups = api.get(f"{sandbox.url}/v1/betaTesters/{testers[0].id}/betaGroups").json()
    assert [g["id"] for g in tester_groups["data"]] == [group.id]
    remove = {"data": [{"type": "betaTesters", "id": testers[0].id}]}
    assert api.delete(url, json=remove).status_code == 204
    assert [d["id"] for d in api.get(url).json()["data"]] == [testers[1].id]


def test_create_with_inline_included_resources(sandbox, api, make_app):
    app = make_app()
    body = {
        "data": {
            "type": "appPriceSchedules",
            "relationships": {
                "app": {"data": {"type": "apps", "id": app.id}},
                "baseTerritory": {"data": {"type": "territories", "id": "USA"}},
                "manualPrices": {"data": [{"type": "appPrices", "id": "${price1}"}]},
            },
        },
        "included": [
            {
                "type": "appPrices",
                "id": "${price1}",
                "attributes": {"startDate": None},
                "relationships": {
                    "appPricePoint": {"data": {"type": "appPricePoints", "id": "p1"}}
                },
            }
        ],
    }
    sandbox.store.create("appPricePoints", {"customerPrice": "0.99"}, id_="p1")
    response = api.post(f"{sandbox.url}/v1/appPriceSchedules", json=body)
    assert response.status_code == 201, response.text
    schedule = sandbox.store.get("appPriceSchedules", response.json()["data"]["id"])
    (price,) = sandbox.store.related(schedule, "manualPrices")
    assert price.type == "appPrices" and price.id != "${price1}"
    assert sandbox.store.related(price, "appPricePoint")[0].id == "p1"


def test_a_refused_create_leaves_no_inline_resources_behind(sandbox, api):
    sandbox.store.create("appPricePoints", {"customerPrice": "0.99"}, id_="p1")
    body = {
        "data": {
            "type": "appPriceSchedules",
            "relationships": {
                "app": {"data": {"type": "apps", "id": "no-such-app"}},
                "baseTerritory": {"data": {"type": "territories", "id": "USA"}},
                "manualPrices": {"data": [{"type": "appPrices", "id": "${p}"}]},
            },
        },
        "included": [
            {
                "type": "appPrices",
                "id": "${p}",
                "relationships": {
                    "appPricePoint": {"data": {"type": "appPricePoints", "id": "p1"}}
                },
            }
        ],
    }
    response = api.post(f"{sandbox.url}/v1/appPriceSchedules", json=body)
    assert response.status_code == 409
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/relationships/app"}
    assert sandbox.store.list("appPrices") == []


class _RejectCopyright(Hooks):
    def before_create(self, ctx, type_, attributes, relationships):
        if attributes.get("copyright") == "forbidden":
            raise SandboxError(
                409,
                "ENTITY_ERROR.ATTRIBUTE.INVALID",
                "An attribute value is invalid.",
                "No.",
                pointer="/data/attributes/copyright",
            )
        attributes["appVersionState"] = "PREPARE_FOR_SUBMISSION"


def test_hooks_can_reject_and_add_computed_attributes():
    from ascsync.sandbox import Sandbox
    from tests.sandbox.conftest import authed

    with Sandbox(hooks=[_RejectCopyright()]) as sandbox, authed(sandbox) as api:
        app = sandbox.store.create("apps", {"name": "A", "bundleId": "a", "sku": "A"})
        created = _create_version(sandbox, api, app.id)
        assert created.json()["data"]["attributes"]["appVersionState"] == "PREPARE_FOR_SUBMISSION"
        rejected = _create_version(sandbox, api, app.id, copyright="forbidden")
        assert rejected.status_code == 409
        assert rejected.json()["errors"][0]["detail"] == "No."
        assert len(sandbox.store.list("appStoreVersions")) == 1


def test_included_only_where_and_what_the_spec_allows(sandbox, api, make_app):
    app = make_app()
    body = {
        "data": {
            "type": "appPriceSchedules",
            "relationships": {
                "app": {"data": {"type": "apps", "id": app.id}},
                "baseTerritory": {"data": {"type": "territories", "id": "USA"}},
                "manualPrices": {"data": []},
            },
        },
        "included": [{"type": "apps", "id": "${x}"}],
    }
    response = api.post(f"{sandbox.url}/v1/appPriceSchedules", json=body, headers=INVALID)
    error = response.json()["errors"][0]
    assert (response.status_code, error["code"]) == (409, "ENTITY_ERROR.INCLUDED.INVALID")
    assert error["source"] == {"pointer": "/included/0/type"}

    patch = {"data": {"type": "apps", "id": app.id}, "included": []}
    response = api.patch(f"{sandbox.url}/v1/apps/{app.id}", json=patch, headers=INVALID)
    assert response.status_code == 409
    assert response.json()["errors"][0]["source"] == {"pointer": "/included"}
