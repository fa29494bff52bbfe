"""Desired vs live for in-app purchases and subscription groups: the changes, into a Plan.

Same conventions as :mod:`ascsync.diff`; what is particular to products:

* The repo may manage only some products. A live IAP or subscription group without a
  file is left alone (never planned, never deleted). Inside a managed product, its
  localizations are managed as a set: a live locale missing from the file is deleted.
* A subscription that App Store Connect has in a managed group but the file does not
  list is *not* deleted (Apple allows deleting only products never submitted); it is
  listed as locked with a note, so the difference is visible.
* ``product_id`` is the key and ``type`` cannot change once the product exists: a
  different type is listed as locked with a note instead of being planned. A group is
  keyed by its ``reference_name``: renaming it in the file plans a new group (the old
  one is left alone, like any live product without a file).
* Products waiting for or in review cannot be edited: their changes are locked.
* Prices: an IAP's base-territory price and each listed subscription territory price are
  compared with the price in effect today; a change is a new price (Apple keeps history).

Addresses: ``app[x].iap[<product id>]`` (``.locale[<code>]``, ``.price``),
``app[x].subscription_group[<reference name>]`` (``.locale[<code>]``), and
``app[x].subscription_group[<name>].subscription[<product id>]`` (``.locale[<code>]``,
``.price[<territory>]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ascsync.desired.model import (
    IAP_FIELDS,
    SUBSCRIPTION_FIELDS,
    SUBSCRIPTION_GROUP_FIELDS,
    App,
    Field,
    Record,
    Value,
)
from ascsync.engine.compare import changed, field_changes, same
from ascsync.engine.mapping import flat_fields
from ascsync.engine.plan import Action, Change, FieldChange, Plan
from ascsync.live import LiveApp
from ascsync.live_products import LiveGroup, LiveProduct, LiveProducts, item_value

IN_REVIEW_STATES = frozenset({"WAITING_FOR_REVIEW", "IN_REVIEW"})
"""Product states in which Apple refuses edits to the product and its localizations."""

IAP_IMMUTABLE = ("type",)
"""IAP keys fixed once the product exists (``product_id`` is the key itself)."""

_IAP_ATTRIBUTES = ("reference_name", "family_sharable", "review_note")
_SUBSCRIPTION_ATTRIBUTES = (
    "reference_name",
    "period",
    "group_level",
    "family_sharable",
    "review_note",
)


# -- shared with diff_testflight -----------------------------------------------------


@dataclass
class Planner:
    """What every planning function needs: the desired app, the plan, the repo root."""

    desired: App
    plan: Plan
    root: Path

    def source(self, record: Record, key: str | None = None) -> str | None:
        """``file:line`` of ``key`` in ``record`` (its own source when absent), repo-relative."""
        where = record.where(key) if key else record.source
        if where.file is None:
            return None
        try:
            path = where.file.resolve().relative_to(self.root.resolve())
        except ValueError:
            path = where.file
        return f"{path}:{where.line}" if where.line else str(path)

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

    def lock_fixed(
        self,
        address: str,
        resource: str,
        want: dict[str, Value],
        have: dict[str, Value],
        wanted: Record,
        fixed: Iterable[str],
        note: str,
    ) -> None:
        """List each ``fixed`` key that differs live as locked (``note`` may use ``{key}``):
        Apple sets it once, when the resource is created."""
        for key in changed(want, have, fixed):
            self.lock(
                Change(
                    address,
                    Action.UPDATE,
                    resource,
                    self.desired.name,
                    fields=field_changes(want, have, [key]),
                    source=self.source(wanted, key),
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
        locked_by: str | None = None,
    ) -> None:
        """Plan one PATCH of the ``attributes`` that differ live (nothing when none do)."""
        diff = changed(want, have, attributes)
        if diff:
            self.add(
                Change(
                    address,
                    Action.UPDATE,
                    resource,
                    self.desired.name,
                    fields=field_changes(want, have, diff),
                    calls=(call,),
                    source=self.source(wanted, prefix + diff[0]),
                ),
                locked_by=locked_by,
            )


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
                planner.desired.name,
                code,
                fields=field_changes(want_attrs, have_attrs, diff),
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
                planner.desired.name,
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


# -- entry point ---------------------------------------------------------------------


def plan_products(desired: App, live: LiveApp, plan: Plan, *, root: Path) -> None:
    """Add the IAP and subscription-group changes of one app to ``plan``."""
    planner = Planner(desired, plan, root)
    products = live.products or LiveProducts()
    for product_id, wanted in desired.in_app_purchases.items():
        _plan_iap(
            planner,
            product_id,
            wanted,
            products.in_app_purchases.get(product_id),
            products.iap_ids.get(product_id),
        )
    elsewhere = {
        product_id: name
        for name, group in products.group_ids.items()
        for product_id in group.subscriptions
    }
    for name, wanted in desired.subscription_groups.items():
        _plan_group(
            planner,
            name,
            wanted,
            products.subscription_groups.get(name),
            products.group_ids.get(name),
            elsewhere,
        )


# -- in-app purchases ------------------------------------------------------------------


def _plan_iap(
    planner: Planner,
    product_id: str,
    wanted: Record,
    live: Record | None,
    ids: LiveProduct | None,
) -> None:
    address = f"{planner.desired.address}.iap[{product_id}]"
    want, have = relative(wanted), relative(live) if live else {}
    locked_by = ids.state if ids and ids.state in IN_REVIEW_STATES else None
    if ids is None:
        keys = [k for k in ("product_id", "type", *_IAP_ATTRIBUTES) if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                "inAppPurchases",
                planner.desired.name,
                fields=field_changes(want, {}, keys),
                calls=("POST /v2/inAppPurchases",),
                source=planner.source(wanted, "product_id"),
            )
        )
    else:
        planner.lock_fixed(
            address,
            "inAppPurchases",
            want,
            have,
            wanted,
            IAP_IMMUTABLE,
            "{key} is fixed once the product exists; use a new product_id",
        )
        planner.update(
            address,
            "inAppPurchases",
            want,
            have,
            wanted,
            _IAP_ATTRIBUTES,
            "PATCH /v2/inAppPurchases/{id}",
            locked_by=locked_by,
        )
    _plan_iap_price(planner, address, wanted, want, have, ids, locked_by)
    plan_locales(
        planner,
        owner=address,
        wanted=wanted,
        live=live,
        map_key="localizations",
        live_ids=ids.localizations if ids else {},
        resource="inAppPurchaseLocalizations",
        fields=_locale_fields(IAP_FIELDS),
        locked_by=locked_by,
    )


def _plan_iap_price(
    planner: Planner,
    address: str,
    wanted: Record,
    want: dict[str, Value],
    have: dict[str, Value],
    ids: LiveProduct | None,
    locked_by: str | None,
) -> None:
    keys = changed(want, have, ("price.base_territory", "price.customer_price"))
    if not keys:
        return
    exists = ids is not None and "price.customer_price" in have
    planner.add(
        Change(
            f"{address}.price",
            Action.UPDATE if exists else Action.CREATE,
            "inAppPurchasePriceSchedules",
            planner.desired.name,
            fields=field_changes(want, have, keys),
            calls=(
                "GET /v2/inAppPurchases/{id}/pricePoints",
                # an existing schedule's other manual prices are kept in the new one
                *(("GET /v1/inAppPurchasePriceSchedules/{id}/manualPrices",) if exists else ()),
                "POST /v1/inAppPurchasePriceSchedules",
            ),
            after=(address,),
            source=planner.source(wanted, keys[-1]),
        ),
        locked_by=locked_by,
    )


# -- subscription groups -----------------------------------------------------------------


def _plan_group(
    planner: Planner,
    name: str,
    wanted: Record,
    live: Record | None,
    ids: LiveGroup | None,
    live_group_of: dict[str, str],
) -> None:
    """The group, its locales and subscriptions. ``live_group_of``: product id -> live group."""
    address = f"{planner.desired.address}.subscription_group[{name}]"
    if ids is None:
        planner.add(
            Change(
                address,
                Action.CREATE,
                "subscriptionGroups",
                planner.desired.name,
                fields=field_changes(relative(wanted), {}, ["reference_name"]),
                calls=("POST /v1/subscriptionGroups",),
                source=planner.source(wanted, "reference_name"),
            )
        )
    plan_locales(
        planner,
        owner=address,
        wanted=wanted,
        live=live,
        map_key="localizations",
        live_ids=ids.localizations if ids else {},
        resource="subscriptionGroupLocalizations",
        fields=_locale_fields(SUBSCRIPTION_GROUP_FIELDS),
    )
    live_subs = {
        item_value(sub, "product_id"): sub
        for sub in (live.lists.get("subscriptions", []) if live else [])
    }
    wanted_ids = set()
    for sub in wanted.lists.get("subscriptions", []):
        product_id = item_value(sub, "product_id")
        if not isinstance(product_id, str):
            continue
        wanted_ids.add(product_id)
        if live_group_of.get(product_id, name) != name:
            _cannot_move(planner, address, product_id, sub, live_group_of[product_id])
            continue
        sub_ids = ids.subscriptions.get(product_id) if ids else None
        _plan_subscription(planner, address, product_id, sub, live_subs.get(product_id), sub_ids)
    if ids is not None and "subscriptions" in wanted.lists:
        for product_id in sorted(set(ids.subscriptions) - wanted_ids):
            planner.lock(
                Change(
                    f"{address}.subscription[{product_id}]",
                    Action.DELETE,
                    "subscriptions",
                    planner.desired.name,
                    source=planner.source(wanted, "reference_name"),
                    note="in App Store Connect but not in the group file; ascsync does not "
                    "delete subscriptions (add it to the file, or remove it in App Store Connect)",
                )
            )


def _cannot_move(
    planner: Planner, address: str, product_id: str, wanted: Record, live_group: str
) -> None:
    """A subscription filed under another group than the one it has live: Apple cannot move it."""
    planner.lock(
        Change(
            f"{address}.subscription[{product_id}]",
            Action.CREATE,
            "subscriptions",
            planner.desired.name,
            source=planner.source(wanted, item_prefix(wanted) + "product_id"),
            note=f"exists in the group {live_group!r}; subscriptions cannot move between groups",
        )
    )


def _plan_subscription(
    planner: Planner,
    group_address: str,
    product_id: str,
    wanted: Record,
    live: Record | None,
    ids: LiveProduct | None,
) -> None:
    address = f"{group_address}.subscription[{product_id}]"
    prefix = item_prefix(wanted)
    want = relative(wanted, prefix)
    have = relative(live, item_prefix(live)) if live else {}
    locked_by = ids.state if ids and ids.state in IN_REVIEW_STATES else None
    if ids is None:
        keys = [k for k in ("product_id", *_SUBSCRIPTION_ATTRIBUTES) if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                "subscriptions",
                planner.desired.name,
                fields=field_changes(want, {}, keys),
                calls=("POST /v1/subscriptions",),
                after=(group_address,),
                source=planner.source(wanted, prefix + "product_id"),
            )
        )
    else:
        planner.update(
            address,
            "subscriptions",
            want,
            have,
            wanted,
            _SUBSCRIPTION_ATTRIBUTES,
            "PATCH /v1/subscriptions/{id}",
            prefix=prefix,
            locked_by=locked_by,
        )
    plan_locales(
        planner,
        owner=address,
        wanted=wanted,
        live=live,
        map_key=prefix + "localizations",
        live_ids=ids.localizations if ids else {},
        resource="subscriptionLocalizations",
        fields=_locale_fields(SUBSCRIPTION_FIELDS),
        locked_by=locked_by,
    )
    _plan_subscription_prices(planner, address, wanted, live, ids, prefix)


def _plan_subscription_prices(
    planner: Planner,
    address: str,
    wanted: Record,
    live: Record | None,
    ids: LiveProduct | None,
    prefix: str,
) -> None:
    """One change per listed territory whose price differs; unlisted territories are kept."""
    have = {
        item_value(item, "territory"): item_value(item, "customer_price")
        for item in (_live_list(live, "prices") if live else [])
    }
    for item in wanted.lists.get(prefix + "prices", []):
        territory = item_value(item, "territory")
        price = item_value(item, "customer_price")
        if not isinstance(territory, str) or same(price, have.get(territory)):
            continue
        exists = territory in have
        key = next(k for k in item.attrs if k.endswith(".customer_price"))
        planner.add(
            Change(
                f"{address}.price[{territory}]",
                Action.UPDATE if exists else Action.CREATE,
                "subscriptionPrices",
                planner.desired.name,
                fields=(FieldChange("customer_price", have.get(territory), price),),
                calls=("GET /v1/subscriptions/{id}/pricePoints", "POST /v1/subscriptionPrices"),
                after=(address,),
                source=planner.source(item, key),
            ),
            locked_by=ids.state if ids and ids.state in IN_REVIEW_STATES else None,
        )


def _live_list(record: Record, suffix: str) -> list[Record]:
    return next((v for k, v in record.lists.items() if k.rsplit(".", 1)[-1] == suffix), [])


def _locale_fields(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    return next(f.fields for f in fields if f.key == "localizations")


__all__ = [
    "Planner",
    "field_order",
    "item_prefix",
    "plan_locales",
    "plan_products",
    "relative",
]
