"""Reading an app's in-app purchases and subscription groups from App Store Connect.

The result has the loader's shape (:mod:`ascsync.desired.loader`): one
:class:`~ascsync.desired.model.Record` per IAP (by product id) and per subscription group
(by reference name), with the same dotted keys, ``maps["localizations"]`` and
``lists["subscriptions"]``, so the plan compares like with like. Next to it,
:class:`LiveProducts` keeps the ids and states apply needs.

Only what the repo manages is fetched: no IAP files, no IAP requests. Request count:

* IAPs: 1 listing (localizations and price schedule included), then 2 per IAP whose
  price the repo manages (its schedule's base territory and its manual prices, side by side).
* Subscription groups: 1 listing (group localizations included), then 1 per group
  (subscriptions with their localizations), then 1 per subscription whose prices the
  repo manages.

The chain of dependent rounds runs on its own thread (:func:`start_products`) and fans
out into the shared pool, so it overlaps with the rest of ``fetch_app``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import Document
from ascsync.desired.model import (
    IAP_FIELDS,
    LIVE,
    SUBSCRIPTION_FIELDS,
    SUBSCRIPTION_GROUP_FIELDS,
    App,
    Field,
    Record,
    Value,
)
from ascsync.engine.mapping import read_record

T = TypeVar("T")


@dataclass
class LiveProduct:
    """Ids of one IAP or subscription: the product, its localizations, its prices."""

    id: str
    state: str | None = None
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    price_schedule_id: str | None = None  # IAPs only
    prices: dict[str, str] = field(default_factory=dict)  # territory -> price id (subscriptions)


@dataclass
class LiveGroup:
    """Ids of one subscription group, its localizations and its subscriptions."""

    id: str
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    subscriptions: dict[str, LiveProduct] = field(default_factory=dict)  # by product id


@dataclass
class LiveProducts:
    """Live IAPs and subscription groups: records in the repo's shape plus their ids."""

    in_app_purchases: dict[str, Record] = field(default_factory=dict)  # by product id
    subscription_groups: dict[str, Record] = field(default_factory=dict)  # by reference name
    iap_ids: dict[str, LiveProduct] = field(default_factory=dict)
    group_ids: dict[str, LiveGroup] = field(default_factory=dict)

    def attach(self, model: App) -> LiveProducts:
        """Put the records into the live app model; returns self for ``live.products = ...``."""
        model.in_app_purchases = self.in_app_purchases
        model.subscription_groups = self.subscription_groups
        return self

    def snapshot(self) -> dict[str, Any]:
        """Plain data of everything read, for the plan's fingerprint."""
        return {
            "iaps": {
                product_id: [_ids(self.iap_ids[product_id]), plain_record(record)]
                for product_id, record in sorted(self.in_app_purchases.items())
            },
            "groups": {
                name: [
                    self.group_ids[name].id,
                    sorted(self.group_ids[name].localizations.items()),
                    {p: _ids(s) for p, s in sorted(self.group_ids[name].subscriptions.items())},
                    plain_record(record),
                ]
                for name, record in sorted(self.subscription_groups.items())
            },
        }


def start_products(
    client: ApiClient, app_id: str, desired: App, pool: ThreadPoolExecutor
) -> Future[LiveProducts]:
    """Begin reading the products ``desired`` manages; ``.result()`` gives :class:`LiveProducts`.

    The dependent rounds wait on one another, so they run on their own thread and only
    their independent requests go to ``pool`` (a pool worker waiting on the pool could
    deadlock a small pool).
    """
    return run_in_thread(_read_products, client, app_id, desired, pool)


def run_in_thread(fn: Callable[..., T], *args: Any) -> Future[T]:
    """Run ``fn(*args)`` on a new daemon thread, its outcome in a Future."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed to whoever calls .result()
            future.set_exception(exc)

    threading.Thread(target=run, name=f"ascsync-{fn.__name__}", daemon=True).start()
    return future


def _read_products(
    client: ApiClient, app_id: str, desired: App, pool: ThreadPoolExecutor
) -> LiveProducts:
    live = LiveProducts()
    iaps = run_in_thread(_read_iaps, client, app_id, desired, live, pool)
    if desired.subscription_groups:
        _read_groups(client, app_id, desired, live, pool)
    iaps.result()
    return live


# -- in-app purchases --------------------------------------------------------------


def _read_iaps(
    client: ApiClient, app_id: str, desired: App, live: LiveProducts, pool: ThreadPoolExecutor
) -> None:
    """One listing; then, for the IAPs whose price the repo manages, their price."""
    if not desired.in_app_purchases:
        return
    doc = client.get_all(
        f"/v1/apps/{app_id}/inAppPurchasesV2",
        {
            "include": ["inAppPurchaseLocalizations", "iapPriceSchedule"],
            "limit[inAppPurchaseLocalizations]": 50,
        },
    )
    for iap in doc.resources():
        attributes = iap.get("attributes") or {}
        product_id = attributes.get("productId")
        if product_id not in desired.in_app_purchases:
            continue  # not managed by the repo: neither read further nor planned
        record = read_record(_top_level(IAP_FIELDS), {"inAppPurchases": attributes})
        ids = LiveProduct(iap["id"], attributes.get("state"))
        ids.price_schedule_id = _linked_id(iap, "iapPriceSchedule")
        record.maps["localizations"] = _localizations(
            doc.related(iap, "inAppPurchaseLocalizations"),
            _locale_fields(IAP_FIELDS),
            "inAppPurchaseLocalizations",
            "localizations",
            ids.localizations,
        )
        live.in_app_purchases[product_id] = record
        live.iap_ids[product_id] = ids
    priced = [
        pid
        for pid, wanted in desired.in_app_purchases.items()
        if pid in live.iap_ids and live.iap_ids[pid].price_schedule_id and _has_price(wanted)
    ]
    schedules = [live.iap_ids[pid].price_schedule_id or "" for pid in priced]
    # both maps submit at once: the base territories and the prices load side by side
    bases = pool.map(lambda schedule: _base_territory(client, schedule), schedules)
    manual = pool.map(lambda schedule: _manual_prices(client, schedule), schedules)
    for pid, base, current in zip(priced, bases, manual, strict=True):
        if base:
            record = live.in_app_purchases[pid]
            record.attrs["price.base_territory"] = Value(base, LIVE)
            if base in current:
                record.attrs["price.customer_price"] = Value(current[base][1], LIVE)


def _has_price(record: Record) -> bool:
    return any(key.startswith("price.") for key in record.attrs)


def _base_territory(client: ApiClient, schedule_id: str) -> str | None:
    schedule = client.get(
        f"/v1/inAppPurchasePriceSchedules/{schedule_id}",
        {"include": ["baseTerritory"], "fields[inAppPurchasePriceSchedules]": ["baseTerritory"]},
    )
    return next((_linked_id(r, "baseTerritory") for r in schedule.resources()), None)


def _manual_prices(client: ApiClient, schedule_id: str) -> dict[str, tuple[str, str]]:
    """The manual prices in effect (the base territory's is the one the repo sets)."""
    prices = client.get_all(
        f"/v1/inAppPurchasePriceSchedules/{schedule_id}/manualPrices",
        {"include": ["inAppPurchasePricePoint", "territory"]},
    )
    return _current_prices(prices, "inAppPurchasePricePoint")


def _current_prices(doc: Document, point_relationship: str) -> dict[str, tuple[str, str]]:
    """``{territory: (price id, customer price)}`` of the prices in effect today.

    A schedule may hold past and future prices; the one in effect has started (no start
    date means "from the beginning") and not ended, and the latest start wins.
    """
    today = dt.date.today().isoformat()
    chosen: dict[str, tuple[str, str, str]] = {}
    for price in doc.resources():
        attributes = price.get("attributes") or {}
        start, end = attributes.get("startDate") or "", attributes.get("endDate")
        if start > today or (end and end <= today):
            continue
        territory = _linked_id(price, "territory")
        point = doc.related_one(price, point_relationship)
        customer = ((point or {}).get("attributes") or {}).get("customerPrice")
        if territory is None or customer is None:
            continue
        if territory not in chosen or start >= chosen[territory][0]:
            chosen[territory] = (start, price["id"], customer)
    return {t: (pid, customer) for t, (_, pid, customer) in chosen.items()}


# -- subscription groups -----------------------------------------------------------


def _read_groups(
    client: ApiClient, app_id: str, desired: App, live: LiveProducts, pool: ThreadPoolExecutor
) -> None:
    """The groups with their localizations; then each managed group's subscriptions."""
    doc = client.get_all(
        f"/v1/apps/{app_id}/subscriptionGroups",
        {
            "include": ["subscriptionGroupLocalizations"],
            "limit[subscriptionGroupLocalizations]": 50,
        },
    )
    for group in doc.resources():
        name = (group.get("attributes") or {}).get("referenceName")
        if name not in desired.subscription_groups:
            continue
        record = read_record(
            _top_level(SUBSCRIPTION_GROUP_FIELDS), {"subscriptionGroups": group["attributes"]}
        )
        ids = LiveGroup(group["id"])
        record.maps["localizations"] = _localizations(
            doc.related(group, "subscriptionGroupLocalizations"),
            _locale_fields(SUBSCRIPTION_GROUP_FIELDS),
            "subscriptionGroupLocalizations",
            "localizations",
            ids.localizations,
        )
        live.subscription_groups[name] = record
        live.group_ids[name] = ids
    names = list(live.group_ids)
    docs = pool.map(lambda n: _fetch_subscriptions(client, live.group_ids[n].id), names)
    priced: list[tuple[Record, LiveProduct, str]] = []
    for name, subs in zip(names, docs, strict=True):
        wanted = _wanted_prices(desired.subscription_groups[name])
        for index, (product_id, record, ids) in enumerate(_subscriptions(subs, name)):
            _reindex(record, "subscriptions", index)
            live.subscription_groups[name].lists.setdefault("subscriptions", []).append(record)
            live.group_ids[name].subscriptions[product_id] = ids
            if product_id in wanted:
                priced.append((record, ids, f"subscriptions[{index}]"))
    results = pool.map(lambda job: _subscription_prices(client, job[1].id), priced)
    for (record, ids, prefix), current in zip(priced, results, strict=True):
        _add_prices(record, ids, prefix, current)


def _fetch_subscriptions(client: ApiClient, group_id: str) -> Document:
    return client.get_all(
        f"/v1/subscriptionGroups/{group_id}/subscriptions",
        {"include": ["subscriptionLocalizations"], "limit[subscriptionLocalizations]": 50},
    )


def _subscriptions(doc: Document, group: str) -> list[tuple[str, Record, LiveProduct]]:
    """Each subscription as ``(product id, record keyed subscriptions[0]., ids)``."""
    out = []
    for sub in doc.resources():
        attributes = sub.get("attributes") or {}
        record = read_record(_top_level(SUBSCRIPTION_FIELDS), {"subscriptions": attributes})
        ids = LiveProduct(sub["id"], attributes.get("state"))
        record.maps["localizations"] = _localizations(
            doc.related(sub, "subscriptionLocalizations"),
            _locale_fields(SUBSCRIPTION_FIELDS),
            "subscriptionLocalizations",
            "localizations",
            ids.localizations,
        )
        out.append((attributes.get("productId") or sub["id"], record, ids))
    return out


def _wanted_prices(group: Record) -> set[str]:
    """Product ids of the group's subscriptions whose prices the repo lists."""
    out = set()
    for sub in group.lists.get("subscriptions", []):
        product_id = item_value(sub, "product_id")
        if product_id and any(k.endswith(".prices") for k in sub.lists):
            out.add(product_id)
    return out


def _subscription_prices(client: ApiClient, subscription_id: str) -> dict[str, tuple[str, str]]:
    doc = client.get_all(
        f"/v1/subscriptions/{subscription_id}/prices",
        {"include": ["subscriptionPricePoint", "territory"]},
    )
    return _current_prices(doc, "subscriptionPricePoint")


def _add_prices(
    record: Record, ids: LiveProduct, prefix: str, current: dict[str, tuple[str, str]]
) -> None:
    items = []
    for index, territory in enumerate(sorted(current)):
        price_id, customer = current[territory]
        ids.prices[territory] = price_id
        item = Record(LIVE)
        item.attrs[f"{prefix}.prices[{index}].territory"] = Value(territory, LIVE)
        item.attrs[f"{prefix}.prices[{index}].customer_price"] = Value(customer, LIVE)
        items.append(item)
    record.lists[f"{prefix}.prices"] = items


# -- shared helpers ----------------------------------------------------------------


def _top_level(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """Fields read straight from the product's attributes (not its locales, lists, prices)."""
    return tuple(f for f in fields if f.key not in ("localizations", "prices", "price"))


def _locale_fields(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    return next(f.fields for f in fields if f.key == "localizations")


def _localizations(
    resources: list[dict[str, Any]],
    fields: tuple[Field, ...],
    resource_type: str,
    prefix: str,
    ids: dict[str, str],
) -> dict[str, Record]:
    """``{locale: Record}`` with keys ``<prefix>.<locale>.name``, as the loader writes them."""
    out: dict[str, Record] = {}
    for loc in resources:
        attributes = loc.get("attributes") or {}
        code = attributes.get("locale")
        if not code:
            continue
        ids[code] = loc["id"]
        flat = read_record(fields, {resource_type: attributes})
        record = Record(LIVE)
        record.attrs = {f"{prefix}.{code}.{k}": v for k, v in flat.attrs.items()}
        out[code] = record
    return out


def item_value(record: Record, key: str) -> Any:
    """The value of ``key`` in a list item whose keys carry its index (``subscriptions[1].key``)."""
    return next((v.value for k, v in record.attrs.items() if k.rsplit(".", 1)[-1] == key), None)


def _reindex(record: Record, list_key: str, index: int) -> None:
    """Re-key a subscription read on its own (``name``) as item ``index`` of the group."""
    prefix = f"{list_key}[{index}]."
    record.attrs = {prefix + k: v for k, v in record.attrs.items()}
    record.maps = {
        prefix + path: {
            code: Record(sub.source, {prefix + k: v for k, v in sub.attrs.items()})
            for code, sub in subs.items()
        }
        for path, subs in record.maps.items()
    }


def _linked_id(resource: dict[str, Any], relationship: str) -> str | None:
    data = ((resource.get("relationships") or {}).get(relationship) or {}).get("data")
    return data.get("id") if isinstance(data, dict) else None


def _ids(ids: LiveProduct) -> list[Any]:
    return [
        ids.id,
        ids.state,
        sorted(ids.localizations.items()),
        ids.price_schedule_id,
        sorted(ids.prices.items()),
    ]


def plain_record(record: Record) -> dict[str, Any]:
    """A record's values as nested plain data (for fingerprints)."""
    return record.to_plain()


__all__ = [
    "LiveGroup",
    "LiveProduct",
    "LiveProducts",
    "plain_record",
    "run_in_thread",
    "start_products",
]
