"""The files and stdout commands through which a GitHub Actions step talks to the runner.

See GitHub's "Workflow commands" documentation: outputs and the job summary are files
whose paths come in ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY``; masking is a line
on stdout. Outside GitHub (those variables unset) writes are skipped, so the action's
entry point also runs on a laptop.

The runner obeys any stdout line that starts with ``::name::`` (after leading spaces),
and, in the legacy syntax, any line that merely *contains* ``##[name]`` (GitHub's
runner, ``ActionCommand.TryParse``). Text from the repo (names, values, file names) is
therefore never printed bare: :func:`without_commands` wraps it in ``stop-commands``,
and :func:`annotation` escapes what goes into an annotation's properties and message.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO


def mask(value: str, stream: TextIO | None = None) -> None:
    """Ask the runner to hide ``value`` in every later log line.

    Each line is masked on its own: a PEM key is many lines, and the runner matches one
    line at a time, so masking only the whole text would leave its lines visible.
    """
    out = stream or sys.stdout
    # Never the whole multi-line value: only the first line of a command is read, the
    # rest would be printed in clear.
    lines = dict.fromkeys(line.strip() for line in value.splitlines())
    for line in lines:
        if len(line) >= 4:  # masking "a" or "--" would star out half the log
            out.write(f"::add-mask::{line}\n")
    out.flush()


def write_output(name: str, value: str, env: Mapping[str, str] | None = None) -> None:
    """Append ``name=value`` to ``GITHUB_OUTPUT``, multi-line safe.

    Multi-line values use the heredoc form ``name<<DELIMITER``; the delimiter is random
    so a plan that happens to contain it cannot end the value early and inject outputs.
    """
    path = (env or os.environ).get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        if "\n" not in value and "\r" not in value:
            fh.write(f"{name}={value}\n")
            return
        delimiter = f"ascsync_{secrets.token_hex(16)}"
        while delimiter in value:  # practically never, but cheap to guarantee
            delimiter = f"ascsync_{secrets.token_hex(16)}"
        fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(markdown: str, env: Mapping[str, str] | None = None) -> None:
    """Add markdown to the job's summary page (``GITHUB_STEP_SUMMARY``)."""
    path = (env or os.environ).get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(markdown if markdown.endswith("\n") else markdown + "\n")


def read_event(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The webhook payload that triggered the run (``GITHUB_EVENT_PATH``), or ``{}``."""
    path = (env or os.environ).get("GITHUB_EVENT_PATH")
    if not path or not Path(path).is_file():
        return {}
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def escape_data(text: str) -> str:
    """A command's message: the runner reads one line, so line breaks are %-escaped
    (``%`` first, so the runner's unescaping gives back exactly ``text``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property value (``file=...``): ``,`` separates properties and ``:``
    ends them, so both are escaped too; a file name cannot add or cut a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(kind: str, message: str, file: str | None = None, line: int | None = None) -> str:
    """An ``::error``/``::warning``/``::notice`` command, on the right line of the diff."""
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line:
        props.append(f"line={int(line)}")
    prefix = f"::{kind} {','.join(props)}::" if props else f"::{kind}::"
    return prefix + escape_data(message)


def annotate_error(message: str, file: str | None = None, line: int | None = None) -> str:
    """An ``::error`` command, so a problem shows on the right line of the PR's diff."""
    return annotation("error", message, file, line)


def without_commands(text: str) -> str:
    """``text`` framed so the runner prints it but obeys no command inside it.

    ``::stop-commands::TOKEN`` pauses command processing until a line ``::TOKEN::``;
    the token is random per call, so the text cannot guess it and resume early.
    """
    token = f"ascsync-{secrets.token_hex(16)}"
    while token in text:  # practically never, but cheap to guarantee
        token = f"ascsync-{secrets.token_hex(16)}"
    body = text if text.endswith("\n") else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::\n"
