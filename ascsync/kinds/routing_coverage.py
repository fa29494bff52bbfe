"""The routing app coverage file: ``routing-app-coverage.geojson`` (iOS navigation apps).

An iOS app that gives directions (``MKDirectionsApplicationSupportedModes`` in its
Info.plist) tells the App Store where it routes with a GeoJSON file, one per version
(``routingAppCoverages``, a to-one of the version [S]) [A: "Routing app coverage file":
a .geojson file with one MultiPolygon]. The file is matched by its MD5 like a
screenshot: unchanged, it is never uploaded again; changed, the live one is replaced
(deleted, then uploaded). Without the file in the repo, the version's coverage is not
managed. Locked with the version's state.

It applies only where it can: an app whose ``app.yml`` says another platform than iOS,
or a repo without ``version.yml``, is a validation error.

Reading: nothing more than the version read (``include=routingAppCoverage``).

Address: ``app[x].version[<version>].routing_coverage``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import App
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.live import Include, LiveApp, LiveContext
from ascsync.engine.ops import Ids, Op, Parent, delete_op
from ascsync.engine.plan import Action, Change, FieldChange
from ascsync.engine.planner import Planner
from ascsync.engine.uploads import MediaKind, upload
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.version import (
    VERSION,
    VERSION_READ,
    VersionState,
    matching_version,
    version_address,
    version_string,
)
from ascsync.problems import Problem, Severity, Source

RESOURCE = "routingAppCoverages"
FILE_NAME = "routing-app-coverage.geojson"
COVERAGE = MediaKind(
    RESOURCE,
    "appStoreVersions",
    "appStoreVersion",
    "assetDeliveryState",
    "/v1/appStoreVersions/{id}/routingAppCoverage",
)
MAX_BYTES = 20 * 1024 * 1024
"""A sanity cap for a coverage file [U: Apple publishes none]."""


@dataclass
class LiveCoverage:
    id: str | None = None
    file_name: str | None = None
    checksum: str | None = None
    state: str | None = None


class RoutingCoverage(ResourceKind[Path, LiveCoverage]):
    name = "routing_coverage"
    includes = (Include(VERSION_READ, "routingAppCoverage"),)
    depends_on = ("version",)
    compiles = (RESOURCE,)  # a new file replaces the live one in one change (no deletes)
    nouns = {"routing_coverage": "routing app coverage"}
    not_pulled = ("the routing app coverage file (App Store Connect offers no download)",)

    def layout_extra(self) -> tuple[str, ...]:
        return (f"apps/<app>/{FILE_NAME}   (iOS navigation apps; one MultiPolygon)",)

    def load(self, loader: RepoLoader, app: App) -> None:
        path = app.folder / FILE_NAME
        if path.exists() and loader.inside_repo(path, Source(path), "routing coverage"):
            app.parts[self.name] = path

    def check(self, app: App) -> list[Problem]:
        path = self.desired(app)
        if path is None:
            return []
        problems = []
        platform = app.record.get("platform")
        if platform is not None and platform != "IOS":
            problems.append(
                Problem(path, None, "platform", f"is {platform}: routing apps are iOS apps", "IOS")
            )
        if version_string(app) is None:
            problems.append(Problem(path, None, "file", "belongs to a version", "add version.yml"))
        return problems + check_geojson(path)

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> LiveCoverage:
        state = LiveCoverage()
        if self.desired(ctx.desired) is None or ctx.state_of("version") is None:
            return state
        doc = ctx.shared(VERSION_READ)
        match = matching_version(doc, ctx.desired)
        live = doc.related_one(match, "routingAppCoverage") if doc is not None and match else None
        if live is not None:
            attributes = live.get("attributes") or {}
            delivery = attributes.get("assetDeliveryState") or {}
            state = LiveCoverage(
                live["id"],
                attributes.get("fileName"),
                attributes.get("sourceFileChecksum"),
                delivery.get("state"),
            )
        return state

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or LiveCoverage()
        return [state.id, state.checksum, state.state]

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        path = self.desired(planner.desired)
        if path is None or VERSION.desired(planner.desired) is None:
            return
        live = self.state(planner.live) or LiveCoverage()
        digest = planner.checksum(path)
        if live.state == "COMPLETE" and live.checksum == digest:
            return
        address = version_address(planner.desired)
        calls = (f"POST /v1/{RESOURCE}", "PUT upload operations", f"PATCH /v1/{RESOURCE}/{{id}}")
        version = VERSION.state(planner.live) or VersionState()
        planner.add(
            Change(
                f"{address}.routing_coverage",
                Action.REPLACE if live.id else Action.UPLOAD,
                RESOURCE,
                planner.app,
                fields=(FieldChange("checksum", live.checksum, digest, source=planner.rel(path)),),
                calls=((f"DELETE /v1/{RESOURCE}/{{id}}", *calls) if live.id else calls),
                after=(address,),
                source=planner.rel(path),
                live_id=live.id,
            ),
            locked_by=version.locked_by,
        )

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        path = self.desired(ctx.desired)
        if path is None:
            raise AssertionError("planned without a file")
        state = VERSION.state(ctx.live) or VersionState()
        version = Parent("appStoreVersions", state.version_id, version_address(ctx.desired), "")
        replaced = change.live_id
        checksum = ctx.checksum
        settings = ctx.uploads

        def run(client: ApiClient, ids: Ids) -> None:
            if replaced:
                delete_op(RESOURCE, replaced).run(client, ids)
            upload(client, COVERAGE, version.id(ids), path, checksum(path), settings)

        return Op(run)


def check_geojson(path: Path) -> list[Problem]:
    """A readable GeoJSON document with a MultiPolygon in it ([A] one MultiPolygon; the
    shape of the rest is [U], so only its absence warns)."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        return [Problem(path, None, "file", f"is {size} bytes", f"at most {MAX_BYTES} [U]")]
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        return [Problem(path, None, "file", "is not UTF-8 text", "a .geojson file")]
    except json.JSONDecodeError as exc:
        return [Problem(path, exc.lineno, "file", f"is not valid JSON: {exc.msg}", "GeoJSON")]
    if not _has_multipolygon(data):
        return [
            Problem(
                path,
                1,
                "file",
                "has no MultiPolygon geometry",
                "Apple asks for one MultiPolygon of the regions the app routes in",
                Severity.WARNING,
            )
        ]
    return []


def _has_multipolygon(node: Any) -> bool:
    if isinstance(node, dict):
        return node.get("type") == "MultiPolygon" or any(
            _has_multipolygon(v) for v in node.values()
        )
    if isinstance(node, list):
        return any(_has_multipolygon(v) for v in node)
    return False


ROUTING_COVERAGE = RoutingCoverage()

__all__ = ["ROUTING_COVERAGE", "check_geojson"]
