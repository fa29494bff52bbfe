"""What App Review and the storefronts need of a product besides its text and price:
the review screenshot, the promotional image and the availability by territory.

In-app purchases (``in-app-purchases/<id>.yml``) and subscriptions (each item of a
``subscriptions/<group>.yml``) take the same three keys; this module holds what the two
kinds share, parameterised by :class:`ProductNames`:

* ``review_screenshot``: a PNG or JPEG, relative to the YAML file, showing the purchase
  in the app. App Review needs one before the product can be submitted [A]; at least
  640×920 pixels [U: App Store Connect Help as quoted by secondary sources: warning].
  ``null`` deletes the live one.
* ``promotional_image``: the 1024×1024 PNG or JPEG shown when the product is promoted
  on the App Store [U: size from secondary sources: warning]. Managed as the product's
  only image: other live images are deleted [U: Apple shows one].
* ``availability``: ``available_in_new_territories`` and ``territories`` (``all`` or
  codes). A change is a new availability (``POST``; Apple has no update [S]), which
  replaces the old one [U].

A file is identified by its MD5: an unchanged image is never uploaded again. Uploads
go through :mod:`ascsync.engine.uploads` (review screenshots report ``assetDeliveryState``
like app screenshots); promotional images (v1) report a plain ``state`` and are waited
for here. Everything is locked while the product waits for or is in review.

Reading: the three come ``include``d with the products' listing; each managed
availability's territories are one more request, and the list of all territories one
(for ``all``), side by side.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient, ApiError, MaybeAppliedError
from ascsync.api.jsonapi import Document, resource_body
from ascsync.desired import media as checks
from ascsync.desired.model import LIVE, Field, FieldType, Record, Value
from ascsync.engine.compare import changed
from ascsync.engine.live import Include, LiveContext, SharedRead
from ascsync.engine.ops import CONFLICT, Ids, Op, Parent, delete_op, post_once
from ascsync.engine.plan import Action, Change, FieldChange
from ascsync.engine.planner import Planner
from ascsync.engine.uploads import (
    RESERVE_ATTEMPTS,
    FilePart,
    MediaKind,
    UploadFailed,
    UploadSettings,
    upload,
)
from ascsync.errors import AscsyncError
from ascsync.io.media_download import RemoteImage
from ascsync.problems import Problem, Severity

REVIEW_KEY = "review_screenshot"
IMAGE_KEY = "promotional_image"
NEW_KEY = "availability.available_in_new_territories"
TERRITORIES_KEY = "availability.territories"
KEYS = (REVIEW_KEY, IMAGE_KEY, NEW_KEY, TERRITORIES_KEY)

MIN_REVIEW_SIZE = (640, 920)  # [U]
PROMOTIONAL_SIZE = (1024, 1024)  # [U]
TERRITORY_PAGE = 200
IMAGE_STATES_DONE = ("PREPARE_FOR_SUBMISSION", "WAITING_FOR_REVIEW", "APPROVED", "REJECTED")
"""v1 promotional image states once Apple has processed the file."""


@dataclass(frozen=True)
class ProductNames:
    """How Apple names the pieces of one kind of product."""

    product: str  # inAppPurchases | subscriptions
    review: MediaKind
    image: str
    image_relationship: str
    availability: str
    availability_relationship: str
    availability_include: str
    folder: str  # the repo folder of the product files

    @property
    def includes(self) -> list[str]:
        return ["appStoreReviewScreenshot", "images", self.availability_include]


IAP_NAMES = ProductNames(
    "inAppPurchases",
    MediaKind(
        "inAppPurchaseAppStoreReviewScreenshots",
        "inAppPurchases",
        "inAppPurchaseV2",
        "assetDeliveryState",
        "/v2/inAppPurchases/{id}/appStoreReviewScreenshot",
    ),
    "inAppPurchaseImages",
    "inAppPurchase",
    "inAppPurchaseAvailabilities",
    "inAppPurchase",
    "inAppPurchaseAvailability",
    "in-app-purchases",
)
SUBSCRIPTION_NAMES = ProductNames(
    "subscriptions",
    MediaKind(
        "subscriptionAppStoreReviewScreenshots",
        "subscriptions",
        "subscription",
        "assetDeliveryState",
        "/v1/subscriptions/{id}/appStoreReviewScreenshot",
    ),
    "subscriptionImages",
    "subscription",
    "subscriptionAvailabilities",
    "subscription",
    "subscriptionAvailability",
    "subscriptions",
)


def extra_fields(names: ProductNames) -> tuple[Field, ...]:
    """The three keys of a product file (the field table's part for them)."""
    return (
        Field(
            REVIEW_KEY,
            FieldType.TEXT,
            "PNG or JPEG of the purchase in the app, relative to this file; App Review "
            "needs one. null deletes it.",
            f"{names.review.resource}.fileName",
            nullable=True,
        ),
        Field(
            IMAGE_KEY,
            FieldType.TEXT,
            "1024×1024 PNG or JPEG for promoting the product, relative to this file. "
            "null deletes it.",
            f"{names.image}.fileName",
            nullable=True,
        ),
        Field(
            "availability",
            FieldType.OBJECT,
            "Where the product is sold; a change replaces the availability.",
            fields=(
                Field(
                    "available_in_new_territories",
                    FieldType.BOOL,
                    "",
                    f"{names.availability}.availableInNewTerritories",
                ),
                Field(
                    "territories",
                    FieldType.TERRITORIES,
                    '"all" or a list of ISO alpha-3 codes.',
                    f"{names.availability}.availableTerritories",
                ),
            ),
        ),
    )


# -- checking ------------------------------------------------------------------------------


def local_path(record: Record, key: str) -> Path | None:
    """The file a path key names, relative to the YAML file it was written in."""
    value = record.attrs.get(key)
    if value is None or not isinstance(value.value, str) or value.source.file is None:
        return None
    return value.source.file.parent / value.value


def check_product(record: Record, prefix: str, what: str, root: Path) -> list[Problem]:
    """The files the keys name (inside the repo, PNG/JPEG, sizes) and a missing screenshot."""
    problems = []
    review = prefix + REVIEW_KEY
    if review not in record.attrs:
        problems.append(
            record.where(prefix + "product_id").problem(
                review,
                f"{what} has no review screenshot: App Review needs one before it can be "
                "submitted (unless App Store Connect has one already)",
                f"{REVIEW_KEY}: review/<name>.png",
                Severity.WARNING,
            )
        )
    for key, minimum, exact in (
        (review, MIN_REVIEW_SIZE, False),
        (prefix + IMAGE_KEY, PROMOTIONAL_SIZE, True),
    ):
        path = local_path(record, key)
        if path is not None:
            problems += _check_image(record, key, path, minimum, exact, root)
    return problems


def _check_image(
    record: Record, key: str, path: Path, size: tuple[int, int], exact: bool, root: Path
) -> list[Problem]:
    where = record.where(key)
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        return [where.problem(key, f"{path.name} is outside the repo", "keep every file inside")]
    if not path.is_file():
        return [where.problem(key, f"{record.get(key)} does not exist", "a path relative to it")]
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        return [where.problem(key, f"{path.name} is not a .png, .jpg or .jpeg file")]
    try:
        info = checks.image_info(path)
    except checks.UnreadableMedia as exc:
        return [where.problem(key, f"{path.name}: {exc}", "a PNG or JPEG image")]
    problems = []
    if info.format not in ("PNG", "JPEG"):
        problems.append(where.problem(key, f"{path.name} is {info.format}, not PNG or JPEG"))
    if info.has_alpha:
        problems.append(
            where.problem(key, f"{path.name} has transparency", "save it as RGB without alpha")
        )
    width, height = info.size
    if exact and (width, height) != size:
        problems.append(
            where.problem(
                key,
                f"{path.name} is {width}×{height}",
                f"{size[0]}×{size[1]} pixels [U]",
                Severity.WARNING,
            )
        )
    elif not exact and (min(width, height) < size[0] or max(width, height) < size[1]):
        problems.append(
            where.problem(
                key,
                f"{path.name} is {width}×{height}, smaller than App Review asks",
                f"at least {size[0]}×{size[1]} pixels [U]",
                Severity.WARNING,
            )
        )
    return problems


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveAsset:
    """A review screenshot or promotional image as App Store Connect has it."""

    id: str
    file_name: str
    checksum: str | None
    state: str | None
    template_url: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def done(self) -> bool:
        """Processed: its checksum can be trusted to match the file."""
        return self.state == "COMPLETE" or self.state in IMAGE_STATES_DONE

    def remote(self) -> RemoteImage:
        return RemoteImage(
            self.file_name,
            self.checksum,
            "COMPLETE" if self.done else self.state,
            self.template_url,
            self.width,
            self.height,
        )


@dataclass
class LiveExtras:
    """A product's review screenshot, images and availability (ids and what they hold)."""

    review: LiveAsset | None = None
    images: list[LiveAsset] = field(default_factory=list)
    availability_id: str | None = None
    new_territories: bool | None = None
    territories: list[str] | None = None  # None: not read
    all_codes: tuple[str, ...] = ()
    """Every territory App Store Connect has (read when the repo manages availability)."""

    def plain(self) -> list[Any]:
        def asset(a: LiveAsset | None) -> Any:
            return [a.id, a.file_name, a.checksum, a.state] if a else None

        return [
            asset(self.review),
            [asset(a) for a in self.images],
            self.availability_id,
            self.new_territories,
            self.territories,
        ]


def _asset(resource: dict[str, Any]) -> LiveAsset:
    attributes = resource.get("attributes") or {}
    state = attributes.get("assetDeliveryState")
    image = attributes.get("imageAsset") or {}
    return LiveAsset(
        resource["id"],
        attributes.get("fileName") or "",
        attributes.get("sourceFileChecksum"),
        state.get("state") if isinstance(state, dict) else attributes.get("state"),
        image.get("templateUrl"),
        image.get("width"),
        image.get("height"),
    )


def read_extras(doc: Document, product: dict[str, Any], names: ProductNames) -> LiveExtras:
    """What the products' listing included of one product."""
    extras = LiveExtras()
    review = doc.related_one(product, "appStoreReviewScreenshot")
    extras.review = _asset(review) if review else None
    extras.images = [_asset(r) for r in doc.related(product, "images")]
    availability = doc.related_one(product, names.availability_include)
    if availability is not None:
        extras.availability_id = availability["id"]
        attributes = availability.get("attributes") or {}
        extras.new_territories = attributes.get("availableInNewTerritories")
    return extras


def fetch_territories(client: ApiClient, names: ProductNames, availability_id: str) -> list[str]:
    doc = client.get_all(
        f"/v1/{names.availability}/{availability_id}/availableTerritories",
        {"limit": TERRITORY_PAGE, "fields[territories]": ["currency"]},
    )
    return sorted(r["id"] for r in doc.resources())


def fetch_all_territories(client: ApiClient) -> list[str]:
    doc = client.get_all(
        "/v1/territories", {"limit": TERRITORY_PAGE, "fields[territories]": ["currency"]}
    )
    return sorted(r["id"] for r in doc.resources())


def _fetch_storefronts(ctx: LiveContext, includes: tuple[Include, ...]) -> Document:
    return ctx.client.get_all(
        "/v1/territories", {"limit": TERRITORY_PAGE, "fields[territories]": ["currency"]}
    )


TERRITORIES_READ = SharedRead("territories", _fetch_storefronts)
"""Every storefront, read once for all the kinds that need it (``territories: all``)."""


def all_territories(ctx: LiveContext) -> tuple[str, ...]:
    """Every territory App Store Connect has, from the shared read."""
    doc = ctx.shared(TERRITORIES_READ)
    return tuple(sorted(r["id"] for r in doc.resources())) if doc is not None else ()


def read_availabilities(ctx: LiveContext, names: ProductNames, products: list[LiveExtras]) -> None:
    """Each product's available territories (side by side), and the list of all."""
    if not products:
        return
    jobs = [e for e in products if e.availability_id]
    found = ctx.pool.map(
        lambda e: fetch_territories(ctx.client, names, e.availability_id or ""), jobs
    )
    codes = all_territories(ctx)
    for extras, listed in zip(jobs, found, strict=True):
        extras.territories = listed
    for extras in products:
        extras.all_codes = codes


def manages_availability(record: Record, prefix: str = "") -> bool:
    return record.manages(prefix + "availability.")


def fill_live(
    live: Record,
    wanted: Record | None,
    extras: LiveExtras,
    product_id: str,
    names: ProductNames,
    checksum: Callable[[Path], str] | None = None,
) -> None:
    """Put the live values in ``live`` (keys without the item prefix), in the repo's shape.

    A path reads as the repo's path when the live file has its MD5, so plan and pull see
    no difference; otherwise as where ``pull`` puts the live file.
    """
    for key, asset in ((REVIEW_KEY, extras.review), (IMAGE_KEY, _only(extras.images))):
        if asset is None:
            live.attrs[key] = Value(None, LIVE)  # none live: pull leaves the key out
            continue
        shown = default_path(names, key, product_id, asset.file_name)
        prefix = _prefix_of(wanted)
        path = local_path(wanted, prefix + key) if wanted is not None else None
        if _same_file(path, asset, checksum) and wanted is not None:
            shown = str(wanted.get(prefix + key))
        live.attrs[key] = Value(shown, LIVE)
    if extras.availability_id is None:
        live.attrs[NEW_KEY] = live.attrs[TERRITORIES_KEY] = Value(None, LIVE)
    else:
        live.attrs[NEW_KEY] = Value(extras.new_territories, LIVE)
        if extras.territories is not None:
            codes = _as_territories(extras.territories, extras.all_codes)
            listed = wanted.get(_prefix_of(wanted) + TERRITORIES_KEY) if wanted else None
            if isinstance(listed, list) and set(listed) == set(extras.territories):
                codes = list(listed)  # the file's order, when it is the same set
            live.attrs[TERRITORIES_KEY] = Value(codes, LIVE)


def _same_file(path: Path | None, asset: LiveAsset, checksum: Callable[[Path], str] | None) -> bool:
    """Whether the repo's file is the live one (same MD5)."""
    if path is None or checksum is None or not path.is_file() or not asset.checksum:
        return False
    return checksum(path) == asset.checksum


def _only(images: list[LiveAsset]) -> LiveAsset | None:
    return images[0] if images else None


def _prefix_of(record: Record | None) -> str:
    if record is None:
        return ""
    for key in record.attrs:
        head, sep, _ = key.partition("].")
        if sep:
            return head + sep
    return ""


def default_path(names: ProductNames, key: str, product_id: str, file_name: str) -> str:
    """Where ``pull`` writes a live file, relative to the product's YAML file."""
    folder = "review" if key == REVIEW_KEY else "promotional"
    name = Path(file_name.replace("\\", "/")).name or f"{key}.png"
    return f"{folder}/{product_id}/{name}"


def remote_files(
    names: ProductNames, product_id: str, extras: LiveExtras, base: Path
) -> list[tuple[Path, list[RemoteImage]]]:
    """``(folder, [image])`` per live file, for :func:`~ascsync.io.media_download.pull_images`."""
    out = []
    for key, asset in ((REVIEW_KEY, extras.review), (IMAGE_KEY, _only(extras.images))):
        if asset is not None:
            folder = base / Path(default_path(names, key, product_id, asset.file_name)).parent
            out.append((folder, [asset.remote()]))
    return out


# -- planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The product a change belongs to: its address, repo record and live ids."""

    address: str
    wanted: Record
    prefix: str  # ``subscriptions[1].`` for an item of a group file
    extras: LiveExtras | None
    locked_by: str | None

    @property
    def all_codes(self) -> tuple[str, ...]:
        return self.extras.all_codes if self.extras else ()


def plan_extras(planner: Planner, names: ProductNames, target: Target) -> None:
    """The screenshot, the image and the availability of one product."""
    _plan_asset(planner, names, target, REVIEW_KEY)
    _plan_asset(planner, names, target, IMAGE_KEY)
    _plan_availability(planner, names, target)


def _plan_asset(planner: Planner, names: ProductNames, target: Target, key: str) -> None:
    wanted, prefix = target.wanted, target.prefix
    if prefix + key not in wanted.attrs:
        return
    extras = target.extras or LiveExtras()
    live = [extras.review] if key == REVIEW_KEY and extras.review else []
    if key == IMAGE_KEY:
        live = list(extras.images)
    resource = names.review.resource if key == REVIEW_KEY else names.image
    source = planner.source(wanted, prefix + key)
    path = local_path(wanted, prefix + key)
    keep = None
    if path is not None:
        digest = planner.checksum(path)
        keep = next((a for a in live if a.done and a.checksum == digest), None)
    for old in live:
        if old is keep:
            continue
        planner.add(
            Change(
                f"{target.address}.{key}[{old.file_name or old.id}]",
                Action.DELETE,
                resource,
                planner.app,
                fields=(FieldChange(key, old.file_name, None, source=source),),
                calls=(f"DELETE /v1/{resource}/{{id}}",),
                source=source,
                note="not the repo's file" if path is not None else f"{key}: null",
                live_id=old.id,
                makes_room=True,
            ),
            locked_by=target.locked_by,
        )
    if path is None or keep is not None:
        return
    planner.add(
        Change(
            f"{target.address}.{key}",
            Action.UPLOAD,
            resource,
            planner.app,
            fields=(
                FieldChange(key, live[0].file_name if live else None, path.name, source=source),
            ),
            calls=(f"POST /v1/{resource}", "PUT upload operations", f"PATCH /v1/{resource}/{{id}}"),
            after=(target.address,),
            source=source,
        ),
        locked_by=target.locked_by,
    )


def _plan_availability(planner: Planner, names: ProductNames, target: Target) -> None:
    wanted, prefix = target.wanted, target.prefix
    if not manages_availability(wanted, prefix):
        return
    extras = target.extras or LiveExtras()
    want = {k[len(prefix) :]: v for k, v in wanted.attrs.items() if k.startswith(prefix)}
    have: dict[str, Value] = {}
    if extras.availability_id is not None:
        have[NEW_KEY] = Value(extras.new_territories, LIVE)
        if extras.territories is not None:
            have[TERRITORIES_KEY] = Value(
                _as_territories(extras.territories, target.all_codes), LIVE
            )
    keys = changed(want, have, (NEW_KEY, TERRITORIES_KEY))
    if TERRITORIES_KEY in keys and _same_set(want.get(TERRITORIES_KEY), have, target.all_codes):
        keys.remove(TERRITORIES_KEY)
    if not keys:
        return
    change = Change(
        f"{target.address}.availability",
        Action.CREATE if extras.availability_id is None else Action.UPDATE,
        names.availability,
        planner.app,
        fields=planner.field_changes(want, have, keys, wanted, prefix),
        calls=(f"POST /v1/{names.availability}",),
        after=(target.address,),
        source=planner.source(wanted, prefix + keys[0]),
        note="a new availability replaces the old one" if extras.availability_id else None,
    )
    unknown = _unknown_codes(want.get(TERRITORIES_KEY), target.all_codes)
    if unknown:
        note = f"App Store Connect has no territory {', '.join(unknown)}"
        planner.lock(Change(**{**change.__dict__, "calls": (), "note": note}))
        return
    if NEW_KEY not in want and extras.availability_id is None:
        note = "a new availability needs availability.available_in_new_territories"
        planner.lock(Change(**{**change.__dict__, "calls": (), "note": note}))
        return
    planner.add(change, locked_by=target.locked_by)


def _as_territories(codes: list[str], all_codes: tuple[str, ...]) -> str | list[str]:
    return "all" if all_codes and set(codes) >= set(all_codes) else sorted(codes)


def _codes(value: Value | None, all_codes: tuple[str, ...]) -> set[str] | None:
    if value is None:
        return None
    if value.value == "all":
        return set(all_codes)
    return set(value.value or [])


def _same_set(want: Value | None, have: dict[str, Value], all_codes: tuple[str, ...]) -> bool:
    wanted = _codes(want, all_codes)
    live = _codes(have.get(TERRITORIES_KEY), all_codes)
    return wanted is not None and wanted == live


def _unknown_codes(want: Value | None, all_codes: tuple[str, ...]) -> list[str]:
    if want is None or want.value == "all" or not all_codes:
        return []
    return sorted(set(want.value or []) - set(all_codes))


# -- applying ------------------------------------------------------------------------------


def compile_extra(
    change: Change,
    names: ProductNames,
    target: Target,
    product: Parent,
    settings: UploadSettings,
    checksum: Callable[[Path], str],
) -> Op:
    """The op of a screenshot, image or availability change of one product."""
    if change.action is Action.DELETE:
        if not change.live_id:
            raise AscsyncError(f"{change.address}: no live id to delete")
        return delete_op(change.resource, change.live_id)
    if change.resource == names.availability:
        return _availability_op(names, target, product)
    key = REVIEW_KEY if change.resource == names.review.resource else IMAGE_KEY
    path = local_path(target.wanted, target.prefix + key)
    if path is None:
        raise AscsyncError(f"{change.address}: the repo no longer names a file")

    def run(client: ApiClient, ids: Ids) -> None:
        digest = checksum(path)
        if key == REVIEW_KEY:
            upload(client, names.review, product.id(ids), path, digest, settings)
        else:
            upload_image(client, names, product.id(ids), path, digest, settings)

    return Op(run)


def upload_image(
    client: ApiClient,
    names: ProductNames,
    product_id: str,
    path: Path,
    checksum: str,
    settings: UploadSettings,
) -> str:
    """Reserve, send and commit a promotional image, then wait until Apple processed it.

    The v1 image reports a plain ``state`` (not ``assetDeliveryState``), so it is not
    :func:`~ascsync.engine.uploads.upload`'s wait.
    """
    size = path.stat().st_size
    body = resource_body(
        names.image,
        {"fileName": path.name, "fileSize": size},
        {names.image_relationship: (names.product, product_id)},
    )
    for attempt in range(1, RESERVE_ATTEMPTS + 1):
        try:
            reserved = client.post(f"/v1/{names.image}", body)
            break
        except MaybeAppliedError:
            # a reservation may have been made: remove it (it has no bytes), reserve again
            leftover = _awaiting_upload(client, names, product_id, path.name)
            if leftover is not None:
                delete_op(names.image, leftover).run(client, Ids())
            if attempt == RESERVE_ATTEMPTS:
                raise
    image_id = reserved.resource["id"]
    for operation in reserved.resource.get("attributes", {}).get("uploadOperations") or []:
        headers = {h["name"]: h["value"] for h in operation.get("requestHeaders") or []}
        offset, length = int(operation.get("offset") or 0), int(operation["length"])
        part = FilePart(path, offset, length)
        client.upload(operation.get("method") or "PUT", operation["url"], part, headers)
    try:
        client.patch(
            f"/v1/{names.image}/{image_id}",
            resource_body(
                names.image, {"uploaded": True, "sourceFileChecksum": checksum}, id_=image_id
            ),
        )
    except ApiError as error:
        # "already committed" on a retry: the first commit arrived, its answer was lost
        if error.status != CONFLICT or error.attempts < 2:
            raise
    _wait_for_image(client, names, image_id, path.name, settings)
    return image_id


def _awaiting_upload(
    client: ApiClient, names: ProductNames, product_id: str, file_name: str
) -> str | None:
    """A reservation of ``file_name`` a lost answer left (still awaiting its bytes)."""
    version = "v2" if names.product == "inAppPurchases" else "v1"
    doc = client.get_all(
        f"/{version}/{names.product}/{product_id}/images",
        {f"fields[{names.image}]": ["fileName", "state"]},
    )
    return next(
        (
            str(r["id"])
            for r in doc.resources()
            if (r.get("attributes") or {}).get("fileName") == file_name
            and (r.get("attributes") or {}).get("state") in ("AWAITING_UPLOAD", None)
        ),
        None,
    )


def _wait_for_image(
    client: ApiClient, names: ProductNames, image_id: str, name: str, settings: UploadSettings
) -> None:
    deadline = time.monotonic() + settings.timeout
    pause = settings.first_poll
    while True:
        doc = client.get(f"/v1/{names.image}/{image_id}", {f"fields[{names.image}]": ["state"]})
        state = (doc.resource.get("attributes") or {}).get("state")
        if state in IMAGE_STATES_DONE:
            return
        if state == "FAILED":
            delete_op(names.image, image_id).run(client, Ids())
            raise UploadFailed(f"{name}: App Store Connect could not process it")
        if time.monotonic() >= deadline:
            raise AscsyncError(f"{name}: still {state} after {settings.timeout:.0f} s; apply again")
        time.sleep(pause)
        pause = min(pause * 1.5, settings.poll_interval)


def _availability_op(names: ProductNames, target: Target, product: Parent) -> Op:
    wanted, prefix = target.wanted, target.prefix
    territories = wanted.get(prefix + TERRITORIES_KEY)
    if territories is None and target.extras is not None:
        territories = target.extras.territories
    new = wanted.get(prefix + NEW_KEY)
    if new is None and target.extras is not None:
        new = target.extras.new_territories

    def run(client: ApiClient, ids: Ids) -> None:
        codes = list(territories or [])
        if territories == "all":  # a product new in this run has not read the list yet
            codes = list(target.all_codes) or fetch_all_territories(client)
        body = resource_body(
            names.availability,
            {"availableInNewTerritories": bool(new)},
            {
                names.availability_relationship: (names.product, product.id(ids)),
                "availableTerritories": [("territories", code) for code in codes],
            },
        )
        # sets the whole availability (a new one replaces the old [U]): safe to send again
        post_once(
            client, f"/v1/{names.availability}", body, None, what="availability", repeatable=True
        )

    return Op(run)


__all__ = [
    "IAP_NAMES",
    "IMAGE_KEY",
    "KEYS",
    "REVIEW_KEY",
    "SUBSCRIPTION_NAMES",
    "LiveAsset",
    "LiveExtras",
    "ProductNames",
    "Target",
    "check_product",
    "compile_extra",
    "extra_fields",
    "fetch_all_territories",
    "fetch_territories",
    "fill_live",
    "TERRITORIES_READ",
    "all_territories",
    "read_availabilities",
    "local_path",
    "manages_availability",
    "plan_extras",
    "read_extras",
    "remote_files",
]
