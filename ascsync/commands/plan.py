"""``ascsync plan``: validate the repo, read App Store Connect, print what would change.

Exit codes follow Terraform's ``-detailed-exitcode``: 0 no changes, 2 changes present,
1 error (including validation errors, which are printed before any request is sent).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.cli import Settings
from ascsync.commands.saved_plan import save_plan
from ascsync.commands.whoami import open_client
from ascsync.desired.model import App, DesiredRepo
from ascsync.engine.live import LiveApp, fetch_app, snapshot
from ascsync.engine.plan import Plan, fingerprint
from ascsync.engine.planner import plan_app
from ascsync.engine.render import render_json, render_markdown, render_text
from ascsync.errors import AscsyncError
from ascsync.io.checksums import CACHE_DIR, ChecksumCache, CleanSets
from ascsync.kinds.media import MEDIA
from ascsync.kinds.registry import KINDS, validate_repo
from ascsync.problems import Severity

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
    cache = ChecksumCache(repo.root)
    cache.warm(media_files(selected))  # hashing overlaps the reads below
    run = PlanRun(Plan(), [], cache)
    snapshots = []
    at_once = max(1, min(len(selected), APPS_AT_ONCE))

    def one(app: App, requests: ThreadPoolExecutor) -> tuple[LiveApp, Plan]:
        live = fetch_app(client, app, KINDS, pool=requests)
        return live, plan_app(app, live, KINDS, root=repo.root, checksum=cache.md5)

    # every app's fan-out (per-locale reads...) shares one bound of `concurrency` requests
    with (
        ThreadPoolExecutor(max_workers=max(1, concurrency)) as requests,
        ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="ascsync-app") as readers,
    ):
        results = list(readers.map(lambda app: one(app, requests), selected))  # repo order
    for app, (live, part) in zip(selected, results, strict=True):
        snapshots.append(snapshot(live, KINDS))
        run.plan.changes += part.changes
        run.plan.locked += part.locked
        run.plan.unsupported += part.unsupported
        run.parts.append((app, live))
    cache.save()
    CleanSets.for_repo(repo.root).save()
    run.plan.requests = client.request_count
    run.plan.hourly_limit = client.rate_limit.limit if client.rate_limit else None
    run.plan.fingerprint = fingerprint(snapshots)
    return run


@click.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@click.option(
    "--sandbox",
    is_flag=True,
    help="Plan against the built-in sandbox (demo live state), no credentials needed.",
)
@click.option("--app", "apps", multiple=True, help="Only this app folder (repeatable).")
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
    fmt: str,
    out: Path | None,
    concurrency: int,
) -> None:
    """Show what apply would change in App Store Connect (exit 0 none, 2 changes, 1 error)."""
    desired = load_valid_repo(repo, need_secrets=False)
    with api_client(settings, repo, sandbox) as client:
        plan = compute_plan(client, desired, apps, concurrency)
    if fmt == "json":
        click.echo(render_json(plan), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(plan), nl=False)
    else:
        click.echo(render_text(plan, color=settings.color), nl=False)
    if out is not None:
        save_plan(out, plan, repo, apps)
    raise SystemExit(EXIT_CHANGES if plan.has_changes else EXIT_NO_CHANGES)
