"""App Store Connect API tokens: ES256 JWTs minted from a ``.p8`` key, cached and renewed.

Apple rejects a token whose lifetime (``exp - iat``) exceeds 20 minutes, so a long apply
cannot mint one token up front: :class:`TokenProvider` hands out a cached token and mints
a fresh one shortly before it expires (or at once, after a 401).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import jwt

AUDIENCE = "appstoreconnect-v1"
ENTERPRISE_AUDIENCE = "apple-developer-enterprise-v1"
MAX_LIFETIME = 20 * 60
"""Apple refuses tokens valid for longer than 20 minutes."""
RENEW_MARGIN = 60
"""Mint a new token when the cached one has less than this many seconds left."""


def mint_token(
    key_id: str,
    private_key_pem: bytes | str,
    issuer_id: str | None,
    *,
    now: float | None = None,
    lifetime: int = MAX_LIFETIME,
    audience: str = AUDIENCE,
) -> str:
    """Sign one token. ``issuer_id=None`` means an individual key (``sub: user``)."""
    if not 0 < lifetime <= MAX_LIFETIME:
        raise ValueError(f"token lifetime must be 1..{MAX_LIFETIME} seconds, not {lifetime}")
    issued = int(time.time() if now is None else now)
    claims: dict[str, object] = {"iat": issued, "exp": issued + lifetime, "aud": audience}
    if issuer_id:
        claims["iss"] = issuer_id
    else:
        claims["sub"] = "user"
    return jwt.encode(
        claims, private_key_pem, algorithm="ES256", headers={"kid": key_id, "typ": "JWT"}
    )


class TokenProvider:
    """Thread-safe token cache that renews ahead of expiry.

    ``clock`` is injectable so tests can jump past the expiry without sleeping.
    """

    def __init__(
        self,
        key_id: str,
        private_key_pem: bytes | str,
        issuer_id: str | None,
        *,
        lifetime: int = MAX_LIFETIME,
        audience: str = AUDIENCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key_id = key_id
        self._key = private_key_pem
        self._issuer_id = issuer_id
        self._lifetime = min(lifetime, MAX_LIFETIME)
        self._audience = audience
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        self.minted = 0
        """How many tokens were signed (tests and verbose logs use it)."""

    def token(self) -> str:
        """A token with at least :data:`RENEW_MARGIN` seconds left."""
        with self._lock:
            now = self._clock()
            if self._token is None or now >= self._expires - min(RENEW_MARGIN, self._lifetime / 2):
                self._mint(now)
            assert self._token is not None
            return self._token

    def invalidate(self, token: str | None = None) -> None:
        """Drop the cached token (after a 401), unless another thread already replaced it."""
        with self._lock:
            if token is None or token == self._token:
                self._token = None

    def _mint(self, now: float) -> None:
        self._token = mint_token(
            self._key_id,
            self._key,
            self._issuer_id,
            now=now,
            lifetime=self._lifetime,
            audience=self._audience,
        )
        self._expires = int(now) + self._lifetime
        self.minted += 1
