"""Carrying out a plan: every change compiled by its kind, then run in dependency order.

The one path from a plan to API calls, used by ``apply`` (which prints a progress line
per finished change through ``on_outcome``) and by the sandbox's rehearsal of a repo
(which starts the sandbox from the repo's own content).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ascsync.api.client import ApiClient
from ascsync.desired.model import App
from ascsync.engine.compiling import (
    ApplyContext,
    ApplyKind,
    compile_change,
    compilers,
    seed_ids,
)
from ascsync.engine.executor import Executor, Outcome, Report
from ascsync.engine.live import LiveApp
from ascsync.engine.ops import Ids
from ascsync.engine.plan import Change, Plan
from ascsync.engine.uploads import UploadSettings


def all_changes(plan: Plan) -> list[Change]:
    """The plan's changes in the order apply carries them out: exactly what was shown,
    no step added on the way."""
    return plan.ordered()


def carry_out(
    changes: list[Change],
    parts: list[tuple[App, LiveApp]],
    client: ApiClient,
    kinds: Sequence[ApplyKind],
    *,
    checksum: Callable[[Path], str],
    uploads: UploadSettings,
    concurrency: int = 8,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Report:
    """Compile each change with its kind and run them; the report says what happened."""
    ids = Ids()
    contexts = {
        desired.name: ApplyContext(desired, live, checksum, uploads) for desired, live in parts
    }
    for desired, live in parts:
        seed_ids(ids, kinds, desired, live)
    by_type = compilers(kinds)
    work = [(c, compile_change(c, contexts[c.app], by_type)) for c in changes]
    executor = Executor(client, ids, concurrency=concurrency, on_outcome=on_outcome)
    return executor.run(work)


__all__ = ["all_changes", "carry_out"]
