"""``ascsync show plan.json``: render saved plans again, without recomputing them.

A plan saved with ``plan --out`` (or printed with ``--format json``) is shown as text,
markdown, JSON or the HTML report; nothing is asked of App Store Connect. Several
files are merged into one plan: the many-apps recipe plans each app in its own CI job
and assembles one pull request comment and one HTML report from the jobs' files
(``docs/many-apps.md``).

The HTML report's galleries come from the media references the saved plan keeps:
repo files are read from the repo the plan names (when it is there), live
screenshots are fetched from Apple's CDN through their ``templateUrl``; a thumbnail
that cannot be made is a placeholder saying why.
"""

from __future__ import annotations

from pathlib import Path

import click

from ascsync.cli import Settings
from ascsync.commands.plan import detailed_exitcode_option, exit_code
from ascsync.commands.report import galleries, html_page
from ascsync.commands.saved_plan import SavedPlan, load_plan
from ascsync.engine.html_report import Gallery
from ascsync.engine.plan import Plan
from ascsync.engine.render import render_json, render_markdown, render_text
from ascsync.errors import AscsyncError


def merge(saved: list[SavedPlan]) -> Plan:
    """One plan of several (one per app, from a CI matrix): changes in file order.

    The merged plan has no fingerprint: it is for reading; each job's own file is what
    ``apply`` checks.
    """
    if len(saved) == 1:
        return saved[0].plan()
    merged = Plan()
    seen: set[str] = set()
    for item in saved:
        plan = item.plan()
        twice = seen & {c.address for c in plan.changes}
        if twice:
            raise AscsyncError(
                f"{item.path} plans {sorted(twice)[0]} again; each saved plan must cover other "
                "apps (one job per app)"
            )
        seen |= {c.address for c in plan.changes}
        merged.changes += plan.changes
        merged.locked += plan.locked
        merged.unsupported += [u for u in plan.unsupported if u not in merged.unsupported]
        merged.requests += plan.requests
    return merged


def gallery_of(saved: SavedPlan, repo: Path | None) -> list[Gallery]:
    """The saved plan's galleries; repo files are read from ``repo`` when given (another
    checkout of the same repo, as in a CI job), else from where the plan was made."""
    root = repo or (saved.repo if saved.data.get("repo") else None)
    return galleries(saved.plan(), saved.media, root if root and root.is_dir() else None)


@click.command()
@click.argument(
    "plans",
    nargs=-1,
    required=True,
    metavar="PLAN.json...",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="HTML: read the repo's screenshots here, not where the plan was made.",
)
@detailed_exitcode_option("changes")
@click.pass_obj
def show_command(
    settings: Settings | None,
    plans: tuple[Path, ...],
    fmt: str,
    out: Path | None,
    repo: Path | None,
    detailed_exitcode: bool,
) -> None:
    """Render saved plans (plan --out) as text, markdown, JSON or HTML, without recomputing.

    Several files are merged into one plan (one per app from a CI matrix).
    """
    saved = [load_plan(path, need_repo=False) for path in plans]
    plan = merge(saved)
    notes = [f"Assembled from {len(saved)} saved plans."] if len(saved) > 1 else []
    color = bool(settings.color) if settings is not None and out is None else False
    if fmt == "html":
        pictured = [g for item in saved for g in gallery_of(item, repo)]
        text = html_page(plan, pictured, notes)
    elif fmt == "json":
        text = render_json(plan)
    elif fmt == "markdown":
        text = render_markdown(plan)
    else:
        text = render_text(plan, color=color)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    for note in notes:
        click.echo(note, err=True)
    raise SystemExit(exit_code(plan.has_changes, detailed_exitcode))


__all__ = ["merge", "show_command"]
