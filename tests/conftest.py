"""Fixtures shared by every test area. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# Checks every request the sandbox receives against Apple's OpenAPI at the end of the run.
pytest_plugins = ["tests.spec_audit"]


def make_ec_key_pem() -> bytes:
    """A throwaway P-256 private key in PKCS#8 PEM, the format of Apple's .p8 files."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture
def ec_key_pem() -> bytes:
    return make_ec_key_pem()
