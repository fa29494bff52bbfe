"""A saved plan (``plan --out plan.json``) and what binds it to what was reviewed.

``apply plan.json`` recomputes the plan and goes ahead only when the result is the
reviewed one: the same live state (the fingerprint of everything read) and, change by
change, the same values (texts, keywords, checksums of the files to upload, prices,
orders, deletions, and what is locked). Anything else is refused, naming what changed,
so an edit pushed after the review is never applied under its cover.

What is not bound: where a value is written in the repo (a comment added above a key
moves its line, not its value) and a secret's value, which the plan never holds; the
plan shows that a secret changes, and apply sends the one in the environment.

Besides the plan's own JSON (``Plan.to_json``), the file keeps the repo, the apps and
the ``--target`` addresses it was made for (apply refuses other targets), and the media
references of the HTML report (``media``), so ``ascsync show plan.json`` renders the
plan again, as text, markdown, JSON or HTML, without asking App Store Connect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascsync.engine.plan import SCHEMA_VERSION, Action, Change, FieldChange, Plan
from ascsync.engine.safety import Refused
from ascsync.errors import AscsyncError

UNBOUND = ("source",)
"""Keys of a change that may differ between review and apply (see the module docstring)."""
SHOWN = 10
"""Differences named in a refusal; the rest are counted."""


class DamagedPlan(AscsyncError):
    """The file is not a plan ``ascsync plan --out`` wrote (truncated, edited, foreign)."""


@dataclass(frozen=True)
class SavedPlan:
    path: Path
    data: dict[str, Any]

    @property
    def repo(self) -> Path:
        return Path(self.data["repo"])

    @property
    def apps(self) -> tuple[str, ...]:
        return tuple(self.data.get("apps") or ())

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.data.get("targets") or ())

    @property
    def media(self) -> list[dict[str, Any]]:
        media = self.data.get("media")
        return [m for m in media if isinstance(m, dict)] if isinstance(media, list) else []

    def plan(self) -> Plan:
        """The plan as it was saved (nothing recomputed)."""
        return plan_from_json(self.data)


def save_plan(
    path: Path,
    plan: Plan,
    repo: Path,
    apps: tuple[str, ...],
    *,
    targets: tuple[str, ...] = (),
    media: list[dict[str, Any]] | None = None,
) -> None:
    """Write the plan with what apply needs to check it (the repo, the apps and targets it
    covers) and what ``show`` needs to draw it again (the media references)."""
    saved = {
        **plan.to_json(),
        "repo": str(repo.resolve()),
        "apps": list(apps),
        "targets": list(targets),
        "media": media or [],
    }
    path.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def plan_from_json(data: dict[str, Any]) -> Plan:
    """A :class:`Plan` from its JSON form (``--format json`` or a saved plan).

    Values come back as the JSON holds them: a secret stays masked (the plan never held
    it), and the changes keep their saved order.
    """
    return Plan(
        changes=[_change(c) for c in data.get("changes") or []],
        locked=[_change(c) for c in data.get("locked") or []],
        unsupported=[str(i) for i in data.get("not_yet_supported") or []],
        refused=[str(i) for i in data.get("refused") or []],
        requests=int(data.get("requests") or 0),
        hourly_limit=int(data["hourly_limit"]) if data.get("hourly_limit") else None,
        fingerprint=str(data.get("fingerprint") or ""),
    )


def _change(data: dict[str, Any]) -> Change:
    return Change(
        address=str(data["address"]),
        action=Action(data["action"]),
        resource=str(data.get("resource") or ""),
        app=str(data.get("app") or ""),
        locale=data.get("locale"),
        fields=tuple(_field(f) for f in data.get("fields") or []),
        calls=tuple(data.get("calls") or ()),
        after=tuple(data.get("depends_on") or ()),
        source=data.get("source"),
        note=data.get("note"),
        live_id=data.get("live_id"),
    )


def _field(data: dict[str, Any]) -> FieldChange:
    if data.get("sensitive"):
        return FieldChange(str(data.get("name")), None, None, sensitive=True)
    return FieldChange(str(data.get("name")), data.get("before"), data.get("after"))


def load_plan(path: Path, *, need_repo: bool = True) -> SavedPlan:
    """Read a saved plan; a damaged or foreign file is one clear error, never a traceback.

    ``need_repo=False`` also takes ``plan --format json`` output (``show`` renders it;
    apply needs the repo a saved plan names)."""
    why = "it is not a plan written by `ascsync plan --out`"
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise DamagedPlan(f"{path}: cannot read it as UTF-8 text; {why}") from None
    except json.JSONDecodeError as exc:
        raise DamagedPlan(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); the file may be truncated, "
            f"or {why}; run `ascsync plan --out {path.name}` again"
        ) from None
    if not isinstance(data, dict):
        raise DamagedPlan(f"{path}: {why} (a JSON object is expected)")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise DamagedPlan(
            f"{path}: schema_version {data.get('schema_version')!r}; {why} by this version "
            f"(schema_version {SCHEMA_VERSION})"
        )
    missing = [
        key
        for key, kind in (("repo", str), ("fingerprint", str), ("changes", list), ("locked", list))
        if not isinstance(data.get(key), kind) and (need_repo or key != "repo")
    ]
    bad = [
        c for c in [*(data.get("changes") or []), *(data.get("locked") or [])] if not _is_change(c)
    ]
    if missing or bad:
        what = ", ".join(missing) if missing else f"{len(bad)} malformed change(s)"
        raise DamagedPlan(f"{path}: {what}; {why} (or it was edited)")
    return SavedPlan(path, data)


def _is_change(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("address"), str)
        and item.get("action") in set(Action)
        and all(isinstance(f, dict) for f in item.get("fields") or [])
    )


def check_saved_plan(saved: SavedPlan, plan: Plan) -> None:
    """Refuse unless ``plan`` (computed now) is the saved one, value for value."""
    data = saved.data
    if data["fingerprint"] != plan.fingerprint:
        raise Refused(
            "App Store Connect changed since this plan was made (live state fingerprint "
            f"{data['fingerprint']} is now {plan.fingerprint}); nothing was applied; run "
            "`ascsync plan` again and review it"
        )
    now = plan.to_json()
    differences = _differences(data["changes"], now["changes"], "")
    differences += _differences(data["locked"], now["locked"], "locked: ")
    if differences:
        shown = "\n".join(f"  - {d}" for d in differences[:SHOWN])
        more = f"\n  ... and {len(differences) - SHOWN} more" if len(differences) > SHOWN else ""
        raise Refused(
            "the repo changed since this plan was made; it now plans something other "
            f"than what was reviewed, so nothing was applied:\n{shown}{more}\n"
            "Run `ascsync plan` again and review it."
        )


def _differences(then: list[dict[str, Any]], now: list[dict[str, Any]], label: str) -> list[str]:
    before = _by_key(then)
    after = _by_key(now)
    out = []
    for key in before.keys() | after.keys():
        action, address = key
        if key not in after:
            out.append(f"{label}{address}: no longer planned ({action})")
        elif key not in before:
            out.append(f"{label}{address}: newly planned ({action})")
        elif before[key] != after[key]:
            out.append(f"{label}{address}: {_what_differs(before[key], after[key])}")
    if not out and [_key(c) for c in then] != [_key(c) for c in now]:
        out.append(f"{label}the order of the changes differs")
    return sorted(out)


def _key(change: dict[str, Any]) -> tuple[str, str]:
    return str(change.get("action")), str(change.get("address"))


def _by_key(changes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {_key(c): {k: v for k, v in c.items() if k not in UNBOUND} for c in changes}


def _what_differs(then: dict[str, Any], now: dict[str, Any]) -> str:
    fields_then = {f.get("name"): f for f in then.get("fields") or []}
    fields_now = {f.get("name"): f for f in now.get("fields") or []}
    names = sorted(
        str(name)
        for name in fields_then.keys() | fields_now.keys()
        if fields_then.get(name) != fields_now.get(name)
    )
    if names:
        return "other values for " + ", ".join(names)
    keys = sorted(k for k in then.keys() | now.keys() if then.get(k) != now.get(k))
    return "differs in " + ", ".join(keys)


def check_same_targets(saved: SavedPlan, targets: tuple[str, ...]) -> None:
    """Refuse to apply a saved plan for other ``--target`` addresses than it was made for:
    the reviewed plan covered exactly those."""
    if targets and sorted(targets) != sorted(saved.targets):
        made = ", ".join(saved.targets) or "no --target (everything)"
        raise Refused(
            f"{saved.path} was made for {made}, not for --target {', '.join(targets)}; "
            "nothing was applied; apply it without --target, or plan again with these targets"
        )


__all__ = [
    "DamagedPlan",
    "SavedPlan",
    "check_saved_plan",
    "check_same_targets",
    "load_plan",
    "plan_from_json",
    "save_plan",
]
