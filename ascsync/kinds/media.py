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
from pathlib import Path
from typing import Any

from ascsync.desired import media as checks
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import App, MediaSet
from ascsync.desired.scaffold import NewApp, StarterFile
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext
from ascsync.engine.ops import Ids, Op
from ascsync.engine.plan import Change
from ascsync.engine.planner import Planner
from ascsync.io.media_download import MediaReport, RemoteImage, pull_images
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.locales import LOCALES, LocalesState, locale_address
from ascsync.kinds.media_sets import (
    FOLDERS,
    VERSION_SETS,
    CompilePlace,
    LiveLocaleMedia,
    LiveMedia,
    LiveSet,
    LocaleMedia,
    PlanPlace,
    compile_media,
    fetch_sets,
    load_sets,
    plain_media,
    plan_media,
    seed_set_ids,
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
        results = ctx.pool.map(
            lambda job: fetch_sets(ctx.client, VERSION_SETS, job[2], job[1]), jobs
        )
        state: MediaState = {}
        for (code, folder, _), sets in zip(jobs, results, strict=True):
            state.setdefault(code, LiveLocaleMedia()).sets(folder).update(sets)
        return state

    def snapshot(self, live: LiveApp) -> Any:
        return {
            code: plain_media(entry) for code, entry in sorted((self.state(live) or {}).items())
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
        code = change.locale or ""
        place = CompilePlace(
            VERSION_SETS,
            locale_address(ctx.desired, code),
            None,  # the localization's id comes from the ids seeded under its address
            (self.desired(ctx.desired) or {}).get(code),
            (self.state(ctx.live) or {}).get(code, LiveLocaleMedia()),
        )
        return compile_media(change, ctx, place)

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        for code, entry in (self.state(live) or {}).items():
            seed_set_ids(ids, locale_address(desired, code), entry)


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
        load_sets(loader, locale_dir, folder, media.setdefault(code, LocaleMedia()).sets(folder))


# -- reading -------------------------------------------------------------------------------


# -- planning ------------------------------------------------------------------------------


# -- applying ------------------------------------------------------------------------------


MEDIA = Screenshots()

__all__ = ["ANY_TYPE", "MEDIA", "LiveMedia", "LiveSet", "LocaleMedia"]
