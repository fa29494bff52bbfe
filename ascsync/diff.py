"""Desired vs live: the changes that make App Store Connect match the repo, as a Plan.

Rules that hold everywhere:

* Only what the repo manages is compared: a key absent from the repo is never planned.
* A field that cannot be edited in the current state (a version in review, a live app
  info) is not planned but listed as *locked*, with the state, so nobody is surprised.
* Locales are managed as a set once a repo has any: a live locale without a file is
  deleted. Screenshots are managed per set folder: a file's identity is its MD5, so an
  unchanged image is never uploaded again, whatever its name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ascsync.desired.model import (
    AGE_RATING_FIELDS,
    APP_FIELDS,
    LOCALE_FIELDS,
    VERSION_FIELDS,
    App,
    Field,
    MediaSet,
    Record,
)
from ascsync.diff_availability import KEY_PREFIXES, plan_availability
from ascsync.diff_products import plan_products
from ascsync.diff_testflight import plan_testflight
from ascsync.engine.compare import changed, field_changes
from ascsync.engine.mapping import apple_target, flat_fields
from ascsync.engine.plan import Action, Change, FieldChange, Plan
from ascsync.live import LiveApp, LiveLocale, LiveMedia, LiveSet
from ascsync.rules.states import ALWAYS_EDITABLE_LOCALE_KEYS, EDITABLE_VERSION_STATES

IDENTITY_KEYS = frozenset({"bundle_id", "platform", "sku", "supports_ipad"})
"""app.yml keys that identify the app or guide validation; never changed through the API."""

Checksum = Callable[[Path], str]


@dataclass
class _Context:
    desired: App
    live: LiveApp
    root: Path
    checksum: Checksum
    plan: Plan

    @property
    def version_editable(self) -> bool:
        return self.live.version_id is None or self.live.version_state in EDITABLE_VERSION_STATES

    def source(self, record: Record, key: str | None = None) -> str | None:
        where = record.where(key) if key else record.source
        if where.file is None:
            return None
        try:
            path = where.file.resolve().relative_to(self.root.resolve())
        except ValueError:
            path = where.file
        return f"{path}:{where.line}" if where.line else str(path)


def plan_app(desired: App, live: LiveApp, *, root: Path, checksum: Checksum) -> Plan:
    """Every change for one app, in declaration order (``Plan.ordered`` sorts them)."""
    ctx = _Context(desired, live, root, checksum, Plan())
    _app_record(ctx)
    _age_rating(ctx)
    _version(ctx)
    _locales(ctx)
    plan_products(desired, live, ctx.plan, root=root)
    plan_testflight(desired, live, ctx.plan, root=root)
    return ctx.plan


# -- app.yml -----------------------------------------------------------------------


def _app_record(ctx: _Context) -> None:
    desired, live = ctx.desired.record, ctx.live.model.record
    app_keys = [k for k in _changed(desired, live, APP_FIELDS) if k not in IDENTITY_KEYS]
    app_keys = [k for k in app_keys if not k.startswith(KEY_PREFIXES)]
    plan_availability(ctx.desired, ctx.live, ctx.plan, source=ctx.source)
    by_resource = _split_by_resource(app_keys, APP_FIELDS)
    address = ctx.desired.address
    if by_resource.get("apps"):
        _update(
            ctx, address, "apps", by_resource["apps"], desired, live, calls=("PATCH /v1/apps/{id}",)
        )
    if by_resource.get("appInfos"):
        change = _update_change(
            ctx,
            f"{address}.info",
            "appInfos",
            by_resource["appInfos"],
            desired,
            live,
            calls=("PATCH /v1/appInfos/{id}",),
        )
        _add(ctx, change, locked_by=None if ctx.live.app_info_editable else ctx.live.app_info_state)


def _age_rating(ctx: _Context) -> None:
    desired = ctx.desired.age_rating
    if desired is None:
        return
    live = ctx.live.model.age_rating or Record(desired.source)
    keys = _changed(desired, live, AGE_RATING_FIELDS)
    if not keys:
        return
    change = _update_change(
        ctx,
        f"{ctx.desired.address}.age_rating",
        "ageRatingDeclarations",
        keys,
        desired,
        live,
        calls=("PATCH /v1/ageRatingDeclarations/{id}",),
    )
    _add(ctx, change, locked_by=None if ctx.live.app_info_editable else ctx.live.app_info_state)


# -- version.yml -------------------------------------------------------------------


def _version(ctx: _Context) -> None:
    desired = ctx.desired.version
    if desired is None:
        return
    address = _version_address(ctx)
    live = ctx.live.model.version or Record(desired.source)
    keys = [k for k in _changed(desired, live, VERSION_FIELDS) if k != "version"]
    by_resource = _split_by_resource([k for k in keys if k != "phased_release"], VERSION_FIELDS)
    locked = None if ctx.version_editable else ctx.live.version_state
    if ctx.live.version_id is None:
        fields = _field_changes(
            desired, live, ["version", *by_resource.get("appStoreVersions", [])]
        )
        _add(
            ctx,
            Change(
                address,
                Action.CREATE,
                "appStoreVersions",
                ctx.desired.name,
                fields=tuple(fields),
                calls=("POST /v1/appStoreVersions",),
                source=ctx.source(desired, "version"),
            ),
        )
    elif by_resource.get("appStoreVersions"):
        change = _update_change(
            ctx,
            address,
            "appStoreVersions",
            by_resource["appStoreVersions"],
            desired,
            live,
            calls=("PATCH /v1/appStoreVersions/{id}",),
        )
        _add(ctx, change, locked_by=locked)
    if by_resource.get("appStoreReviewDetails"):
        exists = ctx.live.review_detail_id is not None
        action = Action.UPDATE if exists else Action.CREATE
        call = (
            "PATCH /v1/appStoreReviewDetails/{id}" if exists else "POST /v1/appStoreReviewDetails"
        )
        change = Change(
            f"{address}.review",
            action,
            "appStoreReviewDetails",
            ctx.desired.name,
            fields=tuple(_field_changes(desired, live, by_resource["appStoreReviewDetails"])),
            calls=(call,),
            after=(address,),
            source=ctx.source(desired, by_resource["appStoreReviewDetails"][0]),
        )
        _add(ctx, change, locked_by=locked)
    if "phased_release" in keys:
        wanted = bool(desired.get("phased_release"))
        action = Action.CREATE if wanted else Action.DELETE
        call = (
            "POST /v1/appStoreVersionPhasedReleases"
            if wanted
            else "DELETE /v1/appStoreVersionPhasedReleases/{id}"
        )
        if wanted or ctx.live.phased_release_id:
            change = Change(
                f"{address}.phased_release",
                action,
                "appStoreVersionPhasedReleases",
                ctx.desired.name,
                fields=tuple(_field_changes(desired, live, ["phased_release"])),
                calls=(call,),
                after=(address,),
                source=ctx.source(desired, "phased_release"),
            )
            _add(ctx, change, locked_by=locked)


def _version_address(ctx: _Context) -> str:
    return f"{ctx.desired.address}.version[{ctx.desired.version_string}]"


# -- locales and media -------------------------------------------------------------

_INFO_KEYS = frozenset(
    k
    for k, f in flat_fields(LOCALE_FIELDS)
    if (apple_target(f) or ("",))[0] == "appInfoLocalizations"
)


def _locales(ctx: _Context) -> None:
    if not ctx.desired.localizations:
        return
    version_address = _version_address(ctx)
    live_locales = ctx.live.model.localizations
    for code, wanted in ctx.desired.localizations.items():
        ids = ctx.live.locales.get(code, LiveLocale())
        live_record = (
            live_locales[code].record if code in live_locales else Record(wanted.record.source)
        )
        keys = _changed(wanted.record, live_record, LOCALE_FIELDS)
        info_keys = [k for k in keys if k in _INFO_KEYS]
        version_keys = [k for k in keys if k not in _INFO_KEYS]
        _info_localization(ctx, code, wanted.record, live_record, info_keys, ids.info_id)
        _version_localization(
            ctx, code, wanted.record, live_record, version_keys, ids.version_id, version_address
        )
        loc_address = f"{version_address}.locale[{code}]"
        if wanted.screenshot_sets or ids.screenshot_sets:
            _media(
                ctx,
                code,
                loc_address,
                wanted.screenshot_sets,
                ids.screenshot_sets,
                "screenshots",
                wanted.record.source.file,
            )
        if wanted.preview_sets or ids.preview_sets:
            _media(
                ctx,
                code,
                loc_address,
                wanted.preview_sets,
                ids.preview_sets,
                "previews",
                wanted.record.source.file,
            )
    for code in sorted(set(ctx.live.locales) - set(ctx.desired.localizations)):
        _delete_locale(ctx, code, version_address)


def _info_localization(
    ctx: _Context, code: str, wanted: Record, live: Record, keys: list[str], live_id: str | None
) -> None:
    if not keys:
        return
    address = f"{ctx.desired.address}.info.locale[{code}]"
    action = Action.UPDATE if live_id else Action.CREATE
    call = "PATCH /v1/appInfoLocalizations/{id}" if live_id else "POST /v1/appInfoLocalizations"
    change = Change(
        address,
        action,
        "appInfoLocalizations",
        ctx.desired.name,
        code,
        fields=tuple(_field_changes(wanted, live, keys)),
        calls=(call,),
        source=ctx.source(wanted, keys[0]),
    )
    _add(ctx, change, locked_by=None if ctx.live.app_info_editable else ctx.live.app_info_state)


def _version_localization(
    ctx: _Context,
    code: str,
    wanted: Record,
    live: Record,
    keys: list[str],
    live_id: str | None,
    version_address: str,
) -> None:
    if ctx.live.is_first_version and "whats_new" in keys:
        keys = [k for k in keys if k != "whats_new"]
        ctx.plan.locked.append(
            Change(
                f"{version_address}.locale[{code}]",
                Action.UPDATE,
                "appStoreVersionLocalizations",
                ctx.desired.name,
                code,
                fields=tuple(_field_changes(wanted, live, ["whats_new"])),
                source=ctx.source(wanted, "whats_new"),
                note="whats_new is not accepted on an app's first version",
            )
        )
    if not keys:
        return
    address = f"{version_address}.locale[{code}]"
    if live_id is None:
        _add(
            ctx,
            Change(
                address,
                Action.CREATE,
                "appStoreVersionLocalizations",
                ctx.desired.name,
                code,
                fields=tuple(_field_changes(wanted, live, keys)),
                calls=("POST /v1/appStoreVersionLocalizations",),
                after=(version_address,),
                source=ctx.source(wanted, keys[0]),
            ),
            locked_by=None if ctx.version_editable else ctx.live.version_state,
        )
        return
    if ctx.version_editable:
        editable, frozen = keys, []
    else:
        editable = [k for k in keys if k in ALWAYS_EDITABLE_LOCALE_KEYS]
        frozen = [k for k in keys if k not in ALWAYS_EDITABLE_LOCALE_KEYS]
    for subset, locked in ((editable, None), (frozen, ctx.live.version_state)):
        if subset:
            _add(
                ctx,
                Change(
                    address,
                    Action.UPDATE,
                    "appStoreVersionLocalizations",
                    ctx.desired.name,
                    code,
                    fields=tuple(_field_changes(wanted, live, subset)),
                    calls=("PATCH /v1/appStoreVersionLocalizations/{id}",),
                    source=ctx.source(wanted, subset[0]),
                ),
                locked_by=locked,
            )


def _delete_locale(ctx: _Context, code: str, version_address: str) -> None:
    ids = ctx.live.locales[code]
    if code == ctx.desired.record.get("primary_locale"):
        return  # the loader already requires a file for the primary locale
    if ids.version_id:
        _add(
            ctx,
            Change(
                f"{version_address}.locale[{code}]",
                Action.DELETE,
                "appStoreVersionLocalizations",
                ctx.desired.name,
                code,
                calls=("DELETE /v1/appStoreVersionLocalizations/{id}",),
                note="no locales/ file for this locale",
            ),
            locked_by=None if ctx.version_editable else ctx.live.version_state,
        )
    if ids.info_id:
        _add(
            ctx,
            Change(
                f"{ctx.desired.address}.info.locale[{code}]",
                Action.DELETE,
                "appInfoLocalizations",
                ctx.desired.name,
                code,
                calls=("DELETE /v1/appInfoLocalizations/{id}",),
                note="no locales/ file for this locale",
            ),
            locked_by=None if ctx.live.app_info_editable else ctx.live.app_info_state,
        )


def _media(
    ctx: _Context,
    code: str,
    loc_address: str,
    wanted: dict[str, MediaSet],
    live: dict[str, LiveSet],
    kind: str,
    source_file: Path | None,
) -> None:
    resource = "appScreenshots" if kind == "screenshots" else "appPreviews"
    set_resource = "appScreenshotSets" if kind == "screenshots" else "appPreviewSets"
    locked = None if ctx.version_editable else ctx.live.version_state
    for display_type in sorted(set(wanted) | set(live)):
        set_address = f"{loc_address}.{kind}[{display_type}]"
        want, have = wanted.get(display_type), live.get(display_type)
        if want is None:
            assert have is not None
            _add(
                ctx,
                Change(
                    set_address,
                    Action.DELETE,
                    set_resource,
                    ctx.desired.name,
                    code,
                    calls=(f"DELETE /v1/{set_resource}/{{id}}",),
                    note=f"no {kind}/{code}/{display_type}/ folder",
                ),
                locked_by=locked,
            )
            continue
        if have is None:
            _add(
                ctx,
                Change(
                    set_address,
                    Action.CREATE,
                    set_resource,
                    ctx.desired.name,
                    code,
                    calls=(f"POST /v1/{set_resource}",),
                    after=(loc_address,),
                    source=_rel(ctx, want.folder),
                ),
                locked_by=locked,
            )
        _media_items(ctx, code, set_address, want, have, resource, locked)


def _media_items(
    ctx: _Context,
    code: str,
    set_address: str,
    want: MediaSet,
    have: LiveSet | None,
    resource: str,
    locked: str | None,
) -> None:
    """Keep items whose MD5 matches, replace same-named ones, upload the rest, delete leftovers.

    Only COMPLETE items with a checksum can be kept; an item stuck in processing or FAILED
    is replaced (same name) or deleted, so a re-run converges on a clean set.
    """
    live_items = list(have.items) if have else []
    by_checksum: dict[str, list[LiveMedia]] = {}
    for item in live_items:
        if item.state == "COMPLETE" and item.checksum:
            by_checksum.setdefault(item.checksum, []).append(item)
    digests = {local.file_name: ctx.checksum(local.path) for local in want.files}
    kept: list[str] = []
    missing = []
    for local in want.files:
        match = by_checksum.get(digests[local.file_name])
        if match:
            kept.append(match.pop(0).id)
        else:
            missing.append(local)
    leftover = [m for m in live_items if m.id not in set(kept)]
    for local in missing:
        replaced = next((m for m in leftover if m.file_name == local.file_name), None)
        if replaced is not None:
            leftover.remove(replaced)
        action = Action.REPLACE if replaced else Action.UPLOAD
        calls = (f"POST /v1/{resource}", "PUT upload operations", f"PATCH /v1/{resource}/{{id}}")
        if replaced:
            calls = (f"DELETE /v1/{resource}/{{id}}", *calls)
        _add(
            ctx,
            Change(
                f"{set_address}[{local.file_name}]",
                action,
                resource,
                ctx.desired.name,
                code,
                fields=(
                    FieldChange(
                        "checksum",
                        replaced.checksum if replaced else None,
                        digests[local.file_name],
                    ),
                ),
                calls=calls,
                after=(set_address,),
                source=_rel(ctx, local.path),
                live_id=replaced.id if replaced else None,
            ),
            locked_by=locked,
        )
    names = [m.file_name for m in leftover]
    for item in leftover:
        why = "not in the repo" if item.state == "COMPLETE" else f"delivery state {item.state}"
        label = item.file_name if item.file_name and names.count(item.file_name) == 1 else item.id
        _add(
            ctx,
            Change(
                f"{set_address}[{label}]",
                Action.DELETE,
                resource,
                ctx.desired.name,
                code,
                calls=(f"DELETE /v1/{resource}/{{id}}",),
                note=why,
                live_id=item.id,
            ),
            locked_by=locked,
        )
    if have is not None and kept and _order_changed(have, kept):
        _add(
            ctx,
            Change(
                f"{set_address}.order",
                Action.REORDER,
                resource,
                ctx.desired.name,
                code,
                fields=(
                    FieldChange(
                        "order",
                        [m.file_name for m in have.items],
                        [f.file_name for f in want.files],
                    ),
                ),
                calls=(f"PATCH /v1/{resource[:-1]}Sets/{{id}}/relationships/{resource}",),
                after=(set_address,),
            ),
            locked_by=locked,
        )


def _order_changed(have: LiveSet, kept: list[str]) -> bool:
    """True when the files kept as they are appear in a different order than wanted."""
    live_order = [m.id for m in have.items if m.id in set(kept)]
    return live_order != kept


# -- helpers -----------------------------------------------------------------------


def _changed(desired: Record, live: Record, fields: Iterable[Field]) -> list[str]:
    """Repo keys managed in ``desired`` whose value differs from ``live``, in field order."""
    return changed(desired.attrs, live.attrs, [key for key, _ in flat_fields(fields)])


def _field_changes(desired: Record, live: Record, keys: Iterable[str]) -> list[FieldChange]:
    return list(field_changes(desired.attrs, live.attrs, keys))


def _split_by_resource(keys: Iterable[str], fields: Iterable[Field]) -> dict[str, list[str]]:
    specs = dict(flat_fields(fields))
    out: dict[str, list[str]] = {}
    for key in keys:
        target = apple_target(specs[key]) if key in specs else None
        if target is not None:
            out.setdefault(target[0], []).append(key)
    return out


def _update_change(
    ctx: _Context,
    address: str,
    resource: str,
    keys: list[str],
    desired: Record,
    live: Record,
    *,
    calls: tuple[str, ...],
) -> Change:
    return Change(
        address,
        Action.UPDATE,
        resource,
        ctx.desired.name,
        fields=tuple(_field_changes(desired, live, keys)),
        calls=calls,
        source=ctx.source(desired, keys[0]),
    )


def _update(
    ctx: _Context,
    address: str,
    resource: str,
    keys: list[str],
    desired: Record,
    live: Record,
    *,
    calls: tuple[str, ...],
) -> None:
    _add(ctx, _update_change(ctx, address, resource, keys, desired, live, calls=calls))


def _add(ctx: _Context, change: Change, *, locked_by: str | None = None) -> None:
    """Plan the change, or list it as locked when the resource's state forbids it."""
    if locked_by:
        ctx.plan.locked.append(
            Change(**{**change.__dict__, "note": f"not editable while {locked_by}"})
        )
    else:
        ctx.plan.changes.append(change)


def _rel(ctx: _Context, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ctx.root.resolve()))
    except ValueError:
        return str(path)
