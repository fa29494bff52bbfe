"""Tokens: what Apple checks in every JWT, and renewal before and after expiry."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from ascsync.api.tokens import ENTERPRISE_AUDIENCE, TokenProvider, mint_token
from tests.client.scripted_server import Reply


def public_key(pem: bytes):  # noqa: ANN201
    return serialization.load_pem_private_key(pem, password=None).public_key()


def test_team_key_token_has_apple_claims_and_verifies(ec_key_pem: bytes) -> None:
    token = mint_token("ABC123", ec_key_pem, "69a6de70-03db-47e3-e053-5b8c7c11a4d1", now=1_000_000)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token,
        public_key(ec_key_pem),
        algorithms=["ES256"],
        audience="appstoreconnect-v1",
        options={"verify_exp": False},
    )
    assert header == {"alg": "ES256", "kid": "ABC123", "typ": "JWT"}
    assert claims["iss"] == "69a6de70-03db-47e3-e053-5b8c7c11a4d1"
    assert "sub" not in claims
    assert claims["iat"] == 1_000_000
    assert claims["exp"] - claims["iat"] == 1200


def test_individual_key_uses_sub_user_and_no_issuer(ec_key_pem: bytes) -> None:
    claims = jwt.decode(mint_token("K", ec_key_pem, None), options={"verify_signature": False})
    assert claims["sub"] == "user"
    assert "iss" not in claims


def test_in_house_audience(ec_key_pem: bytes) -> None:
    token = mint_token("K", ec_key_pem, "i", audience=ENTERPRISE_AUDIENCE)
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == ENTERPRISE_AUDIENCE


def test_lifetime_over_twenty_minutes_is_refused(ec_key_pem: bytes) -> None:
    with pytest.raises(ValueError, match="1..1200"):
        mint_token("K", ec_key_pem, "i", lifetime=1201)


def test_provider_reuses_token_then_renews_before_expiry(ec_key_pem: bytes) -> None:
    now = [10_000.0]
    provider = TokenProvider("K", ec_key_pem, "i", clock=lambda: now[0])
    first = provider.token()
    now[0] += 600
    assert provider.token() == first
    now[0] += 600 - 59  # 59 s left: inside the renewal margin
    second = provider.token()
    assert second != first
    claims = jwt.decode(second, options={"verify_signature": False})
    assert claims["iat"] == int(now[0])
    assert claims["exp"] > now[0] + 60
    assert provider.minted == 2


def test_two_hour_run_never_sends_an_expired_token(ec_key_pem: bytes) -> None:
    now = [0.0]
    provider = TokenProvider("K", ec_key_pem, "i", clock=lambda: now[0])
    for _ in range(7200 // 30):
        claims = jwt.decode(provider.token(), options={"verify_signature": False})
        assert claims["exp"] - now[0] >= 60
        now[0] += 30
    assert 6 <= provider.minted <= 8


def test_401_mints_a_new_token_and_retries_once(server, make_client, ec_key_pem) -> None:  # noqa: ANN001
    provider = TokenProvider("K", ec_key_pem, "i")
    server.queue(
        "GET",
        "/v1/apps",
        Reply(
            401,
            {"errors": [{"status": "401", "code": "NOT_AUTHORIZED", "title": "t", "detail": "d"}]},
        ),
    )
    server.queue("GET", "/v1/apps", Reply(200, {"data": [], "links": {"self": "x"}}))
    client = make_client(tokens=provider)
    client.get("/v1/apps")
    sent = [s.headers["Authorization"] for s in server.seen]
    assert len(sent) == 2
    assert sent[0] != sent[1]
    assert provider.minted == 2


def test_second_401_is_reported_not_looped(server, make_client) -> None:  # noqa: ANN001
    reply = Reply(
        401,
        {
            "errors": [
                {
                    "status": "401",
                    "code": "NOT_AUTHORIZED",
                    "title": "Authentication credentials are missing or invalid.",
                    "detail": "Provide a properly configured and signed bearer token",
                }
            ]
        },
    )
    server.queue("GET", "/v1/apps", reply, reply, reply)
    with pytest.raises(Exception, match="HTTP 401 on GET apps: NOT_AUTHORIZED"):
        make_client().get("/v1/apps")
    assert len(server.seen) == 2
