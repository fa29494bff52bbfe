"""Phased release: ``version.yml``'s ``phased_release: true`` (a 7-day rollout).

Apple models it as an ``appStoreVersionPhasedReleases`` resource of the version: true
creates one (``INACTIVE`` until the version is released), false deletes it. A phased
release Apple has finished (``COMPLETE``) reads as false. Locked with the version.

Address: ``app[x].version[<version>].phased_release``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ascsync.desired.model import LIVE, Field, FieldType, FileFields, Record, Value
from ascsync.engine.compare import changed
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.live import Include, LiveApp, LiveContext
from ascsync.engine.ops import Op, Parent, create_op, delete_op, find_related, need
from ascsync.engine.plan import Action, Change
from ascsync.engine.planner import Planner
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.version import (
    VERSION,
    VERSION_READ,
    VersionState,
    matching_version,
    version_address,
)

RESOURCE = "appStoreVersionPhasedReleases"
KEY = "phased_release"


@dataclass
class PhasedState:
    phased_release_id: str | None = None


class PhasedRelease(ResourceKind[None, PhasedState]):
    name = "phased_release"
    per_platform = True
    adds_fields = (
        FileFields(
            "version",
            (Field(KEY, FieldType.BOOL, "7-day phased rollout.", RESOURCE),),
            after="release",
        ),
    )
    includes = (Include(VERSION_READ, "appStoreVersionPhasedRelease"),)
    depends_on = ("version",)
    compiles = (RESOURCE,)
    deletes = (RESOURCE,)

    def read(self, ctx: LiveContext) -> PhasedState | None:
        if ctx.state_of("version") is None:
            return None
        doc = ctx.shared(VERSION_READ)
        match = matching_version(doc, ctx.desired)
        record = VERSION.desired(ctx.live.model)
        if match is None or doc is None or record is None:
            return PhasedState()
        phased = doc.related_one(match, "appStoreVersionPhasedRelease")
        state = ((phased or {}).get("attributes") or {}).get("phasedReleaseState")
        record.attrs[KEY] = Value(phased is not None and state != "COMPLETE", LIVE)
        return PhasedState(phased["id"] if phased else None)

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or PhasedState()
        return state.phased_release_id

    def live_counts(self, live: LiveApp) -> Counter[str]:
        state = self.state(live) or PhasedState()
        return Counter({RESOURCE: int(state.phased_release_id is not None)})

    def plan(self, planner: Planner) -> None:
        desired = VERSION.desired(planner.desired)
        if desired is None or not changed(desired.attrs, _live(planner).attrs, [KEY]):
            return
        wanted = bool(desired.get(KEY))
        state = self.state(planner.live) or PhasedState()
        if not wanted and state.phased_release_id is None:
            return
        address = version_address(planner.desired)
        version = VERSION.state(planner.live) or VersionState()
        planner.add(
            Change(
                f"{address}.{KEY}",
                Action.CREATE if wanted else Action.DELETE,
                RESOURCE,
                planner.app,
                fields=planner.field_changes(desired.attrs, _live(planner).attrs, [KEY], desired),
                calls=(f"POST /v1/{RESOURCE}" if wanted else f"DELETE /v1/{RESOURCE}/{{id}}",),
                after=(address,),
                source=planner.source(desired, KEY),
            ),
            locked_by=version.locked_by,
        )

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        if change.action is Action.DELETE:
            state = self.state(ctx.live) or PhasedState()
            return delete_op(RESOURCE, need(state.phased_release_id, "phased release"))
        address = version_address(ctx.desired)
        version_state = VERSION.state(ctx.live) or VersionState()
        version = Parent("appStoreVersions", version_state.version_id, address, "")
        return create_op(
            f"/v1/{RESOURCE}",
            RESOURCE,
            {"phasedReleaseState": "INACTIVE"},
            {"appStoreVersion": version},
            change.address,
            find=lambda client, parent_ids: find_related(
                client,
                f"/v1/appStoreVersions/{parent_ids['appStoreVersion']}/appStoreVersionPhasedRelease",
            ),
        )


def _live(planner: Planner) -> Record:
    return VERSION.desired(planner.live.model) or Record(LIVE)


PHASED_RELEASE = PhasedRelease()

__all__ = ["PHASED_RELEASE"]
