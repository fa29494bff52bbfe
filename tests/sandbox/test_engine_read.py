"""Reading over HTTP: collections, paging, include, fields, filters, sort, related, linkages."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import INVALID


def _version(sandbox, app, version_string, platform="IOS", **attributes):
    return sandbox.store.create(
        "appStoreVersions",
        {"versionString": version_string, "platform": platform, **attributes},
        {"app": app.ref},
    )


def test_collection_document_shape(sandbox, api, make_app):
    app = make_app(name="Movie Catalog")
    response = api.get(f"{sandbox.url}/v1/apps")
    assert response.status_code == 200
    document = response.json()
    assert document["links"]["self"] == f"{sandbox.url}/v1/apps"
    assert document["meta"]["paging"] == {"total": 1, "limit": 50}
    (item,) = document["data"]
    assert item["type"] == "apps" and item["id"] == app.id
    assert item["attributes"]["name"] == "Movie Catalog"
    assert item["links"]["self"] == f"{sandbox.url}/v1/apps/{app.id}"
    versions = item["relationships"]["appStoreVersions"]
    assert versions["links"]["related"] == f"{sandbox.url}/v1/apps/{app.id}/appStoreVersions"
    assert "data" not in versions  # data only when included, like Apple


def test_paging_follows_links_next_to_the_end(sandbox, api, make_app):
    created = {make_app().id for _ in range(7)}
    seen, url, pages = [], f"{sandbox.url}/v1/apps?limit=3", 0
    while url:
        document = api.get(url).json()
        seen += [item["id"] for item in document["data"]]
        assert document["meta"]["paging"] == {"total": 7, "limit": 3}
        url = document["links"].get("next")
        pages += 1
    assert pages == 3
    assert len(seen) == 7 and set(seen) == created


def test_limit_above_the_maximum_is_a_parameter_error(sandbox, api):
    response = api.get(f"{sandbox.url}/v1/apps?limit=201", headers=INVALID)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["status"] == "400"
    assert error["code"] == "PARAMETER_ERROR.INVALID"
    assert error["source"] == {"parameter": "limit"}
    assert "200" in error["detail"]


def test_unknown_query_parameter_is_rejected(sandbox, api):
    response = api.get(f"{sandbox.url}/v1/apps?color=red", headers=INVALID)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "PARAMETER_ERROR.ILLEGAL"
    assert error["source"] == {"parameter": "color"}


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("include=nonsense", "include"),
        ("fields[apps]=name,nonsense", "fields[apps]"),
        ("filter[appStoreVersions.platform]=WINDOWS", "filter[appStoreVersions.platform]"),
    ],
)
def test_invalid_enum_values_are_parameter_errors(sandbox, api, query, parameter):
    response = api.get(f"{sandbox.url}/v1/apps?{query}", headers=INVALID)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "PARAMETER_ERROR.INVALID"
    assert error["source"] == {"parameter": parameter}


def test_required_filter_is_enforced(sandbox, api):
    response = api.get(f"{sandbox.url}/v1/reviewSubmissions", headers=INVALID)
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"parameter": "filter[app]"}


def test_fields_limit_attributes_and_relationships(sandbox, api, make_app):
    make_app(name="Only Name")
    document = api.get(f"{sandbox.url}/v1/apps?fields[apps]=name,appStoreVersions").json()
    (item,) = document["data"]
    assert item["attributes"] == {"name": "Only Name"}
    assert list(item["relationships"]) == ["appStoreVersions"]


def test_include_adds_each_related_resource_once(sandbox, api, make_app):
    app = make_app()
    v1 = _version(sandbox, app, "1.0")
    v2 = _version(sandbox, app, "2.0")
    url = f"{sandbox.url}/v1/appStoreVersions/{v1.id}?include=app"
    document = api.get(url).json()
    assert document["data"]["relationships"]["app"]["data"] == {"type": "apps", "id": app.id}
    assert [(r["type"], r["id"]) for r in document["included"]] == [("apps", app.id)]

    listing = api.get(f"{sandbox.url}/v1/apps/{app.id}/appStoreVersions?include=app").json()
    assert {item["id"] for item in listing["data"]} == {v1.id, v2.id}
    assert len(listing["included"]) == 1  # the shared app, not once per version


def test_include_to_many_honours_limit_per_relationship(sandbox, api, make_app):
    app = make_app()
    for n in range(4):
        _version(sandbox, app, f"{n}.0")
    url = f"{sandbox.url}/v1/apps/{app.id}?include=appStoreVersions&limit[appStoreVersions]=2"
    document = api.get(url).json()
    rel = document["data"]["relationships"]["appStoreVersions"]
    assert len(rel["data"]) == 2
    assert rel["meta"]["paging"] == {"total": 4, "limit": 2}
    assert len(document["included"]) == 2


def test_filters_match_attributes_ids_and_related_attributes(sandbox, api, make_app):
    first = make_app(bundleId="com.example.first")
    second = make_app(bundleId="com.example.second")
    make_app(bundleId="com.example.third")
    _version(sandbox, second, "1.0", platform="MAC_OS")

    def ids(query):
        return {item["id"] for item in api.get(f"{sandbox.url}/v1/apps?{query}").json()["data"]}

    assert ids("filter[bundleId]=com.example.first") == {first.id}
    assert ids("filter[bundleId]=com.example.first,com.example.second") == {first.id, second.id}
    assert ids(f"filter[id]={second.id}") == {second.id}
    assert ids("filter[appStoreVersions.platform]=MAC_OS") == {second.id}
    assert ids("filter[bundleId]=com.example.first&filter[id]=" + second.id) == set()


def test_filter_on_relationship_id(sandbox, api, make_app):
    app, other = make_app(), make_app()
    mine = sandbox.store.create("reviewSubmissions", {"platform": "IOS"}, {"app": app.ref})
    sandbox.store.create("reviewSubmissions", {"platform": "IOS"}, {"app": other.ref})
    document = api.get(f"{sandbox.url}/v1/reviewSubmissions?filter[app]={app.id}").json()
    assert [item["id"] for item in document["data"]] == [mine.id]


def test_sort_ascending_and_descending(sandbox, api, make_app):
    app = make_app()
    for version in ("2.0", "1.0", "3.0"):
        sandbox.store.create("betaGroups", {"name": f"Group {version}"}, {"app": app.ref})
    url = f"{sandbox.url}/v1/betaGroups?sort="
    names = [i["attributes"]["name"] for i in api.get(url + "name").json()["data"]]
    assert names == ["Group 1.0", "Group 2.0", "Group 3.0"]
    names = [i["attributes"]["name"] for i in api.get(url + "-name").json()["data"]]
    assert names == ["Group 3.0", "Group 2.0", "Group 1.0"]


def test_related_to_one_and_linkages(sandbox, api, make_app):
    app = make_app()
    version = _version(sandbox, app, "1.0")
    related = api.get(f"{sandbox.url}/v1/apps/{app.id}/appStoreVersions").json()
    assert [item["id"] for item in related["data"]] == [version.id]

    linkage = api.get(f"{sandbox.url}/v1/apps/{app.id}/relationships/appStoreVersions").json()
    assert linkage["data"] == [{"type": "appStoreVersions", "id": version.id}]
    assert linkage["meta"]["paging"]["total"] == 1

    detail = sandbox.store.create("appStoreReviewDetails", {}, {"appStoreVersion": version.ref})
    one = api.get(f"{sandbox.url}/v1/appStoreVersions/{version.id}/appStoreReviewDetail").json()
    assert one["data"]["id"] == detail.id
    url = f"{sandbox.url}/v1/appStoreVersions/{version.id}/relationships/appStoreReviewDetail"
    assert api.get(url).json()["data"] == {"type": "appStoreReviewDetails", "id": detail.id}


def test_unknown_id_is_not_found(sandbox, api):
    response = api.get(f"{sandbox.url}/v1/apps/does-not-exist")
    assert response.status_code == 404
    error = response.json()["errors"][0]
    assert error["code"] == "NOT_FOUND" and error["status"] == "404"
    assert "does-not-exist" in error["detail"]


def test_unknown_path_and_method(sandbox, api):
    response = api.get(f"{sandbox.url}/v1/nonsense", headers=INVALID)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NOT_FOUND"
    response = api.patch(f"{sandbox.url}/v1/appScreenshotSets/x", json={}, headers=INVALID)
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in response.headers["Allow"]


def test_seeded_reference_data_is_served(sandbox, api):
    document = api.get(f"{sandbox.url}/v1/territories?limit=200").json()
    assert document["meta"]["paging"]["total"] == len(sandbox.store.list("territories")) > 100
    usa = [t for t in document["data"] if t["id"] == "USA"]
    assert usa and usa[0]["attributes"]["currency"] == "USD"
