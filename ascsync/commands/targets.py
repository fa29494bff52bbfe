"""``--target ADDRESS``: limit plan and apply to part of the repo, as Terraform's ``-target``.

An address is a prefix of change addresses, cut at a segment boundary:
``app[moviecatalog].version[2.4.0].locale[de-DE]`` selects the German version texts
and everything under them (its screenshot sets, their files, their order), not
``...locale[de-DE-x]``; ``app[moviecatalog].version[2.4.0].locale[de-DE].screenshots``
selects every German screenshot set. Targets are repeatable; a change is planned when
any target selects it.

What a selected change depends on is planned too, whatever the targets (a screenshot
cannot be uploaded into a set that is not created yet), as Terraform does. Only the
targeted apps are read from App Store Connect.

Like Terraform, this is for exceptional cases (trying one locale, recovering from a
partial apply); the plan says that targeting is in effect.
"""

from __future__ import annotations

import re

from ascsync.desired.model import DesiredRepo
from ascsync.engine.plan import Change, Plan
from ascsync.errors import AscsyncError

_ADDRESS = re.compile(r"^app\[([^\]]+)\](?:\.[a-z_]+(?:\[[^\]]*\])*)*(?:\.[a-z_]+)?$")


class BadTarget(AscsyncError):
    """A ``--target`` that is not an address of this repo."""


def check_targets(targets: tuple[str, ...], repo: DesiredRepo) -> tuple[str, ...]:
    """The apps the targets name (to read only those); a malformed address or an
    unknown app is an error naming what would be valid."""
    apps: list[str] = []
    for target in targets:
        match = _ADDRESS.match(target)
        if match is None:
            raise BadTarget(
                f"--target {target!r} is not an address; addresses look like "
                "app[NAME], app[NAME].version[2.4.0].locale[de-DE] or "
                "app[NAME].iap[PRODUCT_ID] (as `ascsync plan` prints them)"
            )
        name = match[1]
        if name not in repo.apps:
            known = ", ".join(f"app[{a}]" for a in sorted(repo.apps)) or "none"
            raise BadTarget(f"--target {target!r}: no app folder named {name} (known: {known})")
        if name not in apps:
            apps.append(name)
    return tuple(apps)


def selects(target: str, address: str) -> bool:
    """True when ``address`` is ``target`` or lies under it (at a segment boundary)."""
    if address == target:
        return True
    return address.startswith(target) and address[len(target)] in ".["


def narrow(plan: Plan, targets: tuple[str, ...]) -> Plan:
    """The part of ``plan`` the targets select, with what it depends on."""
    if not targets:
        return plan
    by_address = {c.address: c for c in plan.changes}
    keep: set[str] = set()
    waiting = [c.address for c in plan.changes if any(selects(t, c.address) for t in targets)]
    while waiting:
        address = waiting.pop()
        if address in keep:
            continue
        keep.add(address)
        waiting += [a for a in by_address[address].after if a in by_address]
    return Plan(
        changes=[c for c in plan.changes if c.address in keep],
        locked=[c for c in plan.locked if _selected(c, targets)],
        unsupported=[i for i in plan.unsupported if any(i.startswith(_app(t)) for t in targets)],
        requests=plan.requests,
        fingerprint=plan.fingerprint,
    )


def _selected(change: Change, targets: tuple[str, ...]) -> bool:
    return any(selects(t, change.address) for t in targets)


def _app(target: str) -> str:
    """``app[x]`` of an address (not-yet-supported items are listed per app)."""
    return target[: target.index("]") + 1]


def notice(targets: tuple[str, ...]) -> str:
    """The line every output shows while targeting is in effect."""
    return (
        f"Targeting is in effect: only changes under {', '.join(targets)} (and what they "
        "depend on) are planned; the rest of the repo is left for a plan without --target."
    )


__all__ = ["BadTarget", "check_targets", "narrow", "notice", "selects"]
