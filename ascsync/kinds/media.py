"""Screenshots and app previews: ``screenshots|previews/<locale>/<TYPE>/*``.

One folder is one set (a display type of a locale's version localization); its files
are uploaded in natural sort order. A file's identity is its MD5: an unchanged image is
never uploaded again, whatever its name. Per set:

* live items whose MD5 matches are kept (only COMPLETE items with a checksum);
* a file with the name of a live item but another MD5 replaces it; other files upload;
* live items left over are deleted (a stuck or FAILED one too, so a re-run converges);
* kept items in another order than the repo's are reordered.

Sets are managed per folder: a live set without a folder is deleted once the locale has
a ``locales/`` file. Everything is locked with the version's state. Uploads follow
:mod:`ascsync.engine.uploads` (reserve, PUT the parts, commit with the MD5, wait).

Reading: one request per managed locale and media kind (its sets with their items),
concurrently.

Addresses: ``...locale[<code>].screenshots[<TYPE>]``, ``...screenshots[<TYPE>][<file>]``,
``...screenshots[<TYPE>].order`` (and ``previews`` alike).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import Document
from ascsync.desired import media as checks
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import App, MediaFile, MediaSet
from ascsync.desired.scaffold import NewApp, StarterFile
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext
from ascsync.engine.ops import Ids, Op, Parent, create_op, delete_op, need
from ascsync.engine.plan import Action, Change, FieldChange, address_keys
from ascsync.engine.planner import Planner
from ascsync.engine.uploads import PREVIEWS, SCREENSHOTS, MediaKind, upload
from ascsync.io.media_download import MediaReport, RemoteImage, pull_images
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.locales import LOCALES, LocalesState, locale_address
from ascsync.kinds.version import VERSION, VersionState
from ascsync.problems import Problem, Severity, Source
from ascsync.rules import locales as loc

ANY_TYPE = "*"
"""Display type of ``pull``'s placeholder sets: asks the live read for every set."""

FOLDERS = {"screenshots": SCREENSHOTS, "previews": PREVIEWS}
"""Repo folder -> the API names of its media."""

_SETTINGS = {
    "screenshots": ("screenshotDisplayType", "assetDeliveryState", 10),
    "previews": ("previewType", "videoDeliveryState", 3),
}
"""Per folder: the set's type attribute, the item's state attribute, ``limit[items]``."""


@dataclass
class LocaleMedia:
    """A locale's sets, by display type, for each media folder."""

    screenshots: dict[str, MediaSet] = field(default_factory=dict)
    previews: dict[str, MediaSet] = field(default_factory=dict)

    def sets(self, folder: str) -> dict[str, MediaSet]:
        return self.screenshots if folder == "screenshots" else self.previews


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
class LiveLocaleMedia:
    screenshots: dict[str, LiveSet] = field(default_factory=dict)
    previews: dict[str, LiveSet] = field(default_factory=dict)

    def sets(self, folder: str) -> dict[str, LiveSet]:
        return self.screenshots if folder == "screenshots" else self.previews


Media = dict[str, LocaleMedia]
"""The repo's sets, by locale code."""
MediaState = dict[str, LiveLocaleMedia]
"""The live sets, by locale code."""


class Screenshots(ResourceKind[Media, MediaState]):
    name = "media"
    depends_on = ("locales",)
    compiles = ("appScreenshotSets", "appPreviewSets", "appScreenshots", "appPreviews")
    deletes = compiles
    deletes_whole = ("appScreenshotSets", "appPreviewSets")
    nouns = {"screenshots": "screenshot", "previews": "preview"}
    not_pulled = ("app previews (videos are not downloaded)",)

    def layout_extra(self) -> tuple[str, ...]:
        return (
            "apps/<app>/screenshots/<locale>/<DISPLAY_TYPE>/*.png|jpg|jpeg   (natural sort order)",
            "apps/<app>/previews/<locale>/<PREVIEW_TYPE>/*.mov|mp4|m4v",
        )

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        media: Media = {}
        for folder in FOLDERS:
            _load_folder(loader, app, folder, media)
        if media:
            app.parts[self.name] = media

    def check(self, app: App) -> list[Problem]:
        """The sets the platform requires, for the primary locale only.

        Another locale without a set of a display type shows the primary locale's on the
        App Store, so Apple accepts it. An app without a ``screenshots/`` folder does not
        manage screenshots (deliver's ``skip_screenshots``) and is asked for none.
        """
        platform = app.record.get("platform")
        primary = app.record.get("primary_locale")
        if not isinstance(platform, str) or not (app.folder / "screenshots").is_dir():
            return []
        if primary not in (LOCALES.desired(app) or {}):
            return []  # the missing primary locale file is already an error
        sets = (self.desired(app) or {}).get(primary, LocaleMedia()).screenshots
        return checks.check_required_screenshot_sets(
            platform,
            bool(app.record.get("supports_ipad", False)),
            set(sets),
            where=app.folder / "screenshots" / primary,
            locale=primary,
        )

    def starter_files(self, app: NewApp) -> list[StarterFile]:
        return [StarterFile(f"apps/{app.folder}/screenshots/{app.locale}/")]

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> MediaState:
        locales: LocalesState = ctx.state_of("locales") or LocalesState()
        wanted = self.desired(ctx.desired) or {}
        jobs = []
        for code in LOCALES.desired(ctx.desired) or {}:
            localization = locales.version_ids.get(code)
            if localization is None:
                continue
            for folder in FOLDERS:
                if wanted.get(code, LocaleMedia()).sets(folder):
                    jobs.append((code, folder, localization))
        results = ctx.pool.map(lambda job: _fetch_sets(ctx.client, job[1], job[2]), jobs)
        state: MediaState = {}
        for (code, folder, _), sets in zip(jobs, results, strict=True):
            state.setdefault(code, LiveLocaleMedia()).sets(folder).update(sets)
        return state

    def snapshot(self, live: LiveApp) -> Any:
        return {
            code: {folder: _plain_sets(entry.sets(folder)) for folder in FOLDERS}
            for code, entry in sorted((self.state(live) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        counts: Counter[str] = Counter()
        for entry in (self.state(live) or {}).values():
            for folder, kind in FOLDERS.items():
                sets = entry.sets(folder)
                counts[kind.set_resource] += len(sets)
                counts[kind.resource] += sum(len(s.items) for s in sets.values())
        return counts

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        codes: list[str] = discovery.found.get("locales") or []
        media: Media = {}
        for code in codes:
            entry = media.setdefault(code, LocaleMedia())
            entry.screenshots[ANY_TYPE] = MediaSet(ANY_TYPE, skeleton.folder)
            entry.previews[ANY_TYPE] = MediaSet(ANY_TYPE, skeleton.folder)
        if media:
            skeleton.parts[self.name] = media

    def pull_files(self, live: LiveApp, folder: Path) -> MediaReport:
        report = MediaReport()
        sets: list[tuple[Path, list[RemoteImage]]] = []
        for code, entry in sorted((self.state(live) or {}).items()):
            for display_type, live_set in sorted(entry.screenshots.items()):
                images = [
                    RemoteImage(m.file_name, m.checksum, m.state, m.template_url, m.width, m.height)
                    for m in live_set.items
                ]
                sets.append((folder / "screenshots" / code / display_type, images))
            for display_type, live_set in sorted(entry.previews.items()):
                if live_set.items:
                    report.problems.append(
                        f"previews/{code}/{display_type}: {len(live_set.items)} preview(s) not "
                        "downloaded (pull fetches screenshots only); add the videos by hand"
                    )
        return pull_images(sets, folder.parent.parent, report)  # apps/<name>/ is 2 deep

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        wanted = self.desired(planner.desired) or {}
        live = self.state(planner.live) or {}
        version = VERSION.state(planner.live) or VersionState()
        for code in LOCALES.desired(planner.desired) or {}:
            want, have = wanted.get(code, LocaleMedia()), live.get(code, LiveLocaleMedia())
            for folder in FOLDERS:
                if want.sets(folder) or have.sets(folder):
                    _plan_sets(
                        planner,
                        code,
                        folder,
                        want.sets(folder),
                        have.sets(folder),
                        version.locked_by,
                    )

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        folder = "screenshots" if change.resource.startswith("appScreenshot") else "previews"
        kind = FOLDERS[folder]
        keys = address_keys(change.address)
        code = change.locale or ""
        display_type = keys[folder][0]
        live_sets = (self.state(ctx.live) or {}).get(code, LiveLocaleMedia()).sets(folder)
        set_address = f"{locale_address(ctx.desired, code)}.{folder}[{display_type}]"
        if change.resource == kind.set_resource:
            if change.action is Action.DELETE:
                return delete_op(kind.set_resource, live_sets[display_type].id)
            locale = Parent(
                "appStoreVersionLocalizations",
                None,
                locale_address(ctx.desired, code),
                "/v1/appStoreVersionLocalizations",
            )
            return create_op(
                f"/v1/{kind.set_resource}",
                kind.set_resource,
                {_SETTINGS[folder][0]: display_type},
                {"appStoreVersionLocalization": locale},
                change.address,
            )
        if change.action is Action.REORDER:
            files = self._wanted_set(ctx.desired, code, folder, display_type).files
            return Op(
                lambda client, ids: _reorder(
                    client, kind, ids.get(set_address), [ctx.checksum(f.path) for f in files]
                )
            )
        name = keys[folder][1]
        if change.action is Action.DELETE:
            live_set = live_sets.get(display_type)
            return delete_op(kind.resource, need(change.live_id or _live_id(live_set, name), name))
        wanted = self._wanted_set(ctx.desired, code, folder, display_type)
        local = next(f for f in wanted.files if f.file_name == name)
        return _upload_op(change, kind, set_address, local, ctx)

    def _wanted_set(self, app: App, code: str, folder: str, display_type: str) -> MediaSet:
        return (self.desired(app) or {})[code].sets(folder)[display_type]

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        for code, entry in (self.state(live) or {}).items():
            for folder in FOLDERS:
                for display_type, live_set in entry.sets(folder).items():
                    address = f"{locale_address(desired, code)}.{folder}[{display_type}]"
                    ids.set(address, live_set.id)

    def extra_changes(self, changes: list[Change]) -> list[Change]:
        """One "put in order" step for each set that receives uploads and has none planned.

        Apple appends an uploaded item at the end of its set; this step moves it to the
        place its file name has in the repo, after all uploads into the set are done.
        """
        planned = {c.address for c in changes if c.action is Action.REORDER}
        uploads: dict[str, list[Change]] = {}
        for change in changes:
            if (
                change.action in (Action.UPLOAD, Action.REPLACE)
                and change.resource in self.compiles
            ):
                uploads.setdefault(change.address.rsplit("[", 1)[0], []).append(change)
        return [
            Change(
                f"{set_address}.order",
                Action.REORDER,
                items[0].resource,
                items[0].app,
                items[0].locale,
                after=tuple(c.address for c in items),
                note="place uploaded files in the repo's order",
            )
            for set_address, items in uploads.items()
            if f"{set_address}.order" not in planned
        ]


# -- loading -------------------------------------------------------------------------------


def _load_folder(loader: RepoLoader, app: App, folder: str, media: Media) -> None:
    """``<folder>/<locale>/<TYPE>/*``: one set per folder, in natural order."""
    base = app.folder / folder
    if not base.is_dir() or not loader.inside_repo(base, Source(base), folder):
        return
    locales = LOCALES.desired(app) or {}
    for locale_dir in sorted(base.iterdir()):
        if locale_dir.name.startswith("."):
            continue
        if not locale_dir.is_dir():
            loader.report(
                locale_dir,
                None,
                folder,
                "is ignored: media go in <locale>/<TYPE>/ folders",
                f"{folder}/en-US/<TYPE>/01.png",
                Severity.WARNING,
            )
            continue
        code = locale_dir.name
        if not loc.is_locale(code):
            loader.report(
                locale_dir,
                None,
                folder,
                f"{code!r} is not an App Store locale",
                loc.suggest_locale(code),
            )
            continue
        if code not in locales:
            if not (app.folder / "locales" / f"{code}.yml").exists():
                loader.report(
                    locale_dir,
                    None,
                    folder,
                    f"{code} has no locales/{code}.yml",
                    f"add apps/{app.name}/locales/{code}.yml or remove the folder",
                )
            continue  # else the locale file is broken; that problem is already reported
        sets = media.setdefault(code, LocaleMedia()).sets(folder)
        for set_dir in sorted(locale_dir.iterdir()):
            if set_dir.name.startswith("."):
                continue
            if not set_dir.is_dir():
                loader.report(
                    set_dir,
                    None,
                    folder,
                    "is ignored: each file goes in a folder named after its display type",
                    f"move it to {folder}/{code}/<TYPE>/{set_dir.name}",
                    Severity.WARNING,
                )
                continue
            if loader.inside_repo(set_dir, Source(set_dir), folder):
                sets[set_dir.name] = _media_set(loader, set_dir, folder)


def _media_set(loader: RepoLoader, folder: Path, kind: str) -> MediaSet:
    files = [p for p in checks.list_media(folder) if loader.inside_repo(p, Source(p), kind)]
    check = checks.check_screenshot_set if kind == "screenshots" else checks.check_preview_set
    loader.problems.extend(check(folder.name, files, where=folder))
    media_files = [MediaFile(p, p.name, p.stat().st_size) for p in files if p.is_file()]
    return MediaSet(folder.name, folder, media_files)


# -- reading -------------------------------------------------------------------------------


def _fetch_sets(client: ApiClient, folder: str, localization_id: str) -> dict[str, LiveSet]:
    kind = FOLDERS[folder]
    type_key, state_key, limit = _SETTINGS[folder]
    doc: Document = client.get_all(
        f"/v1/appStoreVersionLocalizations/{localization_id}/{kind.set_resource}",
        {"include": [kind.resource], f"limit[{kind.resource}]": limit},
    )
    sets: dict[str, LiveSet] = {}
    for item in doc.resources():
        live_set = LiveSet(item["id"], item["attributes"][type_key])
        for media in doc.related(item, kind.resource):
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


def _plain_sets(sets: dict[str, LiveSet]) -> dict[str, Any]:
    return {
        t: [s.id, [[m.id, m.file_name, m.checksum, m.state] for m in s.items]]
        for t, s in sorted(sets.items())
    }


# -- planning ------------------------------------------------------------------------------


def _plan_sets(
    planner: Planner,
    code: str,
    folder: str,
    wanted: dict[str, MediaSet],
    live: dict[str, LiveSet],
    locked: str | None,
) -> None:
    kind = FOLDERS[folder]
    loc_address = locale_address(planner.desired, code)
    for display_type in sorted(set(wanted) | set(live)):
        set_address = f"{loc_address}.{folder}[{display_type}]"
        want, have = wanted.get(display_type), live.get(display_type)
        if want is None:
            assert have is not None
            planner.add(
                Change(
                    set_address,
                    Action.DELETE,
                    kind.set_resource,
                    planner.app,
                    code,
                    # each file the set takes with it, so a reviewer sees what goes
                    fields=(FieldChange(folder, [m.file_name or m.id for m in have.items], None),),
                    calls=(f"DELETE /v1/{kind.set_resource}/{{id}}",),
                    note=f"no {folder}/{code}/{display_type}/ folder",
                ),
                locked_by=locked,
            )
            continue
        if have is None:
            planner.add(
                Change(
                    set_address,
                    Action.CREATE,
                    kind.set_resource,
                    planner.app,
                    code,
                    calls=(f"POST /v1/{kind.set_resource}",),
                    after=(loc_address,),
                    source=planner.rel(want.folder),
                ),
                locked_by=locked,
            )
        _plan_items(planner, code, set_address, want, have, kind, locked)


def _plan_items(
    planner: Planner,
    code: str,
    set_address: str,
    want: MediaSet,
    have: LiveSet | None,
    kind: MediaKind,
    locked: str | None,
) -> None:
    """Keep items whose MD5 matches, replace same-named ones, upload the rest, delete leftovers.

    Only COMPLETE items with a checksum can be kept; an item stuck in processing or FAILED
    is replaced (same name) or deleted, so a re-run converges on a clean set.
    """
    live_items = list(have.items) if have else []
    by_checksum: dict[str, list[LiveMedia]] = {}
    for item in live_items:
        if item.state == "COMPLETE" and item.checksum:
            by_checksum.setdefault(item.checksum, []).append(item)
    digests = {local.file_name: planner.checksum(local.path) for local in want.files}
    kept: list[str] = []
    missing = []
    for local in want.files:
        match = by_checksum.get(digests[local.file_name])
        if match:
            kept.append(match.pop(0).id)
        else:
            missing.append(local)
    leftover = [m for m in live_items if m.id not in set(kept)]
    for local in missing:
        replaced = next((m for m in leftover if m.file_name == local.file_name), None)
        if replaced is not None:
            leftover.remove(replaced)
        _plan_upload(planner, code, set_address, local, digests, replaced, kind, locked)
    names = [m.file_name for m in leftover]
    for item in leftover:
        why = "not in the repo" if item.state == "COMPLETE" else f"delivery state {item.state}"
        label = item.file_name if item.file_name and names.count(item.file_name) == 1 else item.id
        planner.add(
            Change(
                f"{set_address}[{label}]",
                Action.DELETE,
                kind.resource,
                planner.app,
                code,
                calls=(f"DELETE /v1/{kind.resource}/{{id}}",),
                note=why,
                live_id=item.id,
                makes_room=True,
            ),
            locked_by=locked,
        )
    if have is not None and kept and _order_changed(have, kept):
        planner.add(
            Change(
                f"{set_address}.order",
                Action.REORDER,
                kind.resource,
                planner.app,
                code,
                fields=(
                    FieldChange(
                        "order",
                        [m.file_name for m in have.items],
                        [f.file_name for f in want.files],
                    ),
                ),
                calls=(f"PATCH /v1/{kind.set_resource}/{{id}}/relationships/{kind.resource}",),
                after=(set_address,),
            ),
            locked_by=locked,
        )


def _plan_upload(
    planner: Planner,
    code: str,
    set_address: str,
    local: MediaFile,
    digests: dict[str, str],
    replaced: LiveMedia | None,
    kind: MediaKind,
    locked: str | None,
) -> None:
    calls: tuple[str, ...] = (
        f"POST /v1/{kind.resource}",
        "PUT upload operations",
        f"PATCH /v1/{kind.resource}/{{id}}",
    )
    if replaced:
        calls = (f"DELETE /v1/{kind.resource}/{{id}}", *calls)
    planner.add(
        Change(
            f"{set_address}[{local.file_name}]",
            Action.REPLACE if replaced else Action.UPLOAD,
            kind.resource,
            planner.app,
            code,
            fields=(
                FieldChange(
                    "checksum",
                    replaced.checksum if replaced else None,
                    digests[local.file_name],
                    source=planner.rel(local.path),
                ),
            ),
            calls=calls,
            after=(set_address,),
            source=planner.rel(local.path),
            live_id=replaced.id if replaced else None,
        ),
        locked_by=locked,
    )


def _order_changed(have: LiveSet, kept: list[str]) -> bool:
    """True when the files kept as they are appear in a different order than wanted."""
    live_order = [m.id for m in have.items if m.id in set(kept)]
    return live_order != kept


# -- applying ------------------------------------------------------------------------------


def _upload_op(
    change: Change, kind: MediaKind, set_address: str, local: MediaFile, ctx: ApplyContext
) -> Op:
    replaced = change.live_id if change.action is Action.REPLACE else None
    checksum: Callable[[Path], str] = ctx.checksum

    def run(client: ApiClient, ids: Ids) -> None:
        set_id = ids.get(set_address)
        if replaced:
            delete_op(kind.resource, replaced).run(client, ids)
        upload(client, kind, set_id, local.path, checksum(local.path), ctx.uploads)

    return Op(run)


def _live_id(live_set: LiveSet | None, name: str) -> str | None:
    items = live_set.items if live_set else []
    return next((m.id for m in items if m.file_name == name or m.id == name), None)


def _reorder(client: ApiClient, kind: MediaKind, set_id: str, wanted: list[str]) -> None:
    """Put the set's items in the repo's order (by checksum); items not yet known go last."""
    doc = client.get_all(
        f"/v1/{kind.set_resource}/{set_id}/{kind.resource}",
        {f"fields[{kind.resource}]": ["sourceFileChecksum"]},
    )
    items = [
        (r["id"], (r.get("attributes") or {}).get("sourceFileChecksum")) for r in doc.resources()
    ]
    position = {digest: index for index, digest in enumerate(wanted)}
    ordered = sorted(items, key=lambda item: position.get(item[1] or "", len(position)))
    if [i for i, _ in ordered] == [i for i, _ in items]:
        return
    client.patch(
        f"/v1/{kind.set_resource}/{set_id}/relationships/{kind.resource}",
        {"data": [{"type": kind.resource, "id": i} for i, _ in ordered]},
    )


MEDIA = Screenshots()

__all__ = ["ANY_TYPE", "MEDIA", "LiveMedia", "LiveSet", "LocaleMedia"]
