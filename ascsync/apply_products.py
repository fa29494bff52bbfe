"""Carrying out product changes: in-app purchases, subscription groups, subscriptions.

Each planned :class:`~ascsync.engine.plan.Change` of :mod:`ascsync.diff_products` becomes the
API calls it lists. What is particular to products:

* IAPs live under ``/v2/inAppPurchases`` (JSON:API type still ``inAppPurchases``); their
  localizations, groups and subscriptions under ``/v1``.
* A parent created earlier in the same run (a new group, then its subscriptions) is
  referenced by its plan address; the :class:`~ascsync.apply.Ids` of the run map it to the
  id the create handed out. Parents that already exist use the ids the live read stored.
* Prices are set through price *points*: the point of (territory, customer price) is
  looked up first, so a price Apple does not offer fails with the nearest ones it does.
  An IAP price is a new price schedule (base territory plus its manual price; Apple
  equalizes the other territories). A schedule replaces the previous one, so manual
  prices of other territories set by hand are read and carried over. A subscription
  price is one ``subscriptionPrices`` create per territory, starting now.
* After a create that may have reached Apple (a timeout), the resource is looked up by
  its key (locale, product id, reference name) and adopted rather than created twice.

:data:`COMPILERS` maps JSON:API types to compilers; :mod:`ascsync.apply` merges it in.
The building blocks (:class:`Parent`, :func:`create_op`, :func:`localization_op`) are
shared with :mod:`ascsync.apply_testflight`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ascsync.api.client import ApiClient, MaybeAppliedError
from ascsync.api.jsonapi import resource_body
from ascsync.apply import Ids, Op, _delete, _need, _patch
from ascsync.desired.model import (
    IAP_FIELDS,
    LIVE,
    SUBSCRIPTION_FIELDS,
    SUBSCRIPTION_GROUP_FIELDS,
    App,
    Field,
    Record,
)
from ascsync.diff_products import item_prefix, relative
from ascsync.engine.mapping import apple_changes
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.errors import AscsyncError
from ascsync.live import LiveApp
from ascsync.live_products import LiveGroup, LiveProduct, LiveProducts, item_value

Compiler = Callable[[Change, App, LiveApp], Op]

SETTLE_SECONDS = 1.0
"""How long to wait before a second look for a create that timed out: the request may
still be running at Apple when the first look finds nothing."""

PRICE_POINTS_PER_PAGE = 8000
"""``limit`` maximum of the two ``pricePoints`` listings (Apple allows more than 200 here)."""


# -- shared building blocks (also used by apply_testflight) ------------------------------


@dataclass(frozen=True)
class Parent:
    """A resource a new one hangs off: live already, or created earlier in this run.

    ``collection`` is the path its children are listed under (``/v2/inAppPurchases``), so
    a create that may have been applied can be looked up under it.
    """

    type: str
    live_id: str | None
    address: str
    collection: str

    def id(self, ids: Ids) -> str:
        return self.live_id or ids.get(self.address)


def create_op(
    path: str,
    resource: str,
    attributes: dict[str, Any],
    parents: dict[str, Parent],
    address: str,
    find: Callable[[ApiClient, dict[str, str]], str | None] | None = None,
) -> Op:
    """POST a new resource under its parents and record its id under ``address``.

    ``find(client, parent ids by relationship)`` looks the resource up after a POST that
    timed out, so a retry adopts it instead of creating a duplicate.
    """

    def run(client: ApiClient, ids: Ids) -> None:
        parent_ids = {name: parent.id(ids) for name, parent in parents.items()}
        relationships = {
            name: (parents[name].type, parent_id) for name, parent_id in parent_ids.items()
        }
        body = resource_body(
            resource, {k: v for k, v in attributes.items() if v is not None}, relationships
        )
        try:
            created = client.post(path, body)
        except MaybeAppliedError:
            found = _look_twice(find, client, parent_ids) if find else None
            if found is None:
                raise
            ids.set(address, found)
            return
        ids.set(address, created.data["id"])  # type: ignore[index]

    return Op(run)


def _look_twice(
    find: Callable[[ApiClient, dict[str, str]], str | None],
    client: ApiClient,
    parent_ids: dict[str, str],
) -> str | None:
    found = find(client, parent_ids)
    if found is None:
        time.sleep(SETTLE_SECONDS)
        found = find(client, parent_ids)
    return found


def find_child(
    client: ApiClient,
    path: str,
    resource: str,
    attribute: str,
    value: str,
    filters: dict[str, str] | None = None,
) -> str | None:
    """The id of the resource listed at ``path`` whose ``attribute`` equals ``value``.

    ``filters`` narrow the listing server-side (``{"productId": value}``) where Apple
    offers a filter; the match is checked here either way.
    """
    params: dict[str, Any] = {f"filter[{k}]": [v] for k, v in (filters or {}).items()}
    params[f"fields[{resource}]"] = [attribute]
    doc = client.get_all(path, params)
    return next(
        (r["id"] for r in doc.resources() if (r.get("attributes") or {}).get(attribute) == value),
        None,
    )


def attributes_for(
    fields: tuple[Field, ...], change: Change, record: Record, prefix: str, resource: str
) -> dict[str, Any]:
    """Apple attributes of the changed fields, read from ``record`` (keys under ``prefix``)."""
    flat = Record(LIVE, relative(record, prefix))
    keys = [f.name for f in change.fields]
    return apple_changes(fields, keys, flat).get(resource, {})


def localization_op(
    change: Change,
    *,
    fields: tuple[Field, ...],
    wanted: Record | None,
    prefix: str,
    parent_relationship: str,
    parent: Parent,
    live_id: str | None,
) -> Op:
    """Create, update or delete one localization (all localization types are ``/v1``)."""
    resource = change.resource
    code = change.locale or address_keys(change.address)["locale"][0]
    if change.action is Action.DELETE:
        return _delete(resource, _need(live_id, f"{code} localization"))
    if wanted is None:
        raise AscsyncError(f"{change.address}: the {code} localization is not in the repo")
    attributes = attributes_for(fields, change, wanted, prefix, resource)
    if change.action is Action.UPDATE:
        return _patch(resource, _need(live_id, f"{code} localization"), attributes)
    return create_op(
        f"/v1/{resource}",
        resource,
        {"locale": code, **attributes},
        {parent_relationship: parent},
        change.address,
        find=lambda client, parent_ids: find_child(
            client,
            f"{parent.collection}/{parent_ids[parent_relationship]}/{resource}",
            resource,
            "locale",
            code,
        ),
    )


def price_point(
    client: ApiClient, path: str, resource: str, territory: str, customer_price: Any
) -> str:
    """The id of the price point of ``customer_price`` in ``territory`` listed at ``path``."""
    wanted = _decimal(customer_price)
    doc = client.get_all(
        path,
        {
            "filter[territory]": [territory],
            f"fields[{resource}]": ["customerPrice"],
            "limit": PRICE_POINTS_PER_PAGE,
        },
    )
    offered: dict[Decimal, str] = {}
    for point in doc.resources():
        price = _decimal((point.get("attributes") or {}).get("customerPrice"))
        if price is not None:
            offered.setdefault(price, point["id"])
    if wanted is not None and wanted in offered:
        return offered[wanted]
    if not offered:
        raise AscsyncError(f"App Store Connect offers no prices in {territory} for this product")
    nearest = sorted(offered, key=lambda p: abs(p - (wanted or Decimal(0))))[:3]
    shown = ", ".join(str(p) for p in sorted(nearest))
    raise AscsyncError(
        f"{customer_price} is not a price App Store Connect offers in {territory} "
        f"(valid nearby: {shown})"
    )


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


# -- in-app purchases --------------------------------------------------------------------


def _products(live: LiveApp) -> LiveProducts:
    return live.products or LiveProducts()


def _iap(
    change: Change, desired: App, live: LiveApp
) -> tuple[str, str, Record, LiveProduct | None]:
    """(product id, IAP address, desired record, live ids) of the IAP a change is about."""
    product_id = address_keys(change.address)["iap"][0]
    address = f"{desired.address}.iap[{product_id}]"
    return (
        product_id,
        address,
        desired.in_app_purchases[product_id],
        _products(live).iap_ids.get(product_id),
    )


def _iap_parent(address: str, ids: LiveProduct | None) -> Parent:
    return Parent("inAppPurchases", ids.id if ids else None, address, "/v2/inAppPurchases")


def compile_iap(change: Change, desired: App, live: LiveApp) -> Op:
    product_id, address, wanted, ids = _iap(change, desired, live)
    attributes = attributes_for(IAP_FIELDS, change, wanted, "", "inAppPurchases")
    if change.action is Action.UPDATE:
        return _patch_v2("inAppPurchases", _need(ids.id if ids else None, product_id), attributes)
    app = Parent("apps", live.app_id, desired.address, "/v1/apps")
    return create_op(
        "/v2/inAppPurchases",
        "inAppPurchases",
        attributes,
        {"app": app},
        address,
        find=lambda client, parent_ids: find_child(
            client,
            f"/v1/apps/{parent_ids['app']}/inAppPurchasesV2",
            "inAppPurchases",
            "productId",
            product_id,
            {"productId": product_id},
        ),
    )


def _patch_v2(resource: str, id_: str, attributes: dict[str, Any]) -> Op:
    def run(client: ApiClient, ids: Ids) -> None:
        client.patch(f"/v2/{resource}/{id_}", resource_body(resource, attributes, id_=id_))

    return Op(run)


def compile_iap_localization(change: Change, desired: App, live: LiveApp) -> Op:
    _, address, wanted, ids = _iap(change, desired, live)
    code = address_keys(change.address)["locale"][0]
    return localization_op(
        change,
        fields=_locale_fields(IAP_FIELDS),
        wanted=wanted.maps.get("localizations", {}).get(code),
        prefix=f"localizations.{code}.",
        parent_relationship="inAppPurchaseV2",
        parent=_iap_parent(address, ids),
        live_id=ids.localizations.get(code) if ids else None,
    )


def compile_iap_price(change: Change, desired: App, live: LiveApp) -> Op:
    """GET the price point of the base territory, then POST a new price schedule.

    A new schedule replaces the whole previous one, so the manual prices of other
    territories (set in App Store Connect by hand) are read first and carried over.
    """
    product_id, address, wanted, ids = _iap(change, desired, live)
    live_record = _products(live).in_app_purchases.get(product_id)
    territory = wanted.get("price.base_territory") or (
        live_record.get("price.base_territory") if live_record else None
    )
    price = wanted.get("price.customer_price")
    if not territory or price is None:
        raise AscsyncError(
            f"{change.address}: a price needs price.base_territory and price.customer_price"
        )
    parent = _iap_parent(address, ids)
    schedule_id = ids.price_schedule_id if ids else None

    def run(client: ApiClient, run_ids: Ids) -> None:
        iap_id = parent.id(run_ids)
        point = price_point(
            client,
            f"/v2/inAppPurchases/{iap_id}/pricePoints",
            "inAppPurchasePricePoints",
            territory,
            price,
        )
        kept = _other_manual_prices(client, schedule_id, territory) if schedule_id else []
        body = _schedule_body(iap_id, territory, [ManualPrice(point, None), *kept])
        client.post("/v1/inAppPurchasePriceSchedules", body)

    return Op(run)


@dataclass(frozen=True)
class ManualPrice:
    """A manual price of a schedule: its price point, and when it starts (None: now)."""

    point_id: str
    start_date: str | None


def _other_manual_prices(client: ApiClient, schedule_id: str, base: str) -> list[ManualPrice]:
    """The schedule's manual prices outside ``base`` that are in effect or still to come."""
    doc = client.get_all(
        f"/v1/inAppPurchasePriceSchedules/{schedule_id}/manualPrices",
        {"include": ["inAppPurchasePricePoint", "territory"]},
    )
    today = dt.date.today().isoformat()
    kept = []
    for price in doc.resources():
        attributes = price.get("attributes") or {}
        end = attributes.get("endDate")
        territory = ((price.get("relationships") or {}).get("territory") or {}).get("data")
        point = doc.related_one(price, "inAppPurchasePricePoint")
        if (end and end <= today) or point is None or (territory or {}).get("id") == base:
            continue
        start = attributes.get("startDate")
        kept.append(ManualPrice(point["id"], start if start and start > today else None))
    return kept


def _schedule_body(iap_id: str, territory: str, prices: list[ManualPrice]) -> dict[str, Any]:
    """A schedule whose manual prices (the base territory's first) are created inline."""
    iap = {"data": {"type": "inAppPurchases", "id": iap_id}}
    local_ids = [f"${{price-{index}}}" for index in range(len(prices))]
    return {
        "data": {
            "type": "inAppPurchasePriceSchedules",
            "relationships": {
                "inAppPurchase": iap,
                "baseTerritory": {"data": {"type": "territories", "id": territory}},
                "manualPrices": {
                    "data": [{"type": "inAppPurchasePrices", "id": i} for i in local_ids]
                },
            },
        },
        "included": [
            {
                "type": "inAppPurchasePrices",
                "id": local_id,
                **({"attributes": {"startDate": p.start_date}} if p.start_date else {}),
                "relationships": {
                    "inAppPurchaseV2": iap,
                    "inAppPurchasePricePoint": {
                        "data": {"type": "inAppPurchasePricePoints", "id": p.point_id}
                    },
                },
            }
            for local_id, p in zip(local_ids, prices, strict=True)
        ],
    }


# -- subscription groups and subscriptions -------------------------------------------------


def _group(
    change: Change, desired: App, live: LiveApp
) -> tuple[str, str, Record, LiveGroup | None]:
    """(reference name, group address, desired record, live ids) of a change's group."""
    name = address_keys(change.address)["subscription_group"][0]
    address = f"{desired.address}.subscription_group[{name}]"
    return name, address, desired.subscription_groups[name], _products(live).group_ids.get(name)


def _group_parent(address: str, ids: LiveGroup | None) -> Parent:
    return Parent("subscriptionGroups", ids.id if ids else None, address, "/v1/subscriptionGroups")


def compile_group(change: Change, desired: App, live: LiveApp) -> Op:
    name, address, wanted, ids = _group(change, desired, live)
    if change.action is not Action.CREATE:
        raise AscsyncError(f"{change.address}: only new subscription groups can be applied")
    app = Parent("apps", live.app_id, desired.address, "/v1/apps")
    return create_op(
        "/v1/subscriptionGroups",
        "subscriptionGroups",
        attributes_for(SUBSCRIPTION_GROUP_FIELDS, change, wanted, "", "subscriptionGroups"),
        {"app": app},
        address,
        find=lambda client, parent_ids: find_child(
            client,
            f"/v1/apps/{parent_ids['app']}/subscriptionGroups",
            "subscriptionGroups",
            "referenceName",
            name,
            {"referenceName": name},
        ),
    )


def compile_group_localization(change: Change, desired: App, live: LiveApp) -> Op:
    _, address, wanted, ids = _group(change, desired, live)
    code = address_keys(change.address)["locale"][0]
    return localization_op(
        change,
        fields=_locale_fields(SUBSCRIPTION_GROUP_FIELDS),
        wanted=wanted.maps.get("localizations", {}).get(code),
        prefix=f"localizations.{code}.",
        parent_relationship="subscriptionGroup",
        parent=_group_parent(address, ids),
        live_id=ids.localizations.get(code) if ids else None,
    )


@dataclass
class _Subscription:
    product_id: str
    address: str
    wanted: Record
    prefix: str  # ``subscriptions[1].``
    ids: LiveProduct | None
    group: Parent


def _subscription(change: Change, desired: App, live: LiveApp) -> _Subscription:
    _, group_address, group, group_ids = _group(change, desired, live)
    product_id = address_keys(change.address)["subscription"][0]
    wanted = next(
        (
            s
            for s in group.lists.get("subscriptions", [])
            if item_value(s, "product_id") == product_id
        ),
        None,
    )
    if wanted is None:
        raise AscsyncError(f"{change.address}: the subscription is not in the group's file")
    return _Subscription(
        product_id,
        f"{group_address}.subscription[{product_id}]",
        wanted,
        item_prefix(wanted),
        group_ids.subscriptions.get(product_id) if group_ids else None,
        _group_parent(group_address, group_ids),
    )


def compile_subscription(change: Change, desired: App, live: LiveApp) -> Op:
    sub = _subscription(change, desired, live)
    attributes = attributes_for(
        SUBSCRIPTION_FIELDS, change, sub.wanted, sub.prefix, "subscriptions"
    )
    if change.action is Action.UPDATE:
        return _patch(
            "subscriptions", _need(sub.ids.id if sub.ids else None, sub.product_id), attributes
        )
    return create_op(
        "/v1/subscriptions",
        "subscriptions",
        attributes,
        {"group": sub.group},
        sub.address,
        find=lambda client, parent_ids: find_child(
            client,
            f"/v1/subscriptionGroups/{parent_ids['group']}/subscriptions",
            "subscriptions",
            "productId",
            sub.product_id,
        ),
    )


def _subscription_parent(sub: _Subscription) -> Parent:
    return Parent(
        "subscriptions", sub.ids.id if sub.ids else None, sub.address, "/v1/subscriptions"
    )


def compile_subscription_localization(change: Change, desired: App, live: LiveApp) -> Op:
    sub = _subscription(change, desired, live)
    code = address_keys(change.address)["locale"][0]
    map_key = f"{sub.prefix}localizations"
    return localization_op(
        change,
        fields=_locale_fields(SUBSCRIPTION_FIELDS),
        wanted=sub.wanted.maps.get(map_key, {}).get(code),
        prefix=f"{map_key}.{code}.",
        parent_relationship="subscription",
        parent=_subscription_parent(sub),
        live_id=sub.ids.localizations.get(code) if sub.ids else None,
    )


def compile_subscription_price(change: Change, desired: App, live: LiveApp) -> Op:
    """GET the territory's price point, then POST a price that starts now."""
    sub = _subscription(change, desired, live)
    territory = address_keys(change.address)["price"][0]
    item = next(
        (
            p
            for p in sub.wanted.lists.get(f"{sub.prefix}prices", [])
            if item_value(p, "territory") == territory
        ),
        None,
    )
    price = item_value(item, "customer_price") if item else None
    if price is None:
        raise AscsyncError(f"{change.address}: no customer_price for {territory} in the file")
    parent = _subscription_parent(sub)

    def run(client: ApiClient, ids: Ids) -> None:
        subscription_id = parent.id(ids)
        point = price_point(
            client,
            f"/v1/subscriptions/{subscription_id}/pricePoints",
            "subscriptionPricePoints",
            territory,
            price,
        )
        body = resource_body(
            "subscriptionPrices",
            None,
            {
                "subscription": ("subscriptions", subscription_id),
                "subscriptionPricePoint": ("subscriptionPricePoints", point),
                "territory": ("territories", territory),
            },
        )
        client.post("/v1/subscriptionPrices", body)

    return Op(run)


def _locale_fields(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    return next(f.fields for f in fields if f.key == "localizations")


def guarded(compiler: Compiler) -> Compiler:
    """A compiler whose errors fail its own change when run, not the whole apply."""

    def compile_or_fail(change: Change, desired: App, live: LiveApp) -> Op:
        try:
            return compiler(change, desired, live)
        except (AscsyncError, KeyError) as error:
            message = str(error) if isinstance(error, AscsyncError) else f"{error} not found"

            def fail(client: ApiClient, ids: Ids) -> None:
                raise AscsyncError(message)

            return Op(fail)

    return compile_or_fail


COMPILERS: dict[str, Compiler] = {
    "inAppPurchases": guarded(compile_iap),
    "inAppPurchaseLocalizations": guarded(compile_iap_localization),
    "inAppPurchasePriceSchedules": guarded(compile_iap_price),
    "subscriptionGroups": guarded(compile_group),
    "subscriptionGroupLocalizations": guarded(compile_group_localization),
    "subscriptions": guarded(compile_subscription),
    "subscriptionLocalizations": guarded(compile_subscription_localization),
    "subscriptionPrices": guarded(compile_subscription_price),
}
"""Compilers by JSON:API type, merged into :func:`ascsync.apply.compile_change`."""

__all__ = [
    "COMPILERS",
    "Parent",
    "attributes_for",
    "create_op",
    "find_child",
    "guarded",
    "localization_op",
    "price_point",
]
