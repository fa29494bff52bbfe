"""``ascsync apply`` for TestFlight: test information, beta groups and testers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ascsync.sandbox import Sandbox
from ascsync.sandbox.engine import Request
from tests.apply.conftest import PASSWORD, fast_settings, invoke, writes

APP = Path("apps/moviecatalog")
TESTFLIGHT = APP / "testflight"
PUBLIC_BETA = TESTFLIGHT / "groups/public-beta.yml"
BETA_APP = TESTFLIGHT / "beta-app.yml"


@pytest.fixture
def repo(example: Path) -> Path:
    """The example repo without screenshots and products: TestFlight only, so runs are quick."""
    for folder in ("screenshots", "in-app-purchases", "subscriptions", "subscription-offers"):
        shutil.rmtree(example / APP / folder)
    return example


def edit(repo: Path, relative: Path, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def apply_ok(sandbox: Sandbox, repo: Path) -> str:
    result = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
    assert result.exit_code == 0, result.output
    return result.output


def assert_no_changes(sandbox: Sandbox, repo: Path) -> None:
    result = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No changes."), result.output


def operations(sandbox: Sandbox, since: int) -> list[str]:
    return sorted(e.operation for e in writes(sandbox, since) if e.operation)  # not upload PUTs


def beta_group(sandbox: Sandbox, name: str) -> Any:
    return next(g for g in sandbox.store.list("betaGroups") if g.attributes["name"] == name)


def members(sandbox: Sandbox, name: str) -> set[str]:
    testers = sandbox.store.related(beta_group(sandbox, name), "betaTesters")
    return {t.attributes["email"] for t in testers}


def team_testers(sandbox: Sandbox, email: str) -> list[Any]:
    return [t for t in sandbox.store.list("betaTesters") if t.attributes["email"] == email]


def beta_locales(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return {
        r.attributes["locale"]: r.attributes for r in sandbox.store.list("betaAppLocalizations")
    }


def test_testflight_apply_then_plan_shows_no_changes_and_a_rerun_writes_nothing(
    repo: Path,
) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        assert "old.contractor@example.com" in members(sandbox, "Internal QA")
        apply_ok(sandbox, repo)
        assert_no_changes(sandbox, repo)

        locales = beta_locales(sandbox)
        assert locales["de-DE"]["description"].startswith("Testen Sie den nächsten")
        assert locales["en-US"]["privacyPolicyUrl"] == "https://moviecatalog.example.com/privacy"
        assert members(sandbox, "Internal QA") == {"qa-lead@example.com", "qa@example.com"}
        assert members(sandbox, "Public Beta") == {"friend.of.the.app@example.org"}
        # removed from the group only: the tester stays in the team
        assert len(team_testers(sandbox, "old.contractor@example.com")) == 1

        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert writes(sandbox, mark) == []


def test_beta_review_details_are_patched_in_place_and_converge(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        (detail,) = sandbox.store.list("betaAppReviewDetails")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert "PATCH /v1/betaAppReviewDetails/{id}" in operations(sandbox, mark)
        assert sandbox.store.list("betaAppReviewDetails") == [detail]  # never a second one
        assert detail.attributes["contactEmail"] == "appreview@example.com"
        assert detail.attributes["demoAccountName"] == "beta-reviewer@example.com"
        assert detail.attributes["demoAccountPassword"] == PASSWORD
        assert detail.attributes["notes"].startswith("Sign in with the demo account")
        assert_no_changes(sandbox, repo)

        edit(repo, BETA_APP, '"+1 408 555 0100"', '"+44 20 7946 0000"')
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert operations(sandbox, mark) == ["PATCH /v1/betaAppReviewDetails/{id}"]
        assert detail.attributes["contactPhone"] == "+44 20 7946 0000"
        assert_no_changes(sandbox, repo)


def test_the_sandbox_refuses_a_required_sign_in_without_a_password(repo: Path) -> None:
    body = {
        "data": {
            "type": "betaAppReviewDetails",
            "id": "",
            "attributes": {"demoAccountRequired": True, "demoAccountName": "x@example.com"},
        }
    }
    with Sandbox(seed="demo") as sandbox:
        (detail,) = sandbox.store.list("betaAppReviewDetails")
        body["data"]["id"] = detail.id
        response = sandbox.engine.handle(
            Request("PATCH", f"/v1/betaAppReviewDetails/{detail.id}", body=body)
        )
    assert response.status == 409
    (error,) = (response.body or {})["errors"]
    assert error["source"] == {"pointer": "/data/attributes/demoAccountPassword"}


def test_a_tester_invited_then_removed(repo: Path) -> None:
    new = "  - {email: new.tester@example.org, first_name: Noa, last_name: Berg}\n"
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        original = (repo / PUBLIC_BETA).read_text(encoding="utf-8")
        (repo / PUBLIC_BETA).write_text(original + new, encoding="utf-8")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert operations(sandbox, mark) == ["POST /v1/betaTesters"]
        assert "new.tester@example.org" in members(sandbox, "Public Beta")
        (tester,) = team_testers(sandbox, "new.tester@example.org")
        assert (tester.attributes["firstName"], tester.attributes["lastName"]) == ("Noa", "Berg")
        assert_no_changes(sandbox, repo)

        (repo / PUBLIC_BETA).write_text(original, encoding="utf-8")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert operations(sandbox, mark) == ["DELETE /v1/betaGroups/{id}/relationships/betaTesters"]
        assert members(sandbox, "Public Beta") == {"friend.of.the.app@example.org"}
        assert len(team_testers(sandbox, "new.tester@example.org")) == 1
        assert_no_changes(sandbox, repo)


def test_a_tester_the_team_already_has_joins_the_group_without_a_duplicate(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        edit(
            repo,
            PUBLIC_BETA,
            "  - {email: friend.of.the.app@example.org}",
            "  - {email: friend.of.the.app@example.org}\n  - {email: qa@example.com}",
        )
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert "POST /v1/betaGroups/{id}/relationships/betaTesters" in operations(sandbox, mark)
        assert "qa@example.com" in members(sandbox, "Public Beta")
        assert "qa@example.com" in members(sandbox, "Internal QA")
        assert len(team_testers(sandbox, "qa@example.com")) == 1
        assert_no_changes(sandbox, repo)


def test_a_new_group_is_created_with_its_testers_in_one_run(repo: Path) -> None:
    group_file = repo / TESTFLIGHT / "groups/press.yml"
    group_file.write_text(
        "name: Press\n"
        "internal: false\n"
        "public_link:\n"
        "  enabled: false\n"
        "feedback_enabled: false\n"
        "testers:\n"
        "  - {email: editor@press.example, first_name: Alex}\n"
        "  - {email: friend.of.the.app@example.org}\n",
        encoding="utf-8",
    )
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        press = beta_group(sandbox, "Press")
        assert press.attributes["isInternalGroup"] is False
        assert press.attributes["feedbackEnabled"] is False
        assert members(sandbox, "Press") == {
            "editor@press.example",
            "friend.of.the.app@example.org",
        }
        assert len(team_testers(sandbox, "friend.of.the.app@example.org")) == 1
        assert_no_changes(sandbox, repo)


def test_public_link_limit_changes_and_can_be_turned_off(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        edit(repo, PUBLIC_BETA, "limit: 500", "limit: 120")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert operations(sandbox, mark) == ["PATCH /v1/betaGroups/{id}"]
        attributes = beta_group(sandbox, "Public Beta").attributes
        assert (attributes["publicLinkLimitEnabled"], attributes["publicLinkLimit"]) == (True, 120)
        assert_no_changes(sandbox, repo)

        edit(repo, PUBLIC_BETA, "limit: 120", "limit: null")
        apply_ok(sandbox, repo)
        assert beta_group(sandbox, "Public Beta").attributes["publicLinkLimitEnabled"] is False
        assert_no_changes(sandbox, repo)


def test_test_information_locale_created_then_deleted(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        original = (repo / BETA_APP).read_text(encoding="utf-8")
        edit(
            repo,
            BETA_APP,
            "review_contact:",
            "  fr-FR:\n    description: Essayez la prochaine version.\n"
            "    feedback_email: beta@example.com\nreview_contact:",
        )
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert operations(sandbox, mark) == ["POST /v1/betaAppLocalizations"]
        assert beta_locales(sandbox)["fr-FR"]["description"] == "Essayez la prochaine version."
        assert_no_changes(sandbox, repo)

        (repo / BETA_APP).write_text(original, encoding="utf-8")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert operations(sandbox, mark) == ["DELETE /v1/betaAppLocalizations/{id}"]
        assert set(beta_locales(sandbox)) == {"en-US", "de-DE"}
        assert_no_changes(sandbox, repo)
