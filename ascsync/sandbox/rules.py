"""Apple's state rules: what App Store Connect refuses, and what it fills in by itself.

The engine has already checked every request against Apple's OpenAPI description
(types, enums, unknown attributes) before these hooks run, so they only deal with
*state*: which version is editable, which names are taken, how many screenshots a set
holds, which values Apple computes. Each rule cites where the behaviour is documented:

- [A]   Apple's own documentation (App Store Connect Help, API docs, iTunes Connect Guide)
- [S]   Apple's OpenAPI description (what the API declares)
- [I]   a public issue or pull request that shows the live API's answer
- [F]/[R] fastlane / the ASC CLI, as summarised in the project's apple-rules reference
- [U]   not verified against Apple: a plausible reconstruction, kept consistent

Error wording: Apple's titles are reused verbatim where a source shows them;
detail sentences marked [U] are the sandbox's own.

``default_hooks()`` is what a ``Sandbox`` uses when it is not given hooks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ascsync.sandbox import api_errors, rules_monetization, rules_one_time_codes, rules_release
from ascsync.sandbox.api_errors import already_used, attribute_not_acceptable, state_error
from ascsync.sandbox.builds import BuildRules
from ascsync.sandbox.content import ContentRules
from ascsync.sandbox.hooks import Hooks, RequestContext, SandboxError, raise_all
from ascsync.sandbox.price_points import add_price_points, price_point_owner
from ascsync.sandbox.rules_product_pages import product_page_hooks
from ascsync.sandbox.store import Ref, Resource, Store
from ascsync.sandbox.uploads import UploadHooks

Rels = dict[str, Ref | list[Ref] | None]
"""A request body's relationships, as the engine hands them to hooks."""

# -- facts -----------------------------------------------------------------------------

# The 50 App Store locales (apple-rules.md §2: fastlane languages.rb, ASC CLI, Apple
# Developer News 2026-03-31 for the 11 new ones). Codes are case-sensitive.
APP_STORE_LOCALES = frozenset(
    {
        "ar-SA", "bn-BD", "ca", "cs", "da", "de-DE", "el", "en-AU", "en-CA", "en-GB", "en-US",
        "es-ES", "es-MX", "fi", "fr-CA", "fr-FR", "gu-IN", "he", "hi", "hr", "hu", "id", "it", "ja",
        "kn-IN", "ko", "ml-IN", "mr-IN", "ms", "nl-NL", "no", "or-IN", "pa-IN", "pl", "pt-BR",
        "pt-PT", "ro", "ru", "sk", "sl-SI", "sv", "ta-IN", "te-IN", "th", "tr", "uk", "ur-PK", "vi",
        "zh-Hans", "zh-Hant",
    }
)  # fmt: skip

# Version text and media are editable only in these states [A] JP Help "Upload app
# previews and screenshots"; apple-rules.md §1d. Promotional text is always editable [A].
EDITABLE_VERSION_STATES = frozenset(
    {
        "PREPARE_FOR_SUBMISSION",
        "REJECTED",
        "METADATA_REJECTED",
        "DEVELOPER_REJECTED",
        "INVALID_BINARY",
        "READY_FOR_REVIEW",
    }
)
ALWAYS_EDITABLE_VERSION_TEXT = frozenset({"promotionalText"})

# States in which a version has been on the store; an app with none is on its first
# version, where Apple refuses whatsNew [R]/[F] apple-rules.md §1a.
RELEASED_VERSION_STATES = frozenset({"READY_FOR_DISTRIBUTION", "REPLACED_WITH_NEW_VERSION"})

# App info (name, subtitle, categories, age rating) is editable until submission [A]
# "App information" Help page.
EDITABLE_APP_INFO_STATES = frozenset({"PREPARE_FOR_SUBMISSION", "REJECTED", "DEVELOPER_REJECTED"})
# The live app info, which a submission does not touch (AppInfoState values).
SETTLED_APP_INFO_STATES = frozenset({"READY_FOR_DISTRIBUTION", "REPLACED_WITH_NEW_INFO"})
# A version in these states locks its text and the app info [A] "App information";
# fastlane#16626 shows the STATE_ERROR a PATCH gets.
IN_REVIEW_STATES = frozenset({"WAITING_FOR_REVIEW", "IN_REVIEW"})

MAX_SCREENSHOTS_PER_SET = 10  # [A] "one to 10 screenshots" (Screenshot specifications)
MAX_PREVIEWS_PER_SET = 3  # [A] Platform version information; fastlane enforces 3

# type -> (relationship to its parent) for every localized resource kind.
LOCALIZATION_PARENTS: dict[str, tuple[str, ...]] = {
    "appStoreVersionLocalizations": ("appStoreVersion",),
    "appInfoLocalizations": ("appInfo",),
    "betaAppLocalizations": ("app",),
    "betaBuildLocalizations": ("build",),
    "inAppPurchaseLocalizations": ("inAppPurchaseV2", "version"),
    "subscriptionLocalizations": ("subscription", "version"),
    "subscriptionGroupLocalizations": ("subscriptionGroup", "version"),
}

VERSION_TEXT_FIELDS = ("description", "keywords", "marketingUrl", "promotionalText", "supportUrl")

# Children removed with their parent (what ASC's UI shows disappearing with it).
CASCADE: dict[str, tuple[str, ...]] = {
    "appStoreVersions": (
        "appStoreVersionLocalizations",
        "appStoreReviewDetail",
        "appStoreVersionPhasedRelease",
    ),
    "appStoreVersionLocalizations": ("appScreenshotSets", "appPreviewSets"),
    "appScreenshotSets": ("appScreenshots",),
    "appPreviewSets": ("appPreviews",),
    "inAppPurchases": ("inAppPurchaseLocalizations",),
    "subscriptionGroups": ("subscriptionGroupLocalizations", "subscriptions"),
    "subscriptions": ("subscriptionLocalizations",),
    "reviewSubmissions": ("items",),
}


def default_hooks() -> list[Hooks]:
    """Every Apple rule the sandbox enforces, in the order the engine should call them.

    Cascading deletes come last so that a rule refusing a DELETE runs before anything
    is removed.
    """
    return [
        ComputedAttributes(),
        ContentRules(),
        BuildRules(),
        VersionRules(),
        LocalizationRules(),
        MediaSetRules(),
        AppInfoRules(),
        UniqueNameRules(),
        ReviewSubmissionRules(),
        PriceRules(),
        AvailabilityRules(),
        *product_page_hooks(APP_STORE_LOCALES),
        *rules_release.default_hooks(),
        *rules_monetization.default_hooks(),
        *rules_one_time_codes.default_hooks(),
        UploadHooks(),
        CascadeDeletes(),
    ]


# -- Apple's errors --------------------------------------------------------------------
# All wording lives in api_errors; these keep the rules' call sites short.


def attribute_invalid(name: str, detail: str) -> SandboxError:
    """409 for a bad value, e.g. "The 'locale' value is invalid." (fastlane#20340)."""
    return api_errors.attribute_invalid(f"/data/attributes/{name}", detail)


def relationship_invalid(name: str, detail: str) -> SandboxError:
    """409 ENTITY_ERROR.RELATIONSHIP.INVALID (fastlane#18794, parley#399)."""
    return api_errors.relationship_invalid(
        f"/data/relationships/{name}" if name else "/data", detail
    )


# -- lookups -----------------------------------------------------------------------------


def now_iso(ctx: RequestContext) -> str:
    """The sandbox clock as Apple's date-time format."""
    seconds = ctx.now() if ctx.now is not None else datetime.now(UTC).timestamp()
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def one(store: Store, relationships: dict[str, Any], name: str) -> Resource | None:
    """The resource a to-one relationship of a request body points at."""
    ref = relationships.get(name)
    if isinstance(ref, tuple):
        return store.get(*ref)
    return None


def parent(store: Store, resource: Resource, name: str) -> Resource | None:
    found = store.related(resource, name)
    return found[0] if found else None


def version_state(version: Resource | None) -> str:
    return str((version.attributes if version else {}).get("appVersionState") or "")


def is_editable(version: Resource | None) -> bool:
    return version_state(version) in EDITABLE_VERSION_STATES


def versions_of(store: Store, app: Resource | None, platform: str | None) -> list[Resource]:
    """An app's versions on one platform, oldest first."""
    if app is None:
        return []
    versions = [
        v
        for v in store.list("appStoreVersions")
        if v.relationships.get("app") == app.ref
        and (platform is None or v.attributes.get("platform") == platform)
    ]
    return sorted(versions, key=lambda v: str(v.attributes.get("createdDate") or ""))


def is_first_version(store: Store, version: Resource | None) -> bool:
    """True when no other version of the app on this platform was ever released."""
    if version is None:
        return False
    app = parent(store, version, "app")
    others = versions_of(store, app, version.attributes.get("platform"))
    return not any(
        v.id != version.id and version_state(v) in RELEASED_VERSION_STATES for v in others
    )


def version_of_media(store: Store, media_set: Resource | None) -> Resource | None:
    """screenshot/preview set -> version localization -> version."""
    if media_set is None:
        return None
    localization = parent(store, media_set, "appStoreVersionLocalization")
    return parent(store, localization, "appStoreVersion") if localization else None


def siblings(store: Store, type_: str, relationship: str, ref: Ref) -> list[Resource]:
    """Resources of ``type_`` whose ``relationship`` points at ``ref``."""
    return [r for r in store.list(type_) if r.relationships.get(relationship) == ref]


def app_of(store: Store, resource: Resource | None) -> Resource | None:
    """The app a product, group or tester belongs to, following the usual parents."""
    hops = {
        "apps": None,
        "inAppPurchases": "app",
        "subscriptionGroups": "app",
        "subscriptions": "group",
        "betaGroups": "app",
        "appInfos": "app",
        "appStoreVersions": "app",
    }
    while resource is not None and resource.type != "apps":
        hop = hops.get(resource.type)
        if hop is None:
            return None
        resource = parent(store, resource, hop)
    return resource


def product_ids(store: Store, app: Resource) -> set[str]:
    """Every IAP and subscription product id used in an app (product ids share one space)."""
    ids = {
        str(i.attributes.get("productId"))
        for i in store.list("inAppPurchases")
        if i.relationships.get("app") == app.ref
    }
    for sub in store.list("subscriptions"):
        if app_of(store, sub) is app:
            ids.add(str(sub.attributes.get("productId")))
    return ids


# -- computed attributes -----------------------------------------------------------------


class ComputedAttributes(Hooks):
    """Read-only values Apple sets on create (states, dates, defaults) [S] + [U] defaults."""

    DEFAULTS: dict[str, dict[str, Any]] = {
        "appStoreVersions": {
            "appVersionState": "PREPARE_FOR_SUBMISSION",
            "appStoreState": "PREPARE_FOR_SUBMISSION",
            "releaseType": "AFTER_APPROVAL",
            "reviewType": "APP_STORE",
            "downloadable": True,
        },
        "inAppPurchases": {"state": "MISSING_METADATA", "familySharable": False},
        "subscriptions": {"state": "MISSING_METADATA", "familySharable": False},
        "inAppPurchaseLocalizations": {"state": "PREPARE_FOR_SUBMISSION"},
        "subscriptionLocalizations": {"state": "PREPARE_FOR_SUBMISSION"},
        "subscriptionGroupLocalizations": {"state": "PREPARE_FOR_SUBMISSION"},
        "betaGroups": {
            "isInternalGroup": False,
            "publicLinkEnabled": False,
            "publicLinkLimitEnabled": False,
            "feedbackEnabled": True,
        },
        "betaTesters": {"inviteType": "EMAIL", "state": "INVITED"},
        "appStoreVersionPhasedReleases": {
            "phasedReleaseState": "INACTIVE",
            "totalPauseDuration": 0,
            "currentDayNumber": 0,
        },
        "reviewSubmissions": {"state": "READY_FOR_REVIEW"},
        "reviewSubmissionItems": {"state": "READY_FOR_REVIEW"},
    }
    DATED = {"appStoreVersions": "createdDate", "betaGroups": "createdDate"}

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        for name, value in self.DEFAULTS.get(type_, {}).items():
            if attributes.get(name) is None:
                attributes[name] = value
        if type_ in self.DATED:
            attributes[self.DATED[type_]] = now_iso(ctx)
        if type_ == "appStoreVersions":  # states are Apple's to set, never the client's
            attributes["appVersionState"] = attributes["appStoreState"] = "PREPARE_FOR_SUBMISSION"
        if type_ == "betaGroups":
            attributes.setdefault("hasAccessToAllBuilds", bool(attributes["isInternalGroup"]))
        if type_ == "subscriptions" and attributes.get("groupLevel") is None:
            group = one(ctx.store, relationships, "group")
            count = len(ctx.store.related(group, "subscriptions")) if group else 0
            attributes["groupLevel"] = count + 1

    def after_create(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type == "betaTesters":
            # A tester invited through a group becomes a tester of the group's app.
            apps = [g.relationships.get("app") for g in ctx.store.related(resource, "betaGroups")]
            ctx.store.add_to_many(resource, "apps", [a for a in apps if isinstance(a, tuple)])


# -- versions ----------------------------------------------------------------------------


class VersionRules(Hooks):
    """appStoreVersions: one editable version per platform, locked attributes, copying."""

    # [A] iTunes Connect Guide, "Replacing Your App with a New Version": a new version only
    # for a platform whose versions are Ready for Sale / Developer Removed from Sale, not
    # while one is Prepare for Submission, Waiting for Review, ... The answer's wording is
    # from fastlane#17534 and parley#399 [I].
    SETTLED = RELEASED_VERSION_STATES | {"REMOVED_FROM_SALE", "DEVELOPER_REMOVED_FROM_SALE"}

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ != "appStoreVersions":
            return
        app = one(ctx.store, relationships, "app")
        platform = attributes.get("platform")
        existing = versions_of(ctx.store, app, platform)
        if any(version_state(v) not in self.SETTLED for v in existing):
            raise relationship_invalid(
                "app", "You cannot create a new version of the App in the current state."
            )
        if any(
            v.attributes.get("versionString") == attributes.get("versionString") for v in existing
        ):
            # [U] wording; Apple refuses reusing a version number on a platform.
            raise attribute_invalid("versionString", "The version number has been previously used.")
        check_build(ctx.store, relationships.get("app"), relationships.get("build"))

    def after_create(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type != "appStoreVersions":
            return
        store = ctx.store
        app = parent(store, resource, "app")
        earlier = [
            v
            for v in versions_of(store, app, resource.attributes.get("platform"))
            if v.id != resource.id
        ]
        if earlier:
            copy_version_content(store, earlier[-1], resource)
        elif app is not None:
            # A first version starts with the primary language [U: ASC web UI behaviour].
            locale = app.attributes.get("primaryLocale") or "en-US"
            store.create(
                "appStoreVersionLocalizations",
                {"locale": locale},
                {"appStoreVersion": resource.ref},
            )
        for info in store.related(app, "appInfos") if app else []:
            if info.attributes.get("state") not in EDITABLE_APP_INFO_STATES:
                # Simplification: Apple opens a second, editable appInfo [U].
                info.attributes["state"] = "PREPARE_FOR_SUBMISSION"
                info.attributes["appStoreState"] = "PREPARE_FOR_SUBMISSION"

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        if resource.type != "appStoreVersions":
            return
        if not is_editable(resource):
            # [I] fastlane#26626: "The attribute 'versionString' can not be modified."
            for name in [*attributes, *relationships]:
                if name != "downloadable":
                    raise attribute_not_acceptable(
                        name, f"The attribute '{name}' can not be modified."
                    )
        check_build(ctx.store, resource.relationships.get("app"), relationships.get("build"))

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        if (
            resource.type == "appStoreVersions"
            and version_state(resource) != "PREPARE_FOR_SUBMISSION"
        ):
            raise state_error(  # [U] wording
                f"A version in state {version_state(resource)} cannot be deleted."
            )

    def before_linkage_update(
        self, ctx: RequestContext, resource: Resource, relationship: str, method: str, refs: Any
    ) -> None:
        if resource.type != "appStoreVersions":
            return
        if not is_editable(resource):
            raise state_error(f"Relationship '{relationship}' cannot be edited at this time")
        if relationship == "build":
            check_build(ctx.store, resource.relationships.get("app"), refs)


def check_build(store: Store, app_ref: Any, build_ref: Any) -> None:
    """A version's build must be one of the app's builds that finished processing [U]."""
    if not isinstance(build_ref, tuple):
        return
    build = store.get(*build_ref)
    if build is None:
        return
    if build.relationships.get("app") != app_ref:
        raise relationship_invalid("build", "The build belongs to another app.")
    if build.attributes.get("processingState") != "VALID":
        state = build.attributes.get("processingState")
        raise relationship_invalid("build", f"The build is {state} and cannot be used.")


def copy_version_content(store: Store, source: Resource, target: Resource) -> None:
    """What ASC does for a new version: the previous version's localized text and media.

    [U] Observed in the ASC web UI (metadata and screenshots carry over; release notes
    start empty); the API is believed to behave the same.
    """
    for old in store.related(source, "appStoreVersionLocalizations"):
        text = {k: old.attributes.get(k) for k in VERSION_TEXT_FIELDS}
        new = store.create(
            "appStoreVersionLocalizations",
            {"locale": old.attributes.get("locale"), **text},
            {"appStoreVersion": target.ref},
        )
        for set_rel, set_type, kind, item_rel, item_type, back in (
            ("appScreenshotSets", "appScreenshotSets", "screenshotDisplayType", "appScreenshots",
             "appScreenshots", "appScreenshotSet"),
            ("appPreviewSets", "appPreviewSets", "previewType", "appPreviews", "appPreviews",
             "appPreviewSet"),
        ):  # fmt: skip
            for old_set in store.related(old, set_rel):
                new_set = store.create(
                    set_type,
                    {kind: old_set.attributes.get(kind)},
                    {"appStoreVersionLocalization": new.ref},
                )
                for item in store.related(old_set, item_rel):
                    if (item.attributes.get("assetDeliveryState") or {}).get("state") == "COMPLETE":
                        store.create(item_type, _deep_copy(item.attributes), {back: new_set.ref})


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


# -- localizations -----------------------------------------------------------------------


class LocalizationRules(Hooks):
    """Locales Apple accepts, one localization per locale, and version text locking."""

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ not in LOCALIZATION_PARENTS:
            return
        locale = attributes.get("locale")
        if locale not in APP_STORE_LOCALES:
            # [I] fastlane#20340: "The 'locale' value is invalid." (e.g. "de" for "de-DE").
            raise attribute_invalid("locale", f"The '{locale}' locale value is invalid.")
        for name in LOCALIZATION_PARENTS[type_]:
            ref = relationships.get(name)
            if isinstance(ref, tuple) and any(
                s.attributes.get("locale") == locale for s in siblings(ctx.store, type_, name, ref)
            ):
                raise SandboxError(  # [U] wording
                    409,
                    "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
                    "The provided entity includes an attribute with a value that has already "
                    "been used",
                    f"A localization for locale '{locale}' already exists.",
                    pointer="/data/attributes/locale",
                )
        if type_ == "appStoreVersionLocalizations":
            version = one(ctx.store, relationships, "appStoreVersion")
            if not is_editable(version):
                # [I] itspaint#20: refused once the version was submitted.
                raise state_error(
                    "Cannot create localization after the app version has been submitted for "
                    f"review (version state {version_state(version)}).",
                    "/data/relationships/appStoreVersion",
                )
            self._check_whats_new(ctx.store, version, attributes)

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        if resource.type != "appStoreVersionLocalizations":
            return
        version = parent(ctx.store, resource, "appStoreVersion")
        if not is_editable(version):
            # [I] fastlane#16626, verbatim detail; every locked attribute at once.
            raise_all(
                [
                    state_error(
                        f"Attribute '{name}' cannot be edited at this time",
                        f"/data/attributes/{name}",
                    )
                    for name in attributes
                    if name not in ALWAYS_EDITABLE_VERSION_TEXT
                ]
            )
        self._check_whats_new(ctx.store, version, attributes)

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type == "appStoreVersionLocalizations":
            version = parent(ctx.store, resource, "appStoreVersion")
            if not is_editable(version):
                raise state_error("Localizations cannot be deleted at this time")
            if version is not None:
                self._refuse_primary(ctx.store, parent(ctx.store, version, "app"), resource)
        elif resource.type == "appInfoLocalizations":
            info = parent(ctx.store, resource, "appInfo")
            self._refuse_primary(
                ctx.store, parent(ctx.store, info, "app") if info else None, resource
            )

    @staticmethod
    def _refuse_primary(store: Store, app: Resource | None, resource: Resource) -> None:
        """The primary language cannot be removed [A] (App information: primary language)."""
        if app is not None and resource.attributes.get("locale") == app.attributes.get(
            "primaryLocale"
        ):
            raise state_error(
                f"The primary language ({app.attributes.get('primaryLocale')}) cannot be "
                "deleted."  # [U] wording
            )

    @staticmethod
    def _check_whats_new(
        store: Store, version: Resource | None, attributes: dict[str, Any]
    ) -> None:
        """whatsNew is refused on an app's first version ([R]/[F] apple-rules.md §1a)."""
        if attributes.get("whatsNew") and is_first_version(store, version):
            raise attribute_not_acceptable(
                "whatsNew",
                "The attribute 'whatsNew' can not be edited on the app's first version.",
            )


# -- screenshot and preview sets ---------------------------------------------------------


class MediaSetRules(Hooks):
    """Sets and their items: editable versions only, one set per device, 10/3 items."""

    SETS = {"appScreenshotSets": "screenshotDisplayType", "appPreviewSets": "previewType"}
    ITEMS = {
        "appScreenshots": ("appScreenshotSet", MAX_SCREENSHOTS_PER_SET, "screenshots"),
        "appPreviews": ("appPreviewSet", MAX_PREVIEWS_PER_SET, "app previews"),
    }

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        store = ctx.store
        if type_ in self.SETS:
            localization = one(store, relationships, "appStoreVersionLocalization")
            if localization is None:
                return  # custom product pages and experiments are not modelled
            self._require_editable(parent(store, localization, "appStoreVersion"))
            kind = self.SETS[type_]
            if any(
                s.attributes.get(kind) == attributes.get(kind)
                for s in store.related(localization, type_)
            ):
                raise already_used(kind, f"{kind} {attributes.get(kind)}")  # [U]
        elif type_ in self.ITEMS:
            rel, limit, noun = self.ITEMS[type_]
            media_set = one(store, relationships, rel)
            self._require_editable(version_of_media(store, media_set))
            members = store.related(media_set, type_) if media_set else []
            if len(members) >= limit:
                # [A] limits; detail wording [U].
                raise relationship_invalid(
                    rel, f"A set can contain at most {limit} {noun}; this one is full."
                )

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        if resource.type in self.ITEMS:
            rel = self.ITEMS[resource.type][0]
            self._require_editable(version_of_media(ctx.store, parent(ctx.store, resource, rel)))

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        store = ctx.store
        if resource.type in self.SETS:
            self._require_editable(version_of_media(store, resource))
        elif resource.type in self.ITEMS:
            rel = self.ITEMS[resource.type][0]
            self._require_editable(version_of_media(store, parent(store, resource, rel)))

    def before_linkage_update(
        self, ctx: RequestContext, resource: Resource, relationship: str, method: str, refs: Any
    ) -> None:
        if resource.type in self.SETS:
            self._require_editable(version_of_media(ctx.store, resource))

    @staticmethod
    def _require_editable(version: Resource | None) -> None:
        """[A] screenshots/previews change only in editable version states."""
        if version is not None and not is_editable(version):
            raise state_error(
                "Screenshots and previews cannot be edited at this time (version state "
                f"{version_state(version)})."
            )


# -- app info ----------------------------------------------------------------------------


class AppInfoRules(Hooks):
    """Name, subtitle, categories and age rating: editable until submission [A]."""

    SUBCATEGORY_SLOTS = {
        "primarySubcategoryOne": "primaryCategory",
        "primarySubcategoryTwo": "primaryCategory",
        "secondarySubcategoryOne": "secondaryCategory",
        "secondarySubcategoryTwo": "secondaryCategory",
    }

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ == "appInfoLocalizations":
            self._require_editable(one(ctx.store, relationships, "appInfo"), "locale")

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        store = ctx.store
        if resource.type == "appInfoLocalizations":
            raise_all(self._locked(parent(store, resource, "appInfo"), attributes, "attributes"))
        elif resource.type == "ageRatingDeclarations":
            owners = [
                i
                for i in store.list("appInfos")
                if i.relationships.get("ageRatingDeclaration") == resource.ref
            ]
            raise_all(self._locked(owners[0] if owners else None, attributes, "attributes"))
        elif resource.type == "appInfos":
            raise_all(self._locked(resource, relationships, "relationships"))
            self._check_categories(store, resource, relationships)

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type == "appInfoLocalizations":
            self._require_editable(parent(ctx.store, resource, "appInfo"), "locale")

    @staticmethod
    def _require_editable(info: Resource | None, name: str) -> None:
        if info is not None and info.attributes.get("state") not in EDITABLE_APP_INFO_STATES:
            raise state_error(f"Attribute '{name}' cannot be edited at this time")

    @staticmethod
    def _locked(info: Resource | None, names: Any, member: str) -> list[SandboxError]:
        """One STATE_ERROR per name a locked app info refuses (all of a request at once)."""
        if info is None or info.attributes.get("state") in EDITABLE_APP_INFO_STATES:
            return []
        return [
            state_error(
                f"Attribute '{name}' cannot be edited at this time", f"/data/{member}/{name}"
            )
            for name in names
        ]

    def _check_categories(
        self, store: Store, info: Resource, relationships: dict[str, Any]
    ) -> None:
        """Subcategories exist only under GAMES and STICKERS, below their own slot [S]/[F]."""
        merged = {**info.relationships, **relationships}
        for slot in ("primaryCategory", "secondaryCategory"):
            category = store.get(*merged[slot]) if isinstance(merged.get(slot), tuple) else None
            if category is not None and category.relationships.get("parent"):
                raise relationship_invalid(
                    slot, f"'{category.id}' is a subcategory, not a category."
                )
        for slot, owner_slot in self.SUBCATEGORY_SLOTS.items():
            ref = merged.get(slot)
            if not isinstance(ref, tuple):
                continue
            sub = store.get(*ref)
            if sub is None or sub.relationships.get("parent") != merged.get(owner_slot):
                raise relationship_invalid(
                    slot, f"'{ref[1]}' is not a subcategory of the {owner_slot}."
                )


# -- unique names and one-per-parent resources -------------------------------------------


class UniqueNameRules(Hooks):
    """Names and ids Apple keeps unique, and resources a parent has at most one of."""

    ONE_PER_VERSION = {
        "appStoreReviewDetails": "appStoreReviewDetail",
        "appStoreVersionPhasedReleases": "appStoreVersionPhasedRelease",
    }

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        store = ctx.store
        if type_ in ("inAppPurchases", "subscriptions"):
            owner = one(store, relationships, "app" if type_ == "inAppPurchases" else "group")
            app = app_of(store, owner)
            # [A] "In-App Purchase information": product ids are unique and never reused.
            if app is not None and attributes.get("productId") in product_ids(store, app):
                raise already_used("productId", "product ID")
        elif type_ == "subscriptionGroups":
            self._unique_in_app(store, relationships, type_, "referenceName", attributes, None)
        elif type_ == "betaGroups":
            self._unique_in_app(store, relationships, type_, "name", attributes, None)
        elif type_ == "betaTesters":
            email = str(attributes.get("email", "")).lower()
            if any(str(t.attributes.get("email", "")).lower() == email for t in store.list(type_)):
                raise already_used("email", "tester email")  # [U]
        elif type_ in self.ONE_PER_VERSION:
            version = one(store, relationships, "appStoreVersion")
            if version is not None and store.related(version, self.ONE_PER_VERSION[type_]):
                raise relationship_invalid(
                    "appStoreVersion",
                    f"This version already has an {type_[:-1]}.",  # [U]
                )
            if type_ == "appStoreReviewDetails" and not is_editable(version):
                raise state_error("The review details cannot be edited at this time")

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        if resource.type == "betaGroups":
            if "name" in attributes:
                rels = {"app": resource.relationships.get("app")}
                self._unique_in_app(ctx.store, rels, "betaGroups", "name", attributes, resource)
            if attributes.get("publicLinkEnabled") and resource.attributes.get("isInternalGroup"):
                # [A] TestFlight Help: public links invite *external* testers.
                raise attribute_not_acceptable(
                    "publicLinkEnabled", "Public links are only available for external groups."
                )
            if attributes.get("publicLinkEnabled") and not resource.attributes.get("publicLink"):
                attributes["publicLink"] = f"https://testflight.apple.com/join/{resource.id[:8]}"
                attributes["publicLinkId"] = resource.id[:8]
        elif resource.type == "subscriptionGroups" and "referenceName" in attributes:
            rels = {"app": resource.relationships.get("app")}
            self._unique_in_app(
                ctx.store, rels, "subscriptionGroups", "referenceName", attributes, resource
            )
        elif resource.type == "appStoreReviewDetails" and not is_editable(
            parent(ctx.store, resource, "appStoreVersion")
        ):
            raise state_error("The review details cannot be edited at this time")

    @staticmethod
    def _unique_in_app(
        store: Store,
        relationships: dict[str, Any],
        type_: str,
        name: str,
        attributes: dict[str, Any],
        myself: Resource | None,
    ) -> None:
        """Beta group names [I] and subscription group reference names are unique per app."""
        app_ref = relationships.get("app")
        wanted = str(attributes.get(name, "")).strip().lower()
        for other in siblings(store, type_, "app", app_ref) if isinstance(app_ref, tuple) else []:
            same = str(other.attributes.get(name, "")).strip().lower() == wanted
            if same and other is not myself:
                label = "group name" if type_ == "betaGroups" else "reference name"
                raise already_used(name, label)


# -- review submissions ------------------------------------------------------------------


class ReviewSubmissionRules(Hooks):
    """reviewSubmissions: one open per app and platform; submitting moves versions on.

    openapi-facts §0: create, add items, PATCH ``submitted: true`` (or ``canceled``).
    """

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        store = ctx.store
        if type_ == "reviewSubmissions":
            app_ref = relationships.get("app")
            platform = attributes.get("platform") or "IOS"
            attributes["platform"] = platform
            app = app_ref if isinstance(app_ref, tuple) else None
            for other in siblings(store, type_, "app", app) if app else []:
                if other.attributes.get("state") == "READY_FOR_REVIEW" and (
                    other.attributes.get("platform") == platform
                ):
                    raise state_error(  # [U]
                        "There is already an open review submission for this app and platform."
                    )
        elif type_ == "reviewSubmissionItems":
            submission = one(store, relationships, "reviewSubmission")
            if submission is not None and submission.attributes.get("state") != "READY_FOR_REVIEW":
                raise state_error("Items can only be added to an unsubmitted review submission.")
            version = one(store, relationships, "appStoreVersion")
            if version is not None and not is_editable(version):
                raise relationship_invalid(
                    "appStoreVersion",
                    f"The version is in state {version_state(version)} and cannot be submitted.",
                )

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        if resource.type != "reviewSubmissions":
            return
        submitted = attributes.pop("submitted", None)
        canceled = attributes.pop("canceled", None)
        items = ctx.store.related(resource, "items")
        versions = [v for i in items for v in ctx.store.related(i, "appStoreVersion")]
        if submitted:
            if resource.attributes.get("state") != "READY_FOR_REVIEW":
                raise state_error("This review submission was already submitted.")
            if not items:
                raise state_error("A review submission needs at least one item.")  # [U]
            attributes["state"] = "WAITING_FOR_REVIEW"
            attributes["submittedDate"] = now_iso(ctx)
            self._move(ctx.store, versions, "WAITING_FOR_REVIEW")
        elif canceled:
            attributes["state"] = "COMPLETE"
            self._move(ctx.store, versions, "DEVELOPER_REJECTED")

    @staticmethod
    def _move(store: Store, versions: list[Resource], state: str) -> None:
        """Versions move on, and the app info being prepared with them: while a version
        waits for or is in review its name, subtitle and categories are locked too [A]
        ("App information": editable until the app is submitted)."""
        for version in versions:
            version.attributes["appVersionState"] = state
            version.attributes["appStoreState"] = state
            app = parent(store, version, "app")
            for info in store.related(app, "appInfos") if app else []:
                if info.attributes.get("state") not in SETTLED_APP_INFO_STATES:
                    info.attributes["state"] = state
                    info.attributes["appStoreState"] = state


# -- prices ----------------------------------------------------------------------------


class PriceRules(Hooks):
    """Price points for new products; schedules that replace the previous one.

    Apple: a price schedule names a base territory and manual prices, each pointing at a
    price point of *that* product; other territories are equalized automatically, and a
    new schedule replaces the old one (openapi-facts "App price schedules"; API 2.3
    release notes). Inline prices carry no territory: it is the point's.
    """

    OWNERS = {"appPriceSchedules": "app", "inAppPurchasePriceSchedules": "inAppPurchase"}
    SCHEDULE_OF = {"app": "appPriceSchedule", "inAppPurchase": "iapPriceSchedule"}
    POINT_OF = {
        "appPrices": "appPricePoint",
        "inAppPurchasePrices": "inAppPurchasePricePoint",
        "subscriptionPrices": "subscriptionPricePoint",
    }

    def after_create(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type in ("inAppPurchases", "subscriptions"):
            add_price_points(ctx.store, resource)

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ in self.POINT_OF:
            self._price(ctx.store, type_, attributes, relationships)
        elif type_ in self.OWNERS:
            self._schedule(ctx.store, type_, relationships)

    def _price(
        self, store: Store, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        point_ref = relationships.get(self.POINT_OF[type_])
        if not isinstance(point_ref, tuple):
            return
        point = store.get(*point_ref)
        territory = point.relationships.get("territory") if point else None
        given = relationships.get("territory")
        if given is not None and given != territory:
            raise relationship_invalid(
                "territory", f"The price point is for {territory[1] if territory else '?'}."
            )
        relationships["territory"] = territory
        if type_ != "subscriptionPrices":
            attributes["manual"] = True
            return
        subscription = relationships.get("subscription")
        owner = price_point_owner(point_ref[1])
        if isinstance(subscription, tuple) and (owner is None or owner[0] != subscription[1]):
            raise relationship_invalid(
                "subscriptionPricePoint", "The price point belongs to another subscription."
            )
        if isinstance(subscription, tuple) and not attributes.get("startDate"):
            # [U] a new immediate price replaces the current one in that territory.
            for old in siblings(store, type_, "subscription", subscription):
                if old.relationships.get("territory") == territory:
                    store.delete(old.type, old.id)
        attributes.setdefault("preserved", bool(attributes.pop("preserveCurrentPrice", False)))

    def _schedule(self, store: Store, type_: str, relationships: Rels) -> None:
        owner_rel = self.OWNERS[type_]
        owner = one(store, relationships, owner_rel)
        base = relationships.get("baseTerritory")
        prices = [store.get(*r) for r in relationships.get("manualPrices") or []]
        territories = set()
        for price in prices:
            if price is None:
                continue
            point_ref = price.relationships.get(self.POINT_OF[price.type])
            found = price_point_owner(point_ref[1]) if isinstance(point_ref, tuple) else None
            if owner is not None and (found is None or found[0] != owner.id):
                raise relationship_invalid(
                    "manualPrices", "A manual price uses a price point of another product."
                )
            territories.add(price.relationships.get("territory"))
        if base not in territories:
            raise relationship_invalid(
                "manualPrices",
                "The base territory needs a manual price.",  # [U] wording
            )
        for old in store.related(owner, self.SCHEDULE_OF[owner_rel]) if owner else []:
            for price in store.related(old, "manualPrices") + store.related(old, "automaticPrices"):
                store.delete(price.type, price.id)
            store.delete(old.type, old.id)


# -- availability ----------------------------------------------------------------------


class AvailabilityRules(Hooks):
    """An app's availability (v2) is created once, listing every storefront.

    Apple answers a second ``POST /v2/appAvailabilities`` for the same app with a
    conflict (changes go through ``PATCH /v1/territoryAvailabilities/{id}``), and refuses
    a first one that leaves storefronts out (App-Store-Connect-CLI PRs #1772, #2473).
    """

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ != "appAvailabilities":
            return
        store = ctx.store
        app = one(store, relationships, "app")
        if app is not None and store.related(app, "appAvailabilityV2"):
            raise relationship_invalid(
                "app",
                "The app already has an availability; update its territory availabilities.",
            )  # [U] wording
        items = [store.get(*r) for r in relationships.get("territoryAvailabilities") or []]
        listed = {i.relationships.get("territory") for i in items if i is not None}
        missing = sorted(t.id for t in store.list("territories") if t.ref not in listed)
        if missing:
            raise relationship_invalid(
                "territoryAvailabilities",
                f"Every territory needs a territory availability; missing: {missing[0]}.",
            )  # [U] wording


# -- deletes -----------------------------------------------------------------------------


class CascadeDeletes(Hooks):
    """Deleting a parent removes what hangs off it (a localization's screenshot sets...)."""

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        remove_children(ctx.store, resource)


def remove_children(store: Store, resource: Resource) -> None:
    for relationship in CASCADE.get(resource.type, ()):
        for child in store.related(resource, relationship):
            remove_children(store, child)
            store.delete(child.type, child.id)
