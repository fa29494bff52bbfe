"""Reading where an app is sold and its base price, in the repo's form (``app.yml``).

App Store Connect keeps availability as one ``appAvailabilities`` resource (v2) with a
``territoryAvailabilities`` item per storefront (~175, each ``available`` or not), and
the price as an ``appPriceSchedules`` resource: a base territory and manual prices, each
pointing at a price point that carries the customer price. The repo says
``availability.territories: all`` or a list of codes, and ``price.customer_price`` of
the base territory, so this module folds Apple's shape into those keys.

Only what ``app.yml`` manages is read. Request count: availability 2 (the availability,
then its territory items in one page of 200), price 2 (the schedule with its base
territory, then its manual prices with their price points). The two chains run side by
side on the shared pool, so they add two rounds at most to ``fetch_app``.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ascsync.api.client import ApiClient, ApiError
from ascsync.api.jsonapi import Document
from ascsync.desired.model import LIVE, App, Record, Value
from ascsync.live_products import _current_prices, run_in_thread

TERRITORIES_PER_PAGE = 200
"""``limit`` maximum of the territory listings (Apple has ~175 storefronts: one page)."""

AVAILABILITY_PREFIX = "availability."
PRICE_PREFIX = "price."


@dataclass(frozen=True)
class ManualPrice:
    """A manual price of the live schedule: its price point, and when it starts (None: now)."""

    territory: str
    point_id: str
    start_date: str | None
    end_date: str | None


@dataclass
class LiveAvailability:
    """The app's availability and price as read, plus the ids apply needs."""

    availability_id: str | None = None
    new_territories: bool | None = None
    territory_ids: dict[str, str] = field(default_factory=dict)  # code -> territoryAvailability
    available: set[str] = field(default_factory=set)
    read_availability: bool = False
    schedule_id: str | None = None
    base_territory: str | None = None
    customer_price: str | None = None
    manual_prices: list[ManualPrice] = field(default_factory=list)
    read_price: bool = False

    def territories(self) -> str | list[str]:
        """``"all"`` when every storefront is available, else the sorted available codes."""
        if self.territory_ids and self.available >= set(self.territory_ids):
            return "all"
        return sorted(self.available)

    def attach(self, model: App) -> LiveAvailability:
        """Put the repo-form values into the live app record; returns self."""
        attrs = model.record.attrs
        if self.read_availability and self.availability_id is not None:
            attrs["availability.available_in_new_territories"] = Value(self.new_territories, LIVE)
            attrs["availability.territories"] = Value(self.territories(), LIVE)
        if self.read_price and self.schedule_id is not None:
            attrs["price.base_territory"] = Value(self.base_territory, LIVE)
            attrs["price.customer_price"] = Value(self.customer_price, LIVE)
        return self

    def snapshot(self) -> dict[str, Any]:
        """Plain data of everything read, for the plan's fingerprint."""
        return {
            "availability": [
                self.availability_id,
                self.new_territories,
                sorted(self.territory_ids.items()),
                sorted(self.available),
            ],
            "price": [
                self.schedule_id,
                self.base_territory,
                self.customer_price,
                sorted(
                    [p.territory, p.point_id, p.start_date or "", p.end_date or ""]
                    for p in self.manual_prices
                ),
            ],
        }


def manages(record: Record, prefix: str) -> bool:
    """True when the app record has a key under ``prefix`` (pull's skeleton has placeholders)."""
    return any(key.startswith(prefix) for key in record.attrs)


def start_availability(
    client: ApiClient, app_id: str, desired: App, pool: ThreadPoolExecutor
) -> Future[LiveAvailability]:
    """Begin reading what ``desired`` manages; ``.result()`` gives :class:`LiveAvailability`.

    Each chain is two dependent requests, so the chains wait on their own thread and
    only their requests go to ``pool`` (as :func:`ascsync.live_products.start_products`).
    """
    return run_in_thread(_read, client, app_id, desired.record, pool)


def _read(
    client: ApiClient, app_id: str, record: Record, pool: ThreadPoolExecutor
) -> LiveAvailability:
    live = LiveAvailability()
    jobs = []
    if manages(record, AVAILABILITY_PREFIX):
        jobs.append(pool.submit(_read_availability, client, app_id, live))
    if manages(record, PRICE_PREFIX):
        jobs.append(pool.submit(_read_price, client, app_id, live))
    for job in jobs:
        job.result()
    return live


# -- availability ----------------------------------------------------------------------


def _read_availability(client: ApiClient, app_id: str, live: LiveAvailability) -> None:
    live.read_availability = True
    availability = _one_or_none(
        client,
        f"/v1/apps/{app_id}/appAvailabilityV2",
        {"fields[appAvailabilities]": ["availableInNewTerritories"]},
    )
    if availability is None:
        return
    live.availability_id = availability["id"]
    live.new_territories = (availability.get("attributes") or {}).get("availableInNewTerritories")
    items = client.get_all(
        f"/v2/appAvailabilities/{live.availability_id}/territoryAvailabilities",
        {
            "include": ["territory"],
            "fields[territoryAvailabilities]": ["available", "territory"],
            "fields[territories]": ["currency"],
            "limit": TERRITORIES_PER_PAGE,
        },
    )
    for item in items.resources():
        territory = _linked_id(item, "territory")
        if territory is None:
            continue
        live.territory_ids[territory] = item["id"]
        if (item.get("attributes") or {}).get("available"):
            live.available.add(territory)


# -- price ---------------------------------------------------------------------------


def _read_price(client: ApiClient, app_id: str, live: LiveAvailability) -> None:
    live.read_price = True
    schedule = _one_or_none(
        client,
        f"/v1/apps/{app_id}/appPriceSchedule",
        {"include": ["baseTerritory"], "fields[appPriceSchedules]": ["baseTerritory"]},
    )
    if schedule is None:
        return
    live.schedule_id = schedule["id"]
    live.base_territory = _linked_id(schedule, "baseTerritory")
    prices = client.get_all(
        f"/v1/appPriceSchedules/{live.schedule_id}/manualPrices",
        {
            "include": ["appPricePoint", "territory"],
            "fields[appPricePoints]": ["customerPrice"],
            "limit": TERRITORIES_PER_PAGE,
        },
    )
    current = _current_prices(prices, "appPricePoint")
    if live.base_territory in current:
        live.customer_price = current[live.base_territory][1]
    live.manual_prices = _manual_prices(prices)


def _manual_prices(doc: Document) -> list[ManualPrice]:
    """Every manual price of the schedule (past ones too: apply decides what to keep)."""
    out = []
    for price in doc.resources():
        attributes = price.get("attributes") or {}
        territory = _linked_id(price, "territory")
        point = _linked_id(price, "appPricePoint")
        if territory and point:
            out.append(
                ManualPrice(
                    territory, point, attributes.get("startDate"), attributes.get("endDate")
                )
            )
    return out


# -- helpers ---------------------------------------------------------------------------


def _one_or_none(client: ApiClient, path: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """The to-one resource at ``path``; None when the app has none (Apple answers 404)."""
    try:
        doc = client.get(path, params)
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    data = doc.data
    return data if isinstance(data, dict) else None


def _linked_id(resource: dict[str, Any], relationship: str) -> str | None:
    data = ((resource.get("relationships") or {}).get(relationship) or {}).get("data")
    return data.get("id") if isinstance(data, dict) else None


__all__ = [
    "AVAILABILITY_PREFIX",
    "PRICE_PREFIX",
    "LiveAvailability",
    "ManualPrice",
    "manages",
    "start_availability",
]
