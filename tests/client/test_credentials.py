"""Credentials: source order, fastlane JSON, and one-line errors that never show the key."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ascsync.api.credentials import resolve
from ascsync.api.tokens import ENTERPRISE_AUDIENCE
from ascsync.errors import CredentialsError

NO_OPTIONS: dict[str, str | None] = {}


def write_key(tmp_path: Path, pem: bytes, name: str = "AuthKey_ABC.p8") -> str:
    path = tmp_path / name
    path.write_bytes(pem)
    return str(path)


def test_command_line_options_win_over_environment(tmp_path: Path, ec_key_pem: bytes) -> None:
    path = write_key(tmp_path, ec_key_pem)
    env = {"ASC_KEY_ID": "ENVKEY", "ASC_PRIVATE_KEY": ec_key_pem.decode()}
    creds = resolve({"key_id": "CLIKEY", "issuer_id": "iss", "private_key_path": path}, env)
    assert creds.key_id == "CLIKEY"
    assert creds.issuer_id == "iss"
    assert "command-line" in creds.source


def test_environment_pem_text_with_escaped_newlines(ec_key_pem: bytes) -> None:
    one_line = ec_key_pem.decode().strip().replace("\n", "\\n")
    creds = resolve(
        NO_OPTIONS, {"ASC_KEY_ID": "K", "ASC_ISSUER_ID": "I", "ASC_PRIVATE_KEY": one_line}
    )
    assert creds.private_key_pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")


def test_environment_base64_key(ec_key_pem: bytes) -> None:
    encoded = base64.b64encode(ec_key_pem).decode()
    creds = resolve(NO_OPTIONS, {"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY": encoded})
    assert creds.private_key_pem == ec_key_pem
    assert creds.issuer_id is None  # individual key


def test_fastlane_json_with_base64_content_duration_and_in_house(
    tmp_path: Path, ec_key_pem: bytes
) -> None:
    path = tmp_path / "api_key.json"
    path.write_text(
        json.dumps(
            {
                "key_id": "D383SF739",
                "issuer_id": "6053b7fe",
                "duration": 900,
                "in_house": True,
                "key": base64.b64encode(ec_key_pem).decode(),
                "is_key_content_base64": True,
            }
        )
    )
    creds = resolve({"api_key_json": str(path)}, {})
    assert (creds.key_id, creds.issuer_id, creds.lifetime) == ("D383SF739", "6053b7fe", 900)
    assert creds.audience == ENTERPRISE_AUDIENCE


def test_fastlane_json_from_environment_variable(tmp_path: Path, ec_key_pem: bytes) -> None:
    path = tmp_path / "api_key.json"
    path.write_text(json.dumps({"key_id": "K", "issuer_id": "I", "key": ec_key_pem.decode()}))
    assert resolve(NO_OPTIONS, {"ASC_API_KEY_JSON": str(path)}).key_id == "K"


def test_incomplete_sources_say_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError) as err:
        resolve({"key_id": "K"}, {"ASC_ISSUER_ID": "I"})
    message = str(err.value)
    assert "command-line options" in message and "lack private key" in message
    assert "environment" in message and "lack key id and private key" in message


def test_no_credentials_at_all_explains_every_way(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="--key-id.*ASC_KEY_ID.*--api-key-json"):
        resolve(NO_OPTIONS, {})


def other_keys() -> dict[str, bytes]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    p384 = ec.generate_private_key(ec.SECP384R1())
    plain = serialization.NoEncryption()
    fmt = (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8)
    return {
        "rsa": rsa_key.private_bytes(*fmt, plain),
        "p384": p384.private_bytes(*fmt, plain),
        "encrypted": p384.private_bytes(*fmt, serialization.BestAvailableEncryption(b"pw")),
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "rsa",
            "is a RSA key; App Store Connect keys are EC P-256 "
            "(.p8 from Users and Access > Integrations)",
        ),
        ("p384", "EC key on secp384r1; App Store Connect needs P-256"),
        ("encrypted", "the key is encrypted; export it without a password"),
        ("not-pem", "not a PEM private key (expected '-----BEGIN PRIVATE KEY-----')"),
        ("damaged", "PEM block is damaged or not a private key"),
    ],
)
def test_bad_key_file_gives_one_line_naming_the_file(
    tmp_path: Path, ec_key_pem: bytes, content: str, expected: str
) -> None:
    keys = other_keys()
    keys["not-pem"] = b"this is not a key"
    keys["damaged"] = ec_key_pem[:60] + b"\n-----END PRIVATE KEY-----\n"
    path = write_key(tmp_path, keys[content])
    with pytest.raises(CredentialsError) as err:
        resolve({"key_id": "K", "private_key_path": path}, {})
    assert str(err.value) == f"private key file {path}: {expected}"
    assert "\n" not in str(err.value)
    assert "MII" not in str(err.value)  # no key material


def test_missing_and_directory_key_paths(tmp_path: Path) -> None:
    for path, expected in [
        (tmp_path / "nope.p8", "file not found"),
        (tmp_path, "is a directory, expected a .p8 file"),
    ]:
        with pytest.raises(CredentialsError, match=expected):
            resolve({"key_id": "K", "private_key_path": str(path)}, {})


def test_bad_fastlane_json_is_reported_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    path.write_text("{not json")
    with pytest.raises(CredentialsError, match=rf"fastlane API key file {path}: not valid JSON"):
        resolve({"api_key_json": str(path)}, {})
    path.write_text(json.dumps({"key_id": "K", "key": "x", "duration": 5000}))
    with pytest.raises(CredentialsError, match="'duration' must be 1..1200 seconds"):
        resolve({"api_key_json": str(path)}, {})


def test_credentials_repr_hides_the_key(ec_key_pem: bytes) -> None:
    creds = resolve(NO_OPTIONS, {"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY": ec_key_pem.decode()})
    assert "BEGIN" not in repr(creds) and "MII" not in repr(creds)
