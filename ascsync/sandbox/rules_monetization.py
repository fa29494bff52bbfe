"""Apple's rules for what sells: product review material, availability, the EULA.

* **Review screenshots** (``inAppPurchaseAppStoreReviewScreenshots``,
  ``subscriptionAppStoreReviewScreenshots``) and **promotional images**
  (``inAppPurchaseImages``, ``subscriptionImages``) upload like app screenshots
  (reserve, PUT the parts to ``/_uploads/...``, commit with the MD5, wait), through the
  same asset registry as :mod:`ascsync.sandbox.uploads` (whose routes receive the parts
  and serve the images). A product has at most one review screenshot [S: a to-one
  relationship]; a second reservation is refused [U] (clients delete the old one first).
  The review screenshot must be at least 640×920 pixels and a promotional image exactly
  1024×1024 [U: App Store Connect Help as quoted by secondary sources]; both PNG or JPEG
  [A]. Images report the v1 ``state`` (``AWAITING_UPLOAD`` -> ``UPLOAD_COMPLETE`` ->
  ``PREPARE_FOR_SUBMISSION`` or ``FAILED``) [S enum; U sequence].
* **Availability** (``inAppPurchaseAvailabilities``, ``subscriptionAvailabilities``):
  create-only [S]; a new one replaces the product's previous one [U].
* **EULA** (``endUserLicenseAgreements``): one per app [S: a to-one relationship], with
  text and at least one territory [U].
* **Subscription offers**: an introductory offer per territory at a time [A: "one
  introductory offer per territory"; U: overlapping dates are not modelled]; a paid offer
  (``PAY_AS_YOU_GO``, ``PAY_UP_FRONT``) names a price point of the subscription in its
  territory, a free one (``FREE_TRIAL``) none [I: App-Store-Connect-CLI #1948, #1640:
  "subscriptionPricePoint should not be set for free offers", "Missing
  subscriptionPricePoint relationship"]; promotional offer codes are unique per
  subscription and at most 10 per subscription [A: "up to 10 active promotional
  offers"]; custom offer codes are unique per app [U]. Offer codes cannot be deleted, only
  deactivated [S]; a code's ``totalNumberOfCodes`` counts its custom codes [U].

Tags as in :mod:`ascsync.sandbox.rules`.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from ascsync.sandbox import api_errors
from ascsync.sandbox.hooks import Hooks, RequestContext, SandboxError, raise_all
from ascsync.sandbox.price_points import price_point_owner
from ascsync.sandbox.seed_release import related
from ascsync.sandbox.store import Ref, Resource, Store
from ascsync.sandbox.uploads import (
    DEFAULT_PART_SIZE,
    DEFAULT_SETTLE_SECONDS,
    MAX_FILE_SIZE,
    UPLOAD_PATH,
    Upload,
    delivery_state,
    inspect_image,
    new_asset_token,
    registry,
    template_url,
)

Rels = dict[str, Ref | list[Ref] | None]

REVIEW_SCREENSHOTS = {
    "inAppPurchaseAppStoreReviewScreenshots": "inAppPurchaseV2",
    "subscriptionAppStoreReviewScreenshots": "subscription",
}
"""Review screenshot type -> its relationship to the product."""
PROMOTIONAL_IMAGES = {"inAppPurchaseImages": "inAppPurchase", "subscriptionImages": "subscription"}
"""Promotional image type -> its relationship to the product."""
ROUTING = {"routingAppCoverages": "appStoreVersion"}
"""A version's routing app coverage file (GeoJSON), uploaded the same way."""
ASSETS = {**REVIEW_SCREENSHOTS, **PROMOTIONAL_IMAGES, **ROUTING}
ONE_PER_OWNER = {**REVIEW_SCREENSHOTS, **ROUTING}
OWNER_HOLDS = {
    "inAppPurchaseAppStoreReviewScreenshots": "appStoreReviewScreenshot",
    "subscriptionAppStoreReviewScreenshots": "appStoreReviewScreenshot",
    "routingAppCoverages": "routingAppCoverage",
}
"""The owner's to-one relationship to the asset, for those it has at most one of."""
EDITABLE_VERSION = (
    "PREPARE_FOR_SUBMISSION",
    "REJECTED",
    "METADATA_REJECTED",
    "DEVELOPER_REJECTED",
    "INVALID_BINARY",
    "READY_FOR_REVIEW",
)  # as in rules.py: a version's media change only in these states [A]

MIN_REVIEW_SCREENSHOT = (640, 920)  # [U]
PROMOTIONAL_IMAGE_SIZE = (1024, 1024)  # [U]
IN_REVIEW = ("WAITING_FOR_REVIEW", "IN_REVIEW")

AVAILABILITIES = {
    "inAppPurchaseAvailabilities": ("inAppPurchase", "inAppPurchaseAvailability"),
    "subscriptionAvailabilities": ("subscription", "subscriptionAvailability"),
}
"""Availability type -> (its relationship to the product, the product's to it)."""


def _now(ctx: RequestContext) -> float:
    return ctx.now() if ctx.now is not None else time.time()


def _one(store: Store, relationships: Rels, name: str) -> Resource | None:
    ref = relationships.get(name)
    return store.get(*ref) if isinstance(ref, tuple) else None


def _error(code: str, description: str) -> dict[str, str]:
    return {"code": code, "description": description}


def _state_error(detail: str) -> SandboxError:
    return api_errors.state_error(detail)


# -- review screenshots and promotional images ------------------------------------------------


def verify_asset(type_: str, upload: Upload, checksum: str | None) -> list[dict[str, str]]:
    """What Apple's processing would report for a committed product image (codes [U])."""
    missing = [i for i in range(len(upload.parts)) if i not in upload.received]
    if missing:
        return [_error("UPLOAD_INCOMPLETE", "Some upload parts were never received.")]
    data = b"".join(upload.received[i] for i in range(len(upload.parts)))
    actual = hashlib.md5(data).hexdigest()
    if not checksum or checksum.lower() != actual:
        return [_error("CHECKSUM_MISMATCH", f"The file's MD5 is {actual}, not {checksum!r}.")]
    if type_ in ROUTING:
        return _verify_geojson(data)
    found = inspect_image(data)
    if found is None:
        return [_error("INVALID_IMAGE", "The file is not a valid .jpeg, .jpg or .png image.")]
    _format, width, height = found
    upload.width, upload.height = width, height
    if type_ in REVIEW_SCREENSHOTS:
        low_w, low_h = MIN_REVIEW_SCREENSHOT
        if min(width, height) < low_w or max(width, height) < low_h:
            return [
                _error(
                    "IMAGE_INCORRECT_DIMENSIONS",
                    f"A review screenshot must be at least {low_w}x{low_h} pixels; "
                    f"this one is {width}x{height}.",
                )
            ]
    elif (width, height) != PROMOTIONAL_IMAGE_SIZE:
        return [
            _error(
                "IMAGE_INCORRECT_DIMENSIONS",
                f"A promotional image must be {PROMOTIONAL_IMAGE_SIZE[0]}x"
                f"{PROMOTIONAL_IMAGE_SIZE[1]} pixels; this one is {width}x{height}.",
            )
        ]
    return []


def _verify_geojson(data: bytes) -> list[dict[str, str]]:
    """[A] a .geojson file with a MultiPolygon; [U] the codes."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return [_error("INVALID_GEOJSON", "The file is not a valid GeoJSON document.")]
    if '"MultiPolygon"' not in json.dumps(document):
        return [_error("INVALID_GEOJSON", "The coverage must be a MultiPolygon.")]
    return []


def _set_state(resource: Resource, state: str, errors: list[dict[str, str]] | None = None) -> None:
    if resource.type in ONE_PER_OWNER:
        resource.attributes["assetDeliveryState"] = delivery_state(state, errors)
        return
    # v1 images: a plain state; processed images wait for review with the product [U]
    resource.attributes["state"] = {"COMPLETE": "PREPARE_FOR_SUBMISSION"}.get(state, state)


def _check_owner(owner: Resource | None) -> None:
    """Products in review and versions past editing take no new assets [U for products]."""
    if owner is None:
        return
    if owner.type == "appStoreVersions":
        state = owner.attributes.get("appVersionState")
        if state not in EDITABLE_VERSION:
            raise _state_error(f"The version is {state}; its routing coverage cannot change.")
    elif owner.attributes.get("state") in IN_REVIEW:
        raise _state_error(f"The product is {owner.attributes['state']}; wait for review.")


class ProductAssetRules(Hooks):
    """Reserve, commit and settle review screenshots and promotional images of products."""

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ not in ASSETS:
            return
        owner = _one(ctx.store, relationships, ASSETS[type_])
        _check_owner(owner)
        has_one = owner is not None and related(ctx.store, owner, OWNER_HOLDS.get(type_, ""))
        if type_ in ONE_PER_OWNER and has_one:
            raise api_errors.relationship_invalid(
                f"/data/relationships/{ASSETS[type_]}",
                "The version already has a routing app coverage file; delete it first."
                if type_ in ROUTING
                else "The product already has a review screenshot; delete it first.",  # [U]
            )
        size = int(attributes.get("fileSize") or 0)
        if not 0 < size <= MAX_FILE_SIZE:
            raise api_errors.attribute_invalid(
                "/data/attributes/fileSize", f"fileSize must be between 1 and {MAX_FILE_SIZE}."
            )
        part_size = max(1, int(ctx.settings.get("upload_part_size", DEFAULT_PART_SIZE)))
        parts = [(offset, min(part_size, size - offset)) for offset in range(0, size, part_size)]
        name = str(attributes.get("fileName", ""))
        token = new_asset_token(name)
        registry(ctx.store).uploads[token] = Upload(type_, name, size, parts)
        content_type = "image/png" if name.lower().endswith(".png") else "image/jpeg"
        if type_ in ROUTING:
            content_type = "application/geo+json"
        attributes.update(
            assetToken=token,
            sourceFileChecksum=None,
            imageAsset=None,
            uploadOperations=[
                {
                    "method": "PUT",
                    "url": f"{ctx.base_url}{UPLOAD_PATH}/{token}/{index}",
                    "length": length,
                    "offset": offset,
                    "requestHeaders": [{"name": "Content-Type", "value": content_type}],
                }
                for index, (offset, length) in enumerate(parts)
            ],
        )
        if type_ in REVIEW_SCREENSHOTS:
            attributes["assetDeliveryState"] = delivery_state("AWAITING_UPLOAD")
            attributes["assetType"] = "SortedScreenShot"  # [U] as for app screenshots
        elif type_ in ROUTING:
            attributes.pop("imageAsset", None)
            attributes["assetDeliveryState"] = delivery_state("AWAITING_UPLOAD")
        else:
            attributes["state"] = "AWAITING_UPLOAD"

    def before_update(
        self, ctx: RequestContext, resource: Resource, attributes: dict[str, Any], rels: Rels
    ) -> None:
        if resource.type not in ASSETS:
            return
        uploaded = attributes.pop("uploaded", None)
        checksum = attributes.pop("sourceFileChecksum", None)
        if not uploaded:
            return
        upload = registry(ctx.store).uploads.get(str(resource.attributes.get("assetToken")))
        if upload is None or upload.committed_at is not None:
            raise _state_error("This asset was already committed; reserve a new one.")
        upload.checksum = checksum
        upload.committed_at = _now(ctx)
        upload.errors = verify_asset(resource.type, upload, checksum)
        attributes["uploadOperations"] = None
        if resource.type in ONE_PER_OWNER:
            attributes["assetDeliveryState"] = delivery_state("UPLOAD_COMPLETE")
        else:
            attributes["state"] = "UPLOAD_COMPLETE"

    def on_read(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type not in ASSETS:
            return
        token = str(resource.attributes.get("assetToken") or "")
        upload = registry(ctx.store).uploads.get(token)
        if upload is not None and upload.committed_at is not None:
            settle = float(ctx.settings.get("settle_seconds", DEFAULT_SETTLE_SECONDS))
            if _now(ctx) - upload.committed_at >= settle:
                self._settle(ctx, resource, token, upload)
        asset = resource.attributes.get("imageAsset")
        if isinstance(asset, dict) and token:
            asset["templateUrl"] = template_url(ctx.base_url, token)

    @staticmethod
    def _settle(ctx: RequestContext, resource: Resource, token: str, upload: Upload) -> None:
        assets = registry(ctx.store)
        assets.uploads.pop(token, None)
        if upload.errors:
            _set_state(resource, "FAILED", upload.errors)
            return
        assets.blobs[token] = b"".join(upload.received[i] for i in range(len(upload.parts)))
        resource.attributes["sourceFileChecksum"] = upload.checksum
        if resource.type in ROUTING:
            _set_state(resource, "COMPLETE")
            return
        resource.attributes["imageAsset"] = {
            "templateUrl": template_url(ctx.base_url, token),
            "width": upload.width,
            "height": upload.height,
        }
        _set_state(resource, "COMPLETE")

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type not in ASSETS:
            return
        _check_owner(next(iter(related(ctx.store, resource, ASSETS[resource.type])), None))
        token = str(resource.attributes.get("assetToken") or "")
        registry(ctx.store).uploads.pop(token, None)
        registry(ctx.store).blobs.pop(token, None)


# -- availability and the EULA -------------------------------------------------------------


class AvailabilityAndEulaRules(Hooks):
    """A product's availability is replaced by a new one; an app has one EULA."""

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ in AVAILABILITIES:
            owner_rel, back = AVAILABILITIES[type_]
            product = _one(ctx.store, relationships, owner_rel)
            for old in related(ctx.store, product, back) if product is not None else []:
                ctx.store.delete(old.type, old.id)  # [U] the new one replaces it
        elif type_ == "endUserLicenseAgreements":
            self._one_per_app(ctx, attributes, relationships)

    def _one_per_app(
        self, ctx: RequestContext, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        app = _one(ctx.store, relationships, "app")
        if app is not None and related(ctx.store, app, "endUserLicenseAgreement"):
            raise api_errors.relationship_invalid(
                "/data/relationships/app",
                "The app already has a license agreement; update it instead.",  # [U]
            )
        self._check_eula(attributes, relationships)

    def before_update(
        self, ctx: RequestContext, resource: Resource, attributes: dict[str, Any], rels: Rels
    ) -> None:
        if resource.type == "endUserLicenseAgreements":
            self._check_eula({**resource.attributes, **attributes}, rels)

    @staticmethod
    def _check_eula(attributes: dict[str, Any], relationships: Rels) -> None:
        if "agreementText" in attributes and not str(attributes.get("agreementText") or ""):
            raise api_errors.attribute_invalid(
                "/data/attributes/agreementText",
                "The agreement text cannot be empty.",  # [U]
            )
        if "territories" in relationships and not relationships.get("territories"):
            raise api_errors.relationship_invalid(
                "/data/relationships/territories",
                "A license agreement needs at least one territory.",  # [U]
            )


# -- subscription offers -----------------------------------------------------------------------

FREE = "FREE_TRIAL"
MAX_PROMOTIONAL_OFFERS = 10  # [A]
OFFER_PRICES = {
    "subscriptionPromotionalOffers": "subscriptionPromotionalOfferPrices",
    "subscriptionOfferCodes": "subscriptionOfferCodePrices",
}


def _price_problem(
    store: Store, mode: Any, subscription: Resource | None, point: Any, territory: Any, where: str
) -> SandboxError | None:
    """What is wrong with one offer price (its point and territory), or None."""
    if mode == FREE:
        if point is not None:
            return api_errors.relationship_invalid(
                f"{where}/subscriptionPricePoint",
                "subscriptionPricePoint should not be set for free offers.",  # [I]
            )
        return None
    if not isinstance(point, tuple):
        return api_errors.relationship_invalid(
            f"{where}/subscriptionPricePoint",
            "Missing subscriptionPricePoint relationship for resource.",  # [I]
        )
    owner = price_point_owner(point[1])
    if subscription is not None and (owner is None or owner[0] != subscription.id):
        return api_errors.relationship_invalid(
            f"{where}/subscriptionPricePoint", "The price point belongs to another subscription."
        )
    if owner is not None and isinstance(territory, tuple) and territory[1] != owner[1]:
        return api_errors.relationship_invalid(
            f"{where}/territory", f"The price point is for {owner[1]}, not {territory[1]}."
        )
    return None


class OfferRules(Hooks):
    """Introductory and promotional offers, offer codes and their custom codes."""

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        store = ctx.store
        if type_ == "subscriptionIntroductoryOffers":
            self._introductory(store, attributes, relationships)
        elif type_ in OFFER_PRICES:
            self._offer(store, type_, attributes, relationships)
        elif type_ == "subscriptionOfferCodeCustomCodes":
            self._custom_code(store, attributes, relationships)

    def before_update(
        self, ctx: RequestContext, resource: Resource, attributes: dict[str, Any], rels: Rels
    ) -> None:
        if resource.type == "subscriptionPromotionalOffers" and "prices" in rels:
            subscription = next(iter(related(ctx.store, resource, "subscription")), None)
            self._prices(ctx.store, resource.attributes.get("offerMode"), subscription, rels)
            for old in related(ctx.store, resource, "prices"):
                ctx.store.delete(old.type, old.id)  # the new list replaces them [U]

    def after_create(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type == "subscriptionOfferCodeCustomCodes":
            code = next(iter(related(ctx.store, resource, "offerCode")), None)
            if code is not None:
                customs = related(ctx.store, code, "customCodes")
                code.attributes["totalNumberOfCodes"] = sum(
                    int(c.attributes.get("numberOfCodes") or 0) for c in customs
                )

    @staticmethod
    def _introductory(store: Store, attributes: dict[str, Any], relationships: Rels) -> None:
        subscription = _one(store, relationships, "subscription")
        territory = relationships.get("territory")
        for other in related(store, subscription, "introductoryOffers") if subscription else []:
            if other.relationships.get("territory") == territory:
                raise api_errors.relationship_invalid(
                    "/data/relationships/territory",
                    "The subscription already has an introductory offer in this territory.",
                )  # [U] wording
        problem = _price_problem(
            store,
            attributes.get("offerMode"),
            subscription,
            relationships.get("subscriptionPricePoint"),
            territory,
            "/data/relationships",
        )
        if problem is not None:
            raise problem

    def _offer(
        self, store: Store, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        subscription = _one(store, relationships, "subscription")
        if type_ == "subscriptionPromotionalOffers" and subscription is not None:
            others = related(store, subscription, "promotionalOffers")
            if any(o.attributes.get("offerCode") == attributes.get("offerCode") for o in others):
                raise api_errors.already_used("offerCode", "offer code")  # [U]
            if len(others) >= MAX_PROMOTIONAL_OFFERS:
                raise _state_error(
                    f"A subscription can have at most {MAX_PROMOTIONAL_OFFERS} promotional offers."
                )
        if type_ == "subscriptionOfferCodes":
            if not attributes.get("customerEligibilities"):
                raise api_errors.attribute_invalid(
                    "/data/attributes/customerEligibilities", "Choose at least one eligibility."
                )  # [U]
            attributes.update(
                active=True, totalNumberOfCodes=0, productionCodeCount=0, sandboxCodeCount=0
            )
        self._prices(store, attributes.get("offerMode"), subscription, relationships)

    @staticmethod
    def _prices(
        store: Store, mode: Any, subscription: Resource | None, relationships: Rels
    ) -> None:
        problems = []
        refs = relationships.get("prices") or []
        for index, ref in enumerate(refs if isinstance(refs, list) else []):
            price = store.get(*ref)
            if price is None:
                continue
            problem = _price_problem(
                store,
                mode,
                subscription,
                price.relationships.get("subscriptionPricePoint"),
                price.relationships.get("territory"),
                f"/included/{index}/relationships",
            )
            if problem is not None:
                problems.append(problem)
        raise_all(problems)

    @staticmethod
    def _custom_code(store: Store, attributes: dict[str, Any], relationships: Rels) -> None:
        wanted = str(attributes.get("customCode") or "").upper()
        if any(
            str(c.attributes.get("customCode") or "").upper() == wanted
            for c in store.list("subscriptionOfferCodeCustomCodes")
        ):
            raise api_errors.already_used("customCode", "custom code")  # [U] per app
        if int(attributes.get("numberOfCodes") or 0) < 1:
            raise api_errors.attribute_invalid(
                "/data/attributes/numberOfCodes", "numberOfCodes must be at least 1."
            )
        attributes.setdefault("active", True)
        attributes["createdDate"] = None


def default_hooks() -> list[Hooks]:
    """This module's rules, in the order the engine should call them."""
    return [ProductAssetRules(), AvailabilityAndEulaRules(), OfferRules()]


__all__ = [
    "ASSETS",
    "AvailabilityAndEulaRules",
    "OfferRules",
    "ProductAssetRules",
    "default_hooks",
    "verify_asset",
]
