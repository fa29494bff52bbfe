"""Locale text: ``<metadata>/<locale>/*.txt`` and ``default/`` as deliver would send them.

deliver enables a language for every locale folder — an empty one or one holding only a
``.gitkeep`` included ("an empty folder signifies a language is required") — for every
language its Deliverfile names, and for every key of a localized Deliverfile hash. Each
enabled language is then filled from ``default/`` where it has no value of its own
[F upload_metadata.rb assign_defaults]. The import keeps that: every enabled language
gets ``locales/<code>.yml`` (possibly with no value of its own) and ``default/`` becomes
``locales/_defaults.yml``, which ascsync applies the same way. Nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ascsync.commands.fastlane.deliver import (
    APP_CLIP_REVIEW_FOLDER,
    DEFAULT_LOCALE_FOLDER,
    LOCALE_ALIASES,
    LOCALE_FILES,
    LOCALIZED_OPTIONS,
    OTHER_STORE_FOLDERS,
    REVIEW_FOLDER,
    ROOT_FILES,
    SKIPPED_FOLDERS,
    TRADE_REP_FOLDER,
    platform_of_folder,
)
from ascsync.commands.fastlane.plan import ImportPlan
from ascsync.commands.fastlane.settings import DeliverSettings, settings_path
from ascsync.commands.fastlane.sources import SourceRoot, all_files, entries, read_value, ruby_strip
from ascsync.commands.fastlane.yamlout import text_value
from ascsync.rules import text as tx
from ascsync.rules.locales import APP_STORE_LOCALES

LOCALE_KEYS = list(LOCALE_FILES.values())
LOCALES_BY_FOLD = {code.casefold(): code for code in APP_STORE_LOCALES}
# repo key -> TEXT_LIMITS id, for the over-limit notes of the report
_LIMITS = {
    "name": "app_name",
    "subtitle": "subtitle",
    "description": "description",
    "whats_new": "whats_new",
    "promotional_text": "promotional_text",
}


@dataclass
class Listing:
    """Enabled locales with their own values, and what ``default/`` gives every one."""

    locales: dict[str, CommentedMap] = field(default_factory=dict)
    defaults: CommentedMap = field(default_factory=CommentedMap)
    folders: dict[str, Path] = field(default_factory=dict)  # locale -> its metadata folder
    empty: dict[str, dict[str, Path]] = field(default_factory=dict)  # locale -> key -> file

    def enable(self, code: str) -> CommentedMap:
        return self.locales.setdefault(code, CommentedMap())


def read_listing(
    metadata: Path | None, root: SourceRoot, settings: DeliverSettings, plan: ImportPlan
) -> Listing:
    """Everything deliver would send as locale text, from folders and the Deliverfile."""
    listing = Listing()
    if metadata is not None:
        _read_folders(metadata, root, listing, plan)
    _apply_deliverfile(settings, listing, plan)
    _enable_languages(settings, listing, plan)
    _report_empty_overrides(listing, plan)
    for code, values in listing.locales.items():
        listing.locales[code] = _ordered(values)
    listing.defaults = _ordered(listing.defaults)
    return listing


# ---------------------------------------------------------------- folders


def _read_folders(metadata: Path, root: SourceRoot, listing: Listing, plan: ImportPlan) -> None:
    for entry in entries(metadata, root, plan):
        if entry.is_file():
            if entry.name not in ROOT_FILES:
                plan.warn(entry, "not a file deliver uses here; not imported")
            continue
        code = _locale_of(entry, plan)
        if code == DEFAULT_LOCALE_FOLDER:
            listing.defaults = _read_locale(entry, root, listing, DEFAULT_LOCALE_FOLDER, plan)
        elif code is not None:
            if code in listing.folders:
                report_folder(entry, root, f"duplicate of {listing.folders[code].name}", plan)
                continue
            listing.folders[code] = entry
            listing.locales[code] = _read_locale(entry, root, listing, code, plan)
        elif entry.name not in (REVIEW_FOLDER, TRADE_REP_FOLDER, APP_CLIP_REVIEW_FOLDER):
            _report_other_folder(entry, root, plan)


def _locale_of(folder: Path, plan: ImportPlan) -> str | None:
    """The locale a folder holds; deliver matches folder names case-insensitively."""
    name = folder.name
    if name == DEFAULT_LOCALE_FOLDER or name in APP_STORE_LOCALES:
        return name
    code = LOCALES_BY_FOLD.get(name.casefold())
    if code is not None:
        plan.warn(folder, f"imported as {code} (App Store locale codes are case-sensitive)")
    return code


def _report_other_folder(folder: Path, root: SourceRoot, plan: ImportPlan) -> None:
    """One line per folder that is not a locale (translation tools make many of them)."""
    lowered = folder.name.lower()
    if lowered in OTHER_STORE_FOLDERS or lowered in SKIPPED_FOLDERS:
        plan.note(folder, "skipped (fastlane skips this folder too)")
        return
    if platform_of_folder(folder.name):
        return  # a per-platform folder: the layout module reports those
    report_folder(folder, root, not_a_locale(folder.name), plan)


def not_a_locale(name: str) -> str:
    """Why a folder (or Deliverfile key) named ``name`` is not imported, with what would be."""
    nearest = nearest_locale(name)
    if nearest is None:
        return "not an App Store locale, and none is close (the 50 codes: `ascsync schema`)"
    return (
        f"not an App Store locale (nearest: {nearest}; deliver refuses it too):"
        f" rename it to {nearest} to import it"
    )


def nearest_locale(name: str) -> str | None:
    """``de`` -> de-DE, ``zh-HK`` -> zh-Hant, ``pt_BR`` -> pt-BR; None if no language fits."""
    folded = name.casefold().replace("_", "-")
    if folded in LOCALES_BY_FOLD:
        return LOCALES_BY_FOLD[folded]
    if folded in LOCALE_ALIASES:
        return LOCALE_ALIASES[folded]
    language = folded.split("-")[0]
    same = [code for code in APP_STORE_LOCALES if code.split("-")[0].casefold() == language]
    if len(same) == 1:
        return same[0]
    preferred = {"en": "en-US", "zh": "zh-Hans"}.get(language, f"{language}-{language.upper()}")
    return preferred if preferred in same else None


def report_folder(folder: Path, root: SourceRoot, reason: str, plan: ImportPlan) -> None:
    """One warning for a whole folder that is not imported, with how many files it holds."""
    count = len(all_files(folder, root, plan))
    plan.warn(
        folder, f"{reason}; {count} file(s) not imported" if count else f"{reason}; not imported"
    )


def _read_locale(
    folder: Path, root: SourceRoot, listing: Listing, code: str, plan: ImportPlan
) -> CommentedMap:
    values = CommentedMap()
    for path in entries(folder, root, plan):
        key = LOCALE_FILES.get(path.name)
        if key is None or not path.is_file():
            if path.is_dir():
                report_folder(path, root, "deliver does not read nested folders", plan)
            else:
                plan.warn(path, "not a deliver metadata file; not imported")
            continue
        value = read_value(path, plan)
        if value is None:
            listing.empty.setdefault(code, {})[key] = path
            continue
        values[key] = locale_value(key, value, path, plan)
    return values


def locale_value(key: str, value: str, source: Path | None, plan: ImportPlan) -> object:
    """The repo form of one value: keywords as a list, text exact, over-limit reported."""
    if key == "keywords":
        words = keyword_list(value, source, plan)
        _check_limit("keywords", tx.keywords_joined(words), source, plan)
        return words
    if key in _LIMITS:
        _check_limit(_LIMITS[key], value, source, plan)
    return text_value(value)


def keyword_list(value: str, source: Path | None, plan: ImportPlan) -> list[str]:
    """deliver sends keywords.txt as one string and App Store Connect splits it at commas;
    ascsync keeps one keyword per list item and joins them with "," (no spaces, which
    would count against the 100 characters). A line break between keywords is read as a
    separator too [U: what App Store Connect does with one is unpublished]."""
    if "\n" in value:
        plan.note(source, "line breaks between keywords read as separators, like commas")
    return [word.strip() for word in re.split(r"[,\n]", value) if word.strip()]


def _check_limit(limit_id: str, text: str, source: Path | None, plan: ImportPlan) -> None:
    limit = tx.TEXT_LIMITS[limit_id]
    count = tx.char_count(text)
    if count > limit.max and limit.verified:
        plan.warn(
            source,
            f"{count} characters, App Store Connect's limit is {limit.max}; imported unchanged:"
            " shorten it before `ascsync apply` (validate reports it too)",
        )


def _ordered(values: CommentedMap) -> CommentedMap:
    """Keys in the documented order, so imported files look like hand-written ones."""
    return CommentedMap((key, values[key]) for key in LOCALE_KEYS if key in values)


# ---------------------------------------------------------------- Deliverfile


def _apply_deliverfile(settings: DeliverSettings, listing: Listing, plan: ImportPlan) -> None:
    """``name({"en-US" => ...})`` and friends win over files, as in deliver."""
    path = settings_path(settings)
    for option, key in LOCALIZED_OPTIONS.items():
        value = settings.value(option, plan)
        if value is None:
            continue
        if option == "keywords" and isinstance(value, dict):
            value = {lang: ", ".join(v) if isinstance(v, list) else v for lang, v in value.items()}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            plan.warn(path, f"{option}: expected a hash of language => text; not imported")
            continue
        for language, text in value.items():
            _apply_one(listing, language, key, text, option, path, plan)


def _apply_one(
    listing: Listing,
    language: str,
    key: str,
    text: str,
    option: str,
    path: Path | None,
    plan: ImportPlan,
) -> None:
    code = (
        language if language == DEFAULT_LOCALE_FOLDER else LOCALES_BY_FOLD.get(language.casefold())
    )
    if code is None:
        plan.warn(path, f"{option}[{language!r}]: {not_a_locale(language)}")
        return
    stripped = ruby_strip(text)
    if not stripped:
        return
    target = listing.defaults if code == DEFAULT_LOCALE_FOLDER else listing.enable(code)
    if key in target:
        plan.note(path, f"{option}[{language!r}] wins over the {code} file, as in deliver")
    target[key] = locale_value(key, stripped, path, plan)


def _enable_languages(settings: DeliverSettings, listing: Listing, plan: ImportPlan) -> None:
    """The Deliverfile's ``languages`` enables languages that have no folder."""
    languages = settings.value("languages", plan)
    if languages is None:
        return
    if not isinstance(languages, list):
        plan.warn(settings_path(settings), "languages: expected a list of locale codes; not used")
        return
    for language in languages:
        code = LOCALES_BY_FOLD.get(str(language).casefold())
        if language == DEFAULT_LOCALE_FOLDER:
            continue  # deliver's own pseudo-language, already read from default/
        if code is None:
            plan.warn(
                settings_path(settings), f"languages: {language!r} {not_a_locale(str(language))}"
            )
        elif code not in listing.locales:
            listing.enable(code)
            plan.note(
                settings_path(settings), f"{code} enabled by `languages` (no folder of its own)"
            )


def _report_empty_overrides(listing: Listing, plan: ImportPlan) -> None:
    """deliver does not fill a key from default/ when the locale's own file is empty."""
    for code, keys in listing.empty.items():
        for key, path in keys.items():
            if (
                code != DEFAULT_LOCALE_FOLDER
                and key in listing.defaults
                and key not in listing.locales.get(code, {})
            ):
                plan.warn(
                    path,
                    f"empty: deliver sends nothing for {code}'s {key} (an empty file also keeps"
                    f" default/'s value out); in ascsync, _defaults.yml's {key} applies to {code}:"
                    f" put the wanted value in locales/{code}.yml if that is wrong",
                )
