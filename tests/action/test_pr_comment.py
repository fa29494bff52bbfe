"""The sticky comment against the stand-in GitHub API: one per repo path, always postable."""

from __future__ import annotations

from ascsync.gha.pr_comment import (
    GITHUB_COMMENT_LIMIT,
    CommentsApi,
    marker,
    same_account,
    upsert_comment,
)
from tests.action.conftest import GITHUB_TOKEN
from tests.action.fake_github import FakeGitHub

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


def test_a_marker_pasted_by_someone_else_is_never_edited(github):
    # Anyone who can comment on the PR can paste the marker. Adopting that comment would
    # let its author edit it into a fake plan later, so ascsync writes its own.
    fake = f"{marker('.')}\n### ascsync plan\n\n**No changes.**"
    github.add(REPO, 11, fake, user="mallory")
    github.add(REPO, 11, fake, user="evil-app[bot]", user_type="Bot")
    api = CommentsApi(github.url, GITHUB_TOKEN, REPO)

    assert upsert_comment(api, 11, ".", "plan v1") == "created"
    assert upsert_comment(api, 11, ".", "plan v2") == "updated"

    mallory, evil_app, ours = github.comments(REPO, 11)
    assert mallory.body == fake and evil_app.body == fake
    assert ours.user == "github-actions[bot]" and ours.body == f"{marker('.')}\nplan v2"
    edited = [path for method, path in github.comment_writes() if method == "PATCH"]
    assert edited == [f"/repos/{REPO}/issues/comments/{ours.id}"]


def test_a_personal_token_is_recognised_through_get_user():
    with FakeGitHub(token=GITHUB_TOKEN, login="release-manager", user_endpoint=True) as github:
        github.add(REPO, 4, f"{marker('.')}\nquoted by a reviewer", user="reviewer")
        github.add(REPO, 4, f"{marker('.')}\nold plan", user="release-manager")
        api = CommentsApi(github.url, GITHUB_TOKEN, REPO)
        assert upsert_comment(api, 4, ".", "new plan") == "updated"
        reviewer, mine = github.comments(REPO, 4)
        assert reviewer.body.endswith("quoted by a reviewer")
        assert mine.body == f"{marker('.')}\nnew plan"
        assert not any(path == "/graphql" for _, path, _ in github.requests)


def test_own_comment_quoting_the_marker_mid_text_is_not_taken_for_the_plan(github):
    # The marker must open the comment: a note of ours that merely mentions it is not it.
    github.add(REPO, 8, f"see {marker('.')} below", user="github-actions[bot]", user_type="Bot")
    api = CommentsApi(github.url, GITHUB_TOKEN, REPO)
    assert upsert_comment(api, 8, ".", "plan") == "created"


def test_bot_logins_match_with_or_without_the_bot_suffix():
    assert same_account("github-actions[bot]", {"login": "github-actions[bot]", "type": "Bot"})
    assert same_account("github-actions", {"login": "github-actions[bot]", "type": "Bot"})
    assert not same_account("github-actions", {"login": "github-actions-fan", "type": "User"})
    assert not same_account("mallory", {"login": "github-actions[bot]", "type": "Bot"})
    assert not same_account("", {"login": "", "type": "User"})
