"""``ascsync plan``: validate the repo, read App Store Connect, print what would change.

Exit codes follow Terraform: 0 success, 1 error (including validation errors, printed
before any request is sent, and usage errors). With ``--detailed-exitcode``: 0 no
changes, 2 changes present, 1 error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.cli import Settings
from ascsync.commands.report import galleries, media_refs, write_html
from ascsync.commands.saved_plan import save_plan
from ascsync.commands.targets import check_targets, narrow, notice
from ascsync.commands.whoami import open_client
from ascsync.desired.model import App, DesiredRepo
from ascsync.engine.live import LiveApp, fetch_app, snapshot
from ascsync.engine.plan import Plan, fingerprint
from ascsync.engine.planner import plan_app
from ascsync.engine.render import render_json, render_markdown, render_text
from ascsync.errors import AscsyncError
from ascsync.io.checksums import CACHE_DIR, ChecksumCache
from ascsync.kinds.registry import KINDS, validate_repo
from ascsync.problems import Severity

SANDBOX_STATE = "sandbox-state.json"
"""With ``--sandbox``, the sandbox's state lives in the repo's cache folder, so a plan,
an apply and another plan see one evolving App Store Connect."""

EXIT_NO_CHANGES, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


class ValidationFailed(AscsyncError):
    """The repo has errors; nothing was sent to App Store Connect."""


def load_valid_repo(root: Path, *, need_secrets: bool) -> DesiredRepo:
    """The repo, or the list of its errors (warnings go to stderr too, but do not stop).

    This is ``ascsync validate``'s whole validation, every rule of every kind: a repo
    that ``validate`` rejects is never planned, applied or compared.
    """
    report = validate_repo(root, need_secrets=need_secrets)
    for problem in report.errors + report.warnings:
        label = "error" if problem.severity is Severity.ERROR else "warning"
        click.echo(f"{label}: {problem.format(root)}", err=True)
    if report.errors or report.repo is None:
        raise ValidationFailed(
            f"{len(report.errors)} error(s) in {root}; fix them first "
            f"(`ascsync validate {root}`); nothing was sent to App Store Connect"
        )
    return report.repo


@contextlib.contextmanager
def api_client(settings: Settings, root: Path, sandbox: bool) -> Iterator[ApiClient]:
    """A client for App Store Connect, or for a built-in sandbox seeded with the demo app."""
    if not sandbox:
        yield open_client(settings)
        return
    from ascsync.io.safe_write import target
    from ascsync.sandbox import Sandbox  # the server code loads only when asked for

    state = root / CACHE_DIR / SANDBOX_STATE
    target(root, state, "the sandbox state")  # a .ascsync symlink must not move it out
    state.parent.mkdir(parents=True, exist_ok=True)
    target(root, state, "the sandbox state")
    with Sandbox(seed="demo", state_file=state) as running:
        tokens = TokenProvider(running.key_id, running.private_key_pem, running.issuer_id)
        yield ApiClient(running.url, tokens, retry=settings.retry_policy())


@dataclass
class PlanRun:
    """A plan and what it was computed from, which apply needs to carry it out."""

    plan: Plan
    parts: list[tuple[App, LiveApp]]
    checksums: ChecksumCache


def compute_plan(
    client: ApiClient, repo: DesiredRepo, apps: tuple[str, ...], concurrency: int
) -> Plan:
    """Read live state for each selected app and diff it with the repo."""
    return run_plan(client, repo, apps, concurrency).plan


def run_plan(
    client: ApiClient, repo: DesiredRepo, apps: tuple[str, ...], concurrency: int
) -> PlanRun:
    """:func:`compute_plan`, keeping the live states and the checksum cache for apply."""
    selected = [a for name, a in repo.apps.items() if not apps or name in apps]
    if apps and len(selected) != len(apps):
        unknown = sorted(set(apps) - set(repo.apps))
        raise AscsyncError(
            f"no app folder named {', '.join(unknown)} under {repo.root}/apps "
            f"(known: {', '.join(sorted(repo.apps)) or 'none'})"
        )
    cache = ChecksumCache(repo.root)
    run = PlanRun(Plan(), [], cache)
    snapshots = []
    for app in selected:
        live = fetch_app(client, app, KINDS, concurrency=concurrency)
        snapshots.append(snapshot(live, KINDS))
        part = plan_app(app, live, KINDS, root=repo.root, checksum=cache.md5)
        run.plan.changes += part.changes
        run.plan.locked += part.locked
        run.plan.unsupported += part.unsupported
        run.parts.append((app, live))
    cache.save()
    run.plan.requests = client.request_count
    run.plan.fingerprint = fingerprint(snapshots)
    return run


def detailed_exitcode_option(what: str) -> Callable[[F], F]:
    """``--detailed-exitcode``, shared by plan and drift (Terraform's ``-detailed-exitcode``)."""
    return click.option(
        "--detailed-exitcode",
        is_flag=True,
        help=f"Exit 2 when there are {what} (0 none, 1 error); without it, 0 means success.",
    )


def target_option(verb: str) -> Callable[[F], F]:
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="ADDRESS",
        help=(
            f"Only {verb} changes under this address, e.g. "
            "app[x].version[2.4.0].locale[de-DE] (repeatable; what they depend on is "
            "included)."
        ),
    )


def selected_apps(
    apps: tuple[str, ...], targets: tuple[str, ...], repo: DesiredRepo
) -> tuple[str, ...]:
    """The apps to read: ``--app`` ones, narrowed to those the targets name."""
    named = check_targets(targets, repo)
    if not targets:
        return apps
    outside = [name for name in named if apps and name not in apps]
    if outside:
        raise AscsyncError(
            f"--target names app[{outside[0]}], which --app {' '.join(apps)} leaves out"
        )
    return named


@click.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@click.option(
    "--sandbox",
    is_flag=True,
    help="Plan against the built-in sandbox (demo live state), no credentials needed.",
)
@click.option("--app", "apps", multiple=True, help="Only this app folder (repeatable).")
@target_option("plan")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan as JSON, with the fingerprint apply checks.",
)
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report: texts and screenshots before and after.",
)
@detailed_exitcode_option("changes")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=16,
    show_default=True,
    help="Parallel requests while reading live state.",
)
@click.pass_obj
def plan_command(
    settings: Settings,
    repo: Path,
    sandbox: bool,
    apps: tuple[str, ...],
    targets: tuple[str, ...],
    fmt: str,
    out: Path | None,
    html_out: Path | None,
    detailed_exitcode: bool,
    concurrency: int,
) -> None:
    """Show what apply would change in App Store Connect.

    Exit 0 on success and 1 on an error; with --detailed-exitcode, 0 means no changes,
    2 changes, 1 an error.
    """
    desired = load_valid_repo(repo, need_secrets=False)
    read = selected_apps(apps, targets, desired)
    with api_client(settings, repo, sandbox) as client:
        run = run_plan(client, desired, read, concurrency)
        plan = narrow(run.plan, targets)
        media = media_refs(run.parts, plan, repo) if html_out or out else []
        if html_out is not None:  # live thumbnails come from the sandbox while it runs
            notes = [notice(targets)] if targets else []
            write_html(html_out, plan, galleries(plan, media, repo), notes)
    if targets:
        click.echo(notice(targets), err=True)
    if fmt == "json":
        click.echo(render_json(plan), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(plan), nl=False)
    else:
        click.echo(render_text(plan, color=settings.color), nl=False)
    if out is not None:
        save_plan(out, plan, repo, apps, targets=targets, media=media)
    raise SystemExit(exit_code(plan.has_changes, detailed_exitcode))


def exit_code(changes: bool, detailed: bool) -> int:
    """0 success; with ``--detailed-exitcode``, 2 when there are changes."""
    return EXIT_CHANGES if detailed and changes else EXIT_NO_CHANGES
