"""TestFlight groups and their testers: ``testflight/groups/<group>.yml``.

The repo may manage only some groups: a live group without a file is left alone (never
deleted). A group is keyed by its ``name`` (renaming it plans a new group); ``internal``
is fixed at creation. Inside a group file that lists ``testers``, the testers are a set:
a live tester missing from the list is removed from the group (the membership only; the
tester keeps any other group). Emails compare case-insensitively. Testers cannot be
renamed through the API (betaTesters have no PATCH): a different name is locked.

A tester belongs to the team, not to a group: inviting someone the team already has
(409) adds that tester to the group through the linkage endpoint instead.
``public_link.limit`` goes with ``publicLinkLimitEnabled``: a limit turns it on, ``null``
turns it off (a disabled limit reads as unset).

Reading: 1 request for the groups with up to 50 testers each (``/v1/apps/{id}/betaGroups``
cannot include testers, so the collection is filtered by app), plus one listing per
group with more testers.

Addresses: ``app[x].beta_group[<name>]`` and ``app[x].beta_group[<name>].tester[<email>]``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient, ApiError, MaybeAppliedError
from ascsync.api.jsonapi import Document, resource_body
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value, sub_fields
from ascsync.engine.compare import changed
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext
from ascsync.engine.mapping import read_record
from ascsync.engine.ops import (
    Ids,
    Op,
    Parent,
    add_members,
    attributes_for,
    create_op,
    find_child,
    need,
    patch_op,
    post_once,
)
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.engine.planner import Planner, field_order, item_prefix, item_value, relative
from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter, slug, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.beta_app import BETA_APP
from ascsync.problems import Problem, Severity
from ascsync.rules import products as pr

GROUPS = "betaGroups"
TESTERS = "betaTesters"
TESTERS_PER_GROUP = 50
"""``limit[betaTesters]`` maximum on ``GET /v1/betaGroups``."""
EXISTING_TESTER = 409
"""Apple's status when a tester with the email already exists in the team."""

GROUP_ATTRIBUTES = ("public_link.enabled", "public_link.limit", "feedback_enabled")
"""Beta group keys ``PATCH /v1/betaGroups/{id}`` can change."""
TESTER_NAMES = ("first_name", "last_name")

BETA_GROUP_FIELDS = (
    Field(
        "name",
        FieldType.TEXT,
        "Unique per app.",
        f"{GROUPS}.name",
        required=True,
        limit="beta_group_name",
    ),
    Field(
        "internal",
        FieldType.BOOL,
        "Internal groups hold team members only; fixed at creation.",
        f"{GROUPS}.isInternalGroup",
        fixed=True,
    ),
    Field(
        "public_link",
        FieldType.OBJECT,
        "External groups only.",
        fields=(
            Field("enabled", FieldType.BOOL, "", f"{GROUPS}.publicLinkEnabled"),
            Field(
                "limit",
                FieldType.INT,
                "Max testers via the link.",
                f"{GROUPS}.publicLinkLimit",
                nullable=True,
                min=1,
                max=pr.MAX_PUBLIC_LINK_LIMIT,
            ),
        ),
    ),
    Field("feedback_enabled", FieldType.BOOL, "", f"{GROUPS}.feedbackEnabled"),
    Field(
        "testers",
        FieldType.LIST,
        "Testers invited to the group.",
        TESTERS,
        fields=(
            Field("email", FieldType.EMAIL, "", f"{TESTERS}.email", required=True),
            Field("first_name", FieldType.TEXT, "", f"{TESTERS}.firstName", limit="person_name"),
            Field("last_name", FieldType.TEXT, "", f"{TESTERS}.lastName", limit="person_name"),
        ),
    ),
)

BETA_GROUP_FILE = FileKind(
    "beta-group",
    "apps/<app>/testflight/groups/<group>.yml",
    "One TestFlight group and its testers.",
    BETA_GROUP_FIELDS,
)

_TESTER_FIELDS = sub_fields(BETA_GROUP_FIELDS, "testers")

BetaGroupRecords = dict[str, Record]
"""Beta groups by name."""


@dataclass
class LiveBetaGroup:
    """Ids of one beta group and of its testers (by lower-cased email)."""

    id: str
    testers: dict[str, str] = field(default_factory=dict)
    all_builds: bool = False
    """``hasAccessToAllBuilds``: the group gets every build (internal groups, by default)."""


class BetaGroups(ResourceKind[BetaGroupRecords, dict[str, LiveBetaGroup]]):
    name = "beta_groups"
    files = (BETA_GROUP_FILE,)
    compiles = (GROUPS, TESTERS)
    deletes = (TESTERS,)
    deletes_whole = deletes
    nouns = {"beta_group": "TestFlight group", "tester": "tester"}
    owners = ("beta_group",)

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        groups: BetaGroupRecords = {}
        for path in loader.yaml_files(app.folder / "testflight" / "groups"):
            record = loader.read_file(path, loader.files["beta-group"])
            name = record.get("name") if record else None
            if record is not None and isinstance(name, str):
                loader.add_unique(groups, name, record, "name")
        if groups:
            app.parts[self.name] = groups

    def check(self, app: App) -> list[Problem]:
        groups = self.desired(app) or {}
        problems = []
        for group in groups.values():
            problems += check_group(group)
        return problems + check_external_testing(BETA_APP.desired(app), groups)

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> dict[str, LiveBetaGroup]:
        """The app's groups with their first 50 testers; larger groups list the rest."""
        wanted = self.desired(ctx.desired) or {}
        ids: dict[str, LiveBetaGroup] = {}
        if not wanted:
            return ids
        doc = ctx.client.get_all(
            f"/v1/{GROUPS}",
            {
                "filter[app]": ctx.live.app_id,
                "include": [TESTERS],
                f"limit[{TESTERS}]": TESTERS_PER_GROUP,
            },
        )
        live: BetaGroupRecords = {}
        larger: list[tuple[str, str]] = []
        for group in doc.resources():
            attributes = group.get("attributes") or {}
            name = attributes.get("name")
            if name not in wanted:
                continue  # not managed by the repo
            live[name] = _group_record(attributes)
            ids[name] = LiveBetaGroup(
                group["id"], all_builds=bool(attributes.get("hasAccessToAllBuilds"))
            )
            if _tester_total(group) > TESTERS_PER_GROUP:
                larger.append((name, group["id"]))
            else:
                _add_testers(live[name], ids[name], doc.related(group, TESTERS))
        pages = ctx.pool.map(lambda job: _fetch_testers(ctx.client, job[1]), larger)
        for (name, _), testers in zip(larger, pages, strict=True):
            _add_testers(live[name], ids[name], testers.resources())
        ctx.live.model.parts[self.name] = live
        return ids

    def snapshot(self, live: LiveApp) -> Any:
        ids = self.state(live) or {}
        return {
            name: [ids[name].id, sorted(ids[name].testers.items()), record.to_plain()]
            for name, record in sorted((self.desired(live.model) or {}).items())
        }

    def live_counts(self, live: LiveApp) -> Counter[str]:
        return Counter({TESTERS: sum(len(g.testers) for g in (self.state(live) or {}).values())})

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        doc = discovery.client.get_all(f"/v1/{GROUPS}", {"filter[app]": discovery.app_id})
        skeleton.parts[self.name] = {
            r["attributes"]["name"]: Record(LIVE, {"name": Value(r["attributes"]["name"], LIVE)})
            for r in doc.resources()
        }

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        live = self.desired(planner.live.model) or {}
        ids = self.state(planner.live) or {}
        for name, wanted in (self.desired(planner.desired) or {}).items():
            _plan_group(planner, name, wanted, live.get(name), ids.get(name))

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        name = address_keys(change.address)["beta_group"][0]
        address = f"{ctx.desired.address}.beta_group[{name}]"
        wanted = (self.desired(ctx.desired) or {})[name]
        ids = (self.state(ctx.live) or {}).get(name)
        group = Parent(GROUPS, ids.id if ids else None, address, f"/v1/{GROUPS}")
        app = Parent("apps", ctx.live.app_id, ctx.desired.address, "/v1/apps")
        if change.resource == GROUPS:
            return _group_op(change, wanted, group, app)
        return _tester_op(change, wanted, group, ids)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        mine = (self.desired(desired) if desired else None) or {}
        for name, record in sorted((self.desired(live) or {}).items()):
            wanted = mine.get(name)
            if writer.managed_only and wanted is None:
                continue
            path = source_file(wanted) or folder / "testflight" / "groups" / f"{slug(name)}.yml"
            writer.write_record(path, record, writer.fields("beta-group"), wanted)

    def not_live(self, live: App, desired: App) -> list[Path]:
        have = self.desired(live) or {}
        return [
            path
            for key, record in (self.desired(desired) or {}).items()
            if key not in have and (path := source_file(record)) is not None
        ]


# -- checking ------------------------------------------------------------------------------


def check_group(group: Record) -> list[Problem]:
    """Public links and their limits exist only on external groups; testers listed once."""
    problems = []
    if group.get("internal") is True and group.get("public_link.enabled") is True:
        problems.append(
            group.where("public_link.enabled").problem(
                "public_link.enabled",
                "internal groups cannot have a public link",
                "internal: false",
            )
        )
    seen: set[str] = set()
    for i, tester in enumerate(group.lists.get("testers", [])):
        key = f"testers[{i}].email"
        email = tester.get(key)
        if isinstance(email, str):
            if email.casefold() in seen:
                problems.append(
                    tester.where(key).problem(key, f"{email} is listed twice", "remove one")
                )
            seen.add(email.casefold())
    return problems


def check_external_testing(beta_app: Record | None, groups: BetaGroupRecords) -> list[Problem]:
    """[A] External testing needs a beta description and feedback email in some locale."""
    external = [g for g in groups.values() if g.get("internal") is not True]
    if not external:
        return []
    localizations = beta_app.maps.get("localizations", {}) if beta_app else {}
    for code, localization in localizations.items():
        prefix = f"localizations.{code}"
        if localization.get(f"{prefix}.description") and localization.get(
            f"{prefix}.feedback_email"
        ):
            return []
    group = external[0]
    return [
        group.where("internal").problem(
            "internal",
            "external groups need test information",
            "add testflight/beta-app.yml with a description and feedback_email",
            Severity.WARNING,
        )
    ]


# -- reading -------------------------------------------------------------------------------


def _group_record(attributes: dict[str, Any]) -> Record:
    record = read_record(BETA_GROUP_FIELDS, {GROUPS: attributes})
    if attributes.get("publicLinkLimitEnabled") is False:
        record.attrs["public_link.limit"] = Value(None, LIVE)  # a stale limit is not in force
    return record


def _tester_total(group: dict[str, Any]) -> int:
    rel = (group.get("relationships") or {}).get(TESTERS) or {}
    total = ((rel.get("meta") or {}).get("paging") or {}).get("total")
    return int(total) if isinstance(total, int) else len(rel.get("data") or [])


def _fetch_testers(client: ApiClient, group_id: str) -> Document:
    return client.get_all(f"/v1/{GROUPS}/{group_id}/{TESTERS}")


def _add_testers(record: Record, ids: LiveBetaGroup, testers: list[dict[str, Any]]) -> None:
    items = []
    for index, tester in enumerate(testers):
        attributes = tester.get("attributes") or {}
        email = attributes.get("email")
        if not email:
            continue
        ids.testers[email.lower()] = tester["id"]
        flat = read_record(_TESTER_FIELDS, {TESTERS: attributes})
        items.append(Record(LIVE, {f"testers[{index}].{k}": v for k, v in flat.attrs.items()}))
    record.lists["testers"] = items


# -- planning ------------------------------------------------------------------------------


def _plan_group(
    planner: Planner,
    name: str,
    wanted: Record,
    live: Record | None,
    ids: LiveBetaGroup | None,
) -> None:
    address = f"{planner.desired.address}.beta_group[{name}]"
    want, have = relative(wanted), relative(live) if live else {}
    if ids is None:
        keys = [k for k in field_order(BETA_GROUP_FIELDS) if k in want]
        planner.add(
            Change(
                address,
                Action.CREATE,
                GROUPS,
                planner.app,
                fields=planner.field_changes(want, {}, keys, wanted),
                calls=(f"POST /v1/{GROUPS}",),
                source=planner.source(wanted, "name"),
            )
        )
    else:
        planner.lock_fixed(
            address,
            GROUPS,
            want,
            have,
            wanted,
            BETA_GROUP_FIELDS,
            "{key} is fixed when a group is created; make a new group",
        )
        planner.update(
            address, GROUPS, want, have, wanted, GROUP_ATTRIBUTES, f"PATCH /v1/{GROUPS}/{{id}}"
        )
    if "testers" in wanted.lists:
        _plan_testers(planner, address, wanted, live, ids)


def _plan_testers(
    planner: Planner,
    address: str,
    wanted: Record,
    live: Record | None,
    ids: LiveBetaGroup | None,
) -> None:
    live_by_email = {
        str(item_value(t, "email")).lower(): t
        for t in (live.lists.get("testers", []) if live else [])
    }
    listed = set()
    for tester in wanted.lists["testers"]:
        email = item_value(tester, "email")
        if not isinstance(email, str):
            continue
        listed.add(email.lower())
        tester_address = f"{address}.tester[{email}]"
        prefix = item_prefix(tester)
        want = relative(tester, prefix)
        have_record = live_by_email.get(email.lower())
        if have_record is None:
            keys = [k for k in ("email", *TESTER_NAMES) if k in want]
            planner.add(
                Change(
                    tester_address,
                    Action.CREATE,
                    TESTERS,
                    planner.app,
                    fields=planner.field_changes(want, {}, keys, tester, prefix),
                    calls=(
                        f"POST /v1/{TESTERS}",
                        # when the team already has this email (409), it joins the group:
                        f"GET /v1/{TESTERS}",
                        f"POST /v1/{GROUPS}/{{id}}/relationships/{TESTERS}",
                    ),
                    after=(address,),
                    source=planner.source(tester, prefix + "email"),
                )
            )
            continue
        have = relative(have_record, item_prefix(have_record))
        renamed = changed(want, have, TESTER_NAMES)
        if renamed:
            planner.lock(
                Change(
                    tester_address,
                    Action.UPDATE,
                    TESTERS,
                    planner.app,
                    fields=planner.field_changes(want, have, renamed, tester, prefix),
                    source=planner.source(tester, prefix + renamed[0]),
                    note="testers cannot be renamed through the API; remove and re-invite",
                )
            )
    for email in sorted(set(ids.testers if ids else {}) - listed):
        shown = item_value(live_by_email[email], "email") if email in live_by_email else email
        planner.add(
            Change(
                f"{address}.tester[{shown}]",
                Action.DELETE,
                TESTERS,
                planner.app,
                calls=(f"DELETE /v1/{GROUPS}/{{id}}/relationships/{TESTERS}",),
                source=planner.source(wanted, "name"),
                note="not in the group's testers",
            )
        )


# -- applying ------------------------------------------------------------------------------


def _group_op(change: Change, wanted: Record, group: Parent, app: Parent) -> Op:
    attributes = _with_limit_switch(attributes_for(BETA_GROUP_FIELDS, change, wanted, "", GROUPS))
    if change.action is Action.UPDATE:
        attributes.pop("name", None)  # the key; a rename plans a new group
        return patch_op(GROUPS, need(group.live_id, "beta group"), attributes)
    name = wanted.get("name")
    return create_op(
        f"/v1/{GROUPS}",
        GROUPS,
        {"name": name, **attributes},
        {"app": app},
        group.address,
        find=lambda client, parent_ids: find_child(
            client,
            f"/v1/{GROUPS}",
            GROUPS,
            "name",
            name,
            {"app": parent_ids["app"], "name": name},
        ),
    )


def _with_limit_switch(attributes: dict[str, Any]) -> dict[str, Any]:
    """Turn Apple's ``publicLinkLimitEnabled`` on or off along with the limit."""
    if "publicLinkLimit" in attributes:
        attributes["publicLinkLimitEnabled"] = attributes["publicLinkLimit"] is not None
    return attributes


def _tester_op(change: Change, wanted: Record, group: Parent, ids: LiveBetaGroup | None) -> Op:
    email = address_keys(change.address)["tester"][0]
    if change.action is Action.DELETE:
        tester_id = need(ids.testers.get(email.lower()) if ids else None, f"tester {email}")
        return _membership("DELETE", group, tester_id)
    if change.action is not Action.CREATE:  # betaTesters have no PATCH: renames are locked
        raise AscsyncError(f"{change.address}: testers can only be invited or removed")
    tester = next(
        (
            t
            for t in wanted.lists.get("testers", [])
            if str(item_value(t, "email")).lower() == email.lower()
        ),
        None,
    )
    if tester is None:
        raise AscsyncError(f"{change.address}: the tester is not in the group's file")
    attributes = attributes_for(_TESTER_FIELDS, change, tester, item_prefix(tester), TESTERS)
    return _invite(group, {"email": email, **attributes})


def _invite(group: Parent, attributes: dict[str, Any]) -> Op:
    """Create the tester in the group; a tester the team already has joins the group."""
    email = attributes["email"]

    def run(client: ApiClient, ids: Ids) -> None:
        group_id = group.id(ids)
        body = resource_body(
            TESTERS,
            {k: v for k, v in attributes.items() if v is not None},
            {GROUPS: [(GROUPS, group_id)]},
        )
        adopted: list[str] = []

        def find(c: ApiClient) -> str | None:
            found = _find_tester(c, email)
            adopted.extend([found] if found else [])
            return found

        try:
            post_once(client, f"/v1/{TESTERS}", body, find, what=email)
            if not adopted:
                return
        except ApiError as error:
            if error.status != EXISTING_TESTER or isinstance(error, MaybeAppliedError):
                raise
        # after a lost answer the tester exists, with or without its membership
        tester_id = adopted[-1] if adopted else _find_tester(client, email)
        if tester_id is None:
            raise AscsyncError(f"could not invite {email}: no tester with that email was found")
        _membership("POST", group, tester_id).run(client, ids)

    return Op(run)


def _find_tester(client: ApiClient, email: str) -> str | None:
    doc = client.get_all(
        f"/v1/{TESTERS}", {"filter[email]": [email], f"fields[{TESTERS}]": ["email"]}
    )
    return next(
        (
            r["id"]
            for r in doc.resources()
            if str((r.get("attributes") or {}).get("email", "")).lower() == email.lower()
        ),
        None,
    )


def _membership(method: str, group: Parent, tester_id: str) -> Op:
    """Add (POST) or remove (DELETE) a tester's membership of a group."""

    def run(client: ApiClient, ids: Ids) -> None:
        path = f"/v1/{GROUPS}/{group.id(ids)}/relationships/{TESTERS}"
        body = {"data": [{"type": TESTERS, "id": tester_id}]}
        if method == "POST":
            add_members(client, path, body)
            return
        try:
            client.delete(path, body)
        except ApiError as error:
            if error.status != 404:  # already gone (a retry after a lost answer)
                raise

    return Op(run, deletes=TESTERS if method == "DELETE" else None)


BETA_GROUPS = BetaGroups()

__all__ = ["BETA_GROUPS", "BETA_GROUP_FIELDS", "LiveBetaGroup"]
