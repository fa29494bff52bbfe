"""What the action and the example workflows pull in, and what they leave lying around."""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML

from tests.action.action_runner import ACTION, run_action
from tests.action.runner_log import obeyed

ROOT = ACTION.parent
WORKFLOWS = sorted((ROOT / "example-repo" / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
TAG_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\b")


def _steps(path: Path) -> list[dict]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if "runs" in data:
        return data["runs"]["steps"]
    return [step for job in data["jobs"].values() for step in job["steps"]]


def _uses_lines(path: Path) -> dict[str, str]:
    """Each ``uses:`` value with its whole source line (for the tag comment)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        match[1]: line
        for line in lines
        if (match := re.search(r"uses:\s*(\S+)", line)) and not line.lstrip().startswith("#")
    }


def test_third_party_actions_are_pinned_by_commit_sha_with_the_tag_in_a_comment():
    checked = 0
    for path in [ACTION, *WORKFLOWS]:
        for uses, line in _uses_lines(path).items():
            if uses.startswith("./") or uses.startswith("ascsync/ascsync@"):
                continue  # local, or this action itself (the workflows say to pin it)
            assert PINNED.match(uses), f"{path.name}: {uses} is not pinned to a commit SHA"
            assert TAG_COMMENT.search(line), f"{path.name}: {uses} has no '# vX.Y.Z' comment"
            checked += 1
    assert checked >= 6


def test_every_example_checkout_leaves_no_git_credentials_behind():
    checkouts = [
        step
        for path in WORKFLOWS
        for step in _steps(path)
        if str(step.get("uses", "")).startswith("actions/checkout@")
    ]
    assert all(
        any(str(s.get("uses", "")).startswith("actions/checkout@") for s in _steps(path))
        for path in WORKFLOWS
    )
    assert all(step.get("with", {}).get("persist-credentials") is False for step in checkouts)


def test_pull_request_target_prints_a_warning_that_explains_the_risk(tmp_path, example_copy):
    inputs = {"repo": str(example_copy), "command": "validate"}
    target = run_action(tmp_path / "target", inputs, event_name="pull_request_target")
    plain = run_action(tmp_path / "plain", inputs, event_name="pull_request")

    [warning] = [c for c in obeyed(target.console) if "pull_request_target" in c.data]
    assert warning.name == "warning"
    assert "secrets" in warning.data and "forks" in warning.data
    assert "Trigger on pull_request instead" in warning.data
    assert not [c for c in obeyed(plain.console) if "pull_request_target" in c.data]


def test_a_python_package_in_the_checked_out_repo_is_never_imported(tmp_path, example_copy):
    # On GitHub the step runs in the checked-out repo; `python -m ascsync.gha` would put
    # that folder first on sys.path, so a PR could add ascsync/__init__.py and run code
    # next to the secrets.
    planted = example_copy / "ascsync"
    planted.mkdir()
    (planted / "__init__.py").write_text("raise SystemExit('PLANTED CODE RAN')\n")
    (planted / "cli.py").write_text("raise SystemExit('PLANTED CODE RAN')\n")

    run = run_action(
        tmp_path / "run",
        {"repo": ".", "command": "validate"},
        event_name="pull_request",
        cwd=example_copy,
    )

    assert "PLANTED CODE RAN" not in run.console
    assert run.code == 0, run.console
    assert run.outputs["valid"] == "true"


def test_every_python_the_action_starts_is_isolated_from_the_working_directory():
    runs = [str(step.get("run", "")) for step in _steps(ACTION)]
    calls = [line for run in runs for line in run.splitlines() if "python" in line]
    assert calls and all("python -I -m" in line for line in calls), calls
