"""From a plan to the API work of each change, through the kind that planned it.

Each resource kind declares the JSON:API types it ``compiles``; a change goes to the kind
of its ``resource``. A kind that cannot compile a change (its live id vanished, the repo
no longer has the item) gives an op that fails that change alone when run, so the rest
of the plan still goes through and the report names what failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ascsync.desired.model import App
from ascsync.engine.live import LiveApp
from ascsync.engine.ops import Ids, Op, failing_op
from ascsync.engine.plan import Change
from ascsync.engine.uploads import UploadSettings
from ascsync.errors import AscsyncError


@dataclass
class ApplyContext:
    """What compiling one app's changes works with."""

    desired: App
    live: LiveApp
    checksum: Callable[[Path], str]
    uploads: UploadSettings


class ApplyKind(Protocol):
    """What apply asks of a resource kind (:mod:`ascsync.kinds.base`)."""

    @property
    def name(self) -> str: ...

    @property
    def compiles(self) -> tuple[str, ...]: ...

    def compile(self, change: Change, ctx: ApplyContext) -> Op: ...

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None: ...


def compilers(kinds: Sequence[ApplyKind]) -> dict[str, ApplyKind]:
    """The kind that compiles each JSON:API type; two kinds may not claim one type.

    Each kind is also listed under its name, for changes that name their kind
    (``Change.kind``: a type two kinds plan, such as ``appScreenshots``)."""
    out: dict[str, ApplyKind] = {}
    for kind in kinds:
        for resource in kind.compiles:
            if resource in out:
                raise AssertionError(
                    f"{resource} is compiled by both {out[resource].name} and {kind.name}"
                )
            out[resource] = kind
    for kind in kinds:
        if kind.name in out:
            raise AssertionError(f"kind name {kind.name!r} is also a JSON:API type")
        out[kind.name] = kind
    return out


def compile_change(change: Change, ctx: ApplyContext, by_type: dict[str, ApplyKind]) -> Op:
    """The op for ``change``; unknown types and compile errors fail the change alone."""
    kind = by_type.get(change.kind or change.resource)
    if kind is None:
        return failing_op(
            f"ascsync cannot apply {change.action.value} on {change.resource} yet; "
            "it stays as it is in App Store Connect"
        )
    try:
        return kind.compile(change, ctx)
    except AscsyncError as error:
        return failing_op(str(error))
    except KeyError as error:  # the repo no longer has what the change names
        return failing_op(f"{change.address}: {error} not found")


def seed_ids(ids: Ids, kinds: Sequence[ApplyKind], desired: App, live: LiveApp) -> None:
    """Every kind registers its live ids under the addresses its changes use."""
    for kind in kinds:
        kind.seed_ids(ids, desired, live)


__all__ = [
    "ApplyContext",
    "ApplyKind",
    "compile_change",
    "compilers",
    "seed_ids",
]
