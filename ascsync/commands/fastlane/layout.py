"""Finding deliver's folders: which metadata, screenshots and settings belong to which platform.

A user points ``ascsync import fastlane`` at whatever they have: the project, its
``fastlane/`` folder, or the metadata folder itself. deliver's own defaults
(``fastlane/metadata``, ``fastlane/screenshots``), the paths a ``Deliverfile`` names, and
the per-platform folders teams keep (``metadata-mac``, ``metadata/macos``,
``for_platform :mac do metadata_path ...``) are all looked at, so the report can say
which platforms were found and which one was imported. A folder with none of these is
refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ascsync.commands.fastlane.deliver import (
    DEFAULT_LOCALE_FOLDER,
    PLATFORM_NAMES,
    REVIEW_FOLDER,
    ROOT_FILES,
    platform_of_folder,
)
from ascsync.commands.fastlane.plan import ImportOptions, ImportPlan
from ascsync.commands.fastlane.ruby import RubySettings, read_ruby_settings
from ascsync.commands.fastlane.sources import SourceRoot, read_value
from ascsync.errors import AscsyncError
from ascsync.rules.locales import APP_STORE_LOCALES

_LOCALES_FOLDED = {code.casefold() for code in APP_STORE_LOCALES}
PLATFORM_LABELS = {"IOS": "iOS", "MAC_OS": "macOS", "TV_OS": "tvOS", "VISION_OS": "visionOS"}


@dataclass
class PlatformFolders:
    """Where one platform's deliver files are; each path is None when there is none."""

    metadata: Path | None = None
    screenshots: Path | None = None
    previews: Path | None = None
    rating_config: Path | None = None

    def paths(self) -> list[Path]:
        found = [self.metadata, self.screenshots, self.previews, self.rating_config]
        return [p for p in found if p is not None]


@dataclass
class Discovery:
    """What was found: the root reads stay inside, settings, and folders per platform."""

    root: SourceRoot
    fastlane_dir: Path | None = None
    appfile: RubySettings | None = None
    deliverfile: RubySettings | None = None
    platforms: dict[str, PlatformFolders] = field(default_factory=dict)


def discover(options: ImportOptions, plan: ImportPlan, environ: Mapping[str, str]) -> Discovery:
    """Locate everything to import; raise a clear error when it is no deliver folder."""
    source = options.source
    fastlane_dir, metadata = _classify(source)
    if fastlane_dir is None and metadata is None:
        raise AscsyncError(
            f"{source} is not a fastlane deliver folder: it has no Deliverfile, no metadata/"
            " or screenshots/ folder and no locale folders (en-US/, de-DE/...) with"
            " name.txt/description.txt; nothing was written. Pass the project, its fastlane/"
            f" folder, or fastlane/metadata{_nested_hint(source)}"
        )
    project = _project(fastlane_dir) if fastlane_dir is not None else source
    found = Discovery(root=SourceRoot(project if fastlane_dir is not None else source))
    found.fastlane_dir = fastlane_dir
    if fastlane_dir is not None:
        found.appfile = _read_settings(fastlane_dir / "Appfile", found.root, plan, environ)
        found.deliverfile = _read_settings(fastlane_dir / "Deliverfile", found.root, plan, environ)
    default_platform = _deliverfile_platform(found, plan)
    if metadata is not None:
        found.platforms[default_platform] = PlatformFolders(metadata=metadata)
        if fastlane_dir is not None:
            _add_defaults(found, fastlane_dir, default_platform, screenshots_only=True)
    else:
        assert fastlane_dir is not None
        _add_defaults(found, fastlane_dir, default_platform, screenshots_only=False)
        _add_suffixed_folders(found, fastlane_dir)
        _add_deliverfile_paths(found, project, fastlane_dir, plan)
    _split_platform_subfolders(found)
    _apply_explicit_options(found, options)
    found.platforms = {p: f for p, f in found.platforms.items() if f.paths()}
    if not found.platforms:
        raise AscsyncError(
            f"{source} has a fastlane folder but no deliver metadata or screenshots"
            " (fastlane/metadata, fastlane/screenshots, or paths in the Deliverfile);"
            " nothing was written"
        )
    return found


# ---------------------------------------------------------------- what the folder is


def _classify(source: Path) -> tuple[Path | None, Path | None]:
    """(fastlane folder, metadata folder given directly); both None: not deliver's."""
    if _looks_like_fastlane(source / "fastlane"):
        return source / "fastlane", None
    if _looks_like_fastlane(source):
        return source, None
    if looks_like_metadata(source):
        parent = source.parent
        has_settings = (parent / "Appfile").is_file() or (parent / "Deliverfile").is_file()
        return (parent if has_settings or parent.name == "fastlane" else None), source
    return None, None


def _nested_hint(source: Path) -> str:
    """`` (found ios/fastlane)`` for a React Native or Flutter project's root."""
    nested = sorted(
        str(path.relative_to(source))
        for path in source.glob("*/fastlane")
        if _looks_like_fastlane(path)
    )
    return f" (found {', '.join(nested)}: pass one of them)" if nested else ""


def _looks_like_fastlane(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    if any((folder / name).is_file() for name in ("Deliverfile", "Appfile")):
        return True
    if (folder / "metadata").is_dir() or (folder / "screenshots").is_dir():
        return True
    return any(
        child.is_dir() and platform_of_folder(child.name) is not None
        for child in folder.iterdir()
        if child.name.lower().startswith(("metadata", "screenshots"))
    )


def looks_like_metadata(folder: Path) -> bool:
    """Locale folders, default/, review_information/ or deliver's root .txt files."""
    if not folder.is_dir():
        return False
    for child in folder.iterdir():
        name = child.name
        if child.is_dir() and (
            name.casefold() in _LOCALES_FOLDED or name in (DEFAULT_LOCALE_FOLDER, REVIEW_FOLDER)
        ):
            return True
        if child.is_file() and name in ROOT_FILES:
            return True
        if child.is_dir() and platform_of_folder(name) and looks_like_metadata(child):
            return True
    return False


def _project(fastlane_dir: Path) -> Path:
    """deliver runs from the project folder: the parent of ``fastlane/``."""
    return fastlane_dir.parent if fastlane_dir.name == "fastlane" else fastlane_dir


# ---------------------------------------------------------------- settings files


def _read_settings(
    path: Path, root: SourceRoot, plan: ImportPlan, environ: Mapping[str, str]
) -> RubySettings | None:
    if not (path.is_file() or path.is_symlink()) or not root.allows(path, plan):
        return None
    text = read_value(path, plan)
    if text is None:
        return None
    settings = read_ruby_settings(path, text, environ)
    if settings.skipped_lines:
        lines = ", ".join(str(n) for n in settings.skipped_lines)
        plan.warn(
            path,
            f"line(s) {lines}: Ruby that ascsync does not evaluate (conditions, method calls,"
            " string interpolation); settings there are not read",
        )
    return settings


def _deliverfile_platform(found: Discovery, plan: ImportPlan) -> str:
    """deliver's ``platform`` option (ios, osx, appletvos, xros) for the unsuffixed folders."""
    setting = found.deliverfile.get("platform", "IOS") if found.deliverfile else None
    if setting is None or not isinstance(setting.value, str):
        return "IOS"
    platform = PLATFORM_NAMES.get(setting.value.lower())
    if platform is None:
        plan.warn(
            found.deliverfile.path if found.deliverfile else None,
            f"platform {setting.value!r} unknown; read as ios",
        )
        return "IOS"
    return platform


# ---------------------------------------------------------------- folders per platform


def _add_defaults(
    found: Discovery, fastlane_dir: Path, platform: str, *, screenshots_only: bool
) -> None:
    folders = found.platforms.setdefault(platform, PlatformFolders())
    if not screenshots_only and (fastlane_dir / "metadata").is_dir():
        folders.metadata = fastlane_dir / "metadata"
    if (fastlane_dir / "screenshots").is_dir():
        folders.screenshots = fastlane_dir / "screenshots"


def _add_suffixed_folders(found: Discovery, fastlane_dir: Path) -> None:
    """``metadata-mac`` / ``metadata_macos`` / ``screenshots-tvos`` next to the defaults."""
    for child in sorted(fastlane_dir.iterdir()):
        lowered = child.name.lower()
        if not child.is_dir() or lowered in ("metadata", "screenshots"):
            continue
        platform = platform_of_folder(child.name)
        if platform is None or not lowered.startswith(("metadata", "screenshots")):
            continue
        folders = found.platforms.setdefault(platform, PlatformFolders())
        if lowered.startswith("metadata"):
            folders.metadata = child
        else:
            folders.screenshots = child


_PATH_OPTIONS = {
    "metadata_path": "metadata",
    "screenshots_path": "screenshots",
    "app_previews_path": "previews",
    "app_rating_config_path": "rating_config",
}


def _add_deliverfile_paths(
    found: Discovery, project: Path, fastlane_dir: Path, plan: ImportPlan
) -> None:
    """Paths the Deliverfile names, globally or inside ``for_platform`` blocks."""
    if found.deliverfile is None:
        return
    default_platform = _deliverfile_platform(found, plan)
    for setting in found.deliverfile.settings:
        attribute = _PATH_OPTIONS.get(setting.name)
        if attribute is None or setting.lane is not None:
            continue
        if not isinstance(setting.value, str):
            reason = setting.problem or "is not a plain path"
            plan.warn(
                found.deliverfile.path, f"line {setting.line}: {setting.name} {reason}; not used"
            )
            continue
        path = _resolve(setting.value, project, fastlane_dir)
        if path is None:
            plan.warn(
                found.deliverfile.path,
                f"line {setting.line}: {setting.name} {setting.value!r} does not exist; not used",
            )
            continue
        refusal = found.root.refusal(path)
        if refusal is not None:
            plan.error(
                found.deliverfile.path,
                f"line {setting.line}: {setting.name} {setting.value!r} {refusal}",
            )
            continue
        folders = found.platforms.setdefault(
            setting.platform or default_platform, PlatformFolders()
        )
        setattr(folders, attribute, path)


def _resolve(value: str, project: Path, fastlane_dir: Path) -> Path | None:
    """deliver resolves relative paths from the project folder; fastlane/ is tried second."""
    for base in (project, fastlane_dir):
        candidate = base / value
        if candidate.exists():
            return candidate
    return None


def _split_platform_subfolders(found: Discovery) -> None:
    """``metadata/ios/en-US`` + ``metadata/macos/en-US``: one folder per platform inside."""
    for platform, folders in list(found.platforms.items()):
        for attribute in ("metadata", "screenshots"):
            base = getattr(folders, attribute)
            if base is None:
                continue
            inner = {
                platform_of_folder(child.name): child
                for child in sorted(base.iterdir())
                if platform_of_folder(child.name) is not None and looks_like_metadata(child)
            }
            if not inner:
                continue
            setattr(folders, attribute, inner.pop(platform, None))
            for other, path in inner.items():
                assert other is not None
                setattr(found.platforms.setdefault(other, PlatformFolders()), attribute, path)


def _apply_explicit_options(found: Discovery, options: ImportOptions) -> None:
    folders = found.platforms.setdefault(options.platform, PlatformFolders())
    if options.screenshots is not None:
        folders.screenshots = options.screenshots
    if options.previews is not None:
        folders.previews = options.previews
    if options.rating_config is not None:
        folders.rating_config = options.rating_config


def describe_platforms(found: Discovery, base: Path) -> str:
    """``iOS (fastlane/metadata, fastlane/screenshots) and macOS (fastlane/metadata-mac)``."""
    parts = []
    for platform, folders in found.platforms.items():
        paths = ", ".join(_display(p, base) for p in folders.paths())
        parts.append(f"{PLATFORM_LABELS.get(platform, platform)} ({paths})")
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts)


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
