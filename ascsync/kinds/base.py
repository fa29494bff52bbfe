"""What a resource kind is: everything ascsync knows about one kind of App Store resource.

A resource kind (age rating, locales, screenshots, in-app purchases, beta groups...) keeps
in one module what used to be spread over a dozen: its files and field table, its
offline checks, how it reads live state (and with which requests), how it plans changes,
how it compiles a change into API calls, how ``pull`` and ``drift --write`` write it
back, which API types it creates and deletes, and its nouns for messages. Like a
Terraform provider's resource (schema and CRUD in one file) or an octoDNS record type.

:class:`ResourceKind` is that protocol, with defaults for what a kind does not need: a
kind subclasses it, sets the attributes that apply and overrides the hooks it uses. The
registry (:mod:`ascsync.kinds.registry`) lists the kinds in the order they load, read,
plan and write; the engine loops over it and never imports a kind. Each lower layer
declares, as a ``Protocol``, only the part it calls (``RepoPart`` for loading,
``LiveKind`` for reading, ``PlanKind`` for planning...), and this class satisfies them
all. ``docs/extending.md`` walks through adding a kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import App, FileFields, FileKind
from ascsync.desired.scaffold import NewApp, StarterFile
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import Include, LiveApp, LiveContext
from ascsync.engine.ops import Ids, Op, failing_op
from ascsync.engine.plan import Change
from ascsync.engine.planner import Planner
from ascsync.io.media_download import MediaReport
from ascsync.io.repo_writer import RepoWriter
from ascsync.problems import Problem

D = TypeVar("D")  # what the kind loads from the repo (and reads live in the same shape)
S = TypeVar("S")  # what the kind keeps of the live state: ids and states


class ResourceKind(Generic[D, S]):
    """One kind of App Store Connect resource; see the module docstring."""

    name: ClassVar[str]
    """Registry key and the key of its part in :attr:`App.parts` / :attr:`LiveApp.states`."""

    # -- the repo ----------------------------------------------------------------------
    files: ClassVar[tuple[FileKind, ...]] = ()
    """File kinds it owns (their field tables)."""
    adds_fields: ClassVar[tuple[FileFields, ...]] = ()
    """Fields it adds to files other kinds own (availability in ``app.yml``)."""
    layout: ClassVar[tuple[str, ...]] = ()
    """Lines of the layout tree in ``docs/repo-layout.md`` (default: its files' paths)."""

    # -- App Store Connect ---------------------------------------------------------------
    includes: ClassVar[tuple[Include, ...]] = ()
    """Relationships it needs shared reads (:class:`~ascsync.engine.live.SharedRead`) to
    include."""
    depends_on: ClassVar[tuple[str, ...]] = ()
    """Kinds whose live state it reads (they are read first)."""
    compiles: ClassVar[tuple[str, ...]] = ()
    """JSON:API types of the changes it plans, which it compiles into API calls."""
    deletes: ClassVar[tuple[str, ...]] = ()
    """JSON:API types it may delete (or unlink): all counted by the deletion guard."""
    per_platform: ClassVar[bool] = False
    """True when each platform of an app has its own of this kind (a version, its texts and
    screenshots); such a kind also loads, reads and plans ``app.platforms``."""
    deletes_whole: ClassVar[tuple[str, ...]] = ()
    """Those of :attr:`deletes` that remove a whole thing (a locale's listing, a set of
    screenshots, a tester) rather than an item of one: a non-interactive apply deletes
    them only with ``--allow-delete``, whatever the counts."""

    # -- words ---------------------------------------------------------------------------
    nouns: ClassVar[Mapping[str, str]] = {}
    """Address segment -> words for messages (``{"iap": "in-app purchase"}``)."""
    owners: ClassVar[tuple[str, ...]] = ()
    """Address segments that own others (drift says "name of in-app purchase x")."""
    not_pulled: ClassVar[tuple[str, ...]] = ()
    """What ``pull`` cannot write for this kind, said in its summary."""

    # -- accessors -----------------------------------------------------------------------

    def desired(self, app: App) -> D | None:
        """This kind's part of a repo app (or of a live app's model), if managed."""
        part: D | None = app.parts.get(self.name)
        return part

    def state(self, live: LiveApp) -> S | None:
        """What this kind kept of the live state (ids, states), if it read anything."""
        state: S | None = live.states.get(self.name)
        return state

    @property
    def paths(self) -> tuple[str, ...]:
        """Where its files live, for the app folder check and the layout reference."""
        return tuple(kind.path for kind in self.files) + self.layout_extra()

    def layout_extra(self) -> tuple[str, ...]:
        """Paths it reads that are not YAML file kinds (media folders)."""
        return ()

    def layout_lines(self) -> tuple[str, ...]:
        return self.layout or self.paths

    # -- the repo ----------------------------------------------------------------------

    def load(self, loader: RepoLoader, app: App) -> None:
        """Read its files of ``app`` into ``app.parts[name]`` (absent: not managed)."""

    def check(self, app: App) -> list[Problem]:
        """Rules across several values (each value's own rules run while loading)."""
        return []

    def starter_files(self, app: NewApp) -> list[StarterFile]:
        """Example files ``ascsync init`` writes for a new app."""
        return []

    # -- reading, planning -----------------------------------------------------------------

    def read(self, ctx: LiveContext) -> S | None:
        """Read what ``ctx.desired`` manages of this kind; fill ``ctx.live.model``."""
        return None

    def snapshot(self, live: LiveApp) -> Any:
        """Plain data of what was read, for the plan's fingerprint."""
        return None

    def plan(self, planner: Planner) -> None:
        """Add the changes that make App Store Connect match the repo."""

    # -- applying --------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        """The API calls of one of its changes (``change.resource`` in :attr:`compiles`)."""
        return failing_op(
            f"ascsync cannot apply {change.action.value} on {change.resource} yet; "
            "it stays as it is in App Store Connect"
        )

    def seed_ids(self, ids: Ids, desired: App, live: LiveApp) -> None:
        """Register live ids under the addresses its changes refer to."""

    def live_counts(self, live: LiveApp) -> Counter[str]:
        """How many resources of each type in :attr:`deletes` exist live (deletion guard)."""
        return Counter()

    # -- pull and drift --write ---------------------------------------------------------------

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        """For ``pull``: make ``skeleton`` manage everything of this kind the app has."""

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        """Write the live part into the repo's files (``pull``, ``drift --write``)."""

    def not_live(self, live: App, desired: App) -> list[Path]:
        """Repo files of things App Store Connect no longer has (kept, and said so)."""
        return []

    def pull_files(self, live: LiveApp, folder: Path) -> MediaReport | None:
        """Download the binary files of this kind (screenshots) into ``folder``."""
        return None


__all__ = ["ApplyContext", "Discovery", "ResourceKind"]
