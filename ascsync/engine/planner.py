"""Desired vs live: what every kind's planning shares, and the plan of one app.

Rules that hold for every kind:

* Only what the repo manages is compared: a key absent from the repo is never planned.
* A field that cannot be edited in the resource's current state (a version in review, a
  product waiting for review) is not planned but listed as *locked*, with the state.
* A field set once at creation (``Field.fixed``, Terraform's RequiresReplace) that
  differs live is listed as locked with what to do instead.
* Sub-resources (localizations, list items) are matched by their key (locale, product
  id, email), never by position.

A kind plans by calling :class:`Planner`'s helpers; :func:`plan_app` runs every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ascsync.desired.model import App, Field, Record, Value
from ascsync.engine.compare import changed, field_changes
from ascsync.engine.live import LiveApp
from ascsync.engine.mapping import flat_fields
from ascsync.engine.plan import Action, Change, FieldChange, Plan

Checksum = Callable[[Path], str]


class PlanKind(Protocol):
    """What planning asks of a resource kind (:mod:`ascsync.kinds.base`)."""

    def plan(self, planner: Planner) -> None: ...


class Planner:
    """What every kind's planning needs: both sides, the plan, the repo root, checksums."""

    def __init__(
        self, desired: App, live: LiveApp, plan: Plan, root: Path, checksum: Checksum
    ) -> None:
        self.desired = desired
        self.live = live
        self.plan = plan
        self.root = root
        self.checksum = checksum

    @property
    def app(self) -> str:
        """The app folder name every change carries."""
        return self.desired.name

    def source(self, record: Record, key: str | None = None) -> str | None:
        """``file:line`` of ``key`` in ``record`` (its own source when absent), repo-relative."""
        where = record.where(key) if key else record.source
        if where.file is None:
            return None
        path = self.rel(where.file)
        return f"{path}:{where.line}" if where.line else path

    def rel(self, path: Path) -> str:
        """``path`` relative to the repo root (as given when outside it)."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def field_changes(
        self,
        want: dict[str, Value],
        have: dict[str, Value],
        keys: Iterable[str],
        record: Record,
        prefix: str = "",
    ) -> tuple[FieldChange, ...]:
        """Before and after of ``keys``, each with the repo line it was written at."""
        return field_changes(want, have, keys, lambda key: self.source(record, prefix + key))

    def add(self, change: Change, *, locked_by: str | None = None) -> None:
        """Plan the change, or list it as locked when the resource's state forbids it."""
        if not locked_by:
            self.plan.changes.append(change)
            return
        why = f"not editable while {locked_by}"
        note = f"{change.note}; {why}" if change.note else why
        self.plan.locked.append(Change(**{**change.__dict__, "note": note}))

    def lock(self, change: Change) -> None:
        """List a wanted change that cannot be planned; ``change.note`` says why."""
        self.plan.locked.append(change)

    def refuse(self, record: Record, key: str, message: str, valid: str) -> None:
        """Something App Store Connect would refuse, known only now that live state is read:
        the plan is not applied (and ``validate`` could only warn about it)."""
        shown = self.source(record, key) or self.app
        self.plan.refused.append(f"{shown}: {key}: {message} ({valid})")

    def unsupported(self, item: str) -> None:
        """A managed repo key this version cannot apply: listed, never silently ignored."""
        self.plan.unsupported.append(item)

    def lock_fixed(
        self,
        address: str,
        resource: str,
        want: dict[str, Value],
        have: dict[str, Value],
        wanted: Record,
        fields: Iterable[Field],
        note: str,
        *,
        prefix: str = "",
    ) -> None:
        """List each field fixed at creation (``Field.fixed``) that differs live as locked
        (``note`` may use ``{key}``)."""
        fixed = [key for key, spec in flat_fields(fields) if spec.fixed]
        for key in changed(want, have, fixed):
            self.lock(
                Change(
                    address,
                    Action.UPDATE,
                    resource,
                    self.app,
                    fields=self.field_changes(want, have, [key], wanted, prefix),
                    source=self.source(wanted, prefix + key),
                    note=note.format(key=key),
                )
            )

    def update(
        self,
        address: str,
        resource: str,
        want: dict[str, Value],
        have: dict[str, Value],
        wanted: Record,
        attributes: Iterable[str],
        call: str,
        *,
        prefix: str = "",
        locale: str | None = None,
        after: tuple[str, ...] = (),
        locked_by: str | None = None,
        action: Action = Action.UPDATE,
    ) -> None:
        """Plan one PATCH of the ``attributes`` that differ live (nothing when none do);
        ``action`` CREATE for a to-one resource Apple creates with its first values."""
        diff = changed(want, have, attributes)
        if diff:
            self.add(
                Change(
                    address,
                    action,
                    resource,
                    self.app,
                    locale,
                    fields=self.field_changes(want, have, diff, wanted, prefix),
                    calls=(call,),
                    after=after,
                    source=self.source(wanted, prefix + diff[0]),
                ),
                locked_by=locked_by,
            )


def plan_app(
    desired: App, live: LiveApp, kinds: Sequence[PlanKind], *, root: Path, checksum: Checksum
) -> Plan:
    """Every change for one app, kind by kind (``Plan.ordered`` sorts them)."""
    planner = Planner(desired, live, Plan(), root, checksum)
    for kind in kinds:
        kind.plan(planner)
    return planner.plan


# -- records of nested fields ------------------------------------------------------------


def relative(record: Record, prefix: str = "") -> dict[str, Value]:
    """``record.attrs`` with ``prefix`` cut off the keys (``localizations.ja.name``: ``name``)."""
    return {k[len(prefix) :]: v for k, v in record.attrs.items() if k.startswith(prefix)}


def item_prefix(record: Record) -> str:
    """``subscriptions[1].`` for an item of a LIST field, from any of its keys."""
    for key in [*record.attrs, *record.maps, *record.lists]:
        head, sep, _ = key.partition("].")
        if sep:
            return head + sep
    return ""


def item_value(record: Record, key: str) -> Any:
    """The value of ``key`` in a list item whose keys carry its index (``subscriptions[1].key``)."""
    return next((v.value for k, v in record.attrs.items() if k.rsplit(".", 1)[-1] == key), None)


def field_order(fields: Iterable[Field]) -> list[str]:
    """Leaf keys of a field table in declaration order (``price.customer_price``...)."""
    return [key for key, _ in flat_fields(fields)]


def plan_locales(
    planner: Planner,
    *,
    owner: str,
    wanted: Record,
    live: Record | None,
    map_key: str,
    live_ids: dict[str, str],
    resource: str,
    fields: Iterable[Field],
    locked_by: str | None = None,
) -> None:
    """Create, update and delete the localizations of one owner (managed as a set).

    ``map_key`` is the LOCALES field's key in the records (``localizations`` or
    ``subscriptions[1].localizations``); ``owner`` the owner's address, which a new
    localization waits for.
    """
    if map_key not in wanted.maps:
        return
    keys = field_order(fields)
    wanted_locales = wanted.maps[map_key]
    live_locales = live.maps.get(_live_map_key(live, map_key), {}) if live else {}
    for code, want in wanted_locales.items():
        have = live_locales.get(code)
        prefix = f"{map_key}.{code}."
        want_attrs = relative(want, prefix)
        have_attrs = relative(have, _prefix_of(have, code)) if have else {}
        diff = changed(want_attrs, have_attrs, keys)
        if not diff:
            continue
        exists = code in live_ids
        planner.add(
            Change(
                f"{owner}.locale[{code}]",
                Action.UPDATE if exists else Action.CREATE,
                resource,
                planner.app,
                code,
                fields=planner.field_changes(want_attrs, have_attrs, diff, want, prefix),
                calls=(f"PATCH /v1/{resource}/{{id}}",) if exists else (f"POST /v1/{resource}",),
                after=() if exists else (owner,),
                source=planner.source(want, prefix + diff[0]),
            ),
            locked_by=locked_by,
        )
    for code in sorted(set(live_ids) - set(wanted_locales)):
        planner.add(
            Change(
                f"{owner}.locale[{code}]",
                Action.DELETE,
                resource,
                planner.app,
                code,
                calls=(f"DELETE /v1/{resource}/{{id}}",),
                source=planner.source(wanted, map_key),
                note="locale not in the file",
            ),
            locked_by=locked_by,
        )


def _live_map_key(live: Record, map_key: str) -> str:
    """The live record's key for the same LOCALES field (its list index may differ)."""
    suffix = map_key.rsplit(".", 1)[-1]
    return next((k for k in live.maps if k.rsplit(".", 1)[-1] == suffix), map_key)


def _prefix_of(record: Record, code: str) -> str:
    """The key prefix up to and including ``.<code>.`` in a localization record."""
    marker = f".{code}."
    for key in record.attrs:
        at = key.find(marker)
        if at >= 0:
            return key[: at + len(marker)]
    return ""


__all__ = [
    "Checksum",
    "PlanKind",
    "Planner",
    "field_order",
    "item_prefix",
    "item_value",
    "plan_app",
    "plan_locales",
    "relative",
]
