"""Reading an app's TestFlight test information and beta groups from App Store Connect.

Like :mod:`ascsync.live_products`, the result has the loader's shape: a beta-app
:class:`~ascsync.desired.model.Record` with ``maps["localizations"]``, and one Record per
beta group (by name) with ``lists["testers"]``; :class:`LiveTestflight` keeps the ids.

Request count: 1 for the test information (when the repo has ``beta-app.yml`` with
localizations), 1 for the groups with up to 50 testers each (``/v1/apps/{id}/betaGroups``
cannot include testers, so the collection is filtered by app), plus one listing per group
with more than 50 testers (Apple's ``limit[betaTesters]`` maximum).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import Document
from ascsync.desired.model import BETA_APP_FIELDS, BETA_GROUP_FIELDS, LIVE, App, Record, Value
from ascsync.engine.mapping import read_record
from ascsync.live_products import run_in_thread

TESTERS_PER_GROUP = 50
"""``limit[betaTesters]`` maximum on ``GET /v1/betaGroups``."""


@dataclass
class LiveBetaGroup:
    """Ids of one beta group and of its testers (by lower-cased email)."""

    id: str
    testers: dict[str, str] = field(default_factory=dict)


@dataclass
class LiveTestflight:
    """Live TestFlight state: records in the repo's shape plus their ids."""

    beta_app: Record | None = None
    beta_groups: dict[str, Record] = field(default_factory=dict)  # by name
    beta_locales: dict[str, str] = field(default_factory=dict)  # locale -> id
    group_ids: dict[str, LiveBetaGroup] = field(default_factory=dict)

    def attach(self, model: App) -> LiveTestflight:
        """Put the records into the live app model; returns self for ``live.testflight = ...``."""
        model.beta_app = self.beta_app
        model.beta_groups = self.beta_groups
        return self

    def snapshot(self) -> dict[str, Any]:
        """Plain data of everything read, for the plan's fingerprint."""
        return {
            "beta_app": self.beta_app.to_plain() if self.beta_app else None,
            "beta_locales": sorted(self.beta_locales.items()),
            "groups": {
                name: [
                    self.group_ids[name].id,
                    sorted(self.group_ids[name].testers.items()),
                    record.to_plain(),
                ]
                for name, record in sorted(self.beta_groups.items())
            },
        }


def start_testflight(
    client: ApiClient, app_id: str, desired: App, pool: ThreadPoolExecutor
) -> Future[LiveTestflight]:
    """Begin reading the TestFlight state ``desired`` manages (see :func:`start_products`)."""
    return run_in_thread(_read_testflight, client, app_id, desired, pool)


def _read_testflight(
    client: ApiClient, app_id: str, desired: App, pool: ThreadPoolExecutor
) -> LiveTestflight:
    live = LiveTestflight()
    wants_locales = desired.beta_app is not None and "localizations" in desired.beta_app.maps
    locales = pool.submit(_fetch_beta_locales, client, app_id) if wants_locales else None
    if desired.beta_groups:
        _read_groups(client, app_id, desired, live, pool)
    if locales is not None:
        _read_beta_app(live, locales.result())
    return live


def _fetch_beta_locales(client: ApiClient, app_id: str) -> Document:
    return client.get_all(f"/v1/apps/{app_id}/betaAppLocalizations")


def _read_beta_app(live: LiveTestflight, doc: Document) -> None:
    fields = next(f.fields for f in BETA_APP_FIELDS if f.key == "localizations")
    record = Record(LIVE)
    locales: dict[str, Record] = {}
    for loc in doc.resources():
        attributes = loc.get("attributes") or {}
        code = attributes.get("locale")
        if not code:
            continue
        live.beta_locales[code] = loc["id"]
        flat = read_record(fields, {"betaAppLocalizations": attributes})
        locales[code] = Record(
            LIVE, {f"localizations.{code}.{k}": v for k, v in flat.attrs.items()}
        )
    record.maps["localizations"] = locales
    live.beta_app = record


def _read_groups(
    client: ApiClient, app_id: str, desired: App, live: LiveTestflight, pool: ThreadPoolExecutor
) -> None:
    """The app's groups with their first 50 testers; larger groups list the rest."""
    doc = client.get_all(
        "/v1/betaGroups",
        {
            "filter[app]": app_id,
            "include": ["betaTesters"],
            "limit[betaTesters]": TESTERS_PER_GROUP,
        },
    )
    larger: list[tuple[str, str]] = []
    for group in doc.resources():
        attributes = group.get("attributes") or {}
        name = attributes.get("name")
        if name not in desired.beta_groups:
            continue  # not managed by the repo
        live.beta_groups[name] = _group_record(attributes)
        live.group_ids[name] = LiveBetaGroup(group["id"])
        if _tester_total(group) > TESTERS_PER_GROUP:
            larger.append((name, group["id"]))
        else:
            _add_testers(live, name, doc.related(group, "betaTesters"))
    pages = pool.map(lambda job: _fetch_testers(client, job[1]), larger)
    for (name, _), testers in zip(larger, pages, strict=True):
        _add_testers(live, name, testers.resources())


def _group_record(attributes: dict[str, Any]) -> Record:
    record = read_record(BETA_GROUP_FIELDS, {"betaGroups": attributes})
    if attributes.get("publicLinkLimitEnabled") is False:
        record.attrs["public_link.limit"] = Value(None, LIVE)  # a stale limit is not in force
    return record


def _tester_total(group: dict[str, Any]) -> int:
    rel = (group.get("relationships") or {}).get("betaTesters") or {}
    total = ((rel.get("meta") or {}).get("paging") or {}).get("total")
    return int(total) if isinstance(total, int) else len(rel.get("data") or [])


def _fetch_testers(client: ApiClient, group_id: str) -> Document:
    return client.get_all(f"/v1/betaGroups/{group_id}/betaTesters")


def _add_testers(live: LiveTestflight, name: str, testers: list[dict[str, Any]]) -> None:
    fields = next(f.fields for f in BETA_GROUP_FIELDS if f.key == "testers")
    items = []
    for index, tester in enumerate(testers):
        attributes = tester.get("attributes") or {}
        email = attributes.get("email")
        if not email:
            continue
        live.group_ids[name].testers[email.lower()] = tester["id"]
        flat = read_record(fields, {"betaTesters": attributes})
        items.append(Record(LIVE, {f"testers[{index}].{k}": v for k, v in flat.attrs.items()}))
    live.beta_groups[name].lists["testers"] = items


__all__ = ["LiveBetaGroup", "LiveTestflight", "start_testflight"]
