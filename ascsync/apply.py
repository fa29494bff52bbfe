"""Carrying out a plan: each change becomes API calls, run in dependency order.

``compile_change`` turns one plan :class:`~ascsync.engine.plan.Change` into an :class:`Op`,
using the desired model (new values) and the live state (ids). Creates record the id
they got under their address, so a localization created in this run can receive its
screenshot sets. :class:`Executor` runs the ops in three phases: creates, updates and
uploads in dependency order (independent ones concurrently); then deletions; then
reorders. A failed change stops its dependants and nothing else, and the report says
what was applied, what failed (with Apple's message and the repo line) and what was
skipped. Running apply again converges: the next plan holds only what is still missing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient, ApiError, MaybeAppliedError
from ascsync.api.jsonapi import resource_body
from ascsync.desired.model import (
    AGE_RATING_FIELDS,
    APP_FIELDS,
    LOCALE_FIELDS,
    VERSION_FIELDS,
    App,
    Record,
)
from ascsync.engine.mapping import apple_changes
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.engine.uploads import PREVIEWS, SCREENSHOTS, MediaKind, UploadSettings, upload
from ascsync.errors import AscsyncError
from ascsync.live import LiveApp

Ref = tuple[str, str]


class Ids:
    """Ids known at run time: live ids from the plan, plus those creates hand out."""

    def __init__(self) -> None:
        self._by_address: dict[str, str] = {}
        self._lock = threading.Lock()

    def set(self, address: str, id_: str) -> None:
        with self._lock:
            self._by_address[address] = id_

    def get(self, address: str) -> str:
        with self._lock:
            if address not in self._by_address:
                raise AscsyncError(f"{address} has no id yet (its create did not succeed)")
            return self._by_address[address]


@dataclass
class Op:
    """The API work of one change; ``run`` raises on failure."""

    run: Callable[[ApiClient, Ids], None]


# -- compiling changes ---------------------------------------------------------------


def compile_change(
    change: Change,
    desired: App,
    live: LiveApp,
    checksum: Callable[[Path], str],
    uploads: UploadSettings,
) -> Op:
    """The op for ``change``; unknown kinds are an error, never silently skipped."""
    keys = address_keys(change.address)
    version_address = _version_address(desired)
    fields = [f.name for f in change.fields]
    code = (keys.get("locale") or [None])[0]
    resource, action = change.resource, change.action

    if resource == "apps":
        attributes = apple_changes(APP_FIELDS, fields, desired.record).get("apps", {})
        return _patch("apps", live.app_id, attributes)
    if resource == "appInfos":
        slots = apple_changes(APP_FIELDS, fields, desired.record).get("appInfos", {})
        relationships = {
            slot: ("appCategories", value) if value else None for slot, value in slots.items()
        }
        return _patch("appInfos", _need(live.app_info_id, "app info"), {}, relationships)
    if resource == "ageRatingDeclarations":
        assert desired.age_rating is not None
        attributes = apple_changes(AGE_RATING_FIELDS, fields, desired.age_rating)
        return _patch(
            "ageRatingDeclarations",
            _need(live.age_rating_id, "age rating"),
            attributes.get("ageRatingDeclarations", {}),
        )
    if resource == "appStoreVersions":
        return _version_op(change, desired, live, fields, version_address)
    if resource == "appStoreReviewDetails":
        assert desired.version is not None
        attributes = apple_changes(VERSION_FIELDS, fields, desired.version).get(resource, {})
        if action is Action.CREATE:
            return _create(
                resource,
                attributes,
                {"appStoreVersion": ("appStoreVersions", version_address)},
                change.address,
            )
        return _patch(resource, _need(live.review_detail_id, "review detail"), attributes)
    if resource == "appStoreVersionPhasedReleases":
        if action is Action.CREATE:
            return _create(
                resource,
                {"phasedReleaseState": "INACTIVE"},
                {"appStoreVersion": ("appStoreVersions", version_address)},
                change.address,
            )
        return _delete(resource, _need(live.phased_release_id, "phased release"))
    if resource in ("appInfoLocalizations", "appStoreVersionLocalizations"):
        assert code is not None
        return _localization_op(change, desired, live, fields, code, version_address)
    if resource in ("appScreenshotSets", "appPreviewSets"):
        return _set_op(change, live, keys, code, version_address)
    if resource in ("appScreenshots", "appPreviews"):
        return _media_op(change, desired, live, keys, code, checksum, uploads)
    compiler = extra_compilers().get(resource)
    if compiler is not None:
        return compiler(change, desired, live)
    return _unsupported(change)


Compiler = Callable[[Change, App, LiveApp], Op]


def extra_compilers() -> dict[str, Compiler]:
    """Compilers of products, TestFlight, availability and price, by JSON:API type.

    Imported on first use: those modules build on this one, so importing them at the top
    would be circular.
    """
    from ascsync import apply_availability, apply_products, apply_testflight

    return {
        **apply_products.COMPILERS,
        **apply_testflight.COMPILERS,
        **apply_availability.COMPILERS,
    }


def _unsupported(change: Change) -> Op:
    """A change this version cannot carry out fails on its own; the rest of the plan goes on."""

    def run(client: ApiClient, ids: Ids) -> None:
        raise AscsyncError(
            f"ascsync cannot apply {change.action.value} on {change.resource} yet; "
            "it stays as it is in App Store Connect"
        )

    return Op(run)


def _version_address(desired: App) -> str:
    return f"{desired.address}.version[{desired.version_string}]"


def _version_op(
    change: Change, desired: App, live: LiveApp, fields: list[str], version_address: str
) -> Op:
    assert desired.version is not None
    attributes = apple_changes(
        VERSION_FIELDS, [f for f in fields if f != "version"], desired.version
    ).get("appStoreVersions", {})
    if change.action is Action.CREATE:
        attributes = {
            "platform": desired.record.get("platform"),
            "versionString": desired.version_string,
            **attributes,
        }
        return _create(
            "appStoreVersions", attributes, {"app": ("apps", live.app_id)}, version_address
        )
    return _patch("appStoreVersions", _need(live.version_id, "version"), attributes)


def _localization_op(
    change: Change, desired: App, live: LiveApp, fields: list[str], code: str, version_address: str
) -> Op:
    resource = change.resource
    ids = live.locales.get(code)
    live_id = (
        (ids.info_id if resource == "appInfoLocalizations" else ids.version_id) if ids else None
    )
    if change.action is Action.DELETE:
        return _delete(resource, _need(live_id, f"{code} localization"))
    record: Record = desired.localizations[code].record
    attributes = apple_changes(LOCALE_FIELDS, fields, record).get(resource, {})
    if change.action is Action.UPDATE:
        return _patch(resource, _need(live_id, f"{code} localization"), attributes)
    if resource == "appInfoLocalizations":
        parent = ("appInfo", ("appInfos", _need(live.app_info_id, "app info")))
    else:
        parent = ("appStoreVersion", ("appStoreVersions", version_address))
    return _create(
        resource,
        {"locale": code, **attributes},
        {parent[0]: parent[1]},
        change.address,
        adopt=(parent, code),
    )


def _set_op(
    change: Change,
    live: LiveApp,
    keys: dict[str, list[str]],
    code: str | None,
    version_address: str,
) -> Op:
    kind = SCREENSHOTS if change.resource == "appScreenshotSets" else PREVIEWS
    media_key = "screenshots" if kind is SCREENSHOTS else "previews"
    display_type = keys[media_key][0]
    locale_address = f"{version_address}.locale[{code}]"
    if change.action is Action.DELETE:
        sets = _live_sets(live, code, kind)
        return _delete(kind.set_resource, sets[display_type].id)
    type_attribute = "screenshotDisplayType" if kind is SCREENSHOTS else "previewType"
    return _create(
        kind.set_resource,
        {type_attribute: display_type},
        {"appStoreVersionLocalization": ("appStoreVersionLocalizations", locale_address)},
        change.address,
    )


def _media_op(
    change: Change,
    desired: App,
    live: LiveApp,
    keys: dict[str, list[str]],
    code: str | None,
    checksum: Callable[[Path], str],
    uploads: UploadSettings,
) -> Op:
    kind = SCREENSHOTS if change.resource == "appScreenshots" else PREVIEWS
    media_key = "screenshots" if kind is SCREENSHOTS else "previews"
    display_type = keys[media_key][0]
    set_address = (
        change.address.removesuffix(".order")
        if change.action is Action.REORDER
        else change.address.rsplit("[", 1)[0]
    )
    live_set = _live_sets(live, code, kind).get(display_type)
    if change.action is Action.REORDER:
        wanted = _wanted_set(desired, code, kind, display_type)
        return Op(
            lambda client, ids: _reorder(
                client, kind, ids.get(set_address), [checksum(f.path) for f in wanted.files]
            )
        )
    name = keys[media_key][1]
    if change.action is Action.DELETE:
        return _delete(kind.resource, _need(change.live_id or _live_id(live_set, name), name))
    wanted = _wanted_set(desired, code, kind, display_type)
    local = next(f for f in wanted.files if f.file_name == name)
    replaced = change.live_id if change.action is Action.REPLACE else None

    def run(client: ApiClient, ids: Ids) -> None:
        set_id = ids.get(set_address)
        if replaced:
            _delete(kind.resource, replaced).run(client, ids)
        upload(client, kind, set_id, local.path, checksum(local.path), uploads)

    return Op(run)


def _live_id(live_set: Any, name: str) -> str | None:
    items = live_set.items if live_set else []
    return next((m.id for m in items if m.file_name == name or m.id == name), None)


def ordering_changes(changes: list[Change]) -> list[Change]:
    """One "put in order" step for each set that receives uploads and has no reorder planned.

    Apple appends an uploaded item at the end of its set; this step moves it to the place
    its file name has in the repo, after all uploads into the set are done.
    """
    planned = {c.address for c in changes if c.action is Action.REORDER}
    uploads: dict[str, list[Change]] = {}
    for change in changes:
        if change.action in (Action.UPLOAD, Action.REPLACE):
            uploads.setdefault(change.address.rsplit("[", 1)[0], []).append(change)
    return [
        Change(
            f"{set_address}.order",
            Action.REORDER,
            items[0].resource,
            items[0].app,
            items[0].locale,
            after=tuple(c.address for c in items),
            note="place uploaded files in the repo's order",
        )
        for set_address, items in uploads.items()
        if f"{set_address}.order" not in planned
    ]


def _wanted_set(desired: App, code: str | None, kind: MediaKind, display_type: str) -> Any:
    localization = desired.localizations[code or ""]
    sets = localization.screenshot_sets if kind is SCREENSHOTS else localization.preview_sets
    return sets[display_type]


def _live_sets(live: LiveApp, code: str | None, kind: MediaKind) -> dict[str, Any]:
    ids = live.locales.get(code or "")
    if ids is None:
        return {}
    return ids.screenshot_sets if kind is SCREENSHOTS else ids.preview_sets


def _reorder(client: ApiClient, kind: MediaKind, set_id: str, wanted: list[str]) -> None:
    """Put the set's items in the repo's order (by checksum); items not yet known go last."""
    doc = client.get_all(
        f"/v1/{kind.set_resource}/{set_id}/{kind.resource}",
        {f"fields[{kind.resource}]": ["sourceFileChecksum"]},
    )
    items = [
        (r["id"], (r.get("attributes") or {}).get("sourceFileChecksum")) for r in doc.resources()
    ]
    position = {digest: index for index, digest in enumerate(wanted)}
    ordered = sorted(items, key=lambda item: position.get(item[1], len(position)))
    if [i for i, _ in ordered] == [i for i, _ in items]:
        return
    client.patch(
        f"/v1/{kind.set_resource}/{set_id}/relationships/{kind.resource}",
        {"data": [{"type": kind.resource, "id": i} for i, _ in ordered]},
    )


# -- op builders ---------------------------------------------------------------------


def _need(value: str | None, what: str) -> str:
    if not value:
        raise AscsyncError(f"the live {what} was not found; run plan again")
    return value


def _patch(
    resource: str,
    id_: str,
    attributes: dict[str, Any],
    relationships: dict[str, Ref | None] | None = None,
) -> Op:
    def run(client: ApiClient, ids: Ids) -> None:
        client.patch(
            f"/v1/{resource}/{id_}",
            resource_body(resource, attributes or None, relationships, id_=id_),
        )

    return Op(run)


def _delete(resource: str, id_: str) -> Op:
    def run(client: ApiClient, ids: Ids) -> None:
        try:
            client.delete(f"/v1/{resource}/{id_}")
        except ApiError as error:
            if error.status != 404:  # already gone (a retry after a lost answer)
                raise

    return Op(run)


def _create(
    resource: str,
    attributes: dict[str, Any],
    relationships: dict[str, Ref],
    address: str,
    *,
    adopt: tuple[tuple[str, Ref], str] | None = None,
) -> Op:
    """POST; relationship ids may be addresses created earlier in this run.

    ``adopt`` = ((relationship, parent ref), locale): after a POST that may have been
    applied, look the localization up under its parent and adopt it instead of creating
    a second one.
    """

    def run(client: ApiClient, ids: Ids) -> None:
        resolved = {
            name: (type_, _resolve(ids, ref)) for name, (type_, ref) in relationships.items()
        }
        body = resource_body(
            resource, {k: v for k, v in attributes.items() if v is not None}, resolved
        )
        try:
            created = client.post(f"/v1/{resource}", body)
        except MaybeAppliedError:
            found = _find_created(client, resource, resolved, adopt) if adopt else None
            if found is None:
                raise
            ids.set(address, found)
            return
        ids.set(address, created.data["id"])  # type: ignore[index]

    return Op(run)


def _resolve(ids: Ids, ref: str) -> str:
    return ids.get(ref) if "[" in ref else ref


def _find_created(
    client: ApiClient, resource: str, resolved: dict[str, Ref], adopt: tuple[tuple[str, Ref], str]
) -> str | None:
    (relationship, _), locale = adopt
    parent_type, parent_id = resolved[relationship]
    doc = client.get_all(
        f"/v1/{parent_type}/{parent_id}/{resource}", {f"fields[{resource}]": ["locale"]}
    )
    return next(
        (r["id"] for r in doc.resources() if (r.get("attributes") or {}).get("locale") == locale),
        None,
    )


# -- running ---------------------------------------------------------------------------


@dataclass
class Outcome:
    change: Change
    status: str  # applied | failed | skipped
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def by_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return not self.by_status("failed") and not self.by_status("skipped")


@dataclass
class _RunState:
    planned: set[str]
    succeeded: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)


_BUILDING = frozenset({Action.CREATE, Action.UPDATE, Action.UPLOAD, Action.REPLACE})
"""The first phase; deletions and then reorders follow it."""


class Executor:
    """Runs compiled changes; media deletions in a set go before uploads into it."""

    def __init__(
        self,
        client: ApiClient,
        ids: Ids,
        *,
        concurrency: int = 8,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.client = client
        self.ids = ids
        self.concurrency = concurrency
        self.on_outcome = on_outcome or (lambda outcome: None)

    def run(self, work: list[tuple[Change, Op]]) -> Report:
        report = Report()
        planned = {c.address for c, _ in work}
        state = _RunState(planned)
        media_deletes = [
            w
            for w in work
            if w[0].action is Action.DELETE and w[0].resource in ("appScreenshots", "appPreviews")
        ]
        other_deletes = [w for w in work if w[0].action is Action.DELETE and w not in media_deletes]
        for batch in (
            media_deletes + [w for w in work if w[0].action in _BUILDING],
            other_deletes,
            [w for w in work if w[0].action is Action.REORDER],
        ):
            self._run_batch(batch, report, state)
        return report

    def _run_batch(self, batch: list[tuple[Change, Op]], report: Report, state: _RunState) -> None:
        deps = {c.address: set(c.after) & state.planned for c, _ in batch}
        for change, _ in batch:  # uploads into a set wait for deletions from it
            if change.action in (Action.UPLOAD, Action.REPLACE):
                prefix = change.address.rsplit("[", 1)[0]
                deps[change.address] |= {
                    c.address
                    for c, _ in batch
                    if c.action is Action.DELETE and c.address.rsplit("[", 1)[0] == prefix
                }
        pending = {c.address: (c, o) for c, o in batch}
        running: dict[Future, str] = {}
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            while pending or running:
                for address in list(pending):
                    if deps[address] & state.failed:
                        change, _ = pending.pop(address)
                        self._finish(
                            report, Outcome(change, "skipped", "a change it depends on failed")
                        )
                        state.failed.add(address)
                    elif deps[address] <= state.succeeded:
                        running[pool.submit(self._one, *pending.pop(address))] = address
                if not running:
                    if pending:  # waiting on something that is neither done nor failed
                        for address in list(pending):
                            change, _ = pending.pop(address)
                            self._finish(
                                report,
                                Outcome(change, "skipped", "its dependencies never completed"),
                            )
                            state.failed.add(address)
                    break
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in finished:
                    address = running.pop(future)
                    outcome = future.result()
                    self._finish(report, outcome)
                    target = state.succeeded if outcome.status == "applied" else state.failed
                    target.add(address)

    def _one(self, change: Change, op: Op) -> Outcome:
        started = time.monotonic()
        try:
            op.run(self.client, self.ids)
        except AscsyncError as error:
            return Outcome(change, "failed", str(error), time.monotonic() - started)
        return Outcome(change, "applied", None, time.monotonic() - started)

    def _finish(self, report: Report, outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        self.on_outcome(outcome)


def seed_ids(ids: Ids, desired: App, live: LiveApp) -> None:
    """Register the live ids under the addresses the plan uses."""
    version_address = _version_address(desired)
    if live.version_id:
        ids.set(version_address, live.version_id)
    for code, entry in live.locales.items():
        locale_address = f"{version_address}.locale[{code}]"
        if entry.version_id:
            ids.set(locale_address, entry.version_id)
        if entry.info_id:
            ids.set(f"{desired.address}.info.locale[{code}]", entry.info_id)
        for media_key, sets in (
            ("screenshots", entry.screenshot_sets),
            ("previews", entry.preview_sets),
        ):
            for display_type, live_set in sets.items():
                ids.set(f"{locale_address}.{media_key}[{display_type}]", live_set.id)
