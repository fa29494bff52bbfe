"""The resource kinds ascsync manages, in the order they load, read, plan and write.

Adding a kind is one module in ``ascsync/kinds/`` plus one line in :data:`KINDS`. Order
matters where a kind reads another's result: the app record first (every kind reads
``app.yml``), the version before its localizations, the localizations before their
screenshots. Availability comes before the app record so its changes lead the plan, as
a price or storefront change is the first thing a reviewer looks for.

The helpers below bind the generic layers (loader, validation, schemas, layout docs,
messages) to this registry, for the commands and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ascsync.desired.loader import load_repo as _load_with
from ascsync.desired.model import App, DesiredRepo, FileKind, compose_files
from ascsync.desired.schema import render_layout_doc
from ascsync.desired.validate import Report
from ascsync.desired.validate import validate_repo as _validate_with
from ascsync.kinds.accessibility import ACCESSIBILITY
from ascsync.kinds.age_rating import AGE_RATING
from ascsync.kinds.app_events import APP_EVENTS
from ascsync.kinds.app_record import APP
from ascsync.kinds.availability import AVAILABILITY
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.beta_app import BETA_APP
from ascsync.kinds.beta_groups import BETA_GROUPS
from ascsync.kinds.builds import BUILDS_KIND
from ascsync.kinds.custom_product_pages import CUSTOM_PRODUCT_PAGES
from ascsync.kinds.eula import EULA
from ascsync.kinds.experiments import PRODUCT_PAGE_TESTS
from ascsync.kinds.in_app_purchases import IN_APP_PURCHASES
from ascsync.kinds.locales import LOCALES
from ascsync.kinds.media import MEDIA
from ascsync.kinds.phased_release import PHASED_RELEASE
from ascsync.kinds.routing_coverage import ROUTING_COVERAGE
from ascsync.kinds.subscription_offers import SUBSCRIPTION_OFFERS
from ascsync.kinds.subscriptions import SUBSCRIPTION_GROUPS
from ascsync.kinds.version import VERSION
from ascsync.problems import Problem

KINDS: tuple[ResourceKind[Any, Any], ...] = (
    AVAILABILITY,
    APP,
    VERSION,
    PHASED_RELEASE,
    AGE_RATING,
    LOCALES,
    MEDIA,
    CUSTOM_PRODUCT_PAGES,
    APP_EVENTS,
    PRODUCT_PAGE_TESTS,
    ROUTING_COVERAGE,
    IN_APP_PURCHASES,
    SUBSCRIPTION_GROUPS,
    SUBSCRIPTION_OFFERS,
    EULA,
    ACCESSIBILITY,
    BETA_APP,
    BETA_GROUPS,
    BUILDS_KIND,
)

PLATFORM_KINDS: tuple[ResourceKind[Any, Any], ...] = tuple(k for k in KINDS if k.per_platform)
"""The kinds each other platform of an app has of its own (version, texts, screenshots)."""


def kinds_for(app: App) -> tuple[ResourceKind[Any, Any], ...]:
    """Every kind for an app itself; the per-platform ones for another of its platforms."""
    return KINDS if app.platform_of is None else PLATFORM_KINDS


FILES: Mapping[str, FileKind] = compose_files(
    (file for kind in KINDS for file in kind.files),
    (extra for kind in KINDS for extra in kind.adds_fields),
)
"""Every file kind of the layout with its composed field table, by name."""


def load_repo(root: Path, *, need_secrets: bool = False) -> tuple[DesiredRepo, list[Problem]]:
    """Read the repo at ``root`` with every kind (see :func:`ascsync.desired.loader.load_repo`)."""
    return _load_with(root, KINDS, FILES, need_secrets=need_secrets)


def validate_repo(root: Path, *, need_secrets: bool = False) -> Report:
    """Validate the repo at ``root`` offline with every kind's rules."""
    return _validate_with(root, KINDS, FILES, need_secrets=need_secrets)


def layout_doc() -> str:
    """``docs/repo-layout.md``, generated from the registry (a test keeps it current)."""
    lines = [line for kind in KINDS for line in kind.layout_lines()]
    return render_layout_doc(FILES, lines)


def nouns() -> dict[str, str]:
    """Address segment -> words, for messages (drift's "German subtitle")."""
    out: dict[str, str] = {}
    for kind in KINDS:
        out.update(kind.nouns)
    return out


def owners() -> tuple[str, ...]:
    """Address segments that own other resources (drift: "name of in-app purchase x")."""
    return tuple(segment for kind in KINDS for segment in kind.owners)


def kind(name: str) -> ResourceKind[Any, Any]:
    """The kind registered under ``name``."""
    return next(k for k in KINDS if k.name == name)


__all__ = [
    "FILES",
    "KINDS",
    "PLATFORM_KINDS",
    "kinds_for",
    "kind",
    "layout_doc",
    "load_repo",
    "nouns",
    "owners",
    "validate_repo",
]
