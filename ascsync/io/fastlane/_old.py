"""``ascsync import fastlane``: turn a fastlane ``deliver`` folder into an ascsync repo.

Teams arrive with years of listing text in ``fastlane/metadata`` and screenshots in
``fastlane/screenshots``; retyping it would be the first reason not to switch. The
importer maps deliver's layout file by file (see ``peers.md`` §1.1 for the facts it
relies on) and promises one thing above all: nothing the user wrote is lost silently.
Every file is either written into the new layout or listed in the report with the
reason it was not.

The import is planned completely first and written only if no target file exists
(or ``--force`` is given), so a failed import never leaves half a repo behind.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, TaggedScalar
from ruamel.yaml.scalarstring import LiteralScalarString

from ascsync.desired.media import UnreadableMedia, image_info, list_media
from ascsync.errors import AscsyncError
from ascsync.problems import Severity
from ascsync.rules import age_rating
from ascsync.rules.locales import APP_STORE_LOCALES
from ascsync.rules.media import PREVIEW_EXTENSIONS, PREVIEW_TYPES, SCREENSHOT_DISPLAY_TYPES

# ---------------------------------------------------------------- deliver's layout (facts)

# <metadata>/<locale>/<file>.txt -> key in locales/<locale>.yml
LOCALE_FILES: dict[str, str] = {
    "name.txt": "name",
    "subtitle.txt": "subtitle",
    "privacy_url.txt": "privacy_policy_url",
    "apple_tv_privacy_policy.txt": "privacy_policy_text",
    "description.txt": "description",
    "keywords.txt": "keywords",
    "release_notes.txt": "whats_new",
    "support_url.txt": "support_url",
    "marketing_url.txt": "marketing_url",
    "promotional_text.txt": "promotional_text",
}
DEFAULT_LOCALE_FOLDER = "default"

# <metadata>/<file>.txt -> (main category key, subcategory index or None)
CATEGORY_FILES: dict[str, tuple[str, int | None]] = {
    "primary_category.txt": ("primary", None),
    "primary_first_sub_category.txt": ("primary", 0),
    "primary_second_sub_category.txt": ("primary", 1),
    "secondary_category.txt": ("secondary", None),
    "secondary_first_sub_category.txt": ("secondary", 0),
    "secondary_second_sub_category.txt": ("secondary", 1),
}

# Legacy iTunes Connect category names still found in deliver folders -> API ids
# (facts from spaceship's app_category.rb). Anything else is taken as an API id already.
LEGACY_CATEGORIES: dict[str, str] = {
    "Apps.Food_Drink": "FOOD_AND_DRINK",
    "Business": "BUSINESS",
    "Education": "EDUCATION",
    "SocialNetworking": "SOCIAL_NETWORKING",
    "Book": "BOOKS",
    "Sports": "SPORTS",
    "Finance": "FINANCE",
    "Reference": "REFERENCE",
    "Apps.GraphicsDesign": "GRAPHICS_AND_DESIGN",
    "Apps.DeveloperTools": "DEVELOPER_TOOLS",
    "Healthcare_Fitness": "HEALTH_AND_FITNESS",
    "Music": "MUSIC",
    "Weather": "WEATHER",
    "Travel": "TRAVEL",
    "Entertainment": "ENTERTAINMENT",
    "Stickers": "STICKERS",
    "Games": "GAMES",
    "Lifestyle": "LIFESTYLE",
    "Medical": "MEDICAL",
    "Apps.Newsstand": "MAGAZINES_AND_NEWSPAPERS",
    "Utilities": "UTILITIES",
    "Apps.Shopping": "SHOPPING",
    "Productivity": "PRODUCTIVITY",
    "News": "NEWS",
    "Photography": "PHOTO_AND_VIDEO",
    "Navigation": "NAVIGATION",
}
LEGACY_SUBCATEGORIES: dict[str, str] = {
    "Sports": "GAMES_SPORTS",
    "Word": "GAMES_WORD",
    "Music": "GAMES_MUSIC",
    "Adventure": "GAMES_ADVENTURE",
    "Action": "GAMES_ACTION",
    "RolePlaying": "GAMES_ROLE_PLAYING",
    "Arcade": "GAMES_CASUAL",
    "Board": "GAMES_BOARD",
    "Trivia": "GAMES_TRIVIA",
    "Card": "GAMES_CARD",
    "Puzzle": "GAMES_PUZZLE",
    "Casino": "GAMES_CASINO",
    "Strategy": "GAMES_STRATEGY",
    "Simulation": "GAMES_SIMULATION",
    "Racing": "GAMES_RACING",
    "Family": "GAMES_FAMILY",
    "Apps.Stickers.Places": "STICKERS_PLACES_AND_OBJECTS",
    "Apps.Stickers.Emotions": "STICKERS_EMOJI_AND_EXPRESSIONS",
    "Apps.Stickers.BirthdaysAndCelebrations": "STICKERS_CELEBRATIONS",
    "Apps.Stickers.Celebrities": "STICKERS_CELEBRITIES",
    "Apps.Stickers.MoviesAndTV": "STICKERS_MOVIES_AND_TV",
    "Apps.Stickers.Sports": "STICKERS_SPORTS_AND_ACTIVITIES",
    "Apps.Stickers.FoodAndDrink": "STICKERS_EATING_AND_DRINKING",
    "Apps.Stickers.Characters": "STICKERS_CHARACTERS",
    "Apps.Stickers.Animals": "STICKERS_ANIMALS",
    "Apps.Stickers.Fashion": "STICKERS_FASHION",
    "Apps.Stickers.Art": "STICKERS_ART",
    "Apps.Stickers.Games": "STICKERS_GAMING",
    "Apps.Stickers.KidsAndFamily": "STICKERS_KIDS_AND_FAMILY",
    "Apps.Stickers.People": "STICKERS_PEOPLE",
    "Apps.Stickers.Music": "STICKERS_MUSIC",
}

# review_information/<file>.txt -> path inside version.yml's ``review``; deliver still
# reads the older ``review_*`` names, so they are accepted too.
REVIEW_FILES: dict[str, tuple[str, ...]] = {
    "first_name.txt": ("contact", "first_name"),
    "last_name.txt": ("contact", "last_name"),
    "phone_number.txt": ("contact", "phone"),
    "email_address.txt": ("contact", "email"),
    "demo_user.txt": ("demo_account", "name"),
    "demo_password.txt": ("demo_account", "password"),
    "notes.txt": ("notes",),
}
REVIEW_FILES.update({f"review_{name}": target for name, target in list(REVIEW_FILES.items())})
REVIEW_FOLDER = "review_information"

LEGACY_ROOT_REVIEW_FILES = {name for name in REVIEW_FILES if name.startswith("review_")}
ROOT_FILES = set(CATEGORY_FILES) | {"copyright.txt"} | LEGACY_ROOT_REVIEW_FILES

# Folders deliver knows but ascsync does not manage: folder -> reason shown to the user.
UNMANAGED_FOLDERS: dict[str, str] = {
    "trade_representative_contact_information": "Korean trade representative contact is not"
    " managed by ascsync; keep it in App Store Connect",
    "app_clip_review_information": "App Clip review information is not managed by ascsync",
}
# Folders fastlane itself skips in a metadata folder.
SKIPPED_FOLDERS = {"android", "fonts"}

# Rating config (deliver's app_rating_config_path JSON): legacy iTunes Connect keys.
LEGACY_RATING_KEYS: dict[str, str] = {
    "CARTOON_FANTASY_VIOLENCE": "violenceCartoonOrFantasy",
    "REALISTIC_VIOLENCE": "violenceRealistic",
    "PROLONGED_GRAPHIC_SADISTIC_REALISTIC_VIOLENCE": "violenceRealisticProlongedGraphicOrSadistic",
    "PROFANITY_CRUDE_HUMOR": "profanityOrCrudeHumor",
    "MATURE_SUGGESTIVE": "matureOrSuggestiveThemes",
    "HORROR": "horrorOrFearThemes",
    "MEDICAL_TREATMENT_INFO": "medicalOrTreatmentInformation",
    "ALCOHOL_TOBACCO_DRUGS": "alcoholTobaccoOrDrugUseOrReferences",
    "GAMBLING": "gamblingSimulated",
    "SEXUAL_CONTENT_NUDITY": "sexualContentOrNudity",
    "GRAPHIC_SEXUAL_CONTENT_NUDITY": "sexualContentGraphicAndNudity",
    "UNRESTRICTED_WEB_ACCESS": "unrestrictedWebAccess",
    "GAMBLING_CONTESTS": "gamblingAndContests",
}
# Attributes Apple removed from the API (spec 3.7 -> 4.4.1): never sent, always reported.
REMOVED_RATING_KEYS: dict[str, str] = {
    "gamblingAndContests": "Apple split it into `gambling` and `contests`; answer those",
    "seventeenPlus": "Apple removed it; use age_rating_override_v2 if needed",
}
LEGACY_LEVELS = {0: "NONE", 1: "INFREQUENT", 2: "FREQUENT"}

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Note:
    """One line of the report: a file that could not be (fully) mapped, and why."""

    severity: Severity
    source: Path | None
    message: str


@dataclass
class ImportPlan:
    """Everything the import would write, computed before anything is touched."""

    app_dir: Path  # relative to the output repo, e.g. apps/moviecatalog
    documents: dict[Path, Any] = field(default_factory=dict)  # relative path -> YAML data
    copies: dict[Path, Path] = field(default_factory=dict)  # relative target -> source file
    notes: list[Note] = field(default_factory=list)

    def warn(self, source: Path | None, message: str) -> None:
        self.notes.append(Note(Severity.WARNING, source, message))

    def error(self, source: Path | None, message: str) -> None:
        self.notes.append(Note(Severity.ERROR, source, message))

    @property
    def errors(self) -> list[Note]:
        return [note for note in self.notes if note.severity is Severity.ERROR]


@dataclass(frozen=True)
class ImportOptions:
    """What the user told ``ascsync import fastlane``."""

    metadata: Path
    screenshots: Path | None = None
    rating_config: Path | None = None
    previews: Path | None = None
    app: str | None = None
    bundle_id: str | None = None
    platform: str = "IOS"
    primary_locale: str | None = None
    app_version: str | None = None


def read_text(path: Path, plan: ImportPlan) -> str | None:
    """A deliver ``.txt`` value: UTF-8 (BOM tolerated), stripped as deliver strips it.

    Returns None for an empty file, as deliver skips empty values (they cannot clear a
    field), and for a file that is not UTF-8, which is reported.
    """
    try:
        value = path.read_text(encoding="utf-8-sig").strip()
    except UnicodeDecodeError:
        plan.error(path, "not UTF-8 text; re-save it as UTF-8 and import again")
        return None
    except OSError as exc:
        plan.error(path, f"cannot be read ({exc.strerror or exc})")
        return None
    if not value:
        plan.warn(path, "empty, skipped (deliver skips empty values too)")
        return None
    return value


def text_value(value: str) -> str:
    """Multi-line text as a ``|`` block scalar so it stays readable in review diffs."""
    return LiteralScalarString(value) if "\n" in value else value


# ---------------------------------------------------------------- metadata folder


def plan_import(options: ImportOptions) -> ImportPlan:
    """Map the whole fastlane tree to documents and copies; write nothing."""
    metadata = options.metadata
    if (metadata / "metadata").is_dir() and not any(metadata.glob("*/name.txt")):
        raise AscsyncError(f"{metadata} looks like a fastlane folder; pass {metadata / 'metadata'}")
    plan = ImportPlan(app_dir=Path("apps"))  # the app folder name is known after reading
    locale_dirs, defaults_dir = _scan_metadata(metadata, plan)
    locales = {code: _import_locale(folder, plan) for code, folder in locale_dirs.items()}
    if not options.bundle_id:
        options = replace(options, bundle_id=_bundle_id_from_appfile(metadata.parent, plan))
    name = options.app or _app_dir_name(options, locales)
    plan.app_dir = Path("apps") / name
    for code, values in locales.items():
        if values:
            plan.documents[plan.app_dir / "locales" / f"{code}.yml"] = values
    if defaults_dir is not None:
        defaults = _import_locale(defaults_dir, plan)
        if defaults:
            plan.documents[plan.app_dir / "locales" / "_defaults.yml"] = defaults
    screenshot_types: set[str] = set()
    if options.screenshots is not None:
        screenshot_types = _plan_screenshots(options.screenshots, set(locales), plan)
    if options.previews is not None:
        _plan_previews(options.previews, plan)
    primary = _primary_locale(options, locales, plan)
    plan.documents[plan.app_dir / "app.yml"] = _app_document(
        options, metadata, primary, screenshot_types, plan
    )
    version = _version_document(options, metadata, name, plan)
    if version:
        plan.documents[plan.app_dir / "version.yml"] = version
    if options.rating_config is not None:
        rating = _rating_document(options.rating_config, plan)
        if rating:
            plan.documents[plan.app_dir / "age-rating.yml"] = rating
    return plan


def _scan_metadata(metadata: Path, plan: ImportPlan) -> tuple[dict[str, Path], Path | None]:
    """Sort the metadata folder's entries; anything not understood goes into the report."""
    locale_dirs: dict[str, Path] = {}
    defaults_dir = None
    by_lower = {code.lower(): code for code in APP_STORE_LOCALES}
    for entry in sorted(metadata.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            # Root files: categories, copyright and the legacy review_* names.
            if entry.name not in ROOT_FILES:
                plan.warn(entry, "not a file deliver uses here; not imported")
            continue
        if entry.name == DEFAULT_LOCALE_FOLDER:
            defaults_dir = entry
        elif entry.name in APP_STORE_LOCALES and entry.name not in locale_dirs:
            locale_dirs[entry.name] = entry
        elif entry.name.lower() in by_lower:
            code = by_lower[entry.name.lower()]
            if code in locale_dirs:
                _report_folder(entry, f"duplicate of {locale_dirs[code].name}; not imported", plan)
                continue
            plan.warn(entry, f"imported as {code} (App Store locale codes are case-sensitive)")
            locale_dirs[code] = entry
        elif entry.name == REVIEW_FOLDER:
            continue
        elif entry.name in UNMANAGED_FOLDERS:
            _report_folder(entry, UNMANAGED_FOLDERS[entry.name], plan)
        elif entry.name in SKIPPED_FOLDERS:
            plan.warn(entry, "skipped (fastlane skips this folder too)")
        else:
            _report_folder(entry, "not an App Store locale; not imported", plan)
    return locale_dirs, defaults_dir


def _report_path(path: Path, reason: str, plan: ImportPlan) -> None:
    if path.is_dir():
        _report_folder(path, reason, plan)
    else:
        plan.warn(path, reason)


def _report_folder(folder: Path, reason: str, plan: ImportPlan) -> None:
    """List every file of a folder that is not imported, so nothing is lost unnoticed."""
    files = [path for path in sorted(folder.rglob("*")) if path.is_file()]
    if not files:
        plan.warn(folder, reason)
    for path in files:
        plan.warn(path, reason)


def _import_locale(folder: Path, plan: ImportPlan) -> CommentedMap:
    values = CommentedMap()
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        key = LOCALE_FILES.get(path.name)
        if key is None or not path.is_file():
            _report_path(path, "not a deliver metadata file; not imported", plan)
            continue
        value = read_text(path, plan)
        if value is None:
            continue
        if key == "keywords":
            values[key] = [word.strip() for word in re.split(r"[,\n]", value) if word.strip()]
        else:
            values[key] = text_value(value)
    return _ordered(values, list(LOCALE_FILES.values()))


def _ordered(values: CommentedMap, order: list[str]) -> CommentedMap:
    """Keys in the documented order, so imported files look like hand-written ones."""
    result = CommentedMap()
    for key in order:
        if key in values:
            result[key] = values[key]
    return result


_APP_IDENTIFIER = re.compile(r"""^\s*app_identifier\s*\(?\s*["']([^"']+)["']""", re.MULTILINE)


def _bundle_id_from_appfile(fastlane_dir: Path, plan: ImportPlan) -> str | None:
    """The bundle id from ``fastlane/Appfile``'s ``app_identifier``, when it names just one."""
    appfile = fastlane_dir / "Appfile"
    if not appfile.is_file():
        return None
    try:
        found = sorted(set(_APP_IDENTIFIER.findall(appfile.read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError):
        return None
    if len(found) == 1:
        plan.warn(appfile, f"bundle_id {found[0]} taken from app_identifier; check app.yml")
        return found[0]
    if found:
        plan.warn(appfile, f"several app_identifier values ({', '.join(found)}); use --bundle-id")
    return None


def _app_dir_name(options: ImportOptions, locales: dict[str, CommentedMap]) -> str:
    """``--app``, else the bundle id's last part, else the app name, slugified."""
    if options.bundle_id:
        candidate = options.bundle_id.rsplit(".", 1)[-1]
    else:
        preferred = [options.primary_locale, "en-US", *sorted(locales)]
        names = [
            str(locales[c]["name"]) for c in preferred if c in locales and "name" in locales[c]
        ]
        candidate = names[0] if names else "app"
    slug = re.sub(r"[^a-z0-9]+", "-", candidate.lower()).strip("-")
    return slug or "app"


def _primary_locale(
    options: ImportOptions, locales: dict[str, CommentedMap], plan: ImportPlan
) -> str | None:
    if options.primary_locale:
        return options.primary_locale
    if "en-US" in locales:
        return "en-US"
    if locales:
        guess = sorted(locales)[0]
        plan.warn(None, f"primary_locale guessed as {guess}; check app.yml (--primary-locale)")
        return guess
    return None


def _app_document(
    options: ImportOptions,
    metadata: Path,
    primary: str | None,
    screenshot_types: set[str],
    plan: ImportPlan,
) -> CommentedMap:
    app = CommentedMap()
    if options.bundle_id:
        app["bundle_id"] = options.bundle_id
    else:
        plan.warn(None, f"{plan.app_dir}/app.yml has no bundle_id: add it (or use --bundle-id)")
    app["platform"] = options.platform
    if primary:
        app["primary_locale"] = primary
    if options.platform == "IOS":
        has_ipad = any("IPAD" in name for name in screenshot_types)
        app["supports_ipad"] = has_ipad
        app.yaml_add_eol_comment("guessed from the screenshots found; check it", "supports_ipad")
    categories = _categories(metadata, plan)
    if categories:
        app["categories"] = categories
    return app


def _categories(metadata: Path, plan: ImportPlan) -> CommentedMap:
    found: dict[str, dict] = {"primary": {}, "secondary": {}}
    for name, (group, index) in CATEGORY_FILES.items():
        path = metadata / name
        if not path.is_file():
            continue
        raw = read_text(path, plan)
        if raw is None:
            continue
        legacy = raw.removeprefix("MZGenre.")
        if index is None:
            found[group]["main"] = LEGACY_CATEGORIES.get(legacy, legacy)
        else:
            found[group][index] = LEGACY_SUBCATEGORIES.get(legacy, legacy)
    categories = CommentedMap()
    for group in ("primary", "secondary"):
        values = found[group]
        if "main" in values:
            categories[group] = values["main"]
        subs = [values[i] for i in (0, 1) if i in values]
        if subs:
            categories[f"{group}_subcategories"] = subs
    return categories


def _version_document(
    options: ImportOptions, metadata: Path, app_name: str, plan: ImportPlan
) -> CommentedMap:
    version = CommentedMap()
    if options.app_version:
        version["version"] = options.app_version
    else:
        plan.warn(None, f"{plan.app_dir}/version.yml has no version: add it (or use --app-version)")
    copyright_file = metadata / "copyright.txt"
    if copyright_file.is_file():
        value = read_text(copyright_file, plan)
        if value is not None:
            version["copyright"] = value
    review = _review(metadata, app_name, plan)
    if review:
        version["review"] = review
    return version


def _review(metadata: Path, app_name: str, plan: ImportPlan) -> CommentedMap:
    """``review_information/*.txt`` -> ``review``; the password becomes an ``!env`` tag."""
    files = (
        sorted((metadata / REVIEW_FOLDER).glob("*")) if (metadata / REVIEW_FOLDER).is_dir() else []
    )
    files += sorted(p for p in metadata.glob("review_*.txt") if p.name in LEGACY_ROOT_REVIEW_FILES)
    values: dict[tuple[str, ...], str] = {}
    sources: dict[tuple[str, ...], Path] = {}
    for path in files:
        target = REVIEW_FILES.get(path.name)
        if target is None:
            plan.warn(path, "not a deliver review_information file; not imported")
            continue
        value = read_text(path, plan)
        if value is not None:
            values[target] = value
            sources[target] = path
    review = CommentedMap()
    contact = {key[1]: text for key, text in values.items() if key[0] == "contact"}
    if contact:
        review["contact"] = CommentedMap(
            (k, contact[k]) for k in ("first_name", "last_name", "phone", "email") if k in contact
        )
    demo_name = values.get(("demo_account", "name"))
    has_password = ("demo_account", "password") in values
    if demo_name or has_password:
        demo = CommentedMap(required=True)
        if demo_name:
            demo["name"] = demo_name
        if has_password:
            variable = re.sub(r"[^A-Z0-9]+", "_", app_name.upper()).strip("_") + "_DEMO_PASSWORD"
            demo["password"] = TaggedScalar(value=variable, tag="!env")
            plan.warn(
                sources[("demo_account", "password")],
                f"the demo password was not copied; version.yml reads it from ${variable}:"
                " set that variable where you run ascsync (e.g. a CI secret)",
            )
        review["demo_account"] = demo
    if ("notes",) in values:
        review["notes"] = text_value(values[("notes",)])
    return review


# ---------------------------------------------------------------- rating config


def _rating_document(path: Path, plan: ImportPlan) -> CommentedMap:
    """deliver's rating JSON -> ``age-rating.yml`` (snake_case keys, current values)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        plan.error(path, f"not a readable JSON file ({exc})")
        return CommentedMap()
    if not isinstance(data, dict):
        plan.error(path, "expected a JSON object of rating answers")
        return CommentedMap()
    levels = set(age_rating.LEVEL_QUESTIONS)
    booleans = set(age_rating.REQUIRED_BOOLEANS) | set(age_rating.OPTIONAL_BOOLEANS)
    result = CommentedMap()
    for raw_key, raw_value in data.items():
        key = str(raw_key).removeprefix("MZGenre.")
        key = LEGACY_RATING_KEYS.get(key, key)
        if key in REMOVED_RATING_KEYS:
            plan.warn(path, f"{raw_key}: not imported, {REMOVED_RATING_KEYS[key]}")
            continue
        snake = age_rating.snake_name(key)
        if snake in levels:
            value = _rating_level(raw_value)
        elif snake in booleans:
            value = _rating_bool(raw_value)
        elif snake in _OTHER_RATING_KEYS:
            value = raw_value
        else:
            plan.warn(path, f"{raw_key}: not an age rating attribute ascsync knows; not imported")
            continue
        result[snake] = value
    return result


_OTHER_RATING_KEYS = {
    "kids_age_band",
    "age_rating_override",
    "age_rating_override_v2",
    "korea_age_rating_override",
    "developer_age_rating_info_url",
}


def _rating_bool(value: Any) -> Any:
    """Legacy 0/1 -> false/true; anything else is kept for the validator to judge."""
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    return value


def _rating_level(value: Any) -> Any:
    """0/1/2 and the deprecated *_OR_MILD/*_OR_INTENSE -> NONE/INFREQUENT/FREQUENT."""
    if isinstance(value, int) and not isinstance(value, bool) and value in LEGACY_LEVELS:
        return LEGACY_LEVELS[value]
    if isinstance(value, str):
        return age_rating.DEPRECATED_LEVELS.get(value, value)
    return value


# ---------------------------------------------------------------- screenshots


def _plan_screenshots(root: Path, metadata_locales: set[str], plan: ImportPlan) -> set[str]:
    """Plan copies of ``<root>/[appleTV|iMessage/]<locale>/*`` into typed set folders."""
    types: set[str] = set()
    defaults: list[tuple[Path, str]] = []
    for variant, base in _screenshot_roots(root):
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            if variant is None and folder.name in ("appleTV", "iMessage"):
                continue
            locale = _screenshot_locale(folder, plan)
            if locale is None:
                continue
            for source, display_type in _classify_folder(folder, variant, plan):
                if locale == DEFAULT_LOCALE_FOLDER:
                    defaults.append((source, display_type))
                    continue
                types.add(display_type)
                _plan_copy(plan, locale, display_type, source)
        for path in sorted(p for p in base.iterdir() if p.is_file() and not p.name.startswith(".")):
            plan.warn(path, "screenshots must be in a locale folder; not imported")
    _plan_default_screenshots(defaults, metadata_locales, plan, types)
    return types


def _screenshot_roots(root: Path) -> list[tuple[str | None, Path]]:
    """deliver keeps Apple TV and iMessage screenshots in their own subtrees."""
    roots: list[tuple[str | None, Path]] = [(None, root)]
    for variant in ("appleTV", "iMessage"):
        if (root / variant).is_dir():
            roots.append((variant, root / variant))
    return roots


def _screenshot_locale(folder: Path, plan: ImportPlan) -> str | None:
    if folder.name in APP_STORE_LOCALES or folder.name == DEFAULT_LOCALE_FOLDER:
        return folder.name
    by_lower = {code.lower(): code for code in APP_STORE_LOCALES}
    if folder.name.lower() in by_lower:
        return by_lower[folder.name.lower()]
    _report_folder(folder, "not an App Store locale; screenshots not imported", plan)
    return None


def _classify_folder(folder: Path, variant: str | None, plan: ImportPlan) -> list[tuple[Path, str]]:
    """(file, display type) for each usable screenshot; the rest goes into the report."""
    for nested in sorted(p for p in folder.iterdir() if p.is_dir()):
        _report_folder(nested, "deliver does not read nested folders; not imported", plan)
    files = list_media(folder)
    framed = [p for p in files if p.stem.endswith("_framed")]
    result = []
    for path in files:
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            plan.warn(path, "not a .png/.jpg/.jpeg screenshot; not imported")
            continue
        if framed and path not in framed and not _is_watch(path):
            # deliver's rule: once any framed file exists, only framed ones are uploaded.
            plan.warn(path, "unframed original skipped: deliver uploads the _framed version")
            continue
        display_type = _display_type(path, variant, plan)
        if display_type is not None:
            result.append((path, display_type))
    return result


def _is_watch(path: Path) -> bool:
    try:
        size = image_info(path).size
    except UnreadableMedia:
        return False
    return any(
        size in SCREENSHOT_DISPLAY_TYPES[name].accepted()
        for name in SCREENSHOT_DISPLAY_TYPES
        if name.startswith("APP_WATCH")
    )


def _display_type(path: Path, variant: str | None, plan: ImportPlan) -> str | None:
    """The display type for an image, by pixel size as deliver does, with name hints."""
    try:
        size = image_info(path).size
    except UnreadableMedia as exc:
        plan.error(path, f"{exc}; not imported")
        return None
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


# Name hints deliver uses (simulator device names, ASC download names, legacy iTC names).
_IPAD_13_HINTS = (
    "3rd generation",
    "4th generation",
    "5th generation",
    "6th generation",
    "IPAD_PRO_3GEN_129",
    "ipadPro129",
    "13-inch",
)
_IPAD_129_2ND_HINTS = ("APP_IPAD_PRO_129", "2nd generation")


def _resolve_ambiguous(
    path: Path, candidates: list[str], variant: str | None, plan: ImportPlan
) -> str:
    """2048×2732 (two iPad slots) and 3840×2160 (TV or Vision Pro) need a hint."""
    name = f"{path.parent.name}/{path.name}"  # not the whole path: a user's folder may match
    if any(c.endswith("IPAD_PRO_3GEN_129") for c in candidates):
        if any(hint in name for hint in _IPAD_129_2ND_HINTS) and "3GEN" not in name:
            return next(c for c in candidates if c.endswith("IPAD_PRO_129"))
        chosen = next(c for c in candidates if c.endswith("IPAD_PRO_3GEN_129"))
        if not any(hint in name for hint in _IPAD_13_HINTS):
            plan.warn(
                path,
                f"size fits {' and '.join(candidates)}; imported as {chosen}"
                ' (the required 13" slot); move it if you meant the other',
            )
        return chosen
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


def _plan_previews(root: Path, plan: ImportPlan) -> None:
    """``<app_previews_path>/<locale>/*.mp4``: deliver reads the preview type from the name.

    deliver takes the first PreviewType value contained in the upper-cased file name,
    e.g. ``01_IPHONE_67.mp4``; files without one are skipped by deliver and reported here.
    """
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        locale = _screenshot_locale(folder, plan)
        if locale is None:
            continue
        for nested in sorted(p for p in folder.iterdir() if p.is_dir()):
            _report_folder(nested, "deliver does not read nested folders; not imported", plan)
        for path in list_media(folder):
            if path.suffix.lower() not in PREVIEW_EXTENSIONS:
                plan.warn(path, "not a .mov/.m4v/.mp4 preview; not imported")
                continue
            preview_type = next((t for t in PREVIEW_TYPES if t in path.name.upper()), None)
            if preview_type is None:
                plan.warn(path, "no preview type (e.g. IPHONE_67) in the file name; not imported")
                continue
            _plan_copy(plan, locale, preview_type, path, kind="previews")


def _plan_copy(
    plan: ImportPlan, locale: str, display_type: str, source: Path, kind: str = "screenshots"
) -> None:
    target = plan.app_dir / kind / locale / display_type / source.name
    if target in plan.copies:
        plan.error(source, f"same file name as {plan.copies[target]} in {locale}/{display_type}")
        return
    plan.copies[target] = source


def _plan_default_screenshots(
    defaults: list[tuple[Path, str]], locales: set[str], plan: ImportPlan, types: set[str]
) -> None:
    """``default/`` screenshots fill every metadata locale lacking that display type."""
    if not defaults:
        return
    have = {(target.parts[-3], target.parts[-2]) for target in plan.copies}
    for source, display_type in defaults:
        filled = [loc for loc in sorted(locales) if (loc, display_type) not in have]
        for locale in filled:
            _plan_copy(plan, locale, display_type, source)
            types.add(display_type)
        if not filled:
            plan.warn(source, "default screenshot not needed: every locale has its own set")


# ---------------------------------------------------------------- writing


IMPORTED_HEADER = "# Imported from fastlane by `ascsync import fastlane`; edit freely.\n"


def yaml_writer() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.allow_unicode = True
    # An explicit null reads better than an empty value.
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def render_yaml(data: Any) -> str:
    stream = io.StringIO()
    yaml_writer().dump(data, stream)
    return stream.getvalue()


def write_plan(plan: ImportPlan, out: Path, *, force: bool) -> list[Path]:
    """Write every planned file; refuse (writing nothing) if one exists, unless ``force``."""
    existing = [
        path
        for path in [out / p for p in plan.documents] + [out / p for p in plan.copies]
        if path.exists()
    ]
    if existing and not force:
        listed = ", ".join(str(path.relative_to(out)) for path in existing[:5])
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise AscsyncError(
            f"{len(existing)} file(s) already exist ({listed}{more}); nothing was written."
            " Import into an empty folder with --out, or pass --force to overwrite."
        )
    written = []
    if not (out / "ascsync.yml").exists():
        (out).mkdir(parents=True, exist_ok=True)
        (out / "ascsync.yml").write_text(render_yaml(CommentedMap(format_version=1)), "utf-8")
        written.append(out / "ascsync.yml")
    for relative, data in plan.documents.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(IMPORTED_HEADER + render_yaml(data), encoding="utf-8")
        written.append(target)
    for relative, source in plan.copies.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    return written


def _check_apps_list(out: Path, plan: ImportPlan) -> None:
    """Warn when ascsync.yml lists apps and the imported one is not among them."""
    config = out / "ascsync.yml"
    if not config.is_file():
        return
    try:
        data = YAML(typ="safe").load(config.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - the loader reports a broken ascsync.yml properly
        return
    apps = data.get("apps") if isinstance(data, dict) else None
    if isinstance(apps, list) and plan.app_dir.name not in apps:
        plan.warn(config, f"add {plan.app_dir.name} to `apps:` or ascsync will not manage it")


# ---------------------------------------------------------------- command line


@click.group(name="import")
def import_group() -> None:
    """Import a listing kept by another tool into an ascsync repo."""


@import_group.command(name="fastlane")
@click.argument("metadata", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--screenshots",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="deliver's screenshots folder (fastlane/screenshots).",
)
@click.option(
    "--previews",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="deliver's app_previews_path (<locale>/*.mp4, preview type in the file name).",
)
@click.option(
    "--rating-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="deliver's app_rating_config_path JSON.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The ascsync repo to write into.",
)
@click.option(
    "--app", "app_name", help="App folder name under apps/ (default: from the bundle id)."
)
@click.option("--bundle-id", help="The app's bundle id, written to app.yml.")
@click.option(
    "--platform",
    type=click.Choice(["IOS", "MAC_OS", "TV_OS", "VISION_OS"]),
    default="IOS",
    show_default=True,
)
@click.option("--primary-locale", help="Primary locale (default: en-US if present).")
@click.option("--app-version", help="Version string for version.yml, e.g. 2.4.0.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
def fastlane_command(
    metadata: Path,
    screenshots: Path | None,
    previews: Path | None,
    rating_config: Path | None,
    out: Path,
    app_name: str | None,
    bundle_id: str | None,
    platform: str,
    primary_locale: str | None,
    app_version: str | None,
    force: bool,
    dry_run: bool,
) -> None:
    """Convert deliver's METADATA folder (fastlane/metadata) into this repo's layout."""
    options = ImportOptions(
        metadata=metadata,
        screenshots=screenshots,
        rating_config=rating_config,
        previews=previews,
        app=app_name,
        bundle_id=bundle_id,
        platform=platform,
        primary_locale=primary_locale,
        app_version=app_version,
    )
    plan = plan_import(options)
    _check_apps_list(out, plan)
    if dry_run:
        documents = [out / path for path in plan.documents]
        click.echo(format_report(plan, documents, out, dry_run=True))
    else:
        written = write_plan(plan, out, force=force)
        click.echo(format_report(plan, written, out))
    if plan.errors:
        raise click.exceptions.Exit(1)


def format_report(
    plan: ImportPlan, written: list[Path], out: Path, *, dry_run: bool = False
) -> str:
    """What was (or would be) written, then every file not (fully) imported, errors first."""
    wrote, copied = ("would write", "would copy") if dry_run else ("wrote", "copied")
    lines = [f"{'Dry run, nothing written' if dry_run else 'Imported'} into {out / plan.app_dir}:"]
    lines += [f"  {wrote} {_relative(path, out)}" for path in written if path.suffix == ".yml"]
    for kind in ("screenshots", "previews"):
        count = sum(1 for target in plan.copies if target.parts[2] == kind)
        if count:
            lines.append(f"  {copied} {count} {kind[:-1]}(s) into {plan.app_dir / kind}/")
    for severity in (Severity.ERROR, Severity.WARNING):
        notes = sorted(
            (note for note in plan.notes if note.severity is severity),
            key=lambda note: str(note.source or ""),
        )
        if notes:
            lines.append(f"{len(notes)} {severity.value}(s):")
            lines += [
                f"  {_relative(n.source, Path.cwd()) + ': ' if n.source else ''}{n.message}"
                for n in notes
            ]
    if not plan.notes:
        lines.append("Everything was imported.")
    lines.append(f"Next: ascsync validate {out}")
    return "\n".join(lines)


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
