"""What the action does for each command, and its entry point ``python -m ascsync.gha``.

- ``validate``: problems become ``::error`` annotations on the right file and line.
- ``plan`` (pull requests): validate, then plan as markdown with ``--detailed-exitcode``
  (2: changes) and the HTML report; the plan goes to the job summary, to outputs, and to
  one sticky PR comment linking the report's artifact. Validation errors fail the check
  and are posted in the same comment, so the author sees why. Any other exit code, or a
  saved plan that is missing or unreadable, is a failure: an empty plan is never posted.
- ``apply`` (push to the default branch): apply with ``--auto-approve``, the whole
  output kept in a log file for the workflow to upload as an artifact.
- ``drift`` (schedule): ``drift=true|false`` and the markdown report as outputs, for a
  workflow step that opens or updates an issue.
- ``apps`` (many apps): the apps (those a change touches, with ``changed-since``) as a
  JSON list for a job matrix; each matrix job plans one app with ``comment: false``.
- ``assemble`` (many apps): one PR comment and one HTML report from the plan jobs'
  artifacts (``ascsync show`` merges their saved plans).

Every text that leaves this process goes through :func:`ascsync.gha.invoke.scrub`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ascsync.engine.render import md_code, md_fence, md_text
from ascsync.errors import AscsyncError
from ascsync.gha.inputs import ActionInputs, read_inputs, resolve_command
from ascsync.gha.invoke import Result, child_env, run_ascsync, scrub
from ascsync.gha.key_file import key_text, private_key_file
from ascsync.gha.pr_comment import CommentsApi, upsert_comment
from ascsync.gha.workflow_files import (
    annotate_error,
    annotation,
    append_summary,
    mask,
    read_event,
    write_output,
)

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
PR_EVENTS = ("pull_request", "pull_request_target")
PULL_REQUEST_TARGET_WARNING = (
    "ascsync runs on pull_request_target: such runs get the repository's secrets and a "
    "write token even for pull requests from forks. If this workflow checks out the pull "
    "request's files, anyone who opens one makes ascsync read YAML, templates and files "
    "they wrote while your App Store Connect key is loaded. Trigger on pull_request "
    "instead (forks then get no secrets: use sandbox: true or command: validate there); "
    "see 'Running ascsync safely in CI' in the docs."
)


@dataclass
class Step:
    """One run of the action: its inputs, the runner's environment, where to print."""

    inputs: ActionInputs
    env: Mapping[str, str]
    child: dict[str, str]
    out: TextIO
    log: TextIO
    secrets: list[str]

    def ascsync(self, *args: str, echo: bool = True) -> Result:
        """Run a command; its output goes to the log, and to the console unless ``echo``
        is off (validate's JSON: the console gets annotations instead)."""
        console = self.out if echo else None
        return run_ascsync(list(args), self.child, self.secrets, echo=console, log=self.log)

    def output(self, name: str, value: str) -> None:
        write_output(name, scrub(value, self.secrets), self.env)

    def summary(self, markdown: str) -> None:
        append_summary(scrub(markdown, self.secrets), self.env)

    def selection(self) -> list[str]:
        """``--app`` options and ``--sandbox``, shared by plan, apply and drift."""
        args = [arg for app in self.inputs.apps for arg in ("--app", app)]
        return args + (["--sandbox"] if self.inputs.sandbox else [])


def fenced(text: str) -> str:
    """``text`` in a code block that its own backticks cannot close."""
    return md_fence(text.rstrip())


# --- validate ---------------------------------------------------------------------------


def run_validation(step: Step) -> tuple[bool, str]:
    """Validate; annotate each problem; return (valid, markdown for summary/comment)."""
    result = step.ascsync("validate", step.inputs.repo, "--format", "json", echo=False)
    report = _json_or_none(result.stdout)
    if report is None:  # the repo could not even be read; ascsync said why on stderr
        message = (result.stderr or result.stdout).strip() or f"exit code {result.code}"
        step.out.write(annotate_error(message) + "\n")
        return False, f"### ascsync validate failed\n\n{fenced(message)}"
    problems = report.get("problems", [])
    for problem in problems:
        step.out.write(_annotation(step.inputs.repo, problem) + "\n")
    valid = bool(report.get("valid")) and result.code == EXIT_OK
    return valid, _problems_markdown(step.inputs.repo, valid, problems)


def _json_or_none(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _annotation(repo: str, problem: dict[str, Any]) -> str:
    file = os.path.normpath(os.path.join(repo, problem.get("file") or "."))
    message = f"{problem.get('field')}: {problem.get('message')}"
    if problem.get("valid"):
        message += f" ({problem['valid']})"
    kind = "warning" if problem.get("severity") == "warning" else "error"
    line = problem.get("line")
    return annotation(kind, message, file, line if isinstance(line, int) else None)


def _problems_markdown(repo: str, valid: bool, problems: list[dict[str, Any]]) -> str:
    """The problems as a table; file names, fields and messages quote the repo, so each is
    escaped (a pipe would end a cell, ``<!--`` would hide the rest of the comment)."""
    title = "passed" if valid else "failed"
    lines = [f"### ascsync validate {title} ({md_code(repo)})", ""]
    if problems:
        lines += ["| | where | field | problem |", "|---|---|---|---|"]
        for p in problems:
            icon = "⚠️" if p.get("severity") == "warning" else "❌"
            what = str(p.get("message", ""))
            if p.get("valid"):
                what += f" ({p['valid']})"
            where = md_code(f"{p.get('file')}:{p.get('line')}", in_table=True)
            field = md_code(p.get("field"), in_table=True)
            lines.append(f"| {icon} | {where} | {field} | {md_text(what)} |")
    return "\n".join(lines) + "\n"


def validate_step(step: Step) -> int:
    valid, markdown = run_validation(step)
    step.output("valid", str(valid).lower())
    step.summary(markdown)
    return EXIT_OK if valid else EXIT_ERROR


# --- plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFiles:
    """What a plan step leaves for the workflow (uploaded as the report artifact)."""

    plan_json: Path
    report: Path
    markdown: Path

    @classmethod
    def of(cls, step: Step) -> PlanFiles:
        folder = Path(log_dir(step.inputs, step.env))
        repo = step.inputs.repo
        return cls(
            folder / file_name(repo, "plan", "json"),
            folder / file_name(repo, "report", "html"),
            folder / file_name(repo, "plan", "md"),
        )

    def existing(self) -> list[Path]:
        return [p for p in (self.plan_json, self.report, self.markdown) if p.is_file()]


def plan_step(step: Step) -> int:
    """Validate and plan; publish the plan to the summary, outputs and the PR comment."""
    files = PlanFiles.of(step)
    for stale in files.existing():
        stale.unlink()  # a file of an earlier run must not pass for this one's
    valid, problems_md = run_validation(step)
    step.output("valid", str(valid).lower())
    if not valid:
        return plan_failed(step, files, problems_md)
    result = step.ascsync(
        "plan", step.inputs.repo, "--format", "markdown", "--detailed-exitcode",
        "--out", str(files.plan_json), "--html", str(files.report),
        *step.selection(), *step.inputs.extra_args,
    )  # fmt: skip
    saved = _json_or_none(_read(files.plan_json))
    if result.code not in (EXIT_OK, EXIT_CHANGES) or saved is None:
        message = (result.stderr or result.stdout).strip() or f"exit code {result.code}"
        if saved is None and result.code in (EXIT_OK, EXIT_CHANGES):
            message = f"ascsync plan wrote no readable plan file ({files.plan_json})\n{message}"
        step.out.write(annotate_error(f"ascsync plan failed: {message}") + "\n")
        markdown = f"### ascsync plan failed ({md_code(step.inputs.repo)})\n\n{fenced(message)}"
        return plan_failed(step, files, markdown)
    changes = bool(saved.get("changes"))
    step.output("changes", str(changes).lower())
    step.output("plan", result.stdout)
    step.output("plan-json", str(files.plan_json))
    step.output("report-path", str(files.report) if files.report.is_file() else "")
    files.markdown.write_text(result.stdout, encoding="utf-8")
    step.output("report-files", "\n".join(str(p) for p in files.existing()))
    step.summary(result.stdout)
    publish_comment(step, with_report_link(step, result.stdout))
    return EXIT_OK


def plan_failed(step: Step, files: PlanFiles, markdown: str) -> int:
    """Say why on the summary, the comment, and in the artifact (for ``assemble``)."""
    files.markdown.write_text(markdown, encoding="utf-8")
    step.output("report-files", "\n".join(str(p) for p in files.existing()))
    step.summary(markdown)
    publish_comment(step, markdown)
    return EXIT_ERROR


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def run_url(env: Mapping[str, str]) -> str | None:
    """The workflow run's page, where its artifacts are listed."""
    repository, run_id = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if not (repository and run_id):
        return None
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    return f"{server}/{repository}/actions/runs/{run_id}"


def with_report_link(step: Step, markdown: str) -> str:
    """The plan with a line under its heading pointing at the HTML report's artifact."""
    url = run_url(step.env)
    name = md_code(step.inputs.report_artifact)
    where = f"from [this workflow run]({url}#artifacts)" if url else "of this workflow run"
    link = f"🖼️ **Visual report** (texts and screenshots before and after): artifact {name} {where}."
    head, _, rest = markdown.partition("\n")
    return f"{head}\n\n{link}\n{rest}"


def publish_comment(step: Step, markdown: str) -> None:
    """Create or update the sticky PR comment, when on a pull request with a token."""
    event = read_event(step.env)
    number = (event.get("pull_request") or {}).get("number") or event.get("number")
    on_pr = step.env.get("GITHUB_EVENT_NAME") in PR_EVENTS and number
    if not (on_pr and step.inputs.comment):
        return
    if not step.inputs.github_token:
        step.out.write("::notice::no github-token input, so the plan is not commented\n")
        return
    api = CommentsApi(
        step.env.get("GITHUB_API_URL", "https://api.github.com"),
        step.inputs.github_token,
        step.env.get("GITHUB_REPOSITORY", ""),
        step.env.get("GITHUB_GRAPHQL_URL") or None,
    )
    what = upsert_comment(api, int(str(number)), step.inputs.repo, scrub(markdown, step.secrets))
    step.out.write(f"ascsync: plan comment {what} on #{number}\n")
    step.output("comment", what)


# --- apply and drift --------------------------------------------------------------------


def apply_step(step: Step) -> int:
    """Apply without a prompt; the log file (output ``log-path``) keeps every line."""
    result = step.ascsync(
        "apply", step.inputs.repo, "--auto-approve", *step.selection(), *step.inputs.extra_args
    )
    status = "succeeded" if result.code == EXIT_OK else f"failed (exit {result.code})"
    step.summary(
        f"### ascsync apply {status} ({md_code(step.inputs.repo)})\n\n"
        f"{fenced(result.stdout + result.stderr)}"
    )
    if result.code != EXIT_OK:
        step.out.write(annotate_error(f"ascsync apply {status}; see the log artifact") + "\n")
    return EXIT_OK if result.code == EXIT_OK else EXIT_ERROR


def drift_step(step: Step) -> int:
    """Audit drift; ``drift`` and ``markdown`` outputs feed an issue-opening step."""
    result = step.ascsync(
        "drift", step.inputs.repo, "--format", "markdown", "--detailed-exitcode",
        *step.selection(), *step.inputs.extra_args,
    )  # fmt: skip
    if result.code not in (EXIT_OK, EXIT_CHANGES) or not result.stdout.startswith("### "):
        message = (result.stderr or result.stdout).strip() or f"exit code {result.code}"
        step.out.write(annotate_error(f"ascsync drift failed: {message}") + "\n")
        title = f"### ascsync drift failed ({md_code(step.inputs.repo)})"
        step.summary(f"{title}\n\n{fenced(message)}")
        return EXIT_ERROR
    step.output("drift", str(result.code == EXIT_CHANGES).lower())
    step.output("markdown", result.stdout)
    step.summary(result.stdout)
    return EXIT_OK


# --- many apps: the matrix and the assembly -----------------------------------------------


def apps_step(step: Step) -> int:
    """The apps (optionally those a change touches) as a JSON list for ``strategy.matrix``."""
    since = ["--changed-since", step.inputs.changed_since] if step.inputs.changed_since else []
    result = step.ascsync("apps", step.inputs.repo, "--format", "json", *since, echo=False)
    listing = _json_or_none(result.stdout)
    names = listing.get("names") if listing else None
    if result.code != EXIT_OK or not isinstance(names, list):
        message = (result.stderr or result.stdout).strip() or f"exit code {result.code}"
        step.out.write(annotate_error(f"ascsync apps failed: {message}") + "\n")
        step.summary(f"### ascsync apps failed ({md_code(step.inputs.repo)})\n\n{fenced(message)}")
        return EXIT_ERROR
    step.out.write(f"ascsync: {len(names)} app(s): {', '.join(map(str, names)) or 'none'}\n")
    step.output("apps", json.dumps(names))
    step.output("count", str(len(names)))
    return EXIT_OK


def plan_artifacts(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The saved plans under ``folder``, and the failure notes of jobs that made none.

    A plan job leaves ``ascsync-plan*.json`` (the saved plan) beside its markdown; a job
    that failed leaves only the markdown saying why.
    """
    plans, failures = [], []
    for markdown in sorted(folder.rglob("ascsync-plan*.md")):
        saved = markdown.with_suffix(".json")
        if saved.is_file():
            plans.append(saved)
        else:
            failures.append((markdown, _read(markdown)))
    return plans, failures


def assemble_step(step: Step) -> int:
    """One PR comment and one HTML report from the plan jobs' downloaded artifacts."""
    folder = Path(step.inputs.plans or ".")
    if not folder.is_dir():
        step.out.write(annotate_error(f"input plans: {folder} is not a folder") + "\n")
        return EXIT_ERROR
    plans, failures = plan_artifacts(folder)
    if not plans and not failures:
        message = f"no plan job left its files under {folder} (were the artifacts downloaded?)"
        step.out.write(annotate_error(message) + "\n")
        step.summary(f"### ascsync plan: nothing to assemble\n\n{md_text(message)}\n")
        return EXIT_ERROR
    report = Path(log_dir(step.inputs, step.env)) / file_name(step.inputs.repo, "report", "html")
    parts = [_failures_markdown(folder, failures)] if failures else []
    code = EXIT_ERROR if failures else EXIT_OK
    if plans:
        shown = _show(step, plans, "markdown")
        html = _show(step, plans, "html", "--out", str(report), "--repo", step.inputs.repo)
        if shown.code != EXIT_OK or html.code != EXIT_OK:
            message = (shown.stderr or html.stderr).strip()
            step.out.write(annotate_error(f"ascsync show failed: {message}") + "\n")
            parts.append(f"### ascsync plan could not be assembled\n\n{fenced(message)}")
            code = EXIT_ERROR
        else:
            parts.append(with_report_link(step, shown.stdout))
            step.output("plan", shown.stdout)
            step.output("changes", str(_has_changes(plans)).lower())
    markdown = "\n".join(parts)
    step.output("report-path", str(report) if report.is_file() else "")
    step.output("report-files", str(report) if report.is_file() else "")
    step.summary(markdown)
    publish_comment(step, markdown)
    return code


def _show(step: Step, plans: Sequence[Path], fmt: str, *more: str) -> Result:
    return step.ascsync("show", *map(str, plans), "--format", fmt, *more, echo=fmt != "markdown")


def _has_changes(plans: list[Path]) -> bool:
    return any((_json_or_none(_read(p)) or {}).get("changes") for p in plans)


def _failures_markdown(folder: Path, failures: list[tuple[Path, str]]) -> str:
    """Each failed job's reason once (a repo-wide validation error fails every job alike)."""
    by_text: dict[str, list[str]] = {}
    for path, text in failures:
        job = path.parent.relative_to(folder).as_posix() if path.parent != folder else path.stem
        by_text.setdefault(text.strip(), []).append(job)
    lines = [
        f"> [!CAUTION]\n> {len(failures)} plan job(s) failed; their apps are not planned below.\n"
    ]
    for text, jobs in by_text.items():
        lines.append(f"From {', '.join(md_code(j) for j in jobs)}:\n\n{text}\n")
    return "\n".join(lines)


STEPS: dict[str, Callable[[Step], int]] = {
    "validate": validate_step,
    "plan": plan_step,
    "apply": apply_step,
    "drift": drift_step,
    "apps": apps_step,
    "assemble": assemble_step,
}


# --- entry point ------------------------------------------------------------------------


def log_dir(inputs: ActionInputs, env: Mapping[str, str]) -> str:
    """Where logs and the saved plan go: the input, else the runner's temp folder."""
    folder = inputs.log_dir or env.get("RUNNER_TEMP") or tempfile.gettempdir()
    Path(folder).mkdir(parents=True, exist_ok=True)
    return folder


def file_name(repo: str, command: str, extension: str) -> str:
    """``ascsync-plan.log``, or ``ascsync-plan-ios-app.log`` for repo ``ios/app``: two
    ascsync repos run in one job keep their files apart."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", os.path.normpath(repo)).strip("-")
    return f"ascsync-{command}{'-' + slug if slug else ''}.{extension}"


@contextlib.contextmanager
def key_path(inputs: ActionInputs) -> Iterator[Path | None]:
    """The key as a temp file for the duration of the run, or None without a key."""
    if not inputs.private_key:
        yield None
        return
    with private_key_file(inputs.private_key) as path:
        yield path


def run(env: Mapping[str, str], out: TextIO) -> int:
    """Run the action once; return the step's exit code."""
    inputs = read_inputs(env)
    secrets = list(inputs.secrets)
    if inputs.private_key:
        secrets.append(key_text(inputs.private_key))  # the PEM inside a base64 secret
    for secret in secrets:
        mask(secret, out)
    event_name = env.get("GITHUB_EVENT_NAME", "")
    if event_name == "pull_request_target":
        out.write(annotation("warning", PULL_REQUEST_TARGET_WARNING) + "\n")
    command = resolve_command(inputs, event_name, read_event(env))
    if event_name == "push" and inputs.command == "auto" and command != "apply":
        out.write("::notice::not the default branch: planning instead of applying\n")
    write_output("command", command, env)
    log_path = Path(log_dir(inputs, env)) / file_name(inputs.repo, command, "log")
    write_output("log-path", str(log_path), env)
    with key_path(inputs) as key, open(log_path, "w", encoding="utf-8") as log:
        step = Step(inputs, env, child_env(env, inputs, key), out, log, secrets)
        return STEPS[command](step)


def main(env: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    """``python -m ascsync.gha``: errors are one annotated line, never a traceback."""
    env = os.environ if env is None else env
    out = out or sys.stdout
    try:
        return run(env, out)
    except AscsyncError as exc:
        names = ("ASCSYNC_ACTION_PRIVATE_KEY", "ASCSYNC_ACTION_GITHUB_TOKEN")
        secrets = [env[n] for n in names if env.get(n)]
        out.write(annotate_error(scrub(str(exc), secrets)) + "\n")
        return EXIT_ERROR
