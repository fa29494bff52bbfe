"""Product page text per locale: ``locales/<locale>.yml``.

One file holds what Apple keeps in two resources: the app info localization (name,
subtitle, privacy URLs; ``appInfoLocalizations``) and the version localization
(description, keywords, what's new, promotional text, URLs;
``appStoreVersionLocalizations``). ``locales/_defaults.yml`` holds what every locale
inherits; a locale's own file overrides it key by key.

Locales are managed as a set once a repo has any: a live locale without a file is
deleted (never the primary locale). What is locked follows its resource: app info text
with the app info's state, version text with the version's, except promotional text,
which Apple lets change on a live version; what's new is refused on an app's first
version.

Addresses: ``app[x].info.locale[<code>]`` and ``app[x].version[<v>].locale[<code>]``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record
from ascsync.desired.scaffold import NewApp, StarterFile
from ascsync.engine.compare import changed
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import Include, LiveApp, LiveContext, plain
from ascsync.engine.mapping import apple_target, flat_fields, read_record
from ascsync.engine.ops import Ids, Op, Parent, localization_op, need
from ascsync.engine.plan import Action, Change
from ascsync.engine.planner import Planner, field_order
from ascsync.io.repo_writer import RepoWriter
from ascsync.kinds.app_record import APP, APP_INFOS, AppInfoState, chosen_info
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.version import (
    VERSION,
    VERSION_READ,
    VersionState,
    matching_version,
    version_address,
)
from ascsync.problems import Problem, Severity, Source
from ascsync.rules import locales as loc
from ascsync.rules import text as tx
from ascsync.rules.states import ALWAYS_EDITABLE_LOCALE_KEYS

DEFAULTS_FILE = "_defaults.yml"
INFO = "appInfoLocalizations"
VERSION_TEXT = "appStoreVersionLocalizations"
LIMIT = 50
"""``limit[...]`` of the localizations included with the app info and the version."""

SUBMISSION_FIELDS = ("name", "description", "support_url")
"""Fields App Store Connect needs before a submission; absent ones only warn, because an
absent key means "not managed by ascsync" and the value may already be set in ASC."""

LOCALE_FIELDS = (
    Field("name", FieldType.TEXT, "App name.", f"{INFO}.name", limit="app_name"),
    Field("subtitle", FieldType.TEXT, "", f"{INFO}.subtitle", nullable=True, limit="subtitle"),
    Field(
        "privacy_policy_url",
        FieldType.URL,
        "Required for iOS/macOS.",
        f"{INFO}.privacyPolicyUrl",
        nullable=True,
    ),
    Field("privacy_choices_url", FieldType.URL, "", f"{INFO}.privacyChoicesUrl", nullable=True),
    Field(
        "privacy_policy_text",
        FieldType.TEXT,
        "tvOS only.",
        f"{INFO}.privacyPolicyText",
        nullable=True,
        limit="privacy_policy_text",
    ),
    Field(
        "description",
        FieldType.TEXT,
        "Plain text, no HTML.",
        f"{VERSION_TEXT}.description",
        limit="description",
        plain_text=True,
    ),
    Field(
        "keywords",
        FieldType.STRINGS,
        "One keyword per item; joined with commas.",
        f"{VERSION_TEXT}.keywords",
        nullable=True,
        limit="keywords",
    ),
    Field(
        "whats_new",
        FieldType.TEXT,
        "Not accepted on an app's first version.",
        f"{VERSION_TEXT}.whatsNew",
        nullable=True,
        limit="whats_new",
        plain_text=True,
    ),
    Field(
        "promotional_text",
        FieldType.TEXT,
        "Editable without a new version.",
        f"{VERSION_TEXT}.promotionalText",
        nullable=True,
        limit="promotional_text",
    ),
    Field("support_url", FieldType.URL, "Required.", f"{VERSION_TEXT}.supportUrl"),
    Field("marketing_url", FieldType.URL, "", f"{VERSION_TEXT}.marketingUrl", nullable=True),
)

LOCALE_FILE = FileKind(
    "locale",
    "apps/<app>/locales/<locale>.yml",
    "Product page text for one locale; `_defaults.yml` holds what every locale inherits.",
    LOCALE_FIELDS,
)

INFO_KEYS = frozenset(
    k for k, f in flat_fields(LOCALE_FIELDS) if (apple_target(f) or ("",))[0] == INFO
)

PLATFORM_LOCALE_FILE = FileKind(
    "platform-locale",
    "apps/<app>/platforms/<PLATFORM>/locales/<locale>.yml",
    "Another platform's version text for one locale, where it differs from the app's "
    "own: keys left out are the app's (`locales/<locale>.yml`). App info text (name, "
    "subtitle, privacy URLs) is shared by every platform and stays in the app's file.",
    tuple(f for f in LOCALE_FIELDS if f.key not in INFO_KEYS),
)

Locales = dict[str, Record]
"""A repo's (or the live) product page text, by locale code."""


@dataclass
class LocalesState:
    """Ids of each locale's two localizations."""

    info_ids: dict[str, str] = field(default_factory=dict)
    version_ids: dict[str, str] = field(default_factory=dict)

    @property
    def codes(self) -> set[str]:
        return set(self.info_ids) | set(self.version_ids)


def info_address(app: App, code: str) -> str:
    return f"{app.address}.info.locale[{code}]"


def locale_address(app: App, code: str) -> str:
    """``app[x].version[2.4.0].locale[de-DE]``, the parent of screenshot sets."""
    return f"{version_address(app)}.locale[{code}]"


class LocaleText(ResourceKind[Locales, LocalesState]):
    name = "locales"
    per_platform = True
    files = (LOCALE_FILE, PLATFORM_LOCALE_FILE)
    layout = (
        "apps/<app>/locales/<locale>.yml          (+ _defaults.yml inherited by every locale)",
    )
    includes = (
        Include(APP_INFOS, INFO, LIMIT),
        Include(VERSION_READ, VERSION_TEXT, LIMIT),
    )
    compiles = (INFO, VERSION_TEXT)
    deletes = (INFO, VERSION_TEXT)
    deletes_whole = deletes
    nouns = {"locale": "locale"}

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        if app.platform_of is not None:
            self._load_platform(loader, app, app.platform_of)
            return
        folder = app.folder / "locales"
        defaults = folder / DEFAULTS_FILE
        defaults_raw = loader.raw(defaults) if defaults.exists() else None
        locales: Locales = {}
        for path in loader.yaml_files(folder):
            if path.name == DEFAULTS_FILE:
                continue
            code = path.stem
            if not loc.is_locale(code):
                loader.report(
                    path,
                    None,
                    "locale",
                    f"{code!r} is not an App Store locale",
                    loc.suggest_locale(code),
                )
                continue
            loader.context["locale"] = code
            record = Record(Source(path, 1))
            if defaults_raw is not None:
                loader.fill(LOCALE_FIELDS, defaults_raw, record, Source(defaults, 1))
            own = loader.raw(path)
            if own is None:
                continue  # unreadable: already reported; checking its absence would only add noise
            loader.fill(LOCALE_FIELDS, own, record, Source(path, 1))
            locales[code] = record
        loader.context.pop("locale", None)
        if locales:
            app.parts[self.name] = locales
        _check_primary(loader, app, folder)

    def _load_platform(self, loader: RepoLoader, app: App, main: App) -> None:
        """Another platform's version text: the app's own, overridden by its locale files."""
        own = self.desired(main) or {}
        locales: Locales = {
            code: Record(
                record.source, {k: v for k, v in record.attrs.items() if k not in INFO_KEYS}
            )
            for code, record in own.items()
        }
        fields = PLATFORM_LOCALE_FILE.fields
        for path in loader.yaml_files(app.folder / "locales"):
            code = path.stem
            if code not in locales:
                loader.report(
                    path,
                    None,
                    "locale",
                    f"{code} has no locales/{code}.yml in the app folder",
                    "a platform's locales are the app's; add the app's file first",
                )
                continue
            raw = loader.raw(path)
            if raw is not None:
                loader.context["locale"] = code
                loader.fill(fields, raw, locales[code], Source(path, 1))
        loader.context.pop("locale", None)
        if locales:
            app.parts[self.name] = locales

    def check(self, app: App) -> list[Problem]:
        problems: list[Problem] = []
        primary = app.record.get("primary_locale")
        shared = self.desired(app.platform_of) if app.platform_of else None
        for code, record in (self.desired(app) or {}).items():
            keywords = record.attrs.get("keywords")
            names = (shared or {}).get(code, record)
            if keywords is not None and isinstance(keywords.value, list):
                problems += tx.check_keywords(
                    keywords.value,
                    keywords.source,
                    "keywords",
                    name=names.get("name"),
                    subtitle=names.get("subtitle"),
                )
            if app.platform_of is not None:
                continue  # the app's own file is checked with the app
            if code == primary:
                problems += _missing_submission_fields(app, code, record)
            elif record.get("name") is None and any(k in INFO_KEYS for k in record.attrs):
                problems.append(
                    record.source.problem(
                        "name",
                        f"is not set for {code}: App Store Connect needs it to create this "
                        "listing (fine if the locale exists already; plan checks)",
                        "add name: here or to locales/_defaults.yml",
                        Severity.WARNING,
                    )
                )
        return problems

    def starter_files(self, app: NewApp) -> list[StarterFile]:
        content = f"""\
name: {app.display_name}
subtitle: A short, memorable subtitle
# Long text can live in its own file: description: !file ../texts/description.md
description: |-
  Describe what your app does, in plain text (no HTML).
keywords: [replace, these, keywords]   # one per item, 100 characters in all
support_url: https://example.com/support
privacy_policy_url: https://example.com/privacy
"""
        return [StarterFile(f"apps/{app.folder}/locales/{app.locale}.yml", "locale", content)]

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> LocalesState:
        state = LocalesState()
        live: Locales = {}
        if ctx.desired.platform_of is None:  # app info text is the app's, not a platform's
            apps = ctx.shared(APP_INFOS)
            info = chosen_info(apps)
            for item in apps.related(info, "appInfoLocalizations") if apps and info else []:
                _read_one(live, state.info_ids, item, INFO)
        versions = ctx.shared(VERSION_READ)
        match = matching_version(versions, ctx.desired)
        for item in versions.related(match, VERSION_TEXT) if versions and match else []:
            _read_one(live, state.version_ids, item, VERSION_TEXT)
        if live:
            ctx.live.model.parts[self.name] = live
        return state

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or LocalesState()
        return {
            code: [plain(record), state.info_ids.get(code), state.version_ids.get(code)]
            for code, record in sorted((self.desired(live.model) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        state = self.state(live) or LocalesState()
        return Counter({INFO: len(state.info_ids), VERSION_TEXT: len(state.version_ids)})

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        chosen = discovery.found.get("version")
        if chosen is None:
            return
        doc = discovery.client.get_all(
            f"/v1/appStoreVersions/{chosen['id']}/{VERSION_TEXT}",
            {f"fields[{VERSION_TEXT}]": ["locale"]},
        )
        codes = sorted({r["attributes"]["locale"] for r in doc.resources()})
        discovery.found[self.name] = codes
        skeleton.parts[self.name] = {code: Record(LIVE) for code in codes}

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        desired = self.desired(planner.desired)
        if not desired:
            return
        live = self.desired(planner.live.model) or {}
        state = self.state(planner.live) or LocalesState()
        for code, wanted in desired.items():
            have = live.get(code) or Record(wanted.source)
            keys = changed(wanted.attrs, have.attrs, field_order(LOCALE_FIELDS))
            info_keys = [k for k in keys if k in INFO_KEYS]
            version_keys = [k for k in keys if k not in INFO_KEYS]
            if planner.desired.platform_of is not None:
                info_keys = []  # planned with the app itself
            _plan_info(planner, code, wanted, have, info_keys, state.info_ids.get(code))
            _plan_version_text(
                planner, code, wanted, have, version_keys, state.version_ids.get(code)
            )
        for code in sorted(state.codes - set(desired)):
            _plan_delete(planner, code, state)

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        code = change.locale or ""
        state = self.state(ctx.live) or LocalesState()
        wanted = (self.desired(ctx.desired) or {}).get(code)
        if change.resource == INFO:
            info = APP.state(ctx.live) or AppInfoState()
            live_id = state.info_ids.get(code)
            parent = Parent(
                "appInfos",
                need(info.app_info_id, "app info") if change.action is Action.CREATE else None,
                info_address(ctx.desired, code),
                "/v1/appInfos",
            )
            relationship = "appInfo"
        else:
            version = VERSION.state(ctx.live) or VersionState()
            live_id = state.version_ids.get(code)
            parent = Parent(
                "appStoreVersions",
                version.version_id,
                version_address(ctx.desired),
                "/v1/appStoreVersions",
            )
            relationship = "appStoreVersion"
        return localization_op(
            change,
            fields=LOCALE_FIELDS,
            wanted=wanted,
            prefix="",
            parent_relationship=relationship,
            parent=parent,
            live_id=live_id,
        )

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        state = self.state(live) or LocalesState()
        for code, version_id in state.version_ids.items():
            ids.set(locale_address(desired, code), version_id)
        for code, info_id in state.info_ids.items():
            ids.set(info_address(desired, code), info_id)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        if desired is not None and desired.platform_of is not None:
            return  # pull writes the app's own platform
        mine = (self.desired(desired) if desired else None) or {}
        for code, record in sorted((self.desired(live) or {}).items()):
            # a locale only live gets its own new file, also under managed_only (drift)
            writer.write_record(
                folder / "locales" / f"{code}.yml",
                record,
                writer.fields("locale"),
                mine.get(code),
                new_file_managed=True,
                inherited_from=folder / "locales" / DEFAULTS_FILE,
            )

    def not_live(self, live: App, desired: App) -> list[Path]:
        have = self.desired(live) or {}
        return [
            desired.folder / "locales" / f"{code}.yml"
            for code in (self.desired(desired) or {})
            if code not in have
        ]


# -- loading and checking ------------------------------------------------------------------


def _check_primary(loader: RepoLoader, app: App, folder: Path) -> None:
    primary = app.record.get("primary_locale")
    if not isinstance(primary, str):
        return
    where = app.record.where("primary_locale")
    if not loc.is_locale(primary):
        loader.problems.append(
            where.problem(
                "primary_locale",
                f"{primary!r} is not an App Store locale",
                loc.suggest_locale(primary),
            )
        )
    elif not (folder / f"{primary}.yml").exists():
        loader.problems.append(
            where.problem(
                "primary_locale",
                f"{primary} has no locales/{primary}.yml",
                f"create apps/{app.name}/locales/{primary}.yml",
            )
        )


def _missing_submission_fields(app: App, code: str, record: Record) -> list[Problem]:
    needed = list(SUBMISSION_FIELDS)
    platform = app.record.get("platform")
    needed.append("privacy_policy_text" if platform == "TV_OS" else "privacy_policy_url")
    problems = []
    if platform != "TV_OS" and "privacy_policy_text" in record.attrs:
        problems.append(
            record.where("privacy_policy_text").problem(
                "privacy_policy_text",
                "is used on tvOS only",
                "use privacy_policy_url",
                Severity.WARNING,
            )
        )
    return problems + [
        record.source.problem(
            key,
            f"is not set for the primary locale {code}",
            "App Store Connect requires it before submission",
            Severity.WARNING,
        )
        for key in needed
        if record.attrs.get(key) is None
    ]


# -- reading -------------------------------------------------------------------------------


def _read_one(live: Locales, ids: dict[str, str], item: dict[str, Any], resource: str) -> None:
    attributes = item.get("attributes") or {}
    code = attributes.get("locale")
    if not code:
        return
    ids[code] = item["id"]
    record = live.setdefault(code, Record(LIVE))
    record.attrs.update(read_record(LOCALE_FIELDS, {resource: attributes}).attrs)


# -- planning ------------------------------------------------------------------------------


def _plan_info(
    planner: Planner, code: str, wanted: Record, live: Record, keys: list[str], live_id: str | None
) -> None:
    if not keys:
        return
    if live_id is None and wanted.get("name") is None:
        # [S] AppInfoLocalizationCreateRequest requires name: Apple answers 409 without it
        planner.refuse(
            wanted,
            "name",
            f"App Store Connect needs a name to create the {code} listing, which it does not "
            "have yet",
            f"add name: to locales/{code}.yml or to locales/_defaults.yml",
        )
        return
    info = APP.state(planner.live) or AppInfoState()
    planner.add(
        Change(
            info_address(planner.desired, code),
            Action.UPDATE if live_id else Action.CREATE,
            INFO,
            planner.app,
            code,
            fields=planner.field_changes(wanted.attrs, live.attrs, keys, wanted),
            calls=(f"PATCH /v1/{INFO}/{{id}}",) if live_id else (f"POST /v1/{INFO}",),
            source=planner.source(wanted, keys[0]),
        ),
        locked_by=info.locked_by,
    )


def _plan_version_text(
    planner: Planner, code: str, wanted: Record, live: Record, keys: list[str], live_id: str | None
) -> None:
    version = VERSION.state(planner.live) or VersionState()
    address = locale_address(planner.desired, code)
    if version.is_first_version and "whats_new" in keys:
        keys = [k for k in keys if k != "whats_new"]
        planner.lock(
            Change(
                address,
                Action.UPDATE,
                VERSION_TEXT,
                planner.app,
                code,
                fields=planner.field_changes(wanted.attrs, live.attrs, ["whats_new"], wanted),
                source=planner.source(wanted, "whats_new"),
                note="whats_new is not accepted on an app's first version",
            )
        )
    if not keys:
        return
    if live_id is None:
        planner.add(
            Change(
                address,
                Action.CREATE,
                VERSION_TEXT,
                planner.app,
                code,
                fields=planner.field_changes(wanted.attrs, live.attrs, keys, wanted),
                calls=(f"POST /v1/{VERSION_TEXT}",),
                after=(version_address(planner.desired),),
                source=planner.source(wanted, keys[0]),
            ),
            locked_by=version.locked_by,
        )
        return
    if version.editable:
        editable, frozen = keys, []
    else:
        editable = [k for k in keys if k in ALWAYS_EDITABLE_LOCALE_KEYS]
        frozen = [k for k in keys if k not in ALWAYS_EDITABLE_LOCALE_KEYS]
    for subset, locked in ((editable, None), (frozen, version.locked_by)):
        if subset:
            planner.add(
                Change(
                    address,
                    Action.UPDATE,
                    VERSION_TEXT,
                    planner.app,
                    code,
                    fields=planner.field_changes(wanted.attrs, live.attrs, subset, wanted),
                    calls=(f"PATCH /v1/{VERSION_TEXT}/{{id}}",),
                    source=planner.source(wanted, subset[0]),
                ),
                locked_by=locked,
            )


def _plan_delete(planner: Planner, code: str, state: LocalesState) -> None:
    if code == planner.desired.record.get("primary_locale"):
        return  # the loader already requires a file for the primary locale
    note = "no locales/ file for this locale"
    if code in state.version_ids:
        version = VERSION.state(planner.live) or VersionState()
        planner.add(
            Change(
                locale_address(planner.desired, code),
                Action.DELETE,
                VERSION_TEXT,
                planner.app,
                code,
                calls=(f"DELETE /v1/{VERSION_TEXT}/{{id}}",),
                note=note,
            ),
            locked_by=version.locked_by,
        )
    if code in state.info_ids:
        info = APP.state(planner.live) or AppInfoState()
        planner.add(
            Change(
                info_address(planner.desired, code),
                Action.DELETE,
                INFO,
                planner.app,
                code,
                calls=(f"DELETE /v1/{INFO}/{{id}}",),
                note=note,
            ),
            locked_by=info.locked_by,
        )


LOCALES = LocaleText()

__all__ = [
    "DEFAULTS_FILE",
    "LOCALES",
    "LOCALE_FIELDS",
    "Locales",
    "LocalesState",
    "info_address",
    "locale_address",
]
