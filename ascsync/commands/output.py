"""The ``--format json`` documents of apply, pull, whoami and import.

Each is one JSON object on stdout, versioned like the plan's (``docs/plan-format.md``):
``schema_version`` changes only when a key is removed or changes meaning (new keys
may appear), and ``command`` names the command that wrote it. Everything meant for a
person (progress, the plan as text, notes) goes to stderr then, so stdout stays
parseable.
"""

from __future__ import annotations

import json
from typing import Any

import click

SCHEMA_VERSION = 1
FORMATS = ("text", "json")


def format_option() -> Any:
    """``--format text|json`` (text by default)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="json: one versioned JSON document on stdout (docs/plan-format.md).",
    )


def document(command: str, **fields: Any) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "command": command, **fields}


def emit(command: str, **fields: Any) -> None:
    """Print the command's JSON document."""
    click.echo(json.dumps(document(command, **fields), indent=2, ensure_ascii=False))


__all__ = ["FORMATS", "SCHEMA_VERSION", "document", "emit", "format_option"]
