"""Apple's content rules on writes: text limits, and texts locked while a version is reviewed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from ascsync.sandbox import Sandbox
from tests.sandbox.conftest import authed

APP = "1000000077"
SEED: dict[str, Any] = {
    "apps": [
        {
            "id": APP,
            "bundleId": "com.example.texts",
            "name": "Texts",
            "appInfo": {
                "primaryCategory": "BOOKS",
                "localizations": {
                    "en-US": {"name": "Texts", "subtitle": "Read more"},
                    "ar-SA": {"name": "نصوص", "subtitle": "اقرأ أكثر"},
                },
            },
            "builds": [{"version": "5"}],
            "versions": [
                {"versionString": "1.0", "state": "READY_FOR_DISTRIBUTION"},
                {
                    "versionString": "1.1",
                    "build": "5",
                    "localizations": {
                        "en-US": {"description": "Read.", "keywords": "books,reading"},
                        "ar-SA": {"description": "اقرأ.", "keywords": "كتب"},
                    },
                },
            ],
        }
    ]
}


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    with Sandbox(seed=SEED) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(shared: Sandbox) -> Sandbox:
    shared.reset()
    return shared


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[requests.Session]:
    with authed(sandbox) as session:
        yield session


def localization(sandbox: Sandbox, type_: str, locale: str) -> str:
    found = [r for r in sandbox.store.list(type_) if r.attributes.get("locale") == locale]
    if type_ == "appStoreVersionLocalizations":
        found = [
            r
            for r in found
            if sandbox.store.related(r, "appStoreVersion")[0].attributes["versionString"] == "1.1"
        ]
    return found[0].id


def patch(sandbox, api, type_: str, id_: str, **attributes: Any) -> requests.Response:
    body = {"data": {"type": type_, "id": id_, "attributes": attributes}}
    return api.patch(f"{sandbox.url}/v1/{type_}/{id_}", json=body)


# -- lengths ---------------------------------------------------------------------------------


def test_a_107_character_keywords_string_is_refused_and_not_stored(sandbox, api):
    loc = localization(sandbox, "appStoreVersionLocalizations", "en-US")
    keywords = ",".join(["bookshelf"] * 10) + ",reading"  # 107 characters
    assert len(keywords) == 107
    response = patch(sandbox, api, "appStoreVersionLocalizations", loc, keywords=keywords)
    assert response.status_code == 409
    (error,) = response.json()["errors"]
    assert error["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG"
    assert error["title"] == "An attribute value is too long."
    assert error["detail"].startswith("Keywords for en-US cannot be longer than 100 characters")
    assert error["source"] == {"pointer": "/data/attributes/keywords"}
    stored = api.get(f"{sandbox.url}/v1/appStoreVersionLocalizations/{loc}").json()
    assert stored["data"]["attributes"]["keywords"] == "books,reading"


def test_keywords_count_characters_not_bytes(sandbox, api):
    loc = localization(sandbox, "appStoreVersionLocalizations", "ar-SA")
    arabic = ("كتب,قراءة,روايات," * 6)[:91]  # 91 characters, 160+ UTF-8 bytes
    assert len(arabic.encode()) > 150
    response = patch(sandbox, api, "appStoreVersionLocalizations", loc, keywords=arabic)
    assert response.status_code == 200, response.text
    exactly = "k" * 100
    assert (
        patch(sandbox, api, "appStoreVersionLocalizations", loc, keywords=exactly).status_code
        == 200
    )


def test_every_text_over_its_limit_is_reported_at_once(sandbox, api):
    loc = localization(sandbox, "appStoreVersionLocalizations", "en-US")
    response = patch(
        sandbox,
        api,
        "appStoreVersionLocalizations",
        loc,
        description="D" * 4001,
        promotionalText="P" * 171,
        keywords="fine,words",
    )
    assert response.status_code == 409
    pointers = sorted(e["source"]["pointer"] for e in response.json()["errors"])
    assert pointers == ["/data/attributes/description", "/data/attributes/promotionalText"]


def test_app_name_and_subtitle_limits(sandbox, api):
    loc = localization(sandbox, "appInfoLocalizations", "en-US")
    response = patch(sandbox, api, "appInfoLocalizations", loc, name="T", subtitle="S" * 31)
    assert response.status_code == 409
    codes = {e["source"]["pointer"]: e["code"] for e in response.json()["errors"]}
    assert codes == {
        "/data/attributes/name": "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_SHORT",
        "/data/attributes/subtitle": "ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG",
    }
    ok = patch(sandbox, api, "appInfoLocalizations", loc, name="N" * 30, subtitle="S" * 30)
    assert ok.status_code == 200


def test_a_product_with_a_long_reference_name_is_not_created(sandbox, api):
    body = {
        "data": {
            "type": "inAppPurchases",
            "attributes": {
                "name": "Lifetime access to every film, series and documentary in the catalog",
                "productId": "com.example.texts.lifetime",
                "inAppPurchaseType": "NON_CONSUMABLE",
            },
            "relationships": {"app": {"data": {"type": "apps", "id": APP}}},
        }
    }
    response = api.post(f"{sandbox.url}/v2/inAppPurchases", json=body)
    assert response.status_code == 409
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/name"
    assert sandbox.store.list("inAppPurchases") == []


def test_what_to_test_counts_bytes(sandbox, api):
    build = sandbox.store.list("builds")[0]
    body = {
        "data": {
            "type": "betaBuildLocalizations",
            "attributes": {"locale": "fr-FR", "whatsNew": "é" * 2001},  # 4002 bytes
            "relationships": {"build": {"data": {"type": "builds", "id": build.id}}},
        }
    }
    response = api.post(f"{sandbox.url}/v1/betaBuildLocalizations", json=body)
    assert response.status_code == 409
    assert "4000 bytes" in response.json()["errors"][0]["detail"]


# -- locked while in review ------------------------------------------------------------------


def submit_for_review(sandbox: Sandbox, api: requests.Session) -> str:
    version = next(
        v for v in sandbox.store.list("appStoreVersions") if v.attributes["versionString"] == "1.1"
    )
    created = api.post(
        f"{sandbox.url}/v1/reviewSubmissions",
        json={
            "data": {
                "type": "reviewSubmissions",
                "attributes": {"platform": "IOS"},
                "relationships": {"app": {"data": {"type": "apps", "id": APP}}},
            }
        },
    )
    submission = created.json()["data"]["id"]
    item = api.post(
        f"{sandbox.url}/v1/reviewSubmissionItems",
        json={
            "data": {
                "type": "reviewSubmissionItems",
                "relationships": {
                    "reviewSubmission": {"data": {"type": "reviewSubmissions", "id": submission}},
                    "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version.id}},
                },
            }
        },
    )
    assert item.status_code == 201, item.text
    body = {
        "data": {"type": "reviewSubmissions", "id": submission, "attributes": {"submitted": True}}
    }
    sent = api.patch(f"{sandbox.url}/v1/reviewSubmissions/{submission}", json=body)
    assert sent.status_code == 200, sent.text
    return submission


def test_app_info_and_version_text_are_locked_while_waiting_for_review(sandbox, api):
    submission = submit_for_review(sandbox, api)
    info = api.get(f"{sandbox.url}/v1/apps/{APP}/appInfos").json()["data"][0]
    assert info["attributes"]["state"] == "WAITING_FOR_REVIEW"

    subtitle = patch(
        sandbox,
        api,
        "appInfoLocalizations",
        localization(sandbox, "appInfoLocalizations", "en-US"),
        subtitle="Read even more",
    )
    assert subtitle.status_code == 409
    error = subtitle.json()["errors"][0]
    assert error["code"] == "STATE_ERROR"
    assert error["detail"] == "Attribute 'subtitle' cannot be edited at this time"
    texts = localization(sandbox, "appStoreVersionLocalizations", "en-US")
    both = patch(
        sandbox, api, "appStoreVersionLocalizations", texts, description="New", keywords="new"
    )
    assert both.status_code == 409
    assert [(e["code"], e["source"]["pointer"]) for e in both.json()["errors"]] == [
        ("STATE_ERROR", "/data/attributes/description"),
        ("STATE_ERROR", "/data/attributes/keywords"),
    ]
    # Promotional text is editable at any time [A].
    promo = patch(sandbox, api, "appStoreVersionLocalizations", texts, promotionalText="Now 2x")
    assert promo.status_code == 200

    cancel = {
        "data": {"type": "reviewSubmissions", "id": submission, "attributes": {"canceled": True}}
    }
    assert api.patch(f"{sandbox.url}/v1/reviewSubmissions/{submission}", json=cancel).ok
    again = patch(
        sandbox,
        api,
        "appInfoLocalizations",
        localization(sandbox, "appInfoLocalizations", "en-US"),
        subtitle="Read even more",
    )
    assert again.status_code == 200, again.text


def test_a_seeded_version_in_review_locks_the_app_info():
    seed = {"apps": [dict(SEED["apps"][0])]}
    seed["apps"][0]["versions"] = [
        {"versionString": "1.0", "state": "READY_FOR_DISTRIBUTION"},
        {"versionString": "1.1", "state": "IN_REVIEW"},
    ]
    with Sandbox(seed=seed) as sandbox, authed(sandbox) as api:
        loc = localization(sandbox, "appInfoLocalizations", "ar-SA")
        response = patch(sandbox, api, "appInfoLocalizations", loc, name="كتب")
        assert response.status_code == 409
        assert response.json()["errors"][0]["code"] == "STATE_ERROR"
