"""Comparing a desired value with a live one, the same way for every kind of resource.

Every planner (app, version, locales, products, TestFlight) asks the same two questions:
which managed keys differ, and what each changes from and to. Secrets compare by their
revealed value but are marked sensitive when either side is one (a secret field's live
value is read as a :class:`Secret`), so no output ever shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ascsync.desired.model import Secret, Value
from ascsync.engine.plan import FieldChange


def changed(wanted: dict[str, Value], have: dict[str, Value], keys: Iterable[str]) -> list[str]:
    """The keys among ``keys`` managed in ``wanted`` whose value differs from ``have``."""
    out = []
    for key in keys:
        if key not in wanted:
            continue
        want = wanted[key].value
        live = have[key].value if key in have else None
        if isinstance(want, Secret) and not want.is_set:
            continue  # an unset !env is validate's problem; never plan it
        if not same(want, live):
            out.append(key)
    return out


def same(wanted: Any, have: Any) -> bool:
    """Equal as App Store Connect sees it: CRLF is LF, and unset, empty and null agree.
    Secrets compare by their revealed values."""
    if isinstance(wanted, Secret):
        wanted = wanted.reveal()
    if isinstance(have, Secret):
        have = have.reveal()
    if isinstance(wanted, str) and isinstance(have, str):
        return wanted.replace("\r\n", "\n") == have.replace("\r\n", "\n")
    if wanted in (None, "", []) and have in (None, "", []):
        return True
    return bool(wanted == have)


def field_changes(
    wanted: dict[str, Value],
    have: dict[str, Value],
    keys: Iterable[str],
    where: Callable[[str], str | None] | None = None,
) -> tuple[FieldChange, ...]:
    """What each of ``keys`` changes from and to; ``where(key)`` gives its repo line."""
    out = []
    for key in keys:
        want = wanted[key].value if key in wanted else None
        live = have[key].value if key in have else None
        source = where(key) if where else None
        sensitive = isinstance(want, Secret) or isinstance(live, Secret)
        out.append(FieldChange(key, live, want, sensitive=sensitive, source=source))
    return tuple(out)
