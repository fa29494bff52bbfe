"""The deletion guard: a plan that deletes much of what exists needs ``--allow-delete``.

Deletions beyond ``max_percent`` of a JSON:API type's live resources (when at least
:data:`SAFETY_MINIMUM` exist, as octoDNS does) are refused, listing them. The counts come
from every resource kind (``ResourceKind.live_counts``), and every type a kind can delete
(``ResourceKind.deletes``) must be counted, so no kind can delete unguarded.
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
    "deletable_types",
    "live_counts",
]
