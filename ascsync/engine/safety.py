"""The deletion guard: deleting much of what exists, or a whole thing, needs ``--allow-delete``.

Deletions beyond ``max_percent`` of a JSON:API type's live resources (when at least
:data:`SAFETY_MINIMUM` exist, as octoDNS does) are refused, listing them; so is, in a
non-interactive apply, any deletion of a whole thing (``ResourceKind.deletes_whole``).
The counts come from every resource kind (``ResourceKind.live_counts``), and every type
a kind can delete (``ResourceKind.deletes``) must be counted, so no kind can delete
unguarded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

from ascsync.engine.live import LiveApp
from ascsync.engine.plan import Plan
from ascsync.errors import AscsyncError

SAFETY_MINIMUM = 10
"""Types with fewer live resources than this are not subject to the deletion threshold."""


class Refused(AscsyncError):
    """Apply will not go ahead; the message says why and what to do."""


class GuardedKind(Protocol):
    """What the deletion guard asks of a resource kind (:mod:`ascsync.kinds.base`)."""

    @property
    def name(self) -> str: ...

    @property
    def deletes(self) -> tuple[str, ...]: ...

    @property
    def deletes_whole(self) -> tuple[str, ...]: ...

    def live_counts(self, live: LiveApp) -> Counter[str]: ...


def live_counts(kinds: Sequence[GuardedKind], lives: Iterable[LiveApp]) -> Counter[str]:
    """How many resources of each deletable type exist live, over every app."""
    counts: Counter[str] = Counter()
    for live in lives:
        for kind in kinds:
            counts.update(kind.live_counts(live))
    return counts


def deletable_types(kinds: Sequence[GuardedKind]) -> set[str]:
    """Every JSON:API type some kind may delete."""
    return {resource for kind in kinds for resource in kind.deletes}


def check_whole_deletions(plan: Plan, kinds: Sequence[GuardedKind]) -> None:
    """Refuse, listing them, deletions of whole things (a locale, a set, a tester).

    Called for non-interactive applies (``--auto-approve`` or no terminal), where no
    person confirms them after reading the plan; ``--allow-delete`` is that confirmation.
    """
    whole = {resource for kind in kinds for resource in kind.deletes_whole}
    found = [c for c in plan.deletions() if c.resource in whole]
    if found:
        listed = "\n".join(f"  - {c.address}" for c in found)
        raise Refused(
            f"the plan deletes {len(found)} whole thing(s) (a locale's listing, a screenshot "
            "set, a tester...); a non-interactive apply does that only with --allow-delete. "
            f"Nothing was changed. Deletions:\n{listed}"
        )


def check_deletions(plan: Plan, counts: Counter[str], max_percent: float) -> None:
    """Refuse deletions beyond the threshold, listing them."""
    deleting = Counter(c.resource for c in plan.deletions())
    too_many = [
        resource
        for resource, n in deleting.items()
        if counts[resource] >= SAFETY_MINIMUM and n * 100 > counts[resource] * max_percent
    ]
    if too_many:
        listed = "\n".join(f"  - {c.address}" for c in plan.deletions() if c.resource in too_many)
        summary = ", ".join(f"{deleting[k]} of {counts[k]} {k}" for k in too_many)
        raise Refused(
            f"the plan deletes {summary} (over {max_percent:g} %); pass --allow-delete if "
            f"that is intended. Deletions:\n{listed}"
        )


__all__ = [
    "SAFETY_MINIMUM",
    "GuardedKind",
    "Refused",
    "check_deletions",
    "check_whole_deletions",
    "deletable_types",
    "live_counts",
]
