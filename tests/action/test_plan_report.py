"""The plan step on a pull request: --detailed-exitcode decides "changes", the HTML report
is written and linked from the comment, and a failed plan is never posted as empty."""

from __future__ import annotations

from pathlib import Path

from ascsync.engine.plan import Plan
from ascsync.engine.render import render_markdown
from tests.action.action_runner import run_action
from tests.action.conftest import GITHUB_TOKEN
from tests.action.fake_github import FakeGitHub

REPO = "example/moviecatalog"
PR = {"number": 42, "pull_request": {"number": 42}}
RUN = {"GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "7700"}


def plan_on_pr(tmp: Path, repo: Path, github: FakeGitHub, name: str, **inputs: str):
    return run_action(
        tmp / name,
        {"repo": str(repo), "sandbox": "true", "github-token": GITHUB_TOKEN, **inputs},
        event_name="pull_request",
        event=PR,
        github_api_url=github.url,
        extra_env=RUN,
    )


def test_the_comment_links_the_html_report_artifact(tmp_path, example_copy, github):
    run = plan_on_pr(tmp_path, example_copy, github, "pr", **{"report-artifact": "listing-plan"})
    assert run.code == 0, run.console
    assert run.outputs["changes"] == "true"
    report = Path(run.outputs["report-path"])
    assert report.is_file() and '<img src="data:image/' in report.read_text(encoding="utf-8")
    files = run.outputs["report-files"].splitlines()
    assert [Path(f).suffix for f in files] == [".json", ".html", ".md"]
    [comment] = github.comments(REPO, 42)
    assert (
        "**Visual report** (texts and screenshots before and after): artifact `listing-plan` "
        "from [this workflow run](https://github.example/example/moviecatalog/actions/runs/7700"
        "#artifacts)."
    ) in comment.body
    # still there: every deletion, outside <details>
    visible = comment.body.split("<details>")[0]
    assert "tester[old.contractor@example.com]" in visible
    # updates are orange (`!`), creates green, deletes red in GitHub's diff rendering
    assert "\n! app[moviecatalog].info  # update" in comment.body
    assert "\n+ app[moviecatalog].subscription_group[Movie Catalog Plus]  # create" in comment.body
    assert "\n- app[moviecatalog].beta_group[Internal QA]" in comment.body


def test_a_usage_error_fails_the_check_and_is_not_posted_as_a_plan(tmp_path, example_copy, github):
    run = plan_on_pr(tmp_path, example_copy, github, "typo", args="--detailed-exitcod")
    assert run.code == 1
    assert "changes" not in run.outputs and "plan" not in run.outputs
    assert "::error::ascsync plan failed" in run.console
    [comment] = github.comments(REPO, 42)
    assert "### ascsync plan failed" in comment.body
    assert "No such option" in comment.body
    assert "No changes" not in comment.body


def test_no_changes_is_said_only_when_the_plan_says_so(tmp_path, listing_copy, github):
    first = run_action(
        tmp_path / "apply",
        {
            "repo": str(listing_copy),
            "sandbox": "true",
            "command": "apply",
            "args": "--allow-delete",
        },
        event_name="push",
        event={"ref": "refs/heads/main", "repository": {"default_branch": "main"}},
        extra_env={"MOVIECATALOG_DEMO_PASSWORD": "demo-password-for-tests"},
    )
    assert first.code == 0, first.console
    run = plan_on_pr(tmp_path, listing_copy, github, "clean")
    assert run.code == 0, run.console
    assert run.outputs["changes"] == "false"
    [comment] = github.comments(REPO, 42)
    assert "No changes: App Store Connect matches the repository." in comment.body


def test_what_this_version_does_not_apply_is_visible_outside_the_collapsed_sections():
    """The example repo has no such value any more (issue 17 reads the TestFlight review
    contact); a kind that reads a key it cannot apply yet must still show it openly."""
    plan = Plan(unsupported=["app[x]: TestFlight review_contact.phone (apps/x/beta.yml:3)"])
    visible = render_markdown(plan).split("<details>")[0]
    assert "In the repo but not applied by this version of ascsync" in visible
    assert "review_contact.phone" in visible
