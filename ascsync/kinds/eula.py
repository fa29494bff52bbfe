"""A custom license agreement: ``eula.yml``.

Without one, App Store Connect shows Apple's standard EULA. A custom EULA
(``endUserLicenseAgreements``, one per app [S: a to-one of the app]) has its text and
the territories where it applies. The file manages it whole: ``text: null`` deletes the
custom EULA (back to Apple's standard one), which a non-interactive apply does only with
``--allow-delete``. Text and territories change in one ``PATCH``.

Reading: 1 request for the EULA, then 1 for its territories, and every storefront (to
read ``all``) from the read the product kinds share.

Address: ``app[x].eula``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import resource_body
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value
from ascsync.engine.compare import changed
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext, one_or_none
from ascsync.engine.ops import Ids, Op, delete_op, need, post_once
from ascsync.engine.plan import Action, Change
from ascsync.engine.planner import Planner
from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.product_extras import all_territories, fetch_all_territories
from ascsync.problems import Problem

RESOURCE = "endUserLicenseAgreements"
TEXT = "text"
TERRITORIES = "territories"

EULA_FIELDS = (
    Field(
        TEXT,
        FieldType.TEXT,
        "The agreement; usually `!file eula.txt`. null: Apple's standard EULA (deletes the "
        "custom one).",
        f"{RESOURCE}.agreementText",
        required=True,
        nullable=True,
    ),
    Field(
        TERRITORIES,
        FieldType.TERRITORIES,
        '"all" or the ISO alpha-3 codes where it applies.',
        f"{RESOURCE}.territories",
    ),
)

EULA_FILE = FileKind(
    "eula",
    "apps/<app>/eula.yml",
    "A custom license agreement instead of Apple's standard EULA.",
    EULA_FIELDS,
)


@dataclass
class EulaState:
    """The live EULA's id, its territories, and every storefront (for ``all``)."""

    id: str | None = None
    territories: list[str] = field(default_factory=list)
    all_codes: tuple[str, ...] = ()


class Eula(ResourceKind[Record, EulaState]):
    name = "eula"
    files = (EULA_FILE,)
    compiles = (RESOURCE,)
    deletes = (RESOURCE,)
    deletes_whole = deletes
    nouns = {"eula": "license agreement"}

    def load(self, loader: RepoLoader, app: App) -> None:
        record = loader.read_file(app.folder / "eula.yml", loader.files["eula"])
        if record is not None:
            app.parts[self.name] = record

    def check(self, app: App) -> list[Problem]:
        record = self.desired(app)
        if record is None or record.get(TEXT) is None:
            return []
        problems = []
        if record.get(TERRITORIES) == []:
            problems.append(
                record.where(TERRITORIES).problem(
                    TERRITORIES, "is empty: the agreement would apply nowhere", '"all" or codes'
                )
            )
        if isinstance(record.get(TEXT), str) and not record.get(TEXT).strip():
            problems.append(
                record.where(TEXT).problem(
                    TEXT, "is empty", "the agreement's text, or null for Apple's standard EULA"
                )
            )
        return problems

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> EulaState:
        state = EulaState()
        if self.desired(ctx.desired) is None:
            return state
        live = one_or_none(
            ctx.client,
            f"/v1/apps/{ctx.live.app_id}/endUserLicenseAgreement",
            {f"fields[{RESOURCE}]": ["agreementText"]},
        )
        if live is not None:
            state.id = live["id"]
            state.territories = _territories(ctx.client, live["id"])
        state.all_codes = all_territories(ctx)
        record = Record(LIVE)
        if live is not None:
            text = (live.get("attributes") or {}).get("agreementText")
            record.attrs[TEXT] = Value(str(text).replace("\r\n", "\n") if text else text, LIVE)
            record.attrs[TERRITORIES] = Value(_shown(state.territories, state.all_codes), LIVE)
        else:
            record.attrs[TEXT] = Value(None, LIVE)
        ctx.live.model.parts[self.name] = record
        return state

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or EulaState()
        record = self.desired(live.model)
        return [state.id, state.territories, record.to_plain() if record else None]

    def live_counts(self, live: LiveApp) -> Counter[str]:
        return Counter({RESOURCE: int((self.state(live) or EulaState()).id is not None)})

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        skeleton.parts[self.name] = Record(LIVE, {TEXT: Value(None, LIVE)})

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        wanted = self.desired(planner.desired)
        if wanted is None:
            return
        state = self.state(planner.live) or EulaState()
        live = self.desired(planner.live.model) or Record(LIVE)
        address = f"{planner.desired.address}.eula"
        if wanted.get(TEXT) is None:
            if state.id is not None:
                planner.add(
                    Change(
                        address,
                        Action.DELETE,
                        RESOURCE,
                        planner.app,
                        fields=planner.field_changes(wanted.attrs, live.attrs, [TEXT], wanted),
                        calls=(f"DELETE /v1/{RESOURCE}/{{id}}",),
                        source=planner.source(wanted, TEXT),
                        note="text: null: back to Apple's standard EULA",
                    )
                )
            return
        keys = changed(wanted.attrs, live.attrs, [TEXT, TERRITORIES])
        if TERRITORIES in keys and _codes(wanted, state) == set(state.territories):
            keys.remove(TERRITORIES)
        if not keys:
            return
        exists = state.id is not None
        change = Change(
            address,
            Action.UPDATE if exists else Action.CREATE,
            RESOURCE,
            planner.app,
            fields=planner.field_changes(wanted.attrs, live.attrs, keys, wanted),
            calls=(f"PATCH /v1/{RESOURCE}/{{id}}",) if exists else (f"POST /v1/{RESOURCE}",),
            source=planner.source(wanted, keys[0]),
        )
        unknown = sorted((_codes(wanted, state) or set()) - set(state.all_codes))
        why = None
        if unknown and state.all_codes:
            why = f"App Store Connect has no territory {', '.join(unknown)}"
        elif not exists and TERRITORIES not in wanted.attrs:
            why = "a new license agreement needs territories"
        if why:
            planner.lock(Change(**{**change.__dict__, "calls": (), "note": why}))
            return
        planner.add(change)

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        state = self.state(ctx.live) or EulaState()
        if change.action is Action.DELETE:
            return delete_op(RESOURCE, need(state.id, "license agreement"))
        wanted = self.desired(ctx.desired)
        if wanted is None:
            raise AscsyncError(f"{change.address}: the repo no longer has eula.yml")
        names = {f.name for f in change.fields}
        text = wanted.get(TEXT) if TEXT in names or state.id is None else None
        codes = _codes(wanted, state) if TERRITORIES in names or state.id is None else None
        app_id = ctx.live.app_id

        def run(client: ApiClient, ids: Ids) -> None:
            everything = codes
            if wanted.get(TERRITORIES) == "all" and not state.all_codes:
                everything = set(fetch_all_territories(client))
            relationships: dict[str, Any] = {}
            if everything is not None:
                relationships["territories"] = [("territories", c) for c in sorted(everything)]
            attributes = {"agreementText": text} if text is not None else None
            if state.id is None:
                relationships["app"] = ("apps", app_id)
                post_once(
                    client,
                    f"/v1/{RESOURCE}",
                    resource_body(RESOURCE, attributes, relationships),
                    lambda c: _live_id(c, app_id),
                    what="custom EULA",
                )
            else:
                body = resource_body(RESOURCE, attributes, relationships or None, id_=state.id)
                client.patch(f"/v1/{RESOURCE}/{state.id}", body)

        return Op(run)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        record = self.desired(live)
        mine = self.desired(desired) if desired else None
        if record is None or (mine is None and (writer.managed_only or record.get(TEXT) is None)):
            return
        path = source_file(mine) or folder / "eula.yml"
        writer.write_record(path, record, writer.fields("eula"), mine)


def _territories(client: ApiClient, eula_id: str) -> list[str]:
    doc = client.get_all(
        f"/v1/{RESOURCE}/{eula_id}/territories", {"limit": 200, "fields[territories]": ["currency"]}
    )
    return sorted(r["id"] for r in doc.resources())


def _shown(codes: list[str], all_codes: tuple[str, ...]) -> str | list[str]:
    return "all" if all_codes and set(codes) >= set(all_codes) else sorted(codes)


def _codes(record: Record, state: EulaState) -> set[str] | None:
    value = record.get(TERRITORIES)
    if value is None:
        return None
    return set(state.all_codes) if value == "all" else set(value)


def _live_id(client: ApiClient, app_id: str) -> str | None:
    """The app's EULA, if it has one (after a POST whose answer was lost)."""
    doc = client.get(
        f"/v1/apps/{app_id}/endUserLicenseAgreement", {f"fields[{RESOURCE}]": ["agreementText"]}
    )
    return next((str(r["id"]) for r in doc.resources()), None)


EULA = Eula()

__all__ = ["EULA", "EULA_FIELDS"]
