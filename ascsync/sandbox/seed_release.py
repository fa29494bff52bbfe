"""Seed sections for what a release and its monetization add (issue 17).

:class:`~ascsync.sandbox.seed.SeedBuilder` calls these with itself, so mistakes are
reported the same way (``seed.yml:LINE: apps[0].builds[1].betaGroups: ...``). A build
may name the groups that have it and its What to Test texts::

    builds:
      - version: "241"
        betaGroups: [Public Beta]           # groups of this app, by name
        whatToTest: {en-US: Try offline lists., de-DE: Offline-Listen testen.}

An in-app purchase or a subscription may have its review screenshot, promotional images
and availability (files relative to the seed, or checksum and sizes)::

    reviewScreenshot: {fileName: review.png, file: shots/review.png}
    images: [{fileName: promo.png, checksum: 0f3c..., fileSize: 4096, width: 1024, height: 1024}]
    availability: {availableInNewTerritories: true, territories: [USA, CAN]}   # or all

A subscription may have offers (``price``/``prices`` name its price points; free trials
list ``territories``)::

    introductoryOffers:
      - {territory: USA, offerMode: FREE_TRIAL, duration: ONE_WEEK, numberOfPeriods: 1}
      - {territory: DEU, offerMode: PAY_UP_FRONT, duration: ONE_MONTH, numberOfPeriods: 1,
         price: "0.99"}
    promotionalOffers:
      - {offerCode: back50, name: Back, offerMode: PAY_AS_YOU_GO, duration: ONE_MONTH,
         numberOfPeriods: 3, prices: {USA: "1.99"}}
    offerCodes:
      - {name: Spring, customerEligibilities: [NEW], offerEligibility: STACK_WITH_INTRO_OFFERS,
         offerMode: FREE_TRIAL, duration: ONE_MONTH, numberOfPeriods: 1, territories: [USA],
         customCodes: [{customCode: SPRING, numberOfCodes: 100}]}
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

from ascsync.sandbox import uploads
from ascsync.sandbox.store import Ref, Resource, Store


class SeedBuilder(Protocol):
    """What these sections use of :class:`ascsync.sandbox.seed.SeedBuilder` (which imports
    this module, so it is named here by its shape)."""

    store: Store

    def fail(self, node: Any, key: Any, where: str, message: str, valid: str | None = None) -> None:
        """Raises a SeedError at ``node[key]``."""

    def mapping(self, node: Any, parent: Any, key: Any, where: str) -> dict[Any, Any]: ...

    def sequence(self, node: Any, parent: Any, key: Any, where: str) -> list[Any]: ...

    def locale(self, node: Any, key: Any, where: str) -> str: ...

    def required(self, node: dict[str, Any], key: str, where: str) -> Any: ...

    def number(self, node: dict[str, Any], key: str, where: str) -> int: ...

    def read_file(self, node: dict[str, Any], where: str) -> bytes: ...

    def new_id(self, type_: str, where: str) -> str: ...

    def price_point(
        self, owner: Resource, node: Any, key: Any, where: str, territory: str
    ) -> Ref: ...

    def attributes(
        self,
        type_: str,
        node: dict[str, Any],
        where: str,
        structural: set[str],
        renamed: dict[str, str] | None = None,
    ) -> dict[str, Any]: ...

    def create(
        self,
        type_: str,
        where: str,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None] | None = None,
        id_: str | None = None,
    ) -> Resource: ...


def related(store: Store, resource: Resource, name: str) -> list[Resource]:
    """``store.related`` (kept as one name for this module's call sites)."""
    return store.related(resource, name)


BUILD_KEYS = {"betaGroups", "whatToTest"}
"""Keys of a seeded build handled here (after the app's groups exist)."""


def link_builds(builder: SeedBuilder, app: Resource, node: dict[str, Any], where: str) -> None:
    """Each seeded build's groups and What to Test texts."""
    items = builder.sequence(node.get("builds"), node, "builds", f"{where}.builds")
    groups = {g.attributes.get("name"): g for g in related(builder.store, app, "betaGroups")}
    numbers = {b.attributes.get("version"): b for b in related(builder.store, app, "builds")}
    for index, item in enumerate(items):
        here = f"{where}.builds[{index}]"
        build = numbers[str(item.get("version"))]
        names = builder.sequence(item.get("betaGroups"), item, "betaGroups", f"{here}.betaGroups")
        for name in names:
            if name not in groups:
                builder.fail(
                    item,
                    "betaGroups",
                    f"{here}.betaGroups",
                    f"no beta group {name!r}",
                    ", ".join(sorted(str(n) for n in groups)),
                )
            builder.store.add_to_many(build, "betaGroups", [groups[name].ref])
        texts = builder.mapping(item.get("whatToTest"), item, "whatToTest", f"{here}.whatToTest")
        for locale, text in texts.items():
            builder.locale(texts, locale, f"{here}.whatToTest.{locale}")
            builder.create(
                "betaBuildLocalizations",
                f"{here}.whatToTest.{locale}",
                {"locale": str(locale), "whatsNew": str(text)},
                {"build": build.ref},
            )


PRODUCT_KEYS = {"reviewScreenshot", "images", "availability"}
"""Keys of a seeded in-app purchase or subscription handled here."""

_PRODUCT_TYPES = {
    "inAppPurchases": (
        "inAppPurchaseAppStoreReviewScreenshots",
        "inAppPurchaseV2",
        "inAppPurchaseImages",
        "inAppPurchase",
        "inAppPurchaseAvailabilities",
        "inAppPurchaseAvailability",
    ),
    "subscriptions": (
        "subscriptionAppStoreReviewScreenshots",
        "subscription",
        "subscriptionImages",
        "subscription",
        "subscriptionAvailabilities",
        "subscriptionAvailability",
    ),
}


def product_extras(
    builder: SeedBuilder, product: Resource, node: dict[str, Any], where: str
) -> None:
    """A seeded product's review screenshot, promotional images and availability."""
    review_type, review_rel, image_type, image_rel, availability, back = _PRODUCT_TYPES[
        product.type
    ]
    review = node.get("reviewScreenshot")
    if review is not None:
        here = f"{where}.reviewScreenshot"
        item = builder.mapping(review, node, "reviewScreenshot", here)
        _asset(builder, review_type, item, here, {review_rel: product.ref})
    images = builder.sequence(node.get("images"), node, "images", f"{where}.images")
    for index, image in enumerate(images):
        here = f"{where}.images[{index}]"
        item = builder.mapping(image, images, index, here)
        _asset(builder, image_type, item, here, {image_rel: product.ref})
    if node.get("availability") is not None:
        here = f"{where}.availability"
        spec = builder.mapping(node["availability"], node, "availability", here)
        codes = _territories(builder, spec, here)
        created = builder.create(
            availability,
            here,
            {"availableInNewTerritories": bool(spec.get("availableInNewTerritories", True))},
            {"availableTerritories": [("territories", c) for c in codes]},
        )
        builder.store.set_relationship(product, back, created.ref)


def _territories(builder: SeedBuilder, spec: dict[str, Any], where: str) -> list[str]:
    everywhere = sorted(t.id for t in builder.store.list("territories"))
    chosen = spec.get("territories", "all")
    if chosen == "all":
        return everywhere
    codes = [str(c) for c in builder.sequence(chosen, spec, "territories", where)]
    unknown = sorted(set(codes) - set(everywhere))
    if unknown:
        builder.fail(spec, "territories", f"{where}.territories", f"unknown {unknown[0]}")
    return codes


def _asset(
    builder: SeedBuilder,
    type_: str,
    node: dict[str, Any],
    where: str,
    relationships: dict[str, Ref | list[Ref] | None],
) -> Resource:
    """A processed product image, from a file or from its checksum and sizes."""
    allowed = {"fileName", "file", "checksum", "fileSize", "width", "height"}
    for key in node:
        if key not in allowed:
            builder.fail(node, key, f"{where}.{key}", "unknown key", ", ".join(sorted(allowed)))
    name = str(builder.required(node, "fileName", where))
    token = f"Seed{builder.new_id(type_, where)[:8]}-{Path(name).name}"
    if node.get("file") is not None:
        data = builder.read_file(node, where)
        found = uploads.inspect_image(data)
        if found is None:
            builder.fail(node, "file", f"{where}.file", "is not a PNG or JPEG image")
            raise AssertionError("unreachable")
        checksum, size, (width, height) = hashlib.md5(data).hexdigest(), len(data), found[1:]
        uploads.registry(builder.store).blobs[token] = data
    else:
        checksum = str(builder.required(node, "checksum", where))
        size = builder.number(node, "fileSize", where)
        width, height = builder.number(node, "width", where), builder.number(node, "height", where)
    attributes: dict[str, Any] = {
        "fileName": name,
        "fileSize": size,
        "sourceFileChecksum": checksum,
        "assetToken": token,
        "uploadOperations": None,
        "imageAsset": {"templateUrl": "", "width": width, "height": height},
    }
    if type_.endswith("ReviewScreenshots"):
        attributes["assetDeliveryState"] = uploads.delivery_state("COMPLETE")
        attributes["assetType"] = "SortedScreenShot"
    else:
        attributes["state"] = "APPROVED"
    return builder.create(type_, where, attributes, relationships)


SUBSCRIPTION_KEYS = {"introductoryOffers", "promotionalOffers", "offerCodes"}
"""Keys of a seeded subscription handled here (besides :data:`PRODUCT_KEYS`)."""

_OFFER_PRICE = {
    "subscriptionPromotionalOffers": "subscriptionPromotionalOfferPrices",
    "subscriptionOfferCodes": "subscriptionOfferCodePrices",
}


def subscription_offers(
    builder: SeedBuilder, sub: Resource, node: dict[str, Any], where: str
) -> None:
    """A seeded subscription's introductory and promotional offers and offer codes."""
    intro = builder.sequence(node.get("introductoryOffers"), node, "introductoryOffers", where)
    for index, item in enumerate(intro):
        here = f"{where}.introductoryOffers[{index}]"
        item = builder.mapping(item, intro, index, here)
        territory = str(builder.required(item, "territory", here))
        attrs = builder.attributes(
            "subscriptionIntroductoryOffers", item, here, {"territory", "price"}
        )
        relationships: dict[str, Ref | list[Ref] | None] = {
            "subscription": sub.ref,
            "territory": ("territories", territory),
        }
        if item.get("price") is not None:
            point = builder.price_point(sub, item, "price", f"{here}.price", territory)
            relationships["subscriptionPricePoint"] = point
        builder.create("subscriptionIntroductoryOffers", here, attrs, relationships)
    for key, type_ in (
        ("promotionalOffers", "subscriptionPromotionalOffers"),
        ("offerCodes", "subscriptionOfferCodes"),
    ):
        items = builder.sequence(node.get(key), node, key, where)
        for index, item in enumerate(items):
            here = f"{where}.{key}[{index}]"
            item = builder.mapping(item, items, index, here)
            _offer(builder, sub, type_, item, here)


def _offer(
    builder: SeedBuilder, sub: Resource, type_: str, node: dict[str, Any], where: str
) -> None:
    structural = {"prices", "territories", "customCodes"}
    attrs = builder.attributes(type_, node, where, structural)
    prices: list[Ref] = []
    priced = builder.mapping(node.get("prices"), node, "prices", where)
    for territory in priced:
        point = builder.price_point(sub, priced, territory, f"{where}.prices", str(territory))
        price = builder.create(
            _OFFER_PRICE[type_],
            f"{where}.prices.{territory}",
            {},
            {"territory": ("territories", str(territory)), "subscriptionPricePoint": point},
        )
        prices.append(price.ref)
    free = builder.sequence(node.get("territories"), node, "territories", where)
    for territory in free:
        price = builder.create(
            _OFFER_PRICE[type_],
            f"{where}.territories.{territory}",
            {},
            {"territory": ("territories", str(territory))},
        )
        prices.append(price.ref)
    if type_ == "subscriptionOfferCodes":
        attrs.setdefault("active", True)
        attrs.setdefault("productionCodeCount", 0)
        attrs.setdefault("sandboxCodeCount", 0)
    offer = builder.create(type_, where, attrs, {"subscription": sub.ref, "prices": prices})
    customs = builder.sequence(node.get("customCodes"), node, "customCodes", where)
    total = 0
    for index, custom in enumerate(customs):
        here = f"{where}.customCodes[{index}]"
        custom = builder.mapping(custom, customs, index, here)
        values = builder.attributes("subscriptionOfferCodeCustomCodes", custom, here, set())
        values.setdefault("active", True)
        total += int(values.get("numberOfCodes") or 0)
        builder.create("subscriptionOfferCodeCustomCodes", here, values, {"offerCode": offer.ref})
    if type_ == "subscriptionOfferCodes":
        offer.attributes["totalNumberOfCodes"] = total


APP_KEYS = {"eula", "accessibilityDeclarations"}
"""Keys of a seeded app handled here."""


def app_extras(builder: SeedBuilder, app: Resource, node: dict[str, Any], where: str) -> None:
    """A seeded app's custom license agreement (``eula: {agreementText, territories}``)
    and accessibility declarations (``accessibilityDeclarations: [{deviceFamily, state,
    supportsVoiceover, ...}]``, state PUBLISHED unless given)."""
    items = builder.sequence(
        node.get("accessibilityDeclarations"), node, "accessibilityDeclarations", where
    )
    for index, item in enumerate(items):
        here = f"{where}.accessibilityDeclarations[{index}]"
        item = builder.mapping(item, items, index, here)
        builder.required(item, "deviceFamily", here)
        attrs = builder.attributes("accessibilityDeclarations", item, here, set())
        attrs.setdefault("state", "PUBLISHED")
        builder.create("accessibilityDeclarations", here, attrs, {"app": app.ref})
    if node.get("eula") is not None:
        here = f"{where}.eula"
        spec = builder.mapping(node["eula"], node, "eula", here)
        text = builder.required(spec, "agreementText", here)
        codes = _territories(builder, spec, here)
        builder.create(
            "endUserLicenseAgreements",
            here,
            {"agreementText": str(text)},
            {"app": app.ref, "territories": [("territories", c) for c in codes]},
        )


__all__ = [
    "SUBSCRIPTION_KEYS",
    "subscription_offers",
    "APP_KEYS",
    "BUILD_KEYS",
    "PRODUCT_KEYS",
    "app_extras",
    "link_builds",
    "product_extras",
    "related",
]
