"""On a pull request the action validates, plans, and keeps ONE comment up to date."""

from __future__ import annotations

from pathlib import Path

from tests.action.action_runner import run_action
from tests.action.conftest import GITHUB_TOKEN
from tests.action.fake_github import FakeGitHub

REPO = "example/moviecatalog"
PR = {"number": 42, "pull_request": {"number": 42}}


def plan_on_pr(tmp: Path, repo: Path, github: FakeGitHub, run: str):
    return run_action(
        tmp / run,
        {"repo": str(repo), "sandbox": "true", "github-token": GITHUB_TOKEN},
        event_name="pull_request",
        event=PR,
        github_api_url=github.url,
    )


def ours(github: FakeGitHub) -> list:
    return [c for c in github.comments(REPO, 42) if "<!-- ascsync-plan:" in c.body]


def test_plan_comment_is_created_once_then_updated(tmp_path, example_copy, github):
    # 120 earlier comments: ascsync's comment lands on the second page of the listing,
    # so finding it again needs pagination.
    for i in range(120):
        github.add(REPO, 42, f"review comment {i}")

    first = plan_on_pr(tmp_path, example_copy, github, "first")
    assert first.code == 0, first.console
    assert first.outputs["command"] == "plan"
    assert first.outputs["valid"] == "true"
    assert first.outputs["changes"] == "true"
    assert first.outputs["comment"] == "created"
    [comment] = ours(github)
    assert "### ascsync plan" in comment.body
    assert "PHOTO_AND_VIDEO" in comment.body  # a change the demo seed makes
    assert "### ascsync plan" in first.summary
    assert first.outputs["plan"] in first.summary
    assert Path(first.outputs["plan-json"]).is_file()

    # The author pushes a fix: a new name in en-US.
    en_us = example_copy / "apps" / "moviecatalog" / "locales" / "en-US.yml"
    text = en_us.read_text(encoding="utf-8")
    en_us.write_text(
        "\n".join(
            'name: "Movie Catalog Next"' if line.startswith("name:") else line
            for line in text.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    second = plan_on_pr(tmp_path, example_copy, github, "second")
    assert second.code == 0, second.console
    assert second.outputs["comment"] == "updated"
    [comment] = ours(github)  # still exactly one
    assert "Movie Catalog Next" in comment.body
    assert len(github.comments(REPO, 42)) == 121
    assert [method for method, _ in github.comment_writes()] == ["POST", "PATCH"]


def test_a_planted_marker_comment_is_left_alone(tmp_path, example_copy, github):
    # Someone pastes a fake plan carrying the marker before the action ever ran.
    planted = "<!-- ascsync-plan:" + str(example_copy) + " -->\n### ascsync plan\n\nNo changes."
    github.add(REPO, 42, planted, user="mallory")

    run = plan_on_pr(tmp_path, example_copy, github, "first")

    assert run.code == 0, run.console
    assert run.outputs["comment"] == "created"
    planted_comment, real = ours(github)
    assert planted_comment.body == planted
    assert real.user == "github-actions[bot]" and "PHOTO_AND_VIDEO" in real.body
    assert [method for method, _ in github.comment_writes()] == ["POST"]


def test_validation_errors_fail_the_check_and_are_commented(tmp_path, example_copy, github):
    en_us = example_copy / "apps" / "moviecatalog" / "locales" / "en-US.yml"
    lines = en_us.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("name:"))
    lines[number - 1] = "name: " + "x" * 40
    en_us.write_text("\n".join(lines) + "\n", encoding="utf-8")

    run = plan_on_pr(tmp_path, example_copy, github, "bad")

    assert run.code == 1
    assert run.outputs["valid"] == "false"
    assert "changes" not in run.outputs  # nothing was planned
    where = f"file={example_copy}/apps/moviecatalog/locales/en-US.yml,line={number}"
    assert f"::error {where}::name: is 40 characters long" in run.console
    assert "validate failed" in run.summary
    assert "en-US.yml" in run.summary
    [comment] = ours(github)
    assert "is 40 characters long" in comment.body


def test_no_comment_without_a_pull_request(tmp_path, example_copy, github):
    run = run_action(
        tmp_path / "dispatch",
        {"repo": str(example_copy), "sandbox": "true", "github-token": GITHUB_TOKEN},
        event_name="workflow_dispatch",
        github_api_url=github.url,
    )
    assert run.code == 0, run.console
    assert run.outputs["command"] == "plan"
    assert github.requests == []


def test_github_refusing_the_comment_fails_with_one_line(tmp_path, example_copy, github):
    run = run_action(
        tmp_path / "refused",
        {"repo": str(example_copy), "sandbox": "true", "github-token": "wrong-token-value"},
        event_name="pull_request",
        event=PR,
        github_api_url=github.url,
    )
    assert run.code == 1
    assert "::error::GitHub API GET" in run.console
    assert "401" in run.console and "pull-requests: write" in run.console
    assert "Traceback" not in run.console
