"""TestFlight test information and review details: ``testflight/beta-app.yml``.

The localizations (what testers should know, the feedback email, URLs) are a set: a live
locale without an entry is deleted. The TestFlight review contact and demo account
(``betaAppReviewDetails``) are not applied by this version: they are listed as not yet
supported, never dropped silently.

Reading: 1 request for the test information (when the file has localizations).

Address: ``app[x].beta_app.locale[<code>]``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, sub_fields
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext
from ascsync.engine.mapping import read_record
from ascsync.engine.ops import Op, Parent, localization_op
from ascsync.engine.plan import Change, address_keys
from ascsync.engine.planner import Planner, plan_locales
from ascsync.io.repo_writer import RepoWriter, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.fields import check_demo_account, contact, demo_account
from ascsync.problems import Problem

LOCALIZATIONS = "betaAppLocalizations"

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
        "TestFlight review contact.",
        fields=contact("betaAppReviewDetails", "contact").fields,
    ),
    demo_account("betaAppReviewDetails", "demoAccount"),
)

BETA_APP_FILE = FileKind(
    "beta-app",
    "apps/<app>/testflight/beta-app.yml",
    "TestFlight test information.",
    BETA_APP_FIELDS,
)

_LOCALE_FIELDS = sub_fields(BETA_APP_FIELDS, "localizations")


class BetaApp(ResourceKind[Record, dict[str, str]]):
    name = "beta_app"
    files = (BETA_APP_FILE,)
    compiles = (LOCALIZATIONS,)
    deletes = (LOCALIZATIONS,)
    deletes_whole = deletes
    nouns = {"beta_app": "TestFlight test information"}
    owners = ("beta_app",)
    not_pulled = (
        "TestFlight review contact and demo account (not read by this version of ascsync)",
    )

    def load(self, loader: RepoLoader, app: App) -> None:
        path = app.folder / "testflight" / "beta-app.yml"
        record = loader.read_file(path, loader.files["beta-app"])
        if record is not None:
            app.parts[self.name] = record

    def check(self, app: App) -> list[Problem]:
        record = self.desired(app)
        return check_demo_account(record, "demo_account") if record is not None else []

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> dict[str, str]:
        """Locale -> id of the live test information localizations."""
        desired = self.desired(ctx.desired)
        ids: dict[str, str] = {}
        if desired is None or "localizations" not in desired.maps:
            return ids
        doc = ctx.client.get_all(f"/v1/apps/{ctx.live.app_id}/{LOCALIZATIONS}")
        locales: dict[str, Record] = {}
        for item in doc.resources():
            attributes = item.get("attributes") or {}
            code = attributes.get("locale")
            if not code:
                continue
            ids[code] = item["id"]
            flat = read_record(_LOCALE_FIELDS, {LOCALIZATIONS: attributes})
            locales[code] = Record(
                LIVE, {f"localizations.{code}.{k}": v for k, v in flat.attrs.items()}
            )
        ctx.live.model.parts[self.name] = Record(LIVE, maps={"localizations": locales})
        return ids

    def snapshot(self, live: LiveApp) -> Any:
        record = self.desired(live.model)
        return [
            record.to_plain() if record else None,
            sorted((self.state(live) or {}).items()),
        ]

    def live_counts(self, live: LiveApp) -> Counter[str]:
        return Counter({LOCALIZATIONS: len(self.state(live) or {})})

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        skeleton.parts[self.name] = Record(LIVE, maps={"localizations": {}})

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        wanted = self.desired(planner.desired)
        if wanted is None:
            return
        for key in wanted.attrs:  # review_contact.*, demo_account.*
            planner.unsupported(
                f"{planner.desired.address}: TestFlight {key} ({planner.source(wanted, key)})"
            )
        plan_locales(
            planner,
            owner=f"{planner.desired.address}.beta_app",
            wanted=wanted,
            live=self.desired(planner.live.model),
            map_key="localizations",
            live_ids=self.state(planner.live) or {},
            resource=LOCALIZATIONS,
            fields=_LOCALE_FIELDS,
        )

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        code = address_keys(change.address)["locale"][0]
        wanted = self.desired(ctx.desired)
        return localization_op(
            change,
            fields=_LOCALE_FIELDS,
            wanted=wanted.maps.get("localizations", {}).get(code) if wanted else None,
            prefix=f"localizations.{code}.",
            parent_relationship="app",
            parent=Parent("apps", ctx.live.app_id, ctx.desired.address, "/v1/apps"),
            live_id=(self.state(ctx.live) or {}).get(code),
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


BETA_APP = BetaApp()

__all__ = ["BETA_APP", "BETA_APP_FIELDS"]
