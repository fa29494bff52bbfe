"""Trust tests: a small repo, a sandbox that matches it, and the CLI as a user runs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from ascsync.cli import cli
from ascsync.sandbox import Sandbox
from tests.plan.conftest import repo, seed  # noqa: F401  (fixtures)


def run(sandbox: Sandbox, *args: str, env: dict[str, str] | None = None) -> Result:
    """``ascsync --api-url <sandbox> ...`` with the sandbox's key, as a user would."""
    return CliRunner().invoke(
        cli,
        ["--no-color", "--api-url", sandbox.url, "--api-key-json", str(sandbox.api_key_json_path)]
        + list(args),
        env=env,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def outputs(*results: Result) -> str:
    return "\n".join(r.output for r in results)


Seed = dict[str, Any]
