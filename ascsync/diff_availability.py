"""Planning ``app.yml``'s ``availability`` and ``price`` against App Store Connect.

Addresses: ``app[x].availability`` and ``app[x].price``.

* Availability with none live is a create (``POST /v2/appAvailabilities``, every storefront
  listed, available or not, as Apple requires). With one live, the territories are
  compared as sets (the repo's order does not matter, ``all`` is every storefront the
  app's availability lists) and each storefront that flips is one
  ``PATCH /v1/territoryAvailabilities/{id}``.
* ``available_in_new_territories`` is only settable when the availability is created:
  Apple's API has no update for it. A difference on a live availability is listed as
  locked, with what to do, rather than planned and failing.
* A price is a new schedule: the price point of (base territory, customer price), then
  ``POST /v1/appPriceSchedules``. Prices compare as numbers (``"4.9"`` is ``4.90``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ascsync.desired.model import App, Record
from ascsync.engine.plan import Action, Change, FieldChange, Plan
from ascsync.live import LiveApp
from ascsync.live_availability import AVAILABILITY_PREFIX, PRICE_PREFIX, LiveAvailability

KEY_PREFIXES = (AVAILABILITY_PREFIX, PRICE_PREFIX)
"""``app.yml`` keys planned here rather than by :mod:`ascsync.diff`."""

NEW_TERRITORIES = "availability.available_in_new_territories"
TERRITORIES = "availability.territories"
BASE_TERRITORY = "price.base_territory"
CUSTOMER_PRICE = "price.customer_price"

Source = Callable[[Record, str], str | None]


@dataclass(frozen=True)
class TerritoryFlips:
    """What an availability update does: storefronts to open, to close, and unknown codes."""

    make_available: tuple[str, ...]
    make_unavailable: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.make_available) + len(self.make_unavailable)


def plan_availability(desired: App, live: LiveApp, plan: Plan, *, source: Source) -> None:
    """Add the availability and price changes ``desired``'s ``app.yml`` asks for to ``plan``."""
    state = live.availability or LiveAvailability()
    _availability(desired, state, plan, source)
    _price(desired, state, plan, source)


# -- availability ------------------------------------------------------------------------


def _availability(desired: App, live: LiveAvailability, plan: Plan, source: Source) -> None:
    record = desired.record
    if NEW_TERRITORIES not in record.attrs and TERRITORIES not in record.attrs:
        return
    address = f"{desired.address}.availability"
    if live.availability_id is None:
        _create_availability(desired, plan, source, address)
        return
    wanted_flag = record.get(NEW_TERRITORIES)
    if NEW_TERRITORIES in record.attrs and wanted_flag != live.new_territories:
        plan.locked.append(
            Change(
                address,
                Action.UPDATE,
                "appAvailabilities",
                desired.name,
                fields=(FieldChange(NEW_TERRITORIES, live.new_territories, wanted_flag),),
                source=source(record, NEW_TERRITORIES),
                note="App Store Connect's API sets this only when availability is first "
                "created; change it in the App Store Connect web UI",
            )
        )
    if TERRITORIES not in record.attrs:
        return
    flips = territory_flips(record.get(TERRITORIES), live)
    if not flips.count and not flips.unknown:
        return
    plan.changes.append(
        Change(
            address,
            Action.UPDATE,
            "territoryAvailabilities",
            desired.name,
            fields=(FieldChange(TERRITORIES, live.territories(), _repo_form(record)),),
            calls=(f"PATCH /v1/territoryAvailabilities/{{id}} (x{flips.count})",),
            source=source(record, TERRITORIES),
            note=_flips_note(flips),
        )
    )


def _create_availability(desired: App, plan: Plan, source: Source, address: str) -> None:
    record = desired.record
    if TERRITORIES not in record.attrs:
        plan.locked.append(
            Change(
                address,
                Action.CREATE,
                "appAvailabilities",
                desired.name,
                fields=(FieldChange(NEW_TERRITORIES, None, record.get(NEW_TERRITORIES)),),
                source=source(record, NEW_TERRITORIES),
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
    plan.changes.append(
        Change(
            address,
            Action.CREATE,
            "appAvailabilities",
            desired.name,
            fields=tuple(fields),
            calls=("GET /v1/territories", "POST /v2/appAvailabilities"),
            source=source(record, TERRITORIES),
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


# -- price -------------------------------------------------------------------------------


def _price(desired: App, live: LiveAvailability, plan: Plan, source: Source) -> None:
    record = desired.record
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
    plan.changes.append(
        Change(
            f"{desired.address}.price",
            Action.UPDATE if exists else Action.CREATE,
            "appPriceSchedules",
            desired.name,
            fields=tuple(FieldChange(k, have[k], record.get(k)) for k in changed),
            calls=("GET /v1/apps/{id}/appPricePoints", "POST /v1/appPriceSchedules"),
            source=source(record, changed[-1]),
        )
    )


def _same(key: str, wanted: Any, have: Any) -> bool:
    if key == CUSTOMER_PRICE:
        return _decimal(wanted) is not None and _decimal(wanted) == _decimal(have)
    return bool(wanted == have)


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


__all__ = ["KEY_PREFIXES", "TerritoryFlips", "plan_availability", "territory_flips"]
