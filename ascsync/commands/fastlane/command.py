"""The ``ascsync import fastlane DIR`` command and its report.

The report lists what was written, then every file not (fully) imported with the reason,
errors first, then what was changed on the way in. The same message for many files is
printed once with a count, so a large folder still gives a report a person can read.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import click
from ruamel.yaml import YAML

from ascsync.commands import output
from ascsync.commands.fastlane.importer import plan_import
from ascsync.commands.fastlane.plan import ImportOptions, ImportPlan, Level, Note
from ascsync.commands.fastlane.writer import report_missing, write_plan

_PLATFORMS = {"IOS": "IOS", "MAC_OS": "MAC_OS", "TV_OS": "TV_OS", "VISION_OS": "VISION_OS"}
_GROUP_AFTER = 3  # a message repeated for more files than this is printed once


@click.group(name="import")
def import_group() -> None:
    """Import a listing kept by another tool into an ascsync repo."""


@import_group.command(name="fastlane")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--screenshots",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="deliver's screenshots folder (default: found next to the metadata).",
)
@click.option(
    "--previews",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="deliver's app_previews_path (<locale>/*.mp4, preview type in the file name).",
)
@click.option(
    "--rating-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="deliver's app_rating_config_path JSON (default: the Deliverfile's).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The ascsync repo to write into.",
)
@click.option(
    "--app", "app_name", help="App folder name under apps/ (default: from the bundle id)."
)
@click.option("--bundle-id", help="The app's bundle id (default: Deliverfile, then Appfile).")
@click.option(
    "--platform",
    type=click.Choice(list(_PLATFORMS), case_sensitive=False),
    default="IOS",
    show_default=True,
    help="Which platform's deliver folders to import when there are several.",
)
@click.option("--primary-locale", help="Primary locale (default: en-US if present).")
@click.option("--app-version", help="Version string for version.yml (default: app_version).")
@click.option("--force", is_flag=True, help="Merge into files that already exist.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@output.format_option()
def fastlane_command(
    source: Path,
    screenshots: Path | None,
    previews: Path | None,
    rating_config: Path | None,
    out: Path,
    app_name: str | None,
    bundle_id: str | None,
    platform: str,
    primary_locale: str | None,
    app_version: str | None,
    force: bool,
    dry_run: bool,
    fmt: str,
) -> None:
    """Convert a fastlane deliver folder into this repo's layout.

    SOURCE is the project, its fastlane/ folder, or fastlane/metadata. The Appfile and
    Deliverfile are read for the bundle id, version, languages and paths; files are read
    only inside SOURCE (links leading out of it are not followed).
    """
    options = ImportOptions(
        source=source,
        screenshots=screenshots,
        rating_config=rating_config,
        previews=previews,
        app=app_name,
        bundle_id=bundle_id,
        platform=platform.upper(),
        primary_locale=primary_locale,
        app_version=app_version,
    )
    plan = plan_import(options)
    _check_apps_list(out, plan)
    if dry_run:
        report_missing(plan, out, plan.documents)
        written = [out / path for path in plan.documents]
    else:
        written = write_plan(plan, out, force=force)
    if fmt == "json":
        output.emit("import", **import_json(plan, written, out, dry_run=dry_run))
    else:
        click.echo(format_report(plan, written, out, dry_run=dry_run))
    if plan.errors:
        raise click.exceptions.Exit(1)


def _check_apps_list(out: Path, plan: ImportPlan) -> None:
    """Warn when ascsync.yml lists apps and the imported one is not among them."""
    config = out / "ascsync.yml"
    if not config.is_file():
        return
    try:
        data = YAML(typ="safe").load(config.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - the loader reports a broken ascsync.yml properly
        return
    apps = data.get("apps") if isinstance(data, dict) else None
    if isinstance(apps, list) and plan.app_dir.name not in apps:
        plan.warn(config, f"add {plan.app_dir.name} to `apps:` or ascsync will not manage it")


_HEADINGS = {
    Level.ERROR: "error(s)",
    Level.WARNING: "warning(s)",
    Level.NOTE: "note(s), imported but changed or worth knowing",
}


def format_report(
    plan: ImportPlan, written: list[Path], out: Path, *, dry_run: bool = False
) -> str:
    """What was (or would be) written, then every note, errors first."""
    wrote, copied = ("would write", "would copy") if dry_run else ("wrote", "copied")
    lines = [f"{'Dry run, nothing written' if dry_run else 'Imported'} into {out / plan.app_dir}:"]
    lines += [f"  {wrote} {_relative(path, out)}" for path in written if path.suffix == ".yml"]
    for kind in ("screenshots", "previews"):
        count = sum(1 for target in plan.copies if target.parts[2] == kind)
        if count:
            lines.append(f"  {copied} {count} {kind[:-1]}(s) into {plan.app_dir / kind}/")
    for level in Level:
        notes = [note for note in plan.notes if note.level is level]
        if notes:
            rendered = _grouped(notes)
            lines.append(f"{len(rendered)} {_HEADINGS[level]}:")
            lines += [f"  {line}" for line in rendered]
    if not plan.errors and not any(n.level is Level.WARNING for n in plan.notes):
        lines.append("Everything was imported.")
    lines.append(f"Next: ascsync validate {out}")
    return "\n".join(lines)


def import_json(
    plan: ImportPlan, written: list[Path], out: Path, *, dry_run: bool
) -> dict[str, object]:
    """``import fastlane --format json`` fields: every note, one object each (not grouped)."""
    return {
        "source": "fastlane",
        "dry_run": dry_run,
        "out": str(out),
        "app_dir": plan.app_dir.as_posix(),
        "ok": not plan.errors,
        "written": [_relative(path, out) for path in written if path.suffix == ".yml"],
        "copied": sorted(target.as_posix() for target in plan.copies),
        "notes": [
            {
                "level": note.level.value,
                "file": _relative(note.source, Path.cwd()) or None,
                "message": note.message,
            }
            for level in Level
            for note in plan.notes
            if note.level is level
        ],
    }


def _grouped(notes: list[Note]) -> list[str]:
    """``file: message`` lines, sorted; a message shared by many files printed once."""
    by_message: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        by_message[note.message].append(note)
    lines = []
    for message, group in by_message.items():
        sources = sorted({_relative(n.source, Path.cwd()) for n in group if n.source})
        if len(sources) > _GROUP_AFTER:
            shown = ", ".join(sources[:_GROUP_AFTER])
            lines.append(
                f"{len(sources)} files: {message} ({shown} and {len(sources) - _GROUP_AFTER} more)"
            )
        elif sources:
            lines += [f"{source}: {message}" for source in sources]
        else:
            lines.append(message)
    return sorted(lines)


def _relative(path: Path | None, base: Path) -> str:
    if path is None:
        return ""
    try:
        return str(path.absolute().relative_to(base.absolute()))
    except ValueError:
        return str(path)
