"""Run one ascsync command as a child process, with credentials wired and output redacted.

A child process (rather than calling click in-process) keeps each command's exit code,
stdout and stderr exactly what a user would see on a terminal, and lets the private key
reach ascsync only as a file path.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ascsync.api.redact import MASK
from ascsync.gha.inputs import PREFIX, ActionInputs
from ascsync.gha.workflow_files import without_commands

DROPPED_ENV = ("ASC_PRIVATE_KEY", "ASC_API_KEY_JSON", "GITHUB_TOKEN")
"""Variables the child must not see: the key arrives as a path instead, and the GitHub
token is only for the comment, which this process writes."""


@dataclass
class Result:
    """What an ascsync command printed and how it ended (all text already redacted)."""

    code: int
    stdout: str
    stderr: str


def child_env(
    base: Mapping[str, str], inputs: ActionInputs, key_path: Path | None
) -> dict[str, str]:
    """The environment for ascsync: the caller's, minus secrets, plus the credentials."""
    env = {k: v for k, v in base.items() if not k.startswith(PREFIX) and k not in DROPPED_ENV}
    if inputs.key_id:
        env["ASC_KEY_ID"] = inputs.key_id
    if inputs.issuer_id:
        env["ASC_ISSUER_ID"] = inputs.issuer_id
    if key_path is not None:
        env["ASC_PRIVATE_KEY_PATH"] = str(key_path)
    if inputs.api_url:
        env["ASCSYNC_API_URL"] = inputs.api_url
    env["NO_COLOR"] = "1"
    return env


TOKEN_SHAPES = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),  # a JWT
]


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` without the action's secrets, their lines, or anything shaped like a key/JWT.

    Narrower than :func:`ascsync.api.redact.redact` on purpose: ascsync already redacts its
    own output, and a plan that mentions "password: ..." in review notes must reach the
    PR comment intact.
    """
    for secret in secrets:
        pieces = [secret.strip(), *(ln.strip() for ln in secret.splitlines())]
        for piece in sorted(pieces, key=len, reverse=True):
            if len(piece) >= 8 and not piece.startswith("-----"):
                text = text.replace(piece, MASK)
    for shape in TOKEN_SHAPES:
        text = shape.sub(MASK, text)
    return text


def run_ascsync(
    args: list[str],
    env: Mapping[str, str],
    secrets: list[str],
    *,
    echo: TextIO | None = None,
    log: TextIO | None = None,
) -> Result:
    """Run ``ascsync <args>``; copy its redacted output to ``echo`` and ``log``.

    stdout and stderr are kept apart (a markdown plan is stdout, warnings are stderr);
    the log, meant for humans, gets both. ``echo`` is the runner's console, so what
    goes there is framed in ``stop-commands``: a plan quotes the repo's text, and a
    ``##[add-mask]`` or ``::warning::`` in it must be shown, not obeyed.
    """
    # Not `-m ascsync.cli`: that would load cli.py twice (as __main__ and as itself).
    # -I: the working directory is the listing repo; a folder named ascsync/ (or a module
    # named like any import) there must not be imported instead of the installed code.
    program = "from ascsync.cli import main; main()"
    command = [sys.executable, "-I", "-c", program, "--no-color", *args]
    completed = subprocess.run(
        command, env=dict(env), capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    result = Result(
        completed.returncode, scrub(completed.stdout, secrets), scrub(completed.stderr, secrets)
    )
    shown = f"$ ascsync {' '.join(args)}\n{result.stdout}{result.stderr}"
    shown = shown if shown.endswith("\n") else shown + "\n"
    if echo is not None:
        echo.write(without_commands(shown))
        echo.flush()
    if log is not None:
        log.write(shown)
        log.flush()
    return result
