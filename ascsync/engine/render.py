"""Plan output for people (terminal), for pull requests (markdown) and for machines (JSON).

Sensitive values never reach any output: a sensitive field shows as ``(sensitive)``, and
its change as ``(sensitive value changed)``. Long or multi-line text shows as a line diff
so a reviewer sees which sentence changed, not two 4,000-character blobs.

Every string that comes from the repo or from App Store Connect is escaped for where it
lands (:func:`md_text`, :func:`md_code`, :func:`html_text`, :func:`md_fence`): a folder
named ``mc<!--`` must not turn the rest of a PR comment into an HTML comment, and a file
name with a line break must not forge a plan line. The same helpers serve the drift
report and the GitHub Action's summaries.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Callable
from itertools import groupby
from typing import Any

import click

from ascsync.engine.plan import SIGNS, Action, Change, FieldChange, Plan, plain_value

GITHUB_COMMENT_LIMIT = 65_536
"""GitHub rejects issue and pull request comments longer than this many characters."""
INLINE_LIMIT = 80
"""Values longer than this (or multi-line) are shown as a line diff."""

_COLORS = {"+": "green", "~": "yellow", "-": "red", "±": "magenta"}

# --- escaping -----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=&:\"'$%^,;?/])")
_ZERO_WIDTH_JOINER = "\u2060"


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters shown as escapes (``\\n``).

    Names, addresses and file names are one line; a line break in one would start a
    line of its own, which could pass for another plan entry (and an ESC could recolour
    a terminal).
    """
    return _CONTROL.sub(lambda m: repr(m[0])[1:-1], text)


def _no_mentions(text: str) -> str:
    """``@name`` would notify that person or team on every push; an invisible word joiner
    after ``@`` keeps the text readable but stops GitHub from linking it."""
    return text.replace("@", "@" + _ZERO_WIDTH_JOINER)


def md_text(text: object) -> str:
    """Plain text for markdown outside HTML: every ASCII punctuation character that
    markdown or HTML could act on is backslash-escaped (CommonMark allows that for all
    of them), and the text stays on one line."""
    return _no_mentions(_MD_PUNCTUATION.sub(r"\\\1", one_line(str(text))))


def md_code(text: object, *, in_table: bool = False) -> str:
    """An inline code span holding ``text`` exactly, whatever backticks it contains.

    The fence is one backtick longer than the longest run inside; in a table, ``|`` is
    escaped too, because GitHub splits cells before it reads code spans.
    """
    body = one_line(str(text))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    span = f"{fence}{pad}{body}{pad}{fence}"
    return span.replace("|", "\\|") if in_table else span


def html_text(text: object) -> str:
    """Text inside raw HTML (a ``<summary>``): entities, one line, no mentions."""
    return _no_mentions(html.escape(one_line(str(text)), quote=True))


def md_fence(body: str, info: str = "") -> str:
    """A fenced code block that no line of ``body`` can close (the fence is longer than
    any run of backticks inside)."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}\n"


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n"


def deletions(plan: Plan) -> list[Change]:
    """The plan's deletions in the order apply runs them (the order every view lists them,
    and the order a saved plan keeps)."""
    return [c for c in plan.ordered() if c.action is Action.DELETE]


def render_text(plan: Plan, *, color: bool = True) -> str:
    """The Terraform-like terminal view, grouped by app and locale."""

    def paint(text: str, sign: str) -> str:
        return click.style(text, fg=_COLORS.get(sign)) if color else text

    lines: list[str] = []
    if not plan.has_changes:
        lines.append("No changes. App Store Connect matches the repository.")
    for (app, locale), changes in groups(plan.ordered()):
        lines.append("")
        lines.append(
            click.style(_group_title(app, locale), bold=True)
            if color
            else _group_title(app, locale)
        )
        for change in changes:
            lines.extend(_change_lines(change, paint, indent="  "))
    if plan.locked:
        lines.append("")
        lines.append("Not planned: locked by their state or fixed once created (left as they are):")
        for change in plan.locked:
            lines.append(f"  ! {one_line(change.address)}: {one_line(change.note or 'locked')}")
    if plan.unsupported:
        lines.append("")
        lines.append("In the repo but not applied by this version of ascsync (left as they are):")
        lines.extend(f"  ? {one_line(str(item))}" for item in plan.unsupported)
    if plan.refused:
        lines.append("")
        lines.append(
            paint("Refused: App Store Connect would reject these; nothing is applied:", "-")
        )
        lines.extend(f"  ! {one_line(item)}" for item in plan.refused)
    if deletions(plan):
        lines.append("")
        lines.append(paint(f"{len(deletions(plan))} deletion(s):", "-"))
        lines.extend(f"  - {one_line(c.address)}" for c in deletions(plan))
    lines.append("")
    lines.append(f"Plan: {plan.summary()}. {plan.requests} API requests to compute it.")
    if plan.has_changes:
        lines.append(f"Applying it costs {plan.cost()}.")
    return "\n".join(lines).lstrip("\n") + "\n"


def render_markdown(plan: Plan, *, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """A pull request comment: summary first, one collapsible section per app and locale."""
    cost = f" · applying it: {plan.cost()}" if plan.has_changes else ""
    head = [
        "### ascsync plan",
        "",
        f"**{plan.summary()}** · {plan.requests} API requests{cost}",
        "",
    ]
    if deletions(plan):
        # listed outside the collapsed sections: a deletion must never go unseen
        head += ["> [!WARNING]", f"> {len(deletions(plan))} deletion(s), marked `-` below:"]
        head += [f"> - {md_code(c.address)}" for c in deletions(plan)]
        head.append("")
    if plan.unsupported:
        # visible, not collapsed: these repo values are NOT applied, a reviewer must know
        head += [
            "> [!NOTE]",
            "> In the repo but not applied by this version of ascsync (left as they are):",
        ]
        head += [f"> - {md_code(item)}" for item in plan.unsupported]
        head.append("")
    if plan.refused:
        head += ["> [!CAUTION]", "> App Store Connect would reject these; nothing is applied:"]
        head += [f"> - {md_text(item)}" for item in plan.refused]
        head.append("")
    if not plan.has_changes:
        head += ["No changes: App Store Connect matches the repository.", ""]
    sections = []
    for (app, locale), changes in groups(plan.ordered()):
        body = [
            diff_line(line) for c in changes for line in _change_lines(c, lambda t, s: t, indent="")
        ]
        title = html_text(_group_title(app, locale))
        sections.append(
            f"<details><summary><b>{title}</b>: {len(changes)} change(s)</summary>\n\n"
            + md_fence("\n".join(body), "diff")
            + "</details>\n"
        )
    if plan.locked:
        locked = "\n".join(
            f"- {md_code(c.address)}: {md_text(c.note or 'locked')}" for c in plan.locked
        )
        sections.append(
            f"**Not planned (locked by their state or fixed once created):**\n\n{locked}\n"
        )
    return _fit("\n".join(head), sections, limit)


_SIGNED = re.compile(r"^(\s*)([-+~±]) (.*)$", re.S)
DIFF_SIGNS = {"+": "+", "-": "-", "~": "!", "±": "!"}
"""A markdown ``diff`` block colours a line by its first character: GitHub shows ``+``
green, ``-`` red and ``!`` orange (changed), so updates stand apart from creates and
deletes; ``~`` and ``±`` would not be coloured at all."""


def diff_line(line: str) -> str:
    """A plan line for a ``diff`` block: its sign moved to the first column."""
    match = _SIGNED.match(line)
    if match is None:
        return " " + line  # a note ("# ..."): no colour
    indent, sign, rest = match.groups()
    return f"{DIFF_SIGNS[sign]} {indent}{rest}"


def _fit(head: str, sections: list[str], limit: int) -> str:
    """Keep whole sections while they fit; say plainly how many were left out."""
    out = head
    for index, section in enumerate(sections):
        remaining = len(sections) - index
        note = (
            f"\n_Plan truncated to fit a GitHub comment: {remaining} more section(s) not shown. "
            "The full plan is in the job summary and in `ascsync plan` output._\n"
        )
        if len(out) + len(section) + len(note) + 1 > limit:
            return out + note
        out += "\n" + section
    return out


def groups(changes: list[Change]) -> list[tuple[tuple[str, str | None], list[Change]]]:
    """Group by (app, locale), keeping the first-seen order of groups (every view of a
    plan, text, markdown and HTML, is organised this way)."""
    order: dict[tuple[str, str | None], int] = {}
    for change in changes:
        order.setdefault((change.app, change.locale), len(order))
    keyed = sorted(changes, key=lambda c: order[(c.app, c.locale)])
    return [(k, list(g)) for k, g in groupby(keyed, key=lambda c: (c.app, c.locale))]


def _group_title(app: str, locale: str | None) -> str:
    return f"{app} · {locale}" if locale else app


def _change_lines(change: Change, paint: Callable[[str, str], str], indent: str) -> list[str]:
    sign = SIGNS[change.action]
    verb = {
        Action.CREATE: "create",
        Action.UPDATE: "update",
        Action.DELETE: "delete",
        Action.UPLOAD: "upload",
        Action.REPLACE: "replace",
        Action.REORDER: "reorder",
    }[change.action]
    where = f"  ({one_line(str(change.source))})" if change.source else ""
    lines = [paint(f"{indent}{sign} {one_line(change.address)}  # {verb}{where}", sign)]
    if change.note:
        lines.append(f"{indent}    # {one_line(change.note)}")
    for item in change.fields:
        lines.extend(paint(line, line.lstrip()[:1]) for line in _field_lines(item, change, indent))
    return lines


def _field_lines(item: FieldChange, change: Change, indent: str) -> list[str]:
    pad = indent + "    "
    if item.sensitive:
        if change.action is Action.CREATE:
            return [f"{pad}+ {item.name}: (sensitive)"]
        return [f"{pad}~ {item.name}: (sensitive value changed)"]
    before, after = _show(item.before), _show(item.after)
    if change.action is Action.CREATE or item.before is None and change.action is not Action.DELETE:
        return (
            _long(pad, "+", item.name, after)
            if _is_long(after)
            else [f"{pad}+ {item.name}: {after}"]
        )
    if change.action is Action.DELETE and isinstance(plain_value(item.before), list):
        # what a deleted container takes with it: every item on its own line
        return [f"{pad}- {item.name}:", *(f"{pad}    - {i}" for i in _lines(item.before))]
    if change.action is Action.DELETE or item.after is None:
        return [f"{pad}- {item.name}: {_clip(before)}"]
    if _is_long(before) or _is_long(after):
        diff = difflib.ndiff(_lines(item.before), _lines(item.after))
        body = [f"{pad}    {line[0]} {line[2:]}" for line in diff if line[:1] in "+-"]
        return [f"{pad}~ {item.name}:", *body]
    return [f"{pad}~ {item.name}: {before} -> {after}"]


def _lines(value: Any) -> list[str]:
    """A value as diffable lines; lists (keywords) one item per line."""
    plain = plain_value(value)
    if isinstance(plain, list):
        return [json.dumps(item, ensure_ascii=False) for item in plain]
    return str(plain).splitlines()


def _long(pad: str, sign: str, name: str, text: str) -> list[str]:
    return [f"{pad}{sign} {name}:", *(f"{pad}    {sign} {line}" for line in text.splitlines())]


def _show(value: Any) -> str:
    plain = plain_value(value)
    if isinstance(plain, str) and ("\n" in plain or len(plain) > INLINE_LIMIT):
        return plain
    return json.dumps(plain, ensure_ascii=False)


def _is_long(text: str) -> bool:
    return "\n" in text or len(text) > INLINE_LIMIT


def _clip(text: str) -> str:
    first = text.splitlines()[0] if text else text
    return first if len(first) <= INLINE_LIMIT else first[: INLINE_LIMIT - 1] + "…"
