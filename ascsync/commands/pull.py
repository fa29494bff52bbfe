"""``ascsync pull``: write an existing app's live state into the repo layout.

A team adopts ascsync in one step: pull into an empty folder, commit, and ``plan``
shows no changes. Pulling into an existing repo updates the files in place (comments,
key order and quoting kept, see :mod:`ascsync.io.repo_writer`) and downloads the
screenshots (:mod:`ascsync.io.media_download`).

Some of what App Store Connect has cannot be expressed or is not read yet; pull says
so in its output instead of silently dropping it (each kind's ``not_pulled``).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import click

from ascsync.api.client import ApiClient
from ascsync.cli import Settings
from ascsync.commands import output
from ascsync.commands.plan import api_client
from ascsync.desired.model import App
from ascsync.engine.discovery import fetch_everything
from ascsync.engine.live import LiveApp
from ascsync.io.checksums import CACHE_DIR
from ascsync.io.media_download import MediaReport
from ascsync.io.repo_writer import CONFIG_FILE, RepoWriter, WriteReport
from ascsync.kinds.registry import FILES, KINDS, load_repo

SECRETS_NOT_PULLED = "demo account passwords (never written: a `!env NAME` tag stands in for them)"


def not_pulled() -> list[str]:
    """What the layout cannot express or ascsync does not read yet, said in the summary."""
    return [*(item for kind in KINDS for item in kind.not_pulled), SECRETS_NOT_PULLED]


def find_app(root: Path, bundle_id: str) -> tuple[Path, App | None]:
    """The app folder managing ``bundle_id`` in an existing repo, else a new folder.

    The existing repo is loaded (problems are not fatal here: pull may be what fixes
    them) so the writer knows effective values, inherited keys and templates.
    """
    if (root / CONFIG_FILE).exists():
        repo, _problems = load_repo(root)
        for app in repo.apps.values():
            if app.record.get("bundle_id") == bundle_id:
                return app.folder, app
    name = bundle_id.rsplit(".", 1)[-1].lower() or "app"
    return root / "apps" / name, None


def write_app(writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
    """Every kind writes its live part into the app folder's files."""
    for kind in KINDS:
        kind.write(writer, folder, live, desired)


def pull_files(live: LiveApp, folder: Path) -> MediaReport:
    """Every kind downloads its binary files (screenshots) into the app folder."""
    report = MediaReport()
    for kind in KINDS:
        part = kind.pull_files(live, folder)
        if part is not None:
            report.add(part)
    return report


def pull_app(
    root: Path, client: ApiClient, bundle_id: str, version: str | None
) -> tuple[WriteReport, MediaReport]:
    """Fetch, write and download; returns what was written and what needs a person."""
    folder, desired = find_app(root, bundle_id)
    live = fetch_everything(client, bundle_id, folder, KINDS, version)
    writer = RepoWriter(root, FILES)
    write_app(writer, folder, live.model, desired)
    writer.ensure_config(folder.name)
    _note_not_live(writer, live.model, desired)
    report = writer.save()
    media = pull_files(live, folder)
    return report, media


def _note_not_live(writer: RepoWriter, live: App, desired: App | None) -> None:
    """Repo files for things App Store Connect no longer has: kept, and said so."""
    if desired is None:
        return
    for kind in KINDS:
        for path in kind.not_live(live, desired):
            writer.report.notes.append(
                f"{writer.rel(path)}: not live; left in place (delete it, or plan will create it)"
            )


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--app", "bundle_id", required=True, help="Bundle id of the app to pull.")
@click.option("--version", "version", help="Version to pull (default: the editable one).")
@click.option("--sandbox", is_flag=True, help="Pull from the built-in sandbox (demo live state).")
@output.format_option()
@click.pass_obj
def pull_command(
    settings: Settings,
    directory: Path,
    bundle_id: str,
    version: str | None,
    sandbox: bool,
    fmt: str,
) -> None:
    """Write an app's live state into DIRECTORY (screenshots downloaded).

    Exits 1, listing them, when some files could not be pulled; a pull that fails before
    writing anything leaves no folder or cache behind.
    """
    with _cleaned_up_on_failure(directory):
        directory.mkdir(parents=True, exist_ok=True)
        with api_client(settings, directory, sandbox) as client:
            report, media = pull_app(directory, client, bundle_id, version)
            requests = client.request_count
    if fmt == "json":
        output.emit("pull", **pull_json(directory, bundle_id, report, media, requests))
    else:
        click.echo(render_summary(directory, report, media, requests))
    if media.problems:
        click.echo(
            f"error: {len(media.problems)} file(s) were not pulled (listed above); "
            "the repo does not hold everything App Store Connect has",
            err=True,
        )
        raise SystemExit(1)


@contextlib.contextmanager
def _cleaned_up_on_failure(directory: Path) -> Iterator[None]:
    """Remove what a failed pull created (the folder, or its ``.ascsync`` cache)."""
    created = [path for path in (directory, directory / CACHE_DIR) if not path.exists()]
    try:
        yield
    except BaseException:
        for path in created:  # the outermost first: it takes the rest with it
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                break
        raise


def pull_json(
    root: Path, bundle_id: str, report: WriteReport, media: MediaReport, requests: int
) -> dict[str, object]:
    """pull's ``--format json`` fields: paths are relative to DIRECTORY."""
    return {
        "directory": str(root),
        "bundle_id": bundle_id,
        "requests": requests,
        "written": [_rel(p, root) for p in report.written],
        "downloaded": [_rel(p, root) for p in media.downloaded],
        "unchanged": [_rel(p, root) for p in media.kept],
        "not_live": [_rel(p, root) for p in media.not_live],
        "by_hand": list(report.by_hand),
        "notes": list(report.notes),
        "problems": list(media.problems),
        "not_pulled": not_pulled(),
    }


def render_summary(root: Path, report: WriteReport, media: MediaReport, requests: int) -> str:
    """What pull wrote and what it left for a person, one item a line."""
    lines = [
        f"Pulled into {root}: {len(report.written)} file(s) written, "
        f"{len(media.downloaded)} screenshot(s) downloaded, {len(media.kept)} unchanged "
        f"({requests} API requests)."
    ]
    for path in report.written:
        lines.append(f"  wrote {_rel(path, root)}")
    sections = [
        ("Edit by hand (ascsync does not overwrite templates):", report.by_hand),
        ("Notes:", report.notes),
        ("Not pulled (failed):", media.problems),
        ("Media notes:", media.notes),
        (
            "Not live any more (left in place; delete them or plan will upload them):",
            [_rel(p, root) for p in media.not_live],
        ),
        (
            "Not pulled (the layout cannot express it, or ascsync does not read it yet):",
            not_pulled(),
        ),
    ]
    for title, items in sections:
        if items:
            lines.append(title)
            lines += [f"  - {item}" for item in items]
    return "\n".join(lines)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


__all__ = [
    "find_app",
    "not_pulled",
    "pull_app",
    "pull_command",
    "pull_files",
    "pull_json",
    "render_summary",
    "write_app",
]
