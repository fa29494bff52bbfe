"""Relationships as Apple renders them, and what the sandbox does not model refused honestly.

A client written against Apple follows ``links.related``, asks for linkage ``data`` with
``include``, and must be able to tell "no such resource" (404) from "this sandbox does not
do that" (501, ``NOT_MODELLED_BY_SANDBOX``).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from ascsync.sandbox import Sandbox
from ascsync.sandbox.api_errors import NOT_MODELLED_CODE
from ascsync.sandbox.spec_validator import SpecValidator
from tests.sandbox.conftest import authed
from tests.spec_audit import SPEC_PATH

needs_spec = pytest.mark.skipif(not SPEC_PATH.is_file(), reason="Apple's openapi.json is absent")


@pytest.fixture(scope="module")
def demo() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sandbox:
        yield sandbox


@pytest.fixture
def api(demo: Sandbox) -> Iterator[requests.Session]:
    with authed(demo) as session:
        yield session


def _app(demo: Sandbox) -> str:
    return demo.store.list("apps")[0].id


def _build_240(demo: Sandbox) -> str:
    return next(b.id for b in demo.store.list("builds") if b.attributes["version"] == "240")


# -- relationship objects ----------------------------------------------------------------


def test_relationships_carry_links_and_data_only_when_included(demo, api):
    version = api.get(f"{demo.url}/v1/apps/{_app(demo)}/appStoreVersions").json()["data"][0]
    relationships = version["relationships"]
    build = relationships["build"]
    assert set(build) == {"links"}
    assert build["links"]["related"] == f"{demo.url}/v1/appStoreVersions/{version['id']}/build"
    assert build["links"]["self"].endswith(f"/{version['id']}/relationships/build")
    # ``app`` has no links in Apple's schema: without include there is nothing to send.
    assert "app" not in relationships

    included = api.get(
        f"{demo.url}/v1/apps/{_app(demo)}/appStoreVersions",
        params={"include": "build,app,appStoreVersionLocalizations"},
    ).json()["data"][0]["relationships"]
    assert included["app"] == {"data": {"type": "apps", "id": _app(demo)}}
    assert included["build"]["data"]["type"] == "builds" and "links" in included["build"]
    localizations = included["appStoreVersionLocalizations"]
    assert localizations["meta"]["paging"]["total"] == len(localizations["data"]) > 1


def test_to_many_linkage_data_follows_limit_and_says_so_in_meta_paging(demo, api):
    version = next(
        v for v in demo.store.list("appStoreVersions") if v.attributes["versionString"] == "2.4.0"
    )
    document = api.get(
        f"{demo.url}/v1/appStoreVersions/{version.id}",
        params={
            "include": "appStoreVersionLocalizations",
            "limit[appStoreVersionLocalizations]": "1",
        },
    ).json()
    relationship = document["data"]["relationships"]["appStoreVersionLocalizations"]
    total = len(demo.store.related(version, "appStoreVersionLocalizations"))
    assert total > 1
    assert len(relationship["data"]) == 1
    assert relationship["meta"]["paging"] == {"total": total, "limit": 1}


def test_links_name_only_routes_that_exist_in_apples_spec(demo, api):
    """Apple's Build schema declares links for ``betaGroups``, but no route serves them."""
    build = api.get(f"{demo.url}/v1/builds/{_build_240(demo)}").json()["data"]
    assert "betaGroups" not in build["relationships"]  # no route: no links, no data
    power = build["relationships"]["perfPowerMetrics"]["links"]
    assert set(power) == {"related"}  # the spec has no .../relationships/perfPowerMetrics


def _all_links(document: dict) -> list[str]:
    return [
        url
        for relationship in document["data"]["relationships"].values()
        for url in relationship.get("links", {}).values()
    ]


@needs_spec
def test_every_link_of_an_app_and_a_build_is_in_the_spec_and_answers(demo, api):
    validator = SpecValidator.from_file(SPEC_PATH)
    links = _all_links(api.get(f"{demo.url}/v1/apps/{_app(demo)}").json())
    links += _all_links(api.get(f"{demo.url}/v1/builds/{_build_240(demo)}").json())
    assert len(links) > 60
    answers: dict[int, list[str]] = {}
    for url in links:
        path = urlsplit(url).path
        problems = validator.check("GET", path, [], None)
        # Some related routes need a filter (customerReviewSummarizations: platform);
        # following the bare link is then invalid on purpose, but the route exists.
        assert all(p.startswith("required query parameter") for p in problems), path
        response = api.get(url, headers=INVALID_OK if problems else {})
        answers.setdefault(response.status_code, []).append(path)
        if response.status_code == 200:
            assert validator.check_response("GET", path, 200, response.json()) == [], path
        else:
            assert response.json()["errors"][0]["code"] == NOT_MODELLED_CODE
    assert set(answers) <= {200, 501}, {k: v for k, v in answers.items() if k not in (200, 501)}
    served = {path.rsplit("/", 1)[1] for path in answers[200]}
    for walked in ("app", "preReleaseVersion", "buildBetaDetail", "appStoreVersions", "builds"):
        assert walked in served


# -- served, or honestly refused -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/ciProducts",  # a whole resource kind the sandbox does not model
        "/v1/apps/{app}/ciProduct",  # a related route of a modelled kind
        "/v1/apps/{app}/perfPowerMetrics",
        "/v1/apps/{app}/appClips",
        "/v1/apps/{app}/relationships/inAppPurchases",  # legacy v1 IAPs
        "/v3/appPricePoints/{point}/equalizations",  # not computed: never an empty list
        "/v1/appPriceSchedules/{app}/automaticPrices",
    ],
)
def test_a_spec_route_the_sandbox_does_not_model_answers_501(demo, api, path):
    point = demo.store.list("appPricePoints")[0].id
    response = api.get(demo.url + path.format(app=_app(demo), point=point))
    assert response.status_code == 501
    (error,) = response.json()["errors"]
    assert error["status"] == "501" and error["code"] == NOT_MODELLED_CODE
    assert "not modelled by the ascsync sandbox" in error["detail"]


def test_a_method_the_sandbox_does_not_model_is_refused_but_one_apple_lacks_is_405(demo, api):
    app = _app(demo)
    refused = api.delete(f"{demo.url}/v1/betaAppReviewSubmissions/x", headers=INVALID_OK)
    assert refused.status_code == 405  # Apple has no DELETE there either
    assert "GET" in refused.headers["Allow"]
    create_app = api.post(f"{demo.url}/v1/apps/{app}/appStoreVersions", json={}, headers=INVALID_OK)
    assert create_app.status_code == 405


INVALID_OK = {"X-Sandbox-Expect-Invalid": "1"}


def test_a_path_apple_does_not_have_is_404(demo, api):
    response = api.get(f"{demo.url}/v1/noSuchResources", headers=INVALID_OK)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "path, parameter",
    [
        ("/v1/apps?include=ciProduct", "include"),
        ("/v1/apps?include=appStoreVersions,appClips", "include"),
        ("/v1/apps?exists[gameCenterEnabledVersions]=true", "exists[gameCenterEnabledVersions]"),
        ("/v1/builds?sort=-preReleaseVersion", "sort"),
        ("/v1/apps/{app}/appPriceSchedule?include=automaticPrices", "include"),
        (
            "/v1/builds?filter[betaAppReviewSubmission.betaReviewState]=WAITING_FOR_REVIEW"
            "&filter[buildAudienceType]=INTERNAL_ONLY&include=icons",
            "include",
        ),
    ],
)
def test_a_parameter_on_an_unmodelled_relationship_is_refused_not_matched_to_nothing(
    demo, api, path, parameter
):
    response = api.get(demo.url + path.format(app=_app(demo)))
    assert response.status_code == 501, response.text
    errors = response.json()["errors"]
    assert [e["source"]["parameter"] for e in errors] == [parameter]
    assert errors[0]["code"] == NOT_MODELLED_CODE


def test_filters_on_modelled_relationships_find_what_exists(demo, api):
    found = api.get(
        f"{demo.url}/v1/builds",
        params={"filter[preReleaseVersion.version]": "2.4.0", "filter[app]": _app(demo)},
    ).json()["data"]
    assert [b["attributes"]["version"] for b in found] == ["240", "241"]
    encrypted = api.get(
        f"{demo.url}/v1/builds", params={"exists[usesNonExemptEncryption]": "true"}
    ).json()["data"]
    # every demo build has an answer but 241, which is "Missing Compliance" on purpose
    answered = [b for b in demo.store.list("builds") if b.attributes["version"] != "241"]
    assert len(encrypted) == len(answered)


def test_include_gives_linkage_to_primary_data_only(demo, api):
    """include=app,build names relationships of the versions, not of the included build."""
    document = api.get(
        f"{demo.url}/v1/apps/{_app(demo)}/appStoreVersions", params={"include": "app,build"}
    ).json()
    builds = [r for r in document["included"] if r["type"] == "builds"]
    assert builds
    for build in builds:
        assert set(build["relationships"]["app"]) == {"links"}


def test_unset_attributes_are_null_not_missing(demo, api):
    build = api.get(f"{demo.url}/v1/builds/{_build_240(demo)}").json()["data"]["attributes"]
    assert "iconAssetToken" in build and build["iconAssetToken"] is None
    assert "lsMinimumSystemVersion" in build and build["lsMinimumSystemVersion"] is None
