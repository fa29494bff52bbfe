"""Declarations: accessibility (``accessibility.yml``), export compliance
(``app.yml``'s ``uses_non_exempt_encryption``) and the routing app coverage file."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ascsync.engine.plan import Plan
from ascsync.kinds.registry import validate_repo
from ascsync.sandbox import Sandbox
from ascsync.sandbox.engine import Request
from tests.apply.conftest import example as example  # noqa: F401  (the fixture)
from tests.apply.conftest import fast_settings, invoke, writes
from tests.plan.test_products_plan import run

VOICEOVER_ON = "IPHONE:\n  voiceover: true\n  captions: false\n"
COVERAGE = {
    "type": "Feature",
    "geometry": {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]},
}


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def declared(**answers: Any) -> dict[str, Any]:
    return {
        "deviceFamily": "IPHONE",
        "supportsVoiceover": False,
        "supportsCaptions": False,
        **answers,
    }


# -- accessibility ---------------------------------------------------------------------------


def test_accessibility_matching_the_published_declaration_plans_nothing(
    repo: Path, seed: dict
) -> None:
    (repo / "apps/demo/accessibility.yml").write_text(VOICEOVER_ON)
    seed["apps"][0]["accessibilityDeclarations"] = [declared(supportsVoiceover=True)]
    plan, stats = run(repo, seed)
    assert actions(plan) == []
    assert stats[("GET", "/v1/apps/{id}/accessibilityDeclarations")] == 1


def test_a_changed_answer_publishes_anew_and_a_new_family_is_created(
    repo: Path, seed: dict
) -> None:
    (repo / "apps/demo/accessibility.yml").write_text(VOICEOVER_ON + "IPAD:\n  voiceover: true\n")
    seed["apps"][0]["accessibilityDeclarations"] = [declared()]
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("update", "app[demo].accessibility[IPHONE]"),
        ("create", "app[demo].accessibility[IPAD]"),
    ]
    iphone = plan.changes[0]
    assert [(f.name, f.before, f.after) for f in iphone.fields] == [
        ("IPHONE.voiceover", False, True)
    ]
    assert iphone.calls == (
        "POST /v1/accessibilityDeclarations",
        "PATCH /v1/accessibilityDeclarations/{id} (publish)",
    )
    assert iphone.source == "apps/demo/accessibility.yml:2"


def test_a_family_the_platform_does_not_run_on_is_a_warning(repo: Path) -> None:
    (repo / "apps/demo/accessibility.yml").write_text("APPLE_TV:\n  voiceover: true\n")
    warnings = [p.format(repo) for p in validate_repo(repo).warnings]
    assert (
        "apps/demo/accessibility.yml:2: APPLE_TV: an app for IOS does not run on APPLE_TV "
        "(IPHONE, IPAD, VISION)" in warnings
    )


def test_accessibility_apply_publishes_replaces_and_converges(example: Path) -> None:  # noqa: F811
    shutil.rmtree(example / "apps/moviecatalog/screenshots")
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        first = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert first.exit_code == 0, first.output
        states = sorted(
            (d.attributes["deviceFamily"], d.attributes["state"], d.attributes["supportsVoiceover"])
            for d in sandbox.store.list("accessibilityDeclarations")
        )
        assert states == [
            ("IPAD", "PUBLISHED", True),
            ("IPHONE", "PUBLISHED", True),
            ("IPHONE", "REPLACED", False),
        ]
        mark = len(sandbox.journal)
        again = invoke(sandbox, "apply", str(example), "--auto-approve")
        assert again.exit_code == 0 and writes(sandbox, mark) == []
        adopted = example.parent / "adopted"
        pulled = invoke(sandbox, "pull", str(adopted), "--app", "com.example.moviecatalog")
        assert pulled.exit_code == 0, pulled.output
        text = (adopted / "apps/moviecatalog/accessibility.yml").read_text()
        assert "IPHONE:\n  voiceover: true\n" in text and "IPAD:\n" in text


def test_the_sandbox_edits_drafts_only(repo: Path, seed: dict) -> None:
    seed["apps"][0]["accessibilityDeclarations"] = [declared()]
    with Sandbox(seed=seed) as sandbox:
        (published,) = sandbox.store.list("accessibilityDeclarations")
        body = {
            "data": {
                "type": "accessibilityDeclarations",
                "id": published.id,
                "attributes": {"supportsVoiceover": True},
            }
        }
        answer = sandbox.engine.handle(
            Request("PATCH", f"/v1/accessibilityDeclarations/{published.id}", body=body)
        )
    assert answer.status == 409
    assert answer.body["errors"][0]["code"] == "STATE_ERROR"


# -- export compliance -------------------------------------------------------------------------


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_build(seed: dict[str, Any], answer: Any) -> dict[str, Any]:
    seed["apps"][0]["builds"] = [
        {
            "version": "110",
            "preReleaseVersion": "1.1.0",
            "uploadedDate": days_ago(2),
            "usesNonExemptEncryption": answer,
        }
    ]
    seed["apps"][0]["versions"][1]["build"] = "110"
    return seed


def compliance_repo(repo: Path) -> None:
    app = repo / "apps/demo"
    (app / "app.yml").write_text(
        (app / "app.yml").read_text() + "uses_non_exempt_encryption: false\n"
    )
    (app / "version.yml").write_text((app / "version.yml").read_text() + 'build: "110"\n')


@pytest.mark.parametrize(
    ("answer", "planned", "locked"),
    [(None, ["update"], 0), (False, [], 0), (True, [], 1)],
)
def test_export_compliance_is_answered_only_where_it_is_missing(
    repo: Path, seed: dict, answer: Any, planned: list[str], locked: int
) -> None:
    compliance_repo(repo)
    plan, _ = run(repo, with_build(seed, answer))
    address = "app[demo].version[1.1.0].build.export_compliance"
    assert [a for a, addr in actions(plan) if addr == address] == planned
    assert len(plan.locked) == locked
    if planned:
        (change,) = plan.changes
        assert change.note == "build 110 is missing export compliance"
        assert change.calls == ("PATCH /v1/builds/{id}",)


def test_export_compliance_apply_converges(repo: Path, seed: dict) -> None:
    compliance_repo(repo)
    with Sandbox(seed=with_build(seed, None), settings=fast_settings()) as sandbox:
        assert invoke(sandbox, "apply", str(repo), "--auto-approve").exit_code == 0
        (build,) = sandbox.store.list("builds")
        assert build.attributes["usesNonExemptEncryption"] is False
        assert invoke(sandbox, "plan", str(repo), "--detailed-exitcode").exit_code == 0


# -- routing app coverage ------------------------------------------------------------------------


def write_coverage(repo: Path, content: Any = COVERAGE) -> Path:
    path = repo / "apps/demo/routing-app-coverage.geojson"
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return path


def test_the_coverage_file_uploads_once_and_a_change_replaces_it(repo: Path, seed: dict) -> None:
    path = write_coverage(repo)
    with Sandbox(seed=seed, settings=fast_settings()) as sandbox:
        plan = invoke(sandbox, "plan", str(repo))
        assert "+ app[demo].version[1.1.0].routing_coverage  # upload" in plan.output
        assert invoke(sandbox, "apply", str(repo), "--auto-approve").exit_code == 0
        (first,) = sandbox.store.list("routingAppCoverages")
        assert first.attributes["assetDeliveryState"]["state"] == "COMPLETE"
        assert invoke(sandbox, "plan", str(repo), "--detailed-exitcode").exit_code == 0

        write_coverage(repo, {**COVERAGE, "properties": {"name": "wider"}})
        plan = invoke(sandbox, "plan", str(repo))
        assert "± app[demo].version[1.1.0].routing_coverage  # replace" in plan.output
        assert invoke(sandbox, "apply", str(repo), "--auto-approve").exit_code == 0
        (second,) = sandbox.store.list("routingAppCoverages")
        assert second.id != first.id
        assert invoke(sandbox, "plan", str(repo), "--detailed-exitcode").exit_code == 0
    assert path.exists()


def test_a_version_in_review_locks_its_coverage(repo: Path, seed: dict) -> None:
    write_coverage(repo)
    seed["apps"][0]["versions"][1]["state"] = "WAITING_FOR_REVIEW"
    plan, _ = run(repo, seed)
    assert actions(plan) == []
    assert [c.address for c in plan.locked] == ["app[demo].version[1.1.0].routing_coverage"]


@pytest.mark.parametrize(
    ("content", "message", "severity"),
    [
        (
            '{"type": "Feature",\n  "geometry": }',
            "routing-app-coverage.geojson:2: file: is not valid JSON",
            "error",
        ),
        (
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}},
            "routing-app-coverage.geojson:1: file: has no MultiPolygon geometry",
            "warning",
        ),
    ],
)
def test_the_coverage_file_is_checked_offline(
    repo: Path, content: Any, message: str, severity: str
) -> None:
    write_coverage(repo, content)
    report = validate_repo(repo)
    found = report.errors if severity == "error" else report.warnings
    assert any(message in p.format(repo) for p in found), [p.format(repo) for p in found]


def test_the_coverage_file_applies_to_ios_apps_with_a_version(repo: Path) -> None:
    write_coverage(repo)
    app_yml = repo / "apps/demo/app.yml"
    app_yml.write_text(app_yml.read_text().replace("platform: IOS", "platform: MAC_OS"))
    (repo / "apps/demo/version.yml").unlink()
    errors = [p.format(repo) for p in validate_repo(repo).errors]
    geojson = "apps/demo/routing-app-coverage.geojson"
    assert f"{geojson}: platform: is MAC_OS: routing apps are iOS apps (IOS)" in errors
    assert (
        "apps/demo/routing-app-coverage.geojson: file: belongs to a version (add version.yml)"
        in errors
    )


def test_an_oversized_coverage_file_is_an_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascsync.kinds import routing_coverage

    monkeypatch.setattr(routing_coverage, "MAX_BYTES", 10)
    write_coverage(repo)
    errors = [p.format(repo) for p in validate_repo(repo).errors]
    assert any(
        "routing-app-coverage.geojson: file: is " in e and "at most 10 [U]" in e for e in errors
    )
