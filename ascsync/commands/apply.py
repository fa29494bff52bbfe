"""``ascsync apply``: compute a fresh plan (or check a saved one), confirm, carry it out.

Safety rules, in the order they are checked:

1. The repo must validate with every secret available (``!env`` values set).
2. A saved plan (``ascsync apply plan.json``) is refused when App Store Connect changed
   since it was made (fingerprint) or the repo now plans something else.
3. Deletions beyond ``--max-delete-percent`` of a type's live resources (when it has at
   least 10, as octoDNS does) need ``--allow-delete``; every type any resource kind can
   delete is counted (:mod:`ascsync.engine.safety`).
4. Nothing is sent before the plan was shown and confirmed (``--auto-approve`` in CI;
   without a terminal, apply refuses to prompt).
5. One apply at a time per repo (:mod:`ascsync.io.apply_lock`); a second one refuses,
   naming the holder.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from ascsync.api.client import ApiClient
from ascsync.cli import Settings
from ascsync.commands import output, submission
from ascsync.commands.plan import (
    EXIT_ERROR,
    PlanRun,
    api_client,
    load_valid_repo,
    run_plan,
    sandbox_option,
    selected_apps,
    target_option,
)
from ascsync.commands.saved_plan import check_same_targets, check_saved_plan, load_plan
from ascsync.commands.targets import narrow, notice
from ascsync.engine.carry_out import all_changes, carry_out
from ascsync.engine.executor import Outcome, Report
from ascsync.engine.live import fetch_app
from ascsync.engine.plan import Action, Change, Plan
from ascsync.engine.render import render_text
from ascsync.engine.safety import Refused, check_deletions, check_whole_deletions, live_counts
from ascsync.engine.uploads import UploadSettings
from ascsync.errors import AscsyncError
from ascsync.io.apply_lock import apply_lock
from ascsync.io.checksums import CACHE_DIR
from ascsync.kinds.registry import KINDS, kinds_for
from ascsync.kinds.version import VERSION, VersionState, version_string


def confirm(auto_approve: bool, *, err: bool = False) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise Refused(
            "refusing to prompt without a terminal; review the plan and pass "
            "--auto-approve to apply it non-interactively"
        )
    if not click.confirm("Apply these changes to App Store Connect?", default=False, err=err):
        raise Refused("nothing was changed")


def execute(
    run: PlanRun,
    client: ApiClient,
    *,
    concurrency: int,
    uploads: UploadSettings,
    echo: Callable[[str], None] = click.echo,
) -> Report:
    """Compile and run every change of the plan; one line per finished change."""
    changes = all_changes(run.plan)
    total = len(changes)
    counter = iter(range(1, total + 1))

    sizes = upload_sizes(changes, run.checksums.root)
    total_bytes = sum(sizes.values())
    sent = [0]
    started = time.monotonic()

    def report_line(outcome: Outcome) -> None:
        done = next(counter)
        elapsed = time.monotonic() - started
        left = elapsed / done * (total - done)
        size = sizes.get(outcome.change.address, 0)
        sent[0] += size
        volume = f", {_size(sent[0])} of {_size(total_bytes)}" if total_bytes else ""
        mark = {"applied": "ok", "failed": "FAILED", "skipped": "skipped"}[outcome.status]
        line = (
            f"[{done}/{total}{volume}, ~{left:.0f} s left] {mark:7} "
            f"{outcome.change.action.value:8} {outcome.change.address} "
            f"({outcome.seconds:.1f} s{f', {_size(size)}' if size else ''})"
        )
        echo(line + (f"\n          {outcome.error}" if outcome.error else ""))

    return carry_out(
        changes,
        run.parts,
        client,
        KINDS,
        checksum=run.checksums.md5,
        uploads=uploads,
        concurrency=concurrency,
        on_outcome=report_line,
    )


def upload_sizes(changes: list[Change], root: Path) -> dict[str, int]:
    """Bytes each upload sends (its source is the file's path in the repo)."""
    sizes = {}
    for change in changes:
        if change.action in (Action.UPLOAD, Action.REPLACE) and change.source:
            path = root / change.source
            if path.is_file():
                sizes[change.address] = path.stat().st_size
    return sizes


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size // 1000} KB"


def summary(report: Report) -> str:
    applied, failed, skipped = (len(report.by_status(s)) for s in ("applied", "failed", "skipped"))
    lines = [f"Apply: {applied} applied, {failed} failed, {skipped} skipped."]
    for outcome in report.by_status("failed"):
        where = f" ({outcome.change.source})" if outcome.change.source else ""
        lines.append(f"  failed: {outcome.change.address}{where}: {outcome.error}")
    if failed or skipped:
        lines.append("Run apply again once the cause is fixed: it only does what is missing.")
    return "\n".join(lines)


def outcome_json(outcome: Outcome) -> dict[str, object]:
    return {
        "address": outcome.change.address,
        "action": outcome.change.action.value,
        "status": outcome.status,
        "error": outcome.error,
        "seconds": round(outcome.seconds, 3),
    }


def apply_json(plan: Plan, report: Report, submitted: list[dict[str, str]]) -> dict[str, object]:
    """apply's ``--format json`` fields: the plan it carried out and what became of each
    change (``applied``, ``failed`` or ``skipped``, with the error)."""
    return {
        "plan": plan.to_json(),
        "ok": report.ok,
        "summary": {s: len(report.by_status(s)) for s in ("applied", "failed", "skipped")},
        "outcomes": [outcome_json(o) for o in report.outcomes],
        "submitted": submitted,
    }


@click.command()
@click.argument(
    "target",
    metavar="[REPO_OR_PLAN]",
    type=click.Path(exists=True, path_type=Path),
    default=".",
)
@sandbox_option("Apply to")
@click.option("--app", "apps", multiple=True, help="Only this app folder (repeatable).")
@target_option("apply")
@output.format_option()
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (CI).")
@click.option(
    "--allow-delete",
    is_flag=True,
    help="Allow deletions beyond the threshold, and of whole things without a prompt.",
)
@click.option(
    "--max-delete-percent",
    type=click.FloatRange(0, 100),
    default=10.0,
    show_default=True,
    help="Deletion threshold per kind of resource.",
)
@click.option("--concurrency", type=click.IntRange(1, 32), default=8, show_default=True)
@click.option(
    "--upload-timeout",
    type=click.FloatRange(1),
    default=300.0,
    show_default=True,
    help="Seconds to wait for Apple to process each upload.",
)
@click.option(
    "--submit-for-review",
    is_flag=True,
    help="After a successful apply, submit the version to App Review.",
)
@click.pass_obj
def apply_command(
    settings: Settings,
    target: Path,
    sandbox: bool,
    sandbox_start: str,
    apps: tuple[str, ...],
    targets: tuple[str, ...],
    fmt: str,
    auto_approve: bool,
    allow_delete: bool,
    max_delete_percent: float,
    concurrency: int,
    upload_timeout: float,
    submit_for_review: bool,
) -> None:
    """Make App Store Connect match the repo (or apply a saved plan.json)."""
    as_json = fmt == "json"
    say = _echo(err=as_json)
    saved = None
    if target.is_file():
        saved = load_plan(target)
        check_same_targets(saved, targets)
        target, apps, targets = saved.repo, apps or saved.apps, saved.targets
    desired = load_valid_repo(target, need_secrets=True)
    read = selected_apps(apps, targets, desired)
    submitted: list[dict[str, str]] = []
    with (
        apply_lock(target, CACHE_DIR, " ".join(["ascsync", *sys.argv[1:]]), say=_say),
        api_client(settings, target, sandbox, desired, sandbox_start) as client,
    ):
        run = run_plan(client, desired, read, concurrency)
        run.plan = narrow(run.plan, targets)
        if saved is not None:
            check_saved_plan(saved, run.plan)
        if targets:
            click.echo(notice(targets), err=True)
        say(render_text(run.plan, color=settings.color and not as_json).rstrip("\n"))
        if run.plan.refused:
            raise Refused(
                f"App Store Connect would refuse {len(run.plan.refused)} change(s) of this "
                "plan (listed above: it answers 409 to them); nothing was changed. Fix the repo "
                "and run apply again."
            )
        report = Report()
        if run.plan.has_changes:
            if not allow_delete:
                counts = live_counts(KINDS, [live for _, live in run.parts])
                check_deletions(run.plan, counts, max_delete_percent)
                if auto_approve:  # nobody confirms after reading the plan
                    check_whole_deletions(run.plan, KINDS)
            confirm(auto_approve, err=as_json)
            report = execute(
                run,
                client,
                concurrency=concurrency,
                uploads=UploadSettings(timeout=upload_timeout),
                echo=say,
            )
            run.checksums.save()
            say(summary(report))
        if report.ok and submit_for_review:
            if not run.plan.has_changes:
                confirm(auto_approve, err=as_json)
            submitted = submit_versions(client, run, echo=say)
    if as_json:
        output.emit("apply", **apply_json(run.plan, report, submitted))
    if not report.ok:
        raise SystemExit(EXIT_ERROR)


def _say(line: str) -> None:
    click.echo(line, err=True)


def _echo(*, err: bool) -> Callable[[str], None]:
    """Lines for a person: stdout, or stderr when stdout carries the JSON document."""
    return lambda line: click.echo(line, err=err)


def submit_versions(
    client: ApiClient, run: PlanRun, echo: Callable[[str], None] = click.echo
) -> list[dict[str, str]]:
    """Submit each applied app's version (looked up again when this apply created it)."""
    submitted = []
    for desired, live in run.parts:
        state = VERSION.state(live) or VersionState()
        if state.version_id is None:  # created by this apply: look it up again
            live_now = fetch_app(client, desired, kinds_for(desired), concurrency=4)
            state = VERSION.state(live_now) or state
        if state.version_id is None:
            raise AscsyncError(f"{desired.address}: no version {version_string(desired)} to submit")
        platform = str(desired.record.get("platform") or "IOS")
        review = submission.submit_for_review(client, live.app_id, state.version_id, platform)
        echo(
            f"{desired.address}: version {version_string(desired)} submitted for review "
            f"(review submission {review})"
        )
        submitted.append(
            {
                "app": desired.name,
                "version": str(version_string(desired)),
                "review_submission": review,
            }
        )
    return submitted
