"""Subscription groups and their subscriptions: ``subscriptions/<group>.yml``.

A group is keyed by its ``reference_name``: renaming it in the file plans a new group
(the old one is left alone, like any live group without a file). Its localizations and
each subscription's are managed as sets. A subscription that App Store Connect has in a
managed group but the file does not list is *not* deleted (Apple allows deleting only
products never submitted): it is listed as locked with a note. A subscription filed
under another group than its live one is locked too: Apple cannot move it.

Prices: each listed territory's price is compared with the price in effect today; a
change is one ``subscriptionPrices`` create, starting now, at the price point of
(territory, customer price). Unlisted territories are kept.

Each subscription's review screenshot, promotional image and availability by territory
follow :mod:`ascsync.kinds.product_extras` (shared with in-app purchases).

Reading: 1 listing (group localizations included), then 1 per group (subscriptions with
their localizations, review screenshot, images and availability), then 1 per
subscription whose prices the repo manages and 1 per subscription whose availability it
manages (plus the territory list once).

Addresses: ``app[x].subscription_group[<name>]`` (``.locale[<code>]``) and
``...subscription_group[<name>].subscription[<product id>]`` (``.locale[<code>]``,
``.price[<territory>]``, ``.review_screenshot``, ``.promotional_image``,
``.availability``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import Document, resource_body
from ascsync.desired.loader import RepoLoader
from ascsync.desired.media import md5_file
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value, sub_fields
from ascsync.engine.compare import same
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
from ascsync.engine.plan import Action, Change, FieldChange, address_keys
from ascsync.engine.planner import Planner, item_prefix, item_value, plan_locales, relative
from ascsync.engine.prices import current_prices, price_point
from ascsync.errors import AscsyncError
from ascsync.io.media_download import MediaReport, RemoteImage, pull_images
from ascsync.io.repo_writer import RepoWriter, slug, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.fields import PRODUCT_ID, TERRITORY, needs_localization, product_localizations
from ascsync.kinds.in_app_purchases import IN_APP_PURCHASES, IN_REVIEW_STATES, read_localizations
from ascsync.kinds.product_extras import (
    IMAGE_KEY,
    NEW_KEY,
    REVIEW_KEY,
    SUBSCRIPTION_NAMES,
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

GROUPS = "subscriptionGroups"
GROUP_LOCALIZATIONS = "subscriptionGroupLocalizations"
SUBSCRIPTIONS = "subscriptions"
SUBSCRIPTION_LOCALIZATIONS = "subscriptionLocalizations"
PRICES = "subscriptionPrices"
PRICE_POINTS_PER_PAGE = 8000
"""``limit`` maximum of the ``pricePoints`` listing (Apple allows more than 200 here)."""

SUBSCRIPTION_FIELDS = (
    Field(
        "product_id", FieldType.TEXT, "", f"{SUBSCRIPTIONS}.productId", required=True, **PRODUCT_ID
    ),
    Field(
        "reference_name",
        FieldType.TEXT,
        "",
        f"{SUBSCRIPTIONS}.name",
        required=True,
        limit="product_reference_name",
    ),
    Field(
        "period",
        FieldType.ENUM,
        "",
        f"{SUBSCRIPTIONS}.subscriptionPeriod",
        required=True,
        choices=pr.SUBSCRIPTION_PERIODS,
    ),
    Field(
        "group_level",
        FieldType.INT,
        "1 = highest service level.",
        f"{SUBSCRIPTIONS}.groupLevel",
        min=1,
    ),
    Field("family_sharable", FieldType.BOOL, "", f"{SUBSCRIPTIONS}.familySharable"),
    Field(
        "review_note",
        FieldType.TEXT,
        "",
        f"{SUBSCRIPTIONS}.reviewNote",
        nullable=True,
        limit="product_review_note",
    ),
    *extra_fields(SUBSCRIPTION_NAMES),
    product_localizations(SUBSCRIPTION_LOCALIZATIONS),
    Field(
        "prices",
        FieldType.LIST,
        "One price per territory.",
        PRICES,
        fields=(
            Field(
                "territory",
                FieldType.TEXT,
                "",
                f"{PRICES}.territory",
                required=True,
                **TERRITORY,
            ),
            Field(
                "customer_price",
                FieldType.PRICE,
                "",
                "subscriptionPricePoints.customerPrice",
                required=True,
            ),
        ),
    ),
)

SUBSCRIPTION_GROUP_FIELDS = (
    Field(
        "reference_name",
        FieldType.TEXT,
        "Internal name, unique per app.",
        f"{GROUPS}.referenceName",
        required=True,
        limit="product_reference_name",
    ),
    Field(
        "localizations",
        FieldType.LOCALES,
        "Group display name per locale.",
        fields=(
            Field(
                "name",
                FieldType.TEXT,
                "No emoji or markup.",
                f"{GROUP_LOCALIZATIONS}.name",
                required=True,
                limit="subscription_group_name",
            ),
            Field(
                "custom_app_name",
                FieldType.TEXT,
                "",
                f"{GROUP_LOCALIZATIONS}.customAppName",
                nullable=True,
                limit="custom_app_name",
            ),
        ),
    ),
    Field(
        "subscriptions",
        FieldType.LIST,
        "The subscriptions of the group.",
        fields=SUBSCRIPTION_FIELDS,
    ),
)

GROUP_FILE = FileKind(
    "subscription-group",
    "apps/<app>/subscriptions/<group>.yml",
    "A subscription group and its subscriptions.",
    SUBSCRIPTION_GROUP_FIELDS,
)

_SUBSCRIPTION_ATTRIBUTES = (
    "reference_name",
    "period",
    "group_level",
    "family_sharable",
    "review_note",
)
_GROUP_TOP = tuple(f for f in SUBSCRIPTION_GROUP_FIELDS if f.key not in ("localizations",))
_SUBSCRIPTION_TOP = tuple(
    f for f in SUBSCRIPTION_FIELDS if f.key not in ("localizations", "prices")
)
_EXTRA_TYPES = (
    SUBSCRIPTION_NAMES.review.resource,
    SUBSCRIPTION_NAMES.image,
    SUBSCRIPTION_NAMES.availability,
)

Groups = dict[str, Record]
"""Subscription groups by reference name."""


@dataclass
class LiveSubscription:
    """Ids of one subscription: the product, its localizations, its prices."""

    id: str
    state: str | None = None
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    prices: dict[str, str] = field(default_factory=dict)  # territory -> price id
    extras: LiveExtras = field(default_factory=LiveExtras)

    @property
    def locked_by(self) -> str | None:
        return self.state if self.state in IN_REVIEW_STATES else None


@dataclass
class LiveGroup:
    """Ids of one subscription group, its localizations and its subscriptions."""

    id: str
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    subscriptions: dict[str, LiveSubscription] = field(default_factory=dict)  # by product id


class SubscriptionGroups(ResourceKind[Groups, dict[str, LiveGroup]]):
    name = "subscription_groups"
    files = (GROUP_FILE,)
    compiles = (
        GROUPS,
        GROUP_LOCALIZATIONS,
        SUBSCRIPTIONS,
        SUBSCRIPTION_LOCALIZATIONS,
        PRICES,
        *_EXTRA_TYPES,
    )
    deletes = (
        GROUP_LOCALIZATIONS,
        SUBSCRIPTION_LOCALIZATIONS,
        SUBSCRIPTION_NAMES.review.resource,
        SUBSCRIPTION_NAMES.image,
    )
    deletes_whole = (GROUP_LOCALIZATIONS, SUBSCRIPTION_LOCALIZATIONS)
    nouns = {
        "subscription_group": "subscription group",
        "subscription": "subscription",
        "price": "price",
    }
    owners = ("subscription", "subscription_group")

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        groups: Groups = {}
        for path in loader.yaml_files(app.folder / "subscriptions"):
            record = loader.read_file(path, loader.files["subscription-group"])
            name = record.get("reference_name") if record else None
            if record is not None and isinstance(name, str):
                loader.add_unique(groups, name, record, "reference_name")
        if groups:
            app.parts[self.name] = groups

    def check(self, app: App) -> list[Problem]:
        groups = self.desired(app) or {}
        problems = check_product_ids(IN_APP_PURCHASES.desired(app) or {}, groups)
        root = app.folder.parent.parent  # apps/<name>/ sits in the repo root
        for group in groups.values():
            problems += check_group(group)
            for i, sub in enumerate(group.lists.get("subscriptions", [])):
                problems += check_product(sub, f"subscriptions[{i}].", "a subscription", root)
        return problems

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> dict[str, LiveGroup]:
        wanted = self.desired(ctx.desired) or {}
        ids: dict[str, LiveGroup] = {}
        if not wanted:
            return ids
        doc = ctx.client.get_all(
            f"/v1/apps/{ctx.live.app_id}/subscriptionGroups",
            {"include": [GROUP_LOCALIZATIONS], f"limit[{GROUP_LOCALIZATIONS}]": 50},
        )
        live: Groups = {}
        for group in doc.resources():
            name = (group.get("attributes") or {}).get("referenceName")
            if name not in wanted:
                continue
            record = read_record(_GROUP_TOP, {GROUPS: group["attributes"]})
            ids[name] = LiveGroup(group["id"])
            record.maps["localizations"] = read_localizations(
                doc.related(group, GROUP_LOCALIZATIONS),
                sub_fields(SUBSCRIPTION_GROUP_FIELDS, "localizations"),
                GROUP_LOCALIZATIONS,
                "localizations",
                ids[name].localizations,
            )
            live[name] = record
        _read_subscriptions(ctx, wanted, live, ids)
        ctx.live.model.parts[self.name] = live
        return ids

    def snapshot(self, live: LiveApp) -> Any:
        ids = self.state(live) or {}
        return {
            name: [
                ids[name].id,
                sorted(ids[name].localizations.items()),
                {p: _ids(s) for p, s in sorted(ids[name].subscriptions.items())},
                record.to_plain(),
            ]
            for name, record in sorted((self.desired(live.model) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        counts: Counter[str] = Counter()
        for group in (self.state(live) or {}).values():
            counts[GROUP_LOCALIZATIONS] += len(group.localizations)
            for sub in group.subscriptions.values():
                counts[SUBSCRIPTION_LOCALIZATIONS] += len(sub.localizations)
                counts[SUBSCRIPTION_NAMES.review.resource] += sub.extras.review is not None
                counts[SUBSCRIPTION_NAMES.image] += len(sub.extras.images)
        return counts

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        client = discovery.client
        groups: Groups = {}
        for group in client.get_all(f"/v1/apps/{discovery.app_id}/subscriptionGroups").resources():
            subs = client.get_all(f"/v1/subscriptionGroups/{group['id']}/subscriptions")
            name = group["attributes"]["referenceName"]
            record = Record(LIVE, {"reference_name": Value(name, LIVE)})
            record.lists["subscriptions"] = [
                Record(
                    LIVE,
                    {
                        f"subscriptions[{i}].product_id": Value(s["attributes"]["productId"], LIVE),
                        # managed (as unknown), so the read asks for them
                        **{
                            f"subscriptions[{i}].{key}": Value(None, LIVE)
                            for key in (REVIEW_KEY, IMAGE_KEY, NEW_KEY, TERRITORIES_KEY)
                        },
                    },
                    lists={f"subscriptions[{i}].prices": []},
                )
                for i, s in enumerate(subs.resources())
            ]
            groups[name] = record
        skeleton.parts[self.name] = groups

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        live = self.desired(planner.live.model) or {}
        ids = self.state(planner.live) or {}
        elsewhere = {
            product_id: name for name, group in ids.items() for product_id in group.subscriptions
        }
        for name, wanted in (self.desired(planner.desired) or {}).items():
            _plan_group(planner, name, wanted, live.get(name), ids.get(name), elsewhere)

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        name = address_keys(change.address)["subscription_group"][0]
        address = f"{ctx.desired.address}.subscription_group[{name}]"
        wanted = (self.desired(ctx.desired) or {})[name]
        ids = (self.state(ctx.live) or {}).get(name)
        group = Parent(GROUPS, ids.id if ids else None, address, f"/v1/{GROUPS}")
        if change.resource == GROUPS:
            return _group_op(change, ctx, name, wanted, address)
        if change.resource == GROUP_LOCALIZATIONS:
            code = address_keys(change.address)["locale"][0]
            return localization_op(
                change,
                fields=sub_fields(SUBSCRIPTION_GROUP_FIELDS, "localizations"),
                wanted=wanted.maps.get("localizations", {}).get(code),
                prefix=f"localizations.{code}.",
                parent_relationship="subscriptionGroup",
                parent=group,
                live_id=ids.localizations.get(code) if ids else None,
            )
        sub = _subscription(change, address, wanted, ids, group)
        if change.resource == SUBSCRIPTIONS:
            return _subscription_op(change, sub)
        if change.resource in _EXTRA_TYPES:
            extras = sub.ids.extras if sub.ids else None
            target = Target(sub.address, sub.wanted, sub.prefix, extras, None)
            return compile_extra(
                change, SUBSCRIPTION_NAMES, target, sub.parent, ctx.uploads, ctx.checksum
            )
        if change.resource == SUBSCRIPTION_LOCALIZATIONS:
            code = address_keys(change.address)["locale"][0]
            map_key = f"{sub.prefix}localizations"
            return localization_op(
                change,
                fields=sub_fields(SUBSCRIPTION_FIELDS, "localizations"),
                wanted=sub.wanted.maps.get(map_key, {}).get(code),
                prefix=f"{map_key}.{code}.",
                parent_relationship="subscription",
                parent=sub.parent,
                live_id=sub.ids.localizations.get(code) if sub.ids else None,
            )
        return _price_op(change, sub)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        mine = (self.desired(desired) if desired else None) or {}
        for name, record in sorted((self.desired(live) or {}).items()):
            wanted = mine.get(name)
            if writer.managed_only and wanted is None:
                continue
            path = source_file(wanted) or folder / "subscriptions" / f"{slug(name)}.yml"
            writer.write_record(path, record, writer.fields("subscription-group"), wanted)

    def not_live(self, live: App, desired: App) -> list[Path]:
        have = self.desired(live) or {}
        return [
            path
            for key, record in (self.desired(desired) or {}).items()
            if key not in have and (path := source_file(record)) is not None
        ]

    def pull_files(self, live: LiveApp, folder: Path) -> MediaReport:
        """Download each subscription's review screenshot and promotional image."""
        sets: list[tuple[Path, list[RemoteImage]]] = []
        base = folder / SUBSCRIPTION_NAMES.folder
        for group in (self.state(live) or {}).values():
            for product_id, sub in sorted(group.subscriptions.items()):
                sets += remote_files(SUBSCRIPTION_NAMES, product_id, sub.extras, base)
        return pull_images(sets, folder.parent.parent) if sets else MediaReport()


# -- checking ------------------------------------------------------------------------------


def check_product_ids(iaps: dict[str, Record], groups: Groups) -> list[Problem]:
    """Product ids are unique across in-app purchases and subscriptions ([A]); '-' warns."""
    problems = []
    seen: dict[str, Record] = {}
    items = [(pid, rec, "product_id") for pid, rec in iaps.items()]
    for group in groups.values():
        for i, sub in enumerate(group.lists.get("subscriptions", [])):
            key = f"subscriptions[{i}].product_id"
            items.append((sub.get(key), sub, key))
    for pid, record, key in items:
        if not isinstance(pid, str):
            continue
        if pid in seen and seen[pid] is not record:
            problems.append(
                record.where(key).problem(key, f"{pid!r} is already used", "unique within the app")
            )
        seen.setdefault(pid, record)
        if pr.PRODUCT_ID.match(pid) and not pr.PRODUCT_ID_STRICT.match(pid):
            problems.append(
                record.where(key).problem(
                    key,
                    f"{pid!r} contains '-'",
                    "Apple's QA1329 allows only letters, digits, '.' and '_'",
                    Severity.WARNING,
                )
            )
    return problems


def check_group(group: Record) -> list[Problem]:
    """Group display names carry no markup/control characters; levels; at least one locale."""
    problems = []
    for code, localization in group.maps.get("localizations", {}).items():
        key = f"localizations.{code}.name"
        name = localization.get(key)
        if isinstance(name, str) and pr.CONTROL_OR_MARKUP.search(name):
            problems.append(
                localization.where(key).problem(
                    key, "contains markup or control characters", "plain text"
                )
            )
    subs = group.lists.get("subscriptions", [])
    if not subs:
        problems.append(
            group.source.problem("subscriptions", "is empty", "a group needs one subscription")
        )
    problems += needs_localization(group, "localizations", "the group")
    for i, sub in enumerate(subs):
        problems += needs_localization(sub, f"subscriptions[{i}].localizations", "a subscription")
        problems += _unique_territories(sub, f"subscriptions[{i}].prices")
    return problems


def _unique_territories(sub: Record, key: str) -> list[Problem]:
    """One price per territory: a second one would silently win or be refused by Apple."""
    problems, seen = [], set()
    for j, item in enumerate(sub.lists.get(key, [])):
        field_key = f"{key}[{j}].territory"
        territory = item.get(field_key)
        if territory in seen:
            problems.append(
                item.where(field_key).problem(
                    field_key, f"{territory} has a price already", "one per territory"
                )
            )
        seen.add(territory)
    return problems


# -- reading -------------------------------------------------------------------------------


def _read_subscriptions(
    ctx: LiveContext, wanted: Groups, live: Groups, ids: dict[str, LiveGroup]
) -> None:
    """Each managed group's subscriptions; then the prices of those the repo prices."""
    names = list(ids)
    docs = ctx.pool.map(lambda n: _fetch_subscriptions(ctx.client, ids[n].id), names)
    found = [(name, _subscriptions(subs)) for name, subs in zip(names, docs, strict=True)]
    mine = {
        (name, product_id): _wanted_item(wanted[name], product_id)
        for name, subs in found
        for product_id, _, _ in subs
    }
    managed = [
        sub_ids.extras
        for name, subs in found
        for product_id, _, sub_ids in subs
        if (item := mine[(name, product_id)]) is not None
        and manages_availability(item, item_prefix(item))
    ]
    read_availabilities(ctx, SUBSCRIPTION_NAMES, managed)
    priced: list[tuple[Record, LiveSubscription, str]] = []
    for name, subs in found:
        wanted_prices = _wanted_prices(wanted[name])
        for index, (product_id, record, sub_ids) in enumerate(subs):
            item = mine[(name, product_id)]
            fill_live(record, item, sub_ids.extras, product_id, SUBSCRIPTION_NAMES, md5_file)
            _reindex(record, "subscriptions", index)
            live[name].lists.setdefault("subscriptions", []).append(record)
            ids[name].subscriptions[product_id] = sub_ids
            if product_id in wanted_prices:
                priced.append((record, sub_ids, f"subscriptions[{index}]"))
    results = ctx.pool.map(lambda job: _subscription_prices(ctx.client, job[1].id), priced)
    for (record, sub_ids, prefix), current in zip(priced, results, strict=True):
        _add_prices(record, sub_ids, prefix, current)


def _fetch_subscriptions(client: ApiClient, group_id: str) -> Document:
    return client.get_all(
        f"/v1/subscriptionGroups/{group_id}/subscriptions",
        {
            "include": [SUBSCRIPTION_LOCALIZATIONS, *SUBSCRIPTION_NAMES.includes],
            f"limit[{SUBSCRIPTION_LOCALIZATIONS}]": 50,
            "limit[images]": 50,
        },
    )


def _wanted_item(group: Record, product_id: str) -> Record | None:
    """The group file's item for ``product_id``, if it lists it."""
    return next(
        (
            s
            for s in group.lists.get("subscriptions", [])
            if item_value(s, "product_id") == product_id
        ),
        None,
    )


def _subscriptions(doc: Document) -> list[tuple[str, Record, LiveSubscription]]:
    """Each subscription as ``(product id, record keyed without its list index, ids)``."""
    out = []
    for sub in doc.resources():
        attributes = sub.get("attributes") or {}
        record = read_record(_SUBSCRIPTION_TOP, {SUBSCRIPTIONS: attributes})
        ids = LiveSubscription(sub["id"], attributes.get("state"))
        ids.extras = read_extras(doc, sub, SUBSCRIPTION_NAMES)
        record.maps["localizations"] = read_localizations(
            doc.related(sub, SUBSCRIPTION_LOCALIZATIONS),
            sub_fields(SUBSCRIPTION_FIELDS, "localizations"),
            SUBSCRIPTION_LOCALIZATIONS,
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
    return current_prices(doc, "subscriptionPricePoint")


def _price_in_effect(
    client: ApiClient, subscription_id: str, territory: str, point: str
) -> str | None:
    """The id of the subscription's price in effect in ``territory`` at ``point``, if any."""
    doc = client.get_all(
        f"/v1/subscriptions/{subscription_id}/prices",
        {"include": ["subscriptionPricePoint", "territory"], "filter[territory]": [territory]},
    )
    today = [p for p in doc.resources() if linked_id(p, "subscriptionPricePoint") == point]
    return str(today[0]["id"]) if today else None


def _add_prices(
    record: Record, ids: LiveSubscription, prefix: str, current: dict[str, tuple[str, str]]
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


def _ids(ids: LiveSubscription) -> list[Any]:
    return [
        ids.id,
        ids.state,
        sorted(ids.localizations.items()),
        sorted(ids.prices.items()),
        ids.extras.plain(),
    ]


# -- planning ------------------------------------------------------------------------------


def _plan_group(
    planner: Planner,
    name: str,
    wanted: Record,
    live: Record | None,
    ids: LiveGroup | None,
    live_group_of: dict[str, str],
) -> None:
    """The group, its locales and subscriptions. ``live_group_of``: product id -> live group."""
    address = f"{planner.desired.address}.subscription_group[{name}]"
    if ids is None:
        planner.add(
            Change(
                address,
                Action.CREATE,
                GROUPS,
                planner.app,
                fields=planner.field_changes(relative(wanted), {}, ["reference_name"], wanted),
                calls=(f"POST /v1/{GROUPS}",),
                source=planner.source(wanted, "reference_name"),
            )
        )
    plan_locales(
        planner,
        owner=address,
        wanted=wanted,
        live=live,
        map_key="localizations",
        live_ids=ids.localizations if ids else {},
        resource=GROUP_LOCALIZATIONS,
        fields=sub_fields(SUBSCRIPTION_GROUP_FIELDS, "localizations"),
    )
    live_subs = {
        item_value(sub, "product_id"): sub
        for sub in (live.lists.get("subscriptions", []) if live else [])
    }
    wanted_ids = set()
    for sub in wanted.lists.get("subscriptions", []):
        product_id = item_value(sub, "product_id")
        if not isinstance(product_id, str):
            continue
        wanted_ids.add(product_id)
        if live_group_of.get(product_id, name) != name:
            _cannot_move(planner, address, product_id, sub, live_group_of[product_id])
            continue
        sub_ids = ids.subscriptions.get(product_id) if ids else None
        _plan_subscription(planner, address, product_id, sub, live_subs.get(product_id), sub_ids)
    if ids is not None and "subscriptions" in wanted.lists:
        for product_id in sorted(set(ids.subscriptions) - wanted_ids):
            planner.lock(
                Change(
                    f"{address}.subscription[{product_id}]",
                    Action.DELETE,
                    SUBSCRIPTIONS,
                    planner.app,
                    source=planner.source(wanted, "reference_name"),
                    note="in App Store Connect but not in the group file; ascsync does not "
                    "delete subscriptions (add it to the file, or remove it in App Store Connect)",
                )
            )


def _cannot_move(
    planner: Planner, address: str, product_id: str, wanted: Record, live_group: str
) -> None:
    """A subscription filed under another group than the one it has live: Apple cannot move it."""
    planner.lock(
        Change(
            f"{address}.subscription[{product_id}]",
            Action.CREATE,
            SUBSCRIPTIONS,
            planner.app,
            source=planner.source(wanted, item_prefix(wanted) + "product_id"),
            note=f"exists in the group {live_group!r}; subscriptions cannot move between groups",
        )
    )


def _plan_subscription(
    planner: Planner,
    group_address: str,
    product_id: str,
    wanted: Record,
    live: Record | None,
    ids: LiveSubscription | None,
) -> None:
    address = f"{group_address}.subscription[{product_id}]"
    prefix = item_prefix(wanted)
    want = relative(wanted, prefix)
    have = relative(live, item_prefix(live)) if live else {}
    locked_by = ids.locked_by if ids else None
    if ids is None:
        keys = [k for k in ("product_id", *_SUBSCRIPTION_ATTRIBUTES) if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                SUBSCRIPTIONS,
                planner.app,
                fields=planner.field_changes(want, {}, keys, wanted, prefix),
                calls=(f"POST /v1/{SUBSCRIPTIONS}",),
                after=(group_address,),
                source=planner.source(wanted, prefix + "product_id"),
            )
        )
    else:
        planner.update(
            address,
            SUBSCRIPTIONS,
            want,
            have,
            wanted,
            _SUBSCRIPTION_ATTRIBUTES,
            f"PATCH /v1/{SUBSCRIPTIONS}/{{id}}",
            prefix=prefix,
            locked_by=locked_by,
        )
    plan_locales(
        planner,
        owner=address,
        wanted=wanted,
        live=live,
        map_key=prefix + "localizations",
        live_ids=ids.localizations if ids else {},
        resource=SUBSCRIPTION_LOCALIZATIONS,
        fields=sub_fields(SUBSCRIPTION_FIELDS, "localizations"),
        locked_by=locked_by,
    )
    _plan_prices(planner, address, wanted, live, ids, prefix)
    target = Target(address, wanted, prefix, ids.extras if ids else None, locked_by)
    plan_extras(planner, SUBSCRIPTION_NAMES, target)


def _plan_prices(
    planner: Planner,
    address: str,
    wanted: Record,
    live: Record | None,
    ids: LiveSubscription | None,
    prefix: str,
) -> None:
    """One change per listed territory whose price differs; unlisted territories are kept."""
    have = {
        item_value(item, "territory"): item_value(item, "customer_price")
        for item in (_live_list(live, "prices") if live else [])
    }
    for item in wanted.lists.get(prefix + "prices", []):
        territory = item_value(item, "territory")
        customer_price = item_value(item, "customer_price")
        if not isinstance(territory, str) or same(customer_price, have.get(territory)):
            continue
        key = next(k for k in item.attrs if k.endswith(".customer_price"))
        planner.add(
            Change(
                f"{address}.price[{territory}]",
                Action.UPDATE if territory in have else Action.CREATE,
                PRICES,
                planner.app,
                fields=(
                    FieldChange(
                        "customer_price",
                        have.get(territory),
                        customer_price,
                        source=planner.source(item, key),
                    ),
                ),
                calls=("GET /v1/subscriptions/{id}/pricePoints", f"POST /v1/{PRICES}"),
                after=(address,),
                source=planner.source(item, key),
            ),
            locked_by=ids.locked_by if ids else None,
        )


def _live_list(record: Record, suffix: str) -> list[Record]:
    return next((v for k, v in record.lists.items() if k.rsplit(".", 1)[-1] == suffix), [])


# -- applying ------------------------------------------------------------------------------


def _group_op(change: Change, ctx: ApplyContext, name: str, wanted: Record, address: str) -> Op:
    if change.action is not Action.CREATE:
        raise AscsyncError(f"{change.address}: only new subscription groups can be applied")
    app = Parent("apps", ctx.live.app_id, ctx.desired.address, "/v1/apps")
    return create_op(
        f"/v1/{GROUPS}",
        GROUPS,
        attributes_for(SUBSCRIPTION_GROUP_FIELDS, change, wanted, "", GROUPS),
        {"app": app},
        address,
        find=lambda client, parent_ids: find_child(
            client,
            f"/v1/apps/{parent_ids['app']}/subscriptionGroups",
            GROUPS,
            "referenceName",
            name,
            {"referenceName": name},
        ),
    )


@dataclass
class _Subscription:
    product_id: str
    address: str
    wanted: Record
    prefix: str  # ``subscriptions[1].``
    ids: LiveSubscription | None
    parent: Parent  # the subscription itself, as the parent of its children
    group: Parent


def _subscription(
    change: Change, group_address: str, group: Record, ids: LiveGroup | None, parent: Parent
) -> _Subscription:
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
    address = f"{group_address}.subscription[{product_id}]"
    sub_ids = ids.subscriptions.get(product_id) if ids else None
    itself = Parent(SUBSCRIPTIONS, sub_ids.id if sub_ids else None, address, f"/v1/{SUBSCRIPTIONS}")
    return _Subscription(product_id, address, wanted, item_prefix(wanted), sub_ids, itself, parent)


def _subscription_op(change: Change, sub: _Subscription) -> Op:
    attributes = attributes_for(SUBSCRIPTION_FIELDS, change, sub.wanted, sub.prefix, SUBSCRIPTIONS)
    if change.action is Action.UPDATE:
        return patch_op(
            SUBSCRIPTIONS, need(sub.ids.id if sub.ids else None, sub.product_id), attributes
        )
    return create_op(
        f"/v1/{SUBSCRIPTIONS}",
        SUBSCRIPTIONS,
        attributes,
        {"group": sub.group},
        sub.address,
        find=lambda client, parent_ids: find_child(
            client,
            f"/v1/subscriptionGroups/{parent_ids['group']}/subscriptions",
            SUBSCRIPTIONS,
            "productId",
            sub.product_id,
        ),
    )


def _price_op(change: Change, sub: _Subscription) -> Op:
    """GET the territory's price point, then POST a price that starts now."""
    territory = address_keys(change.address)["price"][0]
    item = next(
        (
            p
            for p in sub.wanted.lists.get(f"{sub.prefix}prices", [])
            if item_value(p, "territory") == territory
        ),
        None,
    )
    customer_price = item_value(item, "customer_price") if item else None
    if customer_price is None:
        raise AscsyncError(f"{change.address}: no customer_price for {territory} in the file")

    def run(client: ApiClient, ids: Ids) -> None:
        subscription_id = sub.parent.id(ids)
        point = price_point(
            client,
            f"/v1/subscriptions/{subscription_id}/pricePoints",
            "subscriptionPricePoints",
            territory,
            customer_price,
            limit=PRICE_POINTS_PER_PAGE,
        )
        body = resource_body(
            PRICES,
            None,
            {
                "subscription": (SUBSCRIPTIONS, subscription_id),
                "subscriptionPricePoint": ("subscriptionPricePoints", point),
                "territory": ("territories", territory),
            },
        )
        post_once(
            client,
            f"/v1/{PRICES}",
            body,
            lambda c: _price_in_effect(c, subscription_id, territory, point),
            what=change.address,
        )

    return Op(run)


SUBSCRIPTION_GROUPS = SubscriptionGroups()

__all__ = ["SUBSCRIPTION_FIELDS", "SUBSCRIPTION_GROUPS", "SUBSCRIPTION_GROUP_FIELDS"]
