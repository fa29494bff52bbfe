"""In-app purchases: ``in-app-purchases/<product_id>.yml``.

The repo may manage only some products: a live IAP without a file is left alone (never
planned, never deleted). Inside a managed IAP, its localizations are a set: a live
locale missing from the file is deleted. ``product_id`` is the key; ``type`` is fixed
once the product exists (listed as locked). Products waiting for or in review cannot be
edited: their changes are locked.

The price is the base territory's price in effect today; a change is a new price
schedule (Apple keeps history): the price point of (territory, customer price), and the
manual prices of other territories set by hand are read and carried over.

The review screenshot, promotional image and availability by territory follow
:mod:`ascsync.kinds.product_extras` (shared with subscriptions).

IAPs live under ``/v2/inAppPurchases`` (JSON:API type still ``inAppPurchases``); their
localizations under ``/v1``. Reading: 1 listing (localizations, price schedule, review
screenshot, images and availability included), then 2 per IAP whose price the repo
manages and 1 per IAP whose availability it manages (plus the territory list once),
side by side.

Addresses: ``app[x].iap[<product id>]`` (``.locale[<code>]``, ``.price``,
``.review_screenshot``, ``.promotional_image``, ``.availability``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.desired.loader import RepoLoader
from ascsync.desired.media import md5_file
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value, sub_fields
from ascsync.engine.compare import changed
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext, linked_id
from ascsync.engine.mapping import read_record
from ascsync.engine.ops import (
    Ids,
    Op,
    Parent,
    attributes_for,
    create_op,
    find_child,
    localization_op,
    need,
    patch_op,
    post_once,
)
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.engine.planner import Planner, plan_locales, relative
from ascsync.engine.prices import current_prices, price_point
from ascsync.errors import AscsyncError
from ascsync.io.media_download import MediaReport, RemoteImage, pull_images
from ascsync.io.repo_writer import RepoWriter, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.fields import PRODUCT_ID, needs_localization, price, product_localizations
from ascsync.kinds.product_extras import (
    IAP_NAMES,
    IMAGE_KEY,
    NEW_KEY,
    REVIEW_KEY,
    TERRITORIES_KEY,
    LiveExtras,
    Target,
    check_product,
    compile_extra,
    extra_fields,
    fill_live,
    manages_availability,
    plan_extras,
    read_availabilities,
    read_extras,
    remote_files,
)
from ascsync.problems import Problem, Severity
from ascsync.rules import products as pr

RESOURCE = "inAppPurchases"
LOCALIZATIONS = "inAppPurchaseLocalizations"
SCHEDULES = "inAppPurchasePriceSchedules"
PRICE_POINTS_PER_PAGE = 8000
"""``limit`` maximum of the ``pricePoints`` listings (Apple allows more than 200 here)."""

IN_REVIEW_STATES = frozenset({"WAITING_FOR_REVIEW", "IN_REVIEW"})
"""Product states in which Apple refuses edits to the product and its localizations."""

IAP_FIELDS = (
    Field(
        "product_id",
        FieldType.TEXT,
        "Fixed after creation.",
        f"{RESOURCE}.productId",
        required=True,
        **PRODUCT_ID,
    ),
    Field(
        "type",
        FieldType.ENUM,
        "",
        f"{RESOURCE}.inAppPurchaseType",
        required=True,
        choices=pr.IAP_TYPES,
        fixed=True,
    ),
    Field(
        "reference_name",
        FieldType.TEXT,
        "Internal name.",
        f"{RESOURCE}.name",
        required=True,
        limit="product_reference_name",
    ),
    Field("family_sharable", FieldType.BOOL, "", f"{RESOURCE}.familySharable"),
    Field(
        "review_note",
        FieldType.TEXT,
        "",
        f"{RESOURCE}.reviewNote",
        nullable=True,
        limit="product_review_note",
    ),
    *extra_fields(IAP_NAMES),
    price(SCHEDULES),
    product_localizations(LOCALIZATIONS),
)

IAP_FILE = FileKind(
    "in-app-purchase",
    "apps/<app>/in-app-purchases/<product_id>.yml",
    "One in-app purchase.",
    IAP_FIELDS,
)

_ATTRIBUTES = ("reference_name", "family_sharable", "review_note")
_TOP_LEVEL = tuple(f for f in IAP_FIELDS if f.key not in ("localizations", "price"))
_EXTRA_TYPES = (IAP_NAMES.review.resource, IAP_NAMES.image, IAP_NAMES.availability)
_LOCALE_FIELDS = sub_fields(IAP_FIELDS, "localizations")

Purchases = dict[str, Record]
"""In-app purchases by product id."""


@dataclass
class LiveProduct:
    """Ids of one IAP: the product, its localizations, its price schedule."""

    id: str
    state: str | None = None
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    price_schedule_id: str | None = None
    extras: LiveExtras = field(default_factory=LiveExtras)

    @property
    def locked_by(self) -> str | None:
        return self.state if self.state in IN_REVIEW_STATES else None


class InAppPurchases(ResourceKind[Purchases, dict[str, LiveProduct]]):
    name = "in_app_purchases"
    files = (IAP_FILE,)
    compiles = (RESOURCE, LOCALIZATIONS, SCHEDULES, *_EXTRA_TYPES)
    deletes = (LOCALIZATIONS, IAP_NAMES.review.resource, IAP_NAMES.image)
    deletes_whole = (LOCALIZATIONS,)
    nouns = {"iap": "in-app purchase", "price": "price"}
    owners = ("iap",)

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        purchases: Purchases = {}
        for path in loader.yaml_files(app.folder / "in-app-purchases"):
            record = loader.read_file(path, loader.files["in-app-purchase"])
            product_id = record.get("product_id") if record else None
            if record is None or not isinstance(product_id, str):
                continue
            if path.stem != product_id and pr.PRODUCT_ID.match(product_id):
                loader.problems.append(
                    record.where("product_id").problem(
                        "product_id",
                        f"differs from the file name {path.name}",
                        f"name the file {product_id}.yml",
                        Severity.WARNING,
                    )
                )
            loader.add_unique(purchases, product_id, record, "product_id")
        if purchases:
            app.parts[self.name] = purchases

    def check(self, app: App) -> list[Problem]:
        problems: list[Problem] = []
        root = app.folder.parent.parent  # apps/<name>/ sits in the repo root
        for record in (self.desired(app) or {}).values():
            problems += needs_localization(record, "localizations", "an in-app purchase")
            problems += check_product(record, "", "an in-app purchase", root)
        return problems

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> dict[str, LiveProduct]:
        wanted = self.desired(ctx.desired) or {}
        ids: dict[str, LiveProduct] = {}
        if not wanted:
            return ids
        doc = ctx.client.get_all(
            f"/v1/apps/{ctx.live.app_id}/inAppPurchasesV2",
            {
                "include": [LOCALIZATIONS, "iapPriceSchedule", *IAP_NAMES.includes],
                f"limit[{LOCALIZATIONS}]": 50,
                "limit[images]": 50,
            },
        )
        live: Purchases = {}
        for iap in doc.resources():
            attributes = iap.get("attributes") or {}
            product_id = attributes.get("productId")
            if product_id not in wanted:
                continue  # not managed by the repo: neither read further nor planned
            record = read_record(_TOP_LEVEL, {RESOURCE: attributes})
            product = LiveProduct(iap["id"], attributes.get("state"))
            product.price_schedule_id = linked_id(iap, "iapPriceSchedule")
            product.extras = read_extras(doc, iap, IAP_NAMES)
            record.maps["localizations"] = read_localizations(
                doc.related(iap, LOCALIZATIONS),
                _LOCALE_FIELDS,
                LOCALIZATIONS,
                "localizations",
                product.localizations,
            )
            live[product_id] = record
            ids[product_id] = product
        _read_prices(ctx, wanted, live, ids)
        managed = [ids[p].extras for p in ids if manages_availability(wanted[p])]
        read_availabilities(ctx, IAP_NAMES, managed)
        for product_id, record in live.items():
            extras = ids[product_id].extras
            fill_live(record, wanted[product_id], extras, product_id, IAP_NAMES, md5_file)
        ctx.live.model.parts[self.name] = live
        return ids

    def snapshot(self, live: LiveApp) -> Any:
        ids = self.state(live) or {}
        return {
            product_id: [_ids(ids[product_id]), record.to_plain()]
            for product_id, record in sorted((self.desired(live.model) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        ids = self.state(live) or {}
        return Counter(
            {
                LOCALIZATIONS: sum(len(p.localizations) for p in ids.values()),
                IAP_NAMES.review.resource: sum(p.extras.review is not None for p in ids.values()),
                IAP_NAMES.image: sum(len(p.extras.images) for p in ids.values()),
            }
        )

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        doc = discovery.client.get_all(
            f"/v1/apps/{discovery.app_id}/inAppPurchasesV2",
            {f"fields[{RESOURCE}]": ["productId"]},
        )
        skeleton.parts[self.name] = {
            r["attributes"]["productId"]: Record(
                LIVE,
                {
                    "product_id": Value(r["attributes"]["productId"], LIVE),
                    "price.base_territory": Value(None, LIVE),
                    # managed (as unknown), so the read asks for them
                    REVIEW_KEY: Value(None, LIVE),
                    IMAGE_KEY: Value(None, LIVE),
                    NEW_KEY: Value(None, LIVE),
                    TERRITORIES_KEY: Value(None, LIVE),
                },
            )
            for r in doc.resources()
        }

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        live = self.desired(planner.live.model) or {}
        ids = self.state(planner.live) or {}
        for product_id, wanted in (self.desired(planner.desired) or {}).items():
            _plan_iap(planner, product_id, wanted, live.get(product_id), ids.get(product_id))

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        product_id = address_keys(change.address)["iap"][0]
        address = f"{ctx.desired.address}.iap[{product_id}]"
        wanted = (self.desired(ctx.desired) or {})[product_id]
        ids = (self.state(ctx.live) or {}).get(product_id)
        parent = Parent(RESOURCE, ids.id if ids else None, address, "/v2/inAppPurchases")
        if change.resource == LOCALIZATIONS:
            code = address_keys(change.address)["locale"][0]
            return localization_op(
                change,
                fields=_LOCALE_FIELDS,
                wanted=wanted.maps.get("localizations", {}).get(code),
                prefix=f"localizations.{code}.",
                parent_relationship="inAppPurchaseV2",
                parent=parent,
                live_id=ids.localizations.get(code) if ids else None,
            )
        if change.resource == SCHEDULES:
            live = (self.desired(ctx.live.model) or {}).get(product_id)
            return _price_op(change, wanted, live, parent, ids)
        if change.resource in _EXTRA_TYPES:
            target = Target(address, wanted, "", ids.extras if ids else None, None)
            return compile_extra(change, IAP_NAMES, target, parent, ctx.uploads, ctx.checksum)
        attributes = attributes_for(IAP_FIELDS, change, wanted, "", RESOURCE)
        if change.action is Action.UPDATE:
            return patch_op(
                RESOURCE, need(ids.id if ids else None, product_id), attributes, version="v2"
            )
        app = Parent("apps", ctx.live.app_id, ctx.desired.address, "/v1/apps")
        return create_op(
            "/v2/inAppPurchases",
            RESOURCE,
            attributes,
            {"app": app},
            address,
            find=lambda client, parent_ids: find_child(
                client,
                f"/v1/apps/{parent_ids['app']}/inAppPurchasesV2",
                RESOURCE,
                "productId",
                product_id,
                {"productId": product_id},
            ),
        )

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        mine = (self.desired(desired) if desired else None) or {}
        for product_id, record in sorted((self.desired(live) or {}).items()):
            wanted = mine.get(product_id)
            if writer.managed_only and wanted is None:
                continue
            path = source_file(wanted) or folder / "in-app-purchases" / f"{product_id}.yml"
            writer.write_record(path, record, writer.fields("in-app-purchase"), wanted)

    def pull_files(self, live: LiveApp, folder: Path) -> MediaReport:
        """Download each product's review screenshot and promotional image."""
        sets: list[tuple[Path, list[RemoteImage]]] = []
        base = folder / IAP_NAMES.folder
        for product_id, ids in sorted((self.state(live) or {}).items()):
            sets += remote_files(IAP_NAMES, product_id, ids.extras, base)
        return pull_images(sets, folder.parent.parent) if sets else MediaReport()

    def not_live(self, live: App, desired: App) -> list[Path]:
        have = self.desired(live) or {}
        return [
            path
            for key, record in (self.desired(desired) or {}).items()
            if key not in have and (path := source_file(record)) is not None
        ]


# -- reading (shared with subscriptions) -----------------------------------------------------


def read_localizations(
    resources: list[dict[str, Any]],
    fields: tuple[Field, ...],
    resource_type: str,
    prefix: str,
    ids: dict[str, str],
) -> dict[str, Record]:
    """``{locale: Record}`` with keys ``<prefix>.<locale>.name``, as the loader writes them."""
    out: dict[str, Record] = {}
    for item in resources:
        attributes = item.get("attributes") or {}
        code = attributes.get("locale")
        if not code:
            continue
        ids[code] = item["id"]
        flat = read_record(fields, {resource_type: attributes})
        record = Record(LIVE)
        record.attrs = {f"{prefix}.{code}.{k}": v for k, v in flat.attrs.items()}
        out[code] = record
    return out


def _read_prices(
    ctx: LiveContext, wanted: Purchases, live: Purchases, ids: dict[str, LiveProduct]
) -> None:
    """For the IAPs whose price the repo manages: base territory and manual prices."""
    priced = [
        pid
        for pid, record in wanted.items()
        if pid in ids and ids[pid].price_schedule_id and record.manages("price.")
    ]
    schedules = [ids[pid].price_schedule_id or "" for pid in priced]
    # both maps submit at once: the base territories and the prices load side by side
    bases = ctx.pool.map(lambda schedule: _base_territory(ctx.client, schedule), schedules)
    manual = ctx.pool.map(lambda schedule: _manual_prices(ctx.client, schedule), schedules)
    for pid, base, current in zip(priced, bases, manual, strict=True):
        if base:
            record = live[pid]
            record.attrs["price.base_territory"] = Value(base, LIVE)
            if base in current:
                record.attrs["price.customer_price"] = Value(current[base][1], LIVE)


def _base_territory(client: ApiClient, schedule_id: str) -> str | None:
    schedule = client.get(
        f"/v1/{SCHEDULES}/{schedule_id}",
        {"include": ["baseTerritory"], f"fields[{SCHEDULES}]": ["baseTerritory"]},
    )
    return next((linked_id(r, "baseTerritory") for r in schedule.resources()), None)


def _manual_prices(client: ApiClient, schedule_id: str) -> dict[str, tuple[str, str]]:
    """The manual prices in effect (the base territory's is the one the repo sets)."""
    prices = client.get_all(
        f"/v1/{SCHEDULES}/{schedule_id}/manualPrices",
        {"include": ["inAppPurchasePricePoint", "territory"]},
    )
    return current_prices(prices, "inAppPurchasePricePoint")


def _ids(ids: LiveProduct) -> list[Any]:
    return [
        ids.id,
        ids.state,
        sorted(ids.localizations.items()),
        ids.price_schedule_id,
        ids.extras.plain(),
    ]


# -- planning ------------------------------------------------------------------------------


def _plan_iap(
    planner: Planner,
    product_id: str,
    wanted: Record,
    live: Record | None,
    ids: LiveProduct | None,
) -> None:
    address = f"{planner.desired.address}.iap[{product_id}]"
    want, have = relative(wanted), relative(live) if live else {}
    locked_by = ids.locked_by if ids else None
    if ids is None:
        keys = [k for k in ("product_id", "type", *_ATTRIBUTES) if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                RESOURCE,
                planner.app,
                fields=planner.field_changes(want, {}, keys, wanted),
                calls=("POST /v2/inAppPurchases",),
                source=planner.source(wanted, "product_id"),
            )
        )
    else:
        planner.lock_fixed(
            address,
            RESOURCE,
            want,
            have,
            wanted,
            IAP_FIELDS,
            "{key} is fixed once the product exists; use a new product_id",
        )
        planner.update(
            address,
            RESOURCE,
            want,
            have,
            wanted,
            _ATTRIBUTES,
            "PATCH /v2/inAppPurchases/{id}",
            locked_by=locked_by,
        )
    _plan_price(planner, address, wanted, want, have, ids, locked_by)
    plan_extras(
        planner, IAP_NAMES, Target(address, wanted, "", ids.extras if ids else None, locked_by)
    )
    plan_locales(
        planner,
        owner=address,
        wanted=wanted,
        live=live,
        map_key="localizations",
        live_ids=ids.localizations if ids else {},
        resource=LOCALIZATIONS,
        fields=_LOCALE_FIELDS,
        locked_by=locked_by,
    )


def _plan_price(
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
            SCHEDULES,
            planner.app,
            fields=planner.field_changes(want, have, keys, wanted),
            calls=(
                "GET /v2/inAppPurchases/{id}/pricePoints",
                # an existing schedule's other manual prices are kept in the new one
                *((f"GET /v1/{SCHEDULES}/{{id}}/manualPrices",) if exists else ()),
                f"POST /v1/{SCHEDULES}",
            ),
            after=(address,),
            source=planner.source(wanted, keys[-1]),
        ),
        locked_by=locked_by,
    )


# -- applying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManualPrice:
    """A manual price of a schedule: its price point, and when it starts (None: now)."""

    point_id: str
    start_date: str | None


def _price_op(
    change: Change,
    wanted: Record,
    live: Record | None,
    parent: Parent,
    ids: LiveProduct | None,
) -> Op:
    """GET the price point of the base territory, then POST a new price schedule.

    A new schedule replaces the whole previous one, so the manual prices of other
    territories (set in App Store Connect by hand) are read first and carried over.
    """
    territory = wanted.get("price.base_territory") or (
        live.get("price.base_territory") if live else None
    )
    customer_price = wanted.get("price.customer_price")
    if not territory or customer_price is None:
        raise AscsyncError(
            f"{change.address}: a price needs price.base_territory and price.customer_price"
        )
    schedule_id = ids.price_schedule_id if ids else None

    def run(client: ApiClient, run_ids: Ids) -> None:
        iap_id = parent.id(run_ids)
        point = price_point(
            client,
            f"/v2/inAppPurchases/{iap_id}/pricePoints",
            "inAppPurchasePricePoints",
            territory,
            customer_price,
            limit=PRICE_POINTS_PER_PAGE,
        )
        kept = _other_manual_prices(client, schedule_id, territory) if schedule_id else []
        body = _schedule_body(iap_id, territory, [ManualPrice(point, None), *kept])
        # the schedule is the whole price list: sending it again sets the same prices
        post_once(client, f"/v1/{SCHEDULES}", body, None, what=change.address, repeatable=True)

    return Op(run)


def _other_manual_prices(client: ApiClient, schedule_id: str, base: str) -> list[ManualPrice]:
    """The schedule's manual prices outside ``base`` that are in effect or still to come."""
    doc = client.get_all(
        f"/v1/{SCHEDULES}/{schedule_id}/manualPrices",
        {"include": ["inAppPurchasePricePoint", "territory"]},
    )
    today = dt.date.today().isoformat()
    kept = []
    for item in doc.resources():
        attributes = item.get("attributes") or {}
        end = attributes.get("endDate")
        point = doc.related_one(item, "inAppPurchasePricePoint")
        if (end and end <= today) or point is None or linked_id(item, "territory") == base:
            continue
        start = attributes.get("startDate")
        kept.append(ManualPrice(point["id"], start if start and start > today else None))
    return kept


def _schedule_body(iap_id: str, territory: str, prices: list[ManualPrice]) -> dict[str, Any]:
    """A schedule whose manual prices (the base territory's first) are created inline."""
    iap = {"data": {"type": RESOURCE, "id": iap_id}}
    local_ids = [f"${{price-{index}}}" for index in range(len(prices))]
    return {
        "data": {
            "type": SCHEDULES,
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


IN_APP_PURCHASES = InAppPurchases()

__all__ = ["IAP_FIELDS", "IN_APP_PURCHASES", "IN_REVIEW_STATES", "read_localizations"]
