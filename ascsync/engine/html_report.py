"""The plan as one self-contained HTML page, for people who review pictures and prose.

A listing change is reviewed by reading sentences and looking at screenshots; a diff
of checksums is not enough. The page shows, per app and locale:

- each changed text before and after, the changed words highlighted, with its length
  against Apple's limit (over the limit in red);
- each screenshot or preview set whose content changes as two rows of thumbnails in
  their order, live above and repo below, each thumbnail marked kept, new, replaced or
  deleted;
- deletions and locked changes called out, and the summary, every deletion, what is
  locked and what this version does not apply at the top.

The page needs nothing but itself: the thumbnails are ``data:`` URIs made by the
caller (:mod:`ascsync.io.thumbnails`), the style is inline, there is no script, and a
Content-Security-Policy forbids any other load, so opening it (from an artifact, a
mail) makes no request. Every string from the repo or from App Store Connect is
HTML-escaped; a thumbnail's URI is accepted only as a base64 ``image/png`` or
``image/jpeg`` data URI.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ascsync import __version__
from ascsync.engine.plan import SIGNS, Action, Change, FieldChange, Plan, plain_value
from ascsync.engine.render import deletions, groups
from ascsync.rules.locales import APP_STORE_LOCALES

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""Nothing but the page itself may load: no script, no font, no remote image."""
_DATA_URI = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=]+$")
_RTL = ("ar", "he", "ur", "fa")


class Status:
    """What happens to one thumbnail's image."""

    KEPT = "kept"
    NEW = "new"
    REPLACED = "replaced"
    DELETED = "deleted"


@dataclass(frozen=True)
class Thumb:
    """One screenshot or preview, as a small picture or a labelled placeholder."""

    name: str
    status: str = Status.KEPT
    data_uri: str | None = None
    width: int = 0
    height: int = 0
    note: str = ""
    """Why there is no picture (a video, a file that is missing, a failed download)."""


@dataclass(frozen=True)
class Gallery:
    """One set (a display type of a locale) before and after the plan."""

    app: str
    locale: str | None
    folder: str
    display_type: str
    before: tuple[Thumb, ...] = ()
    after: tuple[Thumb, ...] = ()
    note: str = ""


@dataclass
class HtmlReport:
    """What the page shows: the plan, the galleries, and each text field's limit."""

    plan: Plan
    galleries: list[Gallery] = field(default_factory=list)
    limit_of: Callable[[Change, FieldChange], int | None] = lambda _c, _f: None
    title: str = "ascsync plan"
    notes: list[str] = field(default_factory=list)
    """Lines for the top of the page (which saved plans were merged, targets in effect)."""


def e(text: object) -> str:
    """Escape for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def render_html(report: HtmlReport) -> str:
    """The whole page (UTF-8 text, deterministic for a given report)."""
    plan = report.plan
    body = [_header(report)]
    galleries = _galleries_by_group(report.galleries)
    for index, ((app, locale), changes) in enumerate(groups(plan.ordered())):
        body.append(_group(index, app, locale, changes, galleries.pop((app, locale), []), report))
    # locked changes and galleries of a group with nothing else planned still show
    for index, ((app, locale), _locked) in enumerate(groups(plan.locked), start=len(body)):
        if not any(c.app == app and c.locale == locale for c in plan.changes):
            body.append(_group(index, app, locale, [], galleries.pop((app, locale), []), report))
    for index, ((app, locale), rest) in enumerate(galleries.items(), start=len(body)):
        body.append(_group(index, app, locale, [], rest, report))
    return _page(report.title, plan, "\n".join(body))


def _page(title: str, plan: Plan, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}: {e(plan.summary())}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        f"<footer>Made by ascsync {e(__version__)}. This page is self-contained: it loads "
        "nothing from the network.</footer>\n</body>\n</html>\n"
    )


# --- the top of the page ----------------------------------------------------------------


def _header(report: HtmlReport) -> str:
    plan = report.plan
    counts = plan.counts()
    parts = [f"<header>\n<h1>{e(report.title)}</h1>"]
    parts.append(f'<p class="summary"><strong>{e(plan.summary())}</strong></p>')
    chips = [
        ("create", counts[Action.CREATE]),
        ("upload", counts[Action.UPLOAD]),
        ("update", counts[Action.UPDATE] + counts[Action.REORDER]),
        ("replace", counts[Action.REPLACE]),
        ("delete", counts[Action.DELETE]),
        ("locked", len(plan.locked)),
    ]
    parts.append(
        '<ul class="chips">'
        + "".join(f'<li class="chip {name}">{n} {name}</li>' for name, n in chips if n)
        + "</ul>"
    )
    parts += [f'<p class="note">{e(note)}</p>' for note in report.notes]
    if not plan.has_changes:
        parts.append(
            '<p class="nochange">No changes: App Store Connect matches the repository.</p>'
        )
    deleted = deletions(plan)
    if deleted:
        items = "".join(
            f"<li><code>{e(c.address)}</code>{_why(c)}{_deleted_items(c)}</li>" for c in deleted
        )
        parts.append(
            f'<section class="callout deletions"><h2>{len(deleted)} deletion(s)</h2>'
            f"<ul>{items}</ul></section>"
        )
    if plan.locked:
        items = "".join(f"<li><code>{e(c.address)}</code>{_why(c)}</li>" for c in plan.locked)
        parts.append(
            '<section class="callout locked"><h2>Not planned: locked by their state or fixed '
            f"once created ({len(plan.locked)})</h2><ul>{items}</ul></section>"
        )
    if plan.unsupported:
        items = "".join(f"<li>{e(item)}</li>" for item in plan.unsupported)
        parts.append(
            '<section class="callout unsupported"><h2>In the repo but not applied by this '
            f"version of ascsync ({len(plan.unsupported)})</h2><ul>{items}</ul></section>"
        )
    toc = [
        f'<li><a href="#g{i}">{e(_title(app, locale))}</a> ({len(changes)})</li>'
        for i, ((app, locale), changes) in enumerate(groups(plan.ordered()))
    ]
    if toc:
        parts.append(f"<nav><ul>{''.join(toc)}</ul></nav>")
    parts.append("</header>")
    return "\n".join(parts)


def _why(change: Change) -> str:
    return f' <span class="why">{e(change.note)}</span>' if change.note else ""


def _deleted_items(change: Change) -> str:
    """What a deleted container takes with it (the files of a set), each listed."""
    items = [i for f in change.fields for i in _as_list(f.before)]
    if not items:
        return ""
    return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>"


def _as_list(value: Any) -> list[str]:
    plain = plain_value(value)
    return [str(i) for i in plain] if isinstance(plain, list) else []


# --- one app and locale -----------------------------------------------------------------


def _title(app: str, locale: str | None) -> str:
    if not locale:
        return app
    language = APP_STORE_LOCALES.get(locale)
    return f"{app} · {locale}" + (f" ({language})" if language else "")


def _group(
    index: int,
    app: str,
    locale: str | None,
    changes: list[Change],
    galleries: list[Gallery],
    report: HtmlReport,
) -> str:
    locked = [c for c in report.plan.locked if c.app == app and c.locale == locale]
    parts = [f'<section class="group" id="g{index}">', f"<h2>{e(_title(app, locale))}</h2>"]
    pictured = {(g.folder, g.display_type) for g in galleries}
    for change in changes:
        # uploads, replacements and orders show in their set's gallery; deletions show
        # there and here too, so each one is named
        if set_key(change.address) in pictured and change.action is not Action.DELETE:
            continue
        parts.append(_change(change, report, locale))
    parts += [_gallery(gallery) for gallery in galleries]
    parts += [_change(change, report, locale, locked=True) for change in locked]
    parts.append("</section>")
    return "\n".join(parts)


def set_key(address: str) -> tuple[str, str] | None:
    """``("screenshots", TYPE)`` for an address inside a media set (or the set itself)."""
    match = re.search(r"\.(screenshots|previews)\[([^\]]*)\]", address)
    return (match[1], match[2]) if match else None


def _change(change: Change, report: HtmlReport, locale: str | None, locked: bool = False) -> str:
    kind = "locked" if locked else change.action.value
    label = f"locked: {change.note}" if locked and change.note else kind
    where = f' <span class="src">{e(change.source)}</span>' if change.source else ""
    note = "" if locked or not change.note else f'<p class="why">{e(change.note)}</p>'
    head = (
        f'<article class="change {kind}"><h3><span class="badge {kind}" title="{e(label)}">'
        f"{e(SIGNS[change.action])} {e(kind)}</span> <code>{e(change.address)}</code>{where}</h3>"
    )
    if locked and change.note:
        note = f'<p class="why">Not applied: {e(change.note)}</p>'
    rows = [_field_row(change, item, report, locale) for item in change.fields]
    table = (
        '<table class="fields"><thead><tr><th>field</th><th>before (live)</th>'
        f"<th>after (repo)</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else ""
    )
    return f"{head}{note}{table}</article>"


def _field_row(change: Change, item: FieldChange, report: HtmlReport, locale: str | None) -> str:
    name = f"<td><code>{e(item.name)}</code></td>"
    if item.sensitive:
        hidden = '<td colspan="2" class="sensitive">(sensitive value changed, not shown)</td>'
        return f"<tr>{name}{hidden}</tr>"
    before = None if change.action is Action.CREATE else item.before
    after = None if change.action is Action.DELETE else item.after
    old, new = _text(before), _text(after)
    old_html, new_html = word_diff(old or "", new or "")
    limit = report.limit_of(change, item)
    lang = f' lang="{e(locale)}"' if locale else ""
    direction = ' dir="rtl"' if locale and locale.split("-")[0] in _RTL else ' dir="auto"'
    cells = []
    for text, shown, side in ((old, old_html, "before"), (new, new_html, "after")):
        if text is None:
            cells.append(f'<td class="{side} empty">(none)</td>')
            continue
        count = _count(text, limit)
        cells.append(
            f'<td class="{side}"{lang}{direction}><div class="text">{shown}</div>{count}</td>'
        )
    return f"<tr>{name}{''.join(cells)}</tr>"


def _text(value: Any) -> str | None:
    """A value as the text a reviewer reads: keywords joined as Apple stores them."""
    plain = plain_value(value)
    if plain is None:
        return None
    if isinstance(plain, list) and all(isinstance(i, str) for i in plain):
        return ",".join(plain)
    if isinstance(plain, str):
        return plain
    return json.dumps(plain, ensure_ascii=False)


def _count(text: str, limit: int | None) -> str:
    """``312 / 4000`` characters (code points, as App Store Connect counts them), for a
    field Apple limits."""
    n = len(text)
    if limit is None:
        return ""
    over = " over" if n > limit else ""
    label = f"{n} / {limit}" + (f" ({n - limit} too many)" if over else "")
    return f'<span class="count{over}">{label}</span>'


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> tuple[str, str]:
    """Both texts as HTML, words removed in ``<del>`` and words added in ``<ins>``."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    old: list[str] = []
    new: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = e("".join(a[i1:i2])), e("".join(b[j1:j2]))
        if op == "equal":
            old.append(left)
            new.append(right)
            continue
        if left:
            old.append(f"<del>{left}</del>")
        if right:
            new.append(f"<ins>{right}</ins>")
    return "".join(old), "".join(new)


# --- screenshots and previews -----------------------------------------------------------


def _galleries_by_group(galleries: list[Gallery]) -> dict[tuple[str, str | None], list[Gallery]]:
    out: dict[tuple[str, str | None], list[Gallery]] = {}
    for gallery in galleries:
        out.setdefault((gallery.app, gallery.locale), []).append(gallery)
    return out


def _gallery(gallery: Gallery) -> str:
    kind = gallery.folder.rstrip("s")
    note = f'<p class="why">{e(gallery.note)}</p>' if gallery.note else ""
    rows = [
        _thumb_row("before (live)", gallery.before, f"no live {kind}s"),
        _thumb_row("after (repo)", gallery.after, f"no {kind}s in the repo"),
    ]
    return (
        f'<div class="gallery"><h3>{e(gallery.folder)} · <code>{e(gallery.display_type)}</code>'
        f"</h3>{note}{''.join(rows)}</div>"
    )


def _thumb_row(label: str, thumbs: tuple[Thumb, ...], empty: str) -> str:
    figures = "".join(_figure(i, t) for i, t in enumerate(thumbs, start=1))
    if not thumbs:
        figures = f'<p class="empty">{e(empty)}</p>'
    head = f'<div class="row"><div class="label">{e(label)}</div>'
    return f'{head}<div class="thumbs">{figures}</div></div>'


def _figure(position: int, thumb: Thumb) -> str:
    if thumb.data_uri and _DATA_URI.match(thumb.data_uri):
        picture = (
            f'<img src="{thumb.data_uri}" width="{thumb.width}" height="{thumb.height}" '
            f'alt="{e(thumb.name)}" title="{e(thumb.name)}">'
        )
    else:
        picture = f'<div class="placeholder">{e(thumb.note or "no picture")}</div>'
    return (
        f'<figure class="{e(thumb.status)}">{picture}<figcaption>{position}. {e(thumb.name)}'
        f' <span class="badge {e(thumb.status)}">{e(thumb.status)}</span></figcaption></figure>'
    )


STYLE = """
:root{--add:#1a7f37;--add-bg:#dafbe1;--del:#cf222e;--del-bg:#ffebe9;--chg:#9a6700;
--chg-bg:#fff8c5;--muted:#57606a;--line:#d0d7de}
body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;
padding:24px;color:#1f2328;background:#fff}
h1{margin:0 0 8px;font-size:24px}h2{font-size:18px;margin:24px 0 8px}
h3{font-size:14px;margin:12px 0 6px;font-weight:600}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.summary{font-size:16px;margin:4px 0}.chips{list-style:none;padding:0;display:flex;gap:8px}
.chip{padding:2px 10px;border-radius:12px;font-weight:600}
.chip.create,.chip.upload{background:var(--add-bg);color:var(--add)}
.chip.update,.chip.replace{background:var(--chg-bg);color:var(--chg)}
.chip.delete{background:var(--del-bg);color:var(--del)}.chip.locked{background:#eaeef2}
.callout{border-left:4px solid;padding:4px 12px;margin:12px 0;border-radius:4px}
.callout h2{font-size:15px;margin:6px 0}.callout ul{margin:4px 0 8px}
.deletions{border-color:var(--del);background:var(--del-bg)}
.locked{border-color:#8c959f;background:#f6f8fa}
.unsupported{border-color:var(--chg);background:var(--chg-bg)}
nav ul{columns:3;font-size:13px}.nochange{color:var(--add);font-weight:600}
.group{border-top:1px solid var(--line);margin-top:16px}
.change{border:1px solid var(--line);border-radius:6px;padding:4px 12px;margin:8px 0}
.change.delete{border-color:var(--del);background:#fffafa}
.change.locked{border-style:dashed;background:#f6f8fa}
.badge{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;font-weight:600}
.badge.create,.badge.upload,.badge.new{background:var(--add-bg);color:var(--add)}
.badge.update,.badge.reorder,.badge.replace,.badge.replaced{background:var(--chg-bg);
color:var(--chg)}
.badge.delete,.badge.deleted{background:var(--del-bg);color:var(--del)}
.badge.locked,.badge.kept{background:#eaeef2;color:var(--muted)}
.src,.why{color:var(--muted);font-weight:normal;font-size:12px}
table.fields{border-collapse:collapse;width:100%;table-layout:fixed;margin:6px 0}
.fields th,.fields td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;
text-align:start}
.fields th:first-child,.fields td:first-child{width:18%}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
td.before del{background:#ffcecb;color:var(--del);text-decoration:line-through}
td.after ins{background:#aceebb;color:#0f5323;text-decoration:none}
.count{display:block;color:var(--muted);font-size:11px;margin-top:4px}
.count.over{color:var(--del);font-weight:700}.empty{color:var(--muted)}
.sensitive{color:var(--muted);font-style:italic}
.gallery{border:1px solid var(--line);border-radius:6px;padding:4px 12px;margin:8px 0}
.row{display:flex;gap:12px;align-items:flex-start;margin:6px 0}
.row .label{width:90px;flex:none;color:var(--muted);font-size:12px;padding-top:8px}
.thumbs{display:flex;gap:10px;overflow-x:auto;padding-bottom:4px}
figure{margin:0;text-align:center;font-size:11px;max-width:160px}
figure img{display:block;margin:0 auto;border:3px solid transparent;border-radius:6px;
height:auto;max-height:240px;width:auto;max-width:150px}
figure.new img{border-color:var(--add)}figure.replaced img{border-color:var(--chg)}
figure.deleted img{border-color:var(--del);opacity:.55}
.placeholder{width:110px;height:160px;display:flex;align-items:center;justify-content:center;
border:2px dashed var(--line);border-radius:6px;color:var(--muted);padding:4px;margin:0 auto}
figcaption{margin-top:2px;overflow-wrap:anywhere}
footer{margin-top:32px;color:var(--muted);font-size:12px}
"""
