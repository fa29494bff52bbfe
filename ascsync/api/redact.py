"""Keep secrets out of everything ascsync prints or logs.

Two layers: patterns that look like secrets whatever their origin (bearer tokens, JWTs,
PEM blocks, ``password=...``), and exact values registered at run time (the private key
that was loaded, a demo-account password read from the environment). Logging goes
through :class:`RedactingFilter`; error messages call :func:`redact` before they are raised.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[REDACTED]"

_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
    re.compile(r"(?i)\bBearer\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    re.compile(
        r'(?i)("?(?:password|demoAccountPassword|secret|token)"?\s*[:=]\s*)("[^"]*"|[^\s,;&]+)'
    ),
]

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a value that must never appear in output (ignored when too short to matter)."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)
            # A PEM key can also leak line by line or as its base64 body.
            for line in value.splitlines():
                if len(line) >= 16 and not line.startswith("-----"):
                    _secrets.add(line)


def redact(text: str) -> str:
    """Return ``text`` with every known secret and secret-looking token replaced by MASK."""
    if not text:
        return text
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        if pattern.groups >= 2:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        else:
            text = pattern.sub(MASK, text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_filter(handler: logging.Handler) -> None:
    """Attach the filter to a handler (idempotent).

    Handler filters see records from every logger, child loggers included, which
    logger filters do not.
    """
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter())
