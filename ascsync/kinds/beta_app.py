"""TestFlight test information and review details: ``testflight/beta-app.yml``.

The localizations (what testers should know, the feedback email, URLs) are a set: a live
locale without an entry is deleted. The TestFlight review contact, demo account and
notes are the app's ``betaAppReviewDetail``: one per app, which Apple creates with the
app ([U] observed: clients PATCH ``betaAppReviewDetails/{appId}``), so it is only ever
updated (``PATCH``), never created or deleted.

Reading: 1 request for the test information (when the file has localizations) and 1 for
the review details (when the file manages any of them), side by side.

Addresses: ``app[x].beta_app.locale[<code>]`` and ``app[x].beta_app.review``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import (
    LIVE,
    App,
    Field,
    FieldType,
    FileKind,
    Record,
    Value,
    sub_fields,
)
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext, one_or_none
from ascsync.engine.mapping import apple_changes, flat_fields, read_record
from ascsync.engine.ops import Op, Parent, localization_op, need, patch_op
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.engine.planner import Planner, plan_locales
from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.fields import check_demo_account, contact, demo_account
from ascsync.problems import Problem

LOCALIZATIONS = "betaAppLocalizations"
REVIEW = "betaAppReviewDetails"

BETA_APP_FIELDS = (
    Field(
        "localizations",
        FieldType.LOCALES,
        "Test information per locale.",
        fields=(
            Field(
                "description",
                FieldType.TEXT,
                "What testers should know.",
                f"{LOCALIZATIONS}.description",
                limit="beta_description",
            ),
            Field("feedback_email", FieldType.EMAIL, "", f"{LOCALIZATIONS}.feedbackEmail"),
            Field(
                "marketing_url", FieldType.URL, "", f"{LOCALIZATIONS}.marketingUrl", nullable=True
            ),
            Field(
                "privacy_policy_url",
                FieldType.URL,
                "",
                f"{LOCALIZATIONS}.privacyPolicyUrl",
                nullable=True,
            ),
        ),
    ),
    Field(
        "review_contact",
        FieldType.OBJECT,
        "TestFlight review contact (external testing needs one).",
        fields=contact(REVIEW, "contact").fields,
    ),
    demo_account(REVIEW, "demoAccount"),
    Field(
        "review_notes",
        FieldType.TEXT,
        "Notes for the TestFlight reviewer.",
        f"{REVIEW}.notes",
        nullable=True,
        limit="review_notes",
    ),
)

BETA_APP_FILE = FileKind(
    "beta-app",
    "apps/<app>/testflight/beta-app.yml",
    "TestFlight test information.",
    BETA_APP_FIELDS,
)

_LOCALE_FIELDS = sub_fields(BETA_APP_FIELDS, "localizations")
_TOP_FIELDS = tuple(f for f in BETA_APP_FIELDS if f.key != "localizations")
REVIEW_KEYS = tuple(key for key, _ in flat_fields(_TOP_FIELDS))
"""``review_contact.email``, ``demo_account.required``, ``review_notes``...: the keys of
the review details."""


@dataclass
class BetaAppState:
    """Ids of the live test information localizations (by locale) and review details."""

    localizations: dict[str, str] = field(default_factory=dict)
    review_detail_id: str | None = None
    review_read: bool = False
    """Whether the review details were asked for (the repo manages some of them)."""


class BetaApp(ResourceKind[Record, BetaAppState]):
    name = "beta_app"
    files = (BETA_APP_FILE,)
    compiles = (LOCALIZATIONS, REVIEW)
    deletes = (LOCALIZATIONS,)
    deletes_whole = deletes
    nouns = {"beta_app": "TestFlight test information", "review": "review details"}
    owners = ("beta_app",)

    def load(self, loader: RepoLoader, app: App) -> None:
        path = app.folder / "testflight" / "beta-app.yml"
        record = loader.read_file(path, loader.files["beta-app"])
        if record is not None:
            app.parts[self.name] = record

    def check(self, app: App) -> list[Problem]:
        record = self.desired(app)
        return check_demo_account(record, "demo_account") if record is not None else []

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> BetaAppState:
        """The test information localizations and the review details the repo manages."""
        desired = self.desired(ctx.desired)
        state = BetaAppState()
        if desired is None:
            return state
        app_id = ctx.live.app_id
        wants_locales = "localizations" in desired.maps
        state.review_read = any(key in desired.attrs for key in REVIEW_KEYS)
        locales_job = ctx.pool.submit(_read_locales, ctx, state) if wants_locales else None
        record = Record(LIVE)
        if state.review_read:
            review = one_or_none(
                ctx.client,
                f"/v1/apps/{app_id}/betaAppReviewDetail",
                {f"fields[{REVIEW}]": [_apple_name(k) for k in REVIEW_KEYS]},
            )
            if review is not None:
                state.review_detail_id = review["id"]
                record = read_record(_TOP_FIELDS, {REVIEW: review.get("attributes") or {}})
        if locales_job is not None:
            record.maps["localizations"] = locales_job.result()
        ctx.live.model.parts[self.name] = record
        return state

    def snapshot(self, live: LiveApp) -> Any:
        record = self.desired(live.model)
        state = self.state(live) or BetaAppState()
        return [
            record.to_plain() if record else None,
            sorted(state.localizations.items()),
            state.review_detail_id,
        ]

    def live_counts(self, live: LiveApp) -> Counter[str]:
        return Counter({LOCALIZATIONS: len((self.state(live) or BetaAppState()).localizations)})

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        # ``review_notes`` managed (as unknown) makes the read ask for the review details
        skeleton.parts[self.name] = Record(
            LIVE, {"review_notes": Value(None, LIVE)}, maps={"localizations": {}}
        )

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        wanted = self.desired(planner.desired)
        if wanted is None:
            return
        state = self.state(planner.live) or BetaAppState()
        live = self.desired(planner.live.model)
        address = f"{planner.desired.address}.beta_app"
        _plan_review(planner, address, wanted, live, state)
        plan_locales(
            planner,
            owner=address,
            wanted=wanted,
            live=live,
            map_key="localizations",
            live_ids=state.localizations,
            resource=LOCALIZATIONS,
            fields=_LOCALE_FIELDS,
        )

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        wanted = self.desired(ctx.desired)
        state = self.state(ctx.live) or BetaAppState()
        if change.resource == REVIEW:
            if wanted is None:
                raise AscsyncError(f"{change.address}: the repo no longer has beta-app.yml")
            keys = [f.name for f in change.fields]
            attributes = apple_changes(_TOP_FIELDS, keys, wanted).get(REVIEW, {})
            return patch_op(REVIEW, need(state.review_detail_id, "review details"), attributes)
        code = address_keys(change.address)["locale"][0]
        return localization_op(
            change,
            fields=_LOCALE_FIELDS,
            wanted=wanted.maps.get("localizations", {}).get(code) if wanted else None,
            prefix=f"localizations.{code}.",
            parent_relationship="app",
            parent=Parent("apps", ctx.live.app_id, ctx.desired.address, "/v1/apps"),
            live_id=state.localizations.get(code),
        )

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        record = self.desired(live)
        if record is None or not (record.attrs or record.maps):
            return
        mine = self.desired(desired) if desired else None
        if writer.managed_only and mine is None:
            return
        path = source_file(mine) or folder / "testflight" / "beta-app.yml"
        writer.write_record(path, record, writer.fields("beta-app"), mine)


def _read_locales(ctx: LiveContext, state: BetaAppState) -> dict[str, Record]:
    """The live test information by locale (keys as the loader writes them)."""
    doc = ctx.client.get_all(f"/v1/apps/{ctx.live.app_id}/{LOCALIZATIONS}")
    locales: dict[str, Record] = {}
    for item in doc.resources():
        attributes = item.get("attributes") or {}
        code = attributes.get("locale")
        if not code:
            continue
        state.localizations[code] = item["id"]
        flat = read_record(_LOCALE_FIELDS, {LOCALIZATIONS: attributes})
        locales[code] = Record(
            LIVE, {f"localizations.{code}.{k}": v for k, v in flat.attrs.items()}
        )
    return locales


def _apple_name(key: str) -> str:
    """The ``betaAppReviewDetails`` attribute of a review key (``contactEmail``)."""
    spec = dict(flat_fields(_TOP_FIELDS))[key]
    return (spec.apple or "").split(".", 1)[1]


def _plan_review(
    planner: Planner, address: str, wanted: Record, live: Record | None, state: BetaAppState
) -> None:
    """One PATCH of the review details that differ; none live is locked, with why."""
    have = live.attrs if live else {}
    keys = [k for k in REVIEW_KEYS if k in wanted.attrs]
    if not keys:
        return
    if state.review_detail_id is None:
        diff = [k for k in keys if wanted.attrs[k].value is not None]
        if diff:
            planner.lock(
                Change(
                    f"{address}.review",
                    Action.UPDATE,
                    REVIEW,
                    planner.app,
                    fields=planner.field_changes(wanted.attrs, {}, diff, wanted),
                    source=planner.source(wanted, diff[0]),
                    # [U] Apple creates them with the app; the API cannot create them
                    note="App Store Connect has no TestFlight review details for this app "
                    "yet (the API cannot create them); open TestFlight in the web UI once",
                )
            )
        return
    planner.update(
        f"{address}.review",
        REVIEW,
        wanted.attrs,
        have,
        wanted,
        keys,
        f"PATCH /v1/{REVIEW}/{{id}}",
    )


BETA_APP = BetaApp()

__all__ = ["BETA_APP", "BETA_APP_FIELDS"]
