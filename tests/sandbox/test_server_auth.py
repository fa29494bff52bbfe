"""Bearer tokens: the sandbox accepts exactly what Apple accepts and answers 401 otherwise."""

from __future__ import annotations

import json

import jwt
import pytest
import requests

from ascsync.api.tokens import mint_token
from tests.conftest import make_ec_key_pem
from tests.sandbox.conftest import control


def _get(sandbox, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.get(f"{sandbox.url}/v1/apps", headers=headers)


def _claims_token(sandbox, claims: dict, *, key=None, kid=None, alg="ES256") -> str:
    return jwt.encode(
        claims,
        key or sandbox.private_key_pem,
        algorithm=alg,
        headers={"kid": kid or sandbox.key_id, "typ": "JWT"},
    )


def test_a_token_from_the_sandbox_key_is_accepted(sandbox):
    response = _get(sandbox, sandbox.token())
    assert response.status_code == 200


def test_the_key_file_is_private_and_in_fastlane_format(sandbox):
    path = sandbox.api_key_json_path
    assert path.stat().st_mode & 0o777 == 0o600
    content = json.loads(path.read_text())
    assert content["key_id"] == sandbox.key_id and content["issuer_id"] == sandbox.issuer_id
    assert content["is_key_content_base64"] is False and content["in_house"] is False
    token = mint_token(content["key_id"], content["key"], content["issuer_id"])
    assert _get(sandbox, token).status_code == 200


def _bad_tokens(sandbox):
    now = int(sandbox.clock())
    good = {"iss": sandbox.issuer_id, "iat": now, "exp": now + 600, "aud": "appstoreconnect-v1"}
    return {
        "wrong signature": _claims_token(sandbox, good, key=make_ec_key_pem()),
        "unknown kid": _claims_token(sandbox, good, kid="UNKNOWN123"),
        "wrong audience": _claims_token(sandbox, {**good, "aud": "someone-else"}),
        "expired": _claims_token(sandbox, {**good, "iat": now - 1300, "exp": now - 100}),
        "lifetime over 20 minutes": _claims_token(sandbox, {**good, "exp": now + 1201}),
        "wrong issuer": _claims_token(sandbox, {**good, "iss": "someone"}),
        "HS256": jwt.encode(good, "s" * 32, algorithm="HS256", headers={"kid": sandbox.key_id}),
        "not a jwt": "hello",
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong signature",
        "unknown kid",
        "wrong audience",
        "expired",
        "lifetime over 20 minutes",
        "wrong issuer",
        "HS256",
        "not a jwt",
    ],
)
def test_invalid_tokens_are_not_authorized(sandbox, case):
    response = _get(sandbox, _bad_tokens(sandbox)[case])
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert (error["status"], error["code"]) == ("401", "NOT_AUTHORIZED")


def test_missing_header_is_not_authorized(sandbox):
    response = _get(sandbox, None)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "NOT_AUTHORIZED"


def test_a_token_expires_when_the_sandbox_clock_moves_on(sandbox):
    token = sandbox.token()
    assert _get(sandbox, token).status_code == 200
    control(sandbox).post(f"{sandbox.url}/sandbox/clock", json={"advance": 1201})
    assert _get(sandbox, token).status_code == 401
    assert _get(sandbox, sandbox.token()).status_code == 200


def test_the_token_never_appears_in_answers_or_the_journal(sandbox):
    token = _bad_tokens(sandbox)["expired"]
    response = _get(sandbox, token)
    assert token not in response.text
    journal = control(sandbox).get(f"{sandbox.url}/sandbox/journal").text
    assert token not in journal and sandbox.token()[:40] not in journal


def test_individual_keys_use_sub_user_instead_of_an_issuer(sandbox):
    pem = make_ec_key_pem()
    sandbox.add_key("INDIVIDUAL", None, pem)
    now = sandbox.clock()
    assert _get(sandbox, mint_token("INDIVIDUAL", pem, None, now=now)).status_code == 200
    with_issuer = mint_token("INDIVIDUAL", pem, "some-issuer", now=now)
    assert _get(sandbox, with_issuer).status_code == 401
