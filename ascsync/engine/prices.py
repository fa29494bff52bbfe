"""Prices as App Store Connect keeps them: price points, and schedules of manual prices.

A price is never sent as a number: Apple offers a *price point* per (territory, customer
price), and apps, in-app purchases and subscriptions all point at one. So a wanted price
is first resolved to its point; a price Apple does not offer fails with the nearest ones
it does. Reading is the reverse: a schedule's manual prices (past, current and future)
are folded into the one in effect today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import Document
from ascsync.engine.live import linked_id
from ascsync.errors import AscsyncError


def decimal(value: Any) -> Decimal | None:
    """A price as a number (``"4.9"`` equals ``4.90``); ``None`` when it is not one."""
    if value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def same_price(wanted: Any, have: Any) -> bool:
    """Equal as prices: both numbers, and the same number."""
    return decimal(wanted) is not None and decimal(wanted) == decimal(have)


def price_point(
    client: ApiClient,
    path: str,
    resource: str,
    territory: str,
    customer_price: Any,
    *,
    limit: int,
    what: str = "this product",
) -> str:
    """The id of the price point of ``customer_price`` in ``territory`` listed at ``path``.

    A price Apple does not offer is an error naming the nearest prices it does.
    """
    doc = client.get_all(
        path,
        {
            "filter[territory]": [territory],
            f"fields[{resource}]": ["customerPrice"],
            "limit": limit,
        },
    )
    offered: dict[Decimal, str] = {}
    for point in doc.resources():
        price = decimal((point.get("attributes") or {}).get("customerPrice"))
        if price is not None:
            offered.setdefault(price, point["id"])
    wanted = decimal(customer_price)
    if wanted is not None and wanted in offered:
        return offered[wanted]
    if not offered:
        raise AscsyncError(f"App Store Connect offers no prices in {territory} for {what}")
    nearest = sorted(sorted(offered, key=lambda p: abs(p - (wanted or Decimal(0))))[:3])
    raise AscsyncError(
        f"{customer_price} is not a price App Store Connect offers in {territory} "
        f"(valid nearby: {', '.join(str(p) for p in nearest)})"
    )


def current_prices(doc: Document, point_relationship: str) -> dict[str, tuple[str, str]]:
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
        territory = linked_id(price, "territory")
        point = doc.related_one(price, point_relationship)
        customer = ((point or {}).get("attributes") or {}).get("customerPrice")
        if territory is None or customer is None:
            continue
        if territory not in chosen or start >= chosen[territory][0]:
            chosen[territory] = (start, price["id"], customer)
    return {t: (pid, customer) for t, (_, pid, customer) in chosen.items()}


__all__ = ["current_prices", "decimal", "price_point", "same_price"]
