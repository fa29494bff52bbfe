"""Finding out what an app has in App Store Connect when there is no repo yet (``pull``).

:func:`~ascsync.engine.live.fetch_app` reads what a desired :class:`App` manages, so its
request budget stays small for ``plan``. ``pull`` wants *everything*: each resource kind
lists what the app has of it and marks it managed in a "manage it all" skeleton App.
Feeding the skeleton to ``fetch_app`` then reads the whole live state through the one
code path plan and apply already trust.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ascsync.api.client import ApiClient
from ascsync.desired.model import LIVE, App, Record, Value
from ascsync.engine.live import AppNotFound, LiveApp, LiveKind, fetch_app, find_app


@dataclass
class Discovery:
    """``pull``'s first look at an app: what each kind found, shared in registry order.

    A kind stores what later kinds need under its name in ``found`` (the version kind
    stores the version it chose, whose localizations the locales kind lists).
    """

    client: ApiClient
    app_id: str
    version: str | None  # ``pull --version``
    found: dict[str, Any] = field(default_factory=dict)


class DiscoveringKind(LiveKind, Protocol):
    """What ``pull`` asks of a resource kind (:mod:`ascsync.kinds.base`)."""

    def discover(self, discovery: Discovery, skeleton: App) -> None: ...


def fetch_everything(
    client: ApiClient,
    bundle_id: str,
    folder: Path,
    kinds: Sequence[DiscoveringKind],
    version: str | None = None,
) -> LiveApp:
    """The app's complete live state, read through :func:`~ascsync.engine.live.fetch_app`."""
    app = find_app(client, bundle_id)
    if app is None:
        raise AppNotFound(
            f"--app: no app with bundle id {bundle_id} in App Store Connect "
            "(check the bundle id, or create the app in the web UI first)"
        )
    skeleton = App(folder.name, folder, Record(LIVE, {"bundle_id": Value(bundle_id, LIVE)}))
    discovery = Discovery(client, app["id"], version)
    for kind in kinds:
        kind.discover(discovery, skeleton)
    return fetch_app(client, skeleton, kinds)


__all__ = ["Discovery", "DiscoveringKind", "fetch_everything"]
