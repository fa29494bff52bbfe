"""Apple's state rules, as a client sees them over HTTP from a sandbox with default hooks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from ascsync.sandbox import Sandbox
from ascsync.sandbox.rules import EDITABLE_VERSION_STATES
from ascsync.sandbox.store import Resource

SEED: dict[str, Any] = {
    "apps": [
        {
            "id": "1000000001",
            "bundleId": "com.example.live",
            "name": "Live App",
            "primaryLocale": "en-US",
            "appInfo": {
                "primaryCategory": "ENTERTAINMENT",
                "localizations": {"en-US": {"name": "Live App"}},
            },
            "builds": [{"version": "10"}, {"version": "11", "processingState": "PROCESSING"}],
            "versions": [
                {
                    "versionString": "1.0",
                    "state": "READY_FOR_DISTRIBUTION",
                    "createdDate": "2026-01-01T00:00:00Z",
                    "localizations": {
                        "en-US": {"description": "Live text", "whatsNew": "First!"},
                        "de-DE": {"description": "Live Text"},
                    },
                },
                {
                    "versionString": "1.1",
                    "state": "PREPARE_FOR_SUBMISSION",
                    "createdDate": "2026-02-01T00:00:00Z",
                    "localizations": {
                        "en-US": {
                            "description": "Draft",
                            "screenshots": {
                                "APP_IPHONE_67": [
                                    {
                                        "fileName": "a.png",
                                        "checksum": "0" * 32,
                                        "fileSize": 10,
                                        "width": 1290,
                                        "height": 2796,
                                    }
                                ]
                            },
                        },
                        "de-DE": {"description": "Entwurf"},
                    },
                },
            ],
            "inAppPurchases": [
                {"productId": "com.example.live.pro", "name": "Pro", "type": "NON_CONSUMABLE"}
            ],
            "subscriptionGroups": [{"referenceName": "Plus"}],
            "betaGroups": [
                {"name": "Internal QA", "isInternalGroup": True, "testers": [{"email": "a@x.io"}]}
            ],
        },
        {
            "id": "1000000002",
            "bundleId": "com.example.first",
            "name": "First App",
            "builds": [{"version": "1"}],
            "versions": [{"versionString": "1.0", "localizations": {"en-US": {}}}],
        },
        {
            "id": "1000000003",
            "bundleId": "com.example.review",
            "name": "In Review App",
            "appInfo": {"localizations": {"en-US": {"name": "In Review"}}},
            "versions": [
                {
                    "versionString": "1.0",
                    "state": "READY_FOR_DISTRIBUTION",
                    "createdDate": "2026-01-01T00:00:00Z",
                },
                {
                    "versionString": "1.1",
                    "state": "WAITING_FOR_REVIEW",
                    "createdDate": "2026-02-01T00:00:00Z",
                    "localizations": {"en-US": {"description": "Frozen", "promotionalText": "P"}},
                },
            ],
        },
        {"id": "1000000004", "bundleId": "com.example.new", "name": "Brand New", "sku": "NEW"},
    ]
}

LIVE, FIRST, REVIEW, NEW = "1000000001", "1000000002", "1000000003", "1000000004"


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
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {sandbox.token()}"
        session.base = sandbox.url  # type: ignore[attr-defined]
        yield session


# -- helpers -------------------------------------------------------------------------------


def version(sandbox: Sandbox, app_id: str, version_string: str) -> Resource:
    """Test setup looks ids up in the store; every assertion goes through HTTP."""
    for v in sandbox.store.list("appStoreVersions"):
        if v.relationships.get("app") == ("apps", app_id) and (
            v.attributes["versionString"] == version_string
        ):
            return v
    raise LookupError(version_string)


def localization(sandbox: Sandbox, app_id: str, version_string: str, locale: str) -> Resource:
    owner = version(sandbox, app_id, version_string)
    for loc in sandbox.store.related(owner, "appStoreVersionLocalizations"):
        if loc.attributes["locale"] == locale:
            return loc
    raise LookupError(locale)


def body(type_: str, attributes: dict | None = None, id_: str | None = None, **rels: Any) -> dict:
    data: dict[str, Any] = {"type": type_}
    if id_ is not None:
        data["id"] = id_
    if attributes is not None:
        data["attributes"] = attributes
    if rels:
        data["relationships"] = {
            name: {"data": {"type": target[0], "id": target[1]}} for name, target in rels.items()
        }
    return {"data": data}


def post(api: requests.Session, path: str, payload: dict) -> requests.Response:
    return api.post(f"{api.base}{path}", json=payload)  # type: ignore[attr-defined]


def patch(api: requests.Session, type_: str, id_: str, attributes: dict) -> requests.Response:
    url = f"{api.base}/v1/{type_}/{id_}"  # type: ignore[attr-defined]
    return api.patch(url, json=body(type_, attributes, id_))


def get(api: requests.Session, path: str) -> requests.Response:
    return api.get(f"{api.base}{path}")  # type: ignore[attr-defined]


def error(response: requests.Response) -> dict:
    assert response.status_code == 409, response.text
    return response.json()["errors"][0]


# -- whatsNew on a first version ------------------------------------------------------------


def test_whats_new_is_refused_on_the_first_version(sandbox: Sandbox, api) -> None:
    loc = localization(sandbox, FIRST, "1.0", "en-US")
    err = error(patch(api, "appStoreVersionLocalizations", loc.id, {"whatsNew": "Hi"}))
    assert err["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID"
    assert err["source"] == {"pointer": "/data/attributes/whatsNew"}

    created = post(
        api,
        "/v1/appStoreVersionLocalizations",
        body(
            "appStoreVersionLocalizations",
            {"locale": "fr-FR", "whatsNew": "Salut"},
            appStoreVersion=("appStoreVersions", version(sandbox, FIRST, "1.0").id),
        ),
    )
    assert error(created)["source"]["pointer"] == "/data/attributes/whatsNew"


def test_whats_new_is_accepted_once_a_version_was_released(sandbox: Sandbox, api) -> None:
    loc = localization(sandbox, LIVE, "1.1", "en-US")
    response = patch(api, "appStoreVersionLocalizations", loc.id, {"whatsNew": "Dark mode"})
    assert response.status_code == 200, response.text
    fetched = get(api, f"/v1/appStoreVersionLocalizations/{loc.id}").json()
    assert fetched["data"]["attributes"]["whatsNew"] == "Dark mode"


# -- editable version states -----------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    sorted(EDITABLE_VERSION_STATES)
    + ["WAITING_FOR_REVIEW", "IN_REVIEW", "READY_FOR_DISTRIBUTION", "PENDING_DEVELOPER_RELEASE"],
)
def test_version_text_is_editable_only_in_editable_states(sandbox: Sandbox, api, state) -> None:
    sandbox.store.update(version(sandbox, LIVE, "1.1"), {"appVersionState": state})
    loc = localization(sandbox, LIVE, "1.1", "en-US")

    response = patch(api, "appStoreVersionLocalizations", loc.id, {"description": "New text"})

    if state in EDITABLE_VERSION_STATES:
        assert response.status_code == 200, response.text
    else:
        err = error(response)
        assert err["code"] == "STATE_ERROR"
        assert err["detail"] == "Attribute 'description' cannot be edited at this time"
        current = get(api, f"/v1/appStoreVersionLocalizations/{loc.id}").json()
        assert current["data"]["attributes"]["description"] == "Draft"


def test_promotional_text_is_editable_in_any_state(sandbox: Sandbox, api) -> None:
    loc = localization(sandbox, REVIEW, "1.1", "en-US")
    response = patch(api, "appStoreVersionLocalizations", loc.id, {"promotionalText": "Sale!"})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["attributes"]["promotionalText"] == "Sale!"


def test_screenshots_cannot_change_on_a_version_in_review(sandbox: Sandbox, api) -> None:
    loc = localization(sandbox, REVIEW, "1.1", "en-US")
    response = post(
        api,
        "/v1/appScreenshotSets",
        body(
            "appScreenshotSets",
            {"screenshotDisplayType": "APP_IPHONE_67"},
            appStoreVersionLocalization=("appStoreVersionLocalizations", loc.id),
        ),
    )
    assert error(response)["code"] == "STATE_ERROR"


def test_version_attributes_are_locked_after_submission(sandbox: Sandbox, api) -> None:
    live = version(sandbox, LIVE, "1.0")
    err = error(patch(api, "appStoreVersions", live.id, {"copyright": "2027 Someone"}))
    assert err["title"] == "An attribute value is not acceptable for the current resource state."
    assert err["source"]["pointer"] == "/data/attributes/copyright"


# -- locales ---------------------------------------------------------------------------------


def new_localization(api, sandbox: Sandbox, locale: str) -> requests.Response:
    owner = version(sandbox, LIVE, "1.1")
    return post(
        api,
        "/v1/appStoreVersionLocalizations",
        body(
            "appStoreVersionLocalizations",
            {"locale": locale, "description": "Texte"},
            appStoreVersion=("appStoreVersions", owner.id),
        ),
    )


def test_a_locale_apple_does_not_offer_is_refused(sandbox: Sandbox, api) -> None:
    err = error(new_localization(api, sandbox, "de"))
    assert err["source"] == {"pointer": "/data/attributes/locale"}
    assert "'de'" in err["detail"]


def test_a_second_localization_for_the_same_locale_is_refused(sandbox: Sandbox, api) -> None:
    assert "already exists" in error(new_localization(api, sandbox, "de-DE"))["detail"]


def test_a_new_locale_is_created(sandbox: Sandbox, api) -> None:
    response = new_localization(api, sandbox, "fr-FR")
    assert response.status_code == 201, response.text
    owner = version(sandbox, LIVE, "1.1")
    listed = get(api, f"/v1/appStoreVersions/{owner.id}/appStoreVersionLocalizations").json()
    assert sorted(d["attributes"]["locale"] for d in listed["data"]) == ["de-DE", "en-US", "fr-FR"]


def test_the_primary_locale_cannot_be_deleted(sandbox: Sandbox, api) -> None:
    loc = localization(sandbox, LIVE, "1.1", "en-US")
    response = api.delete(f"{api.base}/v1/appStoreVersionLocalizations/{loc.id}")
    assert error(response)["code"] == "STATE_ERROR"


def test_deleting_a_localization_removes_its_screenshot_sets(sandbox: Sandbox, api) -> None:
    owner = version(sandbox, LIVE, "1.1")
    de = localization(sandbox, LIVE, "1.1", "de-DE")
    made = post(
        api,
        "/v1/appScreenshotSets",
        body(
            "appScreenshotSets",
            {"screenshotDisplayType": "APP_IPAD_PRO_3GEN_129"},
            appStoreVersionLocalization=("appStoreVersionLocalizations", de.id),
        ),
    )
    set_id = made.json()["data"]["id"]

    assert api.delete(f"{api.base}/v1/appStoreVersionLocalizations/{de.id}").status_code == 204

    assert get(api, f"/v1/appScreenshotSets/{set_id}").status_code == 404
    listed = get(api, f"/v1/appStoreVersions/{owner.id}/appStoreVersionLocalizations").json()
    assert [d["attributes"]["locale"] for d in listed["data"]] == ["en-US"]


# -- set limits ----------------------------------------------------------------------------


def reserve(api, kind: str, set_id: str, name: str) -> requests.Response:
    rel = "appScreenshotSet" if kind == "appScreenshots" else "appPreviewSet"
    return post(
        api,
        f"/v1/{kind}",
        body(kind, {"fileName": name, "fileSize": 1000}, **{rel: (f"{rel}s", set_id)}),
    )


@pytest.mark.parametrize(
    ("set_type", "kind_attr", "kind", "item", "limit"),
    [
        (
            "appScreenshotSets",
            "screenshotDisplayType",
            "APP_IPAD_PRO_3GEN_129",
            "appScreenshots",
            10,
        ),
        ("appPreviewSets", "previewType", "IPHONE_67", "appPreviews", 3),
    ],
)
def test_a_set_holds_at_most_ten_screenshots_or_three_previews(
    sandbox: Sandbox, api, set_type, kind_attr, kind, item, limit
) -> None:
    loc = localization(sandbox, LIVE, "1.1", "en-US")
    made = post(
        api,
        f"/v1/{set_type}",
        body(
            set_type,
            {kind_attr: kind},
            appStoreVersionLocalization=("appStoreVersionLocalizations", loc.id),
        ),
    )
    set_id = made.json()["data"]["id"]
    extension = "png" if item == "appScreenshots" else "mp4"
    for n in range(limit):
        assert reserve(api, item, set_id, f"{n}.{extension}").status_code == 201

    err = error(reserve(api, item, set_id, f"extra.{extension}"))
    assert err["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    assert str(limit) in err["detail"]


def test_one_screenshot_set_per_display_type(sandbox: Sandbox, api) -> None:
    loc = localization(sandbox, LIVE, "1.1", "en-US")
    response = post(
        api,
        "/v1/appScreenshotSets",
        body(
            "appScreenshotSets",
            {"screenshotDisplayType": "APP_IPHONE_67"},
            appStoreVersionLocalization=("appStoreVersionLocalizations", loc.id),
        ),
    )
    assert error(response)["source"]["pointer"] == "/data/attributes/screenshotDisplayType"


# -- new versions --------------------------------------------------------------------------


def create_version(api, app_id: str, version_string: str) -> requests.Response:
    return post(
        api,
        "/v1/appStoreVersions",
        body(
            "appStoreVersions",
            {"platform": "IOS", "versionString": version_string},
            app=("apps", app_id),
        ),
    )


def test_no_new_version_while_another_is_editable(sandbox: Sandbox, api) -> None:
    err = error(create_version(api, LIVE, "1.2"))
    assert err["detail"] == "You cannot create a new version of the App in the current state."
    assert err["source"] == {"pointer": "/data/relationships/app"}


def test_no_new_version_while_one_waits_for_review(sandbox: Sandbox, api) -> None:
    assert error(create_version(api, REVIEW, "1.2"))["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"


def test_a_new_version_starts_editable_with_the_previous_text(sandbox: Sandbox, api) -> None:
    draft = version(sandbox, LIVE, "1.1")
    assert api.delete(f"{api.base}/v1/appStoreVersions/{draft.id}").status_code == 204

    response = create_version(api, LIVE, "1.2")

    assert response.status_code == 201, response.text
    attributes = response.json()["data"]["attributes"]
    assert attributes["appVersionState"] == "PREPARE_FOR_SUBMISSION"
    assert attributes["createdDate"]
    new_id = response.json()["data"]["id"]
    locs = get(api, f"/v1/appStoreVersions/{new_id}/appStoreVersionLocalizations").json()["data"]
    by_locale = {d["attributes"]["locale"]: d["attributes"] for d in locs}
    assert by_locale["en-US"]["description"] == "Live text"
    assert by_locale["en-US"]["whatsNew"] is None
    assert set(by_locale) == {"en-US", "de-DE"}
    listed = get(api, f"/v1/apps/{LIVE}/appStoreVersions").json()["data"]
    assert {d["attributes"]["versionString"] for d in listed} == {"1.0", "1.2"}


def test_a_reused_version_number_is_refused(sandbox: Sandbox, api) -> None:
    draft = version(sandbox, LIVE, "1.1")
    api.delete(f"{api.base}/v1/appStoreVersions/{draft.id}")
    assert error(create_version(api, LIVE, "1.0"))["source"]["pointer"].endswith("versionString")


def test_an_apps_first_version_gets_its_primary_locale(sandbox: Sandbox, api) -> None:
    response = create_version(api, NEW, "1.0")
    assert response.status_code == 201, response.text
    new_id = response.json()["data"]["id"]
    locs = get(api, f"/v1/appStoreVersions/{new_id}/appStoreVersionLocalizations").json()["data"]
    assert [d["attributes"]["locale"] for d in locs] == ["en-US"]


def test_a_live_version_cannot_be_deleted(sandbox: Sandbox, api) -> None:
    live = version(sandbox, LIVE, "1.0")
    assert error(api.delete(f"{api.base}/v1/appStoreVersions/{live.id}"))["code"] == "STATE_ERROR"


# -- unique names ----------------------------------------------------------------------------


def create_iap(api, product_id: str) -> requests.Response:
    return post(
        api,
        "/v2/inAppPurchases",
        body(
            "inAppPurchases",
            {"name": "Thing", "productId": product_id, "inAppPurchaseType": "CONSUMABLE"},
            app=("apps", LIVE),
        ),
    )


def test_in_app_purchase_product_ids_are_unique(sandbox: Sandbox, api) -> None:
    err = error(create_iap(api, "com.example.live.pro"))
    assert "has already been used" in err["detail"]
    assert err["source"] == {"pointer": "/data/attributes/productId"}


def test_a_new_in_app_purchase_is_created_missing_metadata(sandbox: Sandbox, api) -> None:
    response = create_iap(api, "com.example.live.coins")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["attributes"]["state"] == "MISSING_METADATA"
    listed = get(api, f"/v1/apps/{LIVE}/inAppPurchasesV2").json()["data"]
    assert {d["attributes"]["productId"] for d in listed} == {
        "com.example.live.pro",
        "com.example.live.coins",
    }


def test_a_subscription_cannot_reuse_an_in_app_purchase_product_id(sandbox: Sandbox, api) -> None:
    group = sandbox.store.list("subscriptionGroups")[0]
    response = post(
        api,
        "/v1/subscriptions",
        body(
            "subscriptions",
            {"name": "Pro monthly", "productId": "com.example.live.pro"},
            group=("subscriptionGroups", group.id),
        ),
    )
    assert "has already been used" in error(response)["detail"]


@pytest.mark.parametrize("name", ["Internal QA", "internal qa "])
def test_beta_group_names_are_unique_per_app(sandbox: Sandbox, api, name: str) -> None:
    response = post(api, "/v1/betaGroups", body("betaGroups", {"name": name}, app=("apps", LIVE)))
    assert "has already been used" in error(response)["detail"]


def test_a_beta_group_with_a_new_name_is_created(sandbox: Sandbox, api) -> None:
    response = post(
        api, "/v1/betaGroups", body("betaGroups", {"name": "Public"}, app=("apps", LIVE))
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["attributes"]["isInternalGroup"] is False
    names = {
        d["attributes"]["name"] for d in get(api, f"/v1/apps/{LIVE}/betaGroups").json()["data"]
    }
    assert names == {"Internal QA", "Public"}


# -- app info --------------------------------------------------------------------------------


def info_localization(sandbox: Sandbox, app_id: str) -> Resource:
    for loc in sandbox.store.list("appInfoLocalizations"):
        info = sandbox.store.related(loc, "appInfo")[0]
        if info.relationships.get("app") == ("apps", app_id):
            return loc
    raise LookupError(app_id)


def test_app_name_is_editable_only_while_a_version_is_prepared(sandbox: Sandbox, api) -> None:
    editable = patch(
        api, "appInfoLocalizations", info_localization(sandbox, LIVE).id, {"name": "Xylo"}
    )
    assert editable.status_code == 200, editable.text
    locked = patch(
        api, "appInfoLocalizations", info_localization(sandbox, REVIEW).id, {"subtitle": "Y"}
    )
    assert error(locked)["detail"] == "Attribute 'subtitle' cannot be edited at this time"


def set_categories(api, info_id: str, **slots: str) -> requests.Response:
    payload = body("appInfos", id_=info_id, **{k: ("appCategories", v) for k, v in slots.items()})
    return api.patch(f"{api.base}/v1/appInfos/{info_id}", json=payload)


def test_subcategories_must_belong_to_their_category(sandbox: Sandbox, api) -> None:
    info = sandbox.store.related(sandbox.store.get("apps", LIVE), "appInfos")[0]
    wrong = set_categories(api, info.id, primarySubcategoryOne="GAMES_ACTION")
    assert error(wrong)["source"] == {"pointer": "/data/relationships/primarySubcategoryOne"}
    right = set_categories(
        api, info.id, primaryCategory="GAMES", primarySubcategoryOne="GAMES_ACTION"
    )
    assert right.status_code == 200, right.text
    included = get(api, f"/v1/appInfos/{info.id}/primaryCategory").json()
    assert included["data"]["id"] == "GAMES"


# -- review submissions ----------------------------------------------------------------------


def test_submitting_for_review_locks_the_version(sandbox: Sandbox, api) -> None:
    draft = version(sandbox, LIVE, "1.1")
    submission = post(
        api,
        "/v1/reviewSubmissions",
        body("reviewSubmissions", {"platform": "IOS"}, app=("apps", LIVE)),
    )
    assert submission.status_code == 201, submission.text
    submission_id = submission.json()["data"]["id"]
    item = post(
        api,
        "/v1/reviewSubmissionItems",
        body(
            "reviewSubmissionItems",
            reviewSubmission=("reviewSubmissions", submission_id),
            appStoreVersion=("appStoreVersions", draft.id),
        ),
    )
    assert item.status_code == 201, item.text

    submitted = patch(api, "reviewSubmissions", submission_id, {"submitted": True})

    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["data"]["attributes"]["state"] == "WAITING_FOR_REVIEW"
    state = get(api, f"/v1/appStoreVersions/{draft.id}").json()["data"]["attributes"]
    assert state["appVersionState"] == "WAITING_FOR_REVIEW"
    loc = localization(sandbox, LIVE, "1.1", "en-US")
    assert error(patch(api, "appStoreVersionLocalizations", loc.id, {"keywords": "a,b"}))


def test_an_empty_review_submission_cannot_be_submitted(sandbox: Sandbox, api) -> None:
    submission = post(
        api,
        "/v1/reviewSubmissions",
        body("reviewSubmissions", {"platform": "IOS"}, app=("apps", LIVE)),
    )
    submission_id = submission.json()["data"]["id"]
    assert error(patch(api, "reviewSubmissions", submission_id, {"submitted": True}))


# -- what hangs off an app, and what Apple fills in --------------------------------------------


def test_every_app_has_an_app_info_with_an_age_rating(sandbox: Sandbox, api) -> None:
    [info] = get(api, f"/v1/apps/{NEW}/appInfos").json()["data"]
    rating = get(api, f"/v1/appInfos/{info['id']}/ageRatingDeclaration").json()["data"]
    assert rating["attributes"]["violenceRealistic"] == "NONE"
    assert rating["attributes"]["gambling"] is False


def test_age_rating_is_editable_only_with_the_app_info(sandbox: Sandbox, api) -> None:
    def rating_of(app_id: str) -> str:
        [info] = get(api, f"/v1/apps/{app_id}/appInfos").json()["data"]
        return get(api, f"/v1/appInfos/{info['id']}/ageRatingDeclaration").json()["data"]["id"]

    editable = patch(api, "ageRatingDeclarations", rating_of(LIVE), {"lootBox": True})
    assert editable.status_code == 200, editable.text
    assert editable.json()["data"]["attributes"]["lootBox"] is True
    assert error(patch(api, "ageRatingDeclarations", rating_of(REVIEW), {"lootBox": True}))


def test_a_tester_invited_to_a_group_is_invited_to_its_app(sandbox: Sandbox, api) -> None:
    group = sandbox.store.list("betaGroups")[0]
    payload = {
        "data": {
            "type": "betaTesters",
            "attributes": {"email": "new.tester@example.com", "firstName": "New"},
            "relationships": {"betaGroups": {"data": [{"type": "betaGroups", "id": group.id}]}},
        }
    }
    response = post(api, "/v1/betaTesters", payload)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["attributes"]["state"] == "INVITED"
    tester_id = response.json()["data"]["id"]
    apps = get(api, f"/v1/betaTesters/{tester_id}/apps").json()["data"]
    assert [a["id"] for a in apps] == [LIVE]
    members = get(api, f"/v1/betaGroups/{group.id}/betaTesters").json()["data"]
    assert tester_id in {m["id"] for m in members}


def test_a_known_tester_email_is_refused(sandbox: Sandbox, api) -> None:
    response = post(api, "/v1/betaTesters", body("betaTesters", {"email": "A@x.io"}))
    assert "has already been used" in error(response)["detail"]


def test_a_version_has_one_review_detail(sandbox: Sandbox, api) -> None:
    draft = ("appStoreVersions", version(sandbox, LIVE, "1.1").id)
    attributes = {"contactEmail": "review@example.com"}
    first = post(
        api,
        "/v1/appStoreReviewDetails",
        body("appStoreReviewDetails", attributes, appStoreVersion=draft),
    )
    assert first.status_code == 201, first.text
    again = post(
        api,
        "/v1/appStoreReviewDetails",
        body("appStoreReviewDetails", attributes, appStoreVersion=draft),
    )
    assert error(again)["source"] == {"pointer": "/data/relationships/appStoreVersion"}


def test_a_new_phased_release_starts_inactive(sandbox: Sandbox, api) -> None:
    draft = ("appStoreVersions", version(sandbox, LIVE, "1.1").id)
    response = post(
        api,
        "/v1/appStoreVersionPhasedReleases",
        body("appStoreVersionPhasedReleases", {}, appStoreVersion=draft),
    )
    assert response.status_code == 201, response.text
    attributes = response.json()["data"]["attributes"]
    assert attributes["phasedReleaseState"] == "INACTIVE"
    assert attributes["currentDayNumber"] == 0


def test_screenshots_of_a_live_version_cannot_be_added_or_deleted(sandbox: Sandbox, api) -> None:
    live_set = sandbox.store.create(
        "appScreenshotSets",
        {"screenshotDisplayType": "APP_IPHONE_67"},
        {"appStoreVersionLocalization": localization(sandbox, LIVE, "1.0", "en-US").ref},
    )
    shot = sandbox.store.create(
        "appScreenshots", {"fileName": "old.png", "fileSize": 5}, {"appScreenshotSet": live_set.ref}
    )

    adding = post(
        api,
        "/v1/appScreenshots",
        body(
            "appScreenshots",
            {"fileName": "new.png", "fileSize": 10},
            appScreenshotSet=("appScreenshotSets", live_set.id),
        ),
    )
    deleting = api.delete(f"{api.base}/v1/appScreenshots/{shot.id}")

    assert error(adding)["code"] == "STATE_ERROR"
    assert error(deleting)["code"] == "STATE_ERROR"
    members = get(api, f"/v1/appScreenshotSets/{live_set.id}/appScreenshots").json()["data"]
    assert [m["id"] for m in members] == [shot.id]


@pytest.mark.parametrize(("locale", "status"), [("ja", 201), ("jp", 409), ("en-us", 409)])
def test_product_localizations_take_app_store_locales(sandbox: Sandbox, api, locale, status):
    group = sandbox.store.list("subscriptionGroups")[0]
    response = post(
        api,
        "/v1/subscriptionGroupLocalizations",
        body(
            "subscriptionGroupLocalizations",
            {"locale": locale, "name": "Plus"},
            subscriptionGroup=("subscriptionGroups", group.id),
        ),
    )
    assert response.status_code == status, response.text
    if status == 201:
        assert response.json()["data"]["attributes"]["state"] == "PREPARE_FOR_SUBMISSION"


def build_id(sandbox: Sandbox, app_id: str, number: str) -> str:
    for build in sandbox.store.list("builds"):
        if build.relationships.get("app") == ("apps", app_id) and (
            build.attributes["version"] == number
        ):
            return build.id
    raise LookupError(number)


@pytest.mark.parametrize(
    ("app_id", "number", "status"), [(LIVE, "10", 200), (LIVE, "11", 409), (FIRST, "1", 409)]
)
def test_a_version_takes_a_processed_build_of_its_own_app(
    sandbox: Sandbox, api, app_id: str, number: str, status: int
) -> None:
    draft = version(sandbox, LIVE, "1.1")
    payload = body(
        "appStoreVersions", id_=draft.id, build=("builds", build_id(sandbox, app_id, number))
    )

    response = api.patch(f"{api.base}/v1/appStoreVersions/{draft.id}", json=payload)

    assert response.status_code == status, response.text
    linked = get(api, f"/v1/appStoreVersions/{draft.id}/relationships/build").json()["data"]
    expected = build_id(sandbox, LIVE, "10") if status == 200 else None
    assert (linked or {}).get("id") == expected


def test_deleting_a_version_deletes_what_hangs_off_it(sandbox: Sandbox, api) -> None:
    draft = version(sandbox, LIVE, "1.1")
    loc = localization(sandbox, LIVE, "1.1", "en-US")
    [shot_set] = sandbox.store.related(loc, "appScreenshotSets")

    assert api.delete(f"{api.base}/v1/appStoreVersions/{draft.id}").status_code == 204

    assert get(api, f"/v1/appStoreVersionLocalizations/{loc.id}").status_code == 404
    assert get(api, f"/v1/appScreenshotSets/{shot_set.id}").status_code == 404


def test_public_links_are_for_external_groups_only(sandbox: Sandbox, api) -> None:
    internal = sandbox.store.list("betaGroups")[0]
    refused = patch(api, "betaGroups", internal.id, {"publicLinkEnabled": True})
    assert error(refused)["source"] == {"pointer": "/data/attributes/publicLinkEnabled"}

    external = post(api, "/v1/betaGroups", body("betaGroups", {"name": "Ext"}, app=("apps", LIVE)))
    enabled = patch(api, "betaGroups", external.json()["data"]["id"], {"publicLinkEnabled": True})
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["data"]["attributes"]["publicLink"].startswith(
        "https://testflight.apple.com/join/"
    )
