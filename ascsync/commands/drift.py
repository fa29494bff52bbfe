"""``ascsync drift``: what changed in App Store Connect behind the repo's back.

A drift is a planned change seen from the other side. ``plan`` says "apply would set
the German subtitle to X"; drift says "someone changed the German subtitle in the web
UI: live has Y, the repo says X (locales/de-DE.yml:2)" and who can win: ``apply``
restores the repo's value, ``drift --write`` takes the live value into the repo so the
change can go through a pull request. It is computed by :func:`run_plan`, so drift and
plan can never disagree about what differs.

Exit codes: 0 success, 1 error; with ``--detailed-exitcode`` (as Terraform's plan), 0 no
drift, 2 drift found, 1 error. ``--format json`` is versioned
(:data:`SCHEMA_VERSION`); ``--format markdown`` has one collapsible section per app
and locale, like plan's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ascsync.cli import Settings
from ascsync.commands.plan import (
    api_client,
    detailed_exitcode_option,
    exit_code,
    load_valid_repo,
    run_plan,
    sandbox_option,
)
from ascsync.commands.pull import pull_files, write_app
from ascsync.desired.model import App
from ascsync.engine.live import LiveApp
from ascsync.engine.plan import (
    SENSITIVE,
    Action,
    Change,
    Plan,
    parse_address,
    plain_value,
)
from ascsync.engine.render import GITHUB_COMMENT_LIMIT, INLINE_LIMIT
from ascsync.io.repo_writer import RepoWriter, WriteReport
from ascsync.kinds.registry import FILES, nouns, owners
from ascsync.rules.locales import APP_STORE_LOCALES

SCHEMA_VERSION = 1
GUIDANCE = (
    "`ascsync apply` restores the repo's value; `ascsync drift --write` takes the live "
    "value into the repo (commit it as a pull request)"
)


class Kind:
    """What kind of difference a drift is (the ``kind`` of the JSON form)."""

    CHANGED = "changed"  # both have it, values differ
    LIVE_ONLY = "live_only"  # App Store Connect has something the repo lacks
    REPO_ONLY = "repo_only"  # the repo has something App Store Connect lacks
    MEDIA = "media"  # a screenshot or preview differs
    ORDER = "order"  # the same screenshots in another order


_KIND_OF = {
    Action.UPDATE: Kind.CHANGED,
    Action.DELETE: Kind.LIVE_ONLY,
    Action.CREATE: Kind.REPO_ONLY,
    Action.UPLOAD: Kind.REPO_ONLY,
    Action.REPLACE: Kind.MEDIA,
    Action.REORDER: Kind.ORDER,
}


@dataclass(frozen=True)
class Drift:
    """One difference between App Store Connect and the repo."""

    app: str
    locale: str | None
    address: str
    kind: str
    field: str | None
    live: Any
    repo: Any
    source: str | None
    sensitive: bool = False
    locked: str | None = None  # why apply cannot restore it, when it cannot

    def headline(self) -> str:
        """``someone changed the German subtitle outside the repo (e.g. in the web UI)``."""
        what = self._what()
        if self.kind == Kind.CHANGED:
            return f"someone changed the {what} outside the repo (e.g. in the web UI)"
        if self.kind == Kind.LIVE_ONLY:
            return f"App Store Connect has {what} that the repo lacks (added in the web UI?)"
        if self.kind == Kind.REPO_ONLY:
            return f"the repo has {what} that App Store Connect lacks (deleted, or never applied)"
        if self.kind == Kind.ORDER:
            return f"the {what} is in another order in App Store Connect"
        return f"the {what} differs from App Store Connect's"

    def _what(self) -> str:
        """``German subtitle``, ``reference name of in-app purchase x (German)``."""
        language = APP_STORE_LOCALES.get(self.locale or "", self.locale)
        owner = owner_of(self.address, itself=bool(self.field))
        if self.field:
            subject = _field_words(self.field)
        elif parse_address(self.address)[-1][0] == "locale":
            subject = "localization" if owner else _locale_kind(self.address)
            return f"{language} {subject}" + (f" of {owner}" if owner else "")
        else:
            subject = describe(self.address)
        if owner:
            return f"{subject} of {owner}" + (f" ({language})" if language else "")
        return f"{language} {subject}" if language else subject

    def values(self) -> str:
        """``live has "Y", repo says "X"`` (sensitive values never shown)."""
        if self.sensitive:
            return "live and repo differ (sensitive value, not shown)"
        if self.kind != Kind.CHANGED:
            return ""
        return f"live has {_show(self.live)}, repo says {_show(self.repo)}"

    def guidance(self) -> str:
        if self.locked:
            return (
                f"apply cannot restore it ({self.locked}); `ascsync drift --write` takes the "
                "live value into the repo"
            )
        return GUIDANCE

    def to_json(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "locale": self.locale,
            "address": self.address,
            "kind": self.kind,
            "field": self.field,
            "live": SENSITIVE if self.sensitive else plain_value(self.live),
            "repo": SENSITIVE if self.sensitive else plain_value(self.repo),
            "source": self.source,
            "locked": self.locked,
            "headline": self.headline(),
            "guidance": self.guidance(),
        }


@dataclass
class DriftReport:
    drifts: list[Drift]
    not_compared: list[str]
    requests: int

    @property
    def has_drift(self) -> bool:
        return bool(self.drifts)


def drifts_of(plan: Plan) -> DriftReport:
    """Every planned (or locked) change as drift, with the repo line of each field."""
    out: list[Drift] = []
    for change in plan.ordered():
        out += _from_change(change, None)
    for change in plan.locked:
        out += _from_change(change, change.note or "locked")
    return DriftReport(out, list(plan.unsupported), plan.requests)


def _from_change(change: Change, locked: str | None) -> list[Drift]:
    kind = _KIND_OF[change.action]
    if kind != Kind.CHANGED or not change.fields:
        return [
            Drift(
                change.app,
                change.locale,
                change.address,
                kind,
                None,
                None,
                None,
                change.source,
                locked=locked,
            )
        ]
    return [
        Drift(
            change.app,
            change.locale,
            change.address,
            kind,
            item.name,
            item.before,
            item.after,
            item.source or change.source,
            sensitive=item.sensitive,
            locked=locked,
        )
        for item in change.fields
    ]


# ------------------------------------------------------------------ rendering


def render_text(report: DriftReport) -> str:
    if not report.has_drift:
        return "No drift: App Store Connect matches the repository.\n"
    lines = [f"Drift: {len(report.drifts)} difference(s) between App Store Connect and the repo."]
    for title, items in _groups(report.drifts):
        lines += ["", title]
        for drift in items:
            lines += [f"  {_sign(drift)} {drift.headline()}", f"      {drift.address}"]
            if drift.values():
                lines.append(f"      {drift.values()}")
            if drift.source:
                lines.append(f"      repo: {drift.source}")
            if drift.locked:
                lines.append(f"      locked: {drift.guidance()}")
    lines += ["", f"Who wins? {GUIDANCE}."]
    lines += _not_compared(report, "  ? ")
    return "\n".join(lines) + "\n"


def render_markdown(report: DriftReport, *, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The report for an issue or PR comment; every name and value from the repo or from
    App Store Connect is escaped for where it lands (see :mod:`ascsync.engine.render`)."""
    from ascsync.engine.render import html_text, md_code, md_text

    head = ["### ascsync drift", ""]
    if not report.has_drift:
        return "\n".join([*head, "No drift: App Store Connect matches the repository.", ""])
    head += [
        f"**{len(report.drifts)} difference(s)** between App Store Connect and the repository.",
        "",
        f"Who wins? {GUIDANCE}.",
        "",
    ]
    out = "\n".join(head)
    groups = _groups(report.drifts)
    for index, (title, items) in enumerate(groups):
        body = []
        for drift in items:
            body.append(f"- {md_text(drift.headline())}  \n  {md_code(drift.address)}")
            if drift.values():
                body.append(f"  {_md_escape(drift.values())}")
            if drift.source:
                body.append(f"  (repo: {md_code(drift.source)})")
            if drift.locked:
                body.append(f"  _{md_text(drift.guidance())}_")
        section = (
            f"\n<details><summary><b>{html_text(title)}</b>: {len(items)} difference(s)"
            "</summary>\n\n" + "\n".join(body) + "\n</details>\n"
        )
        note = f"\n_Truncated: {len(groups) - index} more section(s) in `ascsync drift`._\n"
        if len(out) + len(section) + len(note) > limit:
            return out + note
        out += section
    return out


def render_json(report: DriftReport) -> str:
    data = {
        "schema_version": SCHEMA_VERSION,
        "drift": report.has_drift,
        "count": len(report.drifts),
        "requests": report.requests,
        "drifts": [d.to_json() for d in report.drifts],
        "not_compared": report.not_compared,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _groups(drifts: list[Drift]) -> list[tuple[str, list[Drift]]]:
    order: dict[str, list[Drift]] = {}
    for drift in drifts:
        title = f"{drift.app} · {drift.locale}" if drift.locale else drift.app
        order.setdefault(title, []).append(drift)
    return list(order.items())


def _not_compared(report: DriftReport, bullet: str) -> list[str]:
    if not report.not_compared:
        return []
    return ["", "Not compared (not read by this version of ascsync):"] + [
        f"{bullet}{item}" for item in report.not_compared
    ]


def _sign(drift: Drift) -> str:
    return {Kind.LIVE_ONLY: "+", Kind.REPO_ONLY: "-"}.get(drift.kind, "~")


def _show(value: Any) -> str:
    plain = plain_value(value)
    text = json.dumps(plain, ensure_ascii=False)
    return text if len(text) <= INLINE_LIMIT else text[: INLINE_LIMIT - 2] + '…"'


def owner_of(address: str, *, itself: bool = False) -> str | None:
    """The product or TestFlight resource an address belongs to (or is), in words."""
    segments = parse_address(address)
    words = nouns()
    for name, keys in reversed(segments if itself else segments[:-1]):
        if name in owners():
            return f"{words.get(name, name.replace('_', ' '))} {' '.join(keys)}".strip()
    return None


def _locale_kind(address: str) -> str:
    segments = [name for name, _ in parse_address(address)]
    return "app info localization" if "info" in segments else "version localization"


def _field_words(field: str) -> str:
    """``localizations.de-DE.name`` -> ``name``; ``review.contact.email`` -> words."""
    parts = [p for p in re.split(r"[.\[\]]", field) if p and not p.isdigit()]
    parts = [p for p in parts if p not in APP_STORE_LOCALES and p != "localizations"]
    return " ".join(parts).replace("_", " ") or field


def describe(address: str) -> str:
    """The last segment of an address in words: ``tester old@example.com``.

    Parsed with :func:`parse_address`, so dots inside keys (emails, product ids, file
    names) are not mistaken for separators.
    """
    segments = parse_address(address)
    if not segments:
        return address
    name, keys = segments[-1]
    noun = nouns().get(name, name.replace("_", " "))
    if name in ("screenshots", "previews"):
        if len(keys) == 2:
            return f"{noun} {keys[1]} ({keys[0]})"
        return f"{noun} set {keys[0]}" if keys else f"{noun} set"
    return f"{noun} {' '.join(keys)}".strip()


def _md_escape(text: str) -> str:
    """Live and repo values in markdown: nothing in them may act as markdown or HTML."""
    from ascsync.engine.render import md_text

    return md_text(text)


# ------------------------------------------------------------------ --write


def write_live_values(root: Path, parts: list[tuple[App, LiveApp]], media: bool) -> WriteReport:
    """Take the live values of what the repo manages into its files (comments kept)."""
    writer = RepoWriter(root, FILES, managed_only=True)
    for desired, live in parts:
        write_app(writer, desired.folder, live.model, desired)
    report = writer.save()
    if media:
        for desired, live in parts:
            shots = pull_files(live, desired.folder)
            report.written += shots.downloaded
            report.notes += shots.problems + shots.notes
            report.notes += [
                f"{_relative(p, root)}: not live; left in place" for p in shots.not_live
            ]
    return report


@click.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@sandbox_option("Compare with")
@click.option("--app", "apps", multiple=True, help="Only this app folder (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--write", is_flag=True, help="Write the live values into the repo files (comments kept)."
)
@detailed_exitcode_option("differences")
@click.option("--concurrency", type=click.IntRange(1, 32), default=16, show_default=True)
@click.pass_obj
def drift_command(
    settings: Settings,
    repo: Path,
    sandbox: bool,
    sandbox_start: str,
    apps: tuple[str, ...],
    fmt: str,
    write: bool,
    detailed_exitcode: bool,
    concurrency: int,
) -> None:
    """Report what differs live from the repo.

    Exit 0 on success and 1 on an error; with --detailed-exitcode, 0 means no drift,
    2 drift found, 1 an error.
    """
    desired = load_valid_repo(repo, need_secrets=False)
    with api_client(settings, repo, sandbox, desired, sandbox_start) as client:
        run = run_plan(client, desired, apps, concurrency)
    report = drifts_of(run.plan)
    render = {"json": render_json, "markdown": render_markdown}.get(fmt, render_text)
    click.echo(render(report), nl=False)
    if write and report.has_drift:
        media = any("screenshots[" in d.address for d in report.drifts)
        written = write_live_values(repo, run.parts, media)
        if any(d.kind == Kind.REPO_ONLY for d in report.drifts):
            written.notes.append(
                "--write does not delete files or screenshots that only the repo has; "
                "run `ascsync drift` again to see what remains"
            )
        click.echo(_write_summary(repo, written), err=fmt == "json")
    raise SystemExit(exit_code(report.has_drift, detailed_exitcode))


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _write_summary(root: Path, report: WriteReport) -> str:
    lines = [f"Wrote the live values into {len(report.written)} file(s):"]
    lines += [f"  {_relative(path, root)}" for path in report.written]
    if report.by_hand:
        lines.append("Edit by hand (ascsync does not overwrite templates):")
        lines += [f"  - {item}" for item in report.by_hand]
    if report.notes:
        lines.append("Notes:")
        lines += [f"  - {item}" for item in report.notes]
    return "\n".join(lines)


__all__ = [
    "SCHEMA_VERSION",
    "Drift",
    "DriftReport",
    "drift_command",
    "drifts_of",
    "render_json",
    "render_markdown",
    "render_text",
    "write_live_values",
]
