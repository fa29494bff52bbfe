"""One sticky pull-request comment per repo path, created once and then updated.

The comment carries a hidden HTML marker (``<!-- ascsync-plan:<path> -->``); on every
push the action looks for it among the PR's comments (all pages) and edits that comment
rather than adding a new one, so a busy PR shows one current plan. Two ascsync repos in
one git repo get one comment each, because the path is part of the marker.

Only a comment written by the token's own account is ever edited. Anyone who can comment
on the PR can also paste the marker; if the action adopted such a comment, its author
could later edit it into a fake "no changes" plan under a green check. The account is
asked from GitHub (``GET /user``, or GraphQL ``viewer`` for the Actions token, which
``/user`` refuses), and a marker in anyone else's comment is ignored.
"""

from __future__ import annotations

from typing import Any, Literal

import requests

from ascsync.errors import AscsyncError

GITHUB_COMMENT_LIMIT = 65_536
PER_PAGE = 100
TIMEOUT = 30


class CommentError(AscsyncError):
    """GitHub refused to list, create or update the comment."""


def graphql_url(api_url: str) -> str:
    """GitHub's GraphQL endpoint next to a REST base URL (``GITHUB_GRAPHQL_URL`` wins).

    github.com: ``https://api.github.com`` -> ``.../graphql``; GitHub Enterprise Server:
    ``https://HOST/api/v3`` -> ``https://HOST/api/graphql``.
    """
    base = api_url.rstrip("/")
    return (base.removesuffix("/v3") if base.endswith("/api/v3") else base) + "/graphql"


def same_account(login: str, comment_user: dict[str, Any]) -> bool:
    """Whether a comment's ``user`` is the account ``login``.

    Apps appear as ``name[bot]`` in REST answers; whether GraphQL's ``viewer.login`` keeps
    the ``[bot]`` suffix differs between token kinds [U], so for a Bot account both
    spellings count. A person's login cannot contain brackets, so this never matches one.
    """
    other = str(comment_user.get("login") or "")
    if not other or not login:
        return False
    if other == login:
        return True
    is_bot = comment_user.get("type") == "Bot"
    return is_bot and other.removesuffix("[bot]") == login.removesuffix("[bot]")


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

    def __init__(
        self, api_url: str, token: str, repository: str, graphql: str | None = None
    ) -> None:
        self.base = api_url.rstrip("/")
        self.graphql = graphql or graphql_url(self.base)
        self.repository = repository
        self._login: str | None = None
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "ascsync-action",
            }
        )

    def _call(
        self, method: str, url: str, *, tolerate: tuple[int, ...] = (), **kwargs: Any
    ) -> requests.Response:
        """One request; an error status raises, except those in ``tolerate``."""
        try:
            response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise CommentError(f"GitHub API unreachable at {self.base}: {exc}") from None
        if response.status_code >= 400 and response.status_code not in tolerate:
            hint = " (does the workflow grant `pull-requests: write`?)" * (
                response.status_code in (401, 403, 404)
            )
            raise CommentError(
                f"GitHub API {method} {url.split('?')[0]} answered {response.status_code}{hint}"
            )
        return response

    def login(self) -> str:
        """The login of the account the token acts as (asked once, then remembered).

        ``GET /user`` answers for personal and user-to-server tokens; the Actions token
        and app installation tokens get 403 there, so GraphQL's ``viewer`` is asked next.
        """
        if self._login is None:
            self._login = self._rest_login() or self._graphql_login()
        return self._login

    def _rest_login(self) -> str | None:
        # 403 "Resource not accessible by integration" (Actions token), 404 on some
        # Enterprise setups: ask GraphQL instead. 401 (a bad token) raises here.
        response = self._call("GET", f"{self.base}/user", tolerate=(403, 404))
        if response.status_code == 200:
            return str((response.json() or {}).get("login") or "") or None
        return None

    def _graphql_login(self) -> str:
        response = self._call("POST", self.graphql, json={"query": "query { viewer { login } }"})
        payload = response.json() or {}
        login = ((payload.get("data") or {}).get("viewer") or {}).get("login")
        if not login:
            raise CommentError(
                "cannot tell which GitHub account the token belongs to (GET /user and "
                "GraphQL viewer both refused), so no comment is created or edited"
            )
        return str(login)

    def find(self, number: int, marker_line: str) -> int | None:
        """The id of this account's first comment on PR ``number`` that starts with
        ``marker_line``; the same marker in another author's comment is ignored."""
        me = self.login()
        url: str | None = (
            f"{self.base}/repos/{self.repository}/issues/{number}/comments?per_page={PER_PAGE}"
        )
        while url:
            response = self._call("GET", url)
            for comment in response.json():
                ours = same_account(me, comment.get("user") or {})
                if ours and (comment.get("body") or "").startswith(marker_line):
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
