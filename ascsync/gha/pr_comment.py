"""One sticky pull-request comment per repo path, created once and then updated.

The comment carries a hidden HTML marker (``<!-- ascsync-plan:<path> -->``); on every
push the action looks for it among the PR's comments (all pages) and edits that comment
rather than adding a new one, so a busy PR shows one current plan. Two ascsync repos in
one git repo get one comment each, because the path is part of the marker.
"""

from __future__ import annotations

from typing import Literal

import requests

from ascsync.errors import AscsyncError

GITHUB_COMMENT_LIMIT = 65_536
PER_PAGE = 100
TIMEOUT = 30


class CommentError(AscsyncError):
    """GitHub refused to list, create or update the comment."""


def marker(repo_path: str) -> str:
    """The hidden line that identifies ascsync's comment for this repo path."""
    return f"<!-- ascsync-plan:{repo_path} -->"


def comment_body(repo_path: str, markdown: str) -> str:
    """The marker, then the markdown, cut to fit GitHub's comment size limit."""
    head = marker(repo_path) + "\n"
    room = GITHUB_COMMENT_LIMIT - len(head)
    if len(markdown) > room:
        note = "\n\n…(cut to fit GitHub's comment limit; the job summary has the full plan)\n"
        markdown = markdown[: room - len(note)] + note
    return head + markdown


class CommentsApi:
    """The few GitHub REST calls the sticky comment needs (issues comments API)."""

    def __init__(self, api_url: str, token: str, repository: str) -> None:
        self.base = api_url.rstrip("/")
        self.repository = repository
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "ascsync-action",
            }
        )

    def _call(self, method: str, url: str, **kwargs: object) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise CommentError(f"GitHub API unreachable at {self.base}: {exc}") from None
        if response.status_code >= 400:
            hint = " (does the workflow grant `pull-requests: write`?)" * (
                response.status_code in (401, 403, 404)
            )
            raise CommentError(
                f"GitHub API {method} {url.split('?')[0]} answered {response.status_code}{hint}"
            )
        return response

    def find(self, number: int, marker_line: str) -> int | None:
        """The id of the first comment on PR ``number`` containing ``marker_line``."""
        url: str | None = (
            f"{self.base}/repos/{self.repository}/issues/{number}/comments?per_page={PER_PAGE}"
        )
        while url:
            response = self._call("GET", url)
            for comment in response.json():
                if marker_line in (comment.get("body") or ""):
                    return int(comment["id"])
            url = response.links.get("next", {}).get("url")
        return None

    def create(self, number: int, body: str) -> int:
        url = f"{self.base}/repos/{self.repository}/issues/{number}/comments"
        return int(self._call("POST", url, json={"body": body}).json()["id"])

    def update(self, comment_id: int, body: str) -> None:
        url = f"{self.base}/repos/{self.repository}/issues/comments/{comment_id}"
        self._call("PATCH", url, json={"body": body})


def upsert_comment(
    api: CommentsApi, number: int, repo_path: str, markdown: str
) -> Literal["created", "updated"]:
    """Create ascsync's comment on the PR, or update the one already there."""
    body = comment_body(repo_path, markdown)
    existing = api.find(number, marker(repo_path))
    if existing is None:
        api.create(number, body)
        return "created"
    api.update(existing, body)
    return "updated"
