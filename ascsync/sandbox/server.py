"""The sandbox's HTTP side: sockets, auth, rate limit, faults, journal, control endpoints.

:class:`SandboxApp` decides what to answer to one request (testable without sockets);
:class:`SandboxServer` is a standard-library ``ThreadingHTTPServer`` speaking HTTP/1.1
with keep-alive that hands each request to the app. The JSON:API work itself is the
engine's (``engine.py``).

Request pipeline for the API space (``/v1``, ``/v2``, ``/v3``): faults (latency, drop,
429 burst, 500/503) -> bearer token (401) -> hourly budget (429) -> engine -> persist
state after successful writes -> journal. Upload routes registered by hooks skip auth
(like Apple's pre-signed upload URLs) but get faults and the journal. ``/sandbox/...``
control endpoints get none of these, but need the sandbox's token and a local ``Host``
(:func:`control_refusal`).
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ascsync.sandbox import api_errors
from ascsync.sandbox.auth import KeyRing, check_authorization
from ascsync.sandbox.clock import Clock
from ascsync.sandbox.control import PREFIX as CONTROL_PREFIX
from ascsync.sandbox.control import Control
from ascsync.sandbox.engine import Engine, Request, error_response
from ascsync.sandbox.faults import Faults
from ascsync.sandbox.hooks import SandboxError
from ascsync.sandbox.journal import (
    EXPECT_INVALID_HEADER,
    Journal,
    JournalEntry,
    redact_secrets,
)
from ascsync.sandbox.persistence import StateFile
from ascsync.sandbox.ratelimit import RateLimiter
from ascsync.sandbox.replies import Reply, json_reply, plain_json
from ascsync.sandbox.store import Store

log = logging.getLogger("ascsync.sandbox")

API_PREFIXES = ("/v1/", "/v2/", "/v3/")
INTERNAL_ERROR = "internal-error"
"""``JournalEntry.fault`` of a request that crashed the sandbox (the test audit reports it)."""


class SandboxApp:
    """Everything one sandbox instance knows, and the decision for each request."""

    def __init__(
        self,
        *,
        store: Store,
        engine: Engine,
        keys: KeyRing,
        clock: Clock,
        rate_limiter: RateLimiter,
        faults: Faults,
        journal: Journal,
        reset: Callable[[], None],
        state: StateFile,
    ) -> None:
        self.store = store
        self.engine = engine
        self.keys = keys
        self.clock = clock
        self.rate_limiter = rate_limiter
        self.faults = faults
        self.journal = journal
        self.state = state
        self.control = Control(
            store=store,
            journal=journal,
            faults=faults,
            rate_limiter=rate_limiter,
            clock=clock,
            reset=reset,
            settings=engine.settings,
        )

    # -- persistence ---------------------------------------------------------------

    def save_state(self) -> None:
        """Schedule a save of the store to the state file (no-op without one)."""
        self.state.mark_dirty()

    # -- requests ------------------------------------------------------------------

    def handle(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        read_body: Callable[[int], bytes],
        length: int,
        base_url: str,
    ) -> Reply:
        """Answer one request. ``read_body(n)`` reads n bytes of the request body."""
        split = urlsplit(target)
        path = split.path
        query = parse_qsl(split.query, keep_blank_values=True)
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            raw = read_body(length)
            refusal = control_refusal(headers, self.keys, self.clock)
            if refusal is not None:
                return refusal
            return self.control.handle(method, path, _parse_json(raw)[0], raw, base_url)
        route = self.engine.find_route(method, path)
        if route is not None:
            return self._upload(route, method, path, query, headers, read_body, length, base_url)
        if path.startswith(API_PREFIXES):
            return self._api(method, path, query, headers, read_body(length), base_url)
        error = api_errors.path_not_found(path)
        return json_reply(error_response(error))

    def _api(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        raw: bytes,
        base_url: str,
    ) -> Reply:
        started = time.perf_counter()
        decision = self.faults.decide(path, write=method in ("POST", "PATCH", "DELETE"))
        if decision.latency_ms:
            time.sleep(decision.latency_ms / 1000)
        body, parse_error = _parse_json(raw)
        entry = JournalEntry(
            method,
            path,
            query,
            None,
            0.0,
            redact_secrets(body),
            "api",
            expect_invalid=headers.get(EXPECT_INVALID_HEADER.lower()) == "1",
            fault=decision.kind,
            base_url=base_url,
        )
        try:
            reply = self._api_reply(
                method, path, query, headers, raw, body, parse_error, decision, base_url
            )
        except Exception:  # a bug in the sandbox or a hook: answer 500, keep serving
            log.exception("sandbox: unhandled error for %s %s", method, path)
            entry.fault = INTERNAL_ERROR
            reply = json_reply(error_response(api_errors.server_error(500)))
        entry.status = None if reply.drop else reply.status
        entry.operation = self.engine.operation_for(method, path)
        entry.ms = round((time.perf_counter() - started) * 1000, 3)
        entry.response = None if reply.drop else reply.body
        self.journal.record(entry)
        return reply

    def _api_reply(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        raw: bytes,
        body: Any,
        parse_error: str | None,
        decision: Any,
        base_url: str,
    ) -> Reply:
        if decision.kind == "drop":
            return Reply(0, drop=True)
        rate_header = {"X-Rate-Limit": self.rate_limiter.header()}
        if decision.kind == "429":
            failure = api_errors.rate_limited(decision.retry_after)
            return self._with(json_reply(error_response(failure)), rate_header)
        if decision.kind == "error":
            failure = api_errors.server_error(decision.status or 500)
            return self._with(json_reply(error_response(failure)), rate_header)
        try:
            check_authorization(headers.get("authorization"), self.keys, self.clock)
        except SandboxError as error:
            return self._with(json_reply(error_response(error)), rate_header)
        allowed, header, retry_after = self.rate_limiter.consume()
        rate_header = {"X-Rate-Limit": header}
        if not allowed:
            failure = api_errors.rate_limited(retry_after)
            return self._with(json_reply(error_response(failure)), rate_header)
        if parse_error is not None and method in ("POST", "PATCH", "DELETE") and raw.strip():
            failure = api_errors.body_unparsable(parse_error)
            return self._with(json_reply(error_response(failure)), rate_header)
        generation = self.engine.store.generation
        response = self.engine.handle(Request(method, path, query, body, base_url, raw))
        changed = self.engine.store.generation != generation  # a read settled an upload
        if (method != "GET" or changed) and response.status < 300:
            self.save_state()
        if decision.kind == "lost":  # carried out; the answer never arrives
            if decision.status is None:
                return Reply(0, drop=True)
            lost = api_errors.server_error(decision.status)
            return self._with(json_reply(error_response(lost)), rate_header)
        return self._with(json_reply(response), rate_header)

    def _upload(
        self,
        route: Any,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        read_body: Callable[[int], bytes],
        length: int,
        base_url: str,
    ) -> Reply:
        started = time.perf_counter()
        matched, groups = route
        if matched.authenticated:
            try:
                check_authorization(headers.get("authorization"), self.keys, self.clock)
            except SandboxError as error:
                return json_reply(error_response(error))
        upload = matched.upload if matched.upload is not None else method != "GET"
        decision = self.faults.decide(path, upload=upload)
        if decision.latency_ms:
            time.sleep(decision.latency_ms / 1000)
        kind = "upload" if upload else "asset"
        entry = JournalEntry(
            method, path, query, None, 0.0, None, kind, fault=decision.kind, base_url=base_url
        )
        if decision.kind == "drop_upload":
            read_body(length // 2)
            reply = Reply(0, drop=True)
        elif decision.kind in ("error", "429"):
            read_body(length)
            status = decision.status or 500
            reply = Reply(status, b"", {"Content-Type": "text/plain"})
        else:
            raw = read_body(length)
            result = self.engine.handle_route(
                matched, groups, Request(method, path, query, None, base_url, raw)
            )
            reply = Reply(result.status, result.body, dict(result.headers))
            if result.status < 300:
                self.save_state()
        entry.status = None if reply.drop else reply.status
        entry.ms = round((time.perf_counter() - started) * 1000, 3)
        self.journal.record(entry)
        return reply

    @staticmethod
    def _with(reply: Reply, headers: dict[str, str]) -> Reply:
        reply.headers.update(headers)
        return reply


def control_refusal(headers: dict[str, str], keys: KeyRing, clock: Clock) -> Reply | None:
    """Why a ``/sandbox/...`` request is refused (403/401), or None when it may go on.

    The control endpoints reset, rewrite and dump the sandbox, so they answer only:

    - a ``Host`` that is an IP address or ``localhost``. A web page on another origin
      that rebinds its DNS name to 127.0.0.1 still sends its own name as Host, so it
      cannot reach them (and a cross-origin page cannot send the token: the sandbox
      answers no CORS preflight);
    - a request with the sandbox's bearer token (any token the API accepts; mint one
      with ``ascsync sandbox token --api-key-json FILE``).
    """
    host = headers.get("host", "")
    if not _is_local_host(host):
        return plain_json(
            403,
            {
                "error": f"control endpoints answer only requests addressed to an IP address "
                f"or localhost, not {host!r}"
            },
        )
    try:
        check_authorization(headers.get("authorization"), keys, clock)
    except SandboxError as error:
        return plain_json(401, {"error": f"control endpoints need the sandbox's token: {error}"})
    return None


def _is_local_host(host: str) -> bool:
    """``127.0.0.1:8080``, ``[::1]:8080``, ``10.0.0.5``, ``localhost``: not a DNS name."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _parse_json(raw: bytes) -> tuple[Any, str | None]:
    if not raw.strip():
        return None, None
    try:
        return json.loads(raw), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"The request body is not valid JSON: {exc}"


# -- sockets ----------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive with explicit Content-Length on every answer."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment (buffered wfile, flushed per request) and
    # without Nagle: otherwise delayed ACKs add ~40 ms to every answer.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: SandboxServer

    def _serve(self) -> None:
        read_body, length = self._body_reader()
        headers = {k.lower(): v for k, v in self.headers.items()}
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        base_url = f"http://{host}"
        try:
            reply = self.server.app.handle(
                self.command, self.path, headers, read_body, length, base_url
            )
        except Exception:  # a bug in the sandbox: answer 500 and keep serving
            log.exception("sandbox: unhandled error for %s %s", self.command, self.path)
            reply = json_reply(error_response(api_errors.server_error(500)))
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _body_reader(self) -> tuple[Callable[[int], bytes], int]:
        """``(read, length)`` for a Content-Length or a chunked request body."""
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read, int(self.headers.get("Content-Length") or 0)
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            chunks.append(self.rfile.read(size))
            self.rfile.readline()  # the CRLF after each chunk
        data = b"".join(chunks)
        return io.BytesIO(data).read, len(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("sandbox: " + format, *args)


class SandboxServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one :class:`SandboxApp`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        super().__init__(address, _Handler)
        self.app = app

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="ascsync-sandbox",
            daemon=True,
        )
        thread.start()
        return thread
