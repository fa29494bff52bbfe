"""Product page optimization: ``product-page-tests/<test>/test.yml`` and its treatments.

A product page test (``appStoreVersionExperiments``, the V2 API under
``/v2/appStoreVersionExperiments``) shows up to three treatments of the product page to a
share of its visitors (``traffic_proportion``, a percentage). Each treatment
(``appStoreVersionExperimentTreatments``) is a folder beside ``test.yml`` with its
``treatment.yml`` (name, alternate app icon, locales) and its own screenshot and preview
sets per locale (``appStoreVersionExperimentTreatmentLocalizations`` hold them), which
follow the main page's rules (:mod:`ascsync.kinds.media_sets`).

The repo keys a test by its ``name`` and a treatment by its ``name``; inside a managed
test the treatments are a set (a live treatment without a folder is deleted), and so are
each treatment's locales. A test, once submitted, is frozen
(:data:`~ascsync.rules.product_pages.EXPERIMENT_EDITABLE_STATES`).

Starting and stopping: ``started: true`` starts an approved test (or one that needs no
review); ``started: false`` stops a running one, for good [U]. Either is its own change
in the plan, at ``app[x].experiment[<name>].run``, with a note saying what it does, so a
reviewer sees it apart from edits; a start that Apple would refuse (the test is not
approved yet, or has ended) is listed as locked with the reason.

Reading: 1 listing (the app's tests), then 1 per managed test (its treatments with
their locales), then 1 per treatment locale and media folder the repo manages.

Addresses: ``app[x].experiment[<name>]`` (``.run``, ``.treatment[<name>]``,
``.treatment[<name>].locale[<code>]``, ``...locale[<code>].screenshots[<TYPE>][<file>]``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value
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
    delete_op,
    find_child,
    need,
    patch_op,
)
from ascsync.engine.plan import Action, Change, FieldChange, address_keys
from ascsync.engine.planner import Planner, relative
from ascsync.io.media_download import MediaReport, RemoteImage, pull_images
from ascsync.io.repo_writer import RepoWriter, slug, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.custom_product_pages import bracket_free
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
from ascsync.rules import locales as loc
from ascsync.rules import product_pages as pp

RESOURCE = "appStoreVersionExperiments"
TREATMENTS = "appStoreVersionExperimentTreatments"
LOCALIZATIONS = "appStoreVersionExperimentTreatmentLocalizations"
FOLDER = "product-page-tests"
TEST_FILE_NAME = "test.yml"
TREATMENT_FILE_NAME = "treatment.yml"
OWNER = SetOwner(LOCALIZATIONS, "appStoreVersionExperimentTreatmentLocalization")

TEST_FIELDS = (
    Field(
        "name",
        FieldType.TEXT,
        "The test's name; its key here: a new name is a new test.",
        f"{RESOURCE}.name",
        required=True,
    ),
    Field(
        "traffic_proportion",
        FieldType.INT,
        "Percentage of the page's visitors who take part, shared by the treatments.",
        f"{RESOURCE}.trafficProportion",
        required=True,
        min=pp.TRAFFIC_PROPORTION[0],
        max=pp.TRAFFIC_PROPORTION[1],
    ),
    Field(
        "started",
        FieldType.BOOL,
        "true starts the approved test, false stops a running one for good; each is its "
        "own change in the plan.",
        f"{RESOURCE}.started",
    ),
)

TREATMENT_FIELDS = (
    Field(
        "name",
        FieldType.TEXT,
        "The treatment's name; its key within the test.",
        f"{TREATMENTS}.name",
        required=True,
    ),
    Field(
        "app_icon_name",
        FieldType.TEXT,
        "An alternate app icon of the build shown with this treatment.",
        f"{TREATMENTS}.appIconName",
        nullable=True,
    ),
    Field(
        "locales",
        FieldType.STRINGS,
        "Locales the treatment changes (absent: not managed); its media are in "
        "`screenshots|previews/<locale>/<TYPE>/` beside this file.",
        f"{LOCALIZATIONS}.locale",
    ),
)

TEST_FILE = FileKind(
    "product-page-test",
    f"apps/<app>/{FOLDER}/<test>/{TEST_FILE_NAME}",
    "One product page optimization test; each treatment is a folder beside it.",
    TEST_FIELDS,
)
TREATMENT_FILE = FileKind(
    "product-page-treatment",
    f"apps/<app>/{FOLDER}/<test>/<treatment>/{TREATMENT_FILE_NAME}",
    "One treatment of a product page test; its screenshots and previews are beside it.",
    TREATMENT_FIELDS,
)


@dataclass
class Treatment:
    record: Record
    folder: Path | None = None
    media: dict[str, LocaleMedia] = field(default_factory=dict)

    @property
    def locales(self) -> list[str]:
        return list(self.record.get("locales") or [])

    @property
    def manages_locales(self) -> bool:
        return "locales" in self.record.attrs


@dataclass
class Test:
    """A test as the repo has it (or as read live, in the same shape)."""

    record: Record
    folder: Path | None = None
    treatments: dict[str, Treatment] = field(default_factory=dict)
    pull_all: bool = False


Tests = dict[str, Test]


@dataclass
class LiveTreatment:
    id: str
    localizations: dict[str, str] = field(default_factory=dict)  # locale -> id
    media: dict[str, LiveLocaleMedia] = field(default_factory=dict)


@dataclass
class TestsState:
    """The live tests the repo manages, and whether a new one could be created."""

    tests: dict[str, LiveTest] = field(default_factory=dict)
    live_version: bool = True
    """Whether the app has a version on the App Store (read only when a test is new)."""


NO_LIVE_VERSION = "the app has no version on the App Store"
"""Why a new test is not created: it varies the live product page [A]."""


@dataclass
class LiveTest:
    id: str
    state: str | None = None
    review_required: bool | None = None
    treatments: dict[str, LiveTreatment] = field(default_factory=dict)  # by name

    @property
    def locked_by(self) -> str | None:
        state = self.state
        return state if state is not None and state not in pp.EXPERIMENT_EDITABLE_STATES else None


def test_address(app: App, name: str) -> str:
    return f"{app.address}.experiment[{name}]"


class ProductPageTests(ResourceKind[Tests, TestsState]):
    name = "product_page_tests"
    files = (TEST_FILE, TREATMENT_FILE)
    compiles = (RESOURCE, TREATMENTS, LOCALIZATIONS)
    deletes = (TREATMENTS, LOCALIZATIONS)
    deletes_whole = deletes
    nouns = {"experiment": "product page test", "treatment": "treatment", "run": "run"}
    owners = ("experiment", "treatment")
    not_pulled = (
        "product page tests that ended (COMPLETED or STOPPED)",
        "treatment previews (videos are not downloaded)",
    )

    def layout_extra(self) -> tuple[str, ...]:
        base = f"apps/<app>/{FOLDER}/<test>/<treatment>"
        return (
            f"{base}/screenshots/<locale>/<DISPLAY_TYPE>/*.png|jpg|jpeg",
            f"{base}/previews/<locale>/<PREVIEW_TYPE>/*.mov|mp4|m4v",
        )

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        base = app.folder / FOLDER
        if not base.is_dir() or not loader.inside_repo(base, Source(base), FOLDER):
            return
        tests: Tests = {}
        records: dict[str, Record] = {}
        for folder in _folders(loader, base, f"{FOLDER}/<test>/{TEST_FILE_NAME}"):
            record = loader.read_file(
                folder / TEST_FILE_NAME, loader.files[TEST_FILE.name], required=True
            )
            name = record.get("name") if record else None
            if record is None or not isinstance(name, str):
                continue
            loader.add_unique(records, name, record, "name")
            if records[name] is record:
                tests[name] = Test(record, folder, _load_treatments(loader, folder))
        if tests:
            app.parts[self.name] = tests

    def check(self, app: App) -> list[Problem]:
        problems: list[Problem] = []
        for name, test in (self.desired(app) or {}).items():
            problems += bracket_free(test.record, "name", name)
            if len(test.treatments) > pp.MAX_TREATMENTS:
                problems.append(
                    test.record.source.problem(
                        "treatments",
                        f"the test has {len(test.treatments)} treatments",
                        f"at most {pp.MAX_TREATMENTS} [A]",
                    )
                )
            if not test.treatments:
                problems.append(
                    test.record.source.problem(
                        "treatments",
                        "the test has no treatment",
                        f"add a folder with a {TREATMENT_FILE_NAME} beside {TEST_FILE_NAME}",
                        Severity.WARNING,
                    )
                )
            for treatment_name, treatment in test.treatments.items():
                problems += bracket_free(treatment.record, "name", treatment_name)
                problems += _check_locales(treatment.record)
        return problems

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> TestsState:
        wanted = self.desired(ctx.desired) or {}
        if not wanted:
            return TestsState()
        doc = ctx.client.get_all(f"/v1/apps/{ctx.live.app_id}/{RESOURCE}V2")
        chosen: dict[str, dict[str, Any]] = {}
        for item in doc.resources():
            name = (item.get("attributes") or {}).get("name")
            if name in wanted and _prefer(item, chosen.get(name)):
                chosen[name] = item
        live: Tests = {}
        state: dict[str, LiveTest] = {}
        for name, item in chosen.items():
            attributes = item.get("attributes") or {}
            record = read_record(TEST_FIELDS, {RESOURCE: attributes})
            record.attrs["started"] = Value(_running(attributes), LIVE)
            live[name] = Test(record, wanted[name].folder)
            state[name] = LiveTest(
                item["id"], attributes.get("state"), attributes.get("reviewRequired")
            )
        names = list(state)
        docs = ctx.pool.map(
            lambda n: ctx.client.get_all(
                f"/v2/{RESOURCE}/{state[n].id}/{TREATMENTS}",
                {"include": [LOCALIZATIONS], f"limit[{LOCALIZATIONS}]": 50},
            ),
            names,
        )
        for name, treatments in zip(names, docs, strict=True):
            _read_treatments(treatments, wanted[name], live[name], state[name])
        _read_media(ctx, wanted, state)
        ctx.live.model.parts[self.name] = live
        new = [n for n in wanted if n not in state and not wanted[n].pull_all]
        return TestsState(state, _has_live_version(ctx) if new else True)

    def snapshot(self, live: LiveApp) -> Any:
        whole = self.state(live) or TestsState()
        state = whole.tests
        return {"live_version": whole.live_version, "tests": self._tests_snapshot(live, state)}

    def _tests_snapshot(self, live: LiveApp, state: dict[str, LiveTest]) -> Any:
        return {
            name: [
                plain(test.record),
                {t: plain(tr.record) for t, tr in sorted(test.treatments.items())},
                state[name].id,
                state[name].state,
                state[name].review_required,
                {
                    t: [
                        tr.id,
                        sorted(tr.localizations.items()),
                        {c: plain_media(m) for c, m in sorted(tr.media.items())},
                    ]
                    for t, tr in sorted(state[name].treatments.items())
                },
            ]
            for name, test in sorted((self.desired(live.model) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        counts: Counter[str] = Counter()
        for test in (self.state(live) or TestsState()).tests.values():
            counts[TREATMENTS] += len(test.treatments)
            for treatment in test.treatments.values():
                counts[LOCALIZATIONS] += len(treatment.localizations)
                for media in treatment.media.values():
                    counts.update(count_media(media))
        return counts

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        doc = discovery.client.get_all(
            f"/v1/apps/{discovery.app_id}/{RESOURCE}V2",
            {f"fields[{RESOURCE}]": ["name", "state"]},
        )
        tests: Tests = {}
        for item in doc.resources():
            attributes = item["attributes"]
            if attributes.get("state") in pp.EXPERIMENT_ENDED_STATES:
                continue  # history: pull leaves ended tests out
            name = attributes["name"]
            tests[name] = Test(Record(LIVE, {"name": Value(name, LIVE)}), pull_all=True)
        if tests:
            skeleton.parts[self.name] = tests

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        live = self.desired(planner.live.model) or {}
        state = self.state(planner.live) or TestsState()
        for name, test in (self.desired(planner.desired) or {}).items():
            ids = state.tests.get(name)
            blocked = None if ids or state.live_version else NO_LIVE_VERSION
            _plan_test(planner, name, test, live.get(name), ids, self.name, blocked)

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        keys = address_keys(change.address)
        name = keys["experiment"][0]
        address = test_address(ctx.desired, name)
        test = (self.desired(ctx.desired) or {})[name]
        ids = (self.state(ctx.live) or TestsState()).tests.get(name)
        parent = Parent(RESOURCE, ids.id if ids else None, address, f"/v2/{RESOURCE}")
        if "treatment" in keys:
            return self._compile_treatment(change, ctx, keys, test, ids, parent)
        if "run" in keys:
            started = bool(test.record.get("started"))
            return Op(
                lambda client, run_ids: patch_op(
                    RESOURCE, parent.id(run_ids), {"started": started}, version="v2"
                ).run(client, run_ids)
            )
        attributes = attributes_for(TEST_FIELDS, change, test.record, "", RESOURCE)
        if change.action is Action.UPDATE:
            return patch_op(RESOURCE, need(parent.live_id, name), attributes, version="v2")
        platform = ctx.desired.record.get("platform") or "IOS"
        app = Parent("apps", ctx.live.app_id, ctx.desired.address, "/v1/apps")
        return create_op(
            f"/v2/{RESOURCE}",
            RESOURCE,
            {**attributes, "platform": platform},
            {"app": app},
            address,
            find=lambda client, parent_ids: find_child(
                client, f"/v1/apps/{parent_ids['app']}/{RESOURCE}V2", RESOURCE, "name", name
            ),
        )

    def _compile_treatment(
        self,
        change: Change,
        ctx: ApplyContext,
        keys: dict[str, list[str]],
        test: Test,
        ids: LiveTest | None,
        parent: Parent,
    ) -> Op:
        treatment_name = keys["treatment"][0]
        address = f"{parent.address}.treatment[{treatment_name}]"
        wanted = test.treatments.get(treatment_name)
        live = ids.treatments.get(treatment_name) if ids else None
        owner = Parent(TREATMENTS, live.id if live else None, address, f"/v1/{TREATMENTS}")
        if change.kind == self.name:
            code = change.locale or ""
            return compile_media(
                change,
                ctx,
                CompilePlace(
                    OWNER,
                    f"{address}.locale[{code}]",
                    live.localizations.get(code) if live else None,
                    wanted.media.get(code) if wanted else None,
                    live.media.get(code, LiveLocaleMedia()) if live else LiveLocaleMedia(),
                ),
            )
        if change.resource == LOCALIZATIONS:
            code = change.locale or ""
            if change.action is Action.DELETE:
                return delete_op(
                    LOCALIZATIONS, need(live.localizations.get(code) if live else None, code)
                )
            return create_op(
                f"/v1/{LOCALIZATIONS}",
                LOCALIZATIONS,
                {"locale": code},
                {"appStoreVersionExperimentTreatment": owner},
                change.address,
                find=lambda client, parent_ids: find_child(
                    client,
                    f"/v1/{TREATMENTS}/{parent_ids['appStoreVersionExperimentTreatment']}/{LOCALIZATIONS}",
                    LOCALIZATIONS,
                    "locale",
                    code,
                ),
            )
        if change.action is Action.DELETE:
            return delete_op(TREATMENTS, need(owner.live_id, treatment_name))
        if wanted is None:
            raise KeyError(treatment_name)
        attributes = attributes_for(TREATMENT_FIELDS, change, wanted.record, "", TREATMENTS)
        if change.action is Action.UPDATE:
            return patch_op(TREATMENTS, need(owner.live_id, treatment_name), attributes)
        return create_op(
            f"/v1/{TREATMENTS}",
            TREATMENTS,
            attributes,
            {"appStoreVersionExperimentV2": parent},
            address,
            find=lambda client, parent_ids: find_child(
                client,
                f"/v2/{RESOURCE}/{parent_ids['appStoreVersionExperimentV2']}/{TREATMENTS}",
                TREATMENTS,
                "name",
                treatment_name,
            ),
        )

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        for name, test in (self.state(live) or TestsState()).tests.items():
            address = test_address(desired, name)
            ids.set(address, test.id)
            for treatment_name, treatment in test.treatments.items():
                at = f"{address}.treatment[{treatment_name}]"
                ids.set(at, treatment.id)
                for code, localization_id in treatment.localizations.items():
                    ids.set(f"{at}.locale[{code}]", localization_id)
                for code, media in treatment.media.items():
                    seed_set_ids(ids, f"{at}.locale[{code}]", media)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        mine = (self.desired(desired) if desired else None) or {}
        for name, test in sorted((self.desired(live) or {}).items()):
            wanted = mine.get(name)
            if writer.managed_only and wanted is None:
                continue
            test_folder = _test_folder(folder, wanted or test, name)
            writer.write_record(
                source_file(wanted.record if wanted else None) or test_folder / TEST_FILE_NAME,
                test.record,
                writer.fields(TEST_FILE.name),
                wanted.record if wanted else None,
            )
            for treatment_name, treatment in sorted(test.treatments.items()):
                mine_treatment = wanted.treatments.get(treatment_name) if wanted else None
                if writer.managed_only and mine_treatment is None:
                    continue
                path = source_file(mine_treatment.record if mine_treatment else None) or (
                    test_folder / slug(treatment_name) / TREATMENT_FILE_NAME
                )
                writer.write_record(
                    path,
                    treatment.record,
                    writer.fields(TREATMENT_FILE.name),
                    mine_treatment.record if mine_treatment else None,
                )

    def not_live(self, live: App, desired: App) -> list[Path]:
        have = self.desired(live) or {}
        out = []
        for name, test in (self.desired(desired) or {}).items():
            live_test = have.get(name)
            for treatment_name, treatment in test.treatments.items():
                gone = live_test is None or treatment_name not in live_test.treatments
                if gone and (path := source_file(treatment.record)) is not None:
                    out.append(path)
            if live_test is None and (path := source_file(test.record)) is not None:
                out.append(path)
        return out

    def pull_files(self, live: LiveApp, folder: Path) -> MediaReport | None:
        tests = self.desired(live.model) or {}
        sets: list[tuple[Path, list[RemoteImage]]] = []
        report = MediaReport()
        for name, test_state in sorted((self.state(live) or TestsState()).tests.items()):
            test_folder = _test_folder(folder, tests.get(name), name)
            for treatment_name, treatment in sorted(test_state.treatments.items()):
                base = test_folder / slug(treatment_name)
                known = tests[name].treatments.get(treatment_name) if name in tests else None
                if known is not None and known.folder is not None:
                    base = known.folder
                for code, media in sorted(treatment.media.items()):
                    found, notes = pull_sets(
                        base, code, media, f"{FOLDER}/{base.parent.name}/{base.name}"
                    )
                    sets += found
                    report.problems += notes
        if not sets and not report.problems:
            return None
        return pull_images(sets, folder.parent.parent, report)


# -- loading -------------------------------------------------------------------------------


def _folders(loader: RepoLoader, base: Path, expected: str) -> list[Path]:
    """The sub-folders of ``base``; a file there is ignored with a warning."""
    out = []
    for path in sorted(base.iterdir()):
        if path.name.startswith(".") or path.name in (TEST_FILE_NAME, TREATMENT_FILE_NAME):
            continue
        if not path.is_dir():
            loader.report(path, None, FOLDER, "is ignored here", expected, Severity.WARNING)
        elif loader.inside_repo(path, Source(path), FOLDER):
            out.append(path)
    return out


def _load_treatments(loader: RepoLoader, test_folder: Path) -> dict[str, Treatment]:
    treatments: dict[str, Treatment] = {}
    records: dict[str, Record] = {}
    expected = f"{FOLDER}/{test_folder.name}/<treatment>/{TREATMENT_FILE_NAME}"
    for folder in _folders(loader, test_folder, expected):
        record = loader.read_file(
            folder / TREATMENT_FILE_NAME, loader.files[TREATMENT_FILE.name], required=True
        )
        name = record.get("name") if record else None
        if record is None or not isinstance(name, str):
            continue
        loader.add_unique(records, name, record, "name")
        if records[name] is record:
            locales = set(record.get("locales") or [])
            where = f"{test_folder.name}/{folder.name}/{TREATMENT_FILE_NAME}"
            treatments[name] = Treatment(record, folder, load_media(loader, folder, locales, where))
    return treatments


def _check_locales(record: Record) -> list[Problem]:
    locales = record.get("locales") or []
    where = record.where("locales")
    problems = [
        where.problem("locales", f"{code!r} is not an App Store locale", loc.suggest_locale(code))
        for code in locales
        if not loc.is_locale(code)
    ]
    duplicates = sorted({c for c in locales if locales.count(c) > 1})
    problems += [
        where.problem("locales", f"{c} is listed twice", "list it once") for c in duplicates
    ]
    if "locales" in record.attrs and not locales:
        problems.append(
            where.problem(
                "locales",
                "lists no locale: the treatment changes nothing",
                "e.g. [en-US]",
                Severity.WARNING,
            )
        )
    return problems


# -- reading -------------------------------------------------------------------------------


def _running(attributes: dict[str, Any]) -> bool:
    """[U] A test runs from its start until it is stopped or completes."""
    return bool(attributes.get("startDate")) and attributes.get("state") not in (
        pp.EXPERIMENT_ENDED_STATES
    )


def _prefer(item: dict[str, Any], other: dict[str, Any] | None) -> bool:
    """Of two tests with one name, the one that has not ended (else the later one)."""
    if other is None:
        return True
    ended = (item.get("attributes") or {}).get("state") in pp.EXPERIMENT_ENDED_STATES
    other_ended = (other.get("attributes") or {}).get("state") in pp.EXPERIMENT_ENDED_STATES
    return other_ended or not ended


def _read_treatments(doc: Any, wanted: Test, live: Test, state: LiveTest) -> None:
    for item in doc.resources():
        attributes = item.get("attributes") or {}
        name = attributes.get("name") or item["id"]
        ids = state.treatments[name] = LiveTreatment(item["id"])
        for localization in doc.related(item, LOCALIZATIONS):
            code = (localization.get("attributes") or {}).get("locale")
            if code:
                ids.localizations[code] = localization["id"]
        record = read_record(TREATMENT_FIELDS, {TREATMENTS: attributes})
        record.attrs["locales"] = Value(sorted(ids.localizations), LIVE)
        known = wanted.treatments.get(name)
        live.treatments[name] = Treatment(record, known.folder if known else None)


def _read_media(ctx: LiveContext, wanted: Tests, state: dict[str, LiveTest]) -> None:
    jobs: list[tuple[LiveTreatment, str, str]] = []
    for name, test in state.items():
        for treatment_name, treatment in test.treatments.items():
            known = wanted[name].treatments.get(treatment_name)
            for code in treatment.localizations:
                if wanted[name].pull_all:
                    folders = list(FOLDERS)
                elif known is not None:
                    folders = wanted_folders(known.media.get(code))
                else:
                    folders = []
                jobs += [(treatment, code, folder) for folder in folders]
    results = ctx.pool.map(
        lambda job: fetch_sets(ctx.client, OWNER, job[0].localizations[job[1]], job[2]), jobs
    )
    for (treatment, code, folder), sets in zip(jobs, results, strict=True):
        treatment.media.setdefault(code, LiveLocaleMedia()).sets(folder).update(sets)


def _test_folder(folder: Path, test: Test | None, name: str) -> Path:
    if test is not None and test.folder is not None:
        return test.folder
    return folder / FOLDER / slug(name)


def _has_live_version(ctx: LiveContext) -> bool:
    """Whether the app has a version on the App Store on its platform (one request)."""
    params = {
        "filter[appVersionState]": "READY_FOR_DISTRIBUTION",
        "fields[appStoreVersions]": ["versionString"],
        "limit": 1,
    }
    platform = ctx.desired.record.get("platform")
    if platform:
        params["filter[platform]"] = platform
    doc = ctx.client.get(f"/v1/apps/{ctx.live.app_id}/appStoreVersions", params)
    return bool(doc.resources())


# -- planning ------------------------------------------------------------------------------


def _plan_test(
    planner: Planner,
    name: str,
    test: Test,
    live: Test | None,
    ids: LiveTest | None,
    kind: str,
    blocked: str | None = None,
) -> None:
    """``blocked``: why a new test cannot be created yet (it and its parts are locked)."""
    address = test_address(planner.desired, name)
    want, have = relative(test.record), relative(live.record) if live else {}
    locked = ids.locked_by if ids else blocked
    if ids is None:
        keys = [k for k in ("name", "traffic_proportion") if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                RESOURCE,
                planner.app,
                fields=planner.field_changes(want, {}, keys, test.record),
                calls=(f"POST /v2/{RESOURCE}",),
                source=planner.source(test.record, "name"),
                note=f"platform {planner.desired.record.get('platform') or 'IOS'} (app.yml)",
            ),
            locked_by=blocked,
        )
        have = {"started": Value(False, LIVE)}
    else:
        planner.update(
            address,
            RESOURCE,
            want,
            have,
            test.record,
            ("traffic_proportion",),
            f"PATCH /v2/{RESOURCE}/{{id}}",
            locked_by=locked,
        )
    _plan_run(planner, address, test, want, have, ids)
    live_treatments = live.treatments if live else {}
    for treatment_name, treatment in test.treatments.items():
        _plan_treatment(
            planner,
            f"{address}.treatment[{treatment_name}]",
            address,
            treatment,
            live_treatments.get(treatment_name),
            ids.treatments.get(treatment_name) if ids else None,
            locked,
            kind,
        )
    for treatment_name in sorted(set(ids.treatments if ids else {}) - set(test.treatments)):
        planner.add(
            Change(
                f"{address}.treatment[{treatment_name}]",
                Action.DELETE,
                TREATMENTS,
                planner.app,
                calls=(f"DELETE /v1/{TREATMENTS}/{{id}}",),
                source=planner.source(test.record),
                note="no treatment folder with this name (its locales and media go with it)",
            ),
            locked_by=locked,
        )


def _plan_run(
    planner: Planner,
    address: str,
    test: Test,
    want: dict[str, Value],
    have: dict[str, Value],
    ids: LiveTest | None,
) -> None:
    """Starting or stopping: a change of its own, or locked with the reason."""
    if not changed(want, have, ["started"]):
        return
    start = bool(want["started"].value)
    state = ids.state if ids else None
    share = test.record.get("traffic_proportion")
    note = (
        f"STARTS the test: {share} % of the page's visitors see its treatments"
        if start
        else "STOPS the test for good: a stopped test cannot run again [U]"
    )
    change = Change(
        f"{address}.run",
        Action.UPDATE,
        RESOURCE,
        planner.app,
        fields=planner.field_changes(want, have, ["started"], test.record),
        calls=(f"PATCH /v2/{RESOURCE}/{{id}}",),
        after=(address,),
        source=planner.source(test.record, "started"),
        note=note,
    )
    why = None
    if start and state in pp.EXPERIMENT_ENDED_STATES:
        why = f"the test is {state}: it cannot run again; give a new test another name [U]"
    elif start and not _may_start(ids):
        why = (
            f"the test must be approved by Apple before it starts (state {state or 'new'}); "
            "submit it for review in App Store Connect, then plan again"
        )
    if why is not None:
        planner.lock(Change(**{**change.__dict__, "note": why}))
        return
    planner.add(change)


def _may_start(ids: LiveTest | None) -> bool:
    if ids is None:
        return False
    if ids.state in pp.EXPERIMENT_STARTABLE_STATES:
        return True
    no_review = ids.review_required is False
    return no_review and ids.state in ("PREPARE_FOR_SUBMISSION", "READY_FOR_REVIEW")  # [U]


def _plan_treatment(
    planner: Planner,
    address: str,
    test_address_: str,
    treatment: Treatment,
    live: Treatment | None,
    ids: LiveTreatment | None,
    locked: str | None,
    kind: str,
) -> None:
    want, have = relative(treatment.record), relative(live.record) if live else {}
    if ids is None:
        keys = [k for k in ("name", "app_icon_name") if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                TREATMENTS,
                planner.app,
                fields=planner.field_changes(want, {}, keys, treatment.record),
                calls=(f"POST /v1/{TREATMENTS}",),
                after=(test_address_,),
                source=planner.source(treatment.record, "name"),
            ),
            locked_by=locked,
        )
    else:
        planner.update(
            address,
            TREATMENTS,
            want,
            have,
            treatment.record,
            ("app_icon_name",),
            f"PATCH /v1/{TREATMENTS}/{{id}}",
            locked_by=locked,
        )
    if not treatment.manages_locales:
        return
    live_codes = set(ids.localizations) if ids else set()
    for code in treatment.locales:
        if code not in live_codes:
            planner.add(
                Change(
                    f"{address}.locale[{code}]",
                    Action.CREATE,
                    LOCALIZATIONS,
                    planner.app,
                    code,
                    fields=(FieldChange("locale", None, code),),
                    calls=(f"POST /v1/{LOCALIZATIONS}",),
                    after=(address,),
                    source=planner.source(treatment.record, "locales"),
                ),
                locked_by=locked,
            )
        place = PlanPlace(f"{address}.locale[{code}]", code, locked, kind)
        plan_media(planner, place, treatment.media.get(code), ids.media.get(code) if ids else None)
    for code in sorted(live_codes - set(treatment.locales)):
        planner.add(
            Change(
                f"{address}.locale[{code}]",
                Action.DELETE,
                LOCALIZATIONS,
                planner.app,
                code,
                calls=(f"DELETE /v1/{LOCALIZATIONS}/{{id}}",),
                source=planner.source(treatment.record, "locales"),
                note="locale not in the treatment's locales (its media go with it)",
            ),
            locked_by=locked,
        )


PRODUCT_PAGE_TESTS = ProductPageTests()

__all__ = [
    "PRODUCT_PAGE_TESTS",
    "TEST_FIELDS",
    "TREATMENT_FIELDS",
    "LiveTest",
    "Test",
    "TestsState",
    "Treatment",
    "test_address",
]
