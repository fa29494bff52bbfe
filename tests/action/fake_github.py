"""A local stand-in for the GitHub issue-comments REST API, for the action's tests.

It keeps comments per issue in memory, pages them like GitHub (``per_page``, ``page``
and a ``Link: <...>; rel="next"`` header), checks the bearer token, and records every
request so tests can tell a create (POST) from an update (PATCH).

Who the token is, as GitHub tells it: by default the token behaves like the Actions
``GITHUB_TOKEN`` (``GET /user`` answers 403 "Resource not accessible by integration",
GraphQL ``viewer`` answers ``github-actions[bot]``, and comments it writes are by that
Bot); with ``user_endpoint=True`` it behaves like a personal token whose ``/user`` works.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LIST = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)/comments$")
ONE = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<id>\d+)$")


@dataclass
class Comment:
    id: int
    body: str
    user: str = "someone"
    user_type: str = "User"


@dataclass
class FakeGitHub:
    """Threaded HTTP server; ``url`` goes into ``GITHUB_API_URL``."""

    token: str
    login: str = "github-actions[bot]"
    user_endpoint: bool = False
    issues: dict[tuple[str, int], list[Comment]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict]] = field(default_factory=list)
    next_id: int = 1000

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def add(
        self, repo: str, number: int, body: str, user: str = "someone", user_type: str = "User"
    ) -> None:
        with self._lock:
            self.next_id += 1
            comment = Comment(self.next_id, body, user, user_type)
            self.issues.setdefault((repo, number), []).append(comment)

    def comments(self, repo: str, number: int) -> list[Comment]:
        return list(self.issues.get((repo, number), []))

    def methods(self) -> list[str]:
        return [method for method, _, _ in self.requests]

    def comment_writes(self) -> list[tuple[str, str]]:
        """(method, path) of every request that created or edited a comment."""
        return [
            (method, path)
            for method, path, _ in self.requests
            if method in ("POST", "PATCH") and "/comments" in path
        ]

    # -- request handling ------------------------------------------------------------

    def _answer(self, method: str, raw_path: str, body: dict) -> tuple[int, object, dict]:
        parts = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/user" and method == "GET":
            if not self.user_endpoint:
                return 403, {"message": "Resource not accessible by integration"}, {}
            return 200, {"login": self.login, "type": "User"}, {}
        if parts.path == "/graphql" and method == "POST":
            if "viewer" not in str(body.get("query")):
                return 400, {"message": "the fake only knows the viewer query"}, {}
            return 200, {"data": {"viewer": {"login": self.login}}}, {}
        if (m := LIST.match(parts.path)) and method == "GET":
            return self._list(m["repo"], int(m["number"]), query, parts.path)
        if m and method == "POST":
            bot = "Bot" if self.login.endswith("[bot]") else "User"
            self.add(m["repo"], int(m["number"]), body["body"], self.login, bot)
            return 201, {"id": self.next_id, "body": body["body"]}, {}
        if (m := ONE.match(parts.path)) and method == "PATCH":
            for comments in self.issues.values():
                for comment in comments:
                    if comment.id == int(m["id"]):
                        comment.body = body["body"]
                        return 200, {"id": comment.id, "body": comment.body}, {}
        return 404, {"message": "Not Found"}, {}

    def _list(
        self, repo: str, number: int, query: dict[str, str], path: str
    ) -> tuple[int, object, dict]:
        per_page = min(int(query.get("per_page", 30)), 100)
        page = int(query.get("page", 1))
        everything = self.comments(repo, number)
        chunk = everything[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(everything):
            headers["Link"] = f'<{self.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        page_body = [
            {"id": c.id, "body": c.body, "user": {"login": c.user, "type": c.user_type}}
            for c in chunk
        ]
        return 200, page_body, headers

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append((self.command, self.path, body))
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    status, payload, headers = 401, {"message": "Bad credentials"}, {}
                else:
                    status, payload, headers = fake._answer(self.command, self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _serve

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

        return Handler
