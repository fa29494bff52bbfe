"""Exceptions every part of ascsync raises.

The CLI turns any :class:`AscsyncError` into a one-line message and a non-zero exit,
never a traceback, so each subclass must carry a message a user can act on.
"""

from __future__ import annotations


class AscsyncError(Exception):
    """Base class: an error the user can fix; printed as one line by the CLI."""

    exit_code = 1


class ConfigError(AscsyncError):
    """Bad options, environment or files given to ascsync (credentials included)."""


class CredentialsError(ConfigError):
    """Credentials are missing, incomplete or unreadable."""
