"""Where the App Store Connect API key comes from, and checking that it is usable.

Sources are tried in a fixed order and the first *complete* one wins: command-line
options, then the ``ASC_*`` environment variables, then a fastlane API key JSON file.
A key that is missing, unreadable, not PEM or not an EC P-256 key is reported in one
line naming the source and the path, never with the key's content.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ascsync.api import redact
from ascsync.api.tokens import AUDIENCE, ENTERPRISE_AUDIENCE, MAX_LIFETIME, TokenProvider
from ascsync.errors import CredentialsError


@dataclass(frozen=True)
class Credentials:
    """A usable API key. ``repr`` never shows the key."""

    key_id: str
    issuer_id: str | None
    private_key_pem: bytes = field(repr=False)
    source: str
    lifetime: int = MAX_LIFETIME
    audience: str = AUDIENCE

    def token_provider(self, **kwargs: object) -> TokenProvider:
        """A token cache for this key (``clock`` may be passed by tests)."""
        return TokenProvider(
            self.key_id,
            self.private_key_pem,
            self.issuer_id,
            lifetime=self.lifetime,
            audience=self.audience,
            **kwargs,  # type: ignore[arg-type]
        )


@dataclass
class _Partial:
    """What one source provided, to report what is missing if no source is complete."""

    name: str
    key_id: str | None = None
    issuer_id: str | None = None
    key_text: bytes | None = None
    key_path: str | None = None
    lifetime: int = MAX_LIFETIME
    audience: str = AUDIENCE

    @property
    def given(self) -> bool:
        return any((self.key_id, self.issuer_id, self.key_text, self.key_path))

    def missing(self) -> list[str]:
        needs = []
        if not self.key_id:
            needs.append("key id")
        if not (self.key_text or self.key_path):
            needs.append("private key")
        return needs


def resolve(
    options: Mapping[str, str | None], environ: Mapping[str, str] | None = None
) -> Credentials:
    """Pick the first complete source among options, environment and fastlane JSON."""
    env = os.environ if environ is None else environ
    candidates = [
        _Partial(
            "command-line options (--key-id, --issuer-id, --private-key-path)",
            key_id=options.get("key_id"),
            issuer_id=options.get("issuer_id"),
            key_path=options.get("private_key_path"),
        ),
        _from_env(env),
    ]
    json_path = options.get("api_key_json") or env.get("ASC_API_KEY_JSON")
    if json_path:
        candidates.append(_from_fastlane_json(json_path))
    for candidate in candidates:
        if candidate.given and not candidate.missing():
            return _complete(candidate)
    partial = [c for c in candidates if c.given]
    if partial:
        details = "; ".join(f"{c.name} lack {' and '.join(c.missing())}" for c in partial)
        raise CredentialsError(f"incomplete App Store Connect credentials: {details}")
    raise CredentialsError(
        "no App Store Connect credentials: give --key-id and --private-key-path "
        "(and --issuer-id for a team key), set ASC_KEY_ID and ASC_PRIVATE_KEY_PATH or "
        "ASC_PRIVATE_KEY, or point --api-key-json/ASC_API_KEY_JSON at a fastlane API key file"
    )


def _from_env(env: Mapping[str, str]) -> _Partial:
    text = env.get("ASC_PRIVATE_KEY")
    return _Partial(
        "environment (ASC_KEY_ID, ASC_ISSUER_ID, ASC_PRIVATE_KEY_PATH or ASC_PRIVATE_KEY)",
        key_id=env.get("ASC_KEY_ID"),
        issuer_id=env.get("ASC_ISSUER_ID"),
        key_path=env.get("ASC_PRIVATE_KEY_PATH"),
        key_text=_decode_key_text(text, "ASC_PRIVATE_KEY") if text else None,
    )


def _from_fastlane_json(path: str) -> _Partial:
    """Read fastlane's API key JSON (``key_id``, ``issuer_id``, ``key``, ``duration``, ...)."""
    where = f"fastlane API key file {path}"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialsError(f"{where}: file not found") from None
    except OSError as exc:
        raise CredentialsError(f"{where}: cannot read it ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CredentialsError(f"{where}: not valid JSON ({_position(exc)})") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{where}: expected a JSON object with key_id, issuer_id and key")
    key = data.get("key")
    if key is not None and not isinstance(key, str):
        raise CredentialsError(f"{where}: 'key' must be a string (the .p8 content)")
    if key and data.get("is_key_content_base64"):
        key_text: bytes | None = _b64decode(key, f"{where}: 'key'")
    else:
        key_text = key.encode() if key else None
    duration = data.get("duration") or MAX_LIFETIME
    if not isinstance(duration, int) or not 0 < duration <= MAX_LIFETIME:
        raise CredentialsError(
            f"{where}: 'duration' must be 1..{MAX_LIFETIME} seconds, not {duration!r}"
        )
    return _Partial(
        where,
        key_id=_str_or_none(data.get("key_id")),
        issuer_id=_str_or_none(data.get("issuer_id")),
        key_text=key_text,
        lifetime=duration,
        audience=ENTERPRISE_AUDIENCE if data.get("in_house") else AUDIENCE,
    )


def _complete(candidate: _Partial) -> Credentials:
    if candidate.key_text is not None:
        pem, where = candidate.key_text, candidate.name
    else:
        assert candidate.key_path is not None
        where = f"private key file {candidate.key_path}"
        pem = _read_key_file(candidate.key_path, where)
    load_private_key(pem, where)
    redact.register_secret(pem.decode("ascii", "replace"))
    return Credentials(
        key_id=str(candidate.key_id),
        issuer_id=candidate.issuer_id or None,
        private_key_pem=pem,
        source=candidate.name,
        lifetime=candidate.lifetime,
        audience=candidate.audience,
    )


def _read_key_file(path: str, where: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except FileNotFoundError:
        raise CredentialsError(f"{where}: file not found") from None
    except IsADirectoryError:
        raise CredentialsError(f"{where}: is a directory, expected a .p8 file") from None
    except OSError as exc:
        raise CredentialsError(f"{where}: cannot read it ({exc.strerror})") from None


def load_private_key(pem: bytes, where: str) -> ec.EllipticCurvePrivateKey:
    """Parse and check the key: PEM, private, EC on P-256 (what ES256 needs)."""
    if b"-----BEGIN" not in pem:
        raise CredentialsError(
            f"{where}: not a PEM private key (expected '-----BEGIN PRIVATE KEY-----')"
        )
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise CredentialsError(
            f"{where}: the key is encrypted; export it without a password"
        ) from None
    except (ValueError, binascii.Error):
        raise CredentialsError(f"{where}: PEM block is damaged or not a private key") from None
    except UnsupportedAlgorithm:
        raise CredentialsError(f"{where}: unsupported private key format") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CredentialsError(
            f"{where}: is a {type(key).__name__.replace('PrivateKey', '')} key; App Store Connect "
            "keys are EC P-256 (.p8 from Users and Access > Integrations)"
        )
    if not isinstance(key.curve, ec.SECP256R1):
        raise CredentialsError(
            f"{where}: EC key on {key.curve.name}; App Store Connect needs P-256"
        )
    return key


def _decode_key_text(text: str, where: str) -> bytes:
    """PEM text as-is (with literal ``\\n`` turned into newlines), or base64 of PEM."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        return stripped.replace("\\n", "\n").encode()
    return _b64decode(stripped, where)


def _b64decode(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=False)
    except (binascii.Error, ValueError):
        raise CredentialsError(f"{where}: neither PEM text nor base64 of it") from None


def _str_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _position(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    return f"line {line}" if line else "bad encoding"
