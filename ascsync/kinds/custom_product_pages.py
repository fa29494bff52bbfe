"""Custom product pages: ``custom-product-pages/<page>/page.yml`` and their media.

A custom product page (``appCustomProductPages``) is a variant of the App Store page
with its own URL: its own promotional text, screenshots and previews per locale, and a
deep link. Apple keeps the page's content in *versions* (``appCustomProductPageVersions``,
each with a ``state``) holding the localizations (``appCustomProductPageLocalizations``),
which hold screenshot and preview sets of the main page's types.

The repo keys a page by its ``name``: a new name is a new page (the old one is left
alone, like any live page without a folder; ascsync never deletes a page). Inside a
managed page the localizations are a set (a live locale missing from ``page.yml`` is
deleted), and each locale's media follow the main page's rules
(:mod:`ascsync.kinds.media_sets`): one folder per set, MD5 skip, ordering, settle.

What the page's state locks: ``name`` and ``visible`` belong to the page and change at
any time [A] ("Update the name and visibility status"); the deep link, the locales and
the media belong to the current version and change only while it is being prepared or
was sent back (:data:`~ascsync.rules.product_pages.CPP_EDITABLE_STATES`); promotional
text changes at any time [A]. A page is made visible only once Apple approved one of its
versions [U]. ascsync edits the current version and never starts a new one: after an
approval, start a new version in App Store Connect [U: whether the API copies the content
into a new version is undocumented], and the next plan edits it.

Reading: 1 listing (the pages with their versions), then 1 per managed page (its
localizations), then 1 per locale and media folder the repo manages, side by side.

Addresses: ``app[x].custom_page[<name>]`` (``.version``, ``.locale[<code>]``,
``.locale[<code>].screenshots[<TYPE>][<file>]``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value, sub_fields
from ascsync.engine.compare import changed
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext, plain
from ascsync.engine.mapping import read_record
from ascsync.engine.ops import (
    Ids,
    Op,
    Parent,
    attributes_for,
    create_op,
    find_child,
    localization_op,
    need,
    patch_op,
    post_once,
)
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.engine.planner import Planner, relative
from ascsync.io.media_download import MediaReport, RemoteImage, pull_images
from ascsync.io.repo_writer import RepoWriter, slug, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.in_app_purchases import read_localizations
from ascsync.kinds.media_sets import (
    FOLDERS,
    CompilePlace,
    LiveLocaleMedia,
    LocaleMedia,
    PlanPlace,
    SetOwner,
    compile_media,
    count_media,
    fetch_sets,
    load_media,
    plain_media,
    plan_media,
    pull_sets,
    seed_set_ids,
    wanted_folders,
)
from ascsync.problems import Problem, Severity, Source
from ascsync.rules import product_pages as pp

RESOURCE = "appCustomProductPages"
VERSIONS = "appCustomProductPageVersions"
LOCALIZATIONS = "appCustomProductPageLocalizations"
FOLDER = "custom-product-pages"
PAGE_FILE_NAME = "page.yml"
OWNER = SetOwner(LOCALIZATIONS, "appCustomProductPageLocalization")

PAGE_FIELDS = (
    Field(
        "name",
        FieldType.TEXT,
        "The page's name in App Store Connect and its analytics; the page's key here: "
        "a new name is a new page.",
        f"{RESOURCE}.name",
        required=True,
    ),
    Field(
        "visible",
        FieldType.BOOL,
        "Whether the page's URL shows it on the App Store; only once Apple approved it.",
        f"{RESOURCE}.visible",
    ),
    Field(
        "deep_link",
        FieldType.TEXT,
        "Where the app opens when installed from this page: a universal link or a "
        "custom URL scheme.",
        f"{VERSIONS}.deepLink",
        nullable=True,
        pattern=pp.DEEP_LINK,
        pattern_hint=pp.DEEP_LINK_HINT,
    ),
    Field(
        "localizations",
        FieldType.LOCALES,
        "The page's locales (`de-DE: {}` for one with media only); each locale's media "
        "are in `screenshots|previews/<locale>/<TYPE>/` beside this file.",
        fields=(
            Field(
                "promotional_text",
                FieldType.TEXT,
                "Editable at any time.",
                f"{LOCALIZATIONS}.promotionalText",
                nullable=True,
                limit="promotional_text",
            ),
        ),
    ),
)

PAGE_FILE = FileKind(
    "custom-product-page",
    f"apps/<app>/{FOLDER}/<page>/{PAGE_FILE_NAME}",
    "One custom product page; its screenshots and previews are in folders beside it.",
    PAGE_FIELDS,
)

_TOP = tuple(f for f in PAGE_FIELDS if f.key != "localizations")
_LOCALE_FIELDS = sub_fields(PAGE_FIELDS, "localizations")


@dataclass
class Page:
    """A custom product page as the repo has it (or as read live, in the same shape)."""

    record: Record
    folder: Path | None = None
    """The page's folder in the repo (where its media and ``page.yml`` are)."""
    media: dict[str, LocaleMedia] = field(default_factory=dict)
    """The repo's sets by locale (empty for a live page: live sets are in the state)."""
    pull_all: bool = False
    """``pull``: read every live set of every locale."""

    @property
    def locales(self) -> dict[str, Record]:
        return self.record.maps.get("localizations", {})


Pages = dict[str, Page]
"""Custom product pages by name."""


@dataclass
class LivePage:
    """Ids and states of one live page: its current version, localizations and sets."""

    id: str
    version_id: str | None = None
    version_state: str | None = None
    approved: bool = False
    """Whether Apple ever approved a version of the page (it may then be made visible)."""
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    media: dict[str, LiveLocaleMedia] = field(default_factory=dict)  # locale -> sets

    @property
    def locked_by(self) -> str | None:
        """The version state that freezes the deep link, the locales and the media."""
        state = self.version_state
        return state if state is not None and state not in pp.CPP_EDITABLE_STATES else None


def page_address(app: App, name: str) -> str:
    return f"{app.address}.custom_page[{name}]"


class CustomProductPages(ResourceKind[Pages, dict[str, LivePage]]):
    name = "custom_product_pages"
    files = (PAGE_FILE,)
    compiles = (RESOURCE, VERSIONS, LOCALIZATIONS)
    deletes = (LOCALIZATIONS,)
    deletes_whole = deletes
    nouns = {"custom_page": "custom product page"}
    owners = ("custom_page",)
    not_pulled = ("custom product page previews (videos are not downloaded)",)

    def layout_extra(self) -> tuple[str, ...]:
        return (
            f"apps/<app>/{FOLDER}/<page>/screenshots/<locale>/<DISPLAY_TYPE>/*.png|jpg|jpeg",
            f"apps/<app>/{FOLDER}/<page>/previews/<locale>/<PREVIEW_TYPE>/*.mov|mp4|m4v",
        )

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        base = app.folder / FOLDER
        if not base.is_dir() or not loader.inside_repo(base, Source(base), FOLDER):
            return
        pages: Pages = {}
        records: dict[str, Record] = {}
        for folder in sorted(base.iterdir()):
            if folder.name.startswith("."):
                continue
            if not folder.is_dir():
                loader.report(
                    folder,
                    None,
                    FOLDER,
                    "is ignored: each custom product page is a folder with a page.yml",
                    f"{FOLDER}/<page>/{PAGE_FILE_NAME}",
                    Severity.WARNING,
                )
                continue
            path = folder / PAGE_FILE_NAME
            record = loader.read_file(path, loader.files[PAGE_FILE.name], required=True)
            name = record.get("name") if record else None
            if record is None or not isinstance(name, str):
                continue
            loader.add_unique(records, name, record, "name")
            if records[name] is record:
                locales = set(record.maps.get("localizations", {}))
                media = load_media(loader, folder, locales, f"{folder.name}/{PAGE_FILE_NAME}")
                pages[name] = Page(record, folder, media)
        if pages:
            app.parts[self.name] = pages

    def check(self, app: App) -> list[Problem]:
        pages = self.desired(app) or {}
        problems: list[Problem] = []
        if len(pages) > pp.MAX_CUSTOM_PRODUCT_PAGES:
            first = next(iter(pages.values())).record
            problems.append(
                first.where("name").problem(
                    "name",
                    f"the app has {len(pages)} custom product pages",
                    f"Apple documents at most {pp.MAX_CUSTOM_PRODUCT_PAGES} [U: raised since]",
                    Severity.WARNING,
                )
            )
        for name, page in pages.items():
            problems += bracket_free(page.record, "name", name)
            if "localizations" in page.record.maps and not page.locales:
                problems.append(
                    page.record.source.problem(
                        "localizations",
                        "the page has no localization; Apple needs one before it is submitted",
                        "localizations: {en-US: {promotional_text: ...}}",
                        Severity.WARNING,
                    )
                )
        return problems

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> dict[str, LivePage]:
        wanted = self.desired(ctx.desired) or {}
        if not wanted:
            return {}
        doc = ctx.client.get_all(
            f"/v1/apps/{ctx.live.app_id}/{RESOURCE}",
            {"include": [VERSIONS], f"limit[{VERSIONS}]": 50},
        )
        live: Pages = {}
        state: dict[str, LivePage] = {}
        for item in doc.resources():
            name = (item.get("attributes") or {}).get("name")
            if name not in wanted:
                continue  # not managed by the repo: neither read further nor planned
            versions = doc.related(item, VERSIONS)
            version = current_version(versions)
            attributes = {RESOURCE: item.get("attributes") or {}}
            if version is not None:
                attributes[VERSIONS] = version.get("attributes") or {}
            live[name] = Page(read_record(_TOP, attributes), wanted[name].folder)
            state[name] = LivePage(
                item["id"],
                version["id"] if version else None,
                (version.get("attributes") or {}).get("state") if version else None,
                approved=any(_approved(v) for v in versions),
            )
        self._read_localizations(ctx, wanted, live, state)
        ctx.live.model.parts[self.name] = live
        return state

    def _read_localizations(
        self, ctx: LiveContext, wanted: Pages, live: Pages, state: dict[str, LivePage]
    ) -> None:
        names = [n for n in state if state[n].version_id]
        docs = ctx.pool.map(
            lambda n: ctx.client.get_all(f"/v1/{VERSIONS}/{state[n].version_id}/{LOCALIZATIONS}"),
            names,
        )
        jobs: list[tuple[str, str, str]] = []
        for name, doc in zip(names, docs, strict=True):
            live[name].record.maps["localizations"] = read_localizations(
                doc.resources(),
                _LOCALE_FIELDS,
                LOCALIZATIONS,
                "localizations",
                state[name].localizations,
            )
            page = wanted[name]
            for code in state[name].localizations:
                folders = list(FOLDERS) if page.pull_all else wanted_folders(page.media.get(code))
                jobs += [(name, code, folder) for folder in folders]
        results = ctx.pool.map(
            lambda job: fetch_sets(ctx.client, OWNER, state[job[0]].localizations[job[1]], job[2]),
            jobs,
        )
        for (name, code, folder), sets in zip(jobs, results, strict=True):
            state[name].media.setdefault(code, LiveLocaleMedia()).sets(folder).update(sets)

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or {}
        return {
            name: [
                plain(page.record),
                {c: plain(r) for c, r in sorted(page.locales.items())},
                _plain_state(state[name]),
            ]
            for name, page in sorted((self.desired(live.model) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        counts: Counter[str] = Counter()
        for page in (self.state(live) or {}).values():
            counts[LOCALIZATIONS] += len(page.localizations)
            for media in page.media.values():
                counts.update(count_media(media))
        return counts

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        doc = discovery.client.get_all(
            f"/v1/apps/{discovery.app_id}/{RESOURCE}", {f"fields[{RESOURCE}]": ["name"]}
        )
        pages = {
            r["attributes"]["name"]: Page(
                Record(LIVE, {"name": Value(r["attributes"]["name"], LIVE)}), pull_all=True
            )
            for r in doc.resources()
        }
        if pages:
            skeleton.parts[self.name] = pages

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        live = self.desired(planner.live.model) or {}
        state = self.state(planner.live) or {}
        for name, page in (self.desired(planner.desired) or {}).items():
            _plan_page(planner, name, page, live.get(name), state.get(name), self.name)

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        name = address_keys(change.address)["custom_page"][0]
        address = page_address(ctx.desired, name)
        page = (self.desired(ctx.desired) or {})[name]
        ids = (self.state(ctx.live) or {}).get(name)
        version = Parent(
            VERSIONS, ids.version_id if ids else None, f"{address}.version", f"/v1/{VERSIONS}"
        )
        if change.kind == self.name:
            code = change.locale or ""
            return compile_media(
                change,
                ctx,
                CompilePlace(
                    OWNER,
                    f"{address}.locale[{code}]",
                    ids.localizations.get(code) if ids else None,
                    page.media.get(code),
                    ids.media.get(code, LiveLocaleMedia()) if ids else LiveLocaleMedia(),
                ),
            )
        if change.resource == LOCALIZATIONS:
            code = change.locale or ""
            return localization_op(
                change,
                fields=_LOCALE_FIELDS,
                wanted=page.locales.get(code),
                prefix=f"localizations.{code}.",
                parent_relationship="appCustomProductPageVersion",
                parent=version,
                live_id=ids.localizations.get(code) if ids else None,
            )
        if change.resource == VERSIONS:
            attributes = attributes_for(PAGE_FIELDS, change, page.record, "", VERSIONS)
            if change.action is Action.UPDATE:
                return patch_op(VERSIONS, need(version.live_id, f"{name} version"), attributes)
            parent = Parent(RESOURCE, ids.id if ids else None, address, f"/v1/{RESOURCE}")
            return create_op(
                f"/v1/{VERSIONS}",
                VERSIONS,
                attributes,
                {"appCustomProductPage": parent},
                version.address,
            )
        if change.action is Action.CREATE:
            deep_link = page.record.get("deep_link")
            return _create_page_op(address, name, deep_link, ctx.live.app_id)
        attributes = attributes_for(PAGE_FIELDS, change, page.record, "", RESOURCE)
        return patch_op(RESOURCE, need(ids.id if ids else None, name), attributes)

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        for name, page in (self.state(live) or {}).items():
            address = page_address(desired, name)
            ids.set(address, page.id)
            if page.version_id:
                ids.set(f"{address}.version", page.version_id)
            for code, localization_id in page.localizations.items():
                ids.set(f"{address}.locale[{code}]", localization_id)
            for code, media in page.media.items():
                seed_set_ids(ids, f"{address}.locale[{code}]", media)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        mine = (self.desired(desired) if desired else None) or {}
        for name, page in sorted((self.desired(live) or {}).items()):
            wanted = mine.get(name)
            if writer.managed_only and wanted is None:
                continue
            path = source_file(wanted.record if wanted else None) or (
                _page_folder(folder, page, name) / PAGE_FILE_NAME
            )
            writer.write_record(
                path, page.record, writer.fields(PAGE_FILE.name), wanted.record if wanted else None
            )

    def not_live(self, live: App, desired: App) -> list[Path]:
        have = self.desired(live) or {}
        return [
            path
            for name, page in (self.desired(desired) or {}).items()
            if name not in have and (path := source_file(page.record)) is not None
        ]

    def pull_files(self, live: LiveApp, folder: Path) -> MediaReport | None:
        pages = self.desired(live.model) or {}
        sets: list[tuple[Path, list[RemoteImage]]] = []
        report = MediaReport()
        for name, page_state in sorted((self.state(live) or {}).items()):
            base = _page_folder(folder, pages.get(name), name)
            for code, media in sorted(page_state.media.items()):
                found, notes = pull_sets(base, code, media, f"{FOLDER}/{base.name}")
                sets += found
                report.problems += notes
        if not sets and not report.problems:
            return None
        return pull_images(sets, folder.parent.parent, report)


# -- helpers shared with the other page kinds ----------------------------------------------


def bracket_free(record: Record, key: str, value: str) -> list[Problem]:
    """A name that keys plan addresses (``custom_page[<name>]``) cannot hold brackets."""
    if "[" not in value and "]" not in value:
        return []
    return [
        record.where(key).problem(
            key, f"{value!r} contains [ or ]", "ascsync names it in plans as x[<name>]; rename it"
        )
    ]


def current_version(versions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The version a page's edits go to: the newest one not replaced by another."""

    def number(version: dict[str, Any]) -> int:
        text = str((version.get("attributes") or {}).get("version") or "0")
        return int(text) if text.isdigit() else 0

    open_ = [
        v
        for v in versions
        if (v.get("attributes") or {}).get("state") != "REPLACED_WITH_NEW_VERSION"
    ]
    return max(open_ or versions, key=number, default=None)


def _approved(version: dict[str, Any]) -> bool:
    return (version.get("attributes") or {}).get("state") in (
        "ACCEPTED",
        "APPROVED",
        "REPLACED_WITH_NEW_VERSION",
    )


def _plain_state(page: LivePage) -> list[Any]:
    return [
        page.id,
        page.version_id,
        page.version_state,
        page.approved,
        sorted(page.localizations.items()),
        {code: plain_media(media) for code, media in sorted(page.media.items())},
    ]


def _page_folder(folder: Path, page: Page | None, name: str) -> Path:
    """Where a page's files go: its folder in the repo, else one named after it."""
    if page is not None and page.folder is not None:
        return page.folder
    return folder / FOLDER / slug(name)


# -- planning ------------------------------------------------------------------------------


def _plan_page(
    planner: Planner,
    name: str,
    page: Page,
    live: Page | None,
    ids: LivePage | None,
    kind: str,
) -> None:
    address = page_address(planner.desired, name)
    want = relative(page.record)
    have = relative(live.record) if live else {}
    if ids is None:
        keys = [k for k in ("name", "deep_link") if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                RESOURCE,
                planner.app,
                fields=planner.field_changes(want, {}, keys, page.record),
                calls=(f"POST /v1/{RESOURCE}", f"GET /v1/{RESOURCE}/{{id}}/{VERSIONS}"),
                source=planner.source(page.record, "name"),
                note="created with its first version; hidden until Apple approves it",
            )
        )
        have = {"visible": Value(False, LIVE)}  # [U] Apple creates pages hidden
    _plan_visible(planner, address, page, want, have, ids)
    _plan_version(planner, address, page, want, have, ids)
    _plan_locales(planner, address, page, live, ids)
    locked = ids.locked_by if ids else None
    for code in page.locales:
        place = PlanPlace(f"{address}.locale[{code}]", code, locked, kind)
        plan_media(
            planner,
            place,
            page.media.get(code),
            ids.media.get(code) if ids else None,
        )


def _plan_visible(
    planner: Planner,
    address: str,
    page: Page,
    want: dict[str, Value],
    have: dict[str, Value],
    ids: LivePage | None,
) -> None:
    if not changed(want, have, ["visible"]):
        return
    change = Change(
        address,
        Action.UPDATE,
        RESOURCE,
        planner.app,
        fields=planner.field_changes(want, have, ["visible"], page.record),
        calls=(f"PATCH /v1/{RESOURCE}/{{id}}",),
        after=(address,) if ids is None else (),
        source=planner.source(page.record, "visible"),
    )
    if want["visible"].value is True and not (ids and ids.approved):
        planner.lock(
            Change(
                **{
                    **change.__dict__,
                    "note": "a page becomes visible once Apple approved a version of it [U]; "
                    "submit it for review first",
                }
            )
        )
        return
    planner.add(change)


def _plan_version(
    planner: Planner,
    address: str,
    page: Page,
    want: dict[str, Value],
    have: dict[str, Value],
    ids: LivePage | None,
) -> None:
    """The deep link: sent with a new page, patched on the current version otherwise."""
    if ids is None:
        return
    version_address = f"{address}.version"
    if ids.version_id is None:
        planner.update(
            version_address,
            VERSIONS,
            want,
            {},
            page.record,
            ("deep_link",),
            f"POST /v1/{VERSIONS}",
            action=Action.CREATE,
        )
        return
    planner.update(
        version_address,
        VERSIONS,
        want,
        have,
        page.record,
        ("deep_link",),
        f"PATCH /v1/{VERSIONS}/{{id}}",
        locked_by=ids.locked_by,
    )


def _plan_locales(
    planner: Planner, address: str, page: Page, live: Page | None, ids: LivePage | None
) -> None:
    """Create, update and delete the page's localizations (managed as a set).

    A new locale is created even with no text (its media need it); promotional text
    changes whatever the version's state [A], creating and deleting follow the state.
    """
    if "localizations" not in page.record.maps:
        return  # the file does not manage the page's locales
    live_ids = ids.localizations if ids else {}
    locked = ids.locked_by if ids else None
    have_locales = live.locales if live else {}
    for code, wanted in page.locales.items():
        prefix = f"localizations.{code}."
        want = relative(wanted, prefix)
        have = relative(have_locales[code], prefix) if code in have_locales else {}
        diff = changed(want, have, ["promotional_text"])
        exists = code in live_ids
        if exists and not diff:
            continue
        planner.add(
            Change(
                f"{address}.locale[{code}]",
                Action.UPDATE if exists else Action.CREATE,
                LOCALIZATIONS,
                planner.app,
                code,
                fields=planner.field_changes(want, have, diff, wanted, prefix),
                calls=(f"PATCH /v1/{LOCALIZATIONS}/{{id}}",)
                if exists
                else (f"POST /v1/{LOCALIZATIONS}",),
                after=() if exists else (address,),
                source=planner.source(wanted, prefix + diff[0] if diff else None),
            ),
            locked_by=None if exists else locked,
        )
    for code in sorted(set(live_ids) - set(page.locales)):
        planner.add(
            Change(
                f"{address}.locale[{code}]",
                Action.DELETE,
                LOCALIZATIONS,
                planner.app,
                code,
                calls=(f"DELETE /v1/{LOCALIZATIONS}/{{id}}",),
                source=planner.source(page.record, "localizations"),
                note="locale not in page.yml (its screenshots and previews go with it)",
            ),
            locked_by=locked,
        )


# -- applying ------------------------------------------------------------------------------


def _create_page_op(address: str, name: str, deep_link: str | None, app_id: str) -> Op:
    """POST the page with its first version inline, then find the version's id.

    A POST that may have reached Apple (a timeout) is followed by a look-up by name, so
    a retry adopts the page instead of making a second one.
    """

    def run(client: ApiClient, ids: Ids) -> None:
        local = "${first-version}"
        body: dict[str, Any] = {
            "data": {
                "type": RESOURCE,
                "attributes": {"name": name},
                "relationships": {
                    "app": {"data": {"type": "apps", "id": app_id}},
                    VERSIONS: {"data": [{"type": VERSIONS, "id": local}]},
                },
            },
            "included": [
                {
                    "type": VERSIONS,
                    "id": local,
                    "attributes": {"deepLink": deep_link} if deep_link else {},
                }
            ],
        }
        page_id = post_once(
            client,
            f"/v1/{RESOURCE}",
            body,
            lambda c: find_child(c, f"/v1/apps/{app_id}/{RESOURCE}", RESOURCE, "name", name),
            what=address,
        )
        ids.set(address, page_id)
        versions = client.get_all(
            f"/v1/{RESOURCE}/{page_id}/{VERSIONS}", {f"fields[{VERSIONS}]": ["version", "state"]}
        )
        version = current_version(versions.resources())
        ids.set(f"{address}.version", need(version["id"] if version else None, f"{name} version"))

    return Op(run)


CUSTOM_PRODUCT_PAGES = CustomProductPages()

__all__ = [
    "CUSTOM_PRODUCT_PAGES",
    "PAGE_FIELDS",
    "LivePage",
    "Page",
    "bracket_free",
    "current_version",
    "page_address",
]
