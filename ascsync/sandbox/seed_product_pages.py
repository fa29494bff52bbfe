"""Seeding custom product pages, in-app events and product page tests (``seed.py`` calls in).

Three more keys of a seeded app, in the seed's style (Apple's attribute names, structural
keys for children)::

    customProductPages:
      - name: Film buffs
        visible: false
        versions:                                  # oldest first; default: one version
          - state: APPROVED                        # default PREPARE_FOR_SUBMISSION
            deepLink: moviecatalog://lists
            localizations:
              en-US:
                promotionalText: Lists for people who watch everything.
                screenshots: {APP_IPHONE_67: [{fileName: 01-home.png, file: x.png}]}
                previews: {IPHONE_67: [{fileName: tour.mp4, checksum: ..., fileSize: 10}]}
    appEvents:
      - referenceName: Summer Film Festival
        eventState: DRAFT                          # default DRAFT
        badge: SPECIAL_EVENT
        territorySchedules:
          - {territories: [USA], publishStart: "2030-06-20T09:00:00Z",
             eventStart: "2030-07-01T18:00:00Z", eventEnd: "2030-07-10T18:00:00Z"}
        localizations:
          en-US:
            name: Summer Film Festival
            media:                                 # asset type -> one image or video
              EVENT_CARD: {fileName: card.png, file: card.png}     # or fileSize (+width, height)
    productPageTests:
      - name: Search first
        trafficProportion: 30
        state: PREPARE_FOR_SUBMISSION              # default PREPARE_FOR_SUBMISSION
        startDate: null
        treatments:
          - name: Search up front
            localizations:
              en-US: {screenshots: {APP_IPHONE_67: [...]}}

Screenshot and preview items take the same keys as a version localization's. Ids are
stable like the rest of the seed's.
"""

from __future__ import annotations

from typing import Any, Protocol

from ascsync.sandbox import uploads
from ascsync.sandbox.store import Ref, Resource

KEYS = ("customProductPages", "appEvents", "productPageTests")
"""The app keys this module seeds."""

_SETS = (
    ("screenshots", "appScreenshotSets", "screenshotDisplayType", "appScreenshots"),
    ("previews", "appPreviewSets", "previewType", "appPreviews"),
)
_EVENT_ASSETS = ("EVENT_CARD", "EVENT_DETAILS_PAGE")
_VIDEO_SUFFIXES = (".mov", ".m4v", ".mp4")


class Builder(Protocol):
    """The parts of ``seed.SeedBuilder`` this module uses."""

    @property
    def store(self) -> Any: ...

    def fail(
        self, node: Any, key: Any, where: str, message: str, valid: str | None = None
    ) -> Any: ...

    def mapping(self, node: Any, parent: Any, key: Any, where: str) -> dict[Any, Any]: ...

    def sequence(self, node: Any, parent: Any, key: Any, where: str) -> list[Any]: ...

    def required(self, node: dict[Any, Any], key: str, where: str) -> Any: ...

    def attributes(
        self,
        type_: str,
        node: dict[Any, Any],
        where: str,
        structural: set[str],
        renamed: dict[Any, Any] | None = None,
    ) -> dict[str, Any]: ...

    def locale(self, node: Any, key: Any, where: str) -> str: ...

    def number(self, node: dict[Any, Any], key: str, where: str) -> int: ...

    def new_id(self, type_: str, where: str) -> str: ...

    def create(
        self,
        type_: str,
        where: str,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None] | None = None,
        id_: str | None = None,
    ) -> Resource: ...

    def media_item(
        self, type_: str, media_set: Resource, node: dict[Any, Any], where: str
    ) -> None: ...

    def read_file(self, node: dict[Any, Any], where: str) -> bytes: ...


def seed_app(builder: Builder, app: Resource, node: dict[Any, Any], where: str) -> None:
    """The app's custom product pages, in-app events and product page tests."""
    pages = builder.sequence(node.get(KEYS[0]), node, KEYS[0], where)
    for index, page in enumerate(pages):
        here = f"{where}.{KEYS[0]}[{index}]"
        _page(builder, app, builder.mapping(page, pages, index, here), here)
    events = builder.sequence(node.get(KEYS[1]), node, KEYS[1], where)
    for index, event in enumerate(events):
        here = f"{where}.{KEYS[1]}[{index}]"
        _event(builder, app, builder.mapping(event, events, index, here), here)
    tests = builder.sequence(node.get(KEYS[2]), node, KEYS[2], where)
    for index, test in enumerate(tests):
        here = f"{where}.{KEYS[2]}[{index}]"
        _test(builder, app, builder.mapping(test, tests, index, here), here)


# -- custom product pages ------------------------------------------------------------------


def _page(builder: Builder, app: Resource, node: dict[Any, Any], where: str) -> None:
    builder.required(node, "name", where)
    attrs = builder.attributes("appCustomProductPages", node, where, {"versions"})
    attrs.setdefault("visible", False)
    page = builder.create("appCustomProductPages", where, attrs, {"app": app.ref})
    page.attributes["url"] = f"https://apps.apple.com/app/id{app.id}?ppid={page.id}"
    versions = builder.sequence(node.get("versions"), node, "versions", where) or [{}]
    for index, version in enumerate(versions):
        here = f"{where}.versions[{index}]"
        version = builder.mapping(version, versions, index, here)
        attrs = builder.attributes("appCustomProductPageVersions", version, here, {"localizations"})
        attrs.setdefault("state", "PREPARE_FOR_SUBMISSION")
        attrs["version"] = str(index + 1)
        attrs.setdefault("deepLink", None)
        created = builder.create(
            "appCustomProductPageVersions", here, attrs, {"appCustomProductPage": page.ref}
        )
        _localizations(
            builder,
            version,
            here,
            "appCustomProductPageLocalizations",
            {"appCustomProductPageVersion": created.ref},
            "appCustomProductPageLocalization",
        )


def _localizations(
    builder: Builder,
    node: dict[Any, Any],
    where: str,
    type_: str,
    relationships: dict[str, Ref | list[Ref] | None],
    set_relationship: str,
) -> None:
    """``localizations: {locale: {attributes, screenshots, previews}}`` with their sets."""
    here = f"{where}.localizations"
    locales = builder.mapping(node.get("localizations"), node, "localizations", here)
    for code, item in locales.items():
        at = f"{here}.{code}"
        builder.locale(locales, code, at)
        item = builder.mapping(item, locales, code, at)
        attrs = builder.attributes(type_, item, at, {"screenshots", "previews"})
        attrs["locale"] = str(code)
        localization = builder.create(type_, at, attrs, dict(relationships))
        _sets(builder, item, at, localization, set_relationship)


def _sets(
    builder: Builder, node: dict[Any, Any], where: str, owner: Resource, relationship: str
) -> None:
    from ascsync.sandbox.surface import load_surface

    types = load_surface().types
    for key, set_type, kind_attr, item_type in _SETS:
        sets = builder.mapping(node.get(key), node, key, f"{where}.{key}")
        valid = types[set_type].attributes[kind_attr]["enum"]
        for kind, items in sets.items():
            here = f"{where}.{key}.{kind}"
            if kind not in valid:
                builder.fail(sets, kind, here, "unknown display type", ", ".join(valid))
            media_set = builder.create(set_type, here, {kind_attr: kind}, {relationship: owner.ref})
            for index, item in enumerate(builder.sequence(items, sets, kind, here)):
                at = f"{here}[{index}]"
                builder.media_item(
                    item_type, media_set, builder.mapping(item, items, index, at), at
                )


# -- in-app events -------------------------------------------------------------------------


def _event(builder: Builder, app: Resource, node: dict[Any, Any], where: str) -> None:
    builder.required(node, "referenceName", where)
    attrs = builder.attributes("appEvents", node, where, {"localizations"})
    attrs.setdefault("eventState", "DRAFT")
    attrs.setdefault("primaryLocale", app.attributes.get("primaryLocale"))
    attrs.setdefault("territorySchedules", [])
    attrs.setdefault("archivedTerritorySchedules", [])
    for name in ("badge", "deepLink", "purchaseRequirement", "priority", "purpose"):
        attrs.setdefault(name, None)
    event = builder.create("appEvents", where, attrs, {"app": app.ref})
    here = f"{where}.localizations"
    locales = builder.mapping(node.get("localizations"), node, "localizations", here)
    for code, item in locales.items():
        at = f"{here}.{code}"
        builder.locale(locales, code, at)
        item = builder.mapping(item, locales, code, at)
        attrs = builder.attributes("appEventLocalizations", item, at, {"media"})
        attrs["locale"] = str(code)
        localization = builder.create("appEventLocalizations", at, attrs, {"appEvent": event.ref})
        media = builder.mapping(item.get("media"), item, "media", f"{at}.media")
        for asset_type, asset in media.items():
            spot = f"{at}.media.{asset_type}"
            if asset_type not in _EVENT_ASSETS:
                builder.fail(
                    media, asset_type, spot, "unknown asset type", ", ".join(_EVENT_ASSETS)
                )
            _event_media(
                builder,
                localization,
                str(asset_type),
                builder.mapping(asset, media, asset_type, spot),
                spot,
            )


def _event_media(
    builder: Builder, localization: Resource, asset_type: str, node: dict[Any, Any], where: str
) -> None:
    """A COMPLETE event image or video, from a file or from its size."""
    allowed = {"fileName", "file", "fileSize", "width", "height"}
    for key in node:
        if key not in allowed:
            builder.fail(node, key, f"{where}.{key}", "unknown key", ", ".join(sorted(allowed)))
    file_name = str(builder.required(node, "fileName", where))
    video = file_name.lower().endswith(_VIDEO_SUFFIXES)
    type_ = "appEventVideoClips" if video else "appEventScreenshots"
    token = f"Seed{builder.new_id(type_, where)[:8]}-{file_name}"
    width = height = None
    if node.get("file") is not None:
        data = builder.read_file(node, where)
        size = len(data)
        uploads.registry(builder.store).blobs[token] = data
        found = None if video else uploads.inspect_image(data)
        if found is not None:
            _format, width, height = found
    else:
        size = builder.number(node, "fileSize", where)
        if not video:
            width, height = (
                builder.number(node, "width", where),
                builder.number(node, "height", where),
            )
    attrs: dict[str, Any] = {
        "fileName": file_name,
        "fileSize": size,
        "assetToken": token,
        "uploadOperations": None,
        "appEventAssetType": asset_type,
        "assetDeliveryState": uploads.delivery_state("COMPLETE"),
    }
    if video:
        attrs["videoDeliveryState"] = uploads.delivery_state("COMPLETE")
        attrs["videoUrl"] = f"{uploads.ASSET_PATH}/{token}/video"
    else:
        attrs["imageAsset"] = {
            "templateUrl": uploads.template_url("", token),
            "width": width,
            "height": height,
        }
    builder.create(type_, where, attrs, {"appEventLocalization": localization.ref})


# -- product page tests --------------------------------------------------------------------


def _test(builder: Builder, app: Resource, node: dict[Any, Any], where: str) -> None:
    builder.required(node, "name", where)
    attrs = builder.attributes("appStoreVersionExperiments", node, where, {"treatments"})
    attrs.setdefault("state", "PREPARE_FOR_SUBMISSION")
    attrs.setdefault("platform", "IOS")
    attrs.setdefault("reviewRequired", True)
    attrs.setdefault("trafficProportion", 50)
    for name in ("startDate", "endDate"):
        attrs.setdefault(name, None)
    test = builder.create("appStoreVersionExperiments", where, attrs, {"app": app.ref})
    live = [
        v
        for v in builder.store.related(app, "appStoreVersions")
        if v.attributes.get("appVersionState") == "READY_FOR_DISTRIBUTION"
        and v.attributes.get("platform") == attrs["platform"]
    ]
    if live:
        builder.store.set_relationship(test, "latestControlVersion", live[-1].ref)
        builder.store.set_relationship(test, "controlVersions", [live[-1].ref])
    treatments = builder.sequence(node.get("treatments"), node, "treatments", where)
    for index, treatment in enumerate(treatments):
        here = f"{where}.treatments[{index}]"
        treatment = builder.mapping(treatment, treatments, index, here)
        builder.required(treatment, "name", here)
        attrs = builder.attributes(
            "appStoreVersionExperimentTreatments", treatment, here, {"localizations"}
        )
        attrs.setdefault("appIconName", None)
        created = builder.create(
            "appStoreVersionExperimentTreatments",
            here,
            attrs,
            {"appStoreVersionExperimentV2": test.ref},
        )
        _localizations(
            builder,
            treatment,
            here,
            "appStoreVersionExperimentTreatmentLocalizations",
            {"appStoreVersionExperimentTreatment": created.ref},
            "appStoreVersionExperimentTreatmentLocalization",
        )


__all__ = ["KEYS", "Builder", "seed_app"]
