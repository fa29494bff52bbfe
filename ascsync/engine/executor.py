"""Carrying out compiled changes in dependency order, independent ones concurrently.

Three phases: creates, updates and uploads (with the deletions that make room for them,
``Change.makes_room``); then the other deletions; then reorders. So a partial apply never
deletes something before its replacement exists. A failed change stops its dependants
and nothing else, and the :class:`Report` says what was applied, what failed (with
Apple's message) and what was skipped. Running apply again converges: the next plan
holds only what is still missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from ascsync.api.client import ApiClient
from ascsync.engine.ops import Ids, Op
from ascsync.engine.plan import Action, Change
from ascsync.engine.slots import Slots
from ascsync.errors import AscsyncError

WAITERS_PER_SLOT = 32
"""Worker threads per slot: a change waiting for processing gives its slot away
(:func:`ascsync.engine.slots.idle`) and its thread waits; the others keep working."""

_BUILDING = frozenset({Action.CREATE, Action.UPDATE, Action.UPLOAD, Action.REPLACE})
"""The first phase; deletions and then reorders follow it."""


@dataclass
class Outcome:
    change: Change
    status: str  # applied | failed | skipped
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def by_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return not self.by_status("failed") and not self.by_status("skipped")


@dataclass
class _RunState:
    planned: set[str]
    succeeded: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)


def parent_of(address: str) -> str:
    """``...screenshots[T]`` for ``...screenshots[T][01.png]``: the container of an item."""
    return address.rsplit("[", 1)[0]


class Executor:
    """Runs compiled changes; deletions that make room go before creates beside them."""

    def __init__(
        self,
        client: ApiClient,
        ids: Ids,
        *,
        concurrency: int = 8,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.client = client
        self.ids = ids
        self.concurrency = concurrency
        self.on_outcome = on_outcome or (lambda outcome: None)
        self._slots = Slots(concurrency)

    def run(self, work: list[tuple[Change, Op]]) -> Report:
        report = Report()
        state = _RunState({c.address for c, _ in work})
        room = [w for w in work if w[0].action is Action.DELETE and w[0].makes_room]
        other_deletes = [w for w in work if w[0].action is Action.DELETE and w not in room]
        for batch in (
            room + [w for w in work if w[0].action in _BUILDING],
            other_deletes,
            [w for w in work if w[0].action is Action.REORDER],
        ):
            self._run_batch(batch, report, state)
        return report

    def _run_batch(self, batch: list[tuple[Change, Op]], report: Report, state: _RunState) -> None:
        deps = {c.address: set(c.after) & state.planned for c, _ in batch}
        room: dict[str, set[str]] = {}
        for change, _ in batch:
            if change.makes_room:
                room.setdefault(parent_of(change.address), set()).add(change.address)
        for change, _ in batch:  # creates into a container wait for the room made in it
            if change.action in _BUILDING:
                deps[change.address] |= room.get(parent_of(change.address), set())
        pending = {c.address: (c, o) for c, o in batch}
        rank = {c.address: index for index, (c, _) in enumerate(batch)}
        running: dict[Future[Outcome], str] = {}
        workers = max(1, self.concurrency) * WAITERS_PER_SLOT
        with ThreadPoolExecutor(max_workers=workers) as pool:
            while pending or running:
                for address in list(pending):
                    if deps[address] & state.failed:
                        change, _ = pending.pop(address)
                        self._finish(
                            report, Outcome(change, "skipped", "a change it depends on failed")
                        )
                        state.failed.add(address)
                    elif deps[address] <= state.succeeded:
                        change, op = pending.pop(address)
                        running[pool.submit(self._one, change, op, rank[address])] = address
                if not running:
                    if pending:  # waiting on something that is neither done nor failed
                        for address in list(pending):
                            change, _ = pending.pop(address)
                            self._finish(
                                report,
                                Outcome(change, "skipped", "its dependencies never completed"),
                            )
                            state.failed.add(address)
                    break
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in finished:
                    address = running.pop(future)
                    outcome = future.result()
                    self._finish(report, outcome)
                    target = state.succeeded if outcome.status == "applied" else state.failed
                    target.add(address)

    def _one(self, change: Change, op: Op, rank: int) -> Outcome:
        started = time.monotonic()
        try:
            with self._slots.held(rank):
                op.run(self.client, self.ids)
        except AscsyncError as error:
            return Outcome(change, "failed", str(error), time.monotonic() - started)
        return Outcome(change, "applied", None, time.monotonic() - started)

    def _finish(self, report: Report, outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        self.on_outcome(outcome)


__all__ = ["Executor", "Outcome", "Report", "parent_of"]
