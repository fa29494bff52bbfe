"""The action's inputs, as ``action.yml`` hands them over in ``ASCSYNC_ACTION_*`` variables.

Composite actions do not export their inputs to scripts, so ``action.yml`` maps each one
to an environment variable explicitly; this module is the single place that reads them.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ascsync.errors import AscsyncError

PREFIX = "ASCSYNC_ACTION_"
COMMANDS = ("auto", "validate", "plan", "apply", "drift", "apps", "assemble")
EVENT_COMMANDS = {
    "pull_request": "plan",
    "pull_request_target": "plan",
    "push": "apply",
    "schedule": "drift",
}
"""What ``command: auto`` runs for each trigger; any other trigger plans."""


class InputError(AscsyncError):
    """An action input has a value the action cannot use."""


@dataclass
class ActionInputs:
    """Everything the action was asked to do; secrets are kept out of ``repr``."""

    command: str = "auto"
    repo: str = "."
    apps: list[str] = field(default_factory=list)
    sandbox: bool = False
    extra_args: list[str] = field(default_factory=list)
    api_url: str = ""
    key_id: str = ""
    issuer_id: str = ""
    private_key: str = field(default="", repr=False)
    github_token: str = field(default="", repr=False)
    comment: bool = True
    log_dir: str = ""
    changed_since: str = ""
    """``apps``: list only the apps whose files differ from this git ref."""
    plans: str = ""
    """``assemble``: the folder holding the plan jobs' downloaded artifacts."""
    report_artifact: str = "ascsync-plan-report"
    """Name of the artifact the HTML report is uploaded as (named in the PR comment)."""

    @property
    def secrets(self) -> list[str]:
        """Values that must never appear in a log, output, summary or comment."""
        return [s for s in (self.private_key, self.github_token) if s]


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("", "false", "0", "no", "off"):
        return False
    if lowered in ("true", "1", "yes", "on"):
        return True
    raise InputError(f"input {name}: {value!r} is not a boolean (valid: true, false)")


def read_inputs(env: Mapping[str, str]) -> ActionInputs:
    """Parse the ``ASCSYNC_ACTION_*`` variables, with a clear message for bad values."""

    def get(name: str) -> str:
        return env.get(PREFIX + name.upper().replace("-", "_"), "").strip()

    command = get("command") or "auto"
    if command not in COMMANDS:
        raise InputError(f"input command: {command!r} is not one of {', '.join(COMMANDS)}")
    try:
        extra = shlex.split(get("args"))
    except ValueError as exc:
        raise InputError(f"input args: cannot split {get('args')!r} ({exc})") from None
    apps = [a for a in get("app").replace(",", " ").split() if a]
    return ActionInputs(
        command=command,
        repo=get("repo") or ".",
        apps=apps,
        sandbox=_flag("sandbox", get("sandbox")),
        extra_args=extra,
        api_url=get("api-url"),
        key_id=get("key-id"),
        issuer_id=get("issuer-id"),
        # The key keeps its inner newlines; only the ends are trimmed.
        private_key=env.get(PREFIX + "PRIVATE_KEY", "").strip(),
        github_token=get("github-token"),
        comment=_flag("comment", get("comment") or "true"),
        log_dir=get("log-dir"),
        changed_since=get("changed-since"),
        plans=get("plans"),
        report_artifact=get("report-artifact") or "ascsync-plan-report",
    )


def resolve_command(inputs: ActionInputs, event_name: str, event: Mapping[str, Any]) -> str:
    """The command to run: the explicit input, or the one that fits the trigger.

    ``auto`` applies only for a push to the repository's default branch: a workflow that
    also triggers on pushes to feature branches must not publish them, so those plan.
    """
    if inputs.command != "auto":
        return inputs.command
    command = EVENT_COMMANDS.get(event_name, "plan")
    if command == "apply" and not pushed_to_default_branch(event):
        return "plan"
    return command


def pushed_to_default_branch(event: Mapping[str, Any]) -> bool:
    """True when a push event's ref is the default branch named in its payload."""
    default = (event.get("repository") or {}).get("default_branch")
    return bool(default) and event.get("ref") == f"refs/heads/{default}"
