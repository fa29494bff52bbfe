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

import contextlib
import os
import stat as stat_module
from collections import Counter
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
from ascsync.engine.ops import Ids, Op, Parent, create_op, delete_op, find_child, need
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.engine.planner import Planner
from ascsync.io.checksums import CleanSets
from ascsync.io.media_download import MediaReport, RemoteImage, pull_images
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.locales import LOCALES, LocalesState, locale_address
from ascsync.kinds.media_sets import (
    FOLDERS,
    SET_SETTINGS,
    LiveLocaleMedia,
    LiveMedia,
    LiveSet,
    LocaleMedia,
    PlanPlace,
    UploadPlace,
    plan_media,
    reorder,
    upload_op,
)
from ascsync.kinds.version import VERSION, VersionState
from ascsync.problems import Problem, Severity, Source
from ascsync.rules import locales as loc

ANY_TYPE = "*"
"""Display type of ``pull``'s placeholder sets: asks the live read for every set."""


Media = dict[str, LocaleMedia]
"""The repo's sets, by locale code."""
MediaState = dict[str, LiveLocaleMedia]
"""The live sets, by locale code."""


class Screenshots(ResourceKind[Media, MediaState]):
    name = "media"
    per_platform = True
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
                    report.notes.append(
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
            place = PlanPlace(locale_address(planner.desired, code), code, version.locked_by)
            # the main page manages a folder type as soon as either side has a set of it
            folders = [f for f in FOLDERS if want.sets(f) or have.sets(f)]
            plan_media(planner, place, want, have, folders)

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
            type_key = SET_SETTINGS[folder][0]
            return create_op(
                f"/v1/{kind.set_resource}",
                kind.set_resource,
                {type_key: display_type},
                {"appStoreVersionLocalization": locale},
                change.address,
                find=lambda client, parent_ids: find_child(
                    client,
                    f"/v1/appStoreVersionLocalizations/"
                    f"{parent_ids['appStoreVersionLocalization']}/{kind.set_resource}",
                    kind.set_resource,
                    type_key,
                    display_type,
                    {type_key: display_type},
                ),
            )
        if change.action is Action.REORDER:
            files = self._wanted_set(ctx.desired, code, folder, display_type).files
            return Op(
                lambda client, ids: reorder(
                    client, kind, ids.get(set_address), [ctx.checksum(f.path) for f in files]
                )
            )
        name = keys[folder][1]
        if change.action is Action.DELETE:
            live_set = live_sets.get(display_type)
            return delete_op(kind.resource, need(change.live_id or _live_id(live_set, name), name))
        wanted = self._wanted_set(ctx.desired, code, folder, display_type)
        local = next(f for f in wanted.files if f.file_name == name)
        # compiled in plan order, so tickets follow the repo's order within the set
        ticket = ctx.uploads.order.ticket(set_address)
        where = UploadPlace(
            set_address,
            locale_address(ctx.desired, code),
            "appStoreVersionLocalizations",
            folder,
            ticket,
        )
        return upload_op(change, kind, where, local, ctx)

    def _wanted_set(self, app: App, code: str, folder: str, display_type: str) -> MediaSet:
        return (self.desired(app) or {})[code].sets(folder)[display_type]

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        for code, entry in (self.state(live) or {}).items():
            for folder in FOLDERS:
                for display_type, live_set in entry.sets(folder).items():
                    address = f"{locale_address(desired, code)}.{folder}[{display_type}]"
                    ids.set(address, live_set.id)


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
    stats = _stats(files)  # one stat per file serves the cache key and the sizes
    check = checks.check_screenshot_set if kind == "screenshots" else checks.check_preview_set
    clean = CleanSets.for_repo(loader.root)
    key = None
    if len(stats) == len(files):
        key = clean.key(kind, folder.name, [(p.name, stats[p]) for p in files])
    if not clean.known(key):  # unchanged since it last passed every check: not again
        problems = check(folder.name, files, where=folder)
        loader.problems.extend(problems)
        if not problems:
            clean.add(key)
    media_files = [
        MediaFile(p, p.name, stats[p].st_size)
        for p in files
        if p in stats and stat_module.S_ISREG(stats[p].st_mode)
    ]
    return MediaSet(folder.name, folder, media_files)


def _stats(files: list[Path]) -> dict[Path, os.stat_result]:
    stats = {}
    for path in files:
        with contextlib.suppress(OSError):  # the checks report it
            stats[path] = path.stat()
    return stats


# -- reading -------------------------------------------------------------------------------


def _fetch_sets(client: ApiClient, folder: str, localization_id: str) -> dict[str, LiveSet]:
    kind = FOLDERS[folder]
    type_key, state_key, limit = SET_SETTINGS[folder]
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


# -- applying ------------------------------------------------------------------------------


def _live_id(live_set: LiveSet | None, name: str) -> str | None:
    items = live_set.items if live_set else []
    return next((m.id for m in items if m.file_name == name or m.id == name), None)


MEDIA = Screenshots()

__all__ = ["ANY_TYPE", "MEDIA", "LiveMedia", "LiveSet", "LocaleMedia"]
