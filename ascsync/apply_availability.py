"""Carrying out ``app.yml``'s availability and price changes (:mod:`ascsync.diff_availability`).

* A new availability is ``POST /v2/appAvailabilities`` with one inline territory
  availability per storefront of ``GET /v1/territories``, available or not: Apple
  refuses a first availability that leaves storefronts out.
* An existing availability changes storefront by storefront:
  ``PATCH /v1/territoryAvailabilities/{id}`` with ``available`` for each one that flips.
  A PATCH sets a value, so a re-run after a partial failure simply finishes the job;
  a few run at once (:data:`PATCH_CONCURRENCY`).
* A price is a new schedule (``POST /v1/appPriceSchedules``) whose first inline manual
  price is the base territory's, at the price point of (territory, customer price); a
  price Apple does not offer fails the change with the nearest ones it does. The new
  schedule replaces the old one, so the manual prices of other territories that are in
  effect or still to come are carried over; the base territory's are replaced.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.apply import Compiler, Ids, Op
from ascsync.apply_products import guarded
from ascsync.desired.model import App
from ascsync.diff_availability import (
    BASE_TERRITORY,
    CUSTOMER_PRICE,
    NEW_TERRITORIES,
    TERRITORIES,
    territory_flips,
)
from ascsync.engine.plan import Change
from ascsync.errors import AscsyncError
from ascsync.live import LiveApp
from ascsync.live_availability import LiveAvailability, ManualPrice

PAGE = 200
"""``limit`` maximum of ``/v1/territories`` and ``/v1/apps/{id}/appPricePoints``."""

PATCH_CONCURRENCY = 4
"""Storefront PATCHes in flight at once: opening or closing ~170 one by one is slow."""


# -- availability ------------------------------------------------------------------------


def compile_availability(change: Change, desired: App, live: LiveApp) -> Op:
    """Create the app's availability: every storefront listed, the wanted ones available."""
    record = desired.record
    wanted = record.get(TERRITORIES)
    new_territories = record.get(NEW_TERRITORIES)
    flag = True if new_territories is None else bool(new_territories)
    app_id = live.app_id

    def run(client: ApiClient, ids: Ids) -> None:
        catalog = _territory_catalog(client)
        chosen = set(catalog) if wanted == "all" else {str(code) for code in wanted or []}
        unknown = sorted(chosen - set(catalog))
        if unknown:
            raise AscsyncError(_unknown_message(change, unknown))
        client.post("/v2/appAvailabilities", availability_body(app_id, flag, catalog, chosen))

    return Op(run)


def availability_body(
    app_id: str, new_territories: bool, catalog: list[str], chosen: set[str]
) -> dict[str, Any]:
    """An ``AppAvailabilityV2CreateRequest`` with one inline item per storefront."""
    local_ids = [f"${{territory-{code}}}" for code in catalog]
    return {
        "data": {
            "type": "appAvailabilities",
            "attributes": {"availableInNewTerritories": new_territories},
            "relationships": {
                "app": {"data": {"type": "apps", "id": app_id}},
                "territoryAvailabilities": {
                    "data": [{"type": "territoryAvailabilities", "id": i} for i in local_ids]
                },
            },
        },
        "included": [
            {
                "type": "territoryAvailabilities",
                "id": local_id,
                "attributes": {"available": code in chosen},
                "relationships": {"territory": {"data": {"type": "territories", "id": code}}},
            }
            for local_id, code in zip(local_ids, catalog, strict=True)
        ],
    }


def compile_territories(change: Change, desired: App, live: LiveApp) -> Op:
    """One PATCH per storefront whose ``available`` differs from the repo."""
    state = live.availability or LiveAvailability()
    flips = territory_flips(desired.record.get(TERRITORIES), state)
    if flips.unknown:
        raise AscsyncError(_unknown_message(change, list(flips.unknown)))
    updates = [(code, True) for code in flips.make_available] + [
        (code, False) for code in flips.make_unavailable
    ]

    def patch(client: ApiClient, code: str, available: bool) -> None:
        item_id = state.territory_ids[code]
        client.patch(
            f"/v1/territoryAvailabilities/{item_id}",
            {
                "data": {
                    "type": "territoryAvailabilities",
                    "id": item_id,
                    "attributes": {"available": available},
                }
            },
        )

    def run(client: ApiClient, ids: Ids) -> None:
        with ThreadPoolExecutor(max_workers=PATCH_CONCURRENCY) as pool:
            list(pool.map(lambda update: patch(client, *update), updates))

    return Op(run)


def _territory_catalog(client: ApiClient) -> list[str]:
    doc = client.get_all("/v1/territories", {"limit": PAGE, "fields[territories]": ["currency"]})
    return [r["id"] for r in doc.resources()]


def _unknown_message(change: Change, unknown: list[str]) -> str:
    where = f"{change.source}: " if change.source else ""
    verb = "is not an App Store territory" if len(unknown) == 1 else "are not App Store territories"
    return (
        f"{where}{TERRITORIES}: {', '.join(unknown)} {verb} "
        "(valid: ISO 3166-1 alpha-3 codes of App Store storefronts, e.g. USA, DEU, JPN)"
    )


# -- price -------------------------------------------------------------------------------


def compile_price(change: Change, desired: App, live: LiveApp) -> Op:
    """GET the price point of the base territory, then POST a new price schedule."""
    state = live.availability or LiveAvailability()
    record = desired.record
    territory = record.get(BASE_TERRITORY) or state.base_territory
    price = record.get(CUSTOMER_PRICE)
    if not territory or price is None:
        raise AscsyncError(
            f"{change.source or change.address}: a price needs "
            "price.base_territory and price.customer_price"
        )
    kept = carried_over(state.manual_prices, territory)
    app_id = live.app_id

    def run(client: ApiClient, ids: Ids) -> None:
        point = app_price_point(client, app_id, territory, price)
        client.post("/v1/appPriceSchedules", schedule_body(app_id, territory, point, kept))

    return Op(run)


def carried_over(prices: list[ManualPrice], base: str) -> list[ManualPrice]:
    """Manual prices outside ``base`` that are in effect or still to come (start kept if later)."""
    today = dt.date.today().isoformat()
    out = []
    for price in prices:
        if price.territory == base or (price.end_date and price.end_date <= today):
            continue
        start = price.start_date if price.start_date and price.start_date > today else None
        out.append(ManualPrice(price.territory, price.point_id, start, None))
    return out


def app_price_point(client: ApiClient, app_id: str, territory: str, customer_price: Any) -> str:
    """The id of the app's price point of ``customer_price`` in ``territory``.

    A price Apple does not offer is an error naming the nearest prices it does.
    """
    doc = client.get_all(
        f"/v1/apps/{app_id}/appPricePoints",
        {
            "filter[territory]": [territory],
            "fields[appPricePoints]": ["customerPrice"],
            "limit": PAGE,
        },
    )
    offered: dict[Decimal, str] = {}
    for point in doc.resources():
        value = _decimal((point.get("attributes") or {}).get("customerPrice"))
        if value is not None:
            offered.setdefault(value, point["id"])
    wanted = _decimal(customer_price)
    if wanted is not None and wanted in offered:
        return offered[wanted]
    if not offered:
        raise AscsyncError(f"App Store Connect offers no app prices in {territory}")
    nearest = sorted(sorted(offered, key=lambda p: abs(p - (wanted or Decimal(0))))[:3])
    raise AscsyncError(
        f"{customer_price} is not a price App Store Connect offers in {territory} "
        f"(valid nearby: {', '.join(str(p) for p in nearest)})"
    )


def schedule_body(
    app_id: str, territory: str, point_id: str, kept: list[ManualPrice]
) -> dict[str, Any]:
    """An ``AppPriceScheduleCreateRequest``: the base price first, then the carried-over ones."""
    prices = [ManualPrice(territory, point_id, None, None), *kept]
    local_ids = [f"${{price-{index}}}" for index in range(len(prices))]
    return {
        "data": {
            "type": "appPriceSchedules",
            "relationships": {
                "app": {"data": {"type": "apps", "id": app_id}},
                "baseTerritory": {"data": {"type": "territories", "id": territory}},
                "manualPrices": {"data": [{"type": "appPrices", "id": i} for i in local_ids]},
            },
        },
        "included": [
            {
                "type": "appPrices",
                "id": local_id,
                **({"attributes": {"startDate": p.start_date}} if p.start_date else {}),
                "relationships": {
                    "appPricePoint": {"data": {"type": "appPricePoints", "id": p.point_id}}
                },
            }
            for local_id, p in zip(local_ids, prices, strict=True)
        ],
    }


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


COMPILERS: dict[str, Compiler] = {
    "appAvailabilities": guarded(compile_availability),
    "territoryAvailabilities": guarded(compile_territories),
    "appPriceSchedules": guarded(compile_price),
}
"""Compilers by JSON:API type, merged into :func:`ascsync.apply.compile_change`."""

__all__ = [
    "COMPILERS",
    "app_price_point",
    "availability_body",
    "carried_over",
    "compile_availability",
    "compile_price",
    "compile_territories",
    "schedule_body",
]
