"""The sticky comment against the stand-in GitHub API: one per repo path, always postable."""

from __future__ import annotations

from ascsync.gha.pr_comment import GITHUB_COMMENT_LIMIT, CommentsApi, marker, upsert_comment
from tests.action.conftest import GITHUB_TOKEN

REPO = "example/moviecatalog"


def test_two_listing_repos_keep_one_comment_each(github):
    api = CommentsApi(github.url, GITHUB_TOKEN, REPO)
    assert upsert_comment(api, 9, "ios", "plan A") == "created"
    assert upsert_comment(api, 9, "mac", "plan B") == "created"
    assert upsert_comment(api, 9, "ios", "plan A2") == "updated"
    bodies = sorted(c.body for c in github.comments(REPO, 9))
    assert bodies == [f"{marker('ios')}\nplan A2", f"{marker('mac')}\nplan B"]


def test_an_oversized_plan_is_cut_to_what_github_accepts(github):
    api = CommentsApi(github.url, GITHUB_TOKEN, REPO)
    upsert_comment(api, 3, ".", "x" * (GITHUB_COMMENT_LIMIT + 5000))
    [comment] = github.comments(REPO, 3)
    assert len(comment.body) <= GITHUB_COMMENT_LIMIT
    assert comment.body.startswith(marker("."))
    assert "job summary has the full plan" in comment.body
