"""Desired vs live for TestFlight: test information locales, beta groups and their testers.

Same conventions as :mod:`ascsync.diff` and :mod:`ascsync.diff_products`:

* The repo may manage only some groups: a live beta group without a file is left alone
  (never deleted). Inside a group file that lists ``testers``, the testers are managed as
  a set: a live tester missing from the list is removed from the group (a DELETE of the
  membership; the tester keeps any other group). Emails compare case-insensitively.
* ``beta-app.yml`` localizations are managed as a set: a live locale without an entry
  is deleted.
* A group is keyed by its ``name``: renaming it in the file plans a new group.
* ``internal`` is fixed when a group is created, and testers cannot be renamed through the
  API (betaTesters have no PATCH): such differences are listed as locked with a note.
* The TestFlight review contact and demo account (``betaAppReviewDetails``) are not
  planned by this version: they are listed as not yet supported, never dropped silently.

Addresses: ``app[x].beta_app.locale[<code>]``, ``app[x].beta_group[<name>]`` and
``app[x].beta_group[<name>].tester[<email>]``.
"""

from __future__ import annotations

from pathlib import Path

from ascsync.desired.model import BETA_APP_FIELDS, BETA_GROUP_FIELDS, App, Record
from ascsync.diff_products import (
    Planner,
    field_order,
    item_prefix,
    plan_locales,
    relative,
)
from ascsync.engine.compare import changed, field_changes
from ascsync.engine.plan import Action, Change, Plan
from ascsync.live import LiveApp
from ascsync.live_products import item_value
from ascsync.live_testflight import LiveBetaGroup, LiveTestflight

GROUP_ATTRIBUTES = ("public_link.enabled", "public_link.limit", "feedback_enabled")
"""Beta group keys ``PATCH /v1/betaGroups/{id}`` can change."""
GROUP_FIXED = ("internal",)
"""Beta group keys fixed at creation."""
TESTER_NAMES = ("first_name", "last_name")


def plan_testflight(desired: App, live: LiveApp, plan: Plan, *, root: Path) -> None:
    """Add the TestFlight changes of one app to ``plan``."""
    planner = Planner(desired, plan, root)
    testflight = live.testflight or LiveTestflight()
    if desired.beta_app is not None:
        _plan_beta_app(planner, desired.beta_app, testflight)
    for name, wanted in desired.beta_groups.items():
        _plan_group(
            planner,
            name,
            wanted,
            testflight.beta_groups.get(name),
            testflight.group_ids.get(name),
        )


def _plan_beta_app(planner: Planner, wanted: Record, live: LiveTestflight) -> None:
    for key in wanted.attrs:  # review_contact.*, demo_account.*
        planner.plan.unsupported.append(
            f"{planner.desired.address}: TestFlight {key} ({planner.source(wanted, key)})"
        )
    plan_locales(
        planner,
        owner=f"{planner.desired.address}.beta_app",
        wanted=wanted,
        live=live.beta_app,
        map_key="localizations",
        live_ids=live.beta_locales,
        resource="betaAppLocalizations",
        fields=next(f.fields for f in BETA_APP_FIELDS if f.key == "localizations"),
    )


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
                "betaGroups",
                planner.desired.name,
                fields=field_changes(want, {}, keys),
                calls=("POST /v1/betaGroups",),
                source=planner.source(wanted, "name"),
            )
        )
    else:
        planner.lock_fixed(
            address,
            "betaGroups",
            want,
            have,
            wanted,
            GROUP_FIXED,
            "{key} is fixed when a group is created; make a new group",
        )
        planner.update(
            address,
            "betaGroups",
            want,
            have,
            wanted,
            GROUP_ATTRIBUTES,
            "PATCH /v1/betaGroups/{id}",
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
                    "betaTesters",
                    planner.desired.name,
                    fields=field_changes(want, {}, keys),
                    calls=(
                        "POST /v1/betaTesters",
                        # when the team already has this email (409), it joins the group:
                        "GET /v1/betaTesters",
                        "POST /v1/betaGroups/{id}/relationships/betaTesters",
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
                    "betaTesters",
                    planner.desired.name,
                    fields=field_changes(want, have, renamed),
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
                "betaTesters",
                planner.desired.name,
                calls=("DELETE /v1/betaGroups/{id}/relationships/betaTesters",),
                source=planner.source(wanted, "name"),
                note="not in the group's testers",
            )
        )


__all__ = ["plan_testflight"]
