"""The HTML report of a plan (``plan --html``, ``show --format html``): what to picture.

The engine renders the page (:mod:`ascsync.engine.html_report`); this module gathers
what only the resource kinds know:

- for each screenshot or preview set the plan touches, the live items in their order
  (with the ``templateUrl`` of their image) and the repo files in theirs. These
  *media references* are plain data, saved in ``plan.json`` under ``media``, so
  ``ascsync show plan.json --format html`` draws the same galleries without asking App
  Store Connect again;
- each text field's limit, from the kinds' field tables (``rules/text.py``).

Thumbnails are made when the page is written (:mod:`ascsync.io.thumbnails`): repo files
from the repo, live ones from Apple's CDN. One that cannot be made is a placeholder
saying why; the report is written anyway.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import requests

from ascsync.desired.model import App, Field
from ascsync.engine.html_report import Gallery, HtmlReport, Status, Thumb, render_html, set_key
from ascsync.engine.live import LiveApp
from ascsync.engine.plan import Action, Change, FieldChange, Plan
from ascsync.io import thumbnails
from ascsync.kinds.locales import locale_address
from ascsync.kinds.media import MEDIA
from ascsync.kinds.media_sets import FOLDERS, LiveMedia
from ascsync.kinds.registry import FILES
from ascsync.rules.text import TEXT_LIMITS

MediaRef = dict[str, Any]
"""One set: ``app``, ``locale``, ``folder``, ``display_type``, ``address``, ``live``
(``file_name``, ``id``, ``template_url``, ``width``, ``height``, ``state``) and ``repo``
(``file_name``, ``path`` relative to the repo root)."""


def media_refs(parts: list[tuple[App, LiveApp]], plan: Plan, root: Path) -> list[MediaRef]:
    """Every set with a planned or locked change, live and repo items in order."""
    touched = {c.address for c in [*plan.changes, *plan.locked]}
    refs: list[MediaRef] = []
    for desired, live in parts:
        wanted = MEDIA.desired(desired) or {}
        have = MEDIA.state(live) or {}
        for code in sorted(set(wanted) | set(have)):
            for folder in FOLDERS:
                want_sets = wanted[code].sets(folder) if code in wanted else {}
                live_sets = have[code].sets(folder) if code in have else {}
                for display_type in sorted(set(want_sets) | set(live_sets)):
                    address = f"{locale_address(desired, code)}.{folder}[{display_type}]"
                    if not any(a == address or a.startswith(address) for a in touched):
                        continue
                    want, got = want_sets.get(display_type), live_sets.get(display_type)
                    refs.append(
                        {
                            "app": desired.name,
                            "locale": code,
                            "folder": folder,
                            "display_type": display_type,
                            "address": address,
                            "live": [_live_item(m) for m in (got.items if got else [])],
                            "repo": [
                                {"file_name": f.file_name, "path": _relative(f.path, root)}
                                for f in (want.files if want else [])
                            ],
                        }
                    )
    return refs


def _live_item(item: LiveMedia) -> dict[str, Any]:
    return {
        "id": item.id,
        "file_name": item.file_name,
        "template_url": item.template_url,
        "width": item.width,
        "height": item.height,
        "state": item.state,
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# --- limits -------------------------------------------------------------------------------


@cache
def _limits() -> dict[tuple[str, str], int]:
    """``(resource type, key)`` -> Apple's character limit, from every kind's fields."""
    found: dict[tuple[str, str], int] = {}

    def walk(fields: tuple[Field, ...], prefix: str) -> None:
        for item in fields:
            if item.limit and item.apple:
                resource = item.apple.split(".", 1)[0]
                found[(resource, prefix + item.key)] = TEXT_LIMITS[item.limit].max
                found.setdefault((resource, item.key), TEXT_LIMITS[item.limit].max)
            walk(item.fields, f"{prefix}{item.key}.")

    for kind in FILES.values():
        walk(kind.fields, "")
    return found


def limit_of(change: Change, item: FieldChange) -> int | None:
    """The most characters Apple accepts in this field of this resource, when known."""
    limits = _limits()
    return limits.get((change.resource, item.name)) or limits.get(
        (change.resource, item.name.rsplit(".", 1)[-1])
    )


# --- galleries ----------------------------------------------------------------------------


def galleries(
    plan: Plan, refs: list[MediaRef], root: Path | None, *, workers: int = 8
) -> list[Gallery]:
    """The galleries of ``refs``, each thumbnail made (or a placeholder) and marked with
    what the plan does to it."""
    changes = {c.address: c for c in plan.changes}
    jobs: list[tuple[str, dict[str, Any]]] = []
    for ref in refs:
        video = ref["folder"] == "previews"
        jobs += [("live", {**item, "video": video}) for item in ref["live"]]
        jobs += [("repo", item) for item in ref["repo"]]
    with requests.Session() as session:

        def picture(job: tuple[str, dict[str, Any]]) -> thumbnails.Picture:
            side, item = job
            if side == "repo":
                if root is None:
                    return thumbnails.Picture(problem="repo not found")
                return thumbnails.local(root / item["path"])
            if item["video"] and not item.get("template_url"):
                return thumbnails.Picture(problem="video")  # previews are not read as images
            return thumbnails.remote(
                session, item.get("template_url"), item.get("width"), item.get("height")
            )

        made = thumbnails.in_parallel(picture, jobs, workers)
        pictures = dict(zip(map(_job_key, jobs), made, strict=True))
    out = []
    for ref in refs:
        set_deleted = _action(changes, ref["address"]) is Action.DELETE
        before = tuple(
            _thumb(item, pictures[_job_key(("live", item))], _live_status(ref, item, changes))
            for item in ref["live"]
        )
        after = tuple(
            _thumb(item, pictures[_job_key(("repo", item))], _repo_status(ref, item, changes))
            for item in ref["repo"]
        )
        note = "the whole set is deleted" if set_deleted else ""
        if _action(changes, ref["address"]) is Action.CREATE:
            note = "a new set"
        if f"{ref['address']}.order" in changes:
            note = (note + "; " if note else "") + "put in the repo's order"
        out.append(
            Gallery(
                ref["app"], ref["locale"], ref["folder"], ref["display_type"], before, after, note
            )
        )
    return out


def _job_key(job: tuple[str, dict[str, Any]]) -> tuple[str, str, str]:
    side, item = job
    return (side, str(item.get("path") or item.get("id")), str(item.get("file_name")))


def _action(changes: dict[str, Change], address: str) -> Action | None:
    change = changes.get(address)
    return change.action if change else None


def _live_status(ref: MediaRef, item: dict[str, Any], changes: dict[str, Change]) -> str:
    if _action(changes, ref["address"]) is Action.DELETE:
        return Status.DELETED
    for change in changes.values():
        if change.live_id == item["id"] and set_key(change.address):
            return Status.REPLACED if change.action is Action.REPLACE else Status.DELETED
    return Status.KEPT


def _repo_status(ref: MediaRef, item: dict[str, Any], changes: dict[str, Change]) -> str:
    action = _action(changes, f"{ref['address']}[{item['file_name']}]")
    if action is Action.UPLOAD:
        return Status.NEW
    if action is Action.REPLACE:
        return Status.REPLACED
    return Status.KEPT


def _thumb(item: dict[str, Any], picture: thumbnails.Picture, status: str) -> Thumb:
    return Thumb(
        str(item.get("file_name") or item.get("id") or "?"),
        status,
        picture.data_uri,
        picture.width,
        picture.height,
        picture.problem,
    )


def html_page(plan: Plan, pictured: list[Gallery], notes: list[str] | None = None) -> str:
    """The self-contained page (galleries made by :func:`galleries`)."""
    return render_html(HtmlReport(plan, pictured, limit_of, notes=list(notes or [])))


def write_html(
    out: Path, plan: Plan, pictured: list[Gallery], notes: list[str] | None = None
) -> None:
    out.write_text(html_page(plan, pictured, notes), encoding="utf-8")


__all__ = ["MediaRef", "galleries", "html_page", "limit_of", "media_refs", "write_html"]
