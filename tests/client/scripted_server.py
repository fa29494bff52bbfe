"""A tiny local HTTP server whose answers each test scripts, for the API client's own tests.

The client's retry, paging and error behaviour needs precise, repeatable answers (a 503
then a 200, an HTML 502, a Retry-After date). The ASC sandbox covers Apple's behaviour;
this covers the transport. Every request is recorded with its headers and body.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str/bytes -> raw
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering
    cut: bool = False  # send the headers and half the body, then close the connection


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Seen], Reply]


class ScriptedServer:
    """Answers queued replies per ``(method, path)``; falls back to a handler or 404."""

    def __init__(self) -> None:
        self.queues: dict[tuple[str, str], deque[Reply]] = {}
        self.handlers: dict[tuple[str, str], Handler] = {}
        self.seen: list[Seen] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def queue(self, method: str, path: str, *replies: Reply) -> None:
        self.queues.setdefault((method, path), deque()).extend(replies)

    def handle(self, method: str, path: str, handler: Handler) -> None:
        self.handlers[(method, path)] = handler

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _answer(self, seen: Seen) -> Reply:
        key = (seen.method, seen.path)
        self.seen.append(seen)
        queue = self.queues.get(key)
        if queue:
            return queue.popleft()
        if key in self.handlers:
            return self.handlers[key](seen)
        return Reply(
            404,
            {
                "errors": [
                    {"status": "404", "code": "NOT_FOUND", "title": "nf", "detail": "not scripted"}
                ]
            },
        )

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                reply = server._answer(
                    Seen(self.command, parts.path, parts.query, dict(self.headers), body)
                )
                if reply.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if isinstance(reply.body, dict | list):
                    payload = json.dumps(reply.body).encode()
                    ctype = "application/json"
                elif isinstance(reply.body, str):
                    payload, ctype = reply.body.encode(), "text/html"
                else:
                    payload, ctype = reply.body or b"", "application/octet-stream"
                self.send_response(reply.status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.cut:
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

        return _Handler
