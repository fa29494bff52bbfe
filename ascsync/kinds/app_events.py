"""In-app events: ``in-app-events/<event>/event.yml`` and their card and details media.

An in-app event (``appEvents``) is shown on the App Store for a time: its badge, purpose,
priority, deep link and territory schedules (when it is promoted, starts and ends, per
group of storefronts) are attributes of the event; each locale has a name, a short and a
long description (``appEventLocalizations``) and two pieces of media, the event card and
the details page, each an image (``appEventScreenshots``) or a video
(``appEventVideoClips``) with its ``appEventAssetType``.

The repo keys an event by its ``reference_name``: a new name is a new event (the old one
is left alone, like any live event without a folder; ascsync never deletes an event).
Inside a managed event the localizations are a set, and so are the media of an event
whose folder has a ``media/`` folder: ``media/<locale>/EVENT_CARD/<one file>`` and
``media/<locale>/EVENT_DETAILS_PAGE/<one file>``.

Apple keeps no checksum of event media (the spec's ``appEventScreenshots`` have no
``sourceFileChecksum``), so a live item is kept when its file name and size match the
repo's file [U]: an edited file of the very same size is not noticed; rename it to send
it again. Uploads reserve, send the parts and commit (``uploaded: true``), then wait until
Apple has processed the file, like screenshots.

What the event's state locks: everything, once it is submitted
(:data:`~ascsync.rules.product_pages.EVENT_EDITABLE_STATES`). Schedules are checked
offline (order, 15 minutes to 31 days, promoted at most 14 days ahead [R]); one that has
already started is never sent: Apple schedules events in the future only [U].

Reading: 1 listing (events with their localizations), then 1 per managed event whose
media the repo manages (its localizations with their media).

Addresses: ``app[x].event[<reference name>]`` (``.schedules``, ``.locale[<code>]``,
``.locale[<code>].media[<ASSET_TYPE>][<file>]``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ascsync.api.client import ApiClient, ApiError, MaybeAppliedError
from ascsync.api.jsonapi import resource_body
from ascsync.desired import event_media
from ascsync.desired.loader import RepoLoader
from ascsync.desired.media import list_media
from ascsync.desired.model import (
    LIVE,
    App,
    Field,
    FieldType,
    FileKind,
    MediaFile,
    Record,
    Value,
    sub_fields,
)
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
    delete_op,
    find_child,
    localization_op,
    need,
    patch_op,
)
from ascsync.engine.plan import Action, Change, FieldChange, address_keys
from ascsync.engine.planner import Planner, plan_locales, relative
from ascsync.engine.uploads import (
    RESERVE_ATTEMPTS,
    FilePart,
    UploadFailed,
    UploadSettings,
    UploadTimedOut,
)
from ascsync.io.repo_writer import RepoWriter, slug, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.custom_product_pages import bracket_free
from ascsync.kinds.fields import TERRITORY
from ascsync.kinds.in_app_purchases import read_localizations
from ascsync.problems import Problem, Severity, Source
from ascsync.rules import locales as loc
from ascsync.rules import product_pages as pp

RESOURCE = "appEvents"
LOCALIZATIONS = "appEventLocalizations"
SCREENSHOTS = "appEventScreenshots"
VIDEOS = "appEventVideoClips"
FOLDER = "in-app-events"
EVENT_FILE_NAME = "event.yml"
MEDIA_FOLDER = "media"
APP_EVENTS_NAME = "app_events"
"""The kind's name, which its media changes carry (``Change.kind``): the screenshot kind
adds "order" steps to every untagged upload."""

SCHEDULE_FIELDS = (
    Field(
        "territories",
        FieldType.STRINGS,
        "Storefronts (ISO alpha-3, e.g. USA) this schedule applies to.",
        f"{RESOURCE}.territorySchedules[].territories",
        required=True,
        pattern=TERRITORY["pattern"],
        pattern_hint=TERRITORY["pattern_hint"],
    ),
    Field(
        "publish_start",
        FieldType.DATE,
        "When the App Store starts showing the event; at most 14 days before it starts. "
        "ISO-8601 with a time zone, e.g. 2027-06-01T09:00:00Z.",
        f"{RESOURCE}.territorySchedules[].publishStart",
        required=True,
    ),
    Field(
        "event_start",
        FieldType.DATE,
        "When the event starts.",
        f"{RESOURCE}.territorySchedules[].eventStart",
        required=True,
    ),
    Field(
        "event_end",
        FieldType.DATE,
        "When it ends: 15 minutes to 31 days after the start.",
        f"{RESOURCE}.territorySchedules[].eventEnd",
        required=True,
    ),
)

EVENT_FIELDS = (
    Field(
        "reference_name",
        FieldType.TEXT,
        "Internal name, the event's key here: a new name is a new event.",
        f"{RESOURCE}.referenceName",
        required=True,
    ),
    Field("badge", FieldType.ENUM, "", f"{RESOURCE}.badge", choices=pp.EVENT_BADGES),
    Field("purpose", FieldType.ENUM, "", f"{RESOURCE}.purpose", choices=pp.EVENT_PURPOSES),
    Field("priority", FieldType.ENUM, "", f"{RESOURCE}.priority", choices=pp.EVENT_PRIORITIES),
    Field(
        "purchase_requirement",
        FieldType.TEXT,
        "NO_COST_ASSOCIATED or IN_APP_PURCHASE.",
        f"{RESOURCE}.purchaseRequirement",
    ),
    Field(
        "primary_locale",
        FieldType.TEXT,
        "One of the event's localizations.",
        f"{RESOURCE}.primaryLocale",
    ),
    Field(
        "deep_link",
        FieldType.TEXT,
        "Where the app opens the event: a universal link or a custom URL scheme.",
        f"{RESOURCE}.deepLink",
        nullable=True,
        pattern=pp.DEEP_LINK,
        pattern_hint=pp.DEEP_LINK_HINT,
    ),
    Field(
        "territory_schedules",
        FieldType.LIST,
        "When the event runs, per group of storefronts.",
        f"{RESOURCE}.territorySchedules",
        fields=SCHEDULE_FIELDS,
    ),
    Field(
        "localizations",
        FieldType.LOCALES,
        "Per locale: the texts; the media are in `media/<locale>/<ASSET_TYPE>/` beside this file.",
        fields=(
            Field(
                "name",
                FieldType.TEXT,
                "",
                f"{LOCALIZATIONS}.name",
                required=True,
                limit="event_name",
            ),
            Field(
                "short_description",
                FieldType.TEXT,
                "",
                f"{LOCALIZATIONS}.shortDescription",
                nullable=True,
                limit="event_short_description",
                plain_text=True,
            ),
            Field(
                "long_description",
                FieldType.TEXT,
                "",
                f"{LOCALIZATIONS}.longDescription",
                nullable=True,
                limit="event_long_description",
                plain_text=True,
            ),
        ),
    ),
)

EVENT_FILE = FileKind(
    "in-app-event",
    f"apps/<app>/{FOLDER}/<event>/{EVENT_FILE_NAME}",
    "One in-app event; its card and details media are in media/<locale>/<ASSET_TYPE>/.",
    EVENT_FIELDS,
)

_ATTRIBUTES = (
    "badge",
    "purpose",
    "priority",
    "purchase_requirement",
    "primary_locale",
    "deep_link",
)
_TOP = tuple(f for f in EVENT_FIELDS if f.key not in ("localizations", "territory_schedules"))
_LOCALE_FIELDS = sub_fields(EVENT_FIELDS, "localizations")
_SCHEDULE_KEYS = {
    "territories": "territories",
    "publish_start": "publishStart",
    "event_start": "eventStart",
    "event_end": "eventEnd",
}

Schedule = dict[str, Any]
"""A schedule as compared and sent: sorted territories and dates in UTC (``...Z``)."""


@dataclass
class Event:
    """An in-app event as the repo has it (or as read live, in the same shape)."""

    record: Record
    folder: Path | None = None
    schedules: list[Schedule] | None = None
    """Normalised schedules; None when the repo does not manage them."""
    media: dict[str, dict[str, MediaFile]] | None = None
    """Per locale and asset type, the one file; None when the event has no media folder."""
    pull_all: bool = False

    @property
    def locales(self) -> dict[str, Record]:
        return self.record.maps.get("localizations", {})


Events = dict[str, Event]
"""In-app events by reference name."""


@dataclass(frozen=True)
class LiveMedia:
    """One event image or video as App Store Connect has it."""

    id: str
    resource: str
    asset_type: str
    file_name: str
    file_size: int | None
    state: str | None


@dataclass
class LiveEvent:
    id: str
    state: str | None = None
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    media: dict[str, list[LiveMedia]] = field(default_factory=dict)  # locale -> items

    @property
    def locked_by(self) -> str | None:
        state = self.state
        return state if state is not None and state not in pp.EVENT_EDITABLE_STATES else None


def event_address(app: App, name: str) -> str:
    return f"{app.address}.event[{name}]"


class AppEvents(ResourceKind[Events, dict[str, LiveEvent]]):
    name = APP_EVENTS_NAME
    files = (EVENT_FILE,)
    compiles = (RESOURCE, LOCALIZATIONS, SCREENSHOTS, VIDEOS)
    deletes = (LOCALIZATIONS, SCREENSHOTS, VIDEOS)
    deletes_whole = (LOCALIZATIONS,)
    nouns = {"event": "in-app event", "schedules": "schedules", "media": "event media"}
    owners = ("event",)
    not_pulled = ("in-app event media (images and videos are not downloaded)",)

    def layout_extra(self) -> tuple[str, ...]:
        return (
            f"apps/<app>/{FOLDER}/<event>/{MEDIA_FOLDER}/<locale>/EVENT_CARD|EVENT_DETAILS_PAGE/"
            "<one .png|jpg|jpeg|mov|mp4|m4v>",
        )

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        base = app.folder / FOLDER
        if not base.is_dir() or not loader.inside_repo(base, Source(base), FOLDER):
            return
        events: Events = {}
        records: dict[str, Record] = {}
        for folder in sorted(base.iterdir()):
            if folder.name.startswith("."):
                continue
            if not folder.is_dir():
                loader.report(
                    folder,
                    None,
                    FOLDER,
                    "is ignored: each in-app event is a folder with an event.yml",
                    f"{FOLDER}/<event>/{EVENT_FILE_NAME}",
                    Severity.WARNING,
                )
                continue
            record = loader.read_file(
                folder / EVENT_FILE_NAME, loader.files[EVENT_FILE.name], required=True
            )
            name = record.get("reference_name") if record else None
            if record is None or not isinstance(name, str):
                continue
            loader.add_unique(records, name, record, "reference_name")
            if records[name] is record:
                event = Event(record, folder, schedules_of(record))
                event.media = _load_media(loader, folder, set(event.locales))
                events[name] = event
        if events:
            app.parts[self.name] = events

    def check(self, app: App) -> list[Problem]:
        problems: list[Problem] = []
        for name, event in (self.desired(app) or {}).items():
            problems += bracket_free(event.record, "reference_name", name)
            problems += _check_event(event)
        return problems

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> dict[str, LiveEvent]:
        wanted = self.desired(ctx.desired) or {}
        if not wanted:
            return {}
        doc = ctx.client.get_all(
            f"/v1/apps/{ctx.live.app_id}/{RESOURCE}",
            {"include": ["localizations"], "limit[localizations]": 50},
        )
        live: Events = {}
        state: dict[str, LiveEvent] = {}
        for item in doc.resources():
            attributes = item.get("attributes") or {}
            name = attributes.get("referenceName")
            if name not in wanted:
                continue  # not managed by the repo
            ids = state[name] = LiveEvent(item["id"], attributes.get("eventState"))
            record = read_record(_TOP, {RESOURCE: attributes})
            record.maps["localizations"] = read_localizations(
                doc.related(item, "localizations"),
                _LOCALE_FIELDS,
                LOCALIZATIONS,
                "localizations",
                ids.localizations,
            )
            schedules = [_from_apple(s) for s in attributes.get("territorySchedules") or []]
            live[name] = Event(record, wanted[name].folder, sort_schedules(schedules))
        with_media = [n for n in state if wanted[n].media is not None or wanted[n].pull_all]
        docs = ctx.pool.map(lambda n: _fetch_media(ctx.client, state[n].id), with_media)
        for name, media in zip(with_media, docs, strict=True):
            state[name].media = media
        ctx.live.model.parts[self.name] = live
        return state

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or {}
        return {
            name: [
                plain(event.record),
                {c: plain(r) for c, r in sorted(event.locales.items())},
                event.schedules,
                state[name].id,
                state[name].state,
                sorted(state[name].localizations.items()),
                {
                    c: [list(m.__dict__.values()) for m in items]
                    for c, items in state[name].media.items()
                },
            ]
            for name, event in sorted((self.desired(live.model) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        counts: Counter[str] = Counter()
        for event in (self.state(live) or {}).values():
            counts[LOCALIZATIONS] += len(event.localizations)
            for items in event.media.values():
                counts.update(m.resource for m in items)
        return counts

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        doc = discovery.client.get_all(
            f"/v1/apps/{discovery.app_id}/{RESOURCE}",
            {f"fields[{RESOURCE}]": ["referenceName", "eventState"]},
        )
        events: Events = {}
        for item in doc.resources():
            attributes = item["attributes"]
            if attributes.get("eventState") in ("PAST", "ARCHIVED"):
                continue  # history: an ended event cannot change, pull leaves it out
            name = attributes["referenceName"]
            record = Record(LIVE, {"reference_name": Value(name, LIVE)})
            record.lists["territory_schedules"] = []
            events[name] = Event(record, schedules=[], pull_all=True)
        if events:
            skeleton.parts[self.name] = events

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        live = self.desired(planner.live.model) or {}
        state = self.state(planner.live) or {}
        for name, event in (self.desired(planner.desired) or {}).items():
            _plan_event(planner, name, event, live.get(name), state.get(name))

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        name = address_keys(change.address)["event"][0]
        address = event_address(ctx.desired, name)
        event = (self.desired(ctx.desired) or {})[name]
        ids = (self.state(ctx.live) or {}).get(name)
        parent = Parent(RESOURCE, ids.id if ids else None, address, f"/v1/{RESOURCE}")
        code = change.locale or ""
        if change.resource in (SCREENSHOTS, VIDEOS):
            return _media_op(change, ctx, event, ids, f"{address}.locale[{code}]")
        if change.resource == LOCALIZATIONS:
            return localization_op(
                change,
                fields=_LOCALE_FIELDS,
                wanted=event.locales.get(code),
                prefix=f"localizations.{code}.",
                parent_relationship="appEvent",
                parent=parent,
                live_id=ids.localizations.get(code) if ids else None,
                related="localizations",
            )
        if address_keys(change.address).get("schedules") is not None:
            body = [_to_apple(s) for s in event.schedules or []]
            return Op(
                lambda client, run_ids: patch_op(
                    RESOURCE, parent.id(run_ids), {"territorySchedules": body}
                ).run(client, run_ids)
            )
        attributes = attributes_for(EVENT_FIELDS, change, event.record, "", RESOURCE)
        if change.action is Action.UPDATE:
            return patch_op(RESOURCE, need(ids.id if ids else None, name), attributes)
        app = Parent("apps", ctx.live.app_id, ctx.desired.address, "/v1/apps")
        return create_op(
            f"/v1/{RESOURCE}",
            RESOURCE,
            attributes,
            {"app": app},
            address,
            find=lambda client, parent_ids: find_child(
                client,
                f"/v1/apps/{parent_ids['app']}/{RESOURCE}",
                RESOURCE,
                "referenceName",
                name,
            ),
        )

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        for name, event in (self.state(live) or {}).items():
            address = event_address(desired, name)
            ids.set(address, event.id)
            for code, localization_id in event.localizations.items():
                ids.set(f"{address}.locale[{code}]", localization_id)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        mine = (self.desired(desired) if desired else None) or {}
        for name, event in sorted((self.desired(live) or {}).items()):
            wanted = mine.get(name)
            if writer.managed_only and wanted is None:
                continue
            path = source_file(wanted.record if wanted else None) or (
                (event.folder or folder / FOLDER / slug(name)) / EVENT_FILE_NAME
            )
            writer.write_record(
                path,
                event.record,
                writer.fields(EVENT_FILE.name),
                wanted.record if wanted else None,
                skip=frozenset({"territory_schedules"}),
            )
            manages = wanted is None or wanted.schedules is not None
            if event.schedules is not None and manages:
                _write_schedules(writer, path, event.schedules)

    def not_live(self, live: App, desired: App) -> list[Path]:
        have = self.desired(live) or {}
        return [
            path
            for name, event in (self.desired(desired) or {}).items()
            if name not in have and (path := source_file(event.record)) is not None
        ]


# -- loading and checking ------------------------------------------------------------------


def _load_media(
    loader: RepoLoader, folder: Path, locales: set[str]
) -> dict[str, dict[str, MediaFile]] | None:
    """``media/<locale>/<ASSET_TYPE>/<file>``; None when the event has no media folder."""
    base = folder / MEDIA_FOLDER
    if not base.is_dir() or not loader.inside_repo(base, Source(base), MEDIA_FOLDER):
        return None
    media: dict[str, dict[str, MediaFile]] = {}
    for locale_dir in sorted(p for p in base.iterdir() if not p.name.startswith(".")):
        code = locale_dir.name
        if not locale_dir.is_dir() or not loc.is_locale(code):
            loader.report(
                locale_dir,
                None,
                MEDIA_FOLDER,
                f"{code!r} is not an App Store locale folder",
                f"{MEDIA_FOLDER}/<locale>/<ASSET_TYPE>/<file>, e.g. {loc.suggest_locale(code)}",
            )
            continue
        if code not in locales:
            loader.report(
                locale_dir,
                None,
                MEDIA_FOLDER,
                f"{code} is not a localization of {folder.name}/{EVENT_FILE_NAME}",
                f"add {code} to its localizations, or remove the folder",
            )
            continue
        assets = media.setdefault(code, {})
        for asset_dir in sorted(p for p in locale_dir.iterdir() if not p.name.startswith(".")):
            if not loader.inside_repo(asset_dir, Source(asset_dir), MEDIA_FOLDER):
                continue
            files = list_media(asset_dir) if asset_dir.is_dir() else []
            problems = event_media.check_event_asset(asset_dir.name, files, where=asset_dir)
            loader.problems.extend(problems)
            if not problems and loader.inside_repo(files[0], Source(files[0]), MEDIA_FOLDER):
                path = files[0]
                assets[asset_dir.name] = MediaFile(path, path.name, path.stat().st_size)
    return media


def canonical_date(text: Any) -> str | None:
    """A date-time in UTC as ``2027-06-01T09:00:00Z``; None without a time zone."""
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedules_of(record: Record) -> list[Schedule] | None:
    """The record's schedules, normalised (None when the file has no such key)."""
    items = record.lists.get("territory_schedules")
    if items is None:
        return None
    schedules = []
    for item in items:
        schedule: Schedule = {}
        for key in _SCHEDULE_KEYS:
            value = next((v.value for k, v in item.attrs.items() if k.endswith(f".{key}")), None)
            if key == "territories":
                schedule[key] = sorted(value or [])
            else:
                schedule[key] = canonical_date(value) if value is not None else None
        schedules.append(schedule)
    return sort_schedules(schedules)


def sort_schedules(schedules: list[Schedule]) -> list[Schedule]:
    return sorted(schedules, key=lambda s: (s.get("event_start") or "", s.get("territories")))


def _check_event(event: Event) -> list[Problem]:
    record = event.record
    problems: list[Problem] = []
    requirement = record.get("purchase_requirement")
    if requirement is not None and requirement not in pp.EVENT_PURCHASE_REQUIREMENTS:
        problems.append(
            record.where("purchase_requirement").problem(
                "purchase_requirement",
                f"{requirement!r} is not a value ascsync knows",
                "one of " + ", ".join(pp.EVENT_PURCHASE_REQUIREMENTS) + " [U]",
                Severity.WARNING,
            )
        )
    if "localizations" in record.maps and not event.locales:
        problems.append(
            record.source.problem(
                "localizations",
                "the event has no localization; Apple needs one before it is submitted",
                "localizations: {en-US: {name: ..., short_description: ..., ...}}",
                Severity.WARNING,
            )
        )
    primary = record.get("primary_locale")
    if primary is not None and event.locales and primary not in event.locales:
        problems.append(
            record.where("primary_locale").problem(
                "primary_locale",
                f"{primary} is not one of the event's localizations",
                "one of " + ", ".join(sorted(event.locales)),
            )
        )
    for code, localization in event.locales.items():
        for key in ("short_description", "long_description"):
            if f"localizations.{code}.{key}" not in localization.attrs:
                problems.append(
                    localization.source.problem(
                        f"localizations.{code}.{key}",
                        "is not set",
                        "App Review needs it before the event is submitted",
                        Severity.WARNING,
                    )
                )
    return problems + _check_schedules(record)


def _check_schedules(record: Record, now: dt.datetime | None = None) -> list[Problem]:
    """Dates in order, with a time zone, 15 min to 31 days long, promoted ≤ 14 days ahead."""
    problems: list[Problem] = []
    now = now or dt.datetime.now(dt.UTC)
    seen: dict[str, int] = {}
    for index, item in enumerate(record.lists.get("territory_schedules", [])):
        prefix = f"territory_schedules[{index}]"
        dates: dict[str, dt.datetime] = {}
        for key in ("publish_start", "event_start", "event_end"):
            value = item.attrs.get(f"{prefix}.{key}")
            if value is None or value.value is None:
                continue
            text = canonical_date(value.value)
            if text is None:
                problems.append(
                    value.source.problem(
                        f"{prefix}.{key}",
                        f"{value.value!r} has no time and time zone",
                        "e.g. 2027-06-01T18:00:00Z or 2027-06-01T20:00:00+02:00",
                    )
                )
                continue
            dates[key] = dt.datetime.fromisoformat(text)
        problems += _schedule_problems(item, prefix, dates, now)
        territories = item.get(f"{prefix}.territories") or []
        if not territories:
            problems.append(
                item.where(f"{prefix}.territories").problem(
                    f"{prefix}.territories", "lists no storefront", "e.g. [USA, CAN]"
                )
            )
        for territory in territories:
            if not TERRITORY["pattern"].match(territory):
                problems.append(
                    item.where(f"{prefix}.territories").problem(
                        f"{prefix}.territories",
                        f"{territory!r} is not a territory code",
                        "ISO alpha-3 such as USA",
                    )
                )
            elif territory in seen:
                problems.append(
                    item.where(f"{prefix}.territories").problem(
                        f"{prefix}.territories",
                        f"{territory} is already in territory_schedules[{seen[territory]}]",
                        "each storefront has one schedule",
                    )
                )
            seen[territory] = index
    return problems


def _schedule_problems(
    item: Record, prefix: str, dates: dict[str, dt.datetime], now: dt.datetime
) -> list[Problem]:
    publish, start, end = (dates.get(k) for k in ("publish_start", "event_start", "event_end"))
    out: list[Problem] = []

    def problem(key: str, message: str, valid: str, severity: Severity = Severity.ERROR) -> None:
        out.append(
            item.where(f"{prefix}.{key}").problem(f"{prefix}.{key}", message, valid, severity)
        )

    if start and end:
        length = end - start
        if length < dt.timedelta(minutes=pp.EVENT_MIN_MINUTES):
            problem(
                "event_end",
                "is not after the start"
                if length <= dt.timedelta(0)
                else f"is {length} after the start",
                f"{pp.EVENT_MIN_MINUTES} minutes to {pp.EVENT_MAX_DAYS} days after event_start [R]",
            )
        elif length > dt.timedelta(days=pp.EVENT_MAX_DAYS):
            problem(
                "event_end",
                f"is {length.days} days after the start",
                f"at most {pp.EVENT_MAX_DAYS} days after event_start [R]",
            )
    if publish and start:
        if publish > start:
            problem("publish_start", "is after event_start", "promote the event before it starts")
        elif start - publish > dt.timedelta(days=pp.EVENT_MAX_PROMOTION_DAYS):
            problem(
                "publish_start",
                f"is {(start - publish).days} days before event_start",
                f"at most {pp.EVENT_MAX_PROMOTION_DAYS} days before it [R]",
            )
    if end and end <= now:
        problem(
            "event_end",
            "has passed",
            "an event that is over cannot change; remove the folder once it is over",
            Severity.WARNING,
        )
    return out


# -- reading -------------------------------------------------------------------------------


def _from_apple(schedule: dict[str, Any]) -> Schedule:
    out: Schedule = {}
    for key, attribute in _SCHEDULE_KEYS.items():
        value = schedule.get(attribute)
        if key == "territories":
            out[key] = sorted(value or [])
        else:
            out[key] = canonical_date(value) if value else None
    return out


def _to_apple(schedule: Schedule) -> dict[str, Any]:
    return {attribute: schedule.get(key) for key, attribute in _SCHEDULE_KEYS.items()}


def _fetch_media(client: ApiClient, event_id: str) -> dict[str, list[LiveMedia]]:
    """The event's localizations with their images and videos (one request)."""
    doc = client.get_all(
        f"/v1/{RESOURCE}/{event_id}/localizations",
        {
            "include": [SCREENSHOTS, VIDEOS],
            f"limit[{SCREENSHOTS}]": 50,
            f"limit[{VIDEOS}]": 50,
        },
    )
    out: dict[str, list[LiveMedia]] = {}
    for localization in doc.resources():
        code = str((localization.get("attributes") or {}).get("locale") or "")
        items = out.setdefault(code, [])
        for resource, state_key in (
            (SCREENSHOTS, "assetDeliveryState"),
            (VIDEOS, "videoDeliveryState"),
        ):
            for media in doc.related(localization, resource):
                attributes = media.get("attributes") or {}
                items.append(
                    LiveMedia(
                        media["id"],
                        resource,
                        attributes.get("appEventAssetType") or "",
                        attributes.get("fileName") or "",
                        attributes.get("fileSize"),
                        (attributes.get(state_key) or {}).get("state"),
                    )
                )
    return out


# -- planning ------------------------------------------------------------------------------


def _plan_event(
    planner: Planner, name: str, event: Event, live: Event | None, ids: LiveEvent | None
) -> None:
    address = event_address(planner.desired, name)
    want, have = relative(event.record), relative(live.record) if live else {}
    locked = ids.locked_by if ids else None
    if ids is None:
        keys = [k for k in ("reference_name", *_ATTRIBUTES) if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                RESOURCE,
                planner.app,
                fields=planner.field_changes(want, {}, keys, event.record),
                calls=(f"POST /v1/{RESOURCE}",),
                source=planner.source(event.record, "reference_name"),
            )
        )
    else:
        planner.update(
            address,
            RESOURCE,
            want,
            have,
            event.record,
            _ATTRIBUTES,
            f"PATCH /v1/{RESOURCE}/{{id}}",
            locked_by=locked,
        )
    _plan_schedules(planner, address, event, live, ids)
    plan_locales(
        planner,
        owner=address,
        wanted=event.record,
        live=live.record if live else None,
        map_key="localizations",
        live_ids=ids.localizations if ids else {},
        resource=LOCALIZATIONS,
        fields=_LOCALE_FIELDS,
        locked_by=locked,
    )
    if event.media is not None:
        for code in event.locales:
            _plan_media(
                planner,
                f"{address}.locale[{code}]",
                code,
                event.media.get(code, {}),
                ids.media.get(code, []) if ids else [],
                locked,
            )


def _plan_schedules(
    planner: Planner, address: str, event: Event, live: Event | None, ids: LiveEvent | None
) -> None:
    wanted = event.schedules
    have = (live.schedules if live else None) or []
    if wanted is None or wanted == have:
        return
    change = Change(
        f"{address}.schedules",
        Action.UPDATE,
        RESOURCE,
        planner.app,
        fields=(
            FieldChange(
                "territory_schedules",
                have or None,
                wanted,
                source=_schedules_source(planner, event.record),
            ),
        ),
        calls=(f"PATCH /v1/{RESOURCE}/{{id}}",),
        after=(address,) if ids is None else (),
        source=_schedules_source(planner, event.record),
    )
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    started = [s for s in wanted if s.get("event_start") and s["event_start"] <= now]
    if started:
        planner.lock(
            Change(
                **{
                    **change.__dict__,
                    "note": f"a schedule starting {started[0]['event_start']} has already "
                    "started; Apple schedules events in the future only [U]",
                }
            )
        )
        return
    planner.add(change, locked_by=ids.locked_by if ids else None)


def _schedules_source(planner: Planner, record: Record) -> str | None:
    """Where the schedules are written: their first item's line (the file when none)."""
    items = record.lists.get("territory_schedules") or []
    return planner.source(items[0]) if items else planner.source(record)


def _plan_media(
    planner: Planner,
    locale_address: str,
    code: str,
    wanted: dict[str, MediaFile],
    live: list[LiveMedia],
    locked: str | None,
) -> None:
    """Per asset type: keep a live item of the same name and size, else replace it.

    The item replaced is the live one of that asset type (a stuck reservation of the same
    name first), so a locale never has two cards; any other live item of the type
    (stuck, FAILED, or not in the repo) is deleted.
    """
    for asset_type in sorted(set(wanted) | {m.asset_type for m in live}):
        want = wanted.get(asset_type)
        have = [m for m in live if m.asset_type == asset_type]
        keep = next((m for m in have if want is not None and _same(m, want)), None)
        others = [m for m in have if m is not keep]
        if want is not None and keep is None:
            others.sort(key=lambda m: (m.file_name != want.file_name, m.state != "COMPLETE"))
            replaced = others.pop(0) if others else None
            _plan_upload(planner, locale_address, code, asset_type, want, replaced, locked)
        names = [m.file_name for m in others]
        for item in others:
            unique = item.file_name and names.count(item.file_name) == 1
            label = (
                item.file_name
                if unique and not (want and item.file_name == want.file_name)
                else item.id
            )
            why = "not in the repo" if item.state == "COMPLETE" else f"delivery state {item.state}"
            planner.add(
                Change(
                    f"{locale_address}.media[{asset_type}][{label}]",
                    Action.DELETE,
                    item.resource,
                    planner.app,
                    code,
                    calls=(f"DELETE /v1/{item.resource}/{{id}}",),
                    note=why,
                    live_id=item.id,
                    makes_room=True,
                    kind=APP_EVENTS_NAME,
                ),
                locked_by=locked,
            )


def _same(item: LiveMedia, local: MediaFile) -> bool:
    """[U] Apple keeps no checksum of event media: name, size and type stand in for it."""
    return (
        item.state == "COMPLETE"
        and item.resource == _resource_of(local.path)
        and item.file_name == local.file_name
        and item.file_size == local.size
    )


def _plan_upload(
    planner: Planner,
    locale_address: str,
    code: str,
    asset_type: str,
    want: MediaFile,
    replaced: LiveMedia | None,
    locked: str | None,
) -> None:
    resource = _resource_of(want.path) or SCREENSHOTS
    before = None
    if replaced is not None and replaced.state == "COMPLETE":
        before = f"{replaced.file_name} ({replaced.file_size} bytes)"
    calls: tuple[str, ...] = (
        f"POST /v1/{resource}",
        "PUT upload operations",
        f"PATCH /v1/{resource}/{{id}}",
    )
    if replaced is not None:
        calls = (f"DELETE /v1/{replaced.resource}/{{id}}", *calls)
    planner.add(
        Change(
            f"{locale_address}.media[{asset_type}][{want.file_name}]",
            Action.REPLACE if replaced else Action.UPLOAD,
            resource,
            planner.app,
            code,
            fields=(
                FieldChange(
                    "file",
                    before,
                    f"{want.file_name} ({want.size} bytes)",
                    source=planner.rel(want.path),
                ),
            ),
            calls=calls,
            after=(locale_address,),
            source=planner.rel(want.path),
            live_id=replaced.id if replaced else None,
            note=None if replaced is None or before else f"delivery state {replaced.state}",
            kind=APP_EVENTS_NAME,
        ),
        locked_by=locked,
    )


def _resource_of(path: Path) -> str | None:
    kind = event_media.media_kind(path)
    return SCREENSHOTS if kind == "image" else VIDEOS if kind == "video" else None


# -- applying ------------------------------------------------------------------------------


def _media_op(
    change: Change, ctx: ApplyContext, event: Event, ids: LiveEvent | None, locale_address: str
) -> Op:
    keys = address_keys(change.address)["media"]
    asset_type, file_name = keys[0], keys[1]
    if change.action is Action.DELETE:
        return delete_op(change.resource, need(change.live_id, file_name))
    local = ((event.media or {}).get(change.locale or "") or {})[asset_type]
    settings = ctx.uploads
    replaced = None
    if change.action is Action.REPLACE:
        items = [m for ms in (ids.media.values() if ids else []) for m in ms]
        replaced = next((m for m in items if m.id == change.live_id), None)

    def run(client: ApiClient, run_ids: Ids) -> None:
        if replaced is not None:
            delete_op(replaced.resource, replaced.id).run(client, run_ids)
        upload_event_media(
            client, change.resource, run_ids.get(locale_address), asset_type, local, settings
        )

    return Op(run)


def upload_event_media(
    client: ApiClient,
    resource: str,
    localization_id: str,
    asset_type: str,
    local: MediaFile,
    settings: UploadSettings,
) -> str:
    """Reserve, send the parts, commit, and wait until Apple has processed the file.

    Unlike screenshots, the commit carries no checksum (the spec has none for event
    media), so a finished item is recognised by its name and size later.
    """
    body = resource_body(
        resource,
        {"fileName": local.file_name, "fileSize": local.size, "appEventAssetType": asset_type},
        {"appEventLocalization": (LOCALIZATIONS, localization_id)},
    )
    for attempt in range(1, RESERVE_ATTEMPTS + 1):
        try:
            reserved = client.post(f"/v1/{resource}", body)
            break
        except MaybeAppliedError:
            # the reservation may exist: remove what it left (never uploaded), try again
            _remove_reservations(client, resource, localization_id, local.file_name)
            if attempt == RESERVE_ATTEMPTS:
                raise
    media_id = reserved.resource["id"]
    operations = reserved.resource["attributes"].get("uploadOperations") or []
    _send_parts(client, operations, local.path, settings.part_concurrency)
    try:
        client.patch(
            f"/v1/{resource}/{media_id}", resource_body(resource, {"uploaded": True}, id_=media_id)
        )
    except ApiError as error:
        # "already committed" on a retry: the first commit arrived, its answer was lost
        if error.status != 409 or error.attempts < 2:
            raise
    _wait(client, resource, media_id, local.file_name, settings)
    return media_id


def _send_parts(
    client: ApiClient, operations: list[dict[str, Any]], path: Path, concurrency: int
) -> None:
    def send(operation: dict[str, Any]) -> None:
        offset, length = int(operation.get("offset") or 0), int(operation["length"])
        headers = {h["name"]: h["value"] for h in operation.get("requestHeaders") or []}
        client.upload(
            operation.get("method") or "PUT",
            operation["url"],
            FilePart(path, offset, length),
            headers,
        )

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        list(pool.map(send, operations))


def _wait(
    client: ApiClient, resource: str, media_id: str, name: str, settings: UploadSettings
) -> None:
    """Poll the delivery state, sooner at first, until COMPLETE, FAILED or the timeout."""
    state_key = "videoDeliveryState" if resource == VIDEOS else "assetDeliveryState"
    deadline = time.monotonic() + settings.timeout
    pause = settings.first_poll
    while True:
        doc = client.get(f"/v1/{resource}/{media_id}", {f"fields[{resource}]": [state_key]})
        state = (doc.resource.get("attributes") or {}).get(state_key) or {}
        status = state.get("state")
        if status == "COMPLETE":
            return
        if status == "FAILED":
            errors = "; ".join(
                f"{e.get('code')}: {e.get('description')}" for e in state.get("errors") or []
            )
            delete_op(resource, media_id).run(client, Ids())
            raise UploadFailed(
                f"{name}: App Store Connect could not process it ({errors or 'no reason given'})"
            )
        if time.monotonic() >= deadline:
            raise UploadTimedOut(
                f"{name}: still {status} after {settings.timeout:.0f} s; "
                "run apply again later to check it"
            )
        time.sleep(pause)
        pause = min(pause * 1.5, settings.poll_interval)


def _remove_reservations(client: ApiClient, resource: str, localization_id: str, name: str) -> None:
    """Delete reservations of ``name`` a timed-out POST may have left (never uploaded)."""
    state_key = "videoDeliveryState" if resource == VIDEOS else "assetDeliveryState"
    doc = client.get_all(f"/v1/{LOCALIZATIONS}/{localization_id}/{resource}")
    for item in doc.resources():
        attributes = item.get("attributes") or {}
        state = (attributes.get(state_key) or {}).get("state")
        if attributes.get("fileName") == name and state in ("AWAITING_UPLOAD", None):
            delete_op(resource, item["id"]).run(client, Ids())


# -- pull ----------------------------------------------------------------------------------


def _write_schedules(writer: RepoWriter, path: Path, schedules: list[Schedule]) -> None:
    """Merge the live schedules into the file's, keeping what people wrote.

    Schedules are matched by their storefronts; a date that means the same moment is
    left as written (its time zone, its comment), a different one is written in UTC.
    A schedule gone live is removed, a new one appended.
    """
    node = writer.doc(path)
    current = node.get("territory_schedules")
    items = list(current) if isinstance(current, CommentedSeq) else []
    live = {tuple(s["territories"]): s for s in schedules}
    kept: list[Any] = []
    changed = not isinstance(current, CommentedSeq) and bool(schedules)
    for item in items:
        wanted = live.pop(_territories_of(item), None)
        if wanted is None:
            changed = True  # not live any more
            continue
        for key in ("publish_start", "event_start", "event_end"):
            if canonical_date(_plain_date(item.get(key))) != wanted[key]:
                item[key] = wanted[key]
                changed = True
        kept.append(item)
    added = [_new_schedule(s) for s in schedules if tuple(s["territories"]) in live]
    if not (changed or added):
        return
    seq = current if isinstance(current, CommentedSeq) else CommentedSeq()
    seq[:] = kept + added
    node["territory_schedules"] = seq
    writer.changed.add(path)


def _territories_of(item: Any) -> tuple[str, ...]:
    if not isinstance(item, dict):
        return ()
    return tuple(sorted(str(t) for t in item.get("territories") or []))


def _new_schedule(schedule: Schedule) -> CommentedMap:
    item = CommentedMap()
    item["territories"] = CommentedSeq(schedule["territories"])
    item["territories"].fa.set_flow_style()
    for key in ("publish_start", "event_start", "event_end"):
        item[key] = schedule[key]
    return item


def _plain_date(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return list(value) if isinstance(value, list) else value


APP_EVENTS = AppEvents()

__all__ = [
    "APP_EVENTS",
    "EVENT_FIELDS",
    "Event",
    "LiveEvent",
    "canonical_date",
    "event_address",
    "schedules_of",
    "upload_event_media",
]
