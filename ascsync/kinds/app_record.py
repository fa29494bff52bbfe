"""The app record: ``app.yml``'s identity, content rights and categories.

``app.yml`` is the one file every app has; its identity keys (``bundle_id``,
``platform``, ``primary_locale``, ``sku``) are read by every kind and never changed
through the API (the API cannot create or re-key an app). What this kind plans:
``primaryLocale`` and ``contentRightsDeclaration`` (``PATCH /v1/apps/{id}``) and the
categories, which Apple keeps as relationships of the app info being prepared
(``PATCH /v1/appInfos/{id}``), locked while that app info is not editable.

It also owns the :data:`APP_INFOS` read (an app's app infos, one request) that the age
rating and the locales include their relationships in.

Addresses: ``app[x]`` and ``app[x].info``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascsync.api.jsonapi import Document
from ascsync.desired.model import App, Field, FieldType, FileKind
from ascsync.desired.scaffold import NewApp, StarterFile
from ascsync.engine.live import Include, LiveApp, LiveContext, SharedRead, include_params, linked_id
from ascsync.engine.mapping import apple_changes, apple_target, flat_fields, read_record
from ascsync.engine.ops import Op, need, patch_op
from ascsync.engine.plan import Change
from ascsync.engine.planner import Planner
from ascsync.io.repo_writer import RepoWriter
from ascsync.kinds.base import ApplyContext, ResourceKind
from ascsync.problems import Problem, Severity
from ascsync.rules import products as pr
from ascsync.rules.states import EDITABLE_APP_INFO_STATES

IDENTITY_KEYS = frozenset({"bundle_id", "platform", "sku", "supports_ipad"})
"""app.yml keys that identify the app or guide validation; never changed through the API."""

CATEGORY_SLOTS = (
    "primaryCategory",
    "primarySubcategoryOne",
    "primarySubcategoryTwo",
    "secondaryCategory",
    "secondarySubcategoryOne",
    "secondarySubcategoryTwo",
)
_SUBCATS = pr.SUBCATEGORIES["GAMES"] + pr.SUBCATEGORIES["STICKERS"]

APP_FIELDS = (
    Field(
        "bundle_id",
        FieldType.TEXT,
        "The app's bundle id.",
        "apps.bundleId",
        required=True,
        pattern=pr.BUNDLE_ID,
        pattern_hint="reverse-DNS of A-Z a-z 0-9 - .",
    ),
    Field(
        "platform",
        FieldType.ENUM,
        "",
        "appStoreVersions.platform",
        required=True,
        choices=pr.PLATFORMS,
    ),
    Field(
        "primary_locale",
        FieldType.TEXT,
        "Must have a locales/<locale>.yml.",
        "apps.primaryLocale",
        required=True,
    ),
    Field(
        "sku",
        FieldType.TEXT,
        "Informational; fixed at creation.",
        "apps.sku",
        pattern=pr.SKU,
        pattern_hint="letters, digits, - . _; not starting with - . _",
    ),
    Field("supports_ipad", FieldType.BOOL, "iOS: makes 13-inch iPad screenshots required."),
    Field(
        "content_rights",
        FieldType.ENUM,
        "",
        "apps.contentRightsDeclaration",
        choices=pr.CONTENT_RIGHTS,
    ),
    Field(
        "categories",
        FieldType.OBJECT,
        "appCategories ids.",
        fields=(
            Field("primary", FieldType.ENUM, "", "appInfos.primaryCategory", choices=pr.CATEGORIES),
            Field(
                "primary_subcategories",
                FieldType.STRINGS,
                "GAMES/STICKERS only, ≤2.",
                "appInfos.primarySubcategoryOne,primarySubcategoryTwo",
                choices=_SUBCATS,
                max=2,
            ),
            Field(
                "secondary",
                FieldType.ENUM,
                "",
                "appInfos.secondaryCategory",
                nullable=True,
                choices=pr.CATEGORIES,
            ),
            Field(
                "secondary_subcategories",
                FieldType.STRINGS,
                "GAMES/STICKERS only, ≤2.",
                "appInfos.secondarySubcategoryOne,secondarySubcategoryTwo",
                choices=_SUBCATS,
                max=2,
            ),
        ),
    ),
)

APP_FILE = FileKind(
    "app",
    "apps/<app>/app.yml",
    "The app record: ids, platform, categories, availability, price.",
    APP_FIELDS,
)


def _fetch_app_infos(ctx: LiveContext, includes: tuple[Include, ...]) -> Document:
    params = include_params(includes)
    return ctx.client.get(f"/v1/apps/{ctx.live.app_id}/appInfos", params)


APP_INFOS = SharedRead("appInfos", _fetch_app_infos)
"""``GET /v1/apps/{id}/appInfos``: the app's app infos with what each kind includes."""


def chosen_info(doc: Document | None) -> dict[str, Any] | None:
    """The app info ascsync edits: the one being prepared, else the live one."""
    infos = doc.resources() if doc is not None else []
    return next(
        (i for i in infos if i["attributes"].get("state") in EDITABLE_APP_INFO_STATES),
        infos[0] if infos else None,
    )


@dataclass
class AppInfoState:
    """The app info ascsync edits, and its state (which decides what is locked)."""

    app_info_id: str | None = None
    app_info_state: str | None = None

    @property
    def editable(self) -> bool:
        return self.app_info_state in EDITABLE_APP_INFO_STATES

    @property
    def locked_by(self) -> str | None:
        """The state that locks app-info text and categories, or None when editable."""
        return None if self.editable else self.app_info_state


class AppRecord(ResourceKind[None, AppInfoState]):
    name = "app"
    files = (APP_FILE,)
    includes = tuple(Include(APP_INFOS, slot) for slot in CATEGORY_SLOTS)
    compiles = ("apps", "appInfos")

    def check(self, app: App) -> list[Problem]:
        return check_categories(app) + check_platform_fields(app)

    def starter_files(self, app: NewApp) -> list[StarterFile]:
        ipad = "supports_ipad: true\n" if app.platform == "IOS" else ""
        content = f"""\
# Leaving a key out means "not managed by ascsync"; write null to clear a value.
bundle_id: {app.bundle_id}
platform: {app.platform}
primary_locale: {app.locale}
{ipad}categories:
  primary: UTILITIES
"""
        return [StarterFile(f"apps/{app.folder}/app.yml", "app", content)]

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> AppInfoState:
        info = chosen_info(ctx.shared(APP_INFOS))
        categories = {slot: linked_id(info, slot) for slot in CATEGORY_SLOTS} if info else {}
        record = read_record(
            APP_FIELDS,
            {"apps": ctx.live.resource.get("attributes") or {}},
            relationships={"appInfos": categories} if info else None,
        )
        ctx.live.model.record.attrs.update(record.attrs)
        if info is None:
            return AppInfoState()
        return AppInfoState(info["id"], info["attributes"].get("state"))

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or AppInfoState()
        own = {key for key, _ in flat_fields(APP_FIELDS)}
        record = live.model.record
        return {
            "ids": [live.app_id, state.app_info_id],
            "state": state.app_info_state,
            "app": {k: v.value for k, v in sorted(record.attrs.items()) if k in own},
        }

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        desired, live = planner.desired.record, planner.live.model.record
        own = [key for key, _ in flat_fields(APP_FIELDS) if key not in IDENTITY_KEYS]
        by_resource = _split_by_resource(own)
        address = planner.desired.address
        planner.update(
            address,
            "apps",
            desired.attrs,
            live.attrs,
            desired,
            by_resource.get("apps", []),
            "PATCH /v1/apps/{id}",
        )
        state = self.state(planner.live) or AppInfoState()
        planner.update(
            f"{address}.info",
            "appInfos",
            desired.attrs,
            live.attrs,
            desired,
            by_resource.get("appInfos", []),
            "PATCH /v1/appInfos/{id}",
            locked_by=state.locked_by,
        )

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        fields = [f.name for f in change.fields]
        changes = apple_changes(APP_FIELDS, fields, ctx.desired.record)
        if change.resource == "apps":
            return patch_op("apps", ctx.live.app_id, changes.get("apps", {}))
        slots = changes.get("appInfos", {})
        relationships = {
            slot: ("appCategories", value) if value else None for slot, value in slots.items()
        }
        state = self.state(ctx.live) or AppInfoState()
        return patch_op("appInfos", need(state.app_info_id, "app info"), {}, relationships)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        # drift --write takes what drift reports; the app's identity keys are never drift
        skip = IDENTITY_KEYS if writer.managed_only else frozenset()
        writer.write_record(
            folder / "app.yml",
            live.record,
            writer.fields("app"),
            desired.record if desired else None,
            skip=skip,
        )


def _split_by_resource(keys: list[str]) -> dict[str, list[str]]:
    specs = dict(flat_fields(APP_FIELDS))
    out: dict[str, list[str]] = {}
    for key in keys:
        target = apple_target(specs[key])
        if target is not None:
            out.setdefault(target[0], []).append(key)
    return out


def check_categories(app: App) -> list[Problem]:
    """Subcategories exist only under GAMES/STICKERS and must belong to their category."""
    record = app.record
    problems = []
    for slot in ("primary", "secondary"):
        parent = record.get(f"categories.{slot}")
        key = f"categories.{slot}_subcategories"
        for sub in record.get(key) or []:
            allowed = pr.SUBCATEGORIES.get(parent or "", ())
            if sub in allowed:
                continue
            where = record.where(key)
            if not allowed:
                problems.append(
                    where.problem(key, f"{sub} needs {slot} GAMES or STICKERS, not {parent}")
                )
            else:
                problems.append(where.problem(key, f"{sub} is not a {parent} subcategory"))
    primary, secondary = record.get("categories.primary"), record.get("categories.secondary")
    if primary and primary == secondary:
        problems.append(
            record.where("categories.secondary").problem(
                "categories.secondary", f"is the same as the primary category {primary}"
            )
        )
    return problems


def check_platform_fields(app: App) -> list[Problem]:
    """Keys that only mean something on some platforms (Apple ignores them elsewhere)."""
    record = app.record
    platform = record.get("platform")
    if record.get("supports_ipad") is True and platform != "IOS":
        return [
            record.where("supports_ipad").problem(
                "supports_ipad", f"has no effect for {platform}", "iOS apps only", Severity.WARNING
            )
        ]
    return []


APP = AppRecord()

__all__ = ["APP", "APP_FIELDS", "APP_INFOS", "AppInfoState", "IDENTITY_KEYS", "chosen_info"]
