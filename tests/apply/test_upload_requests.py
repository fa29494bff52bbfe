"""Uploads spend Apple's request budget sparingly: no per-file polling, no needless reorder."""

from __future__ import annotations

import shutil
from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.apply.conftest import expected_sets, fast_settings, invoke, screenshot_sets

SET = "apps/moviecatalog/screenshots/en-US/APP_IPHONE_67"


def api_requests(sandbox: Sandbox, since: int = 0) -> list:
    return [e for e in list(sandbox.journal)[since:] if e.kind == "api"]


def reorders(entries: list) -> list:
    return [
        e
        for e in entries
        if e.method == "PATCH" and "/relationships/app" in e.path and "Sets/" in e.path
    ]


def test_first_upload_checks_settling_per_localization_and_needs_no_reorder(
    example: Path,
) -> None:
    with Sandbox(seed="demo", settings={"settle_seconds": 0.3}) as sandbox:
        result = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert result.exit_code == 0, result.output
        entries = api_requests(sandbox)
        uploads = [e for e in entries if e.method == "POST" and e.path == "/v1/appScreenshots"]
        per_file = [
            e for e in entries if e.method == "GET" and e.path.startswith("/v1/appScreenshots/")
        ]
        settling = [
            e
            for e in entries
            if e.method == "GET"
            and e.path.endswith("/appScreenshotSets")
            and any(k == "fields[appScreenshots]" for k, _ in e.query)
        ]
        assert len(uploads) == 22 + 5  # the version's sets; custom pages' and the treatment's
        assert per_file == []  # no GET per screenshot
        assert 4 <= len(settling) <= 12  # a few rounds for 4 localizations, not per file
        assert reorders(entries) == []  # reserved in the repo's order
        assert screenshot_sets(sandbox) == expected_sets(example)


def test_a_replaced_screenshot_in_the_middle_is_put_back_in_place_with_one_reorder(
    example: Path,
) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        shots = sorted((example / SET).iterdir())
        shutil.copyfile(shots[0], shots[1])  # the middle file changes content
        plan = invoke(sandbox, "plan", str(example))
        assert f"{'screenshots[APP_IPHONE_67].order'}" in plan.output
        mark = len(sandbox.journal)
        result = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert result.exit_code == 0, result.output
        assert len(reorders(api_requests(sandbox, mark))) == 1
        assert screenshot_sets(sandbox) == expected_sets(example)


def test_a_new_last_screenshot_needs_no_reorder(example: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        shots = sorted((example / SET).iterdir())
        shutil.copyfile(shots[0], example / SET / "09-last.png")
        mark = len(sandbox.journal)
        result = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert result.exit_code == 0, result.output
        assert reorders(api_requests(sandbox, mark)) == []
        assert screenshot_sets(sandbox) == expected_sets(example)
