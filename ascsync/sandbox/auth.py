"""Bearer-token checks like Apple's: ES256 JWTs signed by a registered key.

Apple answers 401 ``NOT_AUTHORIZED`` for a missing or malformed header, an unknown
``kid``, a bad signature, a wrong audience, an expired token or a lifetime
(``exp - iat``) above 20 minutes. Times are checked against the sandbox's clock, so a
test can move time forward without sleeping. Tokens are never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from ascsync.sandbox import api_errors

AUDIENCE = "appstoreconnect-v1"
MAX_LIFETIME = 20 * 60
CLOCK_SKEW = 60
"""Seconds of clock difference tolerated on ``iat`` (a token minted a little in the future)."""


@dataclass(frozen=True)
class RegisteredKey:
    key_id: str
    issuer_id: str | None  # None: an individual key (``sub: user``)
    public_key_pem: bytes


class KeyRing:
    """The API keys the sandbox accepts, by key id."""

    def __init__(self) -> None:
        self._keys: dict[str, RegisteredKey] = {}
        self.verified: dict[str, tuple[RegisteredKey, dict[str, Any]]] = {}
        """Signature checks are the costly part: remember tokens already verified (bounded)."""

    def add(self, key_id: str, issuer_id: str | None, private_key_pem: bytes) -> None:
        private = serialization.load_pem_private_key(private_key_pem, password=None)
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._keys[key_id] = RegisteredKey(key_id, issuer_id, public_pem)

    def get(self, key_id: str) -> RegisteredKey | None:
        return self._keys.get(key_id)


def check_authorization(header: str | None, keys: KeyRing, now: Callable[[], float]) -> None:
    """Raise a 401 SandboxError unless ``header`` carries a valid token."""
    if not header or not header.startswith("Bearer "):
        raise api_errors.not_authorized("missing 'Authorization: Bearer <token>' header")
    token = header[len("Bearer ") :].strip()
    cached = keys.verified.get(token)
    if cached is not None:
        key, claims = cached
        _check_times(claims, now())
        return
    key, claims = _verify_signature(token, keys)
    _check_times(claims, now())
    _check_issuer(claims, key)
    if len(keys.verified) > 1000:
        keys.verified.clear()
    keys.verified[token] = (key, claims)


def _verify_signature(token: str, keys: KeyRing) -> tuple[RegisteredKey, dict[str, Any]]:
    """The key and claims of a well-signed ES256 token for Apple's audience; 401 otherwise."""
    try:
        head = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise api_errors.not_authorized("the token is not a JWT") from None
    if head.get("alg") != "ES256":
        raise api_errors.not_authorized("the token must be signed with ES256")
    key = keys.get(str(head.get("kid")))
    if key is None:
        raise api_errors.not_authorized("unknown key id (kid)")
    try:
        claims = jwt.decode(
            token,
            key.public_key_pem,
            algorithms=["ES256"],
            audience=AUDIENCE,
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["exp", "aud"],
            },
        )
    except jwt.InvalidAudienceError:
        raise api_errors.not_authorized(f"the audience (aud) must be '{AUDIENCE}'") from None
    except jwt.PyJWTError:
        raise api_errors.not_authorized("the signature or claims are invalid") from None
    return key, claims


def _check_times(claims: dict[str, Any], now: float) -> None:
    exp = claims.get("exp")
    iat = claims.get("iat")
    if not isinstance(exp, int | float):
        raise api_errors.not_authorized("exp must be a number")
    if exp <= now:
        raise api_errors.not_authorized("the token has expired")
    start = iat if isinstance(iat, int | float) else now
    if isinstance(iat, int | float) and iat > now + CLOCK_SKEW:
        raise api_errors.not_authorized("the token was issued in the future (iat)")
    if exp - start > MAX_LIFETIME:
        raise api_errors.not_authorized("the token lifetime (exp - iat) exceeds 20 minutes")


def _check_issuer(claims: dict[str, Any], key: RegisteredKey) -> None:
    if key.issuer_id is None:
        if claims.get("sub") != "user":
            raise api_errors.not_authorized("an individual key needs 'sub': 'user'")
    elif claims.get("iss") != key.issuer_id:
        raise api_errors.not_authorized("the issuer (iss) does not match the key")
