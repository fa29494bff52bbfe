"""The App Store version being prepared, and its App Review details: ``version.yml``.

The version is found by its version string (and the app's platform); a version that does
not exist yet is created (``POST /v1/appStoreVersions``). Its attributes and its review
details (``appStoreReviewDetails``: contact, demo account, notes) can change only while
the version is editable (:data:`~ascsync.rules.states.EDITABLE_VERSION_STATES`); in other
states they are listed as locked with the state.

It owns the :data:`VERSION_READ` (the version with what each kind includes: its
localizations, review details, phased release) and a count of the platform's versions:
Apple refuses what's-new text on an app's first version, which the locales plan around.

Addresses: ``app[x].version[<version>]`` and ``app[x].version[<version>].review``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascsync.api.jsonapi import Document
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value
from ascsync.desired.scaffold import NewApp, StarterFile
from ascsync.engine.compare import changed
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import Include, LiveApp, LiveContext, SharedRead, include_params, plain
from ascsync.engine.mapping import apple_changes, flat_fields, read_record
from ascsync.engine.ops import Ids, Op, Parent, create_op, find_child, find_related, need, patch_op
from ascsync.engine.plan import Action, Change
from ascsync.engine.planner import Planner
from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.fields import check_demo_account, contact, demo_account
from ascsync.problems import Problem, Severity
from ascsync.rules import products as pr
from ascsync.rules.states import EDITABLE_VERSION_STATES

_REVIEW = "appStoreReviewDetails"

VERSION_FIELDS = (
    Field(
        "version",
        FieldType.TEXT,
        'Quote it: "2.4.0".',
        "appStoreVersions.versionString",
        required=True,
        pattern=pr.VERSION_STRING,
        pattern_hint="1 to 3 dot-separated integers, e.g. 2.4.0",
    ),
    Field(
        "copyright",
        FieldType.TEXT,
        'Free text, e.g. "2026 Example Inc." or "2016-2026 Jane Doe".',
        "appStoreVersions.copyright",
        limit="copyright",
    ),
    Field(
        "release",
        FieldType.OBJECT,
        "",
        fields=(
            Field(
                "type",
                FieldType.ENUM,
                "",
                "appStoreVersions.releaseType",
                choices=pr.RELEASE_TYPES,
            ),
            Field(
                "earliest_date",
                FieldType.DATE,
                "SCHEDULED only; ISO-8601.",
                "appStoreVersions.earliestReleaseDate",
                nullable=True,
            ),
        ),
    ),
    Field(
        "review",
        FieldType.OBJECT,
        "Information for App Review.",
        fields=(
            contact(_REVIEW, "contact"),
            demo_account(_REVIEW, "demoAccount"),
            Field(
                "notes",
                FieldType.TEXT,
                "",
                f"{_REVIEW}.notes",
                nullable=True,
                limit="review_notes",
            ),
        ),
    ),
)

VERSION_FILE = FileKind(
    "version",
    "apps/<app>/version.yml",
    "The App Store version being prepared and its review details.",
    VERSION_FIELDS,
)

_VERSION_ATTRIBUTES = [
    "platform",
    "versionString",
    "appVersionState",
    "copyright",
    "releaseType",
    "earliestReleaseDate",
    "createdDate",
]


def version_string(app: App) -> str | None:
    """The version the repo prepares (``version.yml``'s ``version``)."""
    record = VERSION.desired(app)
    return record.get("version") if record is not None else None


def version_address(app: App) -> str:
    """``app[x].version[2.4.0]``, the parent of localizations and screenshots."""
    return f"{app.address}.version[{version_string(app)}]"


def _fetch_versions(ctx: LiveContext, includes: tuple[Include, ...]) -> Document | None:
    wanted = version_string(ctx.desired)
    if wanted is None:
        return None
    params = include_params(includes)
    params["fields[appStoreVersions]"] = [*_VERSION_ATTRIBUTES, *params["include"]]
    params["filter[versionString]"] = wanted
    platform = ctx.desired.record.get("platform")
    if platform:
        params["filter[platform]"] = platform
    return ctx.client.get(f"/v1/apps/{ctx.live.app_id}/appStoreVersions", params)


VERSION_READ = SharedRead("appStoreVersions", _fetch_versions)
"""``GET /v1/apps/{id}/appStoreVersions`` filtered to the repo's version string."""


def matching_version(doc: Document | None, app: App) -> dict[str, Any] | None:
    """The version resource of ``doc`` whose version string is the repo's."""
    wanted = version_string(app)
    resources = doc.resources() if doc is not None else []
    return next((v for v in resources if v["attributes"].get("versionString") == wanted), None)


@dataclass
class VersionState:
    """The live version's ids and state."""

    version_id: str | None = None
    version_state: str | None = None
    is_first_version: bool = False
    review_detail_id: str | None = None

    @property
    def editable(self) -> bool:
        return self.version_id is None or self.version_state in EDITABLE_VERSION_STATES

    @property
    def locked_by(self) -> str | None:
        """The state that locks the version's text and media, or None when editable."""
        return None if self.editable else self.version_state


class Version(ResourceKind[Record, VersionState]):
    name = "version"
    per_platform = True
    files = (VERSION_FILE,)
    layout = (
        "apps/<app>/version.yml",
        "apps/<app>/platforms/<PLATFORM>/version.yml, locales/, screenshots/, previews/"
        "   (another platform of the app)",
    )
    includes = (Include(VERSION_READ, "appStoreReviewDetail"),)
    compiles = ("appStoreVersions", "appStoreReviewDetails")

    def load(self, loader: RepoLoader, app: App) -> None:
        record = loader.read_file(app.folder / "version.yml", loader.files["version"])
        if record is not None:
            app.parts[self.name] = record
        loader.context["version"] = version_string(app)

    def check(self, app: App) -> list[Problem]:
        record = self.desired(app)
        return check_version(record) if record is not None else []

    def starter_files(self, app: NewApp) -> list[StarterFile]:
        content = """\
version: "1.0.0"              # quote it, or YAML reads 1.0 as a number
copyright: "2026 Example Inc."
release:
  type: MANUAL
review:
  contact:
    first_name: Jane
    last_name: Appleseed
    phone: "+1 408 555 0100"
    email: appreview@example.com
  demo_account:
    required: false
    # password: !env DEMO_PASSWORD   # secrets come from the environment, never the repo
"""
        return [StarterFile(f"apps/{app.folder}/version.yml", "version", content)]

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> VersionState | None:
        if version_string(ctx.desired) is None:
            return None
        doc = ctx.shared(VERSION_READ)
        count = _count_versions(ctx)
        match = matching_version(doc, ctx.desired)
        # whatsNew is refused on an app's first version: the one we edit is the only one, or
        # the one we would create is the very first.
        state = VersionState(is_first_version=count <= 1 if match else count == 0)
        if match is None or doc is None:
            return state
        attributes = match["attributes"]
        state.version_id = match["id"]
        state.version_state = attributes.get("appVersionState")
        review = doc.related_one(match, "appStoreReviewDetail")
        state.review_detail_id = review["id"] if review else None
        ctx.live.model.parts[self.name] = read_record(
            VERSION_FIELDS,
            {"appStoreVersions": attributes, _REVIEW: (review or {}).get("attributes")},
        )
        if attributes.get("platform"):
            ctx.live.model.record.attrs["platform"] = Value(attributes["platform"], LIVE)
        return state

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or VersionState()
        return {
            "ids": [state.version_id, state.review_detail_id],
            "state": state.version_state,
            "first": state.is_first_version,
            "version": plain(self.desired(live.model)),
        }

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        chosen = _choose_version(discovery)
        discovery.found[self.name] = chosen
        if chosen is None:
            return
        attributes = chosen["attributes"]
        skeleton.parts[self.name] = Record(
            LIVE, {"version": Value(attributes.get("versionString"), LIVE)}
        )
        if attributes.get("platform"):
            skeleton.record.attrs["platform"] = Value(attributes["platform"], LIVE)

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        desired = self.desired(planner.desired)
        if desired is None:
            return
        state = self.state(planner.live) or VersionState()
        address = version_address(planner.desired)
        live = self.desired(planner.live.model) or Record(desired.source)
        own = [key for key, _ in flat_fields(VERSION_FIELDS) if key != "version"]
        version_keys = [k for k in own if not k.startswith("review.")]
        review_keys = [k for k in own if k.startswith("review.")]
        if state.version_id is None:
            keys = ["version", *changed(desired.attrs, live.attrs, version_keys)]
            planner.add(
                Change(
                    address,
                    Action.CREATE,
                    "appStoreVersions",
                    planner.app,
                    fields=planner.field_changes(desired.attrs, live.attrs, keys, desired),
                    calls=("POST /v1/appStoreVersions",),
                    source=planner.source(desired, "version"),
                )
            )
        else:
            planner.update(
                address,
                "appStoreVersions",
                desired.attrs,
                live.attrs,
                desired,
                version_keys,
                "PATCH /v1/appStoreVersions/{id}",
                locked_by=state.locked_by,
            )
        exists = state.review_detail_id is not None
        planner.update(
            f"{address}.review",
            _REVIEW,
            desired.attrs,
            live.attrs,
            desired,
            review_keys,
            "PATCH /v1/appStoreReviewDetails/{id}" if exists else "POST /v1/appStoreReviewDetails",
            after=(address,),
            locked_by=state.locked_by,
            action=Action.UPDATE if exists else Action.CREATE,
        )

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        desired = self.desired(ctx.desired)
        if desired is None:
            raise AscsyncError(f"{change.address}: the repo no longer has version.yml")
        state = self.state(ctx.live) or VersionState()
        address = version_address(ctx.desired)
        fields = [f.name for f in change.fields if f.name != "version"]
        attributes = apple_changes(VERSION_FIELDS, fields, desired).get(change.resource, {})
        if change.resource == _REVIEW:
            if change.action is Action.CREATE:
                version = Parent("appStoreVersions", state.version_id, address, "")
                return create_op(
                    f"/v1/{_REVIEW}",
                    _REVIEW,
                    attributes,
                    {"appStoreVersion": version},
                    change.address,
                    find=lambda client, parent_ids: find_related(
                        client,
                        f"/v1/appStoreVersions/{parent_ids['appStoreVersion']}/appStoreReviewDetail",
                    ),
                )
            return patch_op(_REVIEW, need(state.review_detail_id, "review detail"), attributes)
        if change.action is Action.CREATE:
            attributes = {
                "platform": ctx.desired.record.get("platform"),
                "versionString": version_string(ctx.desired),
                **attributes,
            }
            app = Parent("apps", ctx.live.app_id, ctx.desired.address, "/v1/apps")
            wanted = str(attributes["versionString"])
            platform = str(attributes["platform"])
            return create_op(
                "/v1/appStoreVersions",
                "appStoreVersions",
                attributes,
                {"app": app},
                address,
                find=lambda client, parent_ids: find_child(
                    client,
                    f"/v1/apps/{parent_ids['app']}/appStoreVersions",
                    "appStoreVersions",
                    "versionString",
                    wanted,
                    {"versionString": wanted, "platform": platform},
                ),
            )
        return patch_op("appStoreVersions", need(state.version_id, "version"), attributes)

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        state = self.state(live)
        if state is not None and state.version_id:
            ids.set(version_address(desired), state.version_id)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        record = self.desired(live)
        if record is None:
            return
        mine = self.desired(desired) if desired else None
        writer.write_record(folder / "version.yml", record, writer.fields("version"), mine)


def _count_versions(ctx: LiveContext) -> int:
    """How many versions the platform has (0, 1 or 2+), to apply the first-version rule."""
    params: dict[str, Any] = {"fields[appStoreVersions]": ["versionString"], "limit": 2}
    platform = ctx.desired.record.get("platform")
    if platform:
        params["filter[platform]"] = platform
    doc = ctx.client.get(f"/v1/apps/{ctx.live.app_id}/appStoreVersions", params)
    return len(doc.resources())


def _choose_version(discovery: Discovery) -> dict[str, Any] | None:
    """``pull --version``, else the editable version, else the newest."""
    doc = discovery.client.get_all(
        f"/v1/apps/{discovery.app_id}/appStoreVersions",
        {
            "fields[appStoreVersions]": [
                "platform",
                "versionString",
                "appVersionState",
                "createdDate",
            ]
        },
    )
    versions = doc.resources()
    wanted = discovery.version
    if wanted is not None:
        match = [v for v in versions if v["attributes"].get("versionString") == wanted]
        if not match:
            known = ", ".join(sorted({v["attributes"].get("versionString") for v in versions}))
            raise AscsyncError(
                f"--version: no version {wanted} in App Store Connect (known: {known or 'none'})"
            )
        return match[0]
    editable = [
        v for v in versions if v["attributes"].get("appVersionState") in EDITABLE_VERSION_STATES
    ]
    pool = editable or versions
    if not pool:
        return None
    return max(pool, key=lambda v: v["attributes"].get("createdDate") or "")


def check_version(version: Record, *, today: dt.date | None = None) -> list[Problem]:
    """Release schedule coherence, copyright year, demo account completeness."""
    today = today or dt.date.today()
    problems = []
    release, date = version.get("release.type"), version.get("release.earliest_date")
    if release == "SCHEDULED" and not date:
        problems.append(
            version.where("release.type").problem(
                "release.earliest_date", "is required for a SCHEDULED release", "an ISO-8601 date"
            )
        )
    elif date and release is not None and release != "SCHEDULED":
        problems.append(
            version.where("release.earliest_date").problem(
                "release.earliest_date",
                f"is ignored for a {release} release",
                "set release.type: SCHEDULED or remove it",
                Severity.WARNING,
            )
        )
    problems += _check_copyright(version, today)
    problems += check_demo_account(version, "review.demo_account")
    return problems


def _check_copyright(version: Record, today: dt.date) -> list[Problem]:
    """Apple takes any text; a missing or future year is worth a warning, never an error."""
    text = version.get("copyright")
    if not isinstance(text, str) or not text.strip():
        return []
    where = version.where("copyright")
    years = [int(y) for y in pr.COPYRIGHT_YEAR.findall(text)]
    if not years:
        return [
            where.problem(
                "copyright",
                "has no year",
                'App Store copyrights usually start with one, e.g. "2026 Example Inc."',
                Severity.WARNING,
            )
        ]
    future = [y for y in years if y > today.year]
    if future:
        return [
            where.problem(
                "copyright",
                f"year {future[0]} is in the future",
                f"{today.year} or earlier",
                Severity.WARNING,
            )
        ]
    return []


VERSION = Version()

__all__ = [
    "VERSION",
    "VERSION_FIELDS",
    "VERSION_READ",
    "VersionState",
    "matching_version",
    "version_address",
    "version_string",
]
