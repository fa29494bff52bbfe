"""Subscription offers: ``subscription-offers/<product_id>.yml``.

One file per subscription (of a group file in ``subscriptions/``) lists its offers; each
list the file has is managed as a set:

* ``introductory_offers``: what new subscribers get first, one offer per territory at a
  time [A]. An item is one mode (free trial, pay as you go, pay up front) with its
  duration and number of periods, in the territories it lists (a free trial) or prices
  (a paid offer), optionally from ``start_date`` to ``end_date``. Apple keeps one
  resource per territory, so an item is planned as one change that creates, replaces or
  ends the offers of its territories; Apple cannot change an offer in place but its end
  date, so any other difference replaces it (delete, then create). Live offers in
  territories no item covers are deleted. One item per mode [ascsync's limit].
* ``promotional_offers``: offers an app presents to existing or lapsed subscribers, by
  ``code`` (the identifier the app passes to StoreKit). Only their prices can change
  [S]; another difference is locked (use a new code). Unlisted ones are deleted.
* ``offer_codes``: campaigns of codes subscribers redeem, by ``name``, with custom codes
  (``SPRING2027`` for 500 redemptions). Apple cannot delete them, only deactivate
  them [S]: ``active: false``; an unlisted one is left alone. One-time-use codes are
  never part of a plan (they are generated on purpose, and each generation makes new
  codes).

Prices are Apple's price points for (territory, customer price) of the subscription,
resolved when applying (a price Apple does not offer fails with the nearest valid ones).
A free trial has no price [I: App-Store-Connect-CLI #1948]. Win-back offers are not
managed yet (see docs/limits.md).

Reading, per subscription the files name: its introductory offers (prices and
territories included), its promotional offers and offer codes (custom codes included),
then the prices of each, side by side; the storefront list once for ``all``.

Addresses: ``app[x].offers[<product id>]`` + ``.introductory[<MODE>]`` (``.removed``),
``.promotional[<code>]``, ``.offer_code[<name>]`` (``.custom_code[<CODE>]``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import Document, resource_body
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value
from ascsync.engine.compare import same
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext, linked_id
from ascsync.engine.ops import Ids, Op, Parent, delete_op, find_child, need, patch_op, post_once
from ascsync.engine.plan import Action, Change, FieldChange, address_keys
from ascsync.engine.planner import Planner, item_prefix, item_value
from ascsync.engine.prices import decimal, price_point
from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.fields import PRODUCT_ID, TERRITORY
from ascsync.kinds.product_extras import all_territories
from ascsync.kinds.subscriptions import SUBSCRIPTION_GROUPS, LiveGroup
from ascsync.problems import Problem, Severity

INTRODUCTORY = "subscriptionIntroductoryOffers"
PROMOTIONAL = "subscriptionPromotionalOffers"
PROMOTIONAL_PRICES = "subscriptionPromotionalOfferPrices"
OFFER_CODES = "subscriptionOfferCodes"
OFFER_CODE_PRICES = "subscriptionOfferCodePrices"
CUSTOM_CODES = "subscriptionOfferCodeCustomCodes"
POINTS = "subscriptionPricePoints"
PRICE_POINTS_PER_PAGE = 8000

FREE = "FREE_TRIAL"
MODES = ("PAY_AS_YOU_GO", "PAY_UP_FRONT", FREE)  # [S] SubscriptionOfferMode
DURATIONS = (
    "THREE_DAYS",
    "ONE_WEEK",
    "TWO_WEEKS",
    "ONE_MONTH",
    "TWO_MONTHS",
    "THREE_MONTHS",
    "SIX_MONTHS",
    "ONE_YEAR",
)  # [S] SubscriptionOfferDuration
ELIGIBILITIES = ("NEW", "EXISTING", "EXPIRED")  # [S] SubscriptionCustomerEligibility
OFFER_ELIGIBILITY = ("STACK_WITH_INTRO_OFFERS", "REPLACE_INTRO_OFFERS")  # [S]
MAX_PROMOTIONAL = 10  # [A] "up to 10 active promotional offers" per subscription


def _terms(resource: str) -> tuple[Field, ...]:
    return (
        Field("duration", FieldType.ENUM, "", f"{resource}.duration", True, choices=DURATIONS),
        Field("periods", FieldType.INT, "", f"{resource}.numberOfPeriods", True, min=1),
    )


def _where(resource: str, price: str) -> tuple[Field, ...]:
    return (
        Field(
            "territories",
            FieldType.TERRITORIES,
            'A free trial: "all" or the codes where it applies.',
            f"{price}.territory",
        ),
        Field(
            "prices",
            FieldType.LIST,
            "A paid offer: its price per territory (also where it applies).",
            price,
            fields=(
                Field("territory", FieldType.TEXT, "", f"{price}.territory", True, **TERRITORY),
                Field("customer_price", FieldType.PRICE, "", f"{POINTS}.customerPrice", True),
            ),
        ),
    )


def _mode(resource: str) -> Field:
    return Field("mode", FieldType.ENUM, "", f"{resource}.offerMode", True, choices=MODES)


INTRODUCTORY_FIELDS = (
    _mode(INTRODUCTORY),
    *_terms(INTRODUCTORY),
    *_where(INTRODUCTORY, INTRODUCTORY),
    Field("start_date", FieldType.DATE, "", f"{INTRODUCTORY}.startDate", nullable=True),
    Field("end_date", FieldType.DATE, "", f"{INTRODUCTORY}.endDate", nullable=True),
)
PROMOTIONAL_FIELDS = (
    Field(
        "code",
        FieldType.TEXT,
        "The identifier the app passes to StoreKit; fixed.",
        f"{PROMOTIONAL}.offerCode",
        True,
    ),
    Field("name", FieldType.TEXT, "Reference name; fixed.", f"{PROMOTIONAL}.name", True),
    _mode(PROMOTIONAL),
    *_terms(PROMOTIONAL),
    *_where(PROMOTIONAL, PROMOTIONAL_PRICES),
)
CUSTOM_CODE_FIELDS = (
    Field(
        "code", FieldType.TEXT, "What subscribers type; fixed.", f"{CUSTOM_CODES}.customCode", True
    ),
    Field(
        "count", FieldType.INT, "Redemptions; fixed.", f"{CUSTOM_CODES}.numberOfCodes", True, min=1
    ),
    Field("expires", FieldType.DATE, "Fixed.", f"{CUSTOM_CODES}.expirationDate"),
    Field("active", FieldType.BOOL, "false deactivates it.", f"{CUSTOM_CODES}.active"),
)
OFFER_CODE_FIELDS = (
    Field("name", FieldType.TEXT, "Reference name of the campaign.", f"{OFFER_CODES}.name", True),
    Field(
        "eligibility",
        FieldType.STRINGS,
        "Who may redeem: NEW, EXISTING, EXPIRED subscribers.",
        f"{OFFER_CODES}.customerEligibilities",
        True,
        choices=ELIGIBILITIES,
    ),
    Field(
        "offer_eligibility",
        FieldType.ENUM,
        "",
        f"{OFFER_CODES}.offerEligibility",
        True,
        choices=OFFER_ELIGIBILITY,
    ),
    _mode(OFFER_CODES),
    *_terms(OFFER_CODES),
    Field("auto_renew", FieldType.BOOL, "", f"{OFFER_CODES}.autoRenewEnabled"),
    Field("active", FieldType.BOOL, "false deactivates the campaign.", f"{OFFER_CODES}.active"),
    *_where(OFFER_CODES, OFFER_CODE_PRICES),
    Field("custom_codes", FieldType.LIST, "", CUSTOM_CODES, fields=CUSTOM_CODE_FIELDS),
)

OFFERS_FIELDS = (
    Field(
        "product_id",
        FieldType.TEXT,
        "A subscription of a file in subscriptions/.",
        "subscriptions.productId",
        True,
        **PRODUCT_ID,
    ),
    Field(
        "introductory_offers",
        FieldType.LIST,
        "One item per mode; a set.",
        INTRODUCTORY,
        fields=INTRODUCTORY_FIELDS,
    ),
    Field(
        "promotional_offers",
        FieldType.LIST,
        "By code; a set.",
        PROMOTIONAL,
        fields=PROMOTIONAL_FIELDS,
    ),
    Field(
        "offer_codes",
        FieldType.LIST,
        "By name; unlisted campaigns are left alone.",
        OFFER_CODES,
        fields=OFFER_CODE_FIELDS,
    ),
)

OFFERS_FILE = FileKind(
    "subscription-offers",
    "apps/<app>/subscription-offers/<product_id>.yml",
    "The offers of one subscription.",
    OFFERS_FIELDS,
)

Files = dict[str, Record]
"""Offer files by product id."""


# -- live state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What makes two offers the same, whatever their territories."""

    mode: str
    duration: str
    periods: int


@dataclass
class LiveIntro:
    id: str
    territory: str
    terms: Terms
    price: str | None
    start: str | None
    end: str | None


@dataclass
class LiveOffer:
    """A promotional offer or an offer code, with its prices by territory."""

    id: str
    key: str  # code, or name
    attributes: dict[str, Any]
    prices: dict[str, str | None] = field(default_factory=dict)  # territory -> price
    customs: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # CODE -> ...


@dataclass
class LiveOffers:
    subscription_id: str | None = None
    introductory: list[LiveIntro] = field(default_factory=list)
    promotional: dict[str, LiveOffer] = field(default_factory=dict)
    codes: dict[str, LiveOffer] = field(default_factory=dict)
    all_codes: tuple[str, ...] = ()


# -- the kind ------------------------------------------------------------------------------


class SubscriptionOffers(ResourceKind[Files, dict[str, LiveOffers]]):
    name = "subscription_offers"
    files = (OFFERS_FILE,)
    depends_on = ("subscription_groups",)
    compiles = (INTRODUCTORY, PROMOTIONAL, OFFER_CODES, CUSTOM_CODES)
    deletes = (INTRODUCTORY, PROMOTIONAL)
    deletes_whole = deletes
    nouns = {
        "offers": "subscription offers",
        "introductory": "introductory offer",
        "promotional": "promotional offer",
        "offer_code": "offer code",
        "custom_code": "custom code",
    }
    owners = ("offers",)

    def load(self, loader: RepoLoader, app: App) -> None:
        found: Files = {}
        for path in loader.yaml_files(app.folder / "subscription-offers"):
            record = loader.read_file(path, loader.files["subscription-offers"])
            product_id = record.get("product_id") if record else None
            if record is not None and isinstance(product_id, str):
                loader.add_unique(found, product_id, record, "product_id")
        if found:
            app.parts[self.name] = found

    def check(self, app: App) -> list[Problem]:
        known = _repo_subscriptions(app)
        problems: list[Problem] = []
        for product_id, record in (self.desired(app) or {}).items():
            if product_id not in known:
                problems.append(
                    record.where("product_id").problem(
                        "product_id",
                        f"{product_id!r} is not a subscription of a file in subscriptions/; "
                        "its offers are not planned",
                        "offers belong to a subscription the repo manages",
                        Severity.WARNING,
                    )
                )
            problems += check_offers(record)
        return problems + _unique_custom_codes(self.desired(app) or {})

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> dict[str, LiveOffers]:
        files = self.desired(ctx.desired) or {}
        state: dict[str, LiveOffers] = {}
        if not files:
            return state
        groups: dict[str, LiveGroup] = ctx.state_of("subscription_groups") or {}
        ids = {pid: s.id for g in groups.values() for pid, s in g.subscriptions.items()}
        jobs = [(pid, ids[pid], record) for pid, record in files.items() if pid in ids]
        results = ctx.pool.map(lambda job: _read_offers(ctx.client, job[1], job[2]), jobs)
        intro = any("introductory_offers" in r.lists for r in files.values())
        everything = all_territories(ctx) if intro or _uses_all(files) else ()
        live: Files = {}
        for (product_id, _, wanted), offers in zip(jobs, results, strict=True):
            offers.all_codes = everything
            state[product_id] = offers
            live[product_id] = _live_record(product_id, wanted, offers)
        for product_id in files:
            state.setdefault(product_id, LiveOffers(all_codes=everything))
        if live:
            ctx.live.model.parts[self.name] = live
        return state

    def snapshot(self, live: LiveApp) -> Any:
        return {
            pid: [
                offers.subscription_id,
                [[i.id, i.territory, i.price, i.start, i.end] for i in offers.introductory],
                {k: [o.id, o.attributes, o.prices] for k, o in sorted(offers.promotional.items())},
                {
                    k: [o.id, o.attributes, o.prices, o.customs]
                    for k, o in sorted(offers.codes.items())
                },
            ]
            for pid, offers in sorted((self.state(live) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        counts: Counter[str] = Counter()
        for offers in (self.state(live) or {}).values():
            counts[INTRODUCTORY] += len(offers.introductory)
            counts[PROMOTIONAL] += len(offers.promotional)
        return counts

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        """Manage the offers of every subscription the skeleton's groups list."""
        files: Files = {}
        for product_id in sorted(_repo_subscriptions(skeleton)):
            files[product_id] = Record(
                LIVE,
                {"product_id": Value(product_id, LIVE)},
                lists={"introductory_offers": [], "promotional_offers": [], "offer_codes": []},
            )
        if files:
            skeleton.parts[self.name] = files

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        state = self.state(planner.live) or {}
        known = _repo_subscriptions(planner.desired)
        for product_id, wanted in (self.desired(planner.desired) or {}).items():
            if product_id not in known:
                continue  # validate warned: the subscription is not the repo's
            offers = state.get(product_id) or LiveOffers()
            address = f"{planner.desired.address}.offers[{product_id}]"
            owner = _subscription_address(planner.desired, product_id)
            locked_by = _subscription_lock(planner.live, product_id)
            if "introductory_offers" in wanted.lists:
                _plan_introductory(planner, address, owner, wanted, offers, locked_by)
            if "promotional_offers" in wanted.lists:
                _plan_promotional(planner, address, owner, wanted, offers, locked_by)
            if "offer_codes" in wanted.lists:
                _plan_codes(planner, address, owner, wanted, offers, locked_by)

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        keys = address_keys(change.address)
        product_id = keys["offers"][0]
        wanted = (self.desired(ctx.desired) or {})[product_id]
        offers = (self.state(ctx.live) or {}).get(product_id) or LiveOffers()
        subscription = Parent(
            "subscriptions",
            offers.subscription_id,
            _subscription_address(ctx.desired, product_id),
            "/v1/subscriptions",
        )
        if change.resource == INTRODUCTORY:
            mode = (keys.get("introductory") or [""])[0]  # none for ``.introductory.removed``
            return _introductory_op(change, mode, wanted, offers, subscription)
        if change.resource == PROMOTIONAL:
            return _promotional_op(change, keys["promotional"][0], wanted, offers, subscription)
        code_name = keys["offer_code"][0]
        if change.resource == CUSTOM_CODES:
            return _custom_code_op(change, code_name, keys["custom_code"][0], wanted, offers, ctx)
        return _offer_code_op(change, code_name, wanted, offers, subscription, ctx)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        mine = (self.desired(desired) if desired else None) or {}
        for product_id, record in sorted((self.desired(live) or {}).items()):
            wanted = mine.get(product_id)
            if wanted is None and (writer.managed_only or not any(record.lists.values())):
                continue
            path = source_file(wanted) or folder / "subscription-offers" / f"{product_id}.yml"
            writer.write_record(path, record, writer.fields("subscription-offers"), wanted)


# -- the repo ------------------------------------------------------------------------------


def _repo_subscriptions(app: App) -> dict[str, str]:
    """Product id -> group name, of the subscriptions the repo's group files list."""
    out = {}
    for name, group in (SUBSCRIPTION_GROUPS.desired(app) or {}).items():
        for sub in group.lists.get("subscriptions", []):
            product_id = item_value(sub, "product_id")
            if isinstance(product_id, str):
                out[product_id] = name
    return out


def _own_prefix(record: Record) -> str:
    """``offer_codes[0].custom_codes[1].``: the prefix of an item of a nested list."""
    for key in record.attrs:
        at = key.rfind("].")
        if at >= 0:
            return key[: at + 2]
    return ""


def _subscription_address(app: App, product_id: str) -> str:
    group = _repo_subscriptions(app).get(product_id, "?")
    return f"{app.address}.subscription_group[{group}].subscription[{product_id}]"


def _subscription_lock(live: LiveApp, product_id: str) -> str | None:
    for group in (SUBSCRIPTION_GROUPS.state(live) or {}).values():
        sub = group.subscriptions.get(product_id)
        if sub is not None:
            return sub.locked_by
    return None


def _uses_all(files: Files) -> bool:
    return any(
        item_value(item, "territories") == "all"
        for record in files.values()
        for key in ("introductory_offers", "promotional_offers", "offer_codes")
        for item in record.lists.get(key, [])
    )


def offer_prices(item: Record, all_codes: tuple[str, ...]) -> dict[str, str | None]:
    """Territory -> customer price (None: free) of one offer item."""
    prefix = item_prefix(item)
    priced = next((v for k, v in item.lists.items() if k.endswith(".prices")), [])
    if priced:
        return {
            str(item_value(p, "territory")): str(item_value(p, "customer_price")) for p in priced
        }
    listed = item.get(prefix + "territories")
    codes = all_codes if listed == "all" else tuple(listed or ())
    return {code: None for code in codes}


def check_offers(record: Record) -> list[Problem]:
    """Free trials list territories, paid offers prices; one intro per mode and territory;
    codes and names unique; at most 10 promotional offers."""
    problems = []
    for key in ("introductory_offers", "promotional_offers", "offer_codes"):
        for item in record.lists.get(key, []):
            problems += _check_terms(item)
    intro = record.lists.get("introductory_offers", [])
    problems += _unique(intro, "mode", "one introductory offer per mode")
    problems += _overlaps(intro)
    promos = record.lists.get("promotional_offers", [])
    problems += _unique(promos, "code", "codes are unique per subscription")
    if len(promos) > MAX_PROMOTIONAL:
        problems.append(
            record.where("product_id").problem(
                "promotional_offers",
                f"lists {len(promos)} offers",
                f"at most {MAX_PROMOTIONAL} per subscription",
            )
        )
    problems += _unique(record.lists.get("offer_codes", []), "name", "names are unique")
    return problems


def _check_terms(item: Record) -> list[Problem]:
    prefix = item_prefix(item)
    mode = item.get(prefix + "mode")
    priced = any(k.endswith(".prices") and v for k, v in item.lists.items())
    listed = prefix + "territories" in item.attrs
    where = item.where(prefix + "mode")
    if mode == FREE and priced:
        return [where.problem(prefix + "prices", "a free trial has no price", "territories: ...")]
    if mode == FREE and not listed:
        return [where.problem(prefix + "territories", "is required for a free trial", '"all"')]
    if mode in MODES and mode != FREE and not priced:
        return [
            where.problem(
                prefix + "prices", f"is required for {mode}", "[{territory, customer_price}]"
            )
        ]
    if mode in MODES and mode != FREE and listed:
        return [
            where.problem(
                prefix + "territories", "is for free trials; a paid offer's prices say where"
            )
        ]
    seen: set[str] = set()
    out = []
    for price in next((v for k, v in item.lists.items() if k.endswith(".prices")), []):
        territory = item_value(price, "territory")
        if territory in seen:
            key = _own_prefix(price) + "territory"
            out.append(price.where(key).problem(key, f"{territory} has a price already"))
        seen.add(str(territory))
    return out


def _unique(items: list[Record], key: str, why: str) -> list[Problem]:
    seen: set[Any] = set()
    out = []
    for item in items:
        value = item_value(item, key)
        if value in seen:
            full = item_prefix(item) + key
            out.append(item.where(full).problem(full, f"{value!r} is listed twice", why))
        seen.add(value)
    return out


def _overlaps(items: list[Record]) -> list[Problem]:
    """Two introductory offers may not cover one territory (one per territory [A])."""
    out = []
    taken: list[tuple[str, set[str]]] = []
    for item in items:
        covered = set(offer_prices(item, ("*",)))  # "all" reads as {"*"}
        mode = str(item_value(item, "mode"))
        for other_mode, codes in taken:
            both = covered & codes
            if both or "*" in covered or "*" in codes:
                key = item_prefix(item) + "mode"
                clash = ", ".join(sorted(both - {"*"})) or "all territories"
                out.append(
                    item.where(key).problem(
                        key,
                        f"covers {clash} like the {other_mode} offer",
                        "one introductory offer per territory",
                    )
                )
        taken.append((mode, covered))
    return out


def _unique_custom_codes(files: Files) -> list[Problem]:
    """[U] Custom codes are unique per app (case-insensitive)."""
    seen: set[str] = set()
    out = []
    for record in files.values():
        for campaign in record.lists.get("offer_codes", []):
            for custom in next(
                (v for k, v in campaign.lists.items() if k.endswith("custom_codes")), []
            ):
                code = str(item_value(custom, "code") or "")
                key = next(k for k in custom.attrs if k.endswith(".code"))
                if code.upper() in seen:
                    out.append(custom.where(key).problem(key, f"{code!r} is used twice"))
                elif not code.isalnum():
                    out.append(
                        custom.where(key).problem(
                            key,
                            f"{code!r} has characters other than letters and digits",
                            "letters and digits [U]",
                            Severity.WARNING,
                        )
                    )
                seen.add(code.upper())
    return out


# -- reading -------------------------------------------------------------------------------


def _read_offers(client: ApiClient, subscription_id: str, wanted: Record) -> LiveOffers:
    offers = LiveOffers(subscription_id)
    if "introductory_offers" in wanted.lists:
        doc = client.get_all(
            f"/v1/subscriptions/{subscription_id}/introductoryOffers",
            {"include": ["territory", "subscriptionPricePoint"], "limit": 200},
        )
        offers.introductory = [_intro(doc, r) for r in doc.resources()]
    if "promotional_offers" in wanted.lists:
        doc = client.get_all(
            f"/v1/subscriptions/{subscription_id}/promotionalOffers", {"limit": 200}
        )
        for item in doc.resources():
            offer = LiveOffer(
                item["id"], str(item["attributes"].get("offerCode")), item["attributes"]
            )
            offer.prices = _prices(client, f"/v1/{PROMOTIONAL}/{item['id']}/prices")
            offers.promotional[offer.key] = offer
    if "offer_codes" in wanted.lists:
        doc = client.get_all(
            f"/v1/subscriptions/{subscription_id}/offerCodes",
            {"include": ["customCodes"], "limit[customCodes]": 50, "limit": 200},
        )
        for item in doc.resources():
            offer = LiveOffer(item["id"], str(item["attributes"].get("name")), item["attributes"])
            offer.prices = _prices(client, f"/v1/{OFFER_CODES}/{item['id']}/prices")
            for custom in doc.related(item, "customCodes"):
                attributes = custom.get("attributes") or {}
                offer.customs[str(attributes.get("customCode")).upper()] = (
                    custom["id"],
                    attributes,
                )
            offers.codes[offer.key] = offer
    return offers


def _intro(doc: Document, resource: dict[str, Any]) -> LiveIntro:
    attributes = resource.get("attributes") or {}
    point = doc.related_one(resource, "subscriptionPricePoint")
    return LiveIntro(
        resource["id"],
        linked_id(resource, "territory") or "",
        Terms(
            str(attributes.get("offerMode")),
            str(attributes.get("duration")),
            int(attributes.get("numberOfPeriods") or 1),
        ),
        ((point or {}).get("attributes") or {}).get("customerPrice"),
        attributes.get("startDate"),
        attributes.get("endDate"),
    )


def _prices(client: ApiClient, path: str) -> dict[str, str | None]:
    doc = client.get_all(path, {"include": ["territory", "subscriptionPricePoint"], "limit": 200})
    out: dict[str, str | None] = {}
    for price in doc.resources():
        point = doc.related_one(price, "subscriptionPricePoint")
        territory = linked_id(price, "territory")
        if territory:
            out[territory] = ((point or {}).get("attributes") or {}).get("customerPrice")
    return out


def _live_record(product_id: str, wanted: Record, offers: LiveOffers) -> Record:
    """The file as App Store Connect has it (only the lists the file manages)."""
    record = Record(LIVE, {"product_id": Value(product_id, LIVE)})
    if "introductory_offers" in wanted.lists:
        record.lists["introductory_offers"] = _live_intro_items(wanted, offers)
    if "promotional_offers" in wanted.lists:
        record.lists["promotional_offers"] = [
            _item(
                "promotional_offers",
                index,
                {
                    "code": offer.key,
                    "name": offer.attributes.get("name"),
                    **_terms_of(offer.attributes),
                },
                offer.prices,
                offers.all_codes,
                _listed_territories(wanted, "promotional_offers", "code", offer.key),
            )
            for index, offer in enumerate(offers.promotional.values())
        ]
    if "offer_codes" in wanted.lists:
        record.lists["offer_codes"] = [
            _code_item(index, offer, offers.all_codes, wanted)
            for index, offer in enumerate(offers.codes.values())
        ]
    return record


def _terms_of(attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "mode": attributes.get("offerMode"),
        "duration": attributes.get("duration"),
        "periods": attributes.get("numberOfPeriods"),
    }


def _listed_territories(wanted: Record, list_key: str, key: str, value: str) -> Any:
    item = next((i for i in wanted.lists.get(list_key, []) if item_value(i, key) == value), None)
    return item.get(item_prefix(item) + "territories") if item is not None else None


def _item(
    list_key: str,
    index: int,
    values: dict[str, Any],
    prices: dict[str, str | None],
    all_codes: tuple[str, ...],
    listed: Any,
) -> Record:
    prefix = f"{list_key}[{index}]."
    record = Record(LIVE, {prefix + k: Value(v, LIVE) for k, v in values.items() if v is not None})
    if values.get("mode") == FREE:
        codes = sorted(prices)
        shown: Any = codes
        if isinstance(listed, list) and set(listed) == set(codes):
            shown = list(listed)  # the file's order, when it is the same set
        elif all_codes and set(codes) >= set(all_codes):
            shown = "all"
        record.attrs[prefix + "territories"] = Value(shown, LIVE)
    else:
        record.lists[prefix + "prices"] = [
            Record(
                LIVE,
                {
                    f"{prefix}prices[{i}].territory": Value(territory, LIVE),
                    f"{prefix}prices[{i}].customer_price": Value(price, LIVE),
                },
            )
            for i, (territory, price) in enumerate(sorted(prices.items()))
        ]
    return record


def _live_intro_items(wanted: Record, offers: LiveOffers) -> list[Record]:
    """Live per-territory offers grouped into items by their terms and dates."""
    groups: dict[tuple[Any, ...], dict[str, str | None]] = {}
    for intro in offers.introductory:
        key = (intro.terms, intro.start, intro.end)
        groups.setdefault(key, {})[intro.territory] = intro.price
    items = []
    for index, ((terms, start, end), prices) in enumerate(groups.items()):
        values = {"mode": terms.mode, "duration": terms.duration, "periods": terms.periods}
        values.update({"start_date": start, "end_date": end})
        listed = _listed_territories(wanted, "introductory_offers", "mode", terms.mode)
        items.append(_item("introductory_offers", index, values, prices, offers.all_codes, listed))
    return items


def _managed(item: Record | None, key: str) -> bool:
    """Whether a live value of ``key`` belongs in the file: the file's item manages it, or
    there is no such item yet (``pull`` writes everything)."""
    return item is None or any(k.rsplit(".", 1)[-1] == key for k in item.attrs)


def _code_item(index: int, offer: LiveOffer, all_codes: tuple[str, ...], wanted: Record) -> Record:
    attributes = offer.attributes
    mine = next(
        (i for i in wanted.lists.get("offer_codes", []) if item_value(i, "name") == offer.key),
        None,
    )
    values = {
        "name": offer.key,
        "eligibility": attributes.get("customerEligibilities"),
        "offer_eligibility": attributes.get("offerEligibility"),
        **_terms_of(attributes),
    }
    for key, apple in (("auto_renew", "autoRenewEnabled"), ("active", "active")):
        if _managed(mine, key):
            values[key] = attributes.get(apple)
    listed_customs = {
        str(item_value(c, "code")).upper(): c
        for k, v in (mine.lists.items() if mine else [])
        if k.endswith("custom_codes")
        for c in v
    }
    listed = _listed_territories(wanted, "offer_codes", "name", offer.key)
    record = _item("offer_codes", index, values, offer.prices, all_codes, listed)
    prefix = f"offer_codes[{index}].custom_codes"
    items = []
    for i, (code, (_, custom)) in enumerate(offer.customs.items()):
        wanted_custom = listed_customs.get(code) if mine is not None else None
        values = {
            "code": custom.get("customCode"),
            "count": custom.get("numberOfCodes"),
            "expires": custom.get("expirationDate"),
            "active": custom.get("active"),
        }
        items.append(
            Record(
                LIVE,
                {
                    f"{prefix}[{i}].{key}": Value(value, LIVE)
                    for key, value in values.items()
                    if value is not None
                    and (key in ("code", "count") or _managed(wanted_custom, key))
                },
            )
        )
    record.lists[prefix] = items
    return record


# -- planning: introductory offers -----------------------------------------------------------


@dataclass
class IntroWork:
    """What one introductory item does, per territory."""

    create: dict[str, str | None] = field(default_factory=dict)  # territory -> price
    replace: dict[str, str | None] = field(default_factory=dict)
    end: dict[str, str] = field(default_factory=dict)  # territory -> live offer id
    old: dict[str, str] = field(default_factory=dict)  # replaced territory -> live offer id


def _wanted_intro(item: Record) -> tuple[Terms, str | None, str | None]:
    prefix = item_prefix(item)
    terms = Terms(
        str(item.get(prefix + "mode")),
        str(item.get(prefix + "duration")),
        int(item.get(prefix + "periods") or 1),
    )
    return terms, item.get(prefix + "start_date"), item.get(prefix + "end_date")


def _date(value: Any) -> str | None:
    return str(value)[:10] if value else None


def intro_work(item: Record, offers: LiveOffers) -> IntroWork:
    """Per territory: create, replace (delete then create) or move the end date."""
    terms, start, end = _wanted_intro(item)
    live = {i.territory: i for i in offers.introductory}
    work = IntroWork()
    for territory, price in offer_prices(item, offers.all_codes).items():
        have = live.get(territory)
        if have is None:
            work.create[territory] = price
            continue
        same_terms = have.terms == terms and _same_price(price, have.price)
        if same_terms and _date(have.start) == _date(start):
            if _date(have.end) != _date(end):
                work.end[territory] = have.id
            continue
        work.replace[territory] = price
        work.old[territory] = have.id
    return work


def _same_price(wanted: str | None, have: str | None) -> bool:
    if wanted is None or have is None:
        return wanted is None and have is None
    return decimal(wanted) == decimal(have)


def _plan_introductory(
    planner: Planner,
    address: str,
    owner: str,
    wanted: Record,
    offers: LiveOffers,
    locked_by: str | None,
) -> None:
    covered: set[str] = set()
    for item in wanted.lists["introductory_offers"]:
        mode = str(item_value(item, "mode"))
        covered |= set(offer_prices(item, offers.all_codes))
        work = intro_work(item, offers)
        if not (work.create or work.replace or work.end):
            continue
        source = planner.source(item, item_prefix(item) + "mode")
        notes = [
            f"{label} {_list(codes, offers.all_codes)}"
            for label, codes in (
                ("create in", work.create),
                ("replace (Apple cannot edit them) in", work.replace),
                ("new end date in", work.end),
            )
            if codes
        ]
        live_here = sorted(i.territory for i in offers.introductory if i.terms.mode == mode)
        wanted_here = _shown(sorted(offer_prices(item, offers.all_codes)), offers.all_codes)
        planner.add(
            Change(
                f"{address}.introductory[{mode}]",
                Action.UPDATE if live_here else Action.CREATE,
                INTRODUCTORY,
                planner.app,
                fields=(
                    FieldChange(
                        "territories",
                        _shown(live_here, offers.all_codes) if live_here else None,
                        wanted_here,
                        source=source,
                    ),
                ),
                calls=_intro_calls(work),
                after=(owner,),
                source=source,
                note="; ".join(notes),
            ),
            locked_by=locked_by,
        )
    unlisted = sorted({i.territory for i in offers.introductory} - covered)
    if unlisted:
        planner.add(
            Change(
                f"{address}.introductory.removed",
                Action.DELETE,
                INTRODUCTORY,
                planner.app,
                fields=(FieldChange("territories", unlisted, None),),
                calls=(f"DELETE /v1/{INTRODUCTORY}/{{id}}",),
                source=planner.source(wanted, "introductory_offers"),
                note=f"no introductory offer in {_list(unlisted, offers.all_codes)} in the file",
            ),
            locked_by=locked_by,
        )


def _shown(codes: list[str], all_codes: tuple[str, ...]) -> str | list[str]:
    """``all`` for every storefront (a plan line, not 175 codes)."""
    return "all" if all_codes and set(codes) >= set(all_codes) else codes


def _intro_calls(work: IntroWork) -> tuple[str, ...]:
    """One request per territory (Apple keeps one offer per territory): ``×N`` after a
    call that is sent N times, for the plan's cost line."""
    calls = []
    if work.replace:
        calls.append(_times(f"DELETE /v1/{INTRODUCTORY}/{{id}}", len(work.replace)))
    if any(p is not None for p in [*work.create.values(), *work.replace.values()]):
        calls.append("GET /v1/subscriptions/{id}/pricePoints")
    if work.create or work.replace:
        calls.append(_times(f"POST /v1/{INTRODUCTORY}", len(work.create) + len(work.replace)))
    if work.end:
        calls.append(_times(f"PATCH /v1/{INTRODUCTORY}/{{id}}", len(work.end)))
    return tuple(calls)


def _times(call: str, count: int) -> str:
    return f"{call} ×{count}" if count > 1 else call


def _list(codes: Any, all_codes: tuple[str, ...] = ()) -> str:
    codes = sorted(codes)
    if all_codes and set(codes) >= set(all_codes):
        return "every storefront"
    shown = ", ".join(codes[:8])
    return f"{shown} (+{len(codes) - 8} more)" if len(codes) > 8 else shown


# -- planning: promotional offers and offer codes ---------------------------------------------

_FIXED_PROMO = ("name", "mode", "duration", "periods")
_FIXED_CODE = ("eligibility", "offer_eligibility", "mode", "duration", "periods", "auto_renew")


def _changed_fixed(item: Record, offer: LiveOffer, keys: tuple[str, ...]) -> list[str]:
    prefix = item_prefix(item)
    apple = {
        "name": offer.attributes.get("name"),
        "mode": offer.attributes.get("offerMode"),
        "duration": offer.attributes.get("duration"),
        "periods": offer.attributes.get("numberOfPeriods"),
        "eligibility": offer.attributes.get("customerEligibilities"),
        "offer_eligibility": offer.attributes.get("offerEligibility"),
        "auto_renew": offer.attributes.get("autoRenewEnabled"),
    }
    out = []
    for key in keys:
        if prefix + key not in item.attrs:
            continue
        want, have = item.get(prefix + key), apple.get(key)
        if key == "eligibility":
            same_value = sorted(want or []) == sorted(have or [])
        else:
            same_value = same(want, have)
        if not same_value:
            out.append(key)
    return out


def _prices_differ(item: Record, offer: LiveOffer, all_codes: tuple[str, ...]) -> bool:
    wanted = offer_prices(item, all_codes)
    if set(wanted) != set(offer.prices):
        return True
    return not all(_same_price(p, offer.prices.get(t)) for t, p in wanted.items())


def _plan_promotional(
    planner: Planner,
    address: str,
    owner: str,
    wanted: Record,
    offers: LiveOffers,
    locked_by: str | None,
) -> None:
    listed = set()
    for item in wanted.lists["promotional_offers"]:
        code = str(item_value(item, "code"))
        listed.add(code)
        here = f"{address}.promotional[{code}]"
        source = planner.source(item, item_prefix(item) + "code")
        offer = offers.promotional.get(code)
        if offer is None:
            planner.add(
                Change(
                    here,
                    Action.CREATE,
                    PROMOTIONAL,
                    planner.app,
                    fields=_price_fields(item, {}, offers.all_codes, source),
                    calls=("GET /v1/subscriptions/{id}/pricePoints", f"POST /v1/{PROMOTIONAL}"),
                    after=(owner,),
                    source=source,
                ),
                locked_by=locked_by,
            )
            continue
        fixed = _changed_fixed(item, offer, _FIXED_PROMO)
        if fixed:
            planner.lock(
                Change(
                    here,
                    Action.UPDATE,
                    PROMOTIONAL,
                    planner.app,
                    source=planner.source(item, item_prefix(item) + fixed[0]),
                    note=f"{', '.join(fixed)} cannot change once the offer exists; use a new code",
                )
            )
        if _prices_differ(item, offer, offers.all_codes):
            planner.add(
                Change(
                    here,
                    Action.UPDATE,
                    PROMOTIONAL,
                    planner.app,
                    fields=_price_fields(item, offer.prices, offers.all_codes, source),
                    calls=(
                        "GET /v1/subscriptions/{id}/pricePoints",
                        f"PATCH /v1/{PROMOTIONAL}/{{id}}",
                    ),
                    source=source,
                ),
                locked_by=locked_by,
            )
    for code in sorted(set(offers.promotional) - listed):
        planner.add(
            Change(
                f"{address}.promotional[{code}]",
                Action.DELETE,
                PROMOTIONAL,
                planner.app,
                calls=(f"DELETE /v1/{PROMOTIONAL}/{{id}}",),
                source=planner.source(wanted, "promotional_offers"),
                note="not in the file's promotional offers",
            ),
            locked_by=locked_by,
        )


def _price_fields(
    item: Record, have: dict[str, str | None], all_codes: tuple[str, ...], source: str | None
) -> tuple[FieldChange, ...]:
    want = offer_prices(item, all_codes)
    if all(p is None for p in want.values()) and all(p is None for p in have.values()):
        return (FieldChange("territories", sorted(have) or None, sorted(want), source=source),)
    return (
        FieldChange(
            "prices", dict(sorted(have.items())) or None, dict(sorted(want.items())), source=source
        ),
    )


def _plan_codes(
    planner: Planner,
    address: str,
    owner: str,
    wanted: Record,
    offers: LiveOffers,
    locked_by: str | None,
) -> None:
    for item in wanted.lists["offer_codes"]:
        name = str(item_value(item, "name"))
        here = f"{address}.offer_code[{name}]"
        prefix = item_prefix(item)
        source = planner.source(item, prefix + "name")
        offer = offers.codes.get(name)
        if offer is None:
            planner.add(
                Change(
                    here,
                    Action.CREATE,
                    OFFER_CODES,
                    planner.app,
                    fields=_price_fields(item, {}, offers.all_codes, source),
                    calls=("GET /v1/subscriptions/{id}/pricePoints", f"POST /v1/{OFFER_CODES}"),
                    after=(owner,),
                    source=source,
                ),
                locked_by=locked_by,
            )
        else:
            fixed = _changed_fixed(item, offer, _FIXED_CODE)
            if fixed or _prices_differ(item, offer, offers.all_codes):
                what = ", ".join(fixed) or "prices"
                planner.lock(
                    Change(
                        here,
                        Action.UPDATE,
                        OFFER_CODES,
                        planner.app,
                        source=source,
                        note=f"{what} cannot change once the campaign exists; make a new one",
                    )
                )
            want_active = item.get(prefix + "active")
            if prefix + "active" in item.attrs and want_active != offer.attributes.get("active"):
                planner.add(
                    Change(
                        here,
                        Action.UPDATE,
                        OFFER_CODES,
                        planner.app,
                        fields=(
                            FieldChange(
                                "active",
                                offer.attributes.get("active"),
                                want_active,
                                source=planner.source(item, prefix + "active"),
                            ),
                        ),
                        calls=(f"PATCH /v1/{OFFER_CODES}/{{id}}",),
                        source=planner.source(item, prefix + "active"),
                    ),
                    locked_by=locked_by,
                )
        _plan_custom_codes(planner, here, item, offer, locked_by)


def _plan_custom_codes(
    planner: Planner, here: str, item: Record, offer: LiveOffer | None, locked_by: str | None
) -> None:
    customs = next((v for k, v in item.lists.items() if k.endswith("custom_codes")), [])
    for custom in customs:
        prefix = _own_prefix(custom)
        code = str(custom.get(prefix + "code"))
        address = f"{here}.custom_code[{code}]"
        source = planner.source(custom, prefix + "code")
        live = offer.customs.get(code.upper()) if offer else None
        if live is None:
            planner.add(
                Change(
                    address,
                    Action.CREATE,
                    CUSTOM_CODES,
                    planner.app,
                    fields=(
                        FieldChange("count", None, custom.get(prefix + "count"), source=source),
                    ),
                    calls=(f"POST /v1/{CUSTOM_CODES}",),
                    after=(here,),
                    source=source,
                ),
                locked_by=locked_by,
            )
            continue
        attributes = live[1]
        fixed = [
            key
            for key, apple in (("count", "numberOfCodes"), ("expires", "expirationDate"))
            if prefix + key in custom.attrs
            and not same(
                _date(custom.get(prefix + key)) if key == "expires" else custom.get(prefix + key),
                attributes.get(apple),
            )
        ]
        if fixed:
            planner.lock(
                Change(
                    address,
                    Action.UPDATE,
                    CUSTOM_CODES,
                    planner.app,
                    source=planner.source(custom, prefix + fixed[0]),
                    note=f"{', '.join(fixed)} cannot change; make a new custom code",
                )
            )
        active = custom.get(prefix + "active")
        if prefix + "active" in custom.attrs and active != attributes.get("active"):
            planner.add(
                Change(
                    address,
                    Action.UPDATE,
                    CUSTOM_CODES,
                    planner.app,
                    fields=(
                        FieldChange("active", attributes.get("active"), active, source=source),
                    ),
                    calls=(f"PATCH /v1/{CUSTOM_CODES}/{{id}}",),
                    source=planner.source(custom, prefix + "active"),
                ),
                locked_by=locked_by,
            )


# -- applying --------------------------------------------------------------------------------


def _find_item(wanted: Record, list_key: str, key: str, value: str) -> Record:
    for item in wanted.lists.get(list_key, []):
        if str(item_value(item, key)) == value:
            return item
    raise AscsyncError(f"{list_key}: {value!r} is no longer in the file")


def _point(client: ApiClient, subscription_id: str, territory: str, price: str) -> str:
    return price_point(
        client,
        f"/v1/subscriptions/{subscription_id}/pricePoints",
        POINTS,
        territory,
        price,
        limit=PRICE_POINTS_PER_PAGE,
        what="this subscription",
    )


def _introductory_op(
    change: Change, mode: str, wanted: Record, offers: LiveOffers, subscription: Parent
) -> Op:
    if change.action is Action.DELETE:
        covered: set[str] = set()
        for item in wanted.lists.get("introductory_offers", []):
            covered |= set(offer_prices(item, offers.all_codes))
        doomed = [i.id for i in offers.introductory if i.territory not in covered]

        def remove(client: ApiClient, ids: Ids) -> None:
            for offer_id in doomed:
                delete_op(INTRODUCTORY, offer_id).run(client, ids)

        return Op(remove, deletes=INTRODUCTORY)
    item = _find_item(wanted, "introductory_offers", "mode", mode)
    work = intro_work(item, offers)
    terms, start, end = _wanted_intro(item)

    def run(client: ApiClient, ids: Ids) -> None:
        subscription_id = subscription.id(ids)
        for offer_id in sorted(work.end.values()):
            patch_op(INTRODUCTORY, offer_id, {"endDate": _date(end)}).run(client, ids)
        for offer_id in sorted(work.old.values()):
            delete_op(INTRODUCTORY, offer_id).run(client, ids)
        for territory, price in sorted({**work.create, **work.replace}.items()):
            relationships: dict[str, Any] = {
                "subscription": ("subscriptions", subscription_id),
                "territory": ("territories", territory),
            }
            if price is not None:
                point = _point(client, subscription_id, territory, price)
                relationships["subscriptionPricePoint"] = (POINTS, point)
            attributes = {
                "offerMode": terms.mode,
                "duration": terms.duration,
                "numberOfPeriods": terms.periods,
                **({"startDate": _date(start)} if start else {}),
                **({"endDate": _date(end)} if end else {}),
            }
            body = resource_body(INTRODUCTORY, attributes, relationships)
            _create_intro(client, subscription_id, territory, body)

    return Op(run)


def _create_intro(
    client: ApiClient, subscription_id: str, territory: str, body: dict[str, Any]
) -> None:
    """POST one territory's offer; after an answer that leaves it unknown whether Apple
    created it, look it up before trying again (:func:`post_once`), so an item of 175
    territories goes through flaky answers without duplicates."""

    def find(client: ApiClient) -> str | None:
        found = client.get_all(
            f"/v1/subscriptions/{subscription_id}/introductoryOffers",
            {
                "filter[territory]": [territory],
                "fields[subscriptionIntroductoryOffers]": ["offerMode"],
            },
        )
        return next((str(r["id"]) for r in found.resources()), None)

    post_once(client, f"/v1/{INTRODUCTORY}", body, find, what=f"{territory} introductory offer")


def _inline_prices(
    client: ApiClient, subscription_id: str, price_type: str, prices: dict[str, str | None]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(relationship data, included)`` of inline-created offer prices."""
    data, included = [], []
    for index, (territory, price) in enumerate(sorted(prices.items())):
        local = f"${{price-{index}}}"
        relationships: dict[str, Any] = {
            "territory": {"data": {"type": "territories", "id": territory}}
        }
        if price is not None:
            point = _point(client, subscription_id, territory, price)
            relationships["subscriptionPricePoint"] = {"data": {"type": POINTS, "id": point}}
        data.append({"type": price_type, "id": local})
        included.append({"type": price_type, "id": local, "relationships": relationships})
    return data, included


def _promotional_op(
    change: Change, code: str, wanted: Record, offers: LiveOffers, subscription: Parent
) -> Op:
    live = offers.promotional.get(code)
    if change.action is Action.DELETE:
        return delete_op(PROMOTIONAL, need(live.id if live else None, f"promotional offer {code}"))
    item = _find_item(wanted, "promotional_offers", "code", code)
    prefix = item_prefix(item)
    prices = offer_prices(item, offers.all_codes)

    def run(client: ApiClient, ids: Ids) -> None:
        subscription_id = subscription.id(ids)
        data, included = _inline_prices(client, subscription_id, PROMOTIONAL_PRICES, prices)
        if live is not None:
            body = {
                "data": {
                    "type": PROMOTIONAL,
                    "id": live.id,
                    "relationships": {"prices": {"data": data}},
                },
                "included": included,
            }
            client.patch(f"/v1/{PROMOTIONAL}/{live.id}", body)
            return
        body = {
            "data": {
                "type": PROMOTIONAL,
                "attributes": {
                    "offerCode": code,
                    "name": item.get(prefix + "name"),
                    "offerMode": item.get(prefix + "mode"),
                    "duration": item.get(prefix + "duration"),
                    "numberOfPeriods": item.get(prefix + "periods"),
                },
                "relationships": {
                    "subscription": {"data": {"type": "subscriptions", "id": subscription_id}},
                    "prices": {"data": data},
                },
            },
            "included": included,
        }
        post_once(
            client,
            f"/v1/{PROMOTIONAL}",
            body,
            lambda c: find_child(
                c,
                f"/v1/subscriptions/{subscription_id}/promotionalOffers",
                PROMOTIONAL,
                "offerCode",
                code,
            ),
            what=change.address,
        )

    return Op(run)


def _offer_code_op(
    change: Change,
    name: str,
    wanted: Record,
    offers: LiveOffers,
    subscription: Parent,
    ctx: ApplyContext,
) -> Op:
    item = _find_item(wanted, "offer_codes", "name", name)
    prefix = item_prefix(item)
    live = offers.codes.get(name)
    address = change.address
    if live is not None:
        return patch_op(OFFER_CODES, live.id, {"active": item.get(prefix + "active")})
    prices = offer_prices(item, offers.all_codes)
    attributes = {
        "name": name,
        "customerEligibilities": item.get(prefix + "eligibility"),
        "offerEligibility": item.get(prefix + "offer_eligibility"),
        "offerMode": item.get(prefix + "mode"),
        "duration": item.get(prefix + "duration"),
        "numberOfPeriods": item.get(prefix + "periods"),
        **(
            {"autoRenewEnabled": item.get(prefix + "auto_renew")}
            if prefix + "auto_renew" in item.attrs
            else {}
        ),
    }

    def run(client: ApiClient, ids: Ids) -> None:
        subscription_id = subscription.id(ids)
        data, included = _inline_prices(client, subscription_id, OFFER_CODE_PRICES, prices)
        body = {
            "data": {
                "type": OFFER_CODES,
                "attributes": attributes,
                "relationships": {
                    "subscription": {"data": {"type": "subscriptions", "id": subscription_id}},
                    "prices": {"data": data},
                },
            },
            "included": included,
        }
        created = post_once(
            client,
            f"/v1/{OFFER_CODES}",
            body,
            lambda c: find_child(
                c, f"/v1/subscriptions/{subscription_id}/offerCodes", OFFER_CODES, "name", name
            ),
            what=address,
        )
        ids.set(address, created)
        if item.get(prefix + "active") is False:
            patch_op(OFFER_CODES, created, {"active": False}).run(client, ids)

    return Op(run)


def _custom_code_op(
    change: Change, name: str, code: str, wanted: Record, offers: LiveOffers, ctx: ApplyContext
) -> Op:
    campaign = _find_item(wanted, "offer_codes", "name", name)
    custom = next(
        (
            c
            for k, v in campaign.lists.items()
            if k.endswith("custom_codes")
            for c in v
            if str(item_value(c, "code")) == code
        ),
        None,
    )
    if custom is None:
        raise AscsyncError(f"{change.address}: the custom code is no longer in the file")
    prefix = _own_prefix(custom)
    live_campaign = offers.codes.get(name)
    live = live_campaign.customs.get(code.upper()) if live_campaign else None
    if live is not None:
        return patch_op(CUSTOM_CODES, live[0], {"active": custom.get(prefix + "active")})
    owner = Parent(
        OFFER_CODES,
        live_campaign.id if live_campaign else None,
        change.address.rsplit(".custom_code[", 1)[0],
        f"/v1/{OFFER_CODES}",
    )
    attributes = {
        "customCode": code,
        "numberOfCodes": custom.get(prefix + "count"),
        **(
            {"expirationDate": _date(custom.get(prefix + "expires"))}
            if custom.get(prefix + "expires")
            else {}
        ),
    }

    def run(client: ApiClient, ids: Ids) -> None:
        campaign_id = owner.id(ids)
        body = resource_body(CUSTOM_CODES, attributes, {"offerCode": (OFFER_CODES, campaign_id)})
        created = post_once(
            client,
            f"/v1/{CUSTOM_CODES}",
            body,
            lambda c: find_child(
                c,
                f"/v1/{OFFER_CODES}/{campaign_id}/customCodes",
                CUSTOM_CODES,
                "customCode",
                code,
            ),
            what=change.address,
        )
        if custom.get(prefix + "active") is False:
            patch_op(CUSTOM_CODES, created, {"active": False}).run(client, ids)

    return Op(run)


SUBSCRIPTION_OFFERS = SubscriptionOffers()

__all__ = ["OFFERS_FIELDS", "SUBSCRIPTION_OFFERS", "check_offers", "intro_work", "offer_prices"]
