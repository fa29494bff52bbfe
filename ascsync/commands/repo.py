"""``ascsync init``, ``ascsync validate`` and ``ascsync schema``: the offline commands."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click

from ascsync.desired.scaffold import SCHEMA_DIR, NewApp, relative_list, scaffold_repo
from ascsync.desired.schema import CUSTOM_TAGS, file_globs, schema_file_name, write_schemas
from ascsync.desired.validate import Report
from ascsync.kinds.registry import FILES, KINDS, validate_repo
from ascsync.problems import Problem
from ascsync.rules.locales import APP_STORE_LOCALES, suggest_locale
from ascsync.rules.products import BUNDLE_ID, PLATFORMS

JSON_SCHEMA_VERSION = 1
APP_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _use_color(ctx: click.Context) -> bool:
    """``--no-color`` lives in the global Settings; absent when a test calls us directly."""
    return bool(getattr(ctx.obj, "color", True))


@click.command("validate")
@click.argument("repo", default=".", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: a stable, documented form for CI (see docs/repo-layout.md).",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.pass_context
def validate_command(ctx: click.Context, repo: Path, fmt: str, strict: bool) -> None:
    """Check the repo offline; exit 1 if there are errors.

    Every problem is reported in one run as "file:line: field: message (valid)",
    errors first, then warnings. No request goes to Apple.
    """
    report = validate_repo(repo)
    if fmt == "json":
        click.echo(json.dumps(report_json(report, str(repo)), indent=2, ensure_ascii=False))
    else:
        _print_text(report, color=_use_color(ctx))
    if not report.ok or (strict and report.warnings):
        ctx.exit(1)


def report_json(report: Report, repo_label: str) -> dict[str, Any]:
    """The ``--format json`` document (schema documented in docs/repo-layout.md)."""
    ordered = report.errors + report.warnings
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "repo": repo_label,
        "valid": report.ok,
        "summary": {"errors": len(report.errors), "warnings": len(report.warnings)},
        "problems": [p.to_json(report.root) for p in ordered],
    }


def _print_text(report: Report, *, color: bool) -> None:
    def block(title: str, problems: list[Problem], fg: str) -> None:
        if not problems:
            return
        click.echo(click.style(title, fg=fg, bold=True) if color else title)
        for problem in problems:
            click.echo(problem.format(report.root))

    block(f"{_count(len(report.errors), 'error')}:", report.errors, "red")
    if report.errors and report.warnings:
        click.echo()
    block(f"{_count(len(report.warnings), 'warning')}:", report.warnings, "yellow")
    click.echo(summary_line(report))


def summary_line(report: Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        return f"{report.root}: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
    extra = f" ({_count(warnings, 'warning')})" if warnings else ""
    return f"{report.root}: valid{extra}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--app", "app_name", default="myapp", show_default=True, help="App folder name.")
@click.option("--bundle-id", help="Bundle id (default: com.example.<app>).")
@click.option("--locale", default="en-US", show_default=True, help="Primary locale.")
@click.option("--platform", type=click.Choice(PLATFORMS), default="IOS", show_default=True)
def init_command(
    directory: Path, app_name: str, bundle_id: str | None, locale: str, platform: str
) -> None:
    """Create a new ascsync repo with one app, schemas and editor settings."""
    if not APP_NAME.match(app_name):
        raise click.BadParameter(
            f"{app_name!r}: use lower-case letters, digits, '.', '-', '_'", param_hint="--app"
        )
    if locale not in APP_STORE_LOCALES:
        raise click.BadParameter(f"{locale!r}: {suggest_locale(locale)}", param_hint="--locale")
    bundle_id = bundle_id or f"com.example.{app_name.replace('_', '-')}"
    if not BUNDLE_ID.match(bundle_id):
        raise click.BadParameter(
            f"{bundle_id!r}: reverse-DNS of A-Z a-z 0-9 - .", param_hint="--bundle-id"
        )
    written = scaffold_repo(directory, NewApp(app_name, bundle_id, locale, platform), KINDS, FILES)
    for name in relative_list(written, directory):
        click.echo(f"created {name}")
    click.echo(
        f"\nNext: add screenshots under apps/{app_name}/screenshots/{locale}/<DISPLAY_TYPE>/, "
        f"then run `ascsync validate {directory}`."
    )


@click.command("schema")
@click.option(
    "--out",
    "out_dir",
    default=SCHEMA_DIR,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the JSON Schemas to.",
)
def schema_command(out_dir: Path) -> None:
    """Write JSON Schemas for every file kind (for yaml-language-server and other editors)."""
    for path in write_schemas(out_dir, FILES):
        click.echo(f"wrote {path}")
    click.echo("\nEditor mapping (VS Code settings.json):")
    globs = file_globs(FILES)
    mapping = {f"./{out_dir}/{schema_file_name(k)}": glob for k, glob in globs.items()}
    click.echo(json.dumps({"yaml.schemas": mapping, "yaml.customTags": CUSTOM_TAGS}, indent=2))
