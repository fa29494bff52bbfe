"""``app.yml`` and ``version.yml`` from deliver's root files, review folder and Deliverfile.

The Deliverfile wins over a file where both give a value, as in deliver (it loads files
only for options the Deliverfile left unset). The demo password never enters the repo:
``version.yml`` reads it from an environment variable (``!env``), named after the
Deliverfile's own ``ENV[...]`` lookup when it used one.
"""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, TaggedScalar

from ascsync.commands.fastlane.deliver import (
    APP_CLIP_REVIEW_FOLDER,
    CATEGORY_FILES,
    LEGACY_CATEGORIES,
    LEGACY_ROOT_REVIEW_FILES,
    LEGACY_SUBCATEGORIES,
    REVIEW_FILES,
    REVIEW_FOLDER,
    TRADE_REP_FILES,
    TRADE_REP_FOLDER,
)
from ascsync.commands.fastlane.listing import Listing, report_folder
from ascsync.commands.fastlane.plan import ImportPlan
from ascsync.commands.fastlane.settings import DeliverSettings, settings_path
from ascsync.commands.fastlane.sources import SourceRoot, entries, read_value
from ascsync.commands.fastlane.yamlout import text_value
from ascsync.rules.locales import APP_STORE_LOCALES

# ---------------------------------------------------------------- app.yml


def primary_locale(requested: str | None, listing: Listing, plan: ImportPlan) -> str | None:
    """``--primary-locale``, else en-US, else the only enabled locale; never a guess.

    deliver has no primary-locale setting (it is chosen when the app is created), and
    the alphabetically first code is as likely wrong as right, so with several locales
    and no en-US the import asks instead of guessing.
    """
    if requested:
        if requested not in APP_STORE_LOCALES:
            plan.error(None, f"--primary-locale {requested} is not an App Store locale")
            return None
        if requested not in listing.locales:
            listing.enable(requested)
            plan.note(None, f"{requested} enabled as the primary locale (--primary-locale)")
        return requested
    if "en-US" in listing.locales:
        return "en-US"
    if len(listing.locales) == 1:
        return next(iter(listing.locales))
    if not listing.locales:
        if listing.defaults:
            plan.error(
                None,
                "default/ has text but no language is enabled (no locale folder, no"
                " `languages`): deliver would upload none of it; pass --primary-locale to"
                " import default/ as that language",
            )
        return None
    candidates = ", ".join(sorted(listing.locales))
    plan.warn(
        None,
        f"primary locale unknown (no en-US among {candidates}); app.yml has none:"
        " pass --primary-locale (the language the app was created with)",
    )
    return None


def app_document(
    bundle_id: str | None,
    platform: str,
    primary: str | None,
    screenshot_types: set[str] | None,
    categories: CommentedMap,
    plan: ImportPlan,
) -> CommentedMap:
    app = CommentedMap()
    if bundle_id:
        app["bundle_id"] = bundle_id
    app["platform"] = platform
    if primary:
        app["primary_locale"] = primary
    if platform == "IOS" and screenshot_types is not None:
        app["supports_ipad"] = any("IPAD" in name for name in screenshot_types)
        app.yaml_add_eol_comment("guessed from the screenshots found; check it", "supports_ipad")
    if categories:
        app["categories"] = categories
    return app


def categories(
    metadata: Path | None, root: SourceRoot, settings: DeliverSettings, plan: ImportPlan
) -> CommentedMap:
    """The six category files (or Deliverfile options), legacy iTunes Connect names mapped."""
    found: dict[str, dict[str | int, str]] = {"primary": {}, "secondary": {}}
    for name, (group, index) in CATEGORY_FILES.items():
        raw = settings.value(name.removesuffix(".txt"), plan)
        if not isinstance(raw, str) or not raw.strip():
            path = metadata / name if metadata is not None else None
            if (
                path is None
                or not (path.is_file() or path.is_symlink())
                or not root.allows(path, plan)
            ):
                continue
            raw = read_value(path, plan)
            if raw is None:
                continue
        legacy = raw.strip().removeprefix("MZGenre.")
        if index is None:
            found[group]["main"] = LEGACY_CATEGORIES.get(legacy, legacy)
        else:
            found[group][index] = LEGACY_SUBCATEGORIES.get(legacy, legacy)
    result = CommentedMap()
    for group in ("primary", "secondary"):
        values = found[group]
        if "main" in values:
            result[group] = values["main"]
        subs = [values[i] for i in (0, 1) if i in values]
        if subs:
            result[f"{group}_subcategories"] = subs
    return result


# ---------------------------------------------------------------- version.yml


def version_document(
    version_string: str | None,
    metadata: Path | None,
    root: SourceRoot,
    settings: DeliverSettings,
    app_name: str,
    plan: ImportPlan,
) -> CommentedMap:
    version = CommentedMap()
    if version_string:
        version["version"] = version_string
    copyright_text = _copyright(metadata, root, settings, plan)
    if copyright_text is not None:
        version["copyright"] = copyright_text
    release = _release(settings, plan)
    if release:
        version["release"] = release
    phased = settings.value("phased_release", plan)
    if isinstance(phased, bool):
        version["phased_release"] = phased
    review = _review(metadata, root, settings, app_name, plan)
    if review:
        version["review"] = review
    return version


def _copyright(
    metadata: Path | None, root: SourceRoot, settings: DeliverSettings, plan: ImportPlan
) -> str | None:
    value = settings.value("copyright", plan)
    if isinstance(value, str) and value.strip():
        return value.strip()
    path = metadata / "copyright.txt" if metadata is not None else None
    if path is None or not path.is_file() or not root.allows(path, plan):
        return None
    return read_value(path, plan)


def _release(settings: DeliverSettings, plan: ImportPlan) -> CommentedMap:
    automatic = settings.value("automatic_release", plan)
    if not isinstance(automatic, bool):
        return CommentedMap()
    return CommentedMap(type="AFTER_APPROVAL" if automatic else "MANUAL")


def _review(
    metadata: Path | None,
    root: SourceRoot,
    settings: DeliverSettings,
    app_name: str,
    plan: ImportPlan,
) -> CommentedMap:
    """``review_information/*.txt`` (+ the Deliverfile hash) -> ``review``."""
    values, sources = _review_files(metadata, root, plan)
    password_variable = _review_from_deliverfile(settings, values, sources, plan)
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
            variable = password_variable or _password_variable(app_name)
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


def _password_variable(app_name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", app_name.upper()).strip("_") + "_DEMO_PASSWORD"


def _review_files(
    metadata: Path | None, root: SourceRoot, plan: ImportPlan
) -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], Path | None]]:
    values: dict[tuple[str, ...], str] = {}
    sources: dict[tuple[str, ...], Path | None] = {}
    if metadata is None:
        return values, sources
    folder = metadata / REVIEW_FOLDER
    files = entries(folder, root, plan) if folder.is_dir() else []
    files += [
        p
        for p in entries(metadata, root, plan)
        if p.name in LEGACY_ROOT_REVIEW_FILES and p.is_file()
    ]
    for path in files:
        target = REVIEW_FILES.get(path.name)
        if target is None or not path.is_file():
            plan.warn(path, "not a deliver review_information file; not imported")
            continue
        value = read_value(path, plan)
        if value is not None:
            values[target] = value
            sources[target] = path
    return values, sources


_REVIEW_OPTION_KEYS = {name.removesuffix(".txt"): target for name, target in REVIEW_FILES.items()}


def _review_from_deliverfile(
    settings: DeliverSettings,
    values: dict[tuple[str, ...], str],
    sources: dict[tuple[str, ...], Path | None],
    plan: ImportPlan,
) -> str | None:
    """Overlay ``app_review_information({...})``; returns the password's ENV name if any."""
    setting = settings.get("app_review_information")
    if setting is None:
        return None
    info = settings.value("app_review_information", plan)
    path = settings_path(settings)
    if not isinstance(info, dict):
        if info is not None:
            plan.warn(path, "app_review_information: expected a hash; not imported")
        return None
    variable = None
    for key, value in info.items():
        target = _REVIEW_OPTION_KEYS.get(str(key))
        if target is None:
            plan.warn(path, f"app_review_information: {key} is not a review field; not imported")
            continue
        if not isinstance(value, str) or not value.strip():
            continue
        values[target] = value.strip()
        sources[target] = path
        if target == ("demo_account", "password"):
            variable = next((e.name for e in setting.env), None)
    return variable


# ---------------------------------------------------------------- not imported (yet)


def report_unmodelled(
    metadata: Path | None, root: SourceRoot, settings: DeliverSettings, plan: ImportPlan
) -> None:
    """Trade representative and App Clip review folders: read, and said why not imported."""
    trade = _trade_representative(metadata, root, settings, plan)
    if trade:
        where = (
            metadata / TRADE_REP_FOLDER
            if metadata and (metadata / TRADE_REP_FOLDER).is_dir()
            else settings_path(settings)
        )
        plan.warn(
            where,
            f"trade representative contact ({', '.join(trade)}) read but not imported:"
            " ascsync's layout has no field for it yet, and App Store Connect's API has no"
            " attribute for it (none in openapi.json 4.4.1; current deliver no longer sends"
            " it either). Keep it in the App Store Connect web UI (Korean storefront)",
        )
    if metadata is not None and (metadata / APP_CLIP_REVIEW_FOLDER).is_dir():
        report_folder(
            metadata / APP_CLIP_REVIEW_FOLDER,
            root,
            "App Clip review information: ascsync's layout has no App Clip fields yet",
            plan,
        )


def _trade_representative(
    metadata: Path | None, root: SourceRoot, settings: DeliverSettings, plan: ImportPlan
) -> list[str]:
    """The field names found (values stay out of the report: they are personal data)."""
    found: list[str] = []
    folder = metadata / TRADE_REP_FOLDER if metadata is not None else None
    if folder is not None and folder.is_dir():
        for path in entries(folder, root, plan):
            name = path.name.removesuffix(".txt")
            if name in TRADE_REP_FILES and path.is_file() and read_value(path, plan) is not None:
                found.append(name)
            elif name not in TRADE_REP_FILES:
                plan.warn(path, "not a deliver trade representative file; not imported")
    option = settings.value(TRADE_REP_FOLDER, plan)
    if isinstance(option, dict):
        found += [str(k) for k in option if str(k) not in found]
    return found
