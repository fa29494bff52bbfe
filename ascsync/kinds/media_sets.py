"""Screenshot and preview sets, planned and uploaded the same way for every page.

The main product page (:mod:`ascsync.kinds.media`), a custom product page and a product
page test's treatment have sets per locale and display type, of the same JSON:API types
(``appScreenshotSets``/``appScreenshots``, ``appPreviewSets``/``appPreviews``), hanging off
different localization types. This module holds their data classes and the rules all of
them follow:

* one folder is one set, its files uploaded in natural sort order;
* a file is known by its MD5: a live item with the same checksum is kept whatever its
  name, a file with a live item's name but another checksum replaces it, other files
  upload, live items left over (stuck or FAILED ones too) are deleted;
* uploads into a set reserve one after the other in the repo's order (Apple appends each
  reservation), so a reorder is planned only when the final order would differ;
* sets are managed per folder: a live set of a managed locale without a folder is deleted.

The other pages' changes carry their planning kind's name (``Change.kind``), since the
screenshot kind owns these types for the main page. Uploads go through
:func:`ascsync.engine.uploads.upload` (reserve in the set's turn, parts, commit with the
MD5, wait until processed, one listing of the localization's sets per round).

:class:`LocaleMedia` and :class:`LiveLocaleMedia` hold the repo's and the live sets.
"""

from __future__ import annotations

import contextlib
import os
import stat as stat_module
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.desired import media as checks
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import MediaFile, MediaSet
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.ops import Ids, Op, Parent, create_op, delete_op, find_child, need
from ascsync.engine.plan import Action, Change, FieldChange, address_keys
from ascsync.engine.planner import Planner
from ascsync.engine.uploads import PREVIEWS, SCREENSHOTS, Listing, MediaKind, upload
from ascsync.errors import AscsyncError
from ascsync.io.checksums import CleanSets
from ascsync.io.media_download import RemoteImage
from ascsync.problems import Severity, Source
from ascsync.rules import locales as loc

SET_SETTINGS = {
    "screenshots": ("screenshotDisplayType", "assetDeliveryState", 10),
    "previews": ("previewType", "videoDeliveryState", 3),
}
"""Per folder: the set's type attribute, the item's state attribute, ``limit[items]``."""

FOLDERS = {"screenshots": SCREENSHOTS, "previews": PREVIEWS}
"""Repo folder -> the API names of its media."""


@dataclass
class LocaleMedia:
    """A locale's sets, by display type, for each media folder."""

    screenshots: dict[str, MediaSet] = field(default_factory=dict)
    previews: dict[str, MediaSet] = field(default_factory=dict)

    def sets(self, folder: str) -> dict[str, MediaSet]:
        return self.screenshots if folder == "screenshots" else self.previews


@dataclass
class LiveMedia:
    """One screenshot or preview as App Store Connect has it."""

    id: str
    file_name: str
    checksum: str | None
    state: str | None
    template_url: str | None = None
    """Screenshots: ``imageAsset.templateUrl`` (``.../{w}x{h}bb.{f}``), what pull downloads."""
    width: int | None = None
    height: int | None = None


@dataclass
class LiveSet:
    id: str
    display_type: str
    items: list[LiveMedia] = field(default_factory=list)


@dataclass
class LiveLocaleMedia:
    screenshots: dict[str, LiveSet] = field(default_factory=dict)
    previews: dict[str, LiveSet] = field(default_factory=dict)

    def sets(self, folder: str) -> dict[str, LiveSet]:
        return self.screenshots if folder == "screenshots" else self.previews


@dataclass(frozen=True)
class SetOwner:
    """The localization type sets hang off, and the set's relationship to it."""

    localization_type: str
    """``appCustomProductPageLocalizations``."""
    relationship: str
    """``appCustomProductPageLocalization``: the set's to-one relationship to its owner."""


VERSION_SETS = SetOwner("appStoreVersionLocalizations", "appStoreVersionLocalization")
"""The main product page's sets hang off the version's localizations."""


# -- loading -------------------------------------------------------------------------------


def load_media(
    loader: RepoLoader, base: Path, locales: set[str], declared_in: str
) -> dict[str, LocaleMedia]:
    """``<base>/screenshots|previews/<locale>/<TYPE>/*``, one set per folder.

    ``locales`` are the localizations the owner declares (in ``declared_in``); a media
    folder of another locale is an error, as it would have no localization to hang off.
    """
    media: dict[str, LocaleMedia] = {}
    for folder in FOLDERS:
        root = base / folder
        if not root.is_dir() or not loader.inside_repo(root, Source(root), folder):
            continue
        for locale_dir in sorted(root.iterdir()):
            if locale_dir.name.startswith("."):
                continue
            code = locale_dir.name
            if not locale_dir.is_dir():
                loader.report(
                    locale_dir,
                    None,
                    folder,
                    "is ignored: media go in <locale>/<TYPE>/ folders",
                    f"{folder}/en-US/<TYPE>/01.png",
                    Severity.WARNING,
                )
            elif not loc.is_locale(code):
                loader.report(
                    locale_dir,
                    None,
                    folder,
                    f"{code!r} is not an App Store locale",
                    loc.suggest_locale(code),
                )
            elif code not in locales:
                loader.report(
                    locale_dir,
                    None,
                    folder,
                    f"{code} is not a localization of {declared_in}",
                    f"add {code} to its localizations, or remove the folder",
                )
            else:
                sets = media.setdefault(code, LocaleMedia()).sets(folder)
                load_sets(loader, locale_dir, folder, sets)
    return media


def load_sets(loader: RepoLoader, locale_dir: Path, folder: str, sets: dict[str, MediaSet]) -> None:
    """``<folder>/<locale>/<TYPE>/``: one set per folder, into ``sets``."""
    for set_dir in sorted(locale_dir.iterdir()):
        if set_dir.name.startswith("."):
            continue
        if not set_dir.is_dir():
            loader.report(
                set_dir,
                None,
                folder,
                "is ignored: each file goes in a folder named after its display type",
                f"move it to {folder}/{locale_dir.name}/<TYPE>/{set_dir.name}",
                Severity.WARNING,
            )
            continue
        if not loader.inside_repo(set_dir, Source(set_dir), folder):
            continue
        sets[set_dir.name] = load_set(loader, set_dir, folder)


def load_set(loader: RepoLoader, folder: Path, kind: str) -> MediaSet:
    """One set folder's media, checked; a set unchanged since it last passed every check
    (``.ascsync/clean-media-sets.json``) is not checked again."""
    files = [p for p in checks.list_media(folder) if loader.inside_repo(p, Source(p), kind)]
    stats = _stats(files)  # one stat per file serves the cache key and the sizes
    check = checks.check_screenshot_set if kind == "screenshots" else checks.check_preview_set
    clean = CleanSets.for_repo(loader.root)
    key = None
    if len(stats) == len(files):
        key = clean.key(kind, folder.name, [(p.name, stats[p]) for p in files])
    if not clean.known(key):  # unchanged since it last passed every check: not again
        problems = check(folder.name, files, where=folder)
        loader.problems.extend(problems)
        if not problems:
            clean.add(key)
    media_files = [
        MediaFile(p, p.name, stats[p].st_size)
        for p in files
        if p in stats and stat_module.S_ISREG(stats[p].st_mode)
    ]
    return MediaSet(folder.name, folder, media_files)


def _stats(files: list[Path]) -> dict[Path, os.stat_result]:
    stats = {}
    for path in files:
        with contextlib.suppress(OSError):  # the checks report it
            stats[path] = path.stat()
    return stats


# -- reading -------------------------------------------------------------------------------


def fetch_sets(
    client: ApiClient, owner: SetOwner, localization_id: str, folder: str
) -> dict[str, LiveSet]:
    """The localization's sets of one folder with their items (one request)."""
    kind = FOLDERS[folder]
    type_key, state_key, limit = SET_SETTINGS[folder]
    doc = client.get_all(
        f"/v1/{owner.localization_type}/{localization_id}/{kind.set_resource}",
        {"include": [kind.resource], f"limit[{kind.resource}]": limit},
    )
    sets: dict[str, LiveSet] = {}
    for item in doc.resources():
        live_set = LiveSet(item["id"], item["attributes"][type_key])
        for media in doc.related(item, kind.resource):
            attributes = media.get("attributes") or {}
            asset = attributes.get("imageAsset") or {}
            live_set.items.append(
                LiveMedia(
                    media["id"],
                    attributes.get("fileName") or "",
                    attributes.get("sourceFileChecksum"),
                    (attributes.get(state_key) or {}).get("state"),
                    asset.get("templateUrl"),
                    asset.get("width"),
                    asset.get("height"),
                )
            )
        sets[live_set.display_type] = live_set
    return sets


def wanted_folders(media: LocaleMedia | None) -> list[str]:
    """The folders whose sets a locale manages (a folder with no set manages nothing)."""
    return [folder for folder in FOLDERS if media is not None and media.sets(folder)]


def plain_media(media: LiveLocaleMedia) -> dict[str, Any]:
    """A locale's live sets as plain data, for the plan's fingerprint."""
    return {
        folder: {
            t: [s.id, [[m.id, m.file_name, m.checksum, m.state] for m in s.items]]
            for t, s in sorted(media.sets(folder).items())
        }
        for folder in FOLDERS
    }


def count_media(media: LiveLocaleMedia) -> Counter[str]:
    """How many sets and items of each type a locale has live (deletion guard)."""
    counts: Counter[str] = Counter()
    for folder, kind in FOLDERS.items():
        sets = media.sets(folder)
        counts[kind.set_resource] += len(sets)
        counts[kind.resource] += sum(len(s.items) for s in sets.values())
    return counts


# -- planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanPlace:
    """Where a locale's media are planned: its address, locale, lock and planning kind."""

    locale_address: str
    code: str
    locked_by: str | None
    kind: str | None = None
    """The planning kind's name on its changes, when the media kind does not own them."""


def plan_media(
    planner: Planner,
    place: PlanPlace,
    wanted: LocaleMedia | None,
    live: LiveLocaleMedia | None,
    folders: list[str] | None = None,
) -> None:
    """Every set of one locale, for each of ``folders`` (default: those the repo has).

    Keep items whose MD5 matches, replace same-named ones, upload the rest, delete
    leftovers; reorder only when the result would be out of the repo's order."""
    want, have = wanted or LocaleMedia(), live or LiveLocaleMedia()
    for folder in wanted_folders(want) if folders is None else folders:
        _plan_sets(planner, place, folder, want.sets(folder), have.sets(folder))


def _add(
    planner: Planner,
    place: PlanPlace,
    address: str,
    action: Action,
    resource: str,
    **more: Any,
) -> None:
    """Plan one change of the locale's media (locked with the owner's state)."""
    change = Change(address, action, resource, planner.app, place.code, kind=place.kind, **more)
    planner.add(change, locked_by=place.locked_by)


def _plan_sets(
    planner: Planner,
    place: PlanPlace,
    folder: str,
    wanted: dict[str, MediaSet],
    live: dict[str, LiveSet],
) -> None:
    kind = FOLDERS[folder]
    for display_type in sorted(set(wanted) | set(live)):
        set_address = f"{place.locale_address}.{folder}[{display_type}]"
        want, have = wanted.get(display_type), live.get(display_type)
        if want is None:
            assert have is not None
            files = [m.file_name or m.id for m in have.items]
            _add(
                planner,
                place,
                set_address,
                Action.DELETE,
                kind.set_resource,
                fields=(FieldChange(folder, files, None),),
                calls=(f"DELETE /v1/{kind.set_resource}/{{id}}",),
                note=f"no {folder}/{place.code}/{display_type}/ folder",
            )
            continue
        if have is None:
            _add(
                planner,
                place,
                set_address,
                Action.CREATE,
                kind.set_resource,
                calls=(f"POST /v1/{kind.set_resource}",),
                after=(place.locale_address,),
                source=planner.rel(want.folder),
            )
        _plan_items(planner, place, set_address, want, have, kind)


def _plan_items(
    planner: Planner,
    place: PlanPlace,
    set_address: str,
    want: MediaSet,
    have: LiveSet | None,
    kind: MediaKind,
) -> None:
    """Keep items whose MD5 matches, replace same-named ones, upload the rest, delete leftovers."""
    live_items = list(have.items) if have else []
    by_checksum: dict[str, list[LiveMedia]] = {}
    for item in live_items:
        if item.state == "COMPLETE" and item.checksum:
            by_checksum.setdefault(item.checksum, []).append(item)
    digests = {local.file_name: planner.checksum(local.path) for local in want.files}
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
        _plan_upload(planner, place, set_address, local, digests[local.file_name], replaced, kind)
    names = [m.file_name for m in leftover]
    for item in leftover:
        why = "not in the repo" if item.state == "COMPLETE" else f"delivery state {item.state}"
        label = item.file_name if item.file_name and names.count(item.file_name) == 1 else item.id
        _add(
            planner,
            place,
            f"{set_address}[{label}]",
            Action.DELETE,
            kind.resource,
            calls=(f"DELETE /v1/{kind.resource}/{{id}}",),
            note=why,
            live_id=item.id,
            makes_room=True,
        )
    if have is not None and order_changed(have, kept, want, missing):
        _add(
            planner,
            place,
            f"{set_address}.order",
            Action.REORDER,
            kind.resource,
            fields=(
                FieldChange(
                    "order", [m.file_name for m in have.items], [f.file_name for f in want.files]
                ),
            ),
            calls=(f"PATCH /v1/{kind.set_resource}/{{id}}/relationships/{kind.resource}",),
            after=(set_address,),
        )


def order_changed(have: LiveSet, kept: list[str], want: MediaSet, uploads: list[MediaFile]) -> bool:
    """True when the set would end up in another order than the repo's.

    After apply the set holds the kept items in their live order, then the uploads in
    the order they are reserved, which is the repo's (Apple appends each reservation
    [A]); only when that differs from the repo's order does the set need a reorder.
    """
    kept_order = [m.id for m in have.items if m.id in set(kept)]
    if kept_order != kept:
        return True
    new = {f.file_name for f in uploads}
    files = [f.file_name for f in want.files]
    return files != [f for f in files if f not in new] + [f for f in files if f in new]


def _plan_upload(
    planner: Planner,
    place: PlanPlace,
    set_address: str,
    local: MediaFile,
    digest: str,
    replaced: LiveMedia | None,
    kind: MediaKind,
) -> None:
    calls: tuple[str, ...] = (
        f"POST /v1/{kind.resource}",
        "PUT upload operations",
        f"PATCH /v1/{kind.resource}/{{id}}",
    )
    if replaced:
        calls = (f"DELETE /v1/{kind.resource}/{{id}}", *calls)
    source = planner.rel(local.path)
    _add(
        planner,
        place,
        f"{set_address}[{local.file_name}]",
        Action.REPLACE if replaced else Action.UPLOAD,
        kind.resource,
        fields=(
            FieldChange("checksum", replaced.checksum if replaced else None, digest, source=source),
        ),
        calls=calls,
        after=(set_address,),
        source=source,
        live_id=replaced.id if replaced else None,
    )


# -- applying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompilePlace:
    """What compiling one media change needs to know about its locale."""

    owner: SetOwner
    locale_address: str
    localization_id: str | None
    wanted: LocaleMedia | None
    live: LiveLocaleMedia


def media_folder(change: Change) -> str:
    return "screenshots" if change.resource.startswith("appScreenshot") else "previews"


def compile_media(change: Change, ctx: ApplyContext, place: CompilePlace) -> Op:
    """The op of one set or item change (create/delete a set, upload, delete, reorder)."""
    folder = media_folder(change)
    kind = FOLDERS[folder]
    keys = address_keys(change.address)
    display_type = keys[folder][0]
    live_set = place.live.sets(folder).get(display_type)
    set_address = f"{place.locale_address}.{folder}[{display_type}]"
    if change.resource == kind.set_resource:
        if change.action is Action.DELETE:
            return delete_op(kind.set_resource, need(live_set.id if live_set else None, "set"))
        parent = Parent(
            place.owner.localization_type,
            place.localization_id,
            place.locale_address,
            f"/v1/{place.owner.localization_type}",
        )
        type_key = SET_SETTINGS[folder][0]
        return create_op(
            f"/v1/{kind.set_resource}",
            kind.set_resource,
            {type_key: display_type},
            {place.owner.relationship: parent},
            change.address,
            find=lambda client, parent_ids: find_child(
                client,
                f"/v1/{place.owner.localization_type}/"
                f"{parent_ids[place.owner.relationship]}/{kind.set_resource}",
                kind.set_resource,
                type_key,
                display_type,
                {type_key: display_type},
            ),
        )
    if change.action is Action.REORDER:
        files = _wanted_set(place, folder, display_type).files
        digests = [ctx.checksum(f.path) for f in files]
        return Op(lambda client, ids: reorder(client, kind, ids.get(set_address), digests))
    name = keys[folder][1]
    if change.action is Action.DELETE:
        items = live_set.items if live_set else []
        found = next((m.id for m in items if m.file_name == name or m.id == name), None)
        return delete_op(kind.resource, need(change.live_id or found, name))
    local = next(f for f in _wanted_set(place, folder, display_type).files if f.file_name == name)
    # compiled in plan order, so tickets follow the repo's order within the set
    ticket = ctx.uploads.order.ticket(set_address)
    where = UploadPlace(
        set_address, place.locale_address, place.owner.localization_type, folder, ticket
    )
    return upload_op(change, kind, where, local, ctx)


def _wanted_set(place: CompilePlace, folder: str, display_type: str) -> MediaSet:
    if place.wanted is None:
        raise KeyError(f"{folder}/{display_type}")
    return place.wanted.sets(folder)[display_type]


@dataclass(frozen=True)
class UploadPlace:
    """Where an upload goes: its set, the localization it settles in (and that
    localization's type), its folder, and its turn to reserve in the set."""

    set_address: str
    locale_address: str
    localization_type: str
    folder: str
    ticket: int


def upload_op(
    change: Change, kind: MediaKind, where: UploadPlace, local: MediaFile, ctx: ApplyContext
) -> Op:
    """Reserve in the set's turn (the repo's order: no reorder needed after), send, commit;
    settling is checked with one listing of the localization's sets per round. A file
    that replaces a live one deletes it first (its turn passes on if that fails)."""
    replaced = change.live_id if change.action is Action.REPLACE else None
    settings = ctx.uploads

    def run(client: ApiClient, ids: Ids) -> None:
        listing = Listing.of_localization(
            kind,
            ids.get(where.locale_address),
            SET_SETTINGS[where.folder][2],
            where.localization_type,
        )
        turn = settings.order.turn(where.set_address, where.ticket)
        if replaced:
            try:
                delete_op(kind.resource, replaced).run(client, ids)
            except AscsyncError:
                with turn:  # let the files after it reserve
                    raise
        upload(
            client,
            kind,
            ids.get(where.set_address),
            local.path,
            ctx.checksum(local.path),
            settings,
            listing=listing,
            turn=turn,
        )

    return Op(run)


def reorder(client: ApiClient, kind: MediaKind, set_id: str, wanted: list[str]) -> None:
    """Put the set's items in the repo's order (by checksum); items not yet known go last."""
    doc = client.get_all(
        f"/v1/{kind.set_resource}/{set_id}/{kind.resource}",
        {f"fields[{kind.resource}]": ["sourceFileChecksum"]},
    )
    items = [
        (r["id"], (r.get("attributes") or {}).get("sourceFileChecksum")) for r in doc.resources()
    ]
    position = {digest: index for index, digest in enumerate(wanted)}
    ordered = sorted(items, key=lambda item: position.get(item[1] or "", len(position)))
    if [i for i, _ in ordered] == [i for i, _ in items]:
        return
    client.patch(
        f"/v1/{kind.set_resource}/{set_id}/relationships/{kind.resource}",
        {"data": [{"type": kind.resource, "id": i} for i, _ in ordered]},
    )


def seed_set_ids(ids: Ids, locale_address: str, live: LiveLocaleMedia) -> None:
    """Register each live set's id under its address (uploads look their set up there)."""
    for folder in FOLDERS:
        for display_type, live_set in live.sets(folder).items():
            ids.set(f"{locale_address}.{folder}[{display_type}]", live_set.id)


def pull_sets(
    base: Path, code: str, live: LiveLocaleMedia, shown: str
) -> tuple[list[tuple[Path, list[RemoteImage]]], list[str]]:
    """One locale's screenshot sets to download under ``base`` (``screenshots/<code>/<TYPE>``),
    and the previews it does not download (``shown`` names the owner in that note)."""
    sets: list[tuple[Path, list[RemoteImage]]] = []
    notes = []
    for display_type, live_set in sorted(live.screenshots.items()):
        images = [
            RemoteImage(m.file_name, m.checksum, m.state, m.template_url, m.width, m.height)
            for m in live_set.items
        ]
        sets.append((base / "screenshots" / code / display_type, images))
    for display_type, live_set in sorted(live.previews.items()):
        if live_set.items:
            notes.append(
                f"{shown}/previews/{code}/{display_type}: {len(live_set.items)} preview(s) not "
                "downloaded (pull fetches screenshots only); add the videos by hand"
            )
    return sets, notes


__all__ = [
    "SET_SETTINGS",
    "CompilePlace",
    "PlanPlace",
    "SetOwner",
    "compile_media",
    "count_media",
    "fetch_sets",
    "load_media",
    "media_folder",
    "plain_media",
    "plan_media",
    "pull_sets",
    "reorder",
    "seed_set_ids",
    "wanted_folders",
]
