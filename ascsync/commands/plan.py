"""``ascsync plan``: validate the repo, read App Store Connect, print what would change.

Exit codes follow Terraform: 0 success, 1 error (including validation errors, printed
before any request is sent, and usage errors). With ``--detailed-exitcode``: 0 no
changes, 2 changes present, 1 error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.cli import Settings
from ascsync.commands.rehearsal import MODES, describe, resolve_mode, shell_seed
from ascsync.commands.report import galleries, media_refs, write_html
from ascsync.commands.saved_plan import save_plan
from ascsync.commands.targets import check_targets, narrow, notice
from ascsync.commands.whoami import open_client
from ascsync.desired.model import App, DesiredRepo
from ascsync.engine.carry_out import all_changes, carry_out
from ascsync.engine.live import LiveApp, fetch_app, snapshot
from ascsync.engine.plan import Plan, fingerprint
from ascsync.engine.planner import plan_app
from ascsync.engine.render import render_json, render_markdown, render_text
from ascsync.engine.uploads import UploadSettings
from ascsync.errors import AscsyncError
from ascsync.io.checksums import CACHE_DIR, ChecksumCache, CleanSets
from ascsync.kinds.media import MEDIA
from ascsync.kinds.registry import KINDS, kinds_for, validate_repo
from ascsync.problems import Severity

F = TypeVar("F", bound=Callable[..., Any])

SANDBOX_STATE = "sandbox-state.json"
"""With ``--sandbox``, the sandbox's state lives in the repo's cache folder, so a plan,
an apply and another plan see one evolving App Store Connect."""

EXIT_NO_CHANGES, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
APPS_AT_ONCE = 8
"""Apps read at the same time; their requests share ``--concurrency``."""


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


def sandbox_option(what: str) -> Callable[[F], F]:
    """``--sandbox`` and ``--sandbox-start``: rehearse against the built-in sandbox."""

    def decorate(command: F) -> F:
        command = click.option(
            "--sandbox-start",
            type=click.Choice(MODES),
            default="auto",
            show_default=True,
            help="Where a fresh sandbox starts: auto (the demo for the example app, else "
            "your app's shell as App Store Connect creates it), demo, shell, or repo (the "
            "shell with the repo applied: plan shows no changes).",
        )(command)
        return click.option(
            "--sandbox",
            is_flag=True,
            help=f"{what} the built-in sandbox, no credentials needed (state kept in .ascsync/).",
        )(command)

    return decorate


@contextlib.contextmanager
def api_client(
    settings: Settings,
    root: Path,
    sandbox: bool,
    repo: DesiredRepo | None = None,
    start: str = "auto",
) -> Iterator[ApiClient]:
    """A client for App Store Connect, or for a built-in sandbox (``--sandbox``) that
    starts as ``start`` says (:mod:`ascsync.commands.rehearsal`)."""
    if not sandbox:
        yield open_client(settings)
        return
    from ascsync.io.safe_write import target
    from ascsync.sandbox import Sandbox  # the server code loads only when asked for

    state = root / CACHE_DIR / SANDBOX_STATE
    target(root, state, "the sandbox state")  # a .ascsync symlink must not move it out
    state.parent.mkdir(parents=True, exist_ok=True)
    target(root, state, "the sandbox state")
    fresh = not state.exists()
    mode = resolve_mode(start, repo)
    seed: str | dict[str, Any] = "demo" if mode == "demo" or repo is None else shell_seed(repo)
    if fresh:
        click.echo(describe(mode, repo), err=True)
    with Sandbox(seed=seed, state_file=state) as running:
        tokens = TokenProvider(running.key_id, running.private_key_pem, running.issuer_id)
        client = ApiClient(running.url, tokens, retry=settings.retry_policy())
        if fresh and mode == "repo" and repo is not None:
            _rehearse(client, repo)
        yield client


def _rehearse(client: ApiClient, repo: DesiredRepo) -> None:
    """Apply the repo to a fresh sandbox, so it starts with the repo as its live state."""
    run = run_plan(client, repo, (), 8)
    report = carry_out(
        all_changes(run.plan),
        run.parts,
        client,
        KINDS,
        checksum=run.checksums.md5,
        uploads=UploadSettings(),
    )
    run.checksums.save()
    failed = report.by_status("failed")
    click.echo(
        f"sandbox: applied {len(report.by_status('applied'))} change(s) of the repo"
        + (f"; {len(failed)} failed (the plan shows them)" if failed else ""),
        err=True,
    )


@dataclass
class PlanRun:
    """A plan and what it was computed from, which apply needs to carry it out."""

    plan: Plan
    parts: list[tuple[App, LiveApp]]
    checksums: ChecksumCache


def media_files(apps: list[App]) -> list[Path]:
    """Every screenshot and preview the apps list, in repo order (what the plan hashes)."""
    files = []
    for app in apps:
        for entry in (MEDIA.desired(app) or {}).values():
            for folder in ("screenshots", "previews"):
                for media_set in entry.sets(folder).values():
                    files += [f.path for f in media_set.files]
    return files


def compute_plan(
    client: ApiClient, repo: DesiredRepo, apps: tuple[str, ...], concurrency: int
) -> Plan:
    """Read live state for each selected app and diff it with the repo."""
    return run_plan(client, repo, apps, concurrency).plan


def run_plan(
    client: ApiClient, repo: DesiredRepo, apps: tuple[str, ...], concurrency: int
) -> PlanRun:
    """:func:`compute_plan`, keeping the live states and the checksum cache for apply.

    Apps are read concurrently (:data:`APPS_AT_ONCE`); their independent requests (one
    per locale and media kind...) share one pool of ``concurrency`` workers, so an app
    with many locales gets as many at once as are free. The plan lists apps in the
    repo's order all the same.
    """
    selected = [a for name, a in repo.apps.items() if not apps or name in apps]
    if apps and len(selected) != len(apps):
        unknown = sorted(set(apps) - set(repo.apps))
        raise AscsyncError(
            f"no app folder named {', '.join(unknown)} under {repo.root}/apps "
            f"(known: {', '.join(sorted(repo.apps)) or 'none'})"
        )
    targets = [one for main in selected for one in main.with_platforms()]
    cache = ChecksumCache(repo.root)
    cache.warm(media_files(targets))  # hashing overlaps the reads below
    run = PlanRun(Plan(), [], cache)
    snapshots = []
    at_once = max(1, min(len(targets), APPS_AT_ONCE))

    def one(app: App, requests: ThreadPoolExecutor) -> tuple[LiveApp, Plan]:
        kinds = kinds_for(app)
        live = fetch_app(client, app, kinds, pool=requests)
        return live, plan_app(app, live, kinds, root=repo.root, checksum=cache.md5)

    # every app's fan-out (per-locale reads...) shares one bound of `concurrency` requests
    with (
        ThreadPoolExecutor(max_workers=max(1, concurrency)) as requests,
        ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="ascsync-app") as readers,
    ):
        results = list(readers.map(lambda app: one(app, requests), targets))  # repo order
    for app, (live, part) in zip(targets, results, strict=True):
        snapshots.append(snapshot(live, kinds_for(app)))
        run.plan.merge(part)
        run.parts.append((app, live))
    cache.save()
    CleanSets.for_repo(repo.root).save()
    run.plan.requests = client.request_count
    run.plan.hourly_limit = client.rate_limit.limit if client.rate_limit else None
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
@sandbox_option("Plan against")
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
    sandbox_start: str,
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
    with api_client(settings, repo, sandbox, desired, sandbox_start) as client:
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
    if plan.refused:
        click.echo(
            f"error: App Store Connect would refuse {len(plan.refused)} change(s) of this plan "
            "(listed above); fix the repo, nothing can be applied as it is",
            err=True,
        )
        raise SystemExit(EXIT_ERROR)
    raise SystemExit(exit_code(plan.has_changes, detailed_exitcode))


def exit_code(changes: bool, detailed: bool) -> int:
    """0 success; with ``--detailed-exitcode``, 2 when there are changes."""
    return EXIT_CHANGES if detailed and changes else EXIT_NO_CHANGES
