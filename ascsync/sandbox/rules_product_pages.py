"""Apple's rules for the rest of the product page, as the sandbox enforces them.

Custom product pages (``appCustomProductPages``, their versions and localizations), in-app
events (``appEvents``, localizations, ``appEventScreenshots``, ``appEventVideoClips``) and
product page optimization (``appStoreVersionExperiments`` V2, treatments, treatment
localizations). Kept apart from ``rules.py`` (which registers them) and, like it, written
from Apple's documentation, never from the client's code. Tags as in ``rules.py``: [A]
Apple's docs, [S] the OpenAPI description, [R] the ASC CLI, [U] a plausible
reconstruction, kept consistent.

What they enforce:

- a custom product page's version locks its deep link, locales and media outside
  PREPARE_FOR_SUBMISSION, READY_FOR_REVIEW and REJECTED; promotional text changes at any
  time [A]; a page is made visible only once a version was approved [U]; page names are
  unique in an app [U];
- an event is editable in DRAFT, READY_FOR_REVIEW and REJECTED [U]; its schedules must be
  in order, 15 minutes to 31 days long, promoted at most 14 days ahead [R] and start in
  the future [U]; one image or video per asset type and locale [U]; event media are
  uploaded like screenshots (reserve, PUT parts, commit with ``uploaded``), without a
  checksum, and checked for their asset type's size [A];
- a test needs a version live on the App Store [A]; it is editable before review [U];
  it starts (``started: true``) once approved, or when it needs no review [U], one
  running test per app [A]; ``started: false`` stops it for good [U]; at most three
  treatments [A];
- children go with their parent (a page's versions, a localization's sets...).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from ascsync.sandbox import api_errors, uploads
from ascsync.sandbox.hooks import Hooks, RequestContext, SandboxError, raise_all
from ascsync.sandbox.store import Ref, Resource, Store

Rels = dict[str, Ref | list[Ref] | None]

PAGES = "appCustomProductPages"
PAGE_VERSIONS = "appCustomProductPageVersions"
PAGE_LOCALIZATIONS = "appCustomProductPageLocalizations"
EVENTS = "appEvents"
EVENT_LOCALIZATIONS = "appEventLocalizations"
EVENT_SCREENSHOTS = "appEventScreenshots"
EVENT_VIDEOS = "appEventVideoClips"
EVENT_MEDIA = (EVENT_SCREENSHOTS, EVENT_VIDEOS)
TESTS = "appStoreVersionExperiments"
TREATMENTS = "appStoreVersionExperimentTreatments"
TREATMENT_LOCALIZATIONS = "appStoreVersionExperimentTreatmentLocalizations"

PAGE_EDITABLE = frozenset({"PREPARE_FOR_SUBMISSION", "READY_FOR_REVIEW", "REJECTED"})
PAGE_APPROVED = frozenset({"ACCEPTED", "APPROVED", "REPLACED_WITH_NEW_VERSION"})
EVENT_EDITABLE = frozenset({"DRAFT", "READY_FOR_REVIEW", "REJECTED"})
TEST_EDITABLE = frozenset({"PREPARE_FOR_SUBMISSION", "READY_FOR_REVIEW", "REJECTED"})
TEST_STARTABLE = frozenset({"ACCEPTED", "APPROVED"})
TEST_ENDED = frozenset({"COMPLETED", "STOPPED"})
MAX_TREATMENTS = 3  # [A] "up to three treatments"
LIVE_VERSION_STATES = frozenset({"READY_FOR_DISTRIBUTION"})

EVENT_MIN = timedelta(minutes=15)  # [R]
EVENT_MAX = timedelta(days=31)  # [R]
EVENT_PROMOTION = timedelta(days=14)  # [R]
# [A] KR Help "In-app event media and audio specifications".
EVENT_SIZES: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    "EVENT_CARD": ((16, 9), (1920, 1080), (3840, 2160)),
    "EVENT_DETAILS_PAGE": ((9, 16), (1080, 1920), (2160, 3840)),
}

# The sets a custom page's or a treatment's localization holds, and the owner above it.
SET_OWNERS = {
    "appCustomProductPageLocalization": (PAGE_LOCALIZATIONS, "appCustomProductPageVersion"),
    "appStoreVersionExperimentTreatmentLocalization": (
        TREATMENT_LOCALIZATIONS,
        "appStoreVersionExperimentTreatment",
    ),
}
SET_TYPES = {"appScreenshotSets": "screenshotDisplayType", "appPreviewSets": "previewType"}
SET_ITEMS = {"appScreenshots": "appScreenshotSet", "appPreviews": "appPreviewSet"}

CASCADE: dict[str, tuple[str, ...]] = {
    PAGES: ("appCustomProductPageVersions",),
    PAGE_VERSIONS: ("appCustomProductPageLocalizations",),
    PAGE_LOCALIZATIONS: ("appScreenshotSets", "appPreviewSets"),
    EVENTS: ("localizations",),
    EVENT_LOCALIZATIONS: (EVENT_SCREENSHOTS, EVENT_VIDEOS),
    TESTS: ("appStoreVersionExperimentTreatments",),
    TREATMENTS: ("appStoreVersionExperimentTreatmentLocalizations",),
    TREATMENT_LOCALIZATIONS: ("appScreenshotSets", "appPreviewSets"),
    "appScreenshotSets": ("appScreenshots",),
    "appPreviewSets": ("appPreviews",),
}


def product_page_hooks(locales: frozenset[str]) -> list[Hooks]:
    """The hooks ``rules.default_hooks`` adds, given the App Store's locales."""
    return [
        CustomProductPageRules(locales),
        AppEventRules(locales),
        ExperimentRules(locales),
        EventMediaUploads(),
        ReviewedItems(),
        ProductPageCascade(),
    ]


# -- helpers -------------------------------------------------------------------------------


def _now(ctx: RequestContext) -> float:
    return ctx.now() if ctx.now is not None else time.time()


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def _one(store: Store, relationships: Rels, name: str) -> Resource | None:
    ref = relationships.get(name)
    return store.get(*ref) if isinstance(ref, tuple) else None


def _parent(store: Store, resource: Resource | None, name: str) -> Resource | None:
    found = store.related(resource, name) if resource is not None else []
    return found[0] if found else None


def _state(resource: Resource | None, attribute: str = "state") -> str:
    return str((resource.attributes if resource else {}).get(attribute) or "")


def _locked(what: str, state: str) -> SandboxError:
    # [U] wording; the title and code are Apple's STATE_ERROR (fastlane#16626).
    return api_errors.state_error(f"The {what} cannot be edited in state {state}.")


def _unique_locale(
    store: Store, locales: frozenset[str], type_: str, rel: str, relationships: Rels, locale: Any
) -> None:
    """[A] one localization per locale and owner; the locale must be an App Store one."""
    if locale not in locales:
        raise api_errors.attribute_invalid(
            "/data/attributes/locale", f"The '{locale}' locale value is invalid."
        )
    owner = relationships.get(rel)
    if isinstance(owner, tuple) and any(
        r.relationships.get(rel) == owner and r.attributes.get("locale") == locale
        for r in store.list(type_)
    ):
        raise SandboxError(  # [U] wording, as rules.py's localizations
            409,
            "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
            "The provided entity includes an attribute with a value that has already been used",
            f"A localization for locale '{locale}' already exists.",
            pointer="/data/attributes/locale",
        )


def _parse_date(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


# -- custom product pages ----------------------------------------------------------------


def page_version_of(store: Store, resource: Resource | None) -> Resource | None:
    """localization -> version; version -> itself."""
    if resource is None:
        return None
    if resource.type == PAGE_VERSIONS:
        return resource
    return _parent(store, resource, "appCustomProductPageVersion")


def set_owner_state(store: Store, media_set: Resource | None) -> tuple[str, str] | None:
    """(what, state) of the custom page version or test a set hangs off; None otherwise."""
    for rel in SET_OWNERS:
        localization = _parent(store, media_set, rel)
        if localization is not None:
            return localization_owner_state(store, rel, localization)
    return None


def localization_owner_state(
    store: Store, rel: str, localization: Resource
) -> tuple[str, str] | None:
    """(what, state) of the page version or test above a page or treatment localization."""
    owner = _parent(store, localization, SET_OWNERS[rel][1])
    if rel == "appStoreVersionExperimentTreatmentLocalization":
        test = _parent(store, owner, "appStoreVersionExperimentV2")
        return "product page test", _state(test)
    return "custom product page version", _state(owner)


def _editable(what: str, state: str) -> bool:
    if what == "product page test":
        return state in TEST_EDITABLE
    return state in PAGE_EDITABLE


class CustomProductPageRules(Hooks):
    """Pages, versions, localizations, and the sets of pages and treatments."""

    def __init__(self, locales: frozenset[str]) -> None:
        self.locales = locales

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        store = ctx.store
        if type_ == PAGES:
            for template in ("appStoreVersionTemplate", "customProductPageTemplate"):
                if relationships.get(template):
                    raise api_errors.not_modelled(
                        f"Creating a custom product page from a {template}"
                    )
            self._unique_name(store, relationships.get("app"), attributes.get("name"), None)
            attributes.setdefault("visible", False)  # [U] a new page is hidden
        elif type_ == PAGE_VERSIONS:
            page = _one(store, relationships, "appCustomProductPage")
            versions = store.related(page, PAGE_VERSIONS) if page is not None else []
            open_ = [v for v in versions if _state(v) not in PAGE_APPROVED]
            if page is not None and open_:
                raise api_errors.relationship_invalid(  # [U] one open version at a time
                    "/data/relationships/appCustomProductPage",
                    f"The page already has a version in state {_state(open_[0])}.",
                )
            number = len(store.related(page, PAGE_VERSIONS)) + 1 if page else 1
            attributes.update({"version": str(number), "state": "PREPARE_FOR_SUBMISSION"})
        elif type_ == PAGE_LOCALIZATIONS:
            _unique_locale(
                store,
                self.locales,
                type_,
                "appCustomProductPageVersion",
                relationships,
                attributes.get("locale"),
            )
            version = _one(store, relationships, "appCustomProductPageVersion")
            if version is not None and _state(version) not in PAGE_EDITABLE:
                raise _locked("custom product page version", _state(version))
        elif type_ in SET_TYPES:
            self._check_set(store, type_, attributes, relationships)
        elif type_ in SET_ITEMS:
            media_set = _one(store, relationships, SET_ITEMS[type_])
            self._require_editable(store, media_set)

    def after_create(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type != PAGES:
            return
        app = _parent(ctx.store, resource, "app")
        resource.attributes["url"] = (
            f"https://apps.apple.com/app/id{app.id if app else ''}?ppid={resource.id}"
        )
        if not ctx.store.related(resource, PAGE_VERSIONS):  # [U] the first version comes along
            ctx.store.create(
                PAGE_VERSIONS,
                {"version": "1", "state": "PREPARE_FOR_SUBMISSION", "deepLink": None},
                {"appCustomProductPage": resource.ref},
            )

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        store = ctx.store
        if resource.type == PAGES:
            if "name" in attributes:
                app_ref = resource.relationships.get("app")
                self._unique_name(store, app_ref, attributes["name"], resource)
            versions = store.related(resource, PAGE_VERSIONS)
            if attributes.get("visible") and not any(_state(v) in PAGE_APPROVED for v in versions):
                raise api_errors.attribute_not_acceptable(  # [U]
                    "visible", "A custom product page can be made visible once it is approved."
                )
        elif resource.type == PAGE_VERSIONS and _state(resource) not in PAGE_EDITABLE:
            raise _locked("custom product page version", _state(resource))
        elif resource.type == PAGE_LOCALIZATIONS:
            version = page_version_of(store, resource)
            frozen = [n for n in attributes if n != "promotionalText"]  # [A] always editable
            if frozen and _state(version) not in PAGE_EDITABLE:
                raise _locked("custom product page version", _state(version))
        elif resource.type in SET_ITEMS:
            self._require_editable(store, _parent(store, resource, SET_ITEMS[resource.type]))

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        store = ctx.store
        if resource.type == PAGE_LOCALIZATIONS:
            version = page_version_of(store, resource)
            if _state(version) not in PAGE_EDITABLE:
                raise _locked("custom product page version", _state(version))
        elif resource.type == PAGES:
            reviewed = [
                v for v in store.related(resource, PAGE_VERSIONS) if _state(v) == "IN_REVIEW"
            ]
            if reviewed:
                raise _locked("custom product page", "IN_REVIEW")  # [U]
        elif resource.type in SET_TYPES:
            self._require_editable(store, resource)
        elif resource.type in SET_ITEMS:
            self._require_editable(store, _parent(store, resource, SET_ITEMS[resource.type]))

    def before_linkage_update(
        self, ctx: RequestContext, resource: Resource, relationship: str, method: str, refs: Any
    ) -> None:
        if resource.type in SET_TYPES:
            self._require_editable(ctx.store, resource)

    def _check_set(
        self, store: Store, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        """One set per display type and owner; the owner must be editable."""
        kind = SET_TYPES[type_]
        for rel in SET_OWNERS:
            localization = _one(store, relationships, rel)
            if localization is None:
                continue
            found = localization_owner_state(store, rel, localization)
            if found is not None and not _editable(*found):
                raise _locked(*found)
            if any(
                s.attributes.get(kind) == attributes.get(kind)
                and s.relationships.get(rel) == localization.ref
                for s in store.list(type_)
            ):
                raise api_errors.already_used(kind, f"{kind} {attributes.get(kind)}")  # [U]

    @staticmethod
    def _require_editable(store: Store, media_set: Resource | None) -> None:
        found = set_owner_state(store, media_set)
        if found is not None and not _editable(*found):
            raise _locked(*found)

    @staticmethod
    def _unique_name(store: Store, app_ref: Any, name: Any, myself: Resource | None) -> None:
        """[U] page names are unique within an app (ASC's web form refuses a duplicate)."""
        wanted = str(name or "").strip().lower()
        for page in store.list(PAGES):
            same = str(page.attributes.get("name") or "").strip().lower() == wanted
            if page.relationships.get("app") == app_ref and same and page is not myself:
                raise api_errors.already_used("name", "custom product page name")


# -- in-app events -----------------------------------------------------------------------


def schedule_errors(schedules: Any, now: datetime) -> list[SandboxError]:
    """Every problem of a ``territorySchedules`` value, at once."""
    errors: list[SandboxError] = []

    def bad(index: int, key: str, detail: str) -> None:
        errors.append(
            api_errors.attribute_invalid(
                f"/data/attributes/territorySchedules/{index}/{key}", detail
            )
        )

    seen: set[str] = set()
    for index, schedule in enumerate(schedules or []):
        dates = {
            k: _parse_date(schedule.get(k)) for k in ("publishStart", "eventStart", "eventEnd")
        }
        for key, value in dates.items():
            if value is None:
                bad(index, key, f"{key} must be a date-time with a time zone.")
        publish, start, end = dates["publishStart"], dates["eventStart"], dates["eventEnd"]
        if start and end and not EVENT_MIN <= end - start <= EVENT_MAX:
            bad(index, "eventEnd", "An event lasts from 15 minutes to 31 days.")  # [R]
        if publish and start and not timedelta(0) <= start - publish <= EVENT_PROMOTION:
            bad(index, "publishStart", "Publish start must be 0 to 14 days before the start.")
        if start and start <= now:
            bad(index, "eventStart", "The event start must be in the future.")  # [U]
        territories = schedule.get("territories") or []
        if not territories:
            bad(index, "territories", "A schedule needs at least one territory.")
        for territory in territories:
            if territory in seen:
                bad(index, "territories", f"{territory} has two schedules.")  # [U]
            seen.add(territory)
    return errors


class AppEventRules(Hooks):
    """Events, their localizations and the state that freezes them."""

    def __init__(self, locales: frozenset[str]) -> None:
        self.locales = locales

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        store = ctx.store
        if type_ == EVENTS:
            app = _one(store, relationships, "app")
            attributes["eventState"] = "DRAFT"
            attributes.setdefault("archivedTerritorySchedules", [])
            if attributes.get("primaryLocale") is None and app is not None:
                attributes["primaryLocale"] = app.attributes.get("primaryLocale")  # [U]
            now = datetime.fromtimestamp(_now(ctx), UTC)
            raise_all(schedule_errors(attributes.get("territorySchedules"), now))
        elif type_ == EVENT_LOCALIZATIONS:
            _unique_locale(
                store, self.locales, type_, "appEvent", relationships, attributes.get("locale")
            )
            self._require_editable(_one(store, relationships, "appEvent"))
        elif type_ in EVENT_MEDIA:
            localization = _one(store, relationships, "appEventLocalization")
            self._require_editable(_parent(store, localization, "appEvent"))
            asset_type = attributes.get("appEventAssetType")
            present = (
                [m for k in EVENT_MEDIA for m in store.related(localization, k)]
                if (localization is not None)
                else []
            )
            taken = [m for m in present if m.attributes.get("appEventAssetType") == asset_type]
            if taken:
                raise api_errors.relationship_invalid(  # [U] one per asset type and locale
                    "/data/relationships/appEventLocalization",
                    f"This localization already has {asset_type} media; delete it first.",
                )

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        store = ctx.store
        if resource.type == EVENTS:
            self._require_editable(resource)
            if "territorySchedules" in attributes:
                now = datetime.fromtimestamp(_now(ctx), UTC)
                raise_all(schedule_errors(attributes["territorySchedules"], now))
        elif resource.type == EVENT_LOCALIZATIONS:
            self._require_editable(_parent(store, resource, "appEvent"))

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        store = ctx.store
        if resource.type == EVENTS:
            self._require_editable(resource)
        elif resource.type == EVENT_LOCALIZATIONS:
            self._require_editable(_parent(store, resource, "appEvent"))
        elif resource.type in EVENT_MEDIA:
            localization = _parent(store, resource, "appEventLocalization")
            self._require_editable(_parent(store, localization, "appEvent"))

    @staticmethod
    def _require_editable(event: Resource | None) -> None:
        if event is not None and _state(event, "eventState") not in EVENT_EDITABLE:
            raise _locked("in-app event", _state(event, "eventState"))


class EventMediaUploads(Hooks):
    """Reserve, receive (the shared ``/_uploads`` route), commit, check and settle event
    media; like screenshots, minus the checksum the spec does not have for them."""

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ not in EVENT_MEDIA:
            return
        size = int(attributes.get("fileSize") or 0)
        if not 0 < size <= uploads.MAX_FILE_SIZE:
            raise api_errors.attribute_invalid(
                "/data/attributes/fileSize",
                f"fileSize must be between 1 and {uploads.MAX_FILE_SIZE} bytes.",
            )
        part_size = max(1, int(ctx.settings.get("upload_part_size", uploads.DEFAULT_PART_SIZE)))
        parts = [(offset, min(part_size, size - offset)) for offset in range(0, size, part_size)]
        name = str(attributes.get("fileName", ""))
        token = uploads.new_asset_token(name)
        uploads.registry(ctx.store).uploads[token] = uploads.Upload(type_, name, size, parts)
        attributes["assetToken"] = token
        attributes["uploadOperations"] = [
            {
                "method": "PUT",
                "url": f"{ctx.base_url}{uploads.UPLOAD_PATH}/{token}/{index}",
                "length": length,
                "offset": offset,
                "requestHeaders": [{"name": "Content-Type", "value": "application/octet-stream"}],
            }
            for index, (offset, length) in enumerate(parts)
        ]
        for state in self._states(type_):
            attributes[state] = uploads.delivery_state("AWAITING_UPLOAD")
        if type_ == EVENT_SCREENSHOTS:
            attributes["imageAsset"] = None
        else:
            attributes.update({"videoUrl": None, "previewImage": None, "previewFrameImage": None})

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        if resource.type not in EVENT_MEDIA or not attributes.pop("uploaded", None):
            return
        upload = uploads.registry(ctx.store).uploads.get(str(resource.attributes.get("assetToken")))
        if upload is None or upload.committed_at is not None:
            raise api_errors.state_error(
                "This asset was already committed; reserve a new one to upload again.",
                "/data/attributes/uploaded",
            )
        upload.committed_at = _now(ctx)
        upload.errors = _verify(upload, str(resource.attributes.get("appEventAssetType")))
        for state in self._states(resource.type):
            attributes[state] = uploads.delivery_state("UPLOAD_COMPLETE")
        attributes["uploadOperations"] = None

    def on_read(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type not in EVENT_MEDIA:
            return
        token = str(resource.attributes.get("assetToken") or "")
        upload = uploads.registry(ctx.store).uploads.get(token)
        if upload is None or upload.committed_at is None:
            return
        settle = float(ctx.settings.get("settle_seconds", uploads.DEFAULT_SETTLE_SECONDS))
        if _now(ctx) - upload.committed_at < settle:
            return
        uploads.registry(ctx.store).uploads.pop(token, None)
        final = "FAILED" if upload.errors else "COMPLETE"
        for state in self._states(resource.type):
            resource.attributes[state] = uploads.delivery_state(final, upload.errors)
        if final == "COMPLETE" and resource.type == EVENT_SCREENSHOTS:
            resource.attributes["imageAsset"] = {
                "templateUrl": uploads.template_url(ctx.base_url, token),
                "width": upload.width,
                "height": upload.height,
            }
        elif final == "COMPLETE":
            resource.attributes["videoUrl"] = f"{ctx.base_url}{uploads.ASSET_PATH}/{token}/video"
        if final == "COMPLETE":
            data = b"".join(upload.received[i] for i in range(len(upload.parts)))
            uploads.registry(ctx.store).blobs[token] = data

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type in EVENT_MEDIA:
            token = str(resource.attributes.get("assetToken") or "")
            uploads.registry(ctx.store).uploads.pop(token, None)
            uploads.registry(ctx.store).blobs.pop(token, None)

    @staticmethod
    def _states(type_: str) -> list[str]:
        return (
            ["assetDeliveryState", "videoDeliveryState"]
            if type_ == EVENT_VIDEOS
            else ["assetDeliveryState"]
        )


def _verify(upload: uploads.Upload, asset_type: str) -> list[dict[str, str]]:
    """Apple's checks of a committed event asset: all parts, a real image or video, its size."""
    missing = [i for i in range(len(upload.parts)) if i not in upload.received]
    if missing:
        return [{"code": "UPLOAD_INCOMPLETE", "description": "Some upload parts never arrived."}]
    data = b"".join(upload.received[i] for i in range(len(upload.parts)))
    if upload.kind == EVENT_VIDEOS:
        if uploads.looks_like_video(upload.file_name, data):
            return []
        return [
            {"code": "INVALID_VIDEO", "description": "The file is not a .mov, .m4v or .mp4 video."}
        ]
    found = uploads.inspect_image(data)
    if found is None:
        return [
            {"code": "INVALID_IMAGE", "description": "The file is not a .jpeg, .jpg or .png image."}
        ]
    _format, width, height = found
    upload.width, upload.height = width, height
    (rw, rh), smallest, largest = EVENT_SIZES.get(asset_type, ((0, 0), (0, 0), (0, 0)))
    ratio_ok = rw and width * rh == height * rw
    size_ok = smallest[0] <= width <= largest[0] and smallest[1] <= height <= largest[1]
    if ratio_ok and size_ok:
        return []
    return [
        {
            "code": "IMAGE_INCORRECT_DIMENSIONS",  # the code ASC reports for screenshot sizes
            "description": f"{asset_type} images must be {rw}:{rh}, from {smallest[0]}x"
            f"{smallest[1]} to {largest[0]}x{largest[1]} pixels; this one is {width}x{height}.",
        }
    ]


# -- product page optimization -------------------------------------------------------------


class ExperimentRules(Hooks):
    """Tests (V2), treatments and their localizations; starting and stopping."""

    def __init__(self, locales: frozenset[str]) -> None:
        self.locales = locales

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        store = ctx.store
        if type_ == TESTS:
            app = _one(store, relationships, "app")
            if not self._live_versions(store, app, attributes.get("platform")):
                raise api_errors.relationship_invalid(  # [A] a test varies the live page
                    "/data/relationships/app",
                    "A product page test needs a version of the app on the App Store.",
                )
            share = attributes.get("trafficProportion")
            if not isinstance(share, int) or not 1 <= share <= 100:
                raise api_errors.attribute_invalid(  # [U]
                    "/data/attributes/trafficProportion", "trafficProportion is 1 to 100."
                )
            attributes.update(
                {"state": "PREPARE_FOR_SUBMISSION", "reviewRequired": True, "startDate": None}
            )
            attributes["endDate"] = None
        elif type_ == TREATMENTS:
            test = _one(store, relationships, "appStoreVersionExperimentV2")
            if relationships.get("appStoreVersionExperiment"):
                raise api_errors.not_modelled("Treatments of V1 tests (appStoreVersionExperiment)")
            self._require_editable(test)
            if test is not None and len(store.related(test, TREATMENTS)) >= MAX_TREATMENTS:
                raise api_errors.relationship_invalid(
                    "/data/relationships/appStoreVersionExperimentV2",
                    f"A test has at most {MAX_TREATMENTS} treatments.",
                )
        elif type_ == TREATMENT_LOCALIZATIONS:
            _unique_locale(
                store,
                self.locales,
                type_,
                "appStoreVersionExperimentTreatment",
                relationships,
                attributes.get("locale"),
            )
            treatment = _one(store, relationships, "appStoreVersionExperimentTreatment")
            self._require_editable(_parent(store, treatment, "appStoreVersionExperimentV2"))

    def after_create(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type != TESTS:
            return
        app = _parent(ctx.store, resource, "app")
        live = self._live_versions(ctx.store, app, resource.attributes.get("platform"))
        if live:
            ctx.store.set_relationship(resource, "latestControlVersion", live[-1].ref)
            ctx.store.set_relationship(resource, "controlVersions", [live[-1].ref])

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        store = ctx.store
        if resource.type == TESTS:
            started = attributes.pop("started", None)
            if attributes:
                self._require_editable(resource)
            if started is True:
                self._start(ctx, resource, attributes)
            elif started is False:
                if not resource.attributes.get("startDate") or _state(resource) in TEST_ENDED:
                    raise api_errors.state_error("The test is not running.")  # [U]
                attributes.update({"state": "STOPPED", "endDate": _iso(_now(ctx))})  # [U]
        elif resource.type == TREATMENTS:
            self._require_editable(_parent(store, resource, "appStoreVersionExperimentV2"))

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        store = ctx.store
        if resource.type == TESTS and resource.attributes.get("startDate"):
            if _state(resource) not in TEST_ENDED:
                raise api_errors.state_error("A running test cannot be deleted; stop it first.")
        elif resource.type == TREATMENTS:
            self._require_editable(_parent(store, resource, "appStoreVersionExperimentV2"))
        elif resource.type == TREATMENT_LOCALIZATIONS:
            treatment = _parent(store, resource, "appStoreVersionExperimentTreatment")
            self._require_editable(_parent(store, treatment, "appStoreVersionExperimentV2"))

    def _start(self, ctx: RequestContext, test: Resource, attributes: dict[str, Any]) -> None:
        state = _state(test)
        no_review = test.attributes.get("reviewRequired") is False
        if state in TEST_ENDED or test.attributes.get("startDate"):
            raise api_errors.state_error(f"The test cannot start again (state {state}).")  # [U]
        if not (state in TEST_STARTABLE or (no_review and state in TEST_EDITABLE - {"REJECTED"})):
            raise api_errors.state_error(
                f"The test must be approved before it starts (state {state})."  # [U]
            )
        app_ref = test.relationships.get("app")
        running = [
            t
            for t in ctx.store.list(TESTS)
            if t.relationships.get("app") == app_ref
            and t.attributes.get("startDate")
            and _state(t) not in TEST_ENDED
        ]
        if running:
            raise api_errors.state_error("Another test of this app is running.")  # [A]
        attributes["startDate"] = _iso(_now(ctx))

    @staticmethod
    def _live_versions(store: Store, app: Resource | None, platform: Any) -> list[Resource]:
        versions = store.related(app, "appStoreVersions") if app is not None else []
        return [
            v
            for v in versions
            if v.attributes.get("appVersionState") in LIVE_VERSION_STATES
            and (platform is None or v.attributes.get("platform") == platform)
        ]

    @staticmethod
    def _require_editable(test: Resource | None) -> None:
        if test is not None and _state(test) not in TEST_EDITABLE:
            raise _locked("product page test", _state(test))


# -- review submissions ----------------------------------------------------------------------


class ReviewedItems(Hooks):
    """A review submission carries pages, events and tests too: submitting it moves each
    item to WAITING_FOR_REVIEW, cancelling it back to an editable state [U: the states
    Apple uses on cancel]. ``rules.ReviewSubmissionRules`` has set the submission's state.
    """

    ITEMS = {
        "appCustomProductPageVersion": ("state", "REJECTED"),
        "appEvent": ("eventState", "DRAFT"),
        "appStoreVersionExperimentV2": ("state", "REJECTED"),
    }

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ != "reviewSubmissionItems":
            return
        editable = {
            "appCustomProductPageVersion": PAGE_EDITABLE,
            "appEvent": EVENT_EDITABLE,
            "appStoreVersionExperimentV2": TEST_EDITABLE,
        }
        for rel, (attribute, _) in self.ITEMS.items():
            item = _one(ctx.store, relationships, rel)
            if item is not None and _state(item, attribute) not in editable[rel]:
                raise api_errors.relationship_invalid(
                    f"/data/relationships/{rel}",
                    f"The item is in state {_state(item, attribute)} and cannot be submitted.",
                )

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        if resource.type != "reviewSubmissions" or "state" not in attributes:
            return
        submitted = attributes["state"] == "WAITING_FOR_REVIEW"
        for entry in ctx.store.related(resource, "items"):
            for rel, (attribute, back) in self.ITEMS.items():
                for item in ctx.store.related(entry, rel):
                    item.attributes[attribute] = "WAITING_FOR_REVIEW" if submitted else back


# -- cascades ------------------------------------------------------------------------------


class ProductPageCascade(Hooks):
    """Deleting a page, event, test or one of their parts removes what hangs off it."""

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type in (
            PAGES,
            PAGE_VERSIONS,
            PAGE_LOCALIZATIONS,
            EVENTS,
            EVENT_LOCALIZATIONS,
            TESTS,
            TREATMENTS,
            TREATMENT_LOCALIZATIONS,
        ):
            _remove_children(ctx.store, resource)


def _remove_children(store: Store, resource: Resource) -> None:
    for relationship in CASCADE.get(resource.type, ()):
        for child in store.related(resource, relationship):
            _remove_children(store, child)
            if child.type in EVENT_MEDIA:
                token = str(child.attributes.get("assetToken") or "")
                uploads.registry(store).blobs.pop(token, None)
            store.delete(child.type, child.id)


__all__ = [
    "AppEventRules",
    "CustomProductPageRules",
    "EventMediaUploads",
    "ExperimentRules",
    "ProductPageCascade",
    "ReviewedItems",
    "product_page_hooks",
    "schedule_errors",
]
