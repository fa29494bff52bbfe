"""Carrying out TestFlight changes: test information locales, beta groups, testers.

Each planned :class:`~ascsync.engine.plan.Change` of :mod:`ascsync.diff_testflight` becomes the
API calls it lists. What is particular to TestFlight:

* A tester belongs to the team, not to a group: inviting someone who is already a tester
  (of another group or app) adds that tester to the group through the linkage endpoint
  instead of creating them again. Removing a tester from a group deletes the membership
  only; the tester keeps their other groups.
* ``public_link.limit`` goes with ``publicLinkLimitEnabled``: a limit in the file turns it
  on, an explicit ``null`` turns it off (the live reader reads a disabled limit as unset).
* A group created in this run is referenced by its address by the testers invited to it.
"""

from __future__ import annotations

from typing import Any

from ascsync.api.client import ApiClient, ApiError, MaybeAppliedError
from ascsync.api.jsonapi import resource_body
from ascsync.apply import Ids, Op, _need, _patch
from ascsync.apply_products import (
    Compiler,
    Parent,
    attributes_for,
    create_op,
    find_child,
    guarded,
    localization_op,
)
from ascsync.desired.model import BETA_APP_FIELDS, BETA_GROUP_FIELDS, App, Record
from ascsync.diff_products import item_prefix
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.errors import AscsyncError
from ascsync.live import LiveApp
from ascsync.live_products import item_value
from ascsync.live_testflight import LiveBetaGroup, LiveTestflight

EXISTING_TESTER = 409
"""Apple's status when a tester with the email already exists in the team."""


def _testflight(live: LiveApp) -> LiveTestflight:
    return live.testflight or LiveTestflight()


def _app(desired: App, live: LiveApp) -> Parent:
    return Parent("apps", live.app_id, desired.address, "/v1/apps")


# -- test information ----------------------------------------------------------------------


def compile_beta_localization(change: Change, desired: App, live: LiveApp) -> Op:
    code = address_keys(change.address)["locale"][0]
    wanted = desired.beta_app.maps.get("localizations", {}).get(code) if desired.beta_app else None
    return localization_op(
        change,
        fields=next(f.fields for f in BETA_APP_FIELDS if f.key == "localizations"),
        wanted=wanted,
        prefix=f"localizations.{code}.",
        parent_relationship="app",
        parent=_app(desired, live),
        live_id=_testflight(live).beta_locales.get(code),
    )


# -- beta groups ---------------------------------------------------------------------------


def _group(change: Change, desired: App, live: LiveApp) -> tuple[str, Record, Parent]:
    """(group address, desired record, parent ref) of the group a change is about."""
    name = address_keys(change.address)["beta_group"][0]
    address = f"{desired.address}.beta_group[{name}]"
    ids: LiveBetaGroup | None = _testflight(live).group_ids.get(name)
    parent = Parent("betaGroups", ids.id if ids else None, address, "/v1/betaGroups")
    return address, desired.beta_groups[name], parent


def compile_group(change: Change, desired: App, live: LiveApp) -> Op:
    address, wanted, parent = _group(change, desired, live)
    attributes = _with_limit_switch(
        attributes_for(BETA_GROUP_FIELDS, change, wanted, "", "betaGroups")
    )
    if change.action is Action.UPDATE:
        attributes.pop("name", None)  # the key; a rename plans a new group
        return _patch("betaGroups", _need(parent.live_id, "beta group"), attributes)
    name = wanted.get("name")
    return create_op(
        "/v1/betaGroups",
        "betaGroups",
        {"name": name, **attributes},
        {"app": _app(desired, live)},
        address,
        find=lambda client, parent_ids: find_child(
            client,
            "/v1/betaGroups",
            "betaGroups",
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


# -- testers -------------------------------------------------------------------------------


def compile_tester(change: Change, desired: App, live: LiveApp) -> Op:
    _, wanted, group = _group(change, desired, live)
    email = address_keys(change.address)["tester"][0]
    if change.action is Action.DELETE:
        name = address_keys(change.address)["beta_group"][0]
        ids = _testflight(live).group_ids.get(name)
        tester_id = _need(ids.testers.get(email.lower()) if ids else None, f"tester {email}")
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
    fields = next(f.fields for f in BETA_GROUP_FIELDS if f.key == "testers")
    attributes = attributes_for(fields, change, tester, item_prefix(tester), "betaTesters")
    return _invite(group, {"email": email, **attributes})


def _invite(group: Parent, attributes: dict[str, Any]) -> Op:
    """Create the tester in the group; a tester the team already has joins the group."""
    email = attributes["email"]

    def run(client: ApiClient, ids: Ids) -> None:
        group_id = group.id(ids)
        body = resource_body(
            "betaTesters",
            {k: v for k, v in attributes.items() if v is not None},
            {"betaGroups": [("betaGroups", group_id)]},
        )
        try:
            client.post("/v1/betaTesters", body)
            return
        except MaybeAppliedError:
            pass  # it may exist now: look it up below
        except ApiError as error:
            if error.status != EXISTING_TESTER:
                raise
        tester_id = _find_tester(client, email)
        if tester_id is None:
            raise AscsyncError(f"could not invite {email}: no tester with that email was found")
        _membership("POST", group, tester_id).run(client, ids)

    return Op(run)


def _find_tester(client: ApiClient, email: str) -> str | None:
    doc = client.get_all(
        "/v1/betaTesters", {"filter[email]": [email], "fields[betaTesters]": ["email"]}
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
        path = f"/v1/betaGroups/{group.id(ids)}/relationships/betaTesters"
        body = {"data": [{"type": "betaTesters", "id": tester_id}]}
        if method == "POST":
            client.request("POST", path, json=body)  # 204, no document to read
            return
        try:
            client.delete(path, body)
        except ApiError as error:
            if error.status != 404:  # already gone (a retry after a lost answer)
                raise

    return Op(run)


COMPILERS: dict[str, Compiler] = {
    "betaAppLocalizations": guarded(compile_beta_localization),
    "betaGroups": guarded(compile_group),
    "betaTesters": guarded(compile_tester),
}
"""Compilers by JSON:API type, merged into :func:`ascsync.apply.compile_change`."""

__all__ = ["COMPILERS"]
