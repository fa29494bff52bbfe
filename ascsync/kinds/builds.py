"""Builds: the build a release ships, and what TestFlight does with a build.

* ``version.yml``'s ``build``: the build App Review gets with the version, by its number
  (``"241"``) or ``newest``: the newest build of the version that is VALID.
* ``testflight/builds/<name>.yml``: one build of a version (a number, or ``newest``),
  its "What to Test" text per locale (``betaBuildLocalizations``, managed as a set) and
  the TestFlight groups that get it (a set too: the build leaves a group the file does
  not list; groups that get every build, ``hasAccessToAllBuilds``, are left alone).

* ``app.yml``'s ``uses_non_exempt_encryption``: the export compliance answer. A build
  uploaded without ``ITSAppUsesNonExemptEncryption`` in its Info.plist shows "Missing
  Compliance" and goes neither to testers nor to App Review until it is answered [A];
  ascsync answers it (``PATCH`` the build) for the builds the repo names. A build that
  answers otherwise is locked: Apple keeps a build's answer [U].

A build is only ever chosen when it is VALID: processed (``processingState``), not
expired, and for a release not limited to internal testing. A number that is not, or
``newest`` while no build is, is listed as locked with the reason, never planned to
fail. So is ``newest`` while a newer upload is still processing: that upload is
probably the one meant, so ascsync waits for it rather than pick the one before [U: a
policy, not Apple's].

Reading: the version's current build comes with the version read (``include=build``);
then per version string one request for its builds (the numbered ones, and the
:data:`RECENT` newest for ``newest``), with their What to Test texts and groups when a
TestFlight file needs them; and one listing of the app's groups when a file lists a
group its build is not in and that has no file in ``testflight/groups/``.

Addresses: ``app[x].version[<version>].build`` (``.export_compliance``);
``app[x].build[<version>][<build>]`` (``.locale[<code>]``, ``.group[<name>]``,
``.export_compliance``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient, ApiError
from ascsync.api.jsonapi import Document
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import (
    LIVE,
    App,
    Field,
    FieldType,
    FileFields,
    FileKind,
    Record,
    Value,
    sub_fields,
)
from ascsync.engine.compare import same
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import Include, LiveApp, LiveContext
from ascsync.engine.mapping import read_record
from ascsync.engine.ops import Ids, Op, Parent, add_members, localization_op, need, patch_op
from ascsync.engine.plan import Action, Change, FieldChange, address_keys
from ascsync.engine.planner import Planner, plan_locales
from ascsync.io.repo_writer import RepoWriter, slug, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.beta_groups import LiveBetaGroup
from ascsync.kinds.version import (
    VERSION,
    VERSION_READ,
    VersionState,
    matching_version,
    version_address,
    version_string,
)
from ascsync.problems import Problem
from ascsync.rules import products as pr

BUILDS = "builds"
LOCALIZATIONS = "betaBuildLocalizations"
GROUPS = "betaGroups"
NEWEST = "newest"
RECENT = 10
"""How many of a version's newest uploads are read to find ``newest``."""
PER_BUILD = 50
"""``limit[betaBuildLocalizations]`` / ``limit[betaGroups]`` maxima on ``GET /v1/builds``."""

BUILD_NUMBER = re.compile(r"^(newest|\d+(\.\d+){0,2})$")
"""[A] CFBundleVersion: one to three period-separated integers; or ``newest``."""
BUILD_HINT = 'a build number such as "241" (quoted), or newest'

RELEASE_BUILD = Field(
    "build",
    FieldType.TEXT,
    'The build App Review gets: its number ("241") or `newest`, the newest VALID build '
    "of this version.",
    f"{BUILDS}.version",
    pattern=BUILD_NUMBER,
    pattern_hint=BUILD_HINT,
)

ENCRYPTION = "uses_non_exempt_encryption"
EXPORT_COMPLIANCE = Field(
    ENCRYPTION,
    FieldType.BOOL,
    "Export compliance: whether the app uses non-exempt encryption; answered for the "
    "builds the repo names that have no answer.",
    f"{BUILDS}.usesNonExemptEncryption",
)

TESTFLIGHT_BUILD_FIELDS = (
    Field(
        "version",
        FieldType.TEXT,
        "The version the build belongs to; default: version.yml's.",
        "preReleaseVersions.version",
        pattern=pr.VERSION_STRING,
        pattern_hint="1 to 3 dot-separated integers, e.g. 2.4.0",
    ),
    Field(
        "build",
        FieldType.TEXT,
        'Its number ("241"), or `newest`: the newest VALID build of the version.',
        f"{BUILDS}.version",
        required=True,
        pattern=BUILD_NUMBER,
        pattern_hint=BUILD_HINT,
    ),
    Field(
        "localizations",
        FieldType.LOCALES,
        "What to Test, per locale.",
        fields=(
            Field(
                "what_to_test",
                FieldType.TEXT,
                "What testers should try in this build.",
                f"{LOCALIZATIONS}.whatsNew",
                limit="what_to_test",
            ),
        ),
    ),
    Field(
        "groups",
        FieldType.STRINGS,
        "The TestFlight groups (by name) that get this build; it leaves groups not listed.",
        f"{GROUPS}.name",
    ),
)

TESTFLIGHT_BUILD_FILE = FileKind(
    "testflight-build",
    "apps/<app>/testflight/builds/<name>.yml",
    "One build in TestFlight: What to Test and the groups that get it.",
    TESTFLIGHT_BUILD_FIELDS,
)

_LOCALE_FIELDS = sub_fields(TESTFLIGHT_BUILD_FIELDS, "localizations")

Files = dict[str, Record]
"""TestFlight build files by key ``<version>/<build>`` (``2.4.0/newest``)."""


@dataclass(frozen=True)
class LiveBuild:
    """One uploaded build as App Store Connect has it."""

    id: str
    number: str
    processing: str | None
    expired: bool
    audience: str | None
    encryption: bool | None = None  # usesNonExemptEncryption: None is "Missing Compliance"

    def unusable(self, *, release: bool) -> str | None:
        """Why this build cannot be chosen, or None when it can."""
        if self.processing != "VALID":
            return f"build {self.number} is {self.processing or 'not processed'}"
        if self.expired:
            return f"build {self.number} has expired"
        if release and self.audience == "INTERNAL_ONLY":
            return f"build {self.number} is for internal testing only (INTERNAL_ONLY)"
        return None


@dataclass
class Choice:
    """The build a file (or version.yml) names, or why none can be used."""

    build: LiveBuild | None = None
    why: str | None = None
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    texts: dict[str, Record] = field(default_factory=dict)  # locale -> What to Test
    groups: dict[str, str] = field(default_factory=dict)  # group name -> id


@dataclass(frozen=True)
class LiveGroup:
    id: str
    all_builds: bool


@dataclass
class BuildsState:
    """The release build (current and chosen), each TestFlight file's build, the groups."""

    release_now: str | None = None  # the version's current build number
    current_answer: bool | None = None  # its export compliance answer
    release: Choice | None = None
    testflight: dict[str, Choice] = field(default_factory=dict)
    groups: dict[str, LiveGroup] = field(default_factory=dict)


@dataclass
class _Wanted:
    """What to read of one version's builds."""

    numbers: set[str] = field(default_factory=set)
    newest: bool = False
    details: bool = False  # What to Test and groups


class Builds(ResourceKind[Files, BuildsState]):
    name = "build_selection"
    files = (TESTFLIGHT_BUILD_FILE,)
    adds_fields = (
        FileFields("version", (RELEASE_BUILD,), after="copyright"),
        FileFields("app", (EXPORT_COMPLIANCE,)),
    )
    includes = (Include(VERSION_READ, "build"),)
    depends_on = ("version", "beta_groups")
    compiles = (BUILDS, LOCALIZATIONS)
    deletes = (BUILDS, LOCALIZATIONS)
    deletes_whole = deletes
    nouns = {"build": "build", "group": "TestFlight group"}
    owners = ("build",)

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        found: Files = {}
        default = version_string(app)
        for path in loader.yaml_files(app.folder / "testflight" / "builds"):
            record = loader.read_file(path, loader.files["testflight-build"])
            if record is None or not isinstance(record.get("build"), str):
                continue
            version = record.get("version") or default
            if not isinstance(version, str):
                loader.problems.append(
                    record.source.problem(
                        "version",
                        "is required: there is no version.yml to take it from",
                        'version: "2.4.0"',
                    )
                )
                continue
            loader.add_unique(found, f"{version}/{record.get('build')}", record, "build")
        if found:
            app.parts[self.name] = found

    def check(self, app: App) -> list[Problem]:
        problems = []
        for record in (self.desired(app) or {}).values():
            names = record.get("groups") or []
            for name in sorted({n for n in names if names.count(n) > 1}):
                problems.append(
                    record.where("groups").problem("groups", f"{name!r} is listed twice")
                )
        return problems

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> BuildsState:
        state = BuildsState()
        files = self.desired(ctx.desired) or {}
        version = VERSION.desired(ctx.desired)
        manages_release = version is not None and "build" in version.attrs
        if not files and not manages_release:
            return state
        ctx.state_of("version")  # the version read has the current build
        wanted = _what_to_read(ctx.desired, files, manages_release)
        versions = sorted(wanted)
        docs = ctx.pool.map(lambda v: _fetch_builds(ctx, v, wanted[v]), versions)
        found = dict(zip(versions, docs, strict=True))
        if manages_release and version is not None:
            _read_release(ctx, version, found, state)
        live: Files = {}
        for key, record in files.items():
            choice = _resolve(*_split(key), found, release=False)
            state.testflight[key] = choice
            live[key] = _live_file(record, choice)
        if live:
            ctx.live.model.parts[self.name] = live
        state.groups = _groups_to_join(ctx, files, state)
        _read_compliance(ctx, state)
        return state

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or BuildsState()
        return {
            "release": [state.release_now, _plain_choice(state.release)],
            "testflight": {k: _plain_choice(c) for k, c in sorted(state.testflight.items())},
            "groups": sorted((n, g.id, g.all_builds) for n, g in state.groups.items()),
            "files": {k: r.to_plain() for k, r in sorted((self.desired(live.model) or {}).items())},
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        state = self.state(live) or BuildsState()
        counts: Counter[str] = Counter()
        for choice in state.testflight.values():
            counts[BUILDS] += len(choice.groups)
            counts[LOCALIZATIONS] += len(choice.localizations)
        return counts

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        """Pull the version's build, and its newest build's TestFlight details."""
        version = VERSION.desired(skeleton)
        if version is None:
            return
        version.attrs["build"] = Value(None, LIVE)
        number = version.get("version")
        skeleton.parts[self.name] = {
            f"{number}/{NEWEST}": Record(
                LIVE,
                {
                    "version": Value(number, LIVE),
                    "build": Value(NEWEST, LIVE),
                    "groups": Value(None, LIVE),
                },
                maps={"localizations": {}},
            )
        }

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        state = self.state(planner.live) or BuildsState()
        _plan_release(planner, state)
        answered: set[str] = set()  # builds whose export compliance is planned already
        if state.release is not None and state.release.build is not None:
            address = f"{version_address(planner.desired)}.build"
            _plan_compliance(planner, address, state.release.build, answered)
        files = self.desired(planner.desired) or {}
        live = self.desired(planner.live.model) or {}
        taken: dict[str, str] = {}  # build id -> the key of the file that manages it
        for key, wanted in files.items():
            choice = state.testflight.get(key) or Choice(why="not read")
            address = _address(planner.desired, key)
            build = choice.build
            if build is not None and build.id in taken:
                choice = Choice(why=f"build {build.number} is managed by {taken[build.id]} too")
            if choice.build is None:
                planner.lock(
                    Change(
                        address,
                        Action.UPDATE,
                        BUILDS,
                        planner.app,
                        source=planner.source(wanted, "build"),
                        note=f"{choice.why}; nothing is changed for this build",
                    )
                )
                continue
            taken[choice.build.id] = planner.source(wanted) or key
            plan_locales(
                planner,
                owner=address,
                wanted=wanted,
                live=live.get(key),
                map_key="localizations",
                live_ids=choice.localizations,
                resource=LOCALIZATIONS,
                fields=_LOCALE_FIELDS,
            )
            _plan_groups(planner, address, wanted, choice, state.groups)
            _plan_compliance(planner, address, choice.build, answered)

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        state = self.state(ctx.live) or BuildsState()
        keys = address_keys(change.address)
        if "export_compliance" in keys:
            return _compliance_op(change, ctx, state)
        if "version" in keys:
            return _release_op(ctx, state)
        version, spec = keys["build"][:2]
        key = f"{version}/{spec}"
        choice = state.testflight.get(key) or Choice()
        build_id = need(choice.build.id if choice.build else None, f"build {spec} of {version}")
        address = _address(ctx.desired, key)
        if change.resource == LOCALIZATIONS:
            code = keys["locale"][0]
            wanted = (self.desired(ctx.desired) or {})[key]
            return localization_op(
                change,
                fields=_LOCALE_FIELDS,
                wanted=wanted.maps.get("localizations", {}).get(code),
                prefix=f"localizations.{code}.",
                parent_relationship="build",
                parent=Parent(BUILDS, build_id, address, f"/v1/{BUILDS}"),
                live_id=choice.localizations.get(code),
            )
        name = keys["group"][0]
        live_group = state.groups.get(name)
        group = Parent(
            GROUPS,
            live_group.id if live_group else choice.groups.get(name),
            f"{ctx.desired.address}.beta_group[{name}]",
            f"/v1/{GROUPS}",
        )
        return _membership_op(change.action, build_id, group)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        mine = (self.desired(desired) if desired else None) or {}
        for key, record in sorted((self.desired(live) or {}).items()):
            wanted = mine.get(key)
            if wanted is None and (writer.managed_only or not _has_details(record)):
                continue
            name = slug(key.replace("/", "-").replace(".", "-"))
            path = source_file(wanted) or folder / "testflight" / "builds" / f"{name}.yml"
            writer.write_record(path, record, writer.fields("testflight-build"), wanted)


# -- reading ---------------------------------------------------------------------------------


def _has_details(record: Record) -> bool:
    """A live build with What to Test text or groups (worth a file of its own)."""
    return bool(record.maps.get("localizations") or record.get("groups"))


def _split(key: str) -> tuple[str, str]:
    version, _, spec = key.partition("/")
    return version, spec


def _address(app: App, key: str) -> str:
    version, spec = _split(key)
    return f"{app.address}.build[{version}][{spec}]"


def _what_to_read(app: App, files: Files, release: bool) -> dict[str, _Wanted]:
    wanted: dict[str, _Wanted] = {}

    def add(version: str, spec: str, details: bool) -> None:
        item = wanted.setdefault(version, _Wanted())
        if spec == NEWEST:
            item.newest = True
        else:
            item.numbers.add(spec)
        item.details = item.details or details

    spec = (VERSION.desired(app) or Record(LIVE)).get("build")
    number = version_string(app)
    if release and isinstance(number, str) and isinstance(spec, str):
        add(number, spec, False)  # (pull asks for the current build only: no spec)
    for key in files:
        add(*_split(key), True)
    return wanted


def _fetch_builds(ctx: LiveContext, version: str, wanted: _Wanted) -> list[Document]:
    """The version's numbered builds and its newest uploads (newest first)."""
    attributes = [
        "version",
        "uploadedDate",
        "processingState",
        "expired",
        "buildAudienceType",
        "usesNonExemptEncryption",
    ]
    params: dict[str, Any] = {
        "filter[app]": ctx.live.app_id,
        "filter[preReleaseVersion.version]": version,
        "fields[builds]": attributes,
    }
    platform = ctx.desired.record.get("platform")
    if platform:
        params["filter[preReleaseVersion.platform]"] = platform
    if wanted.details:
        params["include"] = [LOCALIZATIONS, GROUPS]
        params["fields[builds]"] = [*attributes, LOCALIZATIONS, GROUPS]
        params[f"fields[{GROUPS}]"] = ["name", "hasAccessToAllBuilds"]
        params[f"limit[{LOCALIZATIONS}]"] = PER_BUILD
        params[f"limit[{GROUPS}]"] = PER_BUILD
    docs = []
    if wanted.numbers:
        numbered = {**params, "filter[version]": sorted(wanted.numbers)}
        docs.append(ctx.client.get_all(f"/v1/{BUILDS}", numbered))
    if wanted.newest:
        recent = {**params, "sort": "-uploadedDate", "limit": RECENT}
        docs.append(ctx.client.get(f"/v1/{BUILDS}", recent))
    return docs


def _groups_to_join(ctx: LiveContext, files: Files, state: BuildsState) -> dict[str, LiveGroup]:
    """Ids of the groups the files list, for those their build is not in yet.

    The beta groups kind has read the groups with files; the app's groups are listed
    only when a file names another one.
    """
    known: dict[str, LiveBetaGroup] = ctx.state_of("beta_groups") or {}
    groups = {name: LiveGroup(g.id, g.all_builds) for name, g in known.items()}
    missing = {
        name
        for key, record in files.items()
        for name in record.get("groups") or []
        if name not in state.testflight[key].groups and name not in groups
    }
    if missing:
        groups.update(_fetch_groups(ctx.client, ctx.live.app_id))
    return groups


def _fetch_groups(client: ApiClient, app_id: str) -> dict[str, LiveGroup]:
    doc = client.get_all(
        f"/v1/{GROUPS}",
        {"filter[app]": app_id, f"fields[{GROUPS}]": ["name", "hasAccessToAllBuilds"]},
    )
    out = {}
    for group in doc.resources():
        attributes = group.get("attributes") or {}
        out[attributes.get("name", "")] = LiveGroup(
            group["id"], bool(attributes.get("hasAccessToAllBuilds"))
        )
    return out


def _live_build(resource: dict[str, Any]) -> LiveBuild:
    attributes = resource.get("attributes") or {}
    return LiveBuild(
        resource["id"],
        str(attributes.get("version")),
        attributes.get("processingState"),
        bool(attributes.get("expired")),
        attributes.get("buildAudienceType"),
        attributes.get("usesNonExemptEncryption"),
    )


def _resolve(version: str, spec: str, found: dict[str, list[Document]], *, release: bool) -> Choice:
    """The build ``spec`` names among the version's builds, with its TestFlight details."""
    docs = found.get(version, [])
    pairs = [(doc, item) for doc in docs for item in doc.resources()]
    if spec != NEWEST:
        match = next(((d, r) for d, r in pairs if _live_build(r).number == spec), None)
        if match is None:
            return Choice(why=f"no build {spec} of version {version} in App Store Connect")
        build = _live_build(match[1])
        why = build.unusable(release=release)
        return _with_details(Choice(build), *match) if why is None else Choice(why=why)
    newest = [(d, r) for d, r in pairs if (r.get("attributes") or {}).get("uploadedDate")]
    newest.sort(key=lambda pair: pair[1]["attributes"]["uploadedDate"], reverse=True)
    for doc, resource in newest:
        build = _live_build(resource)
        if build.processing == "PROCESSING":
            return Choice(why=f"the newest build ({build.number}) is still processing")
        if build.unusable(release=release) is None:
            return _with_details(Choice(build), doc, resource)
    return Choice(why=f"no VALID build of version {version} among its {RECENT} newest")


def _with_details(choice: Choice, doc: Document, resource: dict[str, Any]) -> Choice:
    for item in doc.related(resource, LOCALIZATIONS):
        attributes = item.get("attributes") or {}
        code = attributes.get("locale")
        if code:
            choice.localizations[code] = item["id"]
            flat = read_record(_LOCALE_FIELDS, {LOCALIZATIONS: attributes})
            choice.texts[code] = Record(
                LIVE, {f"localizations.{code}.{k}": v for k, v in flat.attrs.items()}
            )
    for group in doc.related(resource, GROUPS):
        name = (group.get("attributes") or {}).get("name")
        if name and not (group.get("attributes") or {}).get("hasAccessToAllBuilds"):
            choice.groups[name] = group["id"]
    return choice


def _read_release(
    ctx: LiveContext, version: Record, found: dict[str, list[Document]], state: BuildsState
) -> None:
    """The version's current build (into version.yml's live record) and the wanted one."""
    doc = ctx.shared(VERSION_READ)
    match = matching_version(doc, ctx.desired)
    current = doc.related_one(match, "build") if doc is not None and match else None
    state.release_now = str(current["attributes"]["version"]) if current else None
    if current is not None:
        state.current_answer = (current.get("attributes") or {}).get("usesNonExemptEncryption")
    spec = version.get("build")
    number = version_string(ctx.desired)
    if isinstance(number, str) and isinstance(spec, str):
        state.release = _resolve(number, spec, found, release=True)
    live_version = VERSION.desired(ctx.live.model)
    if live_version is None:
        return
    shown = state.release_now
    chosen = state.release.build if state.release else None
    if spec == NEWEST and chosen is not None and chosen.number == shown:
        shown = NEWEST  # what the repo says, so pull and drift keep the word
    if shown is not None:
        live_version.attrs["build"] = Value(shown, LIVE)


def _read_compliance(ctx: LiveContext, state: BuildsState) -> None:
    """app.yml's export compliance as live: the answer every build the repo names gives,
    or none when one of them has none (or they differ): then a build needs it."""
    answers = {state.current_answer} if state.release_now is not None else set()
    chosen = [state.release, *state.testflight.values()]
    answers |= {c.build.encryption for c in chosen if c is not None and c.build is not None}
    if not answers:
        return
    answer = next(iter(answers)) if len(answers) == 1 else None
    ctx.live.model.record.attrs[ENCRYPTION] = Value(answer, LIVE)


def _live_file(wanted: Record, choice: Choice) -> Record:
    """A TestFlight file as App Store Connect has it (the same keys the file manages)."""
    record = Record(LIVE, {"build": Value(wanted.get("build"), LIVE)})
    if "version" in wanted.attrs:
        record.attrs["version"] = Value(wanted.get("version"), LIVE)
    if choice.build is None:
        return record
    if "localizations" in wanted.maps:
        record.maps["localizations"] = dict(choice.texts)
    if "groups" in wanted.attrs:
        names = sorted(choice.groups)
        listed = wanted.get("groups") or []
        if set(listed) == set(names):
            names = list(listed)  # the file's order, when it is the same set
        record.attrs["groups"] = Value(names, LIVE)
    return record


def _plain_choice(choice: Choice | None) -> Any:
    if choice is None:
        return None
    build = choice.build
    return [
        [build.id, build.number, build.processing, build.expired] if build else None,
        choice.why,
        sorted(choice.localizations.items()),
        sorted(choice.groups.items()),
    ]


# -- planning --------------------------------------------------------------------------------


def _plan_release(planner: Planner, state: BuildsState) -> None:
    desired = VERSION.desired(planner.desired)
    if desired is None or "build" not in desired.attrs or state.release is None:
        return
    spec = desired.get("build")
    live = VERSION.desired(planner.live.model)
    have = live.get("build") if live else None
    if same(spec, have):
        return
    address = version_address(planner.desired)
    version = VERSION.state(planner.live) or VersionState()
    chosen = state.release.build
    after = chosen.number if chosen else spec
    change = Change(
        f"{address}.build",
        Action.UPDATE,
        BUILDS,
        planner.app,
        fields=(
            FieldChange("build", state.release_now, after, source=planner.source(desired, "build")),
        ),
        calls=("PATCH /v1/appStoreVersions/{id}/relationships/build",),
        after=(address,),
        source=planner.source(desired, "build"),
        note=f"the newest VALID build of {version_string(planner.desired)}"
        if spec == NEWEST
        else None,
    )
    if chosen is None:
        planner.lock(Change(**{**change.__dict__, "calls": (), "note": state.release.why}))
        return
    if chosen.number == state.release_now:
        return
    planner.add(change, locked_by=version.locked_by)


def _plan_compliance(planner: Planner, address: str, build: LiveBuild, answered: set[str]) -> None:
    """Answer export compliance for a build that has no answer yet (once per build)."""
    record = planner.desired.record
    if ENCRYPTION not in record.attrs or record.get(ENCRYPTION) is None or build.id in answered:
        return
    answered.add(build.id)
    wanted = bool(record.get(ENCRYPTION))
    if build.encryption == wanted:
        return
    change = Change(
        f"{address}.export_compliance",
        Action.UPDATE,
        BUILDS,
        planner.app,
        fields=(
            FieldChange(
                ENCRYPTION, build.encryption, wanted, source=planner.source(record, ENCRYPTION)
            ),
        ),
        calls=(f"PATCH /v1/{BUILDS}/{{id}}",),
        after=(address,),
        source=planner.source(record, ENCRYPTION),
        note=f"build {build.number} is missing export compliance"
        + ("; it also needs an approved encryption declaration (web UI)" if wanted else ""),
    )
    if build.encryption is not None:
        note = f"build {build.number} answers {build.encryption} (from its Info.plist or an "
        note += "earlier answer); a build's answer does not change"
        planner.lock(Change(**{**change.__dict__, "calls": (), "note": note}))
        return
    planner.add(change)


def _plan_groups(
    planner: Planner,
    address: str,
    wanted: Record,
    choice: Choice,
    groups: dict[str, LiveGroup],
) -> None:
    """Add the build to listed groups, remove it from the others (not all-builds groups)."""
    if "groups" not in wanted.attrs:
        return
    listed = list(wanted.get("groups") or [])
    source = planner.source(wanted, "groups")
    in_repo = set((planner.desired.parts.get("beta_groups") or {}).keys())
    for name in listed:
        group = groups.get(name)
        if name in choice.groups or (group is not None and group.all_builds):
            continue
        change = Change(
            f"{address}.group[{name}]",
            Action.CREATE,
            BUILDS,
            planner.app,
            fields=(FieldChange("groups", None, name, source=source),),
            calls=(f"POST /v1/{BUILDS}/{{id}}/relationships/{GROUPS}",),
            after=(f"{planner.desired.address}.beta_group[{name}]",),
            source=source,
        )
        if group is None and name not in in_repo:
            note = f"no TestFlight group named {name!r} in App Store Connect or the repo"
            planner.lock(Change(**{**change.__dict__, "calls": (), "note": note}))
            continue
        planner.add(change)
    for name in sorted(set(choice.groups) - set(listed)):
        planner.add(
            Change(
                f"{address}.group[{name}]",
                Action.DELETE,
                BUILDS,
                planner.app,
                fields=(FieldChange("groups", name, None),),
                calls=(f"DELETE /v1/{BUILDS}/{{id}}/relationships/{GROUPS}",),
                source=source,
                note="not in the build's groups: its testers lose this build",
            )
        )


# -- applying --------------------------------------------------------------------------------


def _release_op(ctx: ApplyContext, state: BuildsState) -> Op:
    chosen = state.release.build if state.release else None
    build_id = need(chosen.id if chosen else None, "build")
    version_state = VERSION.state(ctx.live) or VersionState()
    version = Parent("appStoreVersions", version_state.version_id, version_address(ctx.desired), "")

    def run(client: ApiClient, ids: Ids) -> None:
        client.request(
            "PATCH",
            f"/v1/appStoreVersions/{version.id(ids)}/relationships/build",
            json={"data": {"type": BUILDS, "id": build_id}},
        )

    return Op(run)


def _compliance_op(change: Change, ctx: ApplyContext, state: BuildsState) -> Op:
    keys = address_keys(change.address)
    if "version" in keys:
        choice = state.release
    else:
        version, spec = keys["build"][:2]
        choice = state.testflight.get(f"{version}/{spec}")
    build_id = need(choice.build.id if choice and choice.build else None, "build")
    answer = bool(ctx.desired.record.get(ENCRYPTION))
    return patch_op(BUILDS, build_id, {"usesNonExemptEncryption": answer})


def _membership_op(action: Action, build_id: str, group: Parent) -> Op:
    """Add the build to a group (POST) or take it out (DELETE, already out is done)."""

    def run(client: ApiClient, ids: Ids) -> None:
        path = f"/v1/{BUILDS}/{build_id}/relationships/{GROUPS}"
        body = {"data": [{"type": GROUPS, "id": group.id(ids)}]}
        if action is not Action.DELETE:
            add_members(client, path, body)
            return
        try:
            client.delete(path, body)
        except ApiError as error:
            if error.status != 404:
                raise

    return Op(run, deletes=BUILDS if action is Action.DELETE else None)


BUILDS_KIND = Builds()

__all__ = ["BUILDS_KIND", "NEWEST", "RELEASE_BUILD", "TESTFLIGHT_BUILD_FIELDS"]
