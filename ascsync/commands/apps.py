"""``ascsync apps``: the repo's apps, for a CI job matrix (one job per app).

Agencies keep dozens of apps in one repo; one runner reading them one after another
does not scale. ``ascsync apps --format json`` lists them, optionally only those a
change touches (``--changed-since REF``: ``git diff`` against REF, uncommitted changes
included; or ``--changed-files FILE``, one path a line), and a GitHub Actions matrix
plans or applies each in its own job (``docs/many-apps.md``).

Which apps a change touches: a file under ``apps/<name>/`` touches that app; a file
elsewhere in the repo (``ascsync.yml`` and its shared defaults, anything ascsync may
read) touches every app, because it may change any of them. Only files nothing reads
are left out: hidden folders (``.github/``, ``.ascsync/``), markdown files at the top
and the generated ``schemas/``. When in doubt an app is listed: a job that plans
nothing costs a few requests, a skipped one hides a change from review.

A repo with errors is refused (exit 1, the errors listed), so a matrix never silently
leaves out an app whose files do not load.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath
from typing import TextIO

import click

from ascsync.commands import output
from ascsync.commands.plan import load_valid_repo
from ascsync.desired.model import DesiredRepo
from ascsync.errors import AscsyncError

IGNORED_TOP = ("schemas",)
"""Top-level folders ascsync never reads for planning (``ascsync schema`` writes them)."""


def changed_by_git(root: Path, ref: str) -> list[str]:
    """Paths (relative to ``root``) that differ between ``ref`` and the working tree."""
    command = ["git", "diff", "--name-only", "--relative", "--no-renames", ref, "--", "."]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise AscsyncError("--changed-since needs git, which is not installed") from None
    if done.returncode != 0:
        raise AscsyncError(
            f"git diff against {ref!r} failed in {root}: {done.stderr.strip()} "
            "(in CI, fetch enough history: actions/checkout with fetch-depth: 0)"
        )
    untracked = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "--", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [*done.stdout.splitlines(), *untracked.stdout.splitlines()]


def changed_from_file(root: Path, listing: str) -> list[str]:
    """Paths of a list (one a line, relative to the current folder), relative to ``root``."""
    base, top = Path.cwd().resolve(), root.resolve()
    found = []
    for line in listing.splitlines():
        if not line.strip():
            continue
        path = (base / line.strip()).resolve()
        try:
            found.append(path.relative_to(top).as_posix())
        except ValueError:
            continue  # outside the ascsync repo: it cannot change an app
    return found


def touched(repo: DesiredRepo, paths: list[str]) -> dict[str, str]:
    """App name -> the first changed path that touches it."""
    why: dict[str, str] = {}
    for raw in paths:
        parts = PurePosixPath(raw).parts
        if not parts or _ignored(parts):
            continue
        if parts[0] == "apps" and len(parts) > 2:
            if parts[1] in repo.apps:
                why.setdefault(parts[1], raw)
            continue  # a folder that is no app (any more): nothing to plan for it
        for name in repo.apps:
            why.setdefault(name, raw)
    return {name: why[name] for name in repo.apps if name in why}


def _ignored(parts: tuple[str, ...]) -> bool:
    if any(part.startswith(".") for part in parts):
        return True
    return parts[0] in IGNORED_TOP or (len(parts) == 1 and parts[0].lower().endswith(".md"))


def app_entry(repo: DesiredRepo, name: str) -> dict[str, object]:
    app = repo.apps[name]
    try:
        path = app.folder.resolve().relative_to(repo.root.resolve()).as_posix()
    except ValueError:
        path = str(app.folder)
    return {
        "name": name,
        "bundle_id": app.record.get("bundle_id"),
        "platform": app.record.get("platform"),
        "path": path,
    }


@click.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@output.format_option()
@click.option(
    "--changed-since",
    metavar="REF",
    help="Only apps whose files differ from this git ref (uncommitted changes count).",
)
@click.option(
    "--changed-files",
    type=click.File("r"),
    help="Only apps these paths touch: a file with one path a line ('-' for stdin).",
)
def apps_command(
    repo: Path, fmt: str, changed_since: str | None, changed_files: TextIO | None
) -> None:
    """List the repo's apps (one a line, or JSON for a CI job matrix).

    With --changed-since or --changed-files, only the apps a change touches: a file
    under apps/NAME/ touches NAME, a shared file (ascsync.yml...) touches every app.
    """
    if changed_since and changed_files:
        raise click.UsageError("give --changed-since or --changed-files, not both")
    desired = load_valid_repo(repo, need_secrets=False)
    names = list(desired.apps)
    because: dict[str, str] | None = None
    if changed_since is not None:
        because = touched(desired, changed_by_git(repo, changed_since))
    elif changed_files is not None:
        because = touched(desired, changed_from_file(repo, changed_files.read()))
    if because is not None:
        names = list(because)
    if fmt == "json":
        output.emit(
            "apps",
            repo=str(repo),
            names=names,
            apps=[app_entry(desired, name) for name in names],
            filtered=because is not None,
            because=because or {},
        )
        return
    for name in names:
        click.echo(name)
    if because is not None and not names:
        click.echo("no app is touched by the changes", err=True)


__all__ = ["apps_command", "changed_by_git", "changed_from_file", "touched"]
