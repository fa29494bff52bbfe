"""``ascsync pull``: write an existing app's live state into the repo layout.

A team adopts ascsync in one step: pull into an empty folder, commit, and ``plan``
shows no changes. Pulling into an existing repo updates the files in place (comments,
key order and quoting kept, see :mod:`ascsync.io.repo_writer`) and downloads the
screenshots (:mod:`ascsync.io.media_download`).

Some of what App Store Connect has cannot be expressed or is not read yet; pull says
so in its output instead of silently dropping it (:data:`NOT_PULLED`).
"""

from __future__ import annotations

from pathlib import Path

import click

from ascsync.api.client import ApiClient
from ascsync.cli import Settings
from ascsync.commands.plan import api_client
from ascsync.desired.loader import load_repo
from ascsync.desired.model import App
from ascsync.io.media_download import MediaReport, pull_screenshots
from ascsync.io.repo_writer import CONFIG_FILE, RepoWriter, WriteReport
from ascsync.live_discovery import fetch_everything

NOT_PULLED = (
    "TestFlight review contact and demo account (not read by this version of ascsync)",
    "demo account passwords (never written: a `!env NAME` tag stands in for them)",
    "app previews (videos are not downloaded)",
)


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


def pull_app(
    root: Path, client: ApiClient, bundle_id: str, version: str | None
) -> tuple[WriteReport, MediaReport]:
    """Fetch, write and download; returns what was written and what needs a person."""
    folder, desired = find_app(root, bundle_id)
    _found, live = fetch_everything(client, bundle_id, folder, version)
    writer = RepoWriter(root)
    writer.write_app(folder, live.model, desired)
    writer.ensure_config(folder.name)
    _note_not_live(writer, folder, live.model, desired)
    report = writer.save()
    media = pull_screenshots(live, folder)
    return report, media


def _note_not_live(writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
    """Repo files for things App Store Connect no longer has: kept, and said so."""
    if desired is None:
        return
    gone = [code for code in desired.localizations if code not in live.localizations]
    files = [folder / "locales" / f"{code}.yml" for code in gone]
    for mine, theirs in (
        (desired.in_app_purchases, live.in_app_purchases),
        (desired.subscription_groups, live.subscription_groups),
        (desired.beta_groups, live.beta_groups),
    ):
        files += [r.source.file for key, r in mine.items() if key not in theirs and r.source.file]
    for path in files:
        writer.report.notes.append(
            f"{writer.rel(path)}: not live; left in place (delete it, or plan will create it)"
        )


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--app", "bundle_id", required=True, help="Bundle id of the app to pull.")
@click.option("--version", "version", help="Version to pull (default: the editable one).")
@click.option("--sandbox", is_flag=True, help="Pull from the built-in sandbox (demo live state).")
@click.pass_obj
def pull_command(
    settings: Settings, directory: Path, bundle_id: str, version: str | None, sandbox: bool
) -> None:
    """Write an app's live state into DIRECTORY (screenshots downloaded)."""
    directory.mkdir(parents=True, exist_ok=True)
    with api_client(settings, directory, sandbox) as client:
        report, media = pull_app(directory, client, bundle_id, version)
        requests = client.request_count
    click.echo(render_summary(directory, report, media, requests))


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
        ("Screenshot problems:", media.problems),
        (
            "Not live any more (left in place; delete them or plan will upload them):",
            [_rel(p, root) for p in media.not_live],
        ),
        (
            "Not pulled (the layout cannot express it, or ascsync does not read it yet):",
            list(NOT_PULLED),
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


__all__ = ["NOT_PULLED", "find_app", "pull_app", "pull_command", "render_summary"]
