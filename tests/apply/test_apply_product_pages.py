"""``ascsync apply`` for custom product pages, in-app events and product page tests.

Against the demo sandbox and the example repo's three folders: convergence (apply, plan
shows nothing, a second apply writes nothing), what each kind's state locks, and starting
and stopping a test as changes of their own.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ascsync.sandbox import Sandbox
from tests.apply.conftest import fast_settings, invoke, writes

APP = Path("apps/moviecatalog")
PAGE = APP / "custom-product-pages/festival-season/page.yml"
BUFFS = APP / "custom-product-pages/film-buffs/page.yml"
EVENT = APP / "in-app-events/summer-film-festival/event.yml"
TEST = APP / "product-page-tests/search-first/test.yml"
TREATMENT = APP / "product-page-tests/search-first/search-up-front"


@pytest.fixture
def repo(example: Path) -> Path:
    """The example repo with only the product page kinds' folders besides the basics."""
    for folder in (
        "screenshots",
        "testflight",
        "in-app-purchases",
        "subscriptions",
        "subscription-offers",
    ):
        shutil.rmtree(example / APP / folder)
    return example


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        yield sandbox


NOT_PLANNED = "Not planned: locked by their state"


def locked_part(shown: str) -> str:
    """The plan's list of what its state locks (one line each: address and why)."""
    assert NOT_PLANNED in shown, shown
    return shown[shown.index(NOT_PLANNED) :]


def edit(repo: Path, relative: Path, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def apply_ok(sandbox: Sandbox, repo: Path) -> str:
    result = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
    assert result.exit_code == 0, result.output
    return result.output


def plan(sandbox: Sandbox, repo: Path) -> str:
    result = invoke(sandbox, "plan", str(repo))
    assert result.exit_code in (0, 2), result.output
    return result.output


def one(sandbox: Sandbox, type_: str, **attributes: Any) -> Any:
    (found,) = [
        r
        for r in sandbox.store.list(type_)
        if all(r.attributes.get(k) == v for k, v in attributes.items())
    ]
    return found


def files_of(sandbox: Sandbox, localization: Any) -> dict[str, list[str]]:
    store = sandbox.store
    return {
        s.attributes["screenshotDisplayType"]: [
            i.attributes["fileName"] for i in store.related(s, "appScreenshots")
        ]
        for s in store.related(localization, "appScreenshotSets")
    }


# -- convergence ------------------------------------------------------------------------------


def test_apply_then_plan_shows_no_changes_and_a_second_apply_writes_nothing(
    sandbox: Sandbox, repo: Path
) -> None:
    apply_ok(sandbox, repo)
    assert plan(sandbox, repo).startswith("No changes."), plan(sandbox, repo)
    store = sandbox.store

    festival = one(sandbox, "appCustomProductPages", name="Festival season")
    (version,) = store.related(festival, "appCustomProductPageVersions")
    assert version.attributes["deepLink"] == "https://example.com/moviecatalog/festivals"
    locales = {
        loc.attributes["locale"]: loc
        for loc in store.related(version, "appCustomProductPageLocalizations")
    }
    assert locales["de-DE"].attributes["promotionalText"] == (
        "Plane deine Festivaltage, Film für Film."
    )
    assert files_of(sandbox, locales["en-US"]) == {
        "APP_IPHONE_67": ["01-search.png", "02-detail.png"]
    }
    buffs = one(sandbox, "appCustomProductPages", name="Film buffs")
    assert buffs.attributes["visible"] is True

    event = one(sandbox, "appEvents", referenceName="Summer Film Festival 2030")
    assert event.attributes["priority"] == "NORMAL"
    assert sorted(t for s in event.attributes["territorySchedules"] for t in s["territories"]) == [
        "AUT", "CAN", "CHE", "DEU", "USA"
    ]  # fmt: skip
    media = {
        (loc.attributes["locale"], m.attributes["appEventAssetType"]): m.attributes
        for loc in store.related(event, "localizations")
        for m in store.related(loc, "appEventScreenshots")
    }
    assert sorted(media) == [
        ("de-DE", "EVENT_CARD"), ("de-DE", "EVENT_DETAILS_PAGE"),
        ("en-US", "EVENT_CARD"), ("en-US", "EVENT_DETAILS_PAGE"),
    ]  # fmt: skip
    assert {m["assetDeliveryState"]["state"] for m in media.values()} == {"COMPLETE"}

    test = one(sandbox, "appStoreVersionExperiments", name="Search first")
    assert test.attributes["trafficProportion"] == 30 and test.attributes["platform"] == "IOS"
    (treatment,) = store.related(test, "appStoreVersionExperimentTreatments")
    (localization,) = store.related(treatment, "appStoreVersionExperimentTreatmentLocalizations")
    assert files_of(sandbox, localization) == {"APP_IPHONE_67": ["01-search.png", "02-home.png"]}

    mark = len(sandbox.journal)
    apply_ok(sandbox, repo)
    assert writes(sandbox, mark) == []


def test_a_replaced_screenshot_of_a_custom_page_is_uploaded_by_name_and_put_in_place(
    sandbox: Sandbox, repo: Path
) -> None:
    apply_ok(sandbox, repo)
    folder = repo / PAGE.parent / "screenshots/en-US/APP_IPHONE_67"
    shutil.copyfile(
        repo / TREATMENT / "screenshots/en-US/APP_IPHONE_67/02-home.png", folder / "01-search.png"
    )
    shown = plan(sandbox, repo)
    address = "custom_page[Festival season].locale[en-US].screenshots[APP_IPHONE_67]"
    assert f"{address}[01-search.png]  # replace" in shown
    apply_ok(sandbox, repo)
    festival = one(sandbox, "appCustomProductPages", name="Festival season")
    (version,) = sandbox.store.related(festival, "appCustomProductPageVersions")
    en = one(
        sandbox,
        "appCustomProductPageLocalizations",
        locale="en-US",
        promotionalText="Plan your festival days, film by film.",
    )
    assert en in sandbox.store.related(version, "appCustomProductPageLocalizations")
    assert files_of(sandbox, en) == {"APP_IPHONE_67": ["01-search.png", "02-detail.png"]}
    assert plan(sandbox, repo).startswith("No changes.")


# -- what each kind's state locks -------------------------------------------------------------


def test_a_custom_page_in_review_locks_its_deep_link_and_media_not_its_promotional_text(
    sandbox: Sandbox, repo: Path
) -> None:
    apply_ok(sandbox, repo)
    festival = one(sandbox, "appCustomProductPages", name="Festival season")
    (version,) = sandbox.store.related(festival, "appCustomProductPageVersions")
    version.attributes["state"] = "IN_REVIEW"
    edit(repo, PAGE, "https://example.com/moviecatalog/festivals", "moviecatalog://festivals")
    edit(repo, PAGE, "Plan your festival days", "Plan every festival day")
    shutil.copyfile(
        repo / PAGE.parent / "screenshots/en-US/APP_IPHONE_67/02-detail.png",
        repo / PAGE.parent / "screenshots/en-US/APP_IPHONE_67/03-detail.png",
    )
    shown = plan(sandbox, repo)
    locked = locked_part(shown)
    assert "custom_page[Festival season].version" in locked
    assert "custom_page[Festival season].version: not editable while IN_REVIEW" in locked
    assert "screenshots[APP_IPHONE_67][03-detail.png]" in locked
    changes = shown[: shown.index(NOT_PLANNED)]
    assert "custom_page[Festival season].locale[en-US]  # update" in changes

    apply_ok(sandbox, repo)
    assert version.attributes["deepLink"] == "https://example.com/moviecatalog/festivals"
    assert one(
        sandbox,
        "appCustomProductPageLocalizations",
        locale="en-US",
        promotionalText="Plan every festival day, film by film.",
    )


def test_a_page_is_made_visible_only_once_apple_approved_it(sandbox: Sandbox, repo: Path) -> None:
    edit(repo, PAGE, "visible: false", "visible: true")
    shown = plan(sandbox, repo)
    locked = locked_part(shown)
    assert "custom_page[Festival season]" in locked
    assert "a page becomes visible once Apple approved a version of it [U]" in locked
    apply_ok(sandbox, repo)
    assert (
        one(sandbox, "appCustomProductPages", name="Festival season").attributes["visible"] is False
    )
    # Film buffs' version was approved: its visible: true went through
    assert one(sandbox, "appCustomProductPages", name="Film buffs").attributes["visible"] is True


def test_an_event_waiting_for_review_locks_everything(sandbox: Sandbox, repo: Path) -> None:
    event = one(sandbox, "appEvents", referenceName="Summer Film Festival 2030")
    event.attributes["eventState"] = "WAITING_FOR_REVIEW"
    shown = plan(sandbox, repo)
    locked = locked_part(shown)
    for address in (
        "event[Summer Film Festival 2030]: not editable",
        "event[Summer Film Festival 2030].schedules: not editable",
        "event[Summer Film Festival 2030].locale[de-DE]: not editable",
        "event[Summer Film Festival 2030].locale[en-US].media[EVENT_CARD][card.png]: not editable",
    ):
        assert address in locked, address
    assert "not editable while WAITING_FOR_REVIEW" in locked
    mark = len(sandbox.journal)
    apply_ok(sandbox, repo)
    assert [e for e in writes(sandbox, mark) if "appEvent" in e.path] == []
    assert event.attributes["priority"] == "HIGH"


def test_a_schedule_that_has_started_is_never_sent(sandbox: Sandbox, repo: Path) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    edit(
        repo,
        EVENT,
        "event_start: 2030-07-01T16:00:00Z",
        f"event_start: {stamp(now - dt.timedelta(hours=1))}",
    )
    edit(
        repo,
        EVENT,
        "publish_start: 2030-06-24T16:00:00Z",
        f"publish_start: {stamp(now - dt.timedelta(days=1))}",
    )
    edit(
        repo,
        EVENT,
        "event_end: 2030-07-10T16:00:00Z",
        f"event_end: {stamp(now + dt.timedelta(days=3))}",
    )
    shown = plan(sandbox, repo)
    locked = locked_part(shown)
    assert "event[Summer Film Festival 2030].schedules" in locked
    assert "has already started; Apple schedules events in the future only [U]" in locked


def test_product_page_media_locked_when_the_test_is_submitted(sandbox: Sandbox, repo: Path) -> None:
    apply_ok(sandbox, repo)
    test = one(sandbox, "appStoreVersionExperiments", name="Search first")
    test.attributes["state"] = "WAITING_FOR_REVIEW"
    edit(repo, TEST, "traffic_proportion: 30", "traffic_proportion: 50")
    (repo / TREATMENT / "screenshots/en-US/APP_IPHONE_67/02-home.png").unlink()
    shown = plan(sandbox, repo)
    locked = locked_part(shown)
    assert "experiment[Search first]: not editable while WAITING_FOR_REVIEW" in locked
    assert (
        "treatment[Search up front].locale[en-US].screenshots[APP_IPHONE_67][02-home.png]" in locked
    )
    assert "not editable while WAITING_FOR_REVIEW" in locked


# -- starting and stopping a test -----------------------------------------------------------


def test_starting_and_stopping_a_test_are_explicit_changes(sandbox: Sandbox, repo: Path) -> None:
    apply_ok(sandbox, repo)
    test = one(sandbox, "appStoreVersionExperiments", name="Search first")

    edit(repo, TEST, "started: false", "started: true")
    shown = plan(sandbox, repo)
    locked = locked_part(shown)
    assert "experiment[Search first].run" in locked
    assert "must be approved by Apple before it starts (state PREPARE_FOR_SUBMISSION)" in locked

    test.attributes["state"] = "APPROVED"  # App Review approved the treatments
    shown = plan(sandbox, repo)
    assert "~ app[moviecatalog].experiment[Search first].run  # update" in shown
    assert "STARTS the test: 30 % of the page's visitors see its treatments" in shown
    assert "~ started: false -> true" in shown
    apply_ok(sandbox, repo)
    assert test.attributes["startDate"]
    assert plan(sandbox, repo).startswith("No changes.")

    edit(repo, TEST, "started: true", "started: false")
    shown = plan(sandbox, repo)
    assert "experiment[Search first].run  # update" in shown
    assert "STOPS the test for good" in shown
    apply_ok(sandbox, repo)
    assert test.attributes["state"] == "STOPPED"
    assert plan(sandbox, repo).startswith("No changes.")

    edit(repo, TEST, "started: false", "started: true")
    shown = plan(sandbox, repo)
    assert "the test is STOPPED: it cannot run again" in locked_part(shown)


def test_a_treatment_without_a_folder_is_deleted_only_with_allow_delete(
    sandbox: Sandbox, repo: Path
) -> None:
    apply_ok(sandbox, repo)
    shutil.rmtree(repo / TREATMENT)
    refused = invoke(sandbox, "apply", str(repo), "--auto-approve")
    assert refused.exit_code == 1, refused.output
    assert "experiment[Search first].treatment[Search up front]" in refused.output
    apply_ok(sandbox, repo)
    test = one(sandbox, "appStoreVersionExperiments", name="Search first")
    assert sandbox.store.related(test, "appStoreVersionExperimentTreatments") == []
    assert sandbox.store.list("appStoreVersionExperimentTreatmentLocalizations") == []


def test_a_key_left_out_is_not_managed(sandbox: Sandbox, repo: Path) -> None:
    """No `localizations` in page.yml, no `locales` in treatment.yml: nothing is deleted."""
    apply_ok(sandbox, repo)
    (repo / BUFFS).write_text("name: Film buffs\nvisible: true\n", encoding="utf-8")
    shutil.rmtree(repo / BUFFS.parent / "screenshots")
    treatment = repo / TREATMENT / "treatment.yml"
    treatment.write_text("name: Search up front\n", encoding="utf-8")
    shutil.rmtree(repo / TREATMENT / "screenshots")
    assert plan(sandbox, repo).startswith("No changes.")


def test_the_json_schemas_carry_the_limits_and_patterns() -> None:
    from ascsync.desired.schema import file_schema
    from ascsync.kinds.registry import FILES

    event = file_schema(FILES["in-app-event"])["properties"]
    names = event["localizations"]["additionalProperties"]["properties"]
    assert names["name"]["maxLength"] == 30 and names["long_description"]["maxLength"] == 120
    assert event["badge"]["enum"][0] == "LIVE_EVENT"
    page = file_schema(FILES["custom-product-page"])
    assert page["required"] == ["name"]
    assert page["properties"]["deep_link"]["pattern"].startswith("^[A-Za-z]")
    test = file_schema(FILES["product-page-test"])["properties"]["traffic_proportion"]
    assert (test["minimum"], test["maximum"]) == (1, 100)
