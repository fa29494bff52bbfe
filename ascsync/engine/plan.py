"""A plan: the ordered list of changes that would make App Store Connect match the repo.

Each :class:`Change` has a stable address (``app[moviecatalog].version[2.4.0].locale[de-DE]``),
an action, the fields before and after, the API calls it needs, and the addresses it
must wait for. :meth:`Plan.ordered` puts creates and updates first in dependency order
(a version before its localizations, a localization before its screenshot sets, a set
before its screenshots), then deletions, then reorders, so a partial apply never
deletes something before its replacement exists. Within a phase, a localization's
changes stay together, in the order they were planned.

A saved plan carries a fingerprint of the live state it was computed from; apply
refuses a plan whose fingerprint no longer matches.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ascsync.desired.model import Secret

SCHEMA_VERSION = 1
SENSITIVE = "(sensitive)"
USUAL_HOURLY_LIMIT = 3500
"""Requests per hour Apple usually gives a key [A], when no answer has said otherwise."""


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    UPLOAD = "upload"
    REPLACE = "replace"
    REORDER = "reorder"


SIGNS = {
    Action.CREATE: "+",
    Action.UPLOAD: "+",
    Action.UPDATE: "~",
    Action.REORDER: "~",
    Action.DELETE: "-",
    Action.REPLACE: "±",
}
"""Terraform-like signs for the human view."""

_PHASE = {
    Action.CREATE: 0,
    Action.UPDATE: 0,
    Action.UPLOAD: 0,
    Action.REPLACE: 0,
    Action.DELETE: 1,
    Action.REORDER: 2,
}


@dataclass(frozen=True)
class FieldChange:
    """One field of a change. ``None`` before means unset live; after means clear it.

    ``source`` is the ``file:line`` the wanted value was written at (drift points there);
    it is not part of the plan's JSON form.
    """

    name: str
    before: Any
    after: Any
    sensitive: bool = False
    source: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        if self.sensitive:
            return {"name": self.name, "sensitive": True}
        return {
            "name": self.name,
            "before": plain_value(self.before),
            "after": plain_value(self.after),
        }


@dataclass(frozen=True)
class Change:
    """One resource-level change."""

    address: str
    action: Action
    resource: str
    app: str
    locale: str | None = None
    fields: tuple[FieldChange, ...] = ()
    calls: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    source: str | None = None
    note: str | None = None
    live_id: str | None = None
    """The live resource a delete or replace acts on, when its address alone is ambiguous."""
    makes_room: bool = field(default=False, compare=False)
    """A delete that frees a place its siblings need (a set holds at most 10 screenshots):
    apply runs it with the creates, before any create under the same parent."""
    kind: str | None = field(default=None, compare=False)
    """The resource kind that compiles this change, when it is not the kind that owns its
    type: a custom product page's screenshots are ``appScreenshots`` too, but their
    parent, their set and their state belong to the custom product page kind."""

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "action": self.action.value,
            "resource": self.resource,
            "app": self.app,
            "locale": self.locale,
            "fields": [f.to_json() for f in self.fields],
            "calls": list(self.calls),
            "depends_on": list(self.after),
            "source": self.source,
            "note": self.note,
            "live_id": self.live_id,
        }


@dataclass
class Plan:
    """Changes to make, changes wanted but locked by the version's state, and the cost."""

    changes: list[Change] = field(default_factory=list)
    locked: list[Change] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    """Managed repo keys ascsync cannot apply yet: listed so nothing is silently ignored."""
    refused: list[str] = field(default_factory=list)
    """``file:line: field: message (valid)`` of what App Store Connect would refuse, known
    only once live state is read (a new locale without the name Apple requires): such a
    plan is not applied, rather than failing half-way with a 409."""
    requests: int = 0
    fingerprint: str = ""
    hourly_limit: int | None = None
    """The key's hourly request budget, as App Store Connect reported it while planning."""

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def merge(self, other: Plan) -> None:
        """Add another app's plan to this one."""
        self.changes += other.changes
        self.locked += other.locked
        self.unsupported += other.unsupported
        self.refused += other.refused

    def counts(self) -> Counter[Action]:
        return Counter(change.action for change in self.changes)

    def deletions(self) -> list[Change]:
        return [c for c in self.changes if c.action is Action.DELETE]

    def summary(self) -> str:
        """``N to create, N to update, N to delete, N uploads`` (replace counts as both)."""
        counts = self.counts()
        create = counts[Action.CREATE] + counts[Action.REPLACE]
        update = counts[Action.UPDATE] + counts[Action.REORDER]
        delete = counts[Action.DELETE] + counts[Action.REPLACE]
        return (
            f"{create} to create, {update} to update, {delete} to delete, "
            f"{counts[Action.UPLOAD] + counts[Action.REPLACE]} uploads"
        )

    def apply_requests(self) -> int:
        """About how many API requests ``apply`` will send for this plan.

        Its own read of live state (what planning cost), each change's calls (upload PUTs
        go to Apple's upload hosts, outside the budget), a reorder's read of the set, and
        one status check per localization receiving uploads. Retries come on top.
        """
        calls = sum(
            max(1, sum(times(c) for c in change.calls if not c.startswith("PUT ")))
            for change in self.changes
        )
        counts = self.counts()
        settling = {
            localization_of(c.address)
            for c in self.changes
            if c.action in (Action.UPLOAD, Action.REPLACE)
        }
        return self.requests + calls + counts[Action.REORDER] + len(settling)

    def cost(self) -> str:
        """``≈ 4,300 API requests ≈ 74 min of this key's hourly budget (3,500/h)``."""
        limit = self.hourly_limit or USUAL_HOURLY_LIMIT
        whose = "this key's" if self.hourly_limit else "the usual"
        requests = self.apply_requests()
        share = requests / limit * 60
        length = f"{share:.0f} min" if share >= 1 else "under a minute"
        return f"≈ {requests:,} API requests ≈ {length} of {whose} hourly budget ({limit:,}/h)"

    def ordered(self) -> list[Change]:
        """Changes in an order that satisfies every dependency, then by phase, then by the
        localization they belong to (a locale's screenshots right after its text, though
        another kind planned them), then in the order they were planned."""
        groups: dict[str, int] = {}
        for change in self.changes:
            groups.setdefault(localization_of(change.address), len(groups))

        def rank(i: int) -> tuple[int, int, int]:
            change = self.changes[i]
            return (_PHASE[change.action], groups[localization_of(change.address)], i)

        index = {c.address: i for i, c in enumerate(self.changes)}
        waiting_on = {
            i: {index[a] for a in c.after if a in index} for i, c in enumerate(self.changes)
        }
        dependants: dict[int, list[int]] = {i: [] for i in waiting_on}
        for i, deps in waiting_on.items():
            for dep in deps:
                dependants[dep].append(i)
        ready = [(rank(i), i) for i, deps in waiting_on.items() if not deps]
        heapq.heapify(ready)
        result: list[Change] = []
        while ready:
            _, i = heapq.heappop(ready)
            result.append(self.changes[i])
            for j in dependants[i]:
                waiting_on[j].discard(i)
                if not waiting_on[j]:
                    heapq.heappush(ready, (rank(j), j))
        if len(result) != len(self.changes):
            cycle = [self.changes[i].address for i, deps in waiting_on.items() if deps]
            raise ValueError(f"plan has a dependency cycle among: {', '.join(cycle)}")
        return result

    def to_json(self) -> dict[str, Any]:
        """The stable, versioned JSON form (``--format json`` and ``--out plan.json``)."""
        counts = self.counts()
        return {
            "schema_version": SCHEMA_VERSION,
            "fingerprint": self.fingerprint,
            "requests": self.requests,
            "hourly_limit": self.hourly_limit,
            "summary": {action.value: counts[action] for action in Action},
            "deletions": len(self.deletions()),
            "changes": [c.to_json() for c in self.ordered()],
            "locked": [c.to_json() for c in self.locked],
            "not_yet_supported": list(self.unsupported),
            "refused": list(self.refused),
        }


def times(call: str) -> int:
    """How many requests one ``calls`` entry stands for: ``POST /v1/x ×176`` is one per
    territory; a plain entry is one."""
    head, sep, count = call.rpartition(" ×")
    return int(count) if sep and count.isdigit() else 1


def fingerprint(live_snapshot: Any) -> str:
    """SHA-256 of the canonical JSON of the live state a plan was computed from."""
    canonical = json.dumps(plain_value(live_snapshot), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def plain_value(value: Any) -> Any:
    """JSON-safe value; anything sensitive-looking is masked, never serialised."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, Secret):
        return SENSITIVE
    return str(value)


_SEGMENT = re.compile(r"\.?([a-z_]+)((?:\[[^\]]*\])*)")


def parse_address(address: str) -> list[tuple[str, list[str]]]:
    """``app[x].version[2.4.0].screenshots[T][f.png]`` -> ``[("app", ["x"]), ...]``.

    Keys are bracketed, so dots inside them (versions, product ids) are safe.
    """
    parts = []
    for match in _SEGMENT.finditer(address):
        keys = re.findall(r"\[([^\]]*)\]", match.group(2))
        parts.append((match.group(1), keys))
    return parts


def localization_of(address: str) -> str:
    """The address up to its ``locale[...]`` segment (the whole address when it has none):
    ``...locale[de-DE]`` for ``...locale[de-DE].screenshots[T][01.png]``."""
    at = address.find(".locale[")
    if at < 0:
        return address
    return address[: address.index("]", at) + 1]


def address_keys(address: str) -> dict[str, list[str]]:
    """The segments of an address by name (``{"locale": ["de-DE"], ...}``)."""
    return dict(parse_address(address))
