"""Screenshots and app previews: deliver's flat locale folders -> typed set folders.

deliver detects a screenshot's display type from its pixel size [F app_screenshot.rb];
the import does the same, and for the sizes two slots share it follows deliver's
file-name rules: 2048×2732 goes to the 13" (3rd generation) slot when the name says so
(``ipadPro129``, ``IPAD_PRO_3GEN_129``, simulator names) and to the legacy 12.9"
(2nd generation) slot for ``ipadPro``, ``APP_IPAD_PRO_129`` or "(2nd generation)", so
a folder holding both generations lands in two sets, as on the App Store.

Two things real folders hold are caught here rather than failing validation later, one
report line per folder: JPEG data named ``.png`` (deliver's ``download_screenshots``
keeps App Store Connect's file names) is copied with a ``.jpg`` name, and Git LFS
pointer files (the images were never downloaded) are named as such.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ascsync.commands.fastlane.deliver import (
    DEFAULT_LOCALE_FOLDER,
    FORMAT_SUFFIX,
    IMAGE_SUFFIXES,
    IPAD_13_HINTS,
    IPAD_129_HINT,
)
from ascsync.commands.fastlane.listing import LOCALES_BY_FOLD, not_a_locale, report_folder
from ascsync.commands.fastlane.plan import ImportPlan
from ascsync.commands.fastlane.sources import LFS_HINT, SourceRoot, entries, is_lfs_pointer
from ascsync.desired.media import LfsPointer, UnreadableMedia, image_info, list_media
from ascsync.rules.locales import APP_STORE_LOCALES
from ascsync.rules.media import PREVIEW_EXTENSIONS, PREVIEW_TYPES, SCREENSHOT_DISPLAY_TYPES

VARIANTS = ("appleTV", "iMessage")


@dataclass
class _Folder:
    """Per-folder findings reported as one line each (a folder may hold 80 such files)."""

    lfs: list[Path] = field(default_factory=list)
    renamed: list[tuple[Path, str]] = field(default_factory=list)


@dataclass
class ScreenshotResult:
    types: set[str] = field(default_factory=set)  # display types imported anywhere
    locales: set[str] = field(default_factory=set)  # locales that got screenshots


def plan_screenshots(
    base: Path, root: SourceRoot, enabled: set[str], plan: ImportPlan
) -> ScreenshotResult:
    """Plan copies of ``<base>/[appleTV|iMessage/]<locale>/*`` into typed set folders."""
    result = ScreenshotResult()
    defaults: list[tuple[Path, str, str]] = []  # (source, display type, target name)
    for variant, folder_root in _roots(base, root, plan):
        for folder in entries(folder_root, root, plan):
            if not folder.is_dir():
                plan.warn(folder, "screenshots must be in a locale folder; not imported")
                continue
            if variant is None and folder.name in VARIANTS:
                continue
            locale = _locale(folder, root, plan)
            if locale is None:
                continue
            for source, display_type, name in _classify(folder, variant, root, plan):
                if locale == DEFAULT_LOCALE_FOLDER:
                    defaults.append((source, display_type, name))
                    continue
                result.types.add(display_type)
                result.locales.add(locale)
                plan_copy(plan, locale, display_type, source, name)
    _plan_defaults(defaults, enabled | result.locales, plan, result)
    return result


def _roots(base: Path, root: SourceRoot, plan: ImportPlan) -> list[tuple[str | None, Path]]:
    """deliver keeps Apple TV and iMessage screenshots in their own subtrees."""
    found: list[tuple[str | None, Path]] = [(None, base)]
    for variant in VARIANTS:
        path = base / variant
        if path.is_dir() and root.allows(path, plan):
            found.append((variant, path))
    return found


def _locale(folder: Path, root: SourceRoot, plan: ImportPlan) -> str | None:
    if folder.name == DEFAULT_LOCALE_FOLDER or folder.name in APP_STORE_LOCALES:
        return folder.name
    if folder.name.casefold() in LOCALES_BY_FOLD:
        return LOCALES_BY_FOLD[folder.name.casefold()]
    report_folder(folder, root, not_a_locale(folder.name), plan)
    return None


def _classify(
    folder: Path, variant: str | None, root: SourceRoot, plan: ImportPlan
) -> list[tuple[Path, str, str]]:
    """(file, display type, target name) per usable screenshot; the rest is reported."""
    files: list[Path] = []
    for path in entries(folder, root, plan):
        if path.is_dir():
            report_folder(path, root, "deliver does not read nested folders", plan)
        else:
            files.append(path)
    files = [p for p in list_media(folder) if p in set(files)]
    framed = [p for p in files if p.stem.endswith("_framed")]
    found = _Folder()
    result = []
    for path in files:
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            plan.warn(path, "not a .png/.jpg/.jpeg screenshot; not imported")
            continue
        if framed and path not in framed and not _is_watch(path):
            # deliver's rule: once any framed file exists, only framed ones are uploaded.
            plan.warn(path, "unframed original skipped: deliver uploads the _framed version")
            continue
        classified = _one(path, variant, found, plan)
        if classified is not None:
            result.append((path, *classified))
    _report_folder_findings(folder, found, plan)
    return result


def _one(
    path: Path, variant: str | None, found: _Folder, plan: ImportPlan
) -> tuple[str, str] | None:
    """(display type, target file name) for one image, or None (reported)."""
    try:
        info = image_info(path)
    except LfsPointer:
        found.lfs.append(path)
        return None
    except UnreadableMedia as exc:
        plan.error(path, f"{exc}; not imported")
        return None
    name = path.name
    right_suffix = FORMAT_SUFFIX.get(info.format)
    if right_suffix and FORMAT_SUFFIX.get(_format_of_suffix(path.suffix)) != right_suffix:
        name = path.with_suffix(right_suffix).name
        found.renamed.append((path, name))
    display_type = _display_type(path, info.size, variant, plan)
    return (display_type, name) if display_type else None


def _format_of_suffix(suffix: str) -> str:
    return {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}.get(suffix.lower(), "")


def _report_folder_findings(folder: Path, found: _Folder, plan: ImportPlan) -> None:
    if found.lfs:
        names = _some(p.name for p in found.lfs)
        plan.error(folder, f"{len(found.lfs)} file(s) are {LFS_HINT} ({names})")
    if found.renamed:
        first, name = found.renamed[0]
        formats = {_format_of_suffix(p.suffix) or p.suffix for p, _ in found.renamed}
        kind = "JPEG data" if all(n.endswith(".jpg") for _, n in found.renamed) else "image data"
        plan.note(
            folder,
            f"{len(found.renamed)} file(s) hold {kind} under a {'/'.join(sorted(formats)).lower()}"
            f" name; imported with the right extension (e.g. {first.name} -> {name})."
            " deliver's download_screenshots keeps App Store Connect's original names",
        )


def _some(names: object, limit: int = 3) -> str:
    items = list(names)  # type: ignore[call-overload]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _is_watch(path: Path) -> bool:
    try:
        size = image_info(path).size
    except UnreadableMedia:
        return False
    return any(
        size in spec.accepted()
        for name, spec in SCREENSHOT_DISPLAY_TYPES.items()
        if name.startswith("APP_WATCH")
    )


def _display_type(
    path: Path, size: tuple[int, int], variant: str | None, plan: ImportPlan
) -> str | None:
    """The display type for an image, by pixel size as deliver does, with name hints."""
    candidates = _types_for_size(size)
    if variant == "iMessage":
        candidates = [
            f"IMESSAGE_{name}"
            for name in candidates
            if f"IMESSAGE_{name}" in SCREENSHOT_DISPLAY_TYPES
        ]
    if not candidates:
        width, height = size
        plan.error(
            path, f"{width}×{height} is not a screenshot size of any display type; not imported"
        )
        return None
    if len(candidates) == 1:
        return candidates[0]
    return _resolve_ambiguous(path, candidates, variant, plan)


def _types_for_size(size: tuple[int, int]) -> list[str]:
    """App display types accepting ``size``; legacy sizes only when nothing else fits."""
    app_types = [name for name in SCREENSHOT_DISPLAY_TYPES if name.startswith("APP_")]
    exact = [name for name in app_types if size in SCREENSHOT_DISPLAY_TYPES[name].accepted()]
    if exact:
        return exact
    return [name for name in app_types if size in SCREENSHOT_DISPLAY_TYPES[name].legacy()]


def _resolve_ambiguous(
    path: Path, candidates: list[str], variant: str | None, plan: ImportPlan
) -> str:
    """2048×2732 (two iPad slots) and 3840×2160 (TV or Vision Pro) need a hint."""
    name = f"{path.parent.name}/{path.name}"  # not the whole path: a user's folder may match
    if any(c.endswith("IPAD_PRO_3GEN_129") for c in candidates):
        third = next(c for c in candidates if c.endswith("IPAD_PRO_3GEN_129"))
        second = next(c for c in candidates if c.endswith("IPAD_PRO_129") and "3GEN" not in c)
        if any(hint in name for hint in IPAD_13_HINTS):
            return third
        if IPAD_129_HINT.search(name):
            return second
        plan.warn(
            path,
            f"size fits {third} and {second}; imported as {third}"
            ' (the required 13" slot); name it with "ipadPro129" or "ipadPro" to choose',
        )
        return third
    if "APP_APPLE_VISION_PRO" in candidates and "vision" in name.lower() and variant != "appleTV":
        return "APP_APPLE_VISION_PRO"
    chosen = "APP_APPLE_TV" if "APP_APPLE_TV" in candidates else candidates[0]
    if variant != "appleTV":
        plan.warn(
            path,
            f"size fits {' and '.join(candidates)}; imported as {chosen}"
            ' (put "vision" in the file name for Vision Pro)',
        )
    return chosen


def plan_copy(
    plan: ImportPlan,
    locale: str,
    display_type: str,
    source: Path,
    name: str | None = None,
    kind: str = "screenshots",
) -> None:
    target = plan.app_dir / kind / locale / display_type / (name or source.name)
    if target in plan.copies:
        plan.error(source, f"same file name as {plan.copies[target]} in {locale}/{display_type}")
        return
    plan.copies[target] = source


def _plan_defaults(
    defaults: list[tuple[Path, str, str]],
    locales: set[str],
    plan: ImportPlan,
    result: ScreenshotResult,
) -> None:
    """``default/`` screenshots fill every enabled locale lacking that display type."""
    if not defaults:
        return
    have = {(target.parts[-3], target.parts[-2]) for target in plan.copies}
    for source, display_type, name in defaults:
        filled = [loc for loc in sorted(locales) if (loc, display_type) not in have]
        for locale in filled:
            plan_copy(plan, locale, display_type, source, name)
            result.types.add(display_type)
        if not filled:
            plan.warn(source, "default screenshot not needed: every locale has its own set")


def plan_previews(base: Path, root: SourceRoot, plan: ImportPlan) -> set[str]:
    """``<app_previews_path>/<locale>/*.mp4``: deliver reads the preview type from the name.

    deliver takes the first PreviewType value contained in the upper-cased file name,
    e.g. ``01_IPHONE_67.mp4``; files without one are skipped by deliver and reported here.
    Returns the locales that got previews.
    """
    locales: set[str] = set()
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for folder in entries(base, root, plan):
        if not folder.is_dir():
            plan.warn(folder, "previews must be in a locale folder; not imported")
            continue
        locale = _locale(folder, root, plan)
        if locale is None:
            continue
        for path in entries(folder, root, plan):
            if path.is_dir():
                report_folder(path, root, "deliver does not read nested folders", plan)
                continue
            if path.suffix.lower() not in PREVIEW_EXTENSIONS:
                plan.warn(path, "not a .mov/.m4v/.mp4 preview; not imported")
                continue
            if is_lfs_pointer(path):
                by_folder[folder].append(path)
                continue
            preview_type = next((t for t in PREVIEW_TYPES if t in path.name.upper()), None)
            if preview_type is None:
                plan.warn(path, "no preview type (e.g. IPHONE_67) in the file name; not imported")
                continue
            locales.add(locale)
            plan_copy(plan, locale, preview_type, path, kind="previews")
    for folder, pointers in by_folder.items():
        plan.error(
            folder, f"{len(pointers)} file(s) are {LFS_HINT} ({_some(p.name for p in pointers)})"
        )
    return locales
