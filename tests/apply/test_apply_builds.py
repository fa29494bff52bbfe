"""``ascsync apply`` for builds: the version's build, What to Test and TestFlight groups."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ascsync.sandbox import Sandbox
from ascsync.sandbox.engine import Request
from tests.apply.conftest import fast_settings, invoke, writes

APP = Path("apps/moviecatalog")
VERSION = APP / "version.yml"
NEWEST = APP / "testflight/builds/2.4.0-newest.yml"


@pytest.fixture
def repo(example: Path) -> Path:
    """The example repo without screenshots and products, so runs are quick."""
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


def build(sandbox: Sandbox, number: str) -> Any:
    return next(b for b in sandbox.store.list("builds") if b.attributes["version"] == number)


def version_build(sandbox: Sandbox) -> str:
    version = next(
        v
        for v in sandbox.store.list("appStoreVersions")
        if v.attributes["versionString"] == "2.4.0"
    )
    return sandbox.store.related(version, "build")[0].attributes["version"]


def texts(sandbox: Sandbox, number: str) -> dict[str, str]:
    found = sandbox.store.related(build(sandbox, number), "betaBuildLocalizations")
    return {t.attributes["locale"]: t.attributes["whatsNew"] for t in found}


def groups(sandbox: Sandbox, number: str) -> set[str]:
    return {
        g.attributes["name"] for g in sandbox.store.related(build(sandbox, number), "betaGroups")
    }


def test_builds_apply_then_plan_shows_no_changes_and_a_rerun_writes_nothing(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        assert version_build(sandbox) == "240"
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        done = operations(sandbox, mark)
        assert "PATCH /v1/appStoreVersions/{id}/relationships/build" in done
        assert "POST /v1/builds/{id}/relationships/betaGroups" in done
        assert version_build(sandbox) == "241"
        assert texts(sandbox, "241") == {
            "en-US": "Offline lists: save a list, switch to flight mode, open it again.",
            "de-DE": "Offline-Listen: Liste speichern, Flugmodus an, Liste wieder öffnen.",
        }
        assert groups(sandbox, "241") == {"Public Beta"}
        assert_no_changes(sandbox, repo)

        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert writes(sandbox, mark) == []


def test_a_pinned_build_number_and_a_group_taken_away(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        edit(repo, VERSION, "build: newest", 'build: "240"')
        edit(repo, NEWEST, "groups: [Public Beta]", "groups: []")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert operations(sandbox, mark) == [
            "DELETE /v1/builds/{id}/relationships/betaGroups",
            "PATCH /v1/appStoreVersions/{id}/relationships/build",
        ]
        assert version_build(sandbox) == "240"
        assert groups(sandbox, "241") == set()
        assert_no_changes(sandbox, repo)


def test_taking_a_build_from_a_group_needs_allow_delete_when_unattended(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        edit(repo, NEWEST, "groups: [Public Beta]", "groups: []")
        refused = invoke(sandbox, "apply", str(repo), "--auto-approve")
        assert refused.exit_code != 0
        assert "build[2.4.0][newest].group[Public Beta]" in refused.output
        assert groups(sandbox, "241") == {"Public Beta"}


def test_a_new_upload_still_processing_holds_newest_back(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        app = sandbox.store.list("apps")[0]
        newer = sandbox.store.create(
            "builds",
            {
                "version": "242",
                "processingState": "PROCESSING",
                "uploadedDate": "2099-01-01T00:00:00.000+00:00",
                "expired": False,
            },
            {
                "app": app.ref,
                "preReleaseVersion": build(sandbox, "241").relationships.get("preReleaseVersion"),
            },
        )
        plan = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
        assert plan.exit_code == 0, plan.output
        assert "the newest build (242) is still processing" in plan.output
        newer.attributes["processingState"] = "VALID"
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert "PATCH /v1/appStoreVersions/{id}/relationships/build" in operations(sandbox, mark)
        assert version_build(sandbox) == "242"
        assert set(texts(sandbox, "242")) == {"en-US", "de-DE"}
        assert_no_changes(sandbox, repo)


# -- what the sandbox refuses, as Apple does ------------------------------------------------


def linkage(sandbox: Sandbox, method: str, path: str, data: Any) -> Any:
    return sandbox.engine.handle(Request(method, path, body={"data": data}))


def test_the_sandbox_refuses_a_processing_build_for_a_group(repo: Path) -> None:
    with Sandbox(seed="demo") as sandbox:
        busy = build(sandbox, "241")
        busy.attributes["processingState"] = "PROCESSING"
        group = next(
            g for g in sandbox.store.list("betaGroups") if g.attributes["name"] == "Public Beta"
        )
        answer = linkage(
            sandbox,
            "POST",
            f"/v1/builds/{busy.id}/relationships/betaGroups",
            [{"type": "betaGroups", "id": group.id}],
        )
    assert answer.status == 409
    assert answer.body["errors"][0]["detail"] == "The build is PROCESSING and cannot be used."


def test_the_sandbox_refuses_a_build_of_another_version_for_a_release(repo: Path) -> None:
    with Sandbox(seed="demo") as sandbox:
        version = next(
            v
            for v in sandbox.store.list("appStoreVersions")
            if v.attributes["versionString"] == "2.4.0"
        )
        answer = linkage(
            sandbox,
            "PATCH",
            f"/v1/appStoreVersions/{version.id}/relationships/build",
            {"type": "builds", "id": build(sandbox, "230").id},
        )
    assert answer.status == 409
    assert answer.body["errors"][0]["detail"] == "The build belongs to version 2.3.0, not 2.4.0."
