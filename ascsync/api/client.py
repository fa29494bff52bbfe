"""The App Store Connect API client: one pooled HTTP session, tokens, retries, paging, errors.

Retrying is urllib3's :class:`~urllib3.util.Retry`, configured for Apple's API:

* 429 is retried for every method, honouring ``Retry-After`` (seconds or HTTP date),
  because a rate-limited request was not processed.
* 500/502/503/504 and dropped connections are retried only for methods whose repetition
  is harmless (GET, HEAD, PUT, PATCH, DELETE, OPTIONS). A POST that may have reached
  Apple is never repeated blindly: the caller gets :class:`ApiError` (or
  :class:`MaybeAppliedError` after a timeout) with ``maybe_applied`` set, and reconciles
  by reading back what exists (e.g. list the version's localizations and adopt the one
  with the locale it tried to create) before deciding to create again.
* A connection that could not be opened at all is retried for every method: nothing
  was sent.

Every command is bounded in time and memory (:class:`RetryPolicy`): connect and read
timeouts, a deadline per request (its retries and waits included), at most two retries
of a connection that cannot be opened (a refused port is reported in about a second), a
clamp on ``Retry-After``, a cap on the pages of one listing and on the size of one
response. Every wait of :data:`WAIT_NOTICE` seconds or more (a retry's backoff, a
rate-limit pause, a read that timed out and is tried again) prints one line on stderr
saying what it waits for and until when, so a slow run is never a silent one.

Requests to the API go through the process's one :class:`~ascsync.api.ratelimit.Pacer`
for that host; upload PUTs to Apple's upload hosts are not paced (they do not count
against the budget). Proxy settings are read from the environment once per host, not on
every request (``requests`` would otherwise rescan the environment for each call).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from urllib3.exceptions import (
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from ascsync import __version__
from ascsync.api.jsonapi import Document
from ascsync.api.ratelimit import Pacer, RateLimit, shared_pacer
from ascsync.api.redact import redact
from ascsync.api.tokens import TokenProvider
from ascsync.errors import AscsyncError

log = logging.getLogger("ascsync.http")

USER_AGENT = f"ascsync/{__version__}"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_LIMIT = 200
BODY_RETRIES = 2
"""Tries again of an idempotent request whose answer was cut off halfway."""
WAIT_NOTICE = 2.0
"""Waits at least this long are announced on stderr (what for, and until when)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try, and the bounds that keep every command finite.

    ``total_seconds`` is the deadline of one request: once its retries have taken this
    long, the last error is reported instead of trying again. ``retry_after_max``
    clamps the pause a 429 asks for. ``max_pages`` and ``max_response_bytes`` bound what
    one listing and one answer may hold (far above anything an app has, so only a broken
    or hostile server reaches them).
    """

    attempts: int = 6
    total_seconds: float = 300.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    jitter: float = 0.5
    retry_after_max: float = 120.0
    rate_limit_wait_max: float = 3600.0
    """Most time one request waits on 429s in all (one budget window); these waits
    count neither as attempts nor against ``total_seconds``."""
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    connect_retries: int = 2
    read_retries: int = 2
    """Tries again after a read timeout (a dropped connection is retried like a 5xx)."""
    max_pages: int = 1000
    max_response_bytes: int = 64 * 1024 * 1024


class ApiError(AscsyncError):
    """An error response, summarised from Apple's ``ErrorResponse`` in one readable message."""

    def __init__(
        self,
        status: int,
        method: str,
        path: str,
        errors: list[dict[str, Any]] | None = None,
        *,
        body_text: str | None = None,
        attempts: int = 1,
        maybe_applied: bool = False,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.errors = errors or []
        self.attempts = attempts
        self.maybe_applied = maybe_applied
        super().__init__(redact(self._message(body_text)))

    @property
    def code(self) -> str | None:
        return self.errors[0].get("code") if self.errors else None

    @property
    def pointer(self) -> str | None:
        source = (self.errors[0].get("source") or {}) if self.errors else {}
        return source.get("pointer") or source.get("parameter")

    def _message(self, body_text: str | None) -> str:
        where = f"{self.method} {_describe_resource(self.path)}"
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        if not self.errors:
            snippet = _snippet(body_text)
            return f"HTTP {self.status} on {where}{tries}: {snippet}"
        parts = [_describe_error(error) for error in self.errors]
        return f"HTTP {self.status} on {where}{tries}: " + "; ".join(parts)


class MaybeAppliedError(ApiError):
    """A write timed out after it was sent: Apple may or may not have carried it out."""


class ConnectionFailed(AscsyncError):
    """The API could not be reached (DNS, refused, reset, no answer) even after retrying."""


class TooLarge(AscsyncError):
    """An answer or a listing went past the bounds of :class:`RetryPolicy`."""


def wait_line(seconds: float, what: str, now: Callable[[], float] = time.time) -> str:
    """``waiting 12 s for <what> (until 22:41:05)``: the one line a long wait prints."""
    until = time.strftime("%H:%M:%S", time.localtime(now() + seconds))
    return f"ascsync: waiting {seconds:.0f} s for {what} (until {until})"


def print_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class _ApiRetry(Retry):
    """urllib3's Retry with Apple's 429 rule, a shared pause, announced waits and a deadline."""

    sleep_fn: Callable[[float], None] = staticmethod(time.sleep)
    clock: Callable[[], float] = staticmethod(time.monotonic)
    notify: Callable[[str], None] = staticmethod(print_to_stderr)
    pacer: Pacer | None = None
    read_timeout: float = 60.0
    read_retries: int = 2
    deadline_seconds: float = 300.0
    started: float | None = None
    limited: float = 0.0
    """Seconds this request has waited on 429s so far."""
    limited_max: float = 3600.0

    def new(self, **kw: Any) -> _ApiRetry:
        retry = super().new(**kw)
        retry.sleep_fn, retry.clock, retry.notify = self.sleep_fn, self.clock, self.notify
        retry.pacer, retry.read_timeout = self.pacer, self.read_timeout
        retry.read_retries = self.read_retries
        retry.deadline_seconds = self.deadline_seconds
        retry.started = self.started if self.started is not None else self.clock()
        retry.limited, retry.limited_max = self.limited, self.limited_max
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def increment(
        self, method: str | None = None, url: str | None = None, *args: Any, **kwargs: Any
    ) -> _ApiRetry:
        retry = super().increment(method, url, *args, **kwargs)
        response = kwargs.get("response")
        if response is not None and response.status == 429:
            # Not processed, so it costs no attempt and no deadline time: a long apply that
            # runs out of budget waits for it (up to limited_max in all) instead of failing.
            wait = retry.get_retry_after(response)
            wait = retry.get_backoff_time() if wait is None else wait
            if self.limited + wait > self.limited_max:
                raise MaxRetryError(kwargs.get("_pool"), url or "", reason=None)  # type: ignore[arg-type]
            retry.total = self.total
            retry.limited = self.limited + wait
            retry.started = (retry.started or retry.clock()) + wait
        if retry.started is not None and retry.clock() - retry.started > retry.deadline_seconds:
            raise MaxRetryError(kwargs.get("_pool"), url or "", reason=kwargs.get("error"))  # type: ignore[arg-type]
        if isinstance(kwargs.get("error"), ReadTimeoutError):
            timeouts = sum(isinstance(h.error, ReadTimeoutError) for h in retry.history)
            if timeouts > self.read_retries:
                raise MaxRetryError(kwargs.get("_pool"), url or "", reason=kwargs.get("error"))  # type: ignore[arg-type]
            self.notify(
                f"ascsync: no answer to {method} {_path(url or '').split('?')[0]} within "
                f"{self.read_timeout:g} s; trying again"
            )
        return retry

    def sleep(self, response: Any = None) -> None:
        wait = None
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
        if wait is None:
            wait = self.get_backoff_time()
        last = self.history[-1] if self.history else None
        where = "a request"
        if last is not None:
            where = f"{last.method} {_describe_resource(_path(last.url or ''))}"
        if response is not None and response.status == 429 and self.pacer is not None:
            wait, moved = self.pacer.pause(wait)
            if moved and wait >= WAIT_NOTICE:
                self.notify(wait_line(wait, f"Apple's rate limit (429 on {where})"))
        elif wait >= WAIT_NOTICE:
            why = f"HTTP {last.status}" if last and last.status else "a dropped connection"
            self.notify(wait_line(wait, f"a retry of {where} after {why}"))
        if wait > 0:
            log.info("retrying in %.1f s", wait)
            self.sleep_fn(wait)


class ApiClient:
    """Talks to App Store Connect (or a sandbox) at ``base_url``.

    ``stats`` counts requests by ``(method, path template)`` so plans can show and tests
    can pin how many calls a command costs.
    """

    def __init__(
        self,
        base_url: str,
        tokens: TokenProvider | None,
        *,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] | None = None,
        pool_size: int = 16,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: Pacer | None = None,
        on_wait: Callable[[str], None] = print_to_stderr,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._origin = _origin(self.base_url)
        self.tokens = tokens
        self.policy = retry or RetryPolicy()
        self.timeout = timeout or (self.policy.connect_timeout, self.policy.read_timeout)
        self._sleep = sleep
        self._clock = clock
        self.on_wait = on_wait
        self.pacer = pacer or shared_pacer(self._origin)
        self.stats: Counter[tuple[str, str]] = Counter()
        self._stats_lock = threading.Lock()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        # Proxies and CA bundle come from the environment once per host (_proxies_for),
        # not from a scan of the whole environment on every request.
        self.session.trust_env = False
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or (
            os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._proxies: dict[str, dict[str, str]] = {}
        adapter = HTTPAdapter(
            pool_connections=pool_size,
            pool_maxsize=pool_size,
            max_retries=self._make_retry(self.policy),
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _make_retry(self, policy: RetryPolicy) -> _ApiRetry:
        retry = _ApiRetry(
            total=max(0, policy.attempts - 1),
            connect=min(policy.connect_retries, max(0, policy.attempts - 1)),
            status_forcelist=RETRY_STATUSES,
            allowed_methods=IDEMPOTENT_METHODS,
            backoff_factor=policy.backoff_base,
            backoff_max=policy.backoff_max,
            backoff_jitter=policy.jitter,
            retry_after_max=int(policy.retry_after_max),
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        retry.sleep_fn = self._sleep
        retry.clock = self._clock
        retry.notify = self.on_wait
        retry.pacer = self.pacer
        retry.read_timeout = self.timeout[1]
        retry.read_retries = policy.read_retries
        retry.deadline_seconds = policy.total_seconds
        retry.limited_max = policy.rate_limit_wait_max
        return retry

    def notify_wait(self, seconds: float, what: str) -> None:
        """Say on stderr what a wait of ``seconds`` is for, when it is long enough to notice."""
        if seconds >= WAIT_NOTICE:
            self.on_wait(wait_line(seconds, what))

    # -- public surface ------------------------------------------------------------

    @property
    def rate_limit(self) -> RateLimit | None:
        """The budget Apple reported on the latest response."""
        return self.pacer.current

    @property
    def request_count(self) -> int:
        return sum(self.stats.values())

    def get(self, path: str, params: dict[str, Any] | None = None) -> Document:
        return self._document(self.request("GET", path, params=params))

    def get_all(self, path: str, params: dict[str, Any] | None = None) -> Document:
        """Every page of a collection, merged; asks for the largest page Apple allows."""
        pages = self.iter_pages(path, params)
        document = next(pages)
        for page in pages:
            document.merge(page)
        return document

    def iter_pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Document]:
        """Yield each page, following ``links.next`` verbatim (Apple declares no cursor param)."""
        query = {"limit": MAX_LIMIT, **(params or {})}
        page = self.get(path, query)
        yield page
        pages = 1
        while page.next_url:
            if pages >= self.policy.max_pages:
                raise TooLarge(
                    f"GET {_describe_resource(path)}: more than {pages} pages; stopped reading "
                    "(a listing this long is not an app's; is --api-url right?)"
                )
            page = self._document(self.request("GET", page.next_url))
            pages += 1
            yield page

    def post(self, path: str, body: dict[str, Any]) -> Document:
        return self._document(self.request("POST", path, json=body))

    def patch(self, path: str, body: dict[str, Any]) -> Document | None:
        response = self.request("PATCH", path, json=body)
        return self._document(response) if response.content else None

    def delete(self, path: str, body: dict[str, Any] | None = None) -> None:
        self.request("DELETE", path, json=body)

    def upload(
        self, method: str, url: str, data: bytes | Iterable[bytes], headers: dict[str, str]
    ) -> None:
        """Send bytes to an upload operation's pre-signed URL (no API token goes there).

        ``data`` may be a re-iterable with ``len()`` (a streamed file part): requests
        sends it with that Content-Length, and a retry iterates it afresh."""
        self.request(method, url, data=data, headers=headers, authenticated=False)

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: bytes | Iterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
        authenticated: bool = True,
    ) -> requests.Response:
        """One API call with pacing, retries and one token renewal on 401; raises on errors."""
        url = self._url(path_or_url, authenticated)
        for renewal in (False, True):
            response = self._send(method, url, params, json, data, headers, authenticated)
            if response.status_code == 401 and authenticated and self.tokens and not renewal:
                self.tokens.invalidate()
                log.info("401 from %s: renewing the token and retrying once", _path(url))
                continue
            break
        if response.status_code == 404 and method.upper() == "DELETE" and _attempts(response) > 1:
            return response  # an earlier attempt deleted it; its answer was lost
        if response.status_code >= 400:
            raise self._error(method, url, response)
        return response

    # -- internals -----------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        json: Any,
        data: bytes | Iterable[bytes] | None,
        headers: dict[str, str] | None,
        authenticated: bool,
    ) -> requests.Response:
        if authenticated:  # upload hosts do not count against Apple's budget
            self._pace()
        all_headers = dict(headers or {})
        if authenticated and self.tokens is not None:
            all_headers["Authorization"] = f"Bearer {self.tokens.token()}"
        started = time.monotonic()
        for body_tries in range(BODY_RETRIES, -1, -1):
            try:
                response = self.session.request(
                    method,
                    url,
                    params=_encode_params(params),
                    json=json,
                    data=data,
                    headers=all_headers,
                    timeout=self.timeout,
                    proxies=self._proxies_for(url),
                    stream=True,
                )
            except requests.RequestException as exc:
                self._count(method, url)
                raise self._failure(method, url, exc) from None
            try:
                self._read_body(method, url, response)
                break
            except requests.RequestException as exc:
                # cut off in the middle of the answer (urllib3 retries only before it)
                self._count(method, url)
                if body_tries == 0 or method.upper() not in IDEMPOTENT_METHODS:
                    raise self._failure(method, url, exc) from None
        self._count(method, url)
        if authenticated:
            news = self.pacer.update(response.headers.get("X-Rate-Limit"))
            if news:
                self.on_wait(f"ascsync: {news}")
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug(
            "%s",
            redact(
                f"{method} {_path(response.url)} -> {response.status_code} "
                f"({elapsed_ms:.0f} ms, {_attempts(response)} attempt(s))"
            ),
        )
        return response

    def _failure(self, method: str, url: str, exc: requests.RequestException) -> AscsyncError:
        """What to raise when no answer came: was the request sent, and may it have applied?"""
        idempotent = method.upper() in IDEMPOTENT_METHODS
        reason = _reason(exc)
        timed_out = isinstance(exc, requests.Timeout) or isinstance(reason, ReadTimeoutError)
        cut = requests.ConnectionError | requests.Timeout | requests.exceptions.ChunkedEncodingError
        if not isinstance(exc, cut):
            return ConnectionFailed(redact(f"{method} {_path(url)} failed: {exc}"))
        if not idempotent and _was_sent(exc) and not isinstance(exc, requests.ConnectTimeout):
            return MaybeAppliedError(
                0,
                method,
                _path(url),
                body_text="timed out after sending"
                if timed_out
                else "the connection dropped after sending",
                maybe_applied=True,
            )
        if timed_out:
            return ConnectionFailed(redact(self._timeout_message(method, url)))
        return ConnectionFailed(redact(_connection_message(method, url, exc)))

    def _pace(self) -> None:
        """Wait for this request's slot in the process's shared budget."""
        wait = self.pacer.acquire()
        if wait > 0:
            self._sleep(wait)

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The proxies the environment sets for ``url``'s host, looked up once per host."""
        origin = _origin(url)
        if origin not in self._proxies:
            self._proxies[origin] = dict(get_environ_proxies(url))
        return self._proxies[origin]

    def _read_body(self, method: str, url: str, response: requests.Response) -> None:
        """Read the answer, refusing one larger than the policy's cap."""
        cap = self.policy.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            response.close()
            raise TooLarge(self._too_large(method, url, int(declared)))
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > cap:
                response.close()
                raise TooLarge(self._too_large(method, url, size))
            chunks.append(chunk)
        response._content = b"".join(chunks)

    def _too_large(self, method: str, url: str, size: int) -> str:
        return (
            f"{method} {_describe_resource(_path(url))}: the answer is larger than "
            f"{self.policy.max_response_bytes // (1024 * 1024)} MB ({size} bytes or more); "
            "refused (is --api-url right?)"
        )

    def _timeout_message(self, method: str, url: str) -> str:
        connect, read = self.timeout
        return (
            f"no answer from {_origin(url)} for {method} {_path(url)}: nothing within "
            f"{read:g} s (connect timeout {connect:g} s), tried {1 + self.policy.read_retries} "
            "times; check the network and --api-url"
        )

    def _url(self, path_or_url: str, authenticated: bool) -> str:
        if not path_or_url.startswith(("http://", "https://")):
            return f"{self.base_url}/{path_or_url.lstrip('/')}"
        if authenticated and _origin(path_or_url) != self._origin:
            # A next link on another host must not receive our token.
            raise AscsyncError(
                f"refusing to send credentials to {_origin(path_or_url)} (API is {self._origin})"
            )
        return path_or_url

    def _count(self, method: str, url: str) -> None:
        with self._stats_lock:
            self.stats[(method.upper(), path_template(_path(url)))] += 1

    def _document(self, response: requests.Response) -> Document:
        try:
            return Document.from_json(response.json())
        except ValueError:
            raise ApiError(
                response.status_code,
                response.request.method or "?",
                _path(response.url),
                body_text=response.text,
            ) from None

    def _error(self, method: str, url: str, response: requests.Response) -> ApiError:
        errors = None
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("errors"), list):
                errors = [e for e in body["errors"] if isinstance(e, dict)]
        except ValueError:
            pass
        maybe = method.upper() not in IDEMPOTENT_METHODS and response.status_code >= 500
        cls = MaybeAppliedError if maybe else ApiError
        return cls(
            response.status_code,
            method.upper(),
            _path(url),
            errors,
            body_text=response.text,
            attempts=_attempts(response),
            maybe_applied=maybe,
        )


def path_template(path: str) -> str:
    """``/v1/apps/123/appStoreVersions`` -> ``/v1/apps/{id}/appStoreVersions`` (for counting).

    API paths are ``/vN/{type}/{id}/...``: the fourth segment is the id. Other paths
    (upload URLs) get every segment holding a digit replaced.
    """
    segments = path.split("?")[0].split("/")
    if len(segments) > 2 and segments[1][:1] == "v" and segments[1][1:].isdigit():
        return "/".join("{id}" if index == 3 else seg for index, seg in enumerate(segments))
    return "/".join(
        "{id}" if index > 1 and any(c.isdigit() for c in seg) else seg
        for index, seg in enumerate(segments)
    )


def _encode_params(params: dict[str, Any] | None) -> dict[str, str] | None:
    """Lists become comma-separated values, as Apple's ``explode: false`` parameters expect."""
    if not params:
        return None
    return {
        k: ",".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
        for k, v in params.items()
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _attempts(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    return 1 + len(getattr(retries, "history", ()) or ())


def _describe_resource(path: str) -> str:
    """``/v1/appStoreVersionLocalizations/abc`` -> ``appStoreVersionLocalizations abc``."""
    segments = [s for s in path.split("?")[0].split("/") if s][1:]
    if len(segments) >= 2:
        return f"{segments[0]} {' '.join(segments[1:])}"
    return segments[0] if segments else path


def _describe_error(error: dict[str, Any]) -> str:
    code = error.get("code") or "?"
    title = error.get("title") or ""
    detail = error.get("detail") or ""
    text = detail if detail and detail != title else title
    source = error.get("source") or {}
    pointer = source.get("pointer")
    parameter = source.get("parameter")
    where = ""
    if pointer:
        where = (
            f" (attribute {pointer.rsplit('/', 1)[-1]})"
            if "/attributes/" in pointer or "/relationships/" in pointer
            else f" (at {pointer})"
        )
    elif parameter:
        where = f" (parameter {parameter})"
    return f"{code}: {text}{where}"


_TAGS = re.compile(r"<[^>]+>")


def _snippet(body: str | None) -> str:
    if not body or not body.strip():
        return "empty response body (not JSON)"
    text = " ".join(_TAGS.sub(" ", body).split())
    return f"non-JSON response: {text[:200]}" + ("…" if len(text) > 200 else "")


def _reason(exc: Exception) -> object:
    """The urllib3 error under a requests exception (through MaxRetryError)."""
    reason = exc.args[0] if exc.args else None
    return reason.reason if isinstance(reason, MaxRetryError) else reason


def _was_sent(exc: Exception) -> bool:
    """False when the connection never opened (refused, DNS): then nothing reached Apple."""
    return not isinstance(_reason(exc), NewConnectionError | NameResolutionError)


def _connection_message(method: str, url: str, exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    return f"could not reach {_origin(url)} for {method} {_path(url)}: {reason}"
