"""The API client over real HTTP: retries, paging, include decoding, errors, rate limit."""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from ascsync.api.client import (
    ApiClient,
    ApiError,
    ConnectionFailed,
    MaybeAppliedError,
    RetryPolicy,
    TooLarge,
    path_template,
)
from ascsync.api.ratelimit import Pacer
from ascsync.errors import AscsyncError
from tests.client.scripted_server import Reply, Seen

OK = Reply(200, {"data": [], "links": {"self": "x"}})


def error_body(status: int, code: str, detail: str, **source: str) -> dict:
    error = {"id": "e1", "status": str(status), "code": code, "title": "Title.", "detail": detail}
    if source:
        error["source"] = source
    return {"errors": [error]}


def test_429_honours_retry_after_seconds_then_succeeds(server, make_client, sleeps) -> None:
    server.queue(
        "GET",
        "/v1/apps",
        Reply(429, error_body(429, "RATE_LIMIT_EXCEEDED", "slow"), {"Retry-After": "7"}),
        OK,
    )
    make_client().get("/v1/apps")
    assert len(server.seen) == 2
    assert sleeps == [7]


def test_429_retry_after_as_http_date(server, make_client, sleeps) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.queue("GET", "/v1/apps", Reply(429, {}, {"Retry-After": when}), OK)
    make_client().get("/v1/apps")
    assert 25 <= sleeps[0] <= 31


def test_429_without_retry_after_backs_off_exponentially(server, make_client, sleeps) -> None:
    server.queue("GET", "/v1/apps", *[Reply(429, {})] * 3, OK)
    make_client().get("/v1/apps")
    assert sleeps == [1.0, 2.0]  # first retry immediate, then 0.5 * 2^n


def test_429_on_post_is_retried_because_it_was_not_processed(server, make_client) -> None:
    server.queue(
        "POST",
        "/v1/betaGroups",
        Reply(429, {}, {"Retry-After": "1"}),
        Reply(201, {"data": {"type": "betaGroups", "id": "g1"}, "links": {"self": "x"}}),
    )
    doc = make_client().post("/v1/betaGroups", {"data": {"type": "betaGroups"}})
    assert doc.data["id"] == "g1"
    assert len(server.seen) == 2


def test_5xx_on_get_is_retried_then_succeeds(server, make_client) -> None:
    server.queue("GET", "/v1/apps", Reply(503, "<html>busy</html>"), Reply(500, {}), OK)
    make_client().get("/v1/apps")
    assert len(server.seen) == 3


def test_5xx_on_post_is_not_repeated_and_says_it_may_have_been_applied(server, make_client) -> None:
    server.queue("POST", "/v1/appStoreVersionLocalizations", Reply(500, {}), OK)
    with pytest.raises(ApiError) as err:
        make_client().post("/v1/appStoreVersionLocalizations", {"data": {}})
    assert err.value.maybe_applied
    assert len(server.seen) == 1


def test_dropped_connection_on_get_is_retried(server, make_client) -> None:
    server.queue("GET", "/v1/apps", Reply(drop=True), OK)
    make_client().get("/v1/apps")
    assert len(server.seen) == 2


def test_exhausted_retries_give_a_clear_error(server, make_client) -> None:
    server.queue(
        "GET", "/v1/apps/1", *[Reply(503, "<html><h1>Service Unavailable</h1></html>")] * 5
    )
    with pytest.raises(ApiError) as err:
        make_client().get("/v1/apps/1")
    assert str(err.value) == (
        "HTTP 503 on GET apps 1 after 4 attempts: non-JSON response: Service Unavailable"
    )
    assert len(server.seen) == 4


def test_total_retry_time_is_bounded(server, ec_key_pem) -> None:
    now = [0.0]

    def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    server.queue("GET", "/v1/apps", *[Reply(503, {}, {"Retry-After": "40"})] * 10)
    client = ApiClient(
        server.url,
        None,
        sleep=fake_sleep,
        clock=lambda: now[0],
        retry=RetryPolicy(attempts=10, total_seconds=100),
        pacer=Pacer(clock=lambda: now[0]),
        on_wait=lambda line: None,
    )
    with pytest.raises(ApiError, match="HTTP 503"):
        client.get("/v1/apps")
    assert len(server.seen) == 4  # 0 s, 40 s, 80 s, then 120 s > 100 s: stop
    assert now[0] <= 120


def test_rate_limit_waits_are_bounded_on_their_own(server) -> None:
    now = [0.0]

    def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    server.queue("GET", "/v1/apps", *[Reply(429, {}, {"Retry-After": "40"})] * 10)
    client = ApiClient(
        server.url,
        None,
        sleep=fake_sleep,
        clock=lambda: now[0],
        retry=RetryPolicy(attempts=10, rate_limit_wait_max=100),
        pacer=Pacer(clock=lambda: now[0]),
        on_wait=lambda line: None,
    )
    with pytest.raises(ApiError, match="HTTP 429"):
        client.get("/v1/apps")
    assert len(server.seen) == 3  # waited 40 s twice; a third 40 s would pass 100 s


def test_an_apply_out_of_budget_waits_instead_of_failing(server) -> None:
    """Eight 429s in a row cost no attempts: the request waits them out and succeeds."""
    now = [0.0]
    lines: list[str] = []

    def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    server.queue("GET", "/v1/apps", *[Reply(429, {}, {"Retry-After": "100"})] * 8, OK)
    client = ApiClient(
        server.url,
        None,
        sleep=fake_sleep,
        clock=lambda: now[0],
        retry=RetryPolicy(attempts=3, total_seconds=60),
        pacer=Pacer(clock=lambda: now[0]),
        on_wait=lines.append,
    )
    client.get("/v1/apps")
    assert len(server.seen) == 9
    assert now[0] == pytest.approx(800)
    assert len(lines) == 8 and all("Apple's rate limit (429 on GET apps)" in x for x in lines)


def test_unreachable_api_is_one_line() -> None:
    client = ApiClient(
        "http://127.0.0.1:9",
        None,
        retry=RetryPolicy(attempts=2, backoff_base=0),
        sleep=lambda s: None,
    )
    with pytest.raises(
        ConnectionFailed, match=r"could not reach http://127.0.0.1:9 for GET /v1/apps"
    ):
        client.get("/v1/apps")


def pages_handler(total: int, size: int, base: str):  # noqa: ANN201
    def handler(seen: Seen) -> Reply:
        query = parse_qs(seen.query)
        start = int(query.get("cursor", ["0"])[0])
        limit = int(query["limit"][0])
        items = [
            {
                "type": "apps",
                "id": str(i),
                "attributes": {"name": f"App {i}"},
                "relationships": {"appInfos": {"data": [{"type": "appInfos", "id": f"i{i}"}]}},
            }
            for i in range(start, min(total, start + min(limit, size)))
        ]
        included = [
            {"type": "appInfos", "id": f"i{i['id']}", "attributes": {"state": "READY"}}
            for i in items
        ]
        links = {"self": f"{base}/v1/apps"}
        if start + len(items) < total:
            links["next"] = f"{base}/v1/apps?cursor={start + len(items)}&limit={limit}"
        return Reply(
            200,
            {
                "data": items,
                "included": included,
                "links": links,
                "meta": {"paging": {"total": total, "limit": limit}},
            },
        )

    return handler


def test_get_all_follows_next_links_across_pages(server, make_client) -> None:
    server.handle("GET", "/v1/apps", pages_handler(total=450, size=200, base=server.url))
    doc = make_client().get_all("/v1/apps", {"include": ["appInfos"]})
    assert [int(r["id"]) for r in doc.resources()] == list(range(450))
    assert len(server.seen) == 3
    assert parse_qs(server.seen[0].query) == {"limit": ["200"], "include": ["appInfos"]}
    assert doc.related_one(doc.resources()[449], "appInfos")["attributes"]["state"] == "READY"
    assert len(doc.included) == 450


def test_next_link_to_another_host_does_not_get_the_token(server, make_client) -> None:
    server.queue(
        "GET",
        "/v1/apps",
        Reply(
            200,
            {"data": [], "links": {"self": "x", "next": "https://evil.example/v1/apps?cursor=2"}},
        ),
    )
    with pytest.raises(AscsyncError, match="refusing to send credentials to https://evil.example"):
        make_client().get_all("/v1/apps")


def test_error_message_names_status_code_detail_resource_and_attribute(server, make_client) -> None:
    server.queue(
        "PATCH",
        "/v1/appStoreVersionLocalizations/loc-1",
        Reply(
            409,
            error_body(
                409,
                "ENTITY_ERROR.ATTRIBUTE.INVALID",
                "The attribute 'whatsNew' can not be edited at this time.",
                pointer="/data/attributes/whatsNew",
            ),
        ),
    )
    with pytest.raises(ApiError) as err:
        make_client().patch("/v1/appStoreVersionLocalizations/loc-1", {"data": {}})
    assert str(err.value) == (
        "HTTP 409 on PATCH appStoreVersionLocalizations loc-1: ENTITY_ERROR.ATTRIBUTE.INVALID: "
        "The attribute 'whatsNew' can not be edited at this time. (attribute whatsNew)"
    )
    assert err.value.code == "ENTITY_ERROR.ATTRIBUTE.INVALID"
    assert err.value.pointer == "/data/attributes/whatsNew"


def test_query_parameter_errors_name_the_parameter(server, make_client) -> None:
    server.queue(
        "GET",
        "/v1/apps",
        Reply(
            400,
            error_body(
                400,
                "PARAMETER_ERROR.INVALID",
                "'500' is not a valid value for 'limit'",
                parameter="limit",
            ),
        ),
    )
    with pytest.raises(ApiError, match=r"PARAMETER_ERROR.INVALID: .* \(parameter limit\)"):
        make_client().get("/v1/apps", {"limit": 500})


def test_empty_502_is_reported(server, make_client) -> None:
    server.queue("DELETE", "/v1/betaTesters/t1", *[Reply(502, b"")] * 4)
    with pytest.raises(
        ApiError, match="HTTP 502 on DELETE betaTesters t1 after 4 attempts: empty response body"
    ):
        make_client().delete("/v1/betaTesters/t1")


def test_rate_limit_header_is_exposed_and_low_budget_slows_down(
    server, make_client, sleeps
) -> None:
    def handler(remaining: int) -> Reply:
        return Reply(
            200,
            {"data": [], "links": {"self": "x"}},
            {"X-Rate-Limit": f"user-hour-lim:3600;user-hour-rem:{remaining};"},
        )

    server.queue("GET", "/v1/apps", handler(3000), handler(10), handler(9))
    client = make_client()
    client.get("/v1/apps")
    assert (client.rate_limit.limit, client.rate_limit.remaining) == (3600, 3000)
    client.get("/v1/apps")
    assert sleeps == []  # the budget was fine before this request
    client.get("/v1/apps")
    assert len(sleeps) == 1 and 0.85 <= sleeps[0] <= 1.15  # ~3600 s / 3600 requests


def test_user_agent_and_request_counting(server, make_client) -> None:
    server.queue("GET", "/v1/apps/123/appStoreVersions", OK, OK)
    client = make_client()
    client.get("/v1/apps/123/appStoreVersions")
    client.get("/v1/apps/123/appStoreVersions")
    assert server.seen[0].headers["User-Agent"].startswith("ascsync/")
    assert client.stats[("GET", "/v1/apps/{id}/appStoreVersions")] == 2


def test_list_parameters_are_comma_separated(server, make_client) -> None:
    server.queue("GET", "/v1/apps", OK)
    make_client().get("/v1/apps", {"fields[apps]": ["name", "bundleId"]})
    assert parse_qs(server.seen[0].query) == {"fields[apps]": ["name,bundleId"]}


def test_uploads_never_carry_the_api_token(server, make_client) -> None:
    server.queue("PUT", "/upload/part1", Reply(200, b""))
    make_client().upload(
        "PUT", f"{server.url}/upload/part1", b"\x89PNG", {"Content-Type": "image/png"}
    )
    assert "Authorization" not in server.seen[0].headers
    assert server.seen[0].body == b"\x89PNG"


def test_path_template_keeps_resource_names() -> None:
    assert path_template("/v1/apps/6446123456/appInfos") == "/v1/apps/{id}/appInfos"
    assert path_template("/v2/inAppPurchases/abc1-2") == "/v2/inAppPurchases/{id}"
    assert path_template("/v1/apps/6446/inAppPurchasesV2") == "/v1/apps/{id}/inAppPurchasesV2"
    assert path_template("/v1/appCategories/GAMES") == "/v1/appCategories/{id}"
    assert path_template("/_uploads/tok3n/2") == "/_uploads/{id}/{id}"


def test_verbose_logs_and_errors_never_contain_secrets(
    server, make_client, caplog, ec_key_pem
) -> None:
    server.queue(
        "GET",
        "/v1/apps",
        Reply(401, error_body(401, "NOT_AUTHORIZED", "bad")),
        Reply(200, {"data": [], "links": {"self": "x"}}),
    )
    echo = {}

    def echo_handler(seen: Seen) -> Reply:
        echo["auth"] = seen.headers["Authorization"]
        return Reply(
            409,
            error_body(
                409,
                "ENTITY_ERROR",
                f"got {seen.headers['Authorization']} "
                f"and password=hunter2 {json.loads(seen.body)['key']}",
            ),
        )

    server.handle("POST", "/v1/echo", echo_handler)
    client = make_client()
    logger = logging.getLogger("ascsync")
    logger.addHandler(caplog.handler)  # the CLI may have turned propagation off
    with caplog.at_level(logging.DEBUG, logger="ascsync"):
        client.get("/v1/apps")
        with pytest.raises(ApiError) as err:
            client.post("/v1/echo", {"key": ec_key_pem.decode()})
    from ascsync.api.redact import register_secret

    register_secret(ec_key_pem.decode())
    token = echo["auth"].split()[1]
    text = caplog.text + str(err.value)
    assert "GET /v1/apps -> 200" in caplog.text
    assert token not in text
    assert "hunter2" not in text
    assert "PRIVATE KEY" not in text
    assert "[REDACTED]" in str(err.value)


def test_global_retry_options_reach_the_client(server, ec_key_pem, tmp_path) -> None:
    from click.testing import CliRunner

    from ascsync.cli import cli

    key = tmp_path / "AuthKey.p8"
    key.write_bytes(ec_key_pem)
    server.queue("GET", "/v1/apps", *[Reply(503, "<html>down</html>")] * 5)
    result = CliRunner().invoke(
        cli,
        [
            "--api-url",
            server.url,
            "--key-id",
            "K",
            "--private-key-path",
            str(key),
            "--retries",
            "1",
            "--retry-seconds",
            "30",
            "whoami",
        ],
    )
    assert result.exit_code == 1
    assert "HTTP 503 on GET apps after 2 attempts" in result.output
    assert len(server.seen) == 2


# -- bounded time, and waits said aloud (issue 11 item 9) -----------------------------------


class SilentServer:
    """Accepts connections and reads requests, but never answers."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.connections: list[object] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)  # kept open, never answered

    def close(self) -> None:
        self.sock.close()
        for connection in self.connections:
            connection.close()  # type: ignore[attr-defined]


def whoami(url: str, key: Path, *options: str) -> tuple[object, float]:
    from click.testing import CliRunner

    from ascsync.cli import cli

    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        ["--api-url", url, "--key-id", "K", "--private-key-path", str(key), *options, "whoami"],
    )
    return result, time.monotonic() - started


def test_a_server_that_never_answers_fails_whoami_in_bounded_time(ec_key_pem, tmp_path) -> None:
    key = tmp_path / "AuthKey.p8"
    key.write_bytes(ec_key_pem)
    silent = SilentServer()
    url = silent.url
    try:
        result, seconds = whoami(url, key, "--timeout", "0.5", "--retry-seconds", "20")
    finally:
        silent.close()
    assert result.exit_code == 1  # type: ignore[attr-defined]
    output = result.output  # type: ignore[attr-defined]
    assert f"no answer from {url} for GET /v1/apps" in output
    assert "nothing within 0.5 s" in output and "tried 3 times" in output
    # each timeout said so before trying again: never silent
    assert output.count("no answer to GET /v1/apps") == 2
    assert seconds < 30  # three 0.5 s timeouts and short backoffs, not minutes


def test_connection_refused_is_reported_promptly(ec_key_pem, tmp_path) -> None:
    import socket

    key = tmp_path / "AuthKey.p8"
    key.write_bytes(ec_key_pem)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result, seconds = whoami(f"http://127.0.0.1:{port}", key)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert f"could not reach http://127.0.0.1:{port} for GET /v1/apps" in result.output  # type: ignore[attr-defined]
    assert seconds < 8  # two quick retries, not 16 s of backoff


def test_long_backoffs_print_what_they_wait_for_and_until_when(server, ec_key_pem) -> None:
    lines: list[str] = []
    server.queue("GET", "/v1/apps", *[Reply(503, {})] * 3, OK)
    client = ApiClient(
        server.url,
        None,
        sleep=lambda s: None,
        on_wait=lines.append,
        retry=RetryPolicy(attempts=5, backoff_base=1.0, jitter=0),
    )
    client.get("/v1/apps")
    # backoffs of 1, 2 and 4 s: only the two of 2 s or more are announced
    assert len(lines) == 2, lines
    assert re.fullmatch(
        r"ascsync: waiting 2 s for a retry of GET apps after HTTP 503 \(until \d\d:\d\d:\d\d\)",
        lines[0],
    )


def test_a_429_pauses_every_thread_and_says_until_when(server, ec_key_pem) -> None:
    lines: list[str] = []
    waits: list[float] = []
    server.queue("GET", "/v1/apps", Reply(429, {}, {"Retry-After": "30"}), OK, OK)
    pacer = Pacer()
    client = ApiClient(server.url, None, sleep=waits.append, on_wait=lines.append, pacer=pacer)
    client.get("/v1/apps")
    assert waits == [pytest.approx(30, abs=0.5)]
    assert len(lines) == 1 and "Apple's rate limit (429 on GET apps)" in lines[0]
    # another thread's next request waits for the same pause (nobody slept here)
    client.get("/v1/apps")
    assert waits[1] == pytest.approx(30, abs=1)


def test_retry_after_is_clamped(server) -> None:
    waits: list[float] = []
    server.queue("GET", "/v1/apps", Reply(429, {}, {"Retry-After": "7200"}), OK)
    client = ApiClient(
        server.url,
        None,
        sleep=waits.append,
        on_wait=lambda line: None,
        pacer=Pacer(),
        retry=RetryPolicy(retry_after_max=90),
    )
    client.get("/v1/apps")
    assert waits == [pytest.approx(90, abs=0.5)]


def test_low_budget_paces_all_threads_together_not_each(server) -> None:
    """8 threads under a low budget send ~HOUR/limit apart in all, not 8 at a time."""
    from concurrent.futures import ThreadPoolExecutor

    low = {"X-Rate-Limit": "user-hour-lim:3600;user-hour-rem:5;"}
    server.handlers[("GET", "/v1/apps")] = lambda seen: Reply(200, OK.body, low)
    waits: list[float] = []
    lines: list[str] = []
    client = ApiClient(server.url, None, sleep=waits.append, pacer=Pacer(), on_wait=lines.append)
    client.get("/v1/apps")  # learns that the budget is low
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.get("/v1/apps"), range(16)))
    # nobody really slept, so the slots handed out add up: 1 s, 2 s, ... 16 s
    assert sorted(round(w) for w in waits) == list(range(1, 17))
    # said once, not per request
    assert lines == [
        "ascsync: Apple's hourly request budget is low (5 of 3600 left): "
        "pacing requests 1.0 s apart until it recovers"
    ]


def test_upload_puts_are_not_paced(server) -> None:
    low = {"X-Rate-Limit": "user-hour-lim:3600;user-hour-rem:5;"}
    server.queue("GET", "/v1/apps", Reply(200, OK.body, low))
    server.handlers[("PUT", "/upload/part")] = lambda seen: Reply(200, "")
    waits: list[float] = []
    client = ApiClient(server.url, None, sleep=waits.append, pacer=Pacer())
    client.get("/v1/apps")
    for _ in range(5):
        client.upload("PUT", f"{server.url}/upload/part", b"x" * 10, {})
    assert waits == []


def test_answers_past_the_size_cap_are_refused(server) -> None:
    server.queue("GET", "/v1/apps", Reply(200, {"data": [], "junk": "x" * 5000}))
    client = ApiClient(server.url, None, retry=RetryPolicy(max_response_bytes=1000))
    with pytest.raises(TooLarge, match="larger than"):
        client.get("/v1/apps")


def test_listings_past_the_page_cap_stop(server, make_client) -> None:
    server.handlers[("GET", "/v1/apps")] = pages_handler(50, 1, server.url)
    client = make_client(retry=RetryPolicy(max_pages=5))
    with pytest.raises(TooLarge, match="more than 5 pages"):
        client.get_all("/v1/apps")
    assert len(server.seen) == 5


def test_post_dropped_after_sending_may_have_been_applied(server, make_client) -> None:
    server.queue("POST", "/v1/betaGroups", Reply(drop=True), OK)
    with pytest.raises(MaybeAppliedError, match="dropped after sending"):
        make_client().post("/v1/betaGroups", {"data": {}})
    assert len(server.seen) == 1  # not repeated blindly


def test_proxies_come_from_the_environment_once_per_host(server, monkeypatch) -> None:
    import requests.utils as ru

    calls: list[str] = []
    real = ru.get_environ_proxies

    def counting(url: str, no_proxy: str | None = None) -> dict[str, str]:
        calls.append(url)
        return real(url, no_proxy)

    monkeypatch.setattr("ascsync.api.client.get_environ_proxies", counting)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server.handlers[("GET", "/v1/apps")] = lambda seen: OK
    client = ApiClient(server.url, None)
    for _ in range(5):
        client.get("/v1/apps")
    assert len(calls) == 1


def test_an_answer_cut_off_halfway_is_read_again(server, make_client) -> None:
    server.queue("GET", "/v1/apps", Reply(200, {"data": [], "pad": "x" * 5000}, cut=True), OK)
    make_client().get("/v1/apps")
    assert len(server.seen) == 2


def test_a_post_answer_cut_off_may_have_been_applied(server, make_client) -> None:
    server.queue("POST", "/v1/betaGroups", Reply(201, {"data": {"pad": "x" * 5000}}, cut=True))
    with pytest.raises(MaybeAppliedError):
        make_client().post("/v1/betaGroups", {"data": {}})
    assert len(server.seen) == 1
