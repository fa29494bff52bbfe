"""``ascsync show plan.json`` renders a saved plan again without asking App Store Connect,
and merges the saved plans of several jobs (one per app) into one."""

from __future__ import annotations

import json
from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.cli.conftest import info, run, version_locale


def differing(seed: dict) -> dict:
    info(seed, 0, "en-US")["subtitle"] = "Old demo subtitle"
    version_locale(seed, 1, "ar-SA")["description"] = "وصف قديم للتطبيق."
    del seed["apps"][1]["versions"][1]["localizations"]["ja"]
    return seed


def test_show_renders_exactly_what_plan_printed(apps_repo, tmp_path: Path) -> None:
    repo, seed = apps_repo
    saved = tmp_path / "plan.json"
    with Sandbox(seed=differing(seed)) as sandbox:
        printed = {
            fmt: run(sandbox, "--no-color", "plan", str(repo), "--format", fmt)
            for fmt in ("text", "markdown", "json")
        }
        assert run(sandbox, "plan", str(repo), "--out", str(saved)).exit_code == 0
    # the sandbox is gone: show cannot ask App Store Connect anything
    for fmt, plan in printed.items():
        shown = run(None, "--no-color", "show", str(saved), "--format", fmt)
        assert shown.exit_code == 0, shown.output
        assert shown.stdout == plan.stdout, fmt
    assert "وصف قديم للتطبيق." in printed["text"].stdout
    detailed = run(None, "show", str(saved), "--detailed-exitcode")
    assert detailed.exit_code == 2


def test_show_merges_the_plans_of_one_job_per_app(apps_repo, tmp_path: Path) -> None:
    repo, seed = apps_repo
    demo, notes = tmp_path / "demo.json", tmp_path / "notes.json"
    with Sandbox(seed=differing(seed)) as sandbox:
        whole = run(sandbox, "--no-color", "plan", str(repo), "--format", "json")
        run(sandbox, "plan", str(repo), "--app", "demo", "--out", str(demo))
        run(sandbox, "plan", str(repo), "--app", "notes", "--out", str(notes))
    merged = run(None, "show", str(demo), str(notes), "--format", "json")
    assert merged.exit_code == 0, merged.output
    assert "Assembled from 2 saved plans." in merged.stderr
    got, want = json.loads(merged.stdout), json.loads(whole.stdout)
    assert got["changes"] == want["changes"]
    assert got["summary"] == want["summary"]
    twice = run(None, "show", str(demo), str(demo))
    assert twice.exit_code == 1
    assert "plans app[demo].info.locale[en-US] again" in twice.output


def test_show_refuses_a_damaged_file_clearly(tmp_path: Path) -> None:
    truncated = tmp_path / "plan.json"
    truncated.write_text('{"schema_version": 1, "changes": [{"address": "app[x]"', "utf-8")
    result = run(None, "show", str(truncated))
    assert result.exit_code == 1
    assert "not valid JSON" in result.output and "Traceback" not in result.output
    bad_action = tmp_path / "edited.json"
    bad_action.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "fingerprint": "",
                "changes": [{"address": "app[x].info", "action": "explode"}],
                "locked": [],
            }
        )
    )
    edited = run(None, "show", str(bad_action))
    assert edited.exit_code == 1 and "1 malformed change(s)" in edited.output
