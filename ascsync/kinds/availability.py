"""Where the app is sold and its base price: ``app.yml``'s ``availability`` and ``price``.

App Store Connect keeps availability as one ``appAvailabilities`` resource (v2) with a
``territoryAvailabilities`` item per storefront (~175, each ``available`` or not), and
the price as an ``appPriceSchedules`` resource: a base territory and manual prices, each
pointing at a price point that carries the customer price. The repo says
``availability.territories: all`` or a list of codes, and ``price.customer_price`` of
the base territory, so this kind folds Apple's shape into those keys.

Reading (only what ``app.yml`` manages): availability 2 requests (the availability, then
its territory items in one page of 200), price 2 (the schedule with its base territory,
then its manual prices with their price points), the two chains side by side.

Planning and applying:

* Availability with none live is a create (``POST /v2/appAvailabilities``, every
  storefront listed, available or not, as Apple requires). With one live, the territories
  compare as sets (``all`` is every storefront the availability lists) and each storefront
  that flips is one ``PATCH /v1/territoryAvailabilities/{id}``, a few at a time; a PATCH
  sets a value, so a re-run after a partial failure simply finishes the job.
* ``available_in_new_territories`` is settable only when the availability is created
  (Apple's API has no update for it): a difference on a live one is listed as locked.
* A price is a new schedule: the price point of (base territory, customer price), then
  ``POST /v1/appPriceSchedules``. Prices compare as numbers (``"4.9"`` is ``4.90``). The
  new schedule replaces the old one, so the manual prices of other territories in effect
  or still to come are carried over.

Addresses: ``app[x].availability`` and ``app[x].price``.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import Document
from ascsync.desired.model import LIVE, App, Field, FieldType, FileFields, Record, Value
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext, linked_id, one_or_none
from ascsync.engine.ops import Ids, Op, find_related, post_once
from ascsync.engine.plan import Action, Change, FieldChange
from ascsync.engine.planner import Planner
from ascsync.engine.prices import current_prices, price_point, same_price
from ascsync.errors import AscsyncError
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.fields import price

PAGE = 200
"""``limit`` maximum of the territory listings and of ``/v1/apps/{id}/appPricePoints``."""

PATCH_CONCURRENCY = 4
"""Storefront PATCHes in flight at once: opening or closing ~170 one by one is slow."""

AVAILABILITY_PREFIX = "availability."
PRICE_PREFIX = "price."
NEW_TERRITORIES = "availability.available_in_new_territories"
TERRITORIES = "availability.territories"
BASE_TERRITORY = "price.base_territory"
CUSTOMER_PRICE = "price.customer_price"

AVAILABILITY_FIELDS = (
    Field(
        "availability",
        FieldType.OBJECT,
        "Where the app is sold.",
        fields=(
            Field(
                "available_in_new_territories",
                FieldType.BOOL,
                "",
                "appAvailabilities.availableInNewTerritories",
                fixed=True,
            ),
            Field(
                "territories",
                FieldType.TERRITORIES,
                '"all" or a list of ISO alpha-3 codes.',
                "territoryAvailabilities.available",
            ),
        ),
    ),
    price("appPriceSchedules"),
)


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


@dataclass(frozen=True)
class TerritoryFlips:
    """What an availability update does: storefronts to open, to close, and unknown codes."""

    make_available: tuple[str, ...]
    make_unavailable: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.make_available) + len(self.make_unavailable)


class Availability(ResourceKind[None, LiveAvailability]):
    name = "availability"
    adds_fields = (FileFields("app", AVAILABILITY_FIELDS),)
    compiles = ("appAvailabilities", "territoryAvailabilities", "appPriceSchedules")

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> LiveAvailability:
        live = LiveAvailability()
        record = ctx.desired.record
        jobs = []
        if record.manages(AVAILABILITY_PREFIX):
            jobs.append(ctx.pool.submit(_read_availability, ctx.client, ctx.live.app_id, live))
        if record.manages(PRICE_PREFIX):
            jobs.append(ctx.pool.submit(_read_price, ctx.client, ctx.live.app_id, live))
        for job in jobs:
            job.result()
        attrs = ctx.live.model.record.attrs
        if live.read_availability and live.availability_id is not None:
            attrs[NEW_TERRITORIES] = Value(live.new_territories, LIVE)
            attrs[TERRITORIES] = Value(live.territories(), LIVE)
        if live.read_price and live.schedule_id is not None:
            attrs[BASE_TERRITORY] = Value(live.base_territory, LIVE)
            attrs[CUSTOMER_PRICE] = Value(live.customer_price, LIVE)
        return live

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or LiveAvailability()
        return {
            "availability": [
                state.availability_id,
                state.new_territories,
                sorted(state.territory_ids.items()),
                sorted(state.available),
            ],
            "price": [
                state.schedule_id,
                state.base_territory,
                state.customer_price,
                sorted(
                    [p.territory, p.point_id, p.start_date or "", p.end_date or ""]
                    for p in state.manual_prices
                ),
            ],
        }

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        # placeholders: they make the live read fetch availability and price
        skeleton.record.attrs[TERRITORIES] = Value(None, LIVE)
        skeleton.record.attrs[BASE_TERRITORY] = Value(None, LIVE)

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        state = self.state(planner.live) or LiveAvailability()
        _plan_availability(planner, state)
        _plan_price(planner, state)

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        state = self.state(ctx.live) or LiveAvailability()
        if change.resource == "appAvailabilities":
            return _create_availability_op(change, ctx.desired.record, ctx.live.app_id)
        if change.resource == "territoryAvailabilities":
            return _territories_op(change, ctx.desired.record, state)
        return _price_op(change, ctx.desired.record, ctx.live.app_id, state)


# -- reading -------------------------------------------------------------------------------


def _read_availability(client: ApiClient, app_id: str, live: LiveAvailability) -> None:
    live.read_availability = True
    availability = one_or_none(
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
            "limit": PAGE,
        },
    )
    for item in items.resources():
        territory = linked_id(item, "territory")
        if territory is None:
            continue
        live.territory_ids[territory] = item["id"]
        if (item.get("attributes") or {}).get("available"):
            live.available.add(territory)


def _read_price(client: ApiClient, app_id: str, live: LiveAvailability) -> None:
    live.read_price = True
    schedule = one_or_none(
        client,
        f"/v1/apps/{app_id}/appPriceSchedule",
        {"include": ["baseTerritory"], "fields[appPriceSchedules]": ["baseTerritory"]},
    )
    if schedule is None:
        return
    live.schedule_id = schedule["id"]
    live.base_territory = linked_id(schedule, "baseTerritory")
    prices = client.get_all(
        f"/v1/appPriceSchedules/{live.schedule_id}/manualPrices",
        {
            "include": ["appPricePoint", "territory"],
            "fields[appPricePoints]": ["customerPrice"],
            "limit": PAGE,
        },
    )
    current = current_prices(prices, "appPricePoint")
    if live.base_territory in current:
        live.customer_price = current[live.base_territory][1]
    live.manual_prices = _manual_prices(prices)


def _manual_prices(doc: Document) -> list[ManualPrice]:
    """Every manual price of the schedule (past ones too: apply decides what to keep)."""
    out = []
    for item in doc.resources():
        attributes = item.get("attributes") or {}
        territory = linked_id(item, "territory")
        point = linked_id(item, "appPricePoint")
        if territory and point:
            out.append(
                ManualPrice(
                    territory, point, attributes.get("startDate"), attributes.get("endDate")
                )
            )
    return out


# -- planning ------------------------------------------------------------------------------


def _plan_availability(planner: Planner, live: LiveAvailability) -> None:
    record = planner.desired.record
    if NEW_TERRITORIES not in record.attrs and TERRITORIES not in record.attrs:
        return
    address = f"{planner.desired.address}.availability"
    if live.availability_id is None:
        _plan_create(planner, address)
        return
    wanted_flag = record.get(NEW_TERRITORIES)
    if NEW_TERRITORIES in record.attrs and wanted_flag != live.new_territories:
        planner.lock(
            Change(
                address,
                Action.UPDATE,
                "appAvailabilities",
                planner.app,
                fields=(
                    FieldChange(
                        NEW_TERRITORIES,
                        live.new_territories,
                        wanted_flag,
                        source=planner.source(record, NEW_TERRITORIES),
                    ),
                ),
                source=planner.source(record, NEW_TERRITORIES),
                note="App Store Connect's API sets this only when availability is first "
                "created; change it in the App Store Connect web UI",
            )
        )
    if TERRITORIES not in record.attrs:
        return
    flips = territory_flips(record.get(TERRITORIES), live)
    if not flips.count and not flips.unknown:
        return
    planner.add(
        Change(
            address,
            Action.UPDATE,
            "territoryAvailabilities",
            planner.app,
            fields=(
                FieldChange(
                    TERRITORIES,
                    live.territories(),
                    _repo_form(record),
                    source=planner.source(record, TERRITORIES),
                ),
            ),
            calls=(f"PATCH /v1/territoryAvailabilities/{{id}} (x{flips.count})",),
            source=planner.source(record, TERRITORIES),
            note=_flips_note(flips),
        )
    )


def _plan_create(planner: Planner, address: str) -> None:
    record = planner.desired.record
    if TERRITORIES not in record.attrs:
        planner.lock(
            Change(
                address,
                Action.CREATE,
                "appAvailabilities",
                planner.app,
                fields=(FieldChange(NEW_TERRITORIES, None, record.get(NEW_TERRITORIES)),),
                source=planner.source(record, NEW_TERRITORIES),
                note="the app has no availability yet; creating it needs "
                "availability.territories in app.yml",
            )
        )
        return
    fields = [FieldChange(TERRITORIES, None, _repo_form(record))]
    note = None
    if NEW_TERRITORIES in record.attrs:
        fields.insert(0, FieldChange(NEW_TERRITORIES, None, record.get(NEW_TERRITORIES)))
    else:
        note = "available_in_new_territories is not in app.yml: created as true"
    planner.add(
        Change(
            address,
            Action.CREATE,
            "appAvailabilities",
            planner.app,
            fields=tuple(fields),
            calls=("GET /v1/territories", "POST /v2/appAvailabilities"),
            source=planner.source(record, TERRITORIES),
            note=note,
        )
    )


def territory_flips(wanted: Any, live: LiveAvailability) -> TerritoryFlips:
    """The storefronts whose ``available`` must change for ``wanted`` ("all" or codes)."""
    known = set(live.territory_ids)
    chosen = known if wanted == "all" else {str(code) for code in wanted or []}
    return TerritoryFlips(
        make_available=tuple(sorted((chosen & known) - live.available)),
        make_unavailable=tuple(sorted(live.available - chosen)),
        unknown=tuple(sorted(chosen - known)),
    )


def _repo_form(record: Record) -> Any:
    """The wanted territories as the plan shows them: "all", or the codes sorted."""
    value = record.get(TERRITORIES)
    return value if value == "all" else sorted(str(code) for code in value or [])


def _flips_note(flips: TerritoryFlips) -> str:
    parts = []
    if flips.make_available:
        parts.append(f"makes available: {_codes(flips.make_available)}")
    if flips.make_unavailable:
        parts.append(f"makes unavailable: {_codes(flips.make_unavailable)}")
    if flips.unknown:
        parts.append(f"not App Store territories (apply fails): {', '.join(flips.unknown)}")
    return "; ".join(parts)


def _codes(codes: tuple[str, ...], shown: int = 12) -> str:
    """Codes in a line a person can read: the first few, then how many more."""
    head = ", ".join(codes[:shown])
    return head if len(codes) <= shown else f"{head} and {len(codes) - shown} more"


def _plan_price(planner: Planner, live: LiveAvailability) -> None:
    record = planner.desired.record
    managed = [k for k in (BASE_TERRITORY, CUSTOMER_PRICE) if k in record.attrs]
    if not managed:
        return
    have = {BASE_TERRITORY: live.base_territory, CUSTOMER_PRICE: live.customer_price}
    changed = [k for k in managed if not _same(k, record.get(k), have[k])]
    if not changed:
        return
    if BASE_TERRITORY in changed and CUSTOMER_PRICE in managed and CUSTOMER_PRICE not in changed:
        changed.append(CUSTOMER_PRICE)  # the same number is another price in another currency
    exists = live.schedule_id is not None
    planner.add(
        Change(
            f"{planner.desired.address}.price",
            Action.UPDATE if exists else Action.CREATE,
            "appPriceSchedules",
            planner.app,
            fields=tuple(
                FieldChange(k, have[k], record.get(k), source=planner.source(record, k))
                for k in changed
            ),
            calls=("GET /v1/apps/{id}/appPricePoints", "POST /v1/appPriceSchedules"),
            source=planner.source(record, changed[-1]),
        )
    )


def _same(key: str, wanted: Any, have: Any) -> bool:
    if key == CUSTOMER_PRICE:
        return same_price(wanted, have)
    return bool(wanted == have)


# -- applying ------------------------------------------------------------------------------


def _create_availability_op(change: Change, record: Record, app_id: str) -> Op:
    """Create the app's availability: every storefront listed, the wanted ones available."""
    wanted = record.get(TERRITORIES)
    new_territories = record.get(NEW_TERRITORIES)
    flag = True if new_territories is None else bool(new_territories)

    def run(client: ApiClient, ids: Ids) -> None:
        catalog = _territory_catalog(client)
        chosen = set(catalog) if wanted == "all" else {str(code) for code in wanted or []}
        unknown = sorted(chosen - set(catalog))
        if unknown:
            raise AscsyncError(_unknown_message(change, unknown))
        post_once(
            client,
            "/v2/appAvailabilities",
            availability_body(app_id, flag, catalog, chosen),
            lambda c: find_related(c, f"/v1/apps/{app_id}/appAvailabilityV2"),
            what=change.address,
        )

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


def _territories_op(change: Change, record: Record, state: LiveAvailability) -> Op:
    """One PATCH per storefront whose ``available`` differs from the repo."""
    flips = territory_flips(record.get(TERRITORIES), state)
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


def _price_op(change: Change, record: Record, app_id: str, state: LiveAvailability) -> Op:
    """GET the price point of the base territory, then POST a new price schedule."""
    territory = record.get(BASE_TERRITORY) or state.base_territory
    customer_price = record.get(CUSTOMER_PRICE)
    if not territory or customer_price is None:
        raise AscsyncError(
            f"{change.source or change.address}: a price needs "
            "price.base_territory and price.customer_price"
        )
    kept = carried_over(state.manual_prices, territory)

    def run(client: ApiClient, ids: Ids) -> None:
        point = price_point(
            client,
            f"/v1/apps/{app_id}/appPricePoints",
            "appPricePoints",
            territory,
            customer_price,
            limit=PAGE,
            what="this app",
        )
        # the schedule is the whole price list: sending it again sets the same prices
        post_once(
            client,
            "/v1/appPriceSchedules",
            schedule_body(app_id, territory, point, kept),
            None,
            what="the app's price schedule",
            repeatable=True,
        )

    return Op(run)


def carried_over(prices: list[ManualPrice], base: str) -> list[ManualPrice]:
    """Manual prices outside ``base`` that are in effect or still to come (start kept if later)."""
    today = dt.date.today().isoformat()
    out = []
    for item in prices:
        if item.territory == base or (item.end_date and item.end_date <= today):
            continue
        start = item.start_date if item.start_date and item.start_date > today else None
        out.append(ManualPrice(item.territory, item.point_id, start, None))
    return out


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


AVAILABILITY = Availability()

__all__ = [
    "AVAILABILITY",
    "LiveAvailability",
    "ManualPrice",
    "TerritoryFlips",
    "availability_body",
    "carried_over",
    "schedule_body",
    "territory_flips",
]
