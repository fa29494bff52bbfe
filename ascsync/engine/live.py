"""Reading an app's live state from App Store Connect, one resource kind at a time.

The engine finds the app by its bundle id (one request), then lets every resource kind
read what the desired :class:`~ascsync.desired.model.App` manages, each on its own
thread so independent chains of requests overlap. Two things keep the request budget
small without any kind knowing another's internals:

* A :class:`SharedRead` is one request several kinds read from (an app's app infos, the
  version being prepared). Each kind adds the relationships it needs to its ``include``
  through an :class:`Include`; the engine merges them and sends the request once.
* A kind that needs another kind's result (screenshots need the ids of the version
  localizations) names it in ``depends_on`` and waits for it with
  :meth:`LiveContext.state_of`; the engine refuses dependency cycles up front.

The live result has the repo's shape (:attr:`LiveApp.model`, filled by the kinds through
the same field tables the loader uses) plus, per kind, the ids and states apply needs
(:attr:`LiveApp.states`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ascsync.api.client import ApiClient, ApiError
from ascsync.api.jsonapi import Document
from ascsync.desired.model import LIVE, App, Record
from ascsync.errors import AscsyncError

T = TypeVar("T")


class AppNotFound(AscsyncError):
    """The bundle id is not an app of this account (the API cannot create apps)."""


@dataclass
class LiveApp:
    """The live state of one app: the model view plus what apply needs to address it."""

    app_id: str
    model: App
    """Live values in the repo's shape; each kind fills its part (and app.yml's keys)."""
    resource: dict[str, Any] = field(default_factory=dict)
    """The ``apps`` resource as read (attributes of the app record)."""
    states: dict[str, Any] = field(default_factory=dict)
    """Per kind name: the ids and states that kind read (its own type)."""


@dataclass(frozen=True)
class SharedRead:
    """One request whose answer several kinds read.

    ``fetch(ctx, includes)`` sends it with the merged includes of every kind, or returns
    ``None`` when the desired app gives it nothing to ask (no version in the repo).
    """

    key: str
    fetch: Callable[[LiveContext, tuple[Include, ...]], Document | None]


@dataclass(frozen=True)
class Include:
    """A relationship a kind needs ``read`` to include (``limit`` caps a to-many one)."""

    read: SharedRead
    relationship: str
    limit: int | None = None


def include_params(includes: tuple[Include, ...]) -> dict[str, Any]:
    """``include`` and ``limit[...]`` query parameters for merged includes."""
    params: dict[str, Any] = {"include": [i.relationship for i in includes]}
    for item in includes:
        if item.limit is not None:
            params[f"limit[{item.relationship}]"] = item.limit
    return params


class LiveKind(Protocol):
    """What reading live state asks of a resource kind (:mod:`ascsync.kinds.base`)."""

    @property
    def name(self) -> str: ...

    @property
    def includes(self) -> tuple[Include, ...]: ...

    @property
    def depends_on(self) -> tuple[str, ...]: ...

    def read(self, ctx: LiveContext) -> Any:
        """Read what ``ctx.desired`` manages; fill ``ctx.live.model``; return the state."""
        ...

    def snapshot(self, live: LiveApp) -> Any:
        """Plain data of what was read, for the plan's fingerprint."""
        ...


class LiveContext:
    """What a kind's ``read`` works with: the client, a pool for fan-out, the desired app,
    the live app being filled, shared reads and the other kinds' results."""

    def __init__(
        self,
        client: ApiClient,
        pool: ThreadPoolExecutor,
        desired: App,
        live: LiveApp,
        kinds: Sequence[LiveKind],
    ) -> None:
        self.client = client
        self.pool = pool
        self.desired = desired
        self.live = live
        self._kinds = {kind.name: kind for kind in kinds}
        self._includes: dict[str, list[Include]] = {}
        for kind in kinds:
            for item in kind.includes:
                merged = self._includes.setdefault(item.read.key, [])
                if all(i.relationship != item.relationship for i in merged):
                    merged.append(item)
        self._shared: dict[str, Future[Document | None]] = {}
        self._lock = threading.Lock()
        self._done: dict[str, Future[Any]] = {}
        self._reading: threading.local = threading.local()

    def shared(self, read: SharedRead) -> Document | None:
        """The answer of ``read``, sent once for every kind that asks."""
        with self._lock:
            future = self._shared.get(read.key)
            owner = future is None
            if future is None:
                future = self._shared[read.key] = Future()
        if owner:
            includes = tuple(self._includes.get(read.key, ()))
            try:
                future.set_result(read.fetch(self, includes))
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()

    def state_of(self, name: str) -> Any:
        """Another kind's live state, once its read has finished (it must be a dependency)."""
        reader = getattr(self._reading, "kind", None)
        if reader is not None and name not in self._kinds[reader].depends_on:
            raise AssertionError(f"kind {reader!r} reads {name!r} without depending on it")
        return self._done[name].result()

    def run(self) -> None:
        """Every kind's read on its own thread; the first failure is raised."""
        for name, kind in self._kinds.items():
            self._done[name] = _in_thread(self._read_one, kind)
        for future in self._done.values():
            future.result()

    def _read_one(self, kind: LiveKind) -> Any:
        self._reading.kind = kind.name
        state = kind.read(self)
        self.live.states[kind.name] = state
        return state


def check_dependencies(kinds: Sequence[LiveKind]) -> None:
    """Kinds may wait for each other only along a known, acyclic chain."""
    names = {kind.name for kind in kinds}
    graph = {kind.name: tuple(kind.depends_on) for kind in kinds}
    for name, deps in graph.items():
        unknown = [d for d in deps if d not in names]
        if unknown:
            raise AssertionError(f"kind {name!r} depends on unknown kinds {unknown}")
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in visiting:
            raise AssertionError(f"kinds depend on each other in a cycle: {' -> '.join(path)}")
        visiting.add(name)
        for dep in graph[name]:
            visit(dep, (*path, dep))
        visiting.discard(name)
        done.add(name)

    for name in graph:
        visit(name, (name,))


def find_app(client: ApiClient, bundle_id: str) -> dict[str, Any] | None:
    """The ``apps`` resource with this bundle id, or ``None``."""
    doc = client.get("/v1/apps", {"filter[bundleId]": bundle_id, "limit": 2})
    apps = [a for a in doc.resources() if a["attributes"].get("bundleId") == bundle_id]
    return apps[0] if apps else None


def fetch_app(
    client: ApiClient,
    desired: App,
    kinds: Sequence[LiveKind],
    *,
    concurrency: int = 16,
    pool: ThreadPoolExecutor | None = None,
) -> LiveApp:
    """Read what App Store Connect has for the parts of ``desired`` the repo manages.

    ``pool`` lets several apps read at once share one bound on requests in flight.
    """
    check_dependencies(kinds)
    bundle_id = desired.record.get("bundle_id")
    app = find_app(client, bundle_id)
    if app is None:
        raise AppNotFound(
            f"{desired.record.where('bundle_id').file}: no app with bundle id {bundle_id} in "
            "App Store Connect (create the app in the web UI first; the API cannot create apps)"
        )
    live = LiveApp(app["id"], App(desired.name, desired.folder, Record(LIVE)), app)
    if pool is not None:
        LiveContext(client, pool, desired, live, kinds).run()
        return live
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as own:
        LiveContext(client, own, desired, live, kinds).run()
    return live


def snapshot(live: LiveApp, kinds: Sequence[LiveKind]) -> dict[str, Any]:
    """Everything read, as plain data, for the plan's fingerprint."""
    return {"app": live.app_id, **{kind.name: kind.snapshot(live) for kind in kinds}}


def _in_thread(fn: Callable[..., T], *args: Any) -> Future[T]:
    """Run ``fn(*args)`` on a new daemon thread, its outcome in a Future.

    Reads wait on one another, so they run on threads of their own and only their
    independent requests go to the pool (a pool worker waiting on the pool could
    deadlock a small pool).
    """
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed to whoever calls .result()
            future.set_exception(exc)

    threading.Thread(target=run, name=f"ascsync-{fn.__name__}", daemon=True).start()
    return future


def linked_id(resource: dict[str, Any], relationship: str) -> str | None:
    """The id in a to-one relationship's linkage (present only when it was included)."""
    data = ((resource.get("relationships") or {}).get(relationship) or {}).get("data")
    return data.get("id") if isinstance(data, dict) else None


def one_or_none(client: ApiClient, path: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """The to-one resource at ``path``; None when the app has none (Apple answers 404)."""
    try:
        doc = client.get(path, params)
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    data = doc.data
    return data if isinstance(data, dict) else None


def plain(record: Record | None) -> dict[str, Any] | None:
    """A record's flat values, sorted, for fingerprints."""
    if record is None:
        return None
    return {k: v.value for k, v in sorted(record.attrs.items())}


__all__ = [
    "AppNotFound",
    "Include",
    "LiveApp",
    "LiveContext",
    "LiveKind",
    "SharedRead",
    "check_dependencies",
    "fetch_app",
    "find_app",
    "include_params",
    "linked_id",
    "one_or_none",
    "plain",
    "snapshot",
]
