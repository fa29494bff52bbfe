"""``ascsync plan`` for TestFlight test information, beta groups and testers (sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ascsync.commands.plan import compute_plan
from ascsync.engine.plan import Plan
from ascsync.kinds.registry import load_repo, validate_repo
from ascsync.sandbox import Sandbox
from tests.plan.conftest import client_for

BETA = "app[demo].beta_group[Beta]"
BETA_APP = "app[demo].beta_app"

BETA_APP_FILE = """\
localizations:
  en-US:
    description: Try the next version.
    feedback_email: beta@example.com
"""

GROUP_FILE = """\
name: Beta
internal: false
public_link:
  enabled: true
  limit: 100
feedback_enabled: true
testers:
  - {email: ana@example.com, first_name: Ana, last_name: Ruiz}
  - {email: bo@example.com}
"""


def write_testflight(
    repo: Path, *, beta_app: str | None = BETA_APP_FILE, group: str | None = GROUP_FILE
) -> None:
    folder = repo / "apps" / "demo" / "testflight"
    (folder / "groups").mkdir(parents=True, exist_ok=True)
    if beta_app is not None:
        (folder / "beta-app.yml").write_text(beta_app)
    if group is not None:
        (folder / "groups" / "beta.yml").write_text(group)


def live_group() -> dict[str, Any]:
    """The seed entry equal to GROUP_FILE."""
    return {
        "name": "Beta",
        "isInternalGroup": False,
        "publicLinkEnabled": True,
        "publicLinkLimitEnabled": True,
        "publicLinkLimit": 100,
        "feedbackEnabled": True,
        "testers": [
            {"email": "ana@example.com", "firstName": "Ana", "lastName": "Ruiz"},
            {"email": "bo@example.com"},
        ],
    }


def with_testflight(seed: dict[str, Any]) -> dict[str, Any]:
    seed["apps"][0]["betaAppLocalizations"] = {
        "en-US": {"description": "Try the next version.", "feedbackEmail": "beta@example.com"}
    }
    seed["apps"][0]["betaGroups"] = [live_group()]
    return seed


def run(repo: Path, seed: dict[str, Any]) -> tuple[Plan, dict[tuple[str, str], int]]:
    desired, problems = load_repo(repo)
    assert not [p for p in problems if p.severity.name == "ERROR"], problems
    with Sandbox(seed=seed) as sandbox:
        client = client_for(sandbox)
        plan = compute_plan(client, desired, (), concurrency=2)
        return plan, dict(client.stats)


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def fields(plan: Plan, address: str, *, locked: bool = False) -> dict[str, tuple[Any, Any]]:
    changes = plan.locked if locked else plan.changes
    change = next(c for c in changes if c.address == address)
    return {f.name: (f.before, f.after) for f in change.fields}


def test_matching_testflight_plans_nothing(repo: Path, seed: dict) -> None:
    write_testflight(repo)
    plan, _ = run(repo, with_testflight(seed))
    assert actions(plan) == []
    assert plan.locked == []
    assert plan.unsupported == []


def test_request_count_is_pinned(repo: Path, seed: dict) -> None:
    write_testflight(repo)
    plan, stats = run(repo, with_testflight(seed))
    # 5 for the app; 1 for the beta app localizations; 1 for the groups with their testers.
    assert plan.requests == 5 + 1 + 1
    assert stats[("GET", "/v1/betaGroups")] == 1


def test_no_testflight_files_means_no_testflight_requests(repo: Path, seed: dict) -> None:
    plan, stats = run(repo, with_testflight(seed))
    assert actions(plan) == []
    assert not [path for _, path in stats if "beta" in path.lower()]


def test_testers_added_and_removed_emails_case_insensitive(repo: Path, seed: dict) -> None:
    write_testflight(repo, beta_app=None)
    group = live_group()
    group["testers"] = [
        {"email": "ANA@example.com", "firstName": "Ana", "lastName": "Ruiz"},
        {"email": "old@example.com", "firstName": "Old"},
    ]
    seed["apps"][0]["betaGroups"] = [group]
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("create", f"{BETA}.tester[bo@example.com]"),
        ("delete", f"{BETA}.tester[old@example.com]"),
    ]
    assert [c.address for c in plan.deletions()] == [f"{BETA}.tester[old@example.com]"]
    removal = plan.deletions()[0]
    assert removal.calls == ("DELETE /v1/betaGroups/{id}/relationships/betaTesters",)
    invite = next(c for c in plan.changes if c.action.value == "create")
    assert invite.after == (BETA,)
    assert invite.source and invite.source.endswith("testflight/groups/beta.yml:9")


def test_group_settings_update_and_fixed_internal_flag(repo: Path, seed: dict) -> None:
    write_testflight(repo, beta_app=None)
    group = live_group()
    group["publicLinkLimit"] = 50
    group["feedbackEnabled"] = False
    group["isInternalGroup"] = True
    seed["apps"][0]["betaGroups"] = [group]
    plan, _ = run(repo, seed)
    assert actions(plan) == [("update", BETA)]
    assert fields(plan, BETA) == {
        "public_link.limit": (50, 100),
        "feedback_enabled": (False, True),
    }
    assert fields(plan, BETA, locked=True) == {"internal": (True, False)}
    assert "fixed when a group is created" in (plan.locked[0].note or "")


def test_renamed_tester_is_locked_with_the_reason(repo: Path, seed: dict) -> None:
    write_testflight(repo, beta_app=None)
    group = live_group()
    group["testers"][0]["lastName"] = "Old"
    seed["apps"][0]["betaGroups"] = [group]
    plan, _ = run(repo, seed)
    assert actions(plan) == []
    address = f"{BETA}.tester[ana@example.com]"
    assert fields(plan, address, locked=True) == {"last_name": ("Old", "Ruiz")}


def test_missing_group_is_created_before_its_testers(repo: Path, seed: dict) -> None:
    write_testflight(repo, beta_app=None)
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("create", BETA),
        ("create", f"{BETA}.tester[ana@example.com]"),
        ("create", f"{BETA}.tester[bo@example.com]"),
    ]
    assert fields(plan, BETA)["public_link.limit"] == (None, 100)


def test_live_group_without_a_file_is_left_alone(repo: Path, seed: dict) -> None:
    write_testflight(repo, beta_app=None)
    other = {**live_group(), "name": "Friends", "testers": [{"email": "x@example.com"}]}
    seed["apps"][0]["betaGroups"] = [live_group(), other]
    plan, _ = run(repo, seed)
    assert actions(plan) == []


def test_group_with_more_testers_than_one_page(repo: Path, seed: dict) -> None:
    emails = [f"tester{n:03d}@example.com" for n in range(60)]
    listed = "\n".join(f"  - {{email: {e}}}" for e in emails)
    write_testflight(
        repo, beta_app=None, group=GROUP_FILE.split("testers:")[0] + "testers:\n" + listed + "\n"
    )
    group = live_group()
    group["testers"] = [{"email": e} for e in emails[1:]] + [{"email": "gone@example.com"}]
    seed["apps"][0]["betaGroups"] = [group]
    plan, stats = run(repo, seed)
    assert actions(plan) == [
        ("create", f"{BETA}.tester[{emails[0]}]"),
        ("delete", f"{BETA}.tester[gone@example.com]"),
    ]
    assert stats[("GET", "/v1/betaGroups/{id}/betaTesters")] == 1


def test_beta_app_locales_managed_as_a_set(repo: Path, seed: dict) -> None:
    write_testflight(
        repo,
        group=None,
        beta_app=BETA_APP_FILE + "  de-DE:\n    description: Neue Version testen.\n",
    )
    seed["apps"][0]["betaAppLocalizations"] = {
        "en-US": {"description": "Old text.", "feedbackEmail": "beta@example.com"},
        "fr-FR": {"description": "Essayez."},
    }
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("update", f"{BETA_APP}.locale[en-US]"),
        ("create", f"{BETA_APP}.locale[de-DE]"),
        ("delete", f"{BETA_APP}.locale[fr-FR]"),
    ]
    assert fields(plan, f"{BETA_APP}.locale[en-US]") == {
        "description": ("Old text.", "Try the next version.")
    }


REVIEW_FILE = """\
review_contact:
  first_name: Ana
  last_name: Ruiz
  phone: "+34 600 000 000"
  email: beta-review@example.com
demo_account:
  required: false
review_notes: |-
  Sign in is not needed.
  ¿Preguntas? Escríbenos.
"""


def live_review() -> dict[str, Any]:
    """The seed's betaAppReviewDetail equal to REVIEW_FILE."""
    return {
        "contactFirstName": "Ana",
        "contactLastName": "Ruiz",
        "contactPhone": "+34 600 000 000",
        "contactEmail": "beta-review@example.com",
        "demoAccountRequired": False,
        "notes": "Sign in is not needed.\n¿Preguntas? Escríbenos.",
    }


def test_beta_review_details_matching_live_plan_nothing(repo: Path, seed: dict) -> None:
    write_testflight(repo, group=None, beta_app=BETA_APP_FILE + REVIEW_FILE)
    seed = with_testflight(seed)
    seed["apps"][0]["betaAppReviewDetail"] = live_review()
    plan, stats = run(repo, seed)
    assert actions(plan) == [] and plan.locked == [] and plan.unsupported == []
    assert stats[("GET", "/v1/apps/{id}/betaAppReviewDetail")] == 1


def test_beta_review_details_are_one_patch_of_what_differs(repo: Path, seed: dict) -> None:
    write_testflight(repo, group=None, beta_app=BETA_APP_FILE + REVIEW_FILE)
    seed = with_testflight(seed)
    seed["apps"][0]["betaAppReviewDetail"] = {**live_review(), "contactPhone": "+1 555 0100"}
    plan, _ = run(repo, seed)
    assert actions(plan) == [("update", f"{BETA_APP}.review")]
    assert fields(plan, f"{BETA_APP}.review") == {
        "review_contact.phone": ("+1 555 0100", "+34 600 000 000")
    }
    change = plan.changes[0]
    assert change.calls == ("PATCH /v1/betaAppReviewDetails/{id}",)
    assert change.source and change.source.endswith("testflight/beta-app.yml:8")


def test_beta_review_details_absent_live_are_locked_not_created(repo: Path, seed: dict) -> None:
    write_testflight(repo, group=None, beta_app=REVIEW_FILE)
    desired, _ = load_repo(repo)
    with Sandbox(seed=seed) as sandbox:
        detail = sandbox.store.list("betaAppReviewDetails")[0]
        sandbox.store.delete(detail.type, detail.id)
        plan = compute_plan(client_for(sandbox), desired, (), concurrency=2)
    assert actions(plan) == []
    (locked,) = plan.locked
    assert locked.address == f"{BETA_APP}.review"
    assert "the API cannot create them" in (locked.note or "")


def test_the_example_repo_sets_the_beta_review_contact() -> None:
    root = Path(__file__).resolve().parents[2] / "example-repo"
    desired, _ = load_repo(root)
    with Sandbox(seed="demo") as sandbox:
        plan = compute_plan(client_for(sandbox), desired, (), concurrency=4)
    address = "app[moviecatalog].beta_app.review"
    assert ("update", address) in actions(plan)
    assert fields(plan, address)["review_contact.email"] == (None, "appreview@example.com")
    assert plan.unsupported == []


def test_example_repo_against_demo_seed_shows_the_intended_testflight_changes() -> None:
    root = Path(__file__).resolve().parents[2] / "example-repo"
    desired, _ = load_repo(root)
    with Sandbox(seed="demo") as sandbox:
        plan = compute_plan(client_for(sandbox), desired, (), concurrency=4)
    app = "app[moviecatalog]"
    testflight = {a for a in actions(plan) if ".beta_" in a[1]}
    assert ("delete", f"{app}.beta_group[Internal QA].tester[old.contractor@example.com]") in (
        testflight
    )
    assert ("create", f"{app}.beta_group[Public Beta].tester[friend.of.the.app@example.org]") in (
        testflight
    )
    assert ("update", f"{app}.beta_app.locale[en-US]") in testflight
    assert ("create", f"{app}.beta_app.locale[de-DE]") in testflight
    # the groups exist with the repo's settings: nothing to change on them
    assert not {a for a in testflight if a[1].endswith(("[Internal QA]", "[Public Beta]"))}


def test_tester_drift_changes_the_plan_fingerprint(repo: Path, seed: dict) -> None:
    write_testflight(repo)
    before, _ = run(repo, with_testflight(seed))
    seed["apps"][0]["betaGroups"][0]["testers"].append({"email": "new@example.com"})
    after, _ = run(repo, seed)
    assert before.fingerprint != after.fingerprint


def test_beta_review_rules_are_checked_offline(repo: Path) -> None:
    write_testflight(
        repo,
        group=None,
        beta_app="demo_account:\n  required: true\n  name: tester@example.com\n"
        f"review_notes: {'n' * 4001}\n",
    )
    report = validate_repo(repo)
    errors = [p.format(repo) for p in report.errors]
    warnings = [p.format(repo) for p in report.warnings]
    assert errors == [
        "apps/demo/testflight/beta-app.yml:2: demo_account.password: is required when "
        "demo_account.required is true"
    ]
    assert any(
        "beta-app.yml:4: review_notes: is 4001 characters long, the limit is 4000" in w
        for w in warnings
    ), warnings
