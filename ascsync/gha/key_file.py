"""The App Store Connect private key, from a secret to a short-lived 0600 file.

The key arrives as text (the ``.p8`` content, or base64 of it, as people often store
binary-ish secrets). ascsync reads keys from a path, and a path keeps the key out of
the environment of every process the step starts. The file lives in a private temp
folder and is removed even when the command fails.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ascsync.errors import AscsyncError

PEM_HEADER = "-----BEGIN"
PEM_PARTS = re.compile(
    r"(?P<head>-----BEGIN [A-Z ]+-----)(?P<body>[A-Za-z0-9+/=\s]*)(?P<foot>-----END [A-Z ]+-----)"
)


class KeyInputError(AscsyncError):
    """The private-key input is neither a PEM key nor base64 of one."""


def key_text(raw: str) -> str:
    """The PEM text of ``raw``: PEM as is, or decoded from base64.

    Secrets pasted into GitHub often lose their line breaks or come as base64; both are
    accepted, and anything else is refused with a message that never quotes the value.
    """
    text = raw.strip()
    if text.startswith(PEM_HEADER):
        return _rewrap(text)
    try:
        decoded = base64.b64decode("".join(text.split()), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if decoded.strip().startswith(PEM_HEADER):
        return decoded.strip() + "\n"
    raise KeyInputError(
        "the private-key input is not a PEM key (-----BEGIN PRIVATE KEY-----...) nor "
        "base64 of one; paste the whole content of the AuthKey_XXXX.p8 file into the secret"
    )


def _rewrap(pem: str) -> str:
    """A PEM whose line breaks became spaces (a common copy-paste accident) made whole."""
    match = PEM_PARTS.fullmatch(pem)
    if match is None or "\n" in pem:
        return pem + "\n"
    body = "".join(match["body"].split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([match["head"], *lines, match["foot"]]) + "\n"


@contextlib.contextmanager
def private_key_file(raw: str, parent: str | None = None) -> Iterator[Path]:
    """Write the key to a 0600 file in a 0700 temp folder; remove both on exit."""
    folder = Path(tempfile.mkdtemp(prefix="ascsync-key-", dir=parent))
    try:
        os.chmod(folder, 0o700)
        path = folder / "AuthKey.p8"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key_text(raw))
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
