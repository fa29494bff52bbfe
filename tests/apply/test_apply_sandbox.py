"""``ascsync apply`` against the sandbox: converges, never duplicates, refuses unsafe runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ascsync.sandbox import Sandbox
from tests.apply.conftest import (
    PASSWORD,
    converge,
    expected_sets,
    fast_settings,
    invoke,
    screenshot_sets,
    writes,
)


def versions_of_demo(sandbox: Sandbox) -> list[str]:
    return sorted(v.attributes["versionString"] for v in sandbox.store.list("appStoreVersions"))


def test_plan_apply_plan_converges_from_the_demo_seed(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        first = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert first.exit_code == 0, first.output
        assert "Apply: " in first.output and " 0 failed, 0 skipped." in first.output
        # progress: items done of all, bytes uploaded of all, an estimate of time left
        size = r"\d+(\.\d)? [KM]B"
        assert re.search(rf"\[\d+/\d+, {size} of {size}, ~\d+ s left\] ok +upload ", first.output)
        again = invoke(sandbox, "plan", str(example), "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        assert again.output.startswith("No changes.")
        assert screenshot_sets(sandbox) == expected_sets(example)
        locales = {
            r.attributes["locale"]
            for r in sandbox.store.list("appStoreVersionLocalizations")
            if r.relationships.get("appStoreVersion")
        }
        assert "es-ES" not in {
            r.attributes["locale"] for r in sandbox.store.list("appInfoLocalizations")
        }
        assert {"en-US", "de-DE", "fr-FR", "ja"} <= locales
        review = sandbox.store.list("appStoreReviewDetails")
        assert PASSWORD in [r.attributes.get("demoAccountPassword") for r in review]
        assert PASSWORD not in first.output + again.output


def test_second_apply_sends_no_writes(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        assert (
            invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete").exit_code
            == 0
        )
        mark = len(sandbox.journal)
        second = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert second.exit_code == 0, second.output
        assert writes(sandbox, mark) == []


def test_apply_from_an_app_with_no_version_creates_everything(example: Path) -> None:
    seed = {
        "apps": [
            {
                "bundleId": "com.example.moviecatalog",
                "name": "Movie Catalog",
                "primaryLocale": "en-US",
            }
        ]
    }
    with Sandbox(seed=seed, settings=fast_settings()) as sandbox:
        first = converge(sandbox, example)
        assert len(first) == 1  # Apple's ready-made en-US localization is taken over
        # the app info opens for edits only once the new version exists: a second apply
        converge(sandbox, example)
        assert invoke(sandbox, "plan", str(example), "--detailed-exitcode").exit_code == 0
        assert versions_of_demo(sandbox) == ["2.4.0"]
        assert screenshot_sets(sandbox) == expected_sets(example)


@pytest.mark.usefixtures("quick_backoff")
def test_converges_under_429_bursts_and_server_errors(example: Path) -> None:
    faults = "seed=11,error=0.1,burst429=2:25,retry_after=0"
    with Sandbox(seed="demo", settings=fast_settings(), faults=faults) as sandbox:
        converge(sandbox, example, attempts=8)
        sandbox.set_faults(None)
        assert invoke(sandbox, "plan", str(example), "--detailed-exitcode").exit_code == 0
        assert screenshot_sets(sandbox) == expected_sets(example)


@pytest.mark.usefixtures("quick_backoff")
def test_converges_when_uploads_are_dropped_midway(example: Path) -> None:
    with Sandbox(
        seed="demo",
        settings={**fast_settings(), "upload_part_size": 20_000},
        faults="seed=5,drop_upload=0.3",
    ) as sandbox:
        converge(sandbox, example, attempts=8)
        sandbox.set_faults(None)
        assert invoke(sandbox, "plan", str(example), "--detailed-exitcode").exit_code == 0
        assert screenshot_sets(sandbox) == expected_sets(example)


def test_failed_screenshots_are_replaced_on_the_next_run(example: Path) -> None:
    settings = {**fast_settings(), "fail_next_uploads": 3}
    with Sandbox(seed="demo", settings=settings) as sandbox:
        first = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert first.exit_code == 1
        assert first.output.count("FAILED  upload") == 3
        converge(sandbox, example)
        assert screenshot_sets(sandbox) == expected_sets(example)


def test_screenshots_stuck_in_processing_are_retried_later(example: Path) -> None:
    settings = {**fast_settings(), "stuck_uploads": True}
    with Sandbox(seed="demo", settings=settings) as sandbox:
        first = invoke(
            sandbox,
            "apply",
            str(example),
            "--auto-approve",
            "--allow-delete",
            "--upload-timeout",
            "1",
        )
        assert first.exit_code == 1
        assert "still UPLOAD_COMPLETE after 1 s" in first.output
        sandbox.settings["stuck_uploads"] = False
        converge(sandbox, example)
        assert screenshot_sets(sandbox) == expected_sets(example)


def test_saved_plan_is_refused_when_live_state_changed(example: Path, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        assert invoke(sandbox, "plan", str(example), "--out", str(plan_file)).exit_code == 0
        app = sandbox.store.list("appInfoLocalizations")[0]
        sandbox.store.update(app, {"subtitle": "Edited by hand"})
        mark = len(sandbox.journal)
        result = invoke(sandbox, "apply", str(plan_file), "--auto-approve", "--allow-delete")
        assert result.exit_code == 1
        assert "App Store Connect changed since this plan was made" in result.output
        assert writes(sandbox, mark) == []


def test_saved_plan_applies_when_nothing_changed(example: Path, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        invoke(sandbox, "plan", str(example), "--out", str(plan_file))
        assert json.loads(plan_file.read_text())["repo"] == str(example.resolve())
        result = invoke(sandbox, "apply", str(plan_file), "--auto-approve", "--allow-delete")
        assert result.exit_code == 0, result.output


def test_no_prompt_without_a_terminal(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        mark = len(sandbox.journal)
        result = invoke(sandbox, "apply", str(example))
        assert result.exit_code == 1
        assert "refusing to prompt without a terminal" in result.output
        assert writes(sandbox, mark) == []


def test_deletion_threshold_needs_allow_delete(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        assert (
            invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete").exit_code
            == 0
        )
        for name in ("02-detail.png", "03-search.png"):
            for locale in ("en-US", "de-DE", "fr-FR", "ja"):
                (
                    example / "apps/moviecatalog/screenshots" / locale / "APP_IPHONE_67" / name
                ).unlink()
        mark = len(sandbox.journal)
        refused = invoke(sandbox, "apply", str(example), "--auto-approve")
        assert refused.exit_code == 1
        # 24 of the main page's and 6 of the custom product pages' and the test's
        assert "the plan deletes 8 of 30 appScreenshots (over 10 %)" in refused.output
        assert "pass --allow-delete" in refused.output
        assert writes(sandbox, mark) == []
        allowed = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert allowed.exit_code == 0, allowed.output
        assert screenshot_sets(sandbox) == expected_sets(example)


def test_missing_secret_stops_apply_before_any_request(example: Path, monkeypatch) -> None:
    monkeypatch.delenv("MOVIECATALOG_DEMO_PASSWORD")
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        result = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert result.exit_code == 1
        assert "MOVIECATALOG_DEMO_PASSWORD is not set" in result.output
        assert len(sandbox.journal) == 0


def test_submit_for_review_after_apply(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        result = invoke(
            sandbox,
            "apply",
            str(example),
            "--auto-approve",
            "--allow-delete",
            "--submit-for-review",
        )
        assert result.exit_code == 0, result.output
        assert "version 2.4.0 submitted for review" in result.output
        version = next(
            v
            for v in sandbox.store.list("appStoreVersions")
            if v.attributes["versionString"] == "2.4.0"
        )
        assert version.attributes["appVersionState"] == "WAITING_FOR_REVIEW"
        again = invoke(sandbox, "plan", str(example), "--detailed-exitcode")
        assert again.exit_code == 0, again.output


def test_submit_refused_without_a_build(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        version = next(
            v
            for v in sandbox.store.list("appStoreVersions")
            if v.attributes["versionString"] == "2.4.0"
        )
        sandbox.store.set_relationship(version, "build", None)
        # a repo that does not choose the build (version.yml without `build:`)
        version_file = example / "apps/moviecatalog/version.yml"
        text = version_file.read_text(encoding="utf-8")
        version_file.write_text(
            "".join(line for line in text.splitlines(True) if not line.startswith("build:")),
            encoding="utf-8",
        )
        result = invoke(
            sandbox,
            "apply",
            str(example),
            "--auto-approve",
            "--allow-delete",
            "--submit-for-review",
        )
        assert result.exit_code == 1
        assert "version 2.4.0 cannot be submitted for review: no build is attached" in result.output
        assert not sandbox.store.list("reviewSubmissions")
