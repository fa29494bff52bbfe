"""Reading an app's live state from App Store Connect into the repo's model.

The result is an :class:`~ascsync.desired.model.App` built from Apple's resources through
the same field table the loader uses, so the plan compares like with like, plus the ids
and states apply needs. Requests are a budget: whole trees come back through ``include``,
one request per locale fetches its screenshot sets with their screenshots, and the
per-locale requests run concurrently.

Request count for one app: 4 (app; then app infos, the version, a version count at once)
+ one per managed locale with screenshots + one per managed locale with previews, in
three rounds whatever the number of locales (given enough concurrency); + 2 each when
app.yml manages availability or price (:mod:`ascsync.live_availability`), side by side.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import Document
from ascsync.desired.model import (
    AGE_RATING_FIELDS,
    APP_FIELDS,
    LIVE,
    LOCALE_FIELDS,
    VERSION_FIELDS,
    App,
    Localization,
    Record,
    Value,
)
from ascsync.engine.mapping import read_record
from ascsync.errors import AscsyncError
from ascsync.live_availability import LiveAvailability, start_availability
from ascsync.live_products import LiveProducts, start_products
from ascsync.live_testflight import LiveTestflight, start_testflight
from ascsync.rules.states import EDITABLE_APP_INFO_STATES

CATEGORY_SLOTS = (
    "primaryCategory",
    "primarySubcategoryOne",
    "primarySubcategoryTwo",
    "secondaryCategory",
    "secondarySubcategoryOne",
    "secondarySubcategoryTwo",
)


@dataclass
class LiveMedia:
    """One screenshot or preview as App Store Connect has it."""

    id: str
    file_name: str
    checksum: str | None
    state: str | None
    template_url: str | None = None
    """Screenshots: ``imageAsset.templateUrl`` (``.../{w}x{h}bb.{f}``), what pull downloads."""
    width: int | None = None
    height: int | None = None


@dataclass
class LiveSet:
    id: str
    display_type: str
    items: list[LiveMedia] = field(default_factory=list)


@dataclass
class LiveLocale:
    """Ids of a locale's two localizations and its media sets."""

    info_id: str | None = None
    version_id: str | None = None
    screenshot_sets: dict[str, LiveSet] = field(default_factory=dict)
    preview_sets: dict[str, LiveSet] = field(default_factory=dict)


@dataclass
class LiveApp:
    """The live state of one app: the model view plus what apply needs to address it."""

    model: App
    app_id: str
    app_info_id: str | None = None
    app_info_state: str | None = None
    age_rating_id: str | None = None
    version_id: str | None = None
    version_state: str | None = None
    is_first_version: bool = False
    review_detail_id: str | None = None
    phased_release_id: str | None = None
    locales: dict[str, LiveLocale] = field(default_factory=dict)
    products: LiveProducts | None = None  # IAPs and subscription groups the repo manages
    testflight: LiveTestflight | None = None  # TestFlight test information and groups
    availability: LiveAvailability | None = None  # where the app is sold, and its price

    @property
    def app_info_editable(self) -> bool:
        return self.app_info_state in EDITABLE_APP_INFO_STATES

    def snapshot(self) -> dict[str, Any]:
        """Everything read, as plain data, for the plan's fingerprint."""
        return {
            "ids": [
                self.app_id,
                self.app_info_id,
                self.version_id,
                self.review_detail_id,
                self.phased_release_id,
            ],
            "states": [self.app_info_state, self.version_state],
            "app": _plain(self.model.record),
            "age_rating": _plain(self.model.age_rating),
            "version": _plain(self.model.version),
            "locales": {
                code: {
                    "text": _plain(loc.record),
                    "ids": [self.locales[code].info_id, self.locales[code].version_id],
                    "screenshots": _sets(self.locales[code].screenshot_sets),
                    "previews": _sets(self.locales[code].preview_sets),
                }
                for code, loc in sorted(self.model.localizations.items())
            },
            "products": self.products.snapshot() if self.products else None,
            "testflight": self.testflight.snapshot() if self.testflight else None,
            "availability": self.availability.snapshot() if self.availability else None,
        }


class AppNotFound(AscsyncError):
    """The bundle id is not an app of this account (the API cannot create apps)."""


def fetch_app(client: ApiClient, desired: App, *, concurrency: int = 16) -> LiveApp:
    """Read what App Store Connect has for the parts of ``desired`` the repo manages.

    Three rounds of requests: the app; its app infos and the version (concurrently);
    then each locale's media sets (concurrently, ``concurrency`` at a time).
    """
    bundle_id = desired.record.get("bundle_id")
    app_doc = client.get("/v1/apps", {"filter[bundleId]": bundle_id, "limit": 2})
    apps = [a for a in app_doc.resources() if a["attributes"].get("bundleId") == bundle_id]
    if not apps:
        raise AppNotFound(
            f"{desired.record.where('bundle_id').file}: no app with bundle id {bundle_id} in "
            "App Store Connect (create the app in the web UI first; the API cannot create apps)"
        )
    app = apps[0]
    live = LiveApp(model=App(desired.name, desired.folder, Record(LIVE)), app_id=app["id"])
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        products = start_products(client, live.app_id, desired, pool)
        testflight = start_testflight(client, live.app_id, desired, pool)
        availability = start_availability(client, live.app_id, desired, pool)
        infos = pool.submit(_fetch_app_infos, client, live.app_id)
        versions = pool.submit(_fetch_versions, client, live.app_id, desired)
        count = pool.submit(_count_versions, client, live.app_id, desired)
        _read_app_info(live, app, infos.result())
        _read_version(live, desired, versions.result(), count.result())
        _read_media(client, live, desired, pool)
        live.products = products.result().attach(live.model)
        live.testflight = testflight.result().attach(live.model)
        live.availability = availability.result().attach(live.model)
    return live


def _fetch_app_infos(client: ApiClient, app_id: str) -> Document:
    return client.get(
        f"/v1/apps/{app_id}/appInfos",
        {
            "include": ["appInfoLocalizations", "ageRatingDeclaration", *CATEGORY_SLOTS],
            "limit[appInfoLocalizations]": 50,
        },
    )


def _fetch_versions(client: ApiClient, app_id: str, desired: App) -> Document | None:
    if desired.version_string is None:
        return None
    params: dict[str, Any] = {
        "include": [
            "appStoreVersionLocalizations",
            "appStoreReviewDetail",
            "appStoreVersionPhasedRelease",
        ],
        "limit[appStoreVersionLocalizations]": 50,
        "fields[appStoreVersions]": [
            "platform",
            "versionString",
            "appVersionState",
            "copyright",
            "releaseType",
            "earliestReleaseDate",
            "createdDate",
            "appStoreVersionLocalizations",
            "appStoreReviewDetail",
            "appStoreVersionPhasedRelease",
        ],
        "filter[versionString]": desired.version_string,
    }
    platform = desired.record.get("platform")
    if platform:
        params["filter[platform]"] = platform
    return client.get(f"/v1/apps/{app_id}/appStoreVersions", params)


def _count_versions(client: ApiClient, app_id: str, desired: App) -> int:
    """How many versions the platform has (0, 1 or 2+), to apply the first-version rule."""
    params: dict[str, Any] = {"fields[appStoreVersions]": ["versionString"], "limit": 2}
    platform = desired.record.get("platform")
    if platform:
        params["filter[platform]"] = platform
    return len(client.get(f"/v1/apps/{app_id}/appStoreVersions", params).resources())


def _read_app_info(live: LiveApp, app: dict[str, Any], doc: Document) -> None:
    infos = doc.resources()
    info = next(
        (i for i in infos if i["attributes"].get("state") in EDITABLE_APP_INFO_STATES),
        infos[0] if infos else None,
    )
    categories = {slot: _linked_id(info, slot) for slot in CATEGORY_SLOTS} if info else {}
    live.model.record = read_record(
        APP_FIELDS,
        {"apps": app["attributes"]},
        relationships={"appInfos": categories} if info else None,
    )
    if info is None:
        return
    live.app_info_id = info["id"]
    live.app_info_state = info["attributes"].get("state")
    rating = doc.related_one(info, "ageRatingDeclaration")
    if rating is not None:
        live.age_rating_id = rating["id"]
        live.model.age_rating = read_record(
            AGE_RATING_FIELDS, {"ageRatingDeclarations": rating.get("attributes") or {}}
        )
    for loc in doc.related(info, "appInfoLocalizations"):
        code = loc["attributes"]["locale"]
        live.locales.setdefault(code, LiveLocale()).info_id = loc["id"]
        _localization(live, code).record.attrs.update(
            read_record(LOCALE_FIELDS, {"appInfoLocalizations": loc["attributes"]}).attrs
        )


def _read_version(live: LiveApp, desired: App, doc: Document | None, count: int) -> None:
    if doc is None:
        return
    version_string = desired.version_string
    match = next(
        (v for v in doc.resources() if v["attributes"].get("versionString") == version_string),
        None,
    )
    # whatsNew is refused on an app's first version: the one we edit is the only one, or
    # the one we would create is the very first.
    live.is_first_version = count <= 1 if match else count == 0
    if match is None:
        return
    attributes = match["attributes"]
    live.version_id = match["id"]
    live.version_state = attributes.get("appVersionState")
    review = doc.related_one(match, "appStoreReviewDetail")
    phased = doc.related_one(match, "appStoreVersionPhasedRelease")
    live.review_detail_id = review["id"] if review else None
    live.phased_release_id = phased["id"] if phased else None
    record = read_record(
        VERSION_FIELDS,
        {
            "appStoreVersions": attributes,
            "appStoreReviewDetails": (review or {}).get("attributes") if review else None,
        },
    )
    state = (phased or {}).get("attributes", {}).get("phasedReleaseState")
    record.attrs["phased_release"] = Value(phased is not None and state != "COMPLETE", LIVE)
    live.model.version = record
    for loc in doc.related(match, "appStoreVersionLocalizations"):
        code = loc["attributes"]["locale"]
        live.locales.setdefault(code, LiveLocale()).version_id = loc["id"]
        _localization(live, code).record.attrs.update(
            read_record(LOCALE_FIELDS, {"appStoreVersionLocalizations": loc["attributes"]}).attrs
        )


def _read_media(client: ApiClient, live: LiveApp, desired: App, pool: ThreadPoolExecutor) -> None:
    """One request per managed locale and media kind, run concurrently."""
    jobs = []
    for code, wanted in desired.localizations.items():
        version_loc = live.locales.get(code, LiveLocale()).version_id
        if version_loc is None:
            continue
        if wanted.screenshot_sets:
            jobs.append((code, "screenshots", version_loc))
        if wanted.preview_sets:
            jobs.append((code, "previews", version_loc))
    results = list(pool.map(lambda job: (job, _fetch_sets(client, *job[1:])), jobs))
    for (code, kind, _), sets in results:
        target = live.locales[code]
        if kind == "screenshots":
            target.screenshot_sets = sets
        else:
            target.preview_sets = sets


def _fetch_sets(client: ApiClient, kind: str, localization_id: str) -> dict[str, LiveSet]:
    if kind == "screenshots":
        path, child, type_key = "appScreenshotSets", "appScreenshots", "screenshotDisplayType"
        state_key = "assetDeliveryState"
    else:
        path, child, type_key = "appPreviewSets", "appPreviews", "previewType"
        state_key = "videoDeliveryState"
    doc: Document = client.get_all(
        f"/v1/appStoreVersionLocalizations/{localization_id}/{path}",
        {"include": [child], f"limit[{child}]": 10 if kind == "screenshots" else 3},
    )
    sets: dict[str, LiveSet] = {}
    for item in doc.resources():
        live_set = LiveSet(item["id"], item["attributes"][type_key])
        for media in doc.related(item, child):
            attributes = media.get("attributes") or {}
            delivery = attributes.get(state_key) or {}
            asset = attributes.get("imageAsset") or {}
            live_set.items.append(
                LiveMedia(
                    media["id"],
                    attributes.get("fileName") or "",
                    attributes.get("sourceFileChecksum"),
                    delivery.get("state"),
                    asset.get("templateUrl"),
                    asset.get("width"),
                    asset.get("height"),
                )
            )
        sets[live_set.display_type] = live_set
    return sets


def _localization(live: LiveApp, code: str) -> Localization:
    return live.model.localizations.setdefault(code, Localization(code, Record(LIVE)))


def _linked_id(resource: dict[str, Any], relationship: str) -> str | None:
    data = ((resource.get("relationships") or {}).get(relationship) or {}).get("data")
    return data.get("id") if isinstance(data, dict) else None


def _plain(record: Record | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {k: v.value for k, v in sorted(record.attrs.items())}


def _sets(sets: dict[str, LiveSet]) -> dict[str, Any]:
    return {
        t: [s.id, [[m.id, m.file_name, m.checksum, m.state] for m in s.items]]
        for t, s in sorted(sets.items())
    }


__all__ = ["AppNotFound", "LiveApp", "LiveLocale", "LiveMedia", "LiveSet", "fetch_app"]
