"""``ascsync plan`` for builds: the build a version ships, and TestFlight's What to Test and
groups per build (sandbox)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ascsync.commands.plan import compute_plan
from ascsync.engine.plan import Plan
from ascsync.kinds.registry import load_repo, validate_repo
from ascsync.sandbox import Sandbox
from tests.plan.conftest import client_for

VERSION = "app[demo].version[1.1.0]"
NEWEST = "app[demo].build[1.1.0][newest]"


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_builds(seed: dict[str, Any], *extra: dict[str, Any]) -> dict[str, Any]:
    """Builds 110 (the version's), 111 and ``extra`` of 1.1.0; 100 of 1.0.0."""
    app = seed["apps"][0]
    app["builds"] = [
        {"version": "100", "preReleaseVersion": "1.0.0", "uploadedDate": days_ago(60)},
        {"version": "110", "preReleaseVersion": "1.1.0", "uploadedDate": days_ago(5)},
        {"version": "111", "preReleaseVersion": "1.1.0", "uploadedDate": days_ago(2)},
        *extra,
    ]
    app["versions"][0]["build"] = "100"
    app["versions"][1]["build"] = "110"
    return seed


def set_build(repo: Path, spec: str) -> None:
    path = repo / "apps/demo/version.yml"
    path.write_text(path.read_text() + f"build: {spec}\n")


def run(repo: Path, seed: dict[str, Any]) -> tuple[Plan, dict[tuple[str, str], int]]:
    desired, problems = load_repo(repo)
    assert not [p for p in problems if p.severity.name == "ERROR"], problems
    with Sandbox(seed=seed) as sandbox:
        client = client_for(sandbox)
        plan = compute_plan(client, desired, (), concurrency=2)
        return plan, dict(client.stats)


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def locked(plan: Plan) -> dict[str, str]:
    return {c.address: c.note or "" for c in plan.locked}


# -- the version's build ---------------------------------------------------------------------


def test_a_numbered_build_is_one_relationship_patch(repo: Path, seed: dict) -> None:
    set_build(repo, '"111"')
    plan, stats = run(repo, with_builds(seed))
    assert actions(plan) == [("update", f"{VERSION}.build")]
    (change,) = plan.changes
    assert [(f.name, f.before, f.after) for f in change.fields] == [("build", "110", "111")]
    assert change.calls == ("PATCH /v1/appStoreVersions/{id}/relationships/build",)
    assert change.source and change.source.endswith("apps/demo/version.yml:3")
    assert stats[("GET", "/v1/builds")] == 1


def test_the_build_already_chosen_plans_nothing(repo: Path, seed: dict) -> None:
    set_build(repo, '"110"')
    plan, _ = run(repo, with_builds(seed))
    assert actions(plan) == [] and plan.locked == []


def test_newest_is_the_newest_valid_build_and_reads_as_newest_once_chosen(
    repo: Path, seed: dict
) -> None:
    set_build(repo, "newest")
    failed = {"version": "112", "processingState": "FAILED", "uploadedDate": days_ago(1)}
    failed["preReleaseVersion"] = "1.1.0"
    plan, _ = run(repo, with_builds(seed, failed))
    (change,) = plan.changes
    assert [(f.before, f.after) for f in change.fields] == [("110", "111")]
    assert change.note == "the newest VALID build of 1.1.0"

    seed = with_builds(seed, failed)
    seed["apps"][0]["versions"][1]["build"] = "111"
    plan, _ = run(repo, seed)
    assert actions(plan) == [] and plan.locked == []


def test_newest_waits_while_a_newer_upload_is_still_processing(repo: Path, seed: dict) -> None:
    set_build(repo, "newest")
    busy = {"version": "112", "processingState": "PROCESSING", "preReleaseVersion": "1.1.0"}
    plan, _ = run(repo, with_builds(seed, busy))
    assert actions(plan) == []
    assert locked(plan) == {f"{VERSION}.build": "the newest build (112) is still processing"}


@pytest.mark.parametrize(
    ("build", "why"),
    [
        ({"version": "113", "processingState": "INVALID"}, "build 113 is INVALID"),
        ({"version": "113", "expired": True}, "build 113 has expired"),
        (
            {"version": "113", "buildAudienceType": "INTERNAL_ONLY"},
            "build 113 is for internal testing only (INTERNAL_ONLY)",
        ),
        ({"version": "114"}, "no build 113 of version 1.1.0 in App Store Connect"),
        (
            {"version": "113", "preReleaseVersion": "1.0.0"},
            "no build 113 of version 1.1.0 in App Store Connect",
        ),
    ],
)
def test_a_build_that_cannot_ship_is_locked_with_why(
    repo: Path, seed: dict, build: dict, why: str
) -> None:
    set_build(repo, '"113"')
    plan, _ = run(repo, with_builds(seed, {"preReleaseVersion": "1.1.0", **build}))
    assert actions(plan) == []
    assert locked(plan) == {f"{VERSION}.build": why}


def test_a_version_in_review_locks_its_build(repo: Path, seed: dict) -> None:
    set_build(repo, '"111"')
    seed = with_builds(seed)
    seed["apps"][0]["versions"][1]["state"] = "WAITING_FOR_REVIEW"
    plan, _ = run(repo, seed)
    assert "not editable while WAITING_FOR_REVIEW" in locked(plan)[f"{VERSION}.build"]


def test_without_a_build_key_no_build_is_read(repo: Path, seed: dict) -> None:
    plan, stats = run(repo, with_builds(seed))
    assert actions(plan) == []
    assert ("GET", "/v1/builds") not in stats


# -- TestFlight: What to Test and groups -----------------------------------------------------

BUILD_FILE = """\
build: newest
localizations:
  en-US: {what_to_test: Try the offline lists.}
  ar-SA: {what_to_test: جرّب القوائم دون اتصال.}
groups: [Friends, Press]
"""


def write_build_file(repo: Path, text: str = BUILD_FILE, name: str = "newest.yml") -> None:
    folder = repo / "apps/demo/testflight/builds"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def with_groups(seed: dict[str, Any], **build: Any) -> dict[str, Any]:
    seed = with_builds(seed, {"version": "112", "preReleaseVersion": "1.1.0", **build})
    seed["apps"][0]["betaGroups"] = [
        {"name": "Friends", "isInternalGroup": False},
        {"name": "Press", "isInternalGroup": False},
        {"name": "Old", "isInternalGroup": False},
        {"name": "Team", "isInternalGroup": True},  # gets every build
    ]
    return seed


def test_what_to_test_and_groups_of_the_newest_build(repo: Path, seed: dict) -> None:
    write_build_file(repo)
    seed = with_groups(
        seed, whatToTest={"en-US": "Old text.", "fr-FR": "Essayez."}, betaGroups=["Friends", "Old"]
    )
    plan, stats = run(repo, seed)
    assert sorted(actions(plan)) == sorted(
        [
            ("update", f"{NEWEST}.locale[en-US]"),
            ("create", f"{NEWEST}.locale[ar-SA]"),
            ("delete", f"{NEWEST}.locale[fr-FR]"),
            ("create", f"{NEWEST}.group[Press]"),
            ("delete", f"{NEWEST}.group[Old]"),
        ]
    )
    join = next(c for c in plan.changes if c.address == f"{NEWEST}.group[Press]")
    assert join.calls == ("POST /v1/builds/{id}/relationships/betaGroups",)
    leave = next(c for c in plan.changes if c.address == f"{NEWEST}.group[Old]")
    assert leave in plan.deletions()
    # 1 builds listing (texts and groups included) + 1 listing of the app's groups
    assert stats[("GET", "/v1/builds")] == 1 and stats[("GET", "/v1/betaGroups")] == 1


def test_matching_testflight_build_plans_nothing(repo: Path, seed: dict) -> None:
    write_build_file(repo)
    seed = with_groups(
        seed,
        whatToTest={"en-US": "Try the offline lists.", "ar-SA": "جرّب القوائم دون اتصال."},
        betaGroups=["Press", "Friends", "Team"],
    )
    plan, _ = run(repo, seed)
    assert actions(plan) == [] and plan.locked == []


def test_an_unknown_group_is_locked_and_a_group_in_the_repo_is_waited_for(
    repo: Path, seed: dict
) -> None:
    write_build_file(repo, BUILD_FILE.replace("[Friends, Press]", "[Friends, Nobody, Later]"))
    groups = repo / "apps/demo/testflight/groups"
    groups.mkdir(parents=True)
    (groups / "later.yml").write_text("name: Later\ninternal: false\n")
    plan, _ = run(repo, with_groups(seed, betaGroups=["Friends"]))
    assert locked(plan) == {
        f"{NEWEST}.group[Nobody]": "no TestFlight group named 'Nobody' in App Store Connect "
        "or the repo"
    }
    join = next(c for c in plan.changes if c.address == f"{NEWEST}.group[Later]")
    assert join.after == ("app[demo].beta_group[Later]",)
    assert [a for a in actions(plan)].index(("create", "app[demo].beta_group[Later]")) < [
        a for a in actions(plan)
    ].index(("create", f"{NEWEST}.group[Later]"))


def test_a_build_file_whose_build_is_processing_changes_nothing(repo: Path, seed: dict) -> None:
    write_build_file(repo, BUILD_FILE.replace("build: newest", 'build: "112"'))
    plan, _ = run(repo, with_groups(seed, processingState="PROCESSING"))
    assert actions(plan) == []
    assert locked(plan) == {
        "app[demo].build[1.1.0][112]": "build 112 is PROCESSING; nothing is changed for this build"
    }


def test_two_files_naming_the_same_build_lock_the_second(repo: Path, seed: dict) -> None:
    write_build_file(repo)
    write_build_file(repo, BUILD_FILE.replace("build: newest", 'build: "112"'), "112.yml")
    plan, _ = run(repo, with_groups(seed))
    notes = locked(plan)
    assert len(notes) == 1
    assert "is managed by apps/demo/testflight/builds/" in next(iter(notes.values()))


# -- validation ---------------------------------------------------------------------------


def messages(repo: Path) -> list[str]:
    return [p.format(repo) for p in validate_repo(repo).errors]


def test_build_numbers_and_duplicates_are_checked_offline(repo: Path) -> None:
    set_build(repo, "latest")
    write_build_file(repo, BUILD_FILE.replace("[Friends, Press]", "[Friends, Friends]"))
    write_build_file(repo, 'build: "111"\ngroups: [Friends, Friends]\n', "111.yml")
    write_build_file(repo, "build: 1.2.3.4\n", "bad.yml")
    write_build_file(repo, 'version: "1.1.0"\nbuild: newest\n', "again.yml")
    found = messages(repo)
    assert any(
        "version.yml:3: build: 'latest' is not valid" in m and "or newest" in m for m in found
    ), found
    assert any("bad.yml:1: build: '1.2.3.4' is not valid" in m for m in found), found
    assert any("111.yml:2: groups: 'Friends' is listed twice" in m for m in found), found
    assert any("'1.1.0/newest' is already used in" in m for m in found), found


def test_a_build_file_needs_a_version(repo: Path) -> None:
    (repo / "apps/demo/version.yml").unlink()
    write_build_file(repo, "build: newest\n")
    found = messages(repo)
    assert any(
        "newest.yml:1: version: is required: there is no version.yml to take it from" in m
        for m in found
    ), found


def test_what_to_test_over_4000_characters_is_an_error(repo: Path) -> None:
    write_build_file(
        repo, f"build: newest\nlocalizations:\n  en-US: {{what_to_test: {'x' * 4001}}}\n"
    )
    found = messages(repo)
    assert any("localizations.en-US.what_to_test: is 4001 characters long" in m for m in found)
