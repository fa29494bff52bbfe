"""Many apps in one repo: ``apps`` feeds a job matrix, each job plans one app without
commenting, and ``assemble`` makes ONE pull request comment and ONE HTML report from
the jobs' artifacts (the workflow in docs/examples/workflows/ascsync-many-apps.yml)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.action.action_runner import ActionRun, run_action
from tests.action.conftest import GITHUB_TOKEN
from tests.action.fake_github import FakeGitHub
from tests.cli.conftest import info, two_apps, version_locale

REPO = "example/agency"
PR = {"number": 7, "pull_request": {"number": 7}}
RUN = {
    "GITHUB_SERVER_URL": "https://github.example",
    "GITHUB_RUN_ID": "99",
    "GITHUB_REPOSITORY": REPO,
}


def credentials(sandbox: Sandbox) -> dict[str, str]:
    return {
        "api-url": sandbox.url,
        "key-id": sandbox.key_id,
        "issuer-id": sandbox.issuer_id,
        "private-key": sandbox.private_key_pem.decode(),
        "github-token": GITHUB_TOKEN,
    }


def job(tmp: Path, name: str, inputs: dict[str, str], github: FakeGitHub) -> ActionRun:
    return run_action(
        tmp / name, inputs, event_name="pull_request", event=PR,
        github_api_url=github.url, extra_env=RUN,
    )  # fmt: skip


def download(runs: dict[str, ActionRun], folder: Path) -> Path:
    """What actions/download-artifact does: each job's artifact in a folder of its name."""
    for app, run in runs.items():
        target = folder / f"ascsync-app-{app}"
        target.mkdir(parents=True)
        for path in run.outputs["report-files"].splitlines():
            shutil.copy(path, target / Path(path).name)
    return folder


def assemble(tmp: Path, name: str, repo: Path, plans: Path, github: FakeGitHub) -> ActionRun:
    """The last job: the action with ``command: assemble`` on the downloaded artifacts."""
    inputs = {"repo": str(repo), "command": "assemble", "plans": str(plans)}
    return job(tmp, name, {**inputs, "github-token": GITHUB_TOKEN}, github)


def matrix(tmp: Path, repo: Path, sandbox: Sandbox, github: FakeGitHub, **per_app: str):
    """The ``apps`` job, then one plan job per app (``per_app`` adds args to one)."""
    listed = job(tmp, "apps", {"repo": str(repo), "command": "apps"}, github)
    assert listed.code == 0, listed.console
    runs = {}
    for app in json.loads(listed.outputs["apps"]):
        inputs = {
            "repo": str(repo), "command": "plan", "app": app, "comment": "false",
            "report-artifact": f"ascsync-app-{app}", "args": per_app.get(app, ""),
            **credentials(sandbox),
        }  # fmt: skip
        runs[app] = job(tmp, f"plan-{app}", inputs, github)
    return listed, runs


def test_one_comment_and_one_report_from_one_job_per_app(tmp_path, github):
    repo, seed = two_apps(tmp_path / "listing")
    info(seed, 0, "en-US")["subtitle"] = "Old demo subtitle"
    version_locale(seed, 1, "ar-SA")["whatsNew"] = "نسخة قديمة"
    with Sandbox(seed=seed) as sandbox:
        listed, runs = matrix(tmp_path, repo, sandbox, github)
        assert listed.outputs["apps"] == '["demo", "notes"]' and listed.outputs["count"] == "2"
        for app, run in runs.items():
            assert run.code == 0, run.console
            assert run.outputs["changes"] == "true", app
        assert github.comment_writes() == []  # the matrix jobs do not comment
        plans = download(runs, tmp_path / "plans")
        final = assemble(tmp_path, "assemble", repo, plans, github)
    assert final.code == 0, final.console
    assert final.outputs["changes"] == "true"
    [comment] = github.comments(REPO, 7)
    assert comment.body.startswith(f"<!-- ascsync-plan:{repo} -->\n### ascsync plan")
    assert "**0 to create, 2 to update, 0 to delete, 0 uploads**" in comment.body
    assert "app[demo].info.locale[en-US]" in comment.body
    assert "app[notes].version[1.1.0].locale[ar-SA]" in comment.body
    assert "artifact `ascsync-plan-report` from [this workflow run]" in comment.body
    report = Path(final.outputs["report-path"]).read_text(encoding="utf-8")
    assert "Assembled from 2 saved plans." in report
    assert "demo · en-US" in report and "notes · ar-SA (Arabic)" in report
    assert final.outputs["report-files"] == final.outputs["report-path"]
    # a second push updates the same comment instead of adding one
    again = assemble(tmp_path, "assemble-again", repo, plans, github)
    assert again.outputs["comment"] == "updated" and len(github.comments(REPO, 7)) == 1


def test_a_failed_job_is_named_in_the_comment_and_fails_the_assembly(tmp_path, github):
    repo, seed = two_apps(tmp_path / "listing")
    version_locale(seed, 1, "ja")["whatsNew"] = "古い"
    with Sandbox(seed=seed) as sandbox:
        _listed, runs = matrix(tmp_path, repo, sandbox, github, demo="--no-such-flag")
        assert runs["demo"].code == 1 and runs["notes"].code == 0
        plans = download(runs, tmp_path / "plans")
        final = assemble(tmp_path, "assemble", repo, plans, github)
    assert final.code == 1
    [comment] = github.comments(REPO, 7)
    assert "1 plan job(s) failed; their apps are not planned below." in comment.body
    assert "From `ascsync-app-demo`:" in comment.body and "No such option" in comment.body
    assert "app[notes].version[1.1.0].locale[ja]" in comment.body  # the other app still shows
    assert "No changes" not in comment.body


def test_assembling_nothing_is_an_error_not_an_empty_plan(tmp_path, github):
    (tmp_path / "plans").mkdir()
    final = job(
        tmp_path,
        "assemble",
        {"command": "assemble", "plans": str(tmp_path / "plans"), "github-token": GITHUB_TOKEN},
        github,
    )
    assert final.code == 1
    assert "no plan job left its files" in final.console
    assert github.comment_writes() == []


def test_apps_lists_only_what_a_change_touches(tmp_path, github):
    import subprocess

    repo, _seed = two_apps(tmp_path / "listing")
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "x"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo, check=True,
        )  # fmt: skip
    (repo / "apps/notes/locales/ja.yml").write_text(
        (repo / "apps/notes/locales/ja.yml").read_text(encoding="utf-8")
        + "promotional_text: 新着\n",
        encoding="utf-8",
    )
    run = run_action(
        tmp_path / "apps",
        {"repo": str(repo), "command": "apps", "changed-since": "HEAD"},
        event_name="pull_request",
        event=PR,
        github_api_url=github.url,
    )
    assert run.code == 0, run.console
    assert run.outputs["apps"] == '["notes"]' and run.outputs["count"] == "1"


def test_the_example_workflow_wires_the_matrix_to_the_assembly():
    from ruamel.yaml import YAML

    root = Path(__file__).resolve().parents[2]
    workflow = YAML(typ="safe").load(
        (root / "docs/examples/workflows/ascsync-many-apps.yml").read_text(encoding="utf-8")
    )
    jobs = workflow["jobs"]
    apps_step = next(s for s in jobs["apps"]["steps"] if s.get("id") == "apps")
    assert apps_step["with"]["command"] == "apps"
    assert jobs["app"]["strategy"]["matrix"]["app"] == "${{ fromJSON(needs.apps.outputs.apps) }}"
    assert jobs["app"]["strategy"]["fail-fast"] is False
    plan = next(s for s in jobs["app"]["steps"] if s.get("uses", "").startswith("ascsync/"))
    assert plan["with"]["comment"] is False
    download = next(s for s in jobs["comment"]["steps"] if "download-artifact" in s.get("uses", ""))
    assemble = next(s for s in jobs["comment"]["steps"] if s.get("uses", "").startswith("ascsync/"))
    prefix = download["with"]["pattern"].rstrip("*")
    assert plan["with"]["report-artifact"].startswith(prefix)
    assert assemble["with"] == {
        "command": "assemble",
        "repo": ".",
        "plans": download["with"]["path"],
    }
    assert jobs["comment"]["if"].startswith("always()")
