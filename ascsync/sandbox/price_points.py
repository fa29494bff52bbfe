"""Apple's price points, as the sandbox gives them to apps, IAPs and subscriptions.

Apple offers a price point per (territory, customer price); every product points at one.
The sandbox derives its ladder from ``seeds/prices.yml`` and gives each owner its points
when it is created, whether by the seed or by a request (an IAP created through the API).
Kept apart from :mod:`ascsync.sandbox.seed` and :mod:`ascsync.sandbox.rules`, which both
use it, so neither imports the other.
"""

from __future__ import annotations

import base64
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ascsync.sandbox.store import Ref, Resource, Store

PRICES_FILE = Path(__file__).parent / "seeds" / "prices.yml"

PRICE_POINT_TYPES = {
    "apps": "appPricePoints",
    "inAppPurchases": "inAppPurchasePricePoints",
    "subscriptions": "subscriptionPricePoints",
}


@cache
def price_ladder() -> dict[str, list[str]]:
    """Customer prices per territory, lowest first (``seeds/prices.yml``)."""
    data = YAML(typ="safe").load(PRICES_FILE.read_text(encoding="utf-8"))
    ladder: dict[str, list[str]] = {}
    for territory, rule in data["territories"].items():
        prices = []
        for usd in data["tiers_usd"]:
            local = float(usd) * float(rule["factor"])
            if local == 0:
                prices.append("0" if str(rule["rounding"]).startswith("step") else "0.00")
            elif rule["rounding"] == "ninety_nine":
                prices.append(f"{math.floor(local) + 0.99:.2f}")
            else:
                step = int(str(rule["rounding"]).split(":")[1])
                prices.append(str(math.ceil(local / step) * step))
        ladder[territory] = prices
    return ladder


def price_point_id(owner_id: str, territory: str, index: int) -> str:
    """Opaque like Apple's: base64url of ``{"s": owner, "t": territory, "p": point}``."""
    raw = json.dumps(
        {"s": owner_id, "t": territory, "p": str(10001 + index)}, separators=(",", ":")
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def price_point_owner(point_id: str) -> tuple[str, str] | None:
    """``(owner id, territory)`` of a sandbox price point id, or None if it is not one."""
    try:
        padded = point_id + "=" * (-len(point_id) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return str(data["s"]), str(data["t"])
    except (ValueError, KeyError, TypeError):
        return None


def add_price_points(store: Store, owner: Resource) -> None:
    """Give an app, IAP or subscription its price points (``GET .../pricePoints``)."""
    type_ = PRICE_POINT_TYPES[owner.type]
    refs: list[Ref] = []
    for territory, prices in price_ladder().items():
        if store.get("territories", territory) is None:
            continue
        for index, price in enumerate(prices):
            attributes: dict[str, Any] = {
                "customerPrice": price,
                "proceeds": _share(price, 0.70),
            }
            if type_ == "subscriptionPricePoints":
                attributes["proceedsYear2"] = _share(price, 0.85)
            relationships: dict[str, Ref | list[Ref] | None] = {
                "territory": ("territories", territory)
            }
            if owner.type == "apps":
                relationships["app"] = owner.ref
            point = store.create(
                type_, attributes, relationships, id_=price_point_id(owner.id, territory, index)
            )
            refs.append(point.ref)
    if owner.type != "apps":  # apps list theirs through the inverse of ``app``
        store.set_relationship(owner, "pricePoints", refs)


def _share(price: str, ratio: float) -> str:
    decimals = len(price.split(".")[1]) if "." in price else 0
    return f"{float(price) * ratio:.{decimals}f}"
