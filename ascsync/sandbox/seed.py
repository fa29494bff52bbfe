"""Seeds: the live App Store Connect state a sandbox starts from.

Every sandbox gets the base data Apple has for everyone (``seeds/base.yml``): the App
Store storefronts as ``territories`` and the ``appCategories`` tree. A seed adds the
account's own state. It is a YAML file (or the same structure as a dict), for example::

    apps:
      - bundleId: com.example.moviecatalog      # required
        name: Movie Catalog                     # required
        sku: MOVIECATALOG
        primaryLocale: en-US                    # default en-US
        id: "6446123456"                        # optional; derived from bundleId
        price: {baseTerritory: USA, customerPrice: "0.00"}   # a point of seeds/prices.yml
        availability: {availableInNewTerritories: true, territories: all}   # or [USA, ...]
        appInfo:
          primaryCategory: ENTERTAINMENT        # appCategories ids
          secondaryCategory: PHOTO_AND_VIDEO
          localizations:
            en-US: {name: Movie Catalog, subtitle: Every film, privacyPolicyUrl: https://...}
          ageRating: {violenceCartoonOrFantasy: INFREQUENT, advertising: false}
        builds:
          - {version: "230", uploadedDate: "2026-05-01T10:00:00Z"}   # builds attributes
        versions:
          - versionString: 2.3.0
            state: READY_FOR_DISTRIBUTION       # an AppVersionState, default PREPARE_FOR_SUBMISSION
            platform: IOS                       # default IOS
            copyright: 2026 Example Inc.
            releaseType: MANUAL
            build: "230"                        # a build's version from `builds`
            localizations:
              en-US:
                description: ...
                keywords: movies,films
                supportUrl: https://example.com/support
                screenshots:
                  APP_IPHONE_67:                # a ScreenshotDisplayType
                    - {fileName: 01-home.png, file: shots/01-home.png}   # relative to the seed
                    - {fileName: 02-detail.png, checksum: 0f3c..., fileSize: 26896,
                       width: 1290, height: 2796}
                previews:
                  IPHONE_67: [{fileName: tour.mp4, checksum: ..., fileSize: 1048576}]
            reviewDetail: {contactEmail: review@example.com, demoAccountRequired: false}
            phasedRelease: {phasedReleaseState: ACTIVE, currentDayNumber: 3}
        inAppPurchases:
          - productId: com.example.moviecatalog.pro
            name: Pro
            type: NON_CONSUMABLE                # inAppPurchaseType
            state: APPROVED                     # default READY_TO_SUBMIT
            price: {baseTerritory: USA, customerPrice: "4.99"}
            localizations: {en-US: {name: Pro, description: Unlock everything}}
        subscriptionGroups:
          - referenceName: Movie Catalog Plus
            localizations: {en-US: {name: Plus}}
            subscriptions:
              - productId: com.example.moviecatalog.plus.monthly
                name: Monthly
                subscriptionPeriod: ONE_MONTH
                groupLevel: 1
                prices: {USA: "2.99"}           # territory -> price point
                localizations: {en-US: {name: Monthly, description: All films}}
        betaAppLocalizations:
          en-US: {description: Try new features, feedbackEmail: beta@example.com}
        betaAppReviewDetail: {contactEmail: beta-review@example.com, demoAccountRequired: false}
        betaGroups:
          - name: Internal QA
            isInternalGroup: true
            testers:
              - {email: ana@example.com, firstName: Ana, lastName: Ruiz}

Any other key of a mapping must be an attribute of that resource in Apple's API (the
sandbox's surface), with a valid enum value; mistakes are reported as
``seed.yml:LINE: apps[0].versions[1].state: message (valid: ...)``.

Ids are stable across runs: an app's id is a 10-digit number derived from its bundle id
(unless given), every other id a UUID derived from its place in the seed.
``populate(store, "demo")`` loads the shipped demo seed (``seeds/demo.yml``).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ascsync.errors import ConfigError
from ascsync.sandbox import builds, seed_product_pages, seed_release, uploads
from ascsync.sandbox.price_points import (
    PRICE_POINT_TYPES,
    add_price_points,
    price_ladder,
    price_point_id,
)
from ascsync.sandbox.rules import APP_STORE_LOCALES, EDITABLE_VERSION_STATES, IN_REVIEW_STATES
from ascsync.sandbox.store import Ref, Resource, Store

SEEDS_DIR = Path(__file__).with_name("seeds")
BASE_FILE = SEEDS_DIR / "base.yml"
DEMO_NAME = "demo"

SEED_TIME = "2026-01-05T09:00:00Z"
"""Timestamp given to seeded resources that do not say when they were made."""

_ID_NAMESPACE = uuid.UUID("6f1d0e52-3a57-4d5c-9b8e-0a3c5d8f2e11")

# appStoreState is deprecated but still served; map the current state onto it.
LEGACY_STATE = {
    "READY_FOR_DISTRIBUTION": "READY_FOR_SALE",
    "PROCESSING_FOR_DISTRIBUTION": "PROCESSING_FOR_APP_STORE",
}

AGE_RATING_DEFAULTS: dict[str, Any] = {
    **{
        name: "NONE"
        for name in [
            "alcoholTobaccoOrDrugUseOrReferences",
            "contests",
            "gamblingSimulated",
            "gunsOrOtherWeapons",
            "horrorOrFearThemes",
            "matureOrSuggestiveThemes",
            "medicalOrTreatmentInformation",
            "profanityOrCrudeHumor",
            "sexualContentGraphicAndNudity",
            "sexualContentOrNudity",
            "violenceCartoonOrFantasy",
            "violenceRealistic",
            "violenceRealisticProlongedGraphicOrSadistic",
        ]
    },
    **{
        name: False
        for name in [
            "advertising",
            "ageAssurance",
            "gambling",
            "healthOrWellnessTopics",
            "lootBox",
            "messagingAndChat",
            "parentalControls",
            "unrestrictedWebAccess",
            "userGeneratedContent",
        ]
    },
}


class SeedError(ConfigError):
    """A seed file that cannot be loaded; the message names file, line and field."""


def version_state_attributes(state: str) -> dict[str, str]:
    """Both state attributes of an appStoreVersion for one current ``appVersionState``."""
    return {"appVersionState": state, "appStoreState": LEGACY_STATE.get(state, state)}


def app_id_for(bundle_id: str) -> str:
    """A stable 10-digit app id shaped like Apple's (e.g. "6446123456")."""
    digest = int(hashlib.sha256(bundle_id.lower().encode()).hexdigest(), 16)
    return "6" + str(digest % 10**9).zfill(9)


def resolve_seed(seed: str | Path) -> Path:
    """The file a ``--seed`` value names: a path, or ``demo`` for the shipped demo seed."""
    path = Path(seed)
    if path.exists():
        return path
    if str(seed) == DEMO_NAME:
        return SEEDS_DIR / "demo.yml"
    raise SeedError(f"{seed}: seed file not found (give a YAML file, or 'demo')")


def populate(store: Store, seed: str | Path | dict[str, Any] | None) -> None:
    """Fill ``store`` with the base data, then with ``seed`` (a file, ``"demo"`` or a dict)."""
    with store.lock:
        uploads.forget_assets(store)
        add_base_data(store)
        if seed is None:
            return
        if isinstance(seed, dict):
            SeedBuilder(store, None, None).build(seed)
            return
        path = resolve_seed(seed)
        SeedBuilder(store, path, path.parent).build(load_yaml(path))


def load_yaml(path: Path) -> Any:
    """Parse a seed file, keeping line numbers for error messages."""
    try:
        return YAML().load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path}: cannot read the seed file: {exc}") from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise SeedError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc


# -- base data -----------------------------------------------------------------------------


def add_base_data(store: Store) -> None:
    """Territories and categories, as every App Store Connect account sees them."""
    base = YAML(typ="safe").load(BASE_FILE.read_text(encoding="utf-8"))
    for code, currency in base["territories"].items():
        store.create("territories", {"currency": currency}, id_=code)
    categories = base["categories"]
    ios_only = set(categories.get("ios_only", []))
    all_platforms = ["IOS", "MAC_OS", "TV_OS", "VISION_OS"]
    for name in categories["top_level"]:
        platforms = ["IOS"] if name in ios_only else all_platforms
        store.create("appCategories", {"platforms": platforms}, id_=name)
    for parent, children in categories["subcategories"].items():
        category = store.get("appCategories", parent)
        assert category is not None, parent  # created just above from the same file
        platforms = category.attributes["platforms"]
        for name in children:
            store.create(
                "appCategories",
                {"platforms": list(platforms)},
                {"parent": ("appCategories", parent)},
                id_=name,
            )


# -- the seed builder ----------------------------------------------------------------------


class SeedBuilder:
    """Walks a seed mapping and creates resources, reporting mistakes with their place."""

    def __init__(self, store: Store, file: Path | None, root: Path | None) -> None:
        self.store = store
        self.file = file
        self.root = root
        self._attribute_specs = _attribute_specs()
        self._testers: dict[str, Resource] = {}

    # -- error reporting -------------------------------------------------------------------

    def fail(
        self, node: Any, key: Any, where: str, message: str, valid: str | None = None
    ) -> NoReturn:
        """Raise a SeedError located at ``node[key]`` (``file:line: field: message``)."""
        line = _line_of(node, key)
        place = f"{self.file or 'seed'}:{line}: " if line else f"{self.file or 'seed'}: "
        hint = f" (valid: {valid})" if valid else ""
        raise SeedError(f"{place}{where}: {message}{hint}")

    def mapping(self, node: Any, parent: Any, key: Any, where: str) -> dict[str, Any]:
        if node is None:
            return {}
        if not isinstance(node, dict):
            self.fail(parent, key, where, "must be a mapping")
        return node

    def sequence(self, node: Any, parent: Any, key: Any, where: str) -> list[Any]:
        if node is None:
            return []
        if not isinstance(node, list):
            self.fail(parent, key, where, "must be a list")
        return node

    def required(self, node: dict[str, Any], key: str, where: str) -> Any:
        value = node.get(key)
        if value in (None, ""):
            self.fail(node, None, f"{where}.{key}", "is required")
        return value

    def attributes(
        self,
        type_: str,
        node: dict[str, Any],
        where: str,
        structural: set[str],
        renamed: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The API attributes of ``node``: every key that is not structural, checked."""
        specs = self._attribute_specs.get(type_, {})
        renamed = renamed or {}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in structural:
                continue
            name = renamed.get(key, key)
            spec = specs.get(name)
            if spec is None:
                valid = ", ".join(sorted((set(specs) | structural | set(renamed)) - {"state"}))
                self.fail(node, key, f"{where}.{key}", f"unknown key for {type_}", valid)
            enum = spec.get("enum") if spec else None
            if enum and value is not None and value not in enum:
                self.fail(node, key, f"{where}.{key}", f"{value!r} is not valid", ", ".join(enum))
            out[name] = self.typed(node, key, f"{where}.{key}", spec or {}, _plain(value))
        return out

    def typed(self, node: Any, key: Any, where: str, spec: dict[str, Any], value: Any) -> Any:
        """``value`` as the attribute's API type (YAML reads ``2026`` as a number, say)."""
        kind = spec.get("type")
        if value is None or kind not in ("string", "integer", "boolean"):
            return value
        if (
            kind == "string"
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            return str(value)
        if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == "boolean" and isinstance(value, bool):
            return value
        expected = {"string": "a text", "integer": "a whole number", "boolean": "true or false"}
        self.fail(node, key, where, f"must be {expected[kind]}, not {value!r}")
        raise AssertionError("unreachable")

    def number(self, node: dict[str, Any], key: str, where: str) -> int:
        """A required whole number, such as a file size or a pixel width."""
        value = self.required(node, key, where)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(node, key, f"{where}.{key}", f"must be a whole number, not {value!r}")
        return int(value)

    def locale(self, node: Any, key: Any, where: str) -> str:
        """A localization key: one of the App Store's locales (case-sensitive)."""
        if key not in APP_STORE_LOCALES:
            self.fail(
                node, key, where, f"{key!r} is not an App Store locale", "e.g. en-US, de-DE, ja"
            )
        return str(key)

    def new_id(self, type_: str, where: str) -> str:
        return str(uuid.uuid5(_ID_NAMESPACE, f"{self.file}:{type_}:{where}"))

    def create(
        self,
        type_: str,
        where: str,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None] | None = None,
        id_: str | None = None,
    ) -> Resource:
        return self.store.create(
            type_, attributes, relationships, id_=id_ or self.new_id(type_, where)
        )

    # -- sections --------------------------------------------------------------------------

    def build(self, data: Any) -> None:
        top = self.mapping(data, None, None, "seed")
        for key in top:
            if key != "apps":
                self.fail(top, key, str(key), "unknown top-level key", "apps")
        for index, app in enumerate(self.sequence(top.get("apps"), top, "apps", "apps")):
            self.app(self.mapping(app, top.get("apps"), index, f"apps[{index}]"), f"apps[{index}]")

    def app(self, node: dict[str, Any], where: str) -> None:
        children = {
            "id",
            "appInfo",
            "builds",
            "versions",
            "inAppPurchases",
            "subscriptionGroups",
            "betaGroups",
            "betaAppLocalizations",
            "price",
            "availability",
            *seed_product_pages.KEYS,
            "betaAppReviewDetail",
            *seed_release.APP_KEYS,
        }
        bundle_id = str(self.required(node, "bundleId", where))
        self.required(node, "name", where)
        attrs = self.attributes("apps", node, where, children)
        attrs.setdefault("primaryLocale", "en-US")
        attrs.setdefault("sku", bundle_id.rsplit(".", 1)[-1].upper())
        attrs.setdefault("isOrEverWasMadeForKids", False)
        app_id = str(node.get("id") or app_id_for(bundle_id))
        for other in self.store.list("apps"):
            if (
                other.id == app_id
                or str(other.attributes.get("bundleId")).lower() == bundle_id.lower()
            ):
                self.fail(
                    node, "bundleId", f"{where}.bundleId", "another app has this id or bundle id"
                )
        app = self.create("apps", where, attrs, id_=app_id)
        add_price_points(self.store, app)
        review_node = node.get("betaAppReviewDetail")
        review = self.attributes(
            "betaAppReviewDetails",
            self.mapping(review_node, node, "betaAppReviewDetail", where),
            f"{where}.betaAppReviewDetail",
            set(),
        )
        builds.add_app_beta_resources(self.store, app, review)
        if node.get("price") is not None:
            self.price_schedule(app, node, f"{where}.price")
        self.availability(app, node, f"{where}.availability")
        seeded_builds = self.builds(app, node, where)
        versions = self.sequence(node.get("versions"), node, "versions", f"{where}.versions")
        for index, version in enumerate(versions):
            here = f"{where}.versions[{index}]"
            self.version(app, self.mapping(version, versions, index, here), here, seeded_builds)
        self.app_info(app, self.mapping(node.get("appInfo"), node, "appInfo", where), where)
        iaps = self.sequence(node.get("inAppPurchases"), node, "inAppPurchases", where)
        for index, iap in enumerate(iaps):
            here = f"{where}.inAppPurchases[{index}]"
            self.in_app_purchase(app, self.mapping(iap, iaps, index, here), here)
        groups = self.sequence(node.get("subscriptionGroups"), node, "subscriptionGroups", where)
        for index, group in enumerate(groups):
            here = f"{where}.subscriptionGroups[{index}]"
            self.subscription_group(app, self.mapping(group, groups, index, here), here)
        self.localizations(
            "betaAppLocalizations",
            node.get("betaAppLocalizations"),
            node,
            f"{where}.betaAppLocalizations",
            {"app": app.ref},
        )
        beta_groups = self.sequence(node.get("betaGroups"), node, "betaGroups", where)
        for index, group in enumerate(beta_groups):
            here = f"{where}.betaGroups[{index}]"
            self.beta_group(app, self.mapping(group, beta_groups, index, here), here)
        seed_product_pages.seed_app(self, app, node, where)
        seed_release.link_builds(self, app, node, where)
        seed_release.app_extras(self, app, node, where)

    def app_info(self, app: Resource, node: dict[str, Any], where: str) -> None:
        where = f"{where}.appInfo"
        slots = {
            "primaryCategory",
            "secondaryCategory",
            "primarySubcategoryOne",
            "primarySubcategoryTwo",
            "secondarySubcategoryOne",
            "secondarySubcategoryTwo",
        }
        attrs = self.attributes("appInfos", node, where, slots | {"localizations", "ageRating"})
        states = {
            str(v.attributes.get("appVersionState"))
            for v in self.store.related(app, "appStoreVersions")
        }
        reviewed = sorted(states & IN_REVIEW_STATES)
        if reviewed:  # the app info went to review with its version
            attrs.setdefault("state", reviewed[0])
        elif states & EDITABLE_VERSION_STATES:
            attrs.setdefault("state", "PREPARE_FOR_SUBMISSION")
        else:
            attrs.setdefault("state", "READY_FOR_DISTRIBUTION")
        attrs.setdefault("appStoreState", LEGACY_STATE.get(attrs["state"], attrs["state"]))
        rating_node = self.mapping(node.get("ageRating"), node, "ageRating", where)
        rating = {
            **AGE_RATING_DEFAULTS,
            **self.attributes("ageRatingDeclarations", rating_node, f"{where}.ageRating", set()),
        }
        declaration = self.create("ageRatingDeclarations", where, rating)
        relationships: dict[str, Ref | list[Ref] | None] = {
            "app": app.ref,
            "ageRatingDeclaration": declaration.ref,
        }
        for slot in slots & set(node):
            category = str(node[slot])
            if self.store.get("appCategories", category) is None:
                self.fail(node, slot, f"{where}.{slot}", f"unknown category {category!r}")
            relationships[slot] = ("appCategories", category)
        info = self.create("appInfos", where, attrs, relationships)
        self.localizations(
            "appInfoLocalizations",
            node.get("localizations"),
            node,
            f"{where}.localizations",
            {"appInfo": info.ref},
        )

    def builds(self, app: Resource, node: dict[str, Any], where: str) -> dict[str, Resource]:
        """Builds with their pre-release version and TestFlight details (``builds.py``).

        A build's ``preReleaseVersion`` (its short version string) is the seed key of that
        name, else the version string of the seeded version that uses it, else the app's
        last seeded version's, else ``1.0``.
        """
        found: dict[str, Resource] = {}
        items = self.sequence(node.get("builds"), node, "builds", f"{where}.builds")
        short_versions = _short_versions(node.get("versions"))
        for index, item in enumerate(items):
            here = f"{where}.builds[{index}]"
            item = self.mapping(item, items, index, here)
            number = str(self.required(item, "version", here))
            attrs = self.attributes(
                "builds", item, here, {"preReleaseVersion", *seed_release.BUILD_KEYS}
            )
            attrs["version"] = number
            attrs.setdefault("processingState", "VALID")
            # Undated builds were uploaded "now": a fixed date would expire (90 days) and
            # turn a seed into a time bomb.
            attrs.setdefault("uploadedDate", builds.format_date(datetime.now(UTC)))
            attrs.setdefault("expirationDate", builds.expiration_of(attrs["uploadedDate"]))
            if attrs.get("expired") is True and "expirationDate" not in item:
                attrs["expirationDate"] = attrs["uploadedDate"]  # expired on purpose
            attrs.setdefault("expired", False)
            attrs.setdefault("minOsVersion", "17.0")
            attrs.setdefault("usesNonExemptEncryption", False)
            attrs.setdefault("buildAudienceType", "APP_STORE_ELIGIBLE")
            build = found[number] = self.create("builds", here, attrs, {"app": app.ref})
            default = short_versions.get(number, short_versions.get(None, ("1.0", "IOS")))
            short = str(item.get("preReleaseVersion") or default[0])
            pre = builds.pre_release_version(self.store, app, short, default[1])
            self.store.set_relationship(build, "preReleaseVersion", pre.ref)
            self.create(
                "buildBetaDetails",
                f"{here}.buildBetaDetail",
                {"autoNotifyEnabled": False, **builds.beta_states(build)},
                {"build": build.ref},
            )
        return found

    def version(
        self, app: Resource, node: dict[str, Any], where: str, builds: dict[str, Resource]
    ) -> None:
        children = {"state", "build", "localizations", "reviewDetail", "phasedRelease"}
        self.required(node, "versionString", where)
        attrs = self.attributes("appStoreVersions", node, where, children)
        attrs["versionString"] = str(attrs["versionString"])
        state = str(node.get("state") or "PREPARE_FOR_SUBMISSION")
        valid_states = self._attribute_specs["appStoreVersions"]["appVersionState"]["enum"]
        if state not in valid_states:
            self.fail(
                node, "state", f"{where}.state", f"{state!r} is not valid", ", ".join(valid_states)
            )
        attrs.update(version_state_attributes(state))
        attrs.setdefault("platform", "IOS")
        attrs.setdefault("releaseType", "AFTER_APPROVAL")
        attrs.setdefault("reviewType", "APP_STORE")
        attrs.setdefault("downloadable", True)
        attrs.setdefault("createdDate", SEED_TIME)
        relationships: dict[str, Ref | list[Ref] | None] = {"app": app.ref}
        if node.get("build") is not None:
            build = builds.get(str(node["build"]))
            if build is None:
                self.fail(node, "build", f"{where}.build", "no such build", ", ".join(builds))
            relationships["build"] = build.ref
        version = self.create("appStoreVersions", where, attrs, relationships)
        locales = self.mapping(node.get("localizations"), node, "localizations", where)
        for locale, loc_node in locales.items():
            here = f"{where}.localizations.{locale}"
            self.locale(locales, locale, here)
            loc_node = self.mapping(loc_node, locales, locale, here)
            self.version_localization(version, str(locale), loc_node, here)
        review = node.get("reviewDetail")
        if review is not None:
            here = f"{where}.reviewDetail"
            attrs = self.attributes(
                "appStoreReviewDetails",
                self.mapping(review, node, "reviewDetail", here),
                here,
                set(),
            )
            self.create("appStoreReviewDetails", here, attrs, {"appStoreVersion": version.ref})
        phased = node.get("phasedRelease")
        if phased is not None:
            here = f"{where}.phasedRelease"
            node_ = self.mapping(phased, node, "phasedRelease", here)
            attrs = {
                "phasedReleaseState": "INACTIVE",
                "totalPauseDuration": 0,
                "currentDayNumber": 0,
                **self.attributes("appStoreVersionPhasedReleases", node_, here, set()),
            }
            self.create(
                "appStoreVersionPhasedReleases", here, attrs, {"appStoreVersion": version.ref}
            )

    def version_localization(
        self, version: Resource, locale: str, node: dict[str, Any], where: str
    ) -> None:
        attrs = self.attributes(
            "appStoreVersionLocalizations", node, where, {"screenshots", "previews"}
        )
        attrs["locale"] = locale
        localization = self.create(
            "appStoreVersionLocalizations", where, attrs, {"appStoreVersion": version.ref}
        )
        media = (
            ("screenshots", "appScreenshotSets", "screenshotDisplayType", "appScreenshots"),
            ("previews", "appPreviewSets", "previewType", "appPreviews"),
        )
        for key, set_type, kind_attr, item_type in media:
            sets = self.mapping(node.get(key), node, key, f"{where}.{key}")
            valid = self._attribute_specs[set_type][kind_attr]["enum"]
            for kind, items in sets.items():
                here = f"{where}.{key}.{kind}"
                if kind not in valid:
                    self.fail(sets, kind, here, "unknown display type", ", ".join(valid))
                media_set = self.create(
                    set_type,
                    here,
                    {kind_attr: kind},
                    {"appStoreVersionLocalization": localization.ref},
                )
                for index, item in enumerate(self.sequence(items, sets, kind, here)):
                    item_where = f"{here}[{index}]"
                    item = self.mapping(item, items, index, item_where)
                    self.media_item(item_type, media_set, item, item_where)

    def media_item(self, type_: str, media_set: Resource, node: dict[str, Any], where: str) -> None:
        """A COMPLETE screenshot or preview, from a file or from explicit numbers."""
        allowed = {"fileName", "file", "checksum", "fileSize", "width", "height"}
        for key in node:
            if key not in allowed:
                self.fail(node, key, f"{where}.{key}", "unknown key", ", ".join(sorted(allowed)))
        file_name = str(self.required(node, "fileName", where))
        token = f"Seed{self.new_id(type_, where)[:8]}-{file_name}"
        if node.get("file") is not None:
            data = self.read_file(node, where)
            checksum, size = hashlib.md5(data).hexdigest(), len(data)
            width = height = None
            if type_ == "appScreenshots":
                found = uploads.inspect_image(data)
                if found is None:
                    self.fail(node, "file", f"{where}.file", "is not a PNG or JPEG image")
                _format, width, height = found
            uploads.registry(self.store).blobs[token] = data
        else:
            checksum = str(self.required(node, "checksum", where))
            size = self.number(node, "fileSize", where)
            width = self.number(node, "width", where) if type_ == "appScreenshots" else None
            height = self.number(node, "height", where) if type_ == "appScreenshots" else None
        attrs: dict[str, Any] = {
            "fileName": file_name,
            "fileSize": size,
            "sourceFileChecksum": checksum,
            "assetToken": token,
            "uploadOperations": None,
        }
        parent = "appScreenshotSet" if type_ == "appScreenshots" else "appPreviewSet"
        if type_ == "appScreenshots":
            assert width is not None and height is not None  # read or required above
            attrs["assetDeliveryState"] = uploads.delivery_state("COMPLETE")
            attrs["assetType"] = "SortedScreenShot"
            attrs["imageAsset"] = {
                "templateUrl": uploads.template_url("", token),
                "width": int(width),
                "height": int(height),
            }
        else:
            attrs["videoDeliveryState"] = uploads.delivery_state("COMPLETE")
            attrs["assetDeliveryState"] = uploads.delivery_state("COMPLETE")
        self.create(type_, where, attrs, {parent: media_set.ref})

    def read_file(self, node: dict[str, Any], where: str) -> bytes:
        if self.root is None:
            self.fail(node, "file", f"{where}.file", "file: needs a seed loaded from a file")
        path = (self.root / str(node["file"])).resolve()
        try:
            return path.read_bytes()
        except OSError:
            self.fail(node, "file", f"{where}.file", f"cannot read {path}")
        raise AssertionError("unreachable")

    def localizations(
        self, type_: str, node: Any, parent: Any, where: str, relationships: dict[str, Any]
    ) -> list[Resource]:
        """``{locale: {attributes}}`` -> one localization resource per locale."""
        created = []
        for locale, attrs_node in self.mapping(node, parent, where, where).items():
            here = f"{where}.{locale}"
            self.locale(node, locale, here)
            attrs = self.attributes(
                type_, self.mapping(attrs_node, node, locale, here), here, set()
            )
            attrs["locale"] = str(locale)
            created.append(self.create(type_, here, attrs, dict(relationships)))
        return created

    def in_app_purchase(self, app: Resource, node: dict[str, Any], where: str) -> None:
        self.required(node, "productId", where)
        self.required(node, "name", where)
        attrs = self.attributes(
            "inAppPurchases",
            node,
            where,
            {"localizations", "type", "price", *seed_release.PRODUCT_KEYS},
            {"type": "inAppPurchaseType"},
        )
        attrs.setdefault("inAppPurchaseType", "NON_CONSUMABLE")
        attrs.setdefault("state", "READY_TO_SUBMIT")
        attrs.setdefault("familySharable", False)
        iap = self.create("inAppPurchases", where, attrs, {"app": app.ref})
        add_price_points(self.store, iap)
        if node.get("price") is not None:
            self.price_schedule(iap, node, f"{where}.price")
        seed_release.product_extras(self, iap, node, where)
        for loc in self.localizations(
            "inAppPurchaseLocalizations",
            node.get("localizations"),
            node,
            f"{where}.localizations",
            {"inAppPurchaseV2": iap.ref},
        ):
            loc.attributes.setdefault("state", "APPROVED")

    def subscription_group(self, app: Resource, node: dict[str, Any], where: str) -> None:
        self.required(node, "referenceName", where)
        attrs = self.attributes(
            "subscriptionGroups", node, where, {"localizations", "subscriptions"}
        )
        group = self.create("subscriptionGroups", where, attrs, {"app": app.ref})
        self.localizations(
            "subscriptionGroupLocalizations",
            node.get("localizations"),
            node,
            f"{where}.localizations",
            {"subscriptionGroup": group.ref},
        )
        items = self.sequence(node.get("subscriptions"), node, "subscriptions", where)
        for index, item in enumerate(items):
            here = f"{where}.subscriptions[{index}]"
            item = self.mapping(item, items, index, here)
            self.required(item, "productId", here)
            self.required(item, "name", here)
            structural = {
                "localizations",
                "prices",
                *seed_release.PRODUCT_KEYS,
                *seed_release.SUBSCRIPTION_KEYS,
            }
            attrs = self.attributes("subscriptions", item, here, structural)
            attrs.setdefault("state", "READY_TO_SUBMIT")
            attrs.setdefault("groupLevel", index + 1)
            attrs.setdefault("familySharable", False)
            sub = self.create("subscriptions", here, attrs, {"group": group.ref})
            add_price_points(self.store, sub)
            self.subscription_prices(sub, item, f"{here}.prices")
            seed_release.product_extras(self, sub, item, here)
            seed_release.subscription_offers(self, sub, item, here)
            self.localizations(
                "subscriptionLocalizations",
                item.get("localizations"),
                item,
                f"{here}.localizations",
                {"subscription": sub.ref},
            )

    def price_point(self, owner: Resource, node: Any, key: Any, where: str, territory: str) -> Ref:
        """The seeded price point of ``owner`` for ``node[key]`` (a price such as "4.99")."""
        ladder = price_ladder()
        if territory not in ladder:
            self.fail(node, key, where, f"no price points in {territory}", ", ".join(ladder))
        price = _price_text(node[key])
        if price not in ladder[territory]:
            self.fail(
                node, key, where, f"{price} is not a price point", ", ".join(ladder[territory])
            )
        index = ladder[territory].index(price)
        return (PRICE_POINT_TYPES[owner.type], price_point_id(owner.id, territory, index))

    def price_schedule(self, owner: Resource, node: dict[str, Any], where: str) -> None:
        """``price: {baseTerritory, customerPrice}`` -> a schedule with one manual price."""
        spec = self.mapping(node["price"], node, "price", where)
        for key in spec:
            if key not in ("baseTerritory", "customerPrice"):
                self.fail(
                    spec, key, f"{where}.{key}", "unknown key", "baseTerritory, customerPrice"
                )
        territory = str(spec.get("baseTerritory") or "USA")
        self.required(spec, "customerPrice", where)
        point = self.price_point(owner, spec, "customerPrice", f"{where}.customerPrice", territory)
        kind = SCHEDULES[owner.type]
        price = self.create(
            kind.price_type,
            f"{where}.manual",
            {"manual": True, "startDate": None, "endDate": None},
            {kind.point_relationship: point, "territory": ("territories", territory)},
        )
        self.create(
            kind.schedule_type,
            where,
            {},
            {
                kind.owner_relationship: owner.ref,
                "baseTerritory": ("territories", territory),
                "manualPrices": [price.ref],
            },
        )

    def availability(self, app: Resource, node: dict[str, Any], where: str) -> None:
        """``availability: {availableInNewTerritories, territories: all | [USA, ...]}``.

        Without it an app is available everywhere, as most live apps are.
        """
        spec = self.mapping(node.get("availability"), node, "availability", where)
        for key in spec:
            if key not in ("availableInNewTerritories", "territories"):
                self.fail(
                    spec,
                    key,
                    f"{where}.{key}",
                    "unknown key",
                    "availableInNewTerritories, territories",
                )
        everywhere = [t.id for t in self.store.list("territories")]
        chosen = spec.get("territories", "all")
        if chosen != "all":
            chosen = [str(t) for t in self.sequence(chosen, spec, "territories", where)]
            unknown = sorted(set(chosen) - set(everywhere))
            if unknown:
                self.fail(spec, "territories", f"{where}.territories", f"unknown {unknown[0]}")
        new_territories = spec.get("availableInNewTerritories", True)
        availability = self.create(
            "appAvailabilities",
            where,
            {
                "availableInNewTerritories": self.typed(
                    spec, "availableInNewTerritories", where, {"type": "boolean"}, new_territories
                )
            },
            {"app": app.ref},
        )
        refs: list[Ref] = []
        for territory in everywhere:
            available = chosen == "all" or territory in chosen
            item = self.create(
                "territoryAvailabilities",
                f"{where}.{territory}",
                {
                    "available": available,
                    "releaseDate": None,
                    "preOrderEnabled": False,
                    "preOrderPublishDate": None,
                    "contentStatuses": ["AVAILABLE" if available else "CANNOT_SELL"],
                },
                {"territory": ("territories", territory)},
            )
            refs.append(item.ref)
        self.store.set_relationship(availability, "territoryAvailabilities", refs)

    def subscription_prices(self, sub: Resource, node: dict[str, Any], where: str) -> None:
        """``prices: {USA: "4.99", DEU: "4.99"}`` -> one current price per territory."""
        prices = self.mapping(node.get("prices"), node, "prices", where)
        for territory in prices:
            here = f"{where}.{territory}"
            point = self.price_point(sub, prices, territory, here, str(territory))
            self.create(
                "subscriptionPrices",
                here,
                {"startDate": None, "preserved": False},
                {
                    "subscription": sub.ref,
                    "territory": ("territories", str(territory)),
                    "subscriptionPricePoint": point,
                },
            )

    def beta_group(self, app: Resource, node: dict[str, Any], where: str) -> None:
        self.required(node, "name", where)
        attrs = self.attributes("betaGroups", node, where, {"testers"})
        attrs.setdefault("isInternalGroup", False)
        attrs.setdefault("hasAccessToAllBuilds", bool(attrs["isInternalGroup"]))
        attrs.setdefault("publicLinkEnabled", False)
        attrs.setdefault("feedbackEnabled", True)
        attrs.setdefault("createdDate", SEED_TIME)
        group = self.create("betaGroups", where, attrs, {"app": app.ref})
        testers = self.sequence(node.get("testers"), node, "testers", f"{where}.testers")
        for index, item in enumerate(testers):
            here = f"{where}.testers[{index}]"
            item = self.mapping(item, testers, index, here)
            email = str(self.required(item, "email", here)).lower()
            tester = self._testers.get(email)
            if tester is None:
                attrs = self.attributes("betaTesters", item, here, set())
                attrs.setdefault("inviteType", "EMAIL")
                attrs.setdefault("state", "ACCEPTED")
                tester = self._testers[email] = self.create("betaTesters", here, attrs)
            self.store.add_to_many(tester, "betaGroups", [group.ref])
            self.store.add_to_many(tester, "apps", [app.ref])


# -- price points --------------------------------------------------------------------------


class _Schedule:
    """How a product kind's price schedule and manual prices are named in the API."""

    def __init__(self, schedule: str, price: str, point: str, owner: str) -> None:
        self.schedule_type, self.price_type = schedule, price
        self.point_relationship, self.owner_relationship = point, owner


SCHEDULES = {
    "apps": _Schedule("appPriceSchedules", "appPrices", "appPricePoint", "app"),
    "inAppPurchases": _Schedule(
        "inAppPurchasePriceSchedules",
        "inAppPurchasePrices",
        "inAppPurchasePricePoint",
        "inAppPurchase",
    ),
}


def _price_text(value: Any) -> str:
    """A price as the ladder spells it ("4.99", "0.00", "150"); YAML may give a float."""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value).strip()


# -- helpers -----------------------------------------------------------------------------


def _attribute_specs() -> dict[str, dict[str, dict[str, Any]]]:
    """Attribute schemas per resource type, from the sandbox's API surface."""
    from ascsync.sandbox.surface import load_surface

    return {name: dict(spec.attributes) for name, spec in load_surface().types.items()}


def _short_versions(versions: Any) -> dict[str | None, tuple[str, str]]:
    """Build number -> (version string, platform) of the seeded versions that use it.

    ``None`` maps to the last seeded version: the default for builds no version names.
    """
    out: dict[str | None, tuple[str, str]] = {}
    for version in versions if isinstance(versions, list) else []:
        if not isinstance(version, dict) or version.get("versionString") is None:
            continue
        short = (str(version["versionString"]), str(version.get("platform") or "IOS"))
        out[None] = short
        if version.get("build") is not None:
            out[str(version["build"])] = short
    return out


def _line_of(node: Any, key: Any) -> int | None:
    """1-based line of ``node[key]`` (or of ``node``) in a ruamel-loaded document."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is not None and isinstance(node, dict) and key in node:
            return lc.key(key)[0] + 1
        if key is not None and isinstance(node, list) and isinstance(key, int):
            return lc.item(key)[0] + 1
    except (KeyError, IndexError, TypeError):
        pass
    return lc.line + 1 if lc.line is not None else None


def _plain(value: Any) -> Any:
    """ruamel's commented containers and scalars -> plain JSON-ready Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)
