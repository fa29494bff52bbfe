"""The import, start to finish: find deliver's folders, read them, plan every file.

Reading order follows what depends on what: the enabled locales (metadata folder and
Deliverfile) come first, screenshots may enable more (a locale needs a locale file for
its screenshots to load), and only then are the locale files planned, so no enabled
language is dropped and no text is lost.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ascsync.commands.fastlane import app_info
from ascsync.commands.fastlane import settings as deliver_settings
from ascsync.commands.fastlane.layout import (
    PLATFORM_LABELS,
    Discovery,
    PlatformFolders,
    describe_platforms,
    discover,
)
from ascsync.commands.fastlane.listing import Listing, read_listing
from ascsync.commands.fastlane.plan import ImportOptions, ImportPlan
from ascsync.commands.fastlane.rating import rating_document
from ascsync.commands.fastlane.screenshots import plan_previews, plan_screenshots
from ascsync.commands.fastlane.settings import DeliverSettings
from ascsync.commands.fastlane.sources import SourceRoot
from ascsync.errors import AscsyncError
from ascsync.kinds.locales import INFO_KEYS


def plan_import(options: ImportOptions, environ: Mapping[str, str] | None = None) -> ImportPlan:
    """Map the whole fastlane tree to documents and copies; write nothing."""
    plan = ImportPlan(app_dir=Path("apps"))  # the app folder name is known after reading
    found = discover(options, plan, os.environ if environ is None else environ)
    folders = _choose_platform(found, options.platform, plan)
    settings = DeliverSettings.of(found, options.platform)
    root = found.root
    metadata = _metadata_folder(folders, settings, plan)
    listing = read_listing(metadata, root, settings, plan)
    bundle_id = deliver_settings.bundle_id(options, settings, plan)
    name = options.app or _app_dir_name(bundle_id, options.primary_locale, listing)
    plan.app_dir = Path("apps") / name
    screenshot_types = _plan_media(folders, found, settings, listing, plan)
    primary = app_info.primary_locale(options.primary_locale, listing, plan)
    _plan_locales(listing, plan)
    categories = app_info.categories(metadata, root, settings, plan)
    plan.documents[plan.app_dir / "app.yml"] = app_info.app_document(
        bundle_id, options.platform, primary, screenshot_types, categories, plan
    )
    version_string = deliver_settings.app_version(options, settings, plan)
    version = app_info.version_document(version_string, metadata, root, settings, name, plan)
    if version:
        plan.documents[plan.app_dir / "version.yml"] = version
    for platform in found.platforms:
        if platform != options.platform:
            _plan_other_platform(found, platform, options, listing, version_string, plan)
    if folders.rating_config is not None:
        rating = rating_document(
            folders.rating_config, _root_for(folders.rating_config, found), plan
        )
        if rating:
            plan.documents[plan.app_dir / "age-rating.yml"] = rating
    app_info.report_unmodelled(metadata, root, settings, plan)
    deliver_settings.report_other_options(settings, plan)
    return plan


def _choose_platform(found: Discovery, platform: str, plan: ImportPlan) -> PlatformFolders:
    """The ``--platform`` folders are the app's own; the others become its other platforms."""
    base = found.root.path
    if platform not in found.platforms:
        raise AscsyncError(
            f"no deliver folder for {PLATFORM_LABELS[platform]} (--platform {platform});"
            f" found {describe_platforms(found, base)}: pass --platform"
            f" {' or '.join(found.platforms)}; nothing was written"
        )
    if len(found.platforms) > 1:
        others = [p for p in found.platforms if p != platform]
        plan.note(
            None,
            f"deliver folders found for {describe_platforms(found, base)}:"
            f" {PLATFORM_LABELS[platform]} is the app's own platform (--platform {platform});"
            f" {', '.join(PLATFORM_LABELS[p] for p in others)} go in platforms/<PLATFORM>/"
            " (their own version, version texts and screenshots; the app info is shared)",
        )
    return found.platforms[platform]


def _plan_other_platform(
    found: Discovery,
    platform: str,
    options: ImportOptions,
    main: Listing,
    main_version: str | None,
    plan: ImportPlan,
) -> None:
    """Another platform's version, version texts (where they differ) and screenshots.

    App Store Connect keeps one app info for all platforms: a name or subtitle that
    differs on this platform cannot be kept apart; it is reported, never dropped quietly.
    """
    folders = found.platforms[platform]
    settings = DeliverSettings.of(found, platform)
    metadata = _metadata_folder(folders, settings, plan)
    listing = read_listing(metadata, found.root, settings, plan)
    app_dir = plan.app_dir
    base = app_dir / "platforms" / platform
    label = PLATFORM_LABELS[platform]
    for code, values in sorted(listing.locales.items()):
        mine = {**listing.defaults, **values}
        shared = {**main.defaults, **main.locales.get(code, {})}
        if code not in main.locales:
            plan.warn(
                listing.folders.get(code),
                f"{label} has {code}, the app's own platform does not: its app info is"
                f" shared, so add locales/{code}.yml to the app first; not imported",
            )
            continue
        own = {k: v for k, v in mine.items() if k not in INFO_KEYS and shared.get(k) != v}
        for key in sorted(k for k in mine if k in INFO_KEYS and shared.get(k) != mine[k]):
            plan.warn(
                listing.folders.get(code),
                f"{label} {code} {key} {mine[key]!r} differs from the app's"
                f" {shared.get(key)!r}; App Store Connect keeps one app info for all"
                " platforms, so it is not imported",
            )
        if own:
            plan.documents[base / "locales" / f"{code}.yml"] = _ordered_map(own)
    version_string = deliver_settings.app_version(options, settings, plan) or main_version
    if version_string is None:
        plan.warn(
            None,
            f"no version for {label} (app_version): add platforms/{platform}/version.yml"
            " before planning it",
        )
    else:
        version = app_info.version_document(
            version_string, metadata, found.root, settings, plan.app_dir.name, plan
        )
        plan.documents[base / "version.yml"] = version
    plan.app_dir = base  # media land in the platform's own folders
    try:
        _plan_media(folders, found, settings, listing, plan)
    finally:
        plan.app_dir = app_dir


def _metadata_folder(
    folders: PlatformFolders, settings: DeliverSettings, plan: ImportPlan
) -> Path | None:
    if folders.metadata is not None and settings.flag("skip_metadata", plan):
        plan.warn(
            folders.metadata,
            "skip_metadata is set in the Deliverfile: deliver never uploads this folder,"
            " so it is not imported (ascsync would otherwise publish it)",
        )
        return None
    return folders.metadata


def _plan_media(
    folders: PlatformFolders,
    found: Discovery,
    settings: DeliverSettings,
    listing: Listing,
    plan: ImportPlan,
) -> set[str] | None:
    """Screenshots and previews; None when screenshots are not managed (none, or skipped)."""
    types: set[str] | None = None
    if folders.screenshots is not None:
        if settings.flag("skip_screenshots", plan):
            plan.warn(
                folders.screenshots,
                "skip_screenshots is set in the Deliverfile: deliver never uploads these,"
                " so they are not imported and ascsync will not manage screenshots",
            )
        else:
            root = _root_for(folders.screenshots, found)
            result = plan_screenshots(folders.screenshots, root, set(listing.locales), plan)
            _enable_for_media(result.locales, listing, "screenshots", plan)
            types = result.types
    if folders.previews is not None:
        locales = plan_previews(folders.previews, _root_for(folders.previews, found), plan)
        _enable_for_media(locales, listing, "previews", plan)
    return types


def _enable_for_media(locales: set[str], listing: Listing, kind: str, plan: ImportPlan) -> None:
    for code in sorted(locales - set(listing.locales)):
        listing.enable(code)
        plan.note(None, f"{code} enabled for its {kind} (it has no metadata folder)")


def _root_for(path: Path, found: Discovery) -> SourceRoot:
    """Reads stay inside the imported folder; a path given on its own is its own root."""
    if path.resolve().is_relative_to(found.root.real):
        return found.root
    return SourceRoot(path if path.is_dir() else path.parent)


def _plan_locales(listing: Listing, plan: ImportPlan) -> None:
    """Every enabled locale gets its file (possibly empty), and default/ its own."""
    for code in sorted(listing.locales):
        values = listing.locales[code]
        plan.documents[plan.app_dir / "locales" / f"{code}.yml"] = values
        if not values and listing.defaults:
            plan.note(
                listing.folders.get(code),
                f"{code} has no text of its own: deliver fills it from default/, so does"
                " ascsync (_defaults.yml)",
            )
    if listing.defaults:
        plan.documents[plan.app_dir / "locales" / "_defaults.yml"] = listing.defaults
        plan.default_keys = set(listing.defaults)


def _ordered_map(values: dict[str, object]) -> CommentedMap:
    out = CommentedMap()
    for key, value in values.items():
        out[key] = value
    return out


def _app_dir_name(bundle_id: str | None, primary: str | None, listing: Listing) -> str:
    """The bundle id's last part, else the app name, slugified."""
    if bundle_id:
        candidate = bundle_id.rsplit(".", 1)[-1]
    else:
        preferred = [primary, "en-US", *sorted(listing.locales)]
        names = [
            str(listing.locales[c]["name"])
            for c in preferred
            if c in listing.locales and "name" in listing.locales[c]
        ]
        if not names and "name" in listing.defaults:
            names = [str(listing.defaults["name"])]
        candidate = names[0] if names else "app"
    slug = re.sub(r"[^a-z0-9]+", "-", candidate.lower()).strip("-")
    return slug or "app"
