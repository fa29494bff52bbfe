"""Finding out what an app has in App Store Connect when there is no repo yet (``pull``).

:func:`~ascsync.live.fetch_app` reads what a desired :class:`App` manages, so its request
budget stays small for ``plan``. ``pull`` wants *everything*: this module lists the
app's version, locales, products and TestFlight groups, and builds a "manage it all"
skeleton App from them. Feeding the skeleton to ``fetch_app`` then reads the whole live
state through the one code path plan and apply already trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient
from ascsync.desired.model import LIVE, App, Localization, MediaSet, Record, Value
from ascsync.errors import AscsyncError
from ascsync.live import AppNotFound, LiveApp, fetch_app
from ascsync.rules.states import EDITABLE_VERSION_STATES

ANY_TYPE = "*"
"""Display type of the placeholder media sets: asks ``fetch_app`` for every set of a locale."""


@dataclass
class Discovered:
    """What an app has live, named the way the repo names it."""

    app_id: str
    bundle_id: str
    name: str
    platform: str | None
    version: str | None
    version_state: str | None
    locales: list[str] = field(default_factory=list)
    in_app_purchases: list[str] = field(default_factory=list)  # product ids
    subscription_groups: dict[str, list[str]] = field(default_factory=dict)  # name -> ids
    beta_groups: list[str] = field(default_factory=list)


def discover(client: ApiClient, bundle_id: str, version: str | None = None) -> Discovered:
    """List the app's version (``version``, else the editable one, else the newest) and parts."""
    doc = client.get("/v1/apps", {"filter[bundleId]": bundle_id, "limit": 2})
    apps = [a for a in doc.resources() if a["attributes"].get("bundleId") == bundle_id]
    if not apps:
        raise AppNotFound(
            f"--app: no app with bundle id {bundle_id} in App Store Connect "
            "(check the bundle id, or create the app in the web UI first)"
        )
    app = apps[0]
    found = Discovered(
        app["id"], bundle_id, app["attributes"].get("name") or bundle_id, None, None, None
    )
    chosen = _choose_version(client, found.app_id, version)
    if chosen is not None:
        attributes = chosen["attributes"]
        found.version = attributes.get("versionString")
        found.version_state = attributes.get("appVersionState")
        found.platform = attributes.get("platform")
        found.locales = _version_locales(client, chosen["id"])
    found.in_app_purchases = _product_ids(client, found.app_id)
    found.subscription_groups = _subscription_groups(client, found.app_id)
    found.beta_groups = _beta_groups(client, found.app_id)
    return found


def _choose_version(client: ApiClient, app_id: str, wanted: str | None) -> dict[str, Any] | None:
    doc = client.get_all(
        f"/v1/apps/{app_id}/appStoreVersions",
        {
            "fields[appStoreVersions]": [
                "platform",
                "versionString",
                "appVersionState",
                "createdDate",
            ]
        },
    )
    versions = doc.resources()
    if wanted is not None:
        match = [v for v in versions if v["attributes"].get("versionString") == wanted]
        if not match:
            known = ", ".join(sorted({v["attributes"].get("versionString") for v in versions}))
            raise AscsyncError(
                f"--version: no version {wanted} in App Store Connect (known: {known or 'none'})"
            )
        return match[0]
    editable = [
        v for v in versions if v["attributes"].get("appVersionState") in EDITABLE_VERSION_STATES
    ]
    pool = editable or versions
    if not pool:
        return None
    return max(pool, key=lambda v: v["attributes"].get("createdDate") or "")


def _version_locales(client: ApiClient, version_id: str) -> list[str]:
    doc = client.get_all(
        f"/v1/appStoreVersions/{version_id}/appStoreVersionLocalizations",
        {"fields[appStoreVersionLocalizations]": ["locale"]},
    )
    return sorted({r["attributes"]["locale"] for r in doc.resources()})


def _product_ids(client: ApiClient, app_id: str) -> list[str]:
    doc = client.get_all(
        f"/v1/apps/{app_id}/inAppPurchasesV2", {"fields[inAppPurchases]": ["productId"]}
    )
    return [r["attributes"]["productId"] for r in doc.resources()]


def _subscription_groups(client: ApiClient, app_id: str) -> dict[str, list[str]]:
    groups = client.get_all(f"/v1/apps/{app_id}/subscriptionGroups").resources()
    out: dict[str, list[str]] = {}
    for group in groups:
        subs = client.get_all(f"/v1/subscriptionGroups/{group['id']}/subscriptions")
        name = group["attributes"]["referenceName"]
        out[name] = [s["attributes"]["productId"] for s in subs.resources()]
    return out


def _beta_groups(client: ApiClient, app_id: str) -> list[str]:
    doc = client.get_all("/v1/betaGroups", {"filter[app]": app_id})
    return [r["attributes"]["name"] for r in doc.resources()]


def skeleton(found: Discovered, folder: Path) -> App:
    """An App that manages everything ``found`` lists (values are placeholders).

    ``fetch_app`` only looks at which keys, locales, sets and products a desired App
    has; this one has them all, so the live App it returns is the complete state.
    """
    record = Record(
        LIVE,
        {
            "bundle_id": Value(found.bundle_id, LIVE),
            # placeholders: they make the live reader fetch availability and price
            "availability.territories": Value(None, LIVE),
            "price.base_territory": Value(None, LIVE),
        },
    )
    if found.platform:
        record.attrs["platform"] = Value(found.platform, LIVE)
    app = App(folder.name, folder, record)
    if found.version is not None:
        app.version = Record(LIVE, {"version": Value(found.version, LIVE)})
    for code in found.locales:
        loc = Localization(code, Record(LIVE))
        loc.screenshot_sets[ANY_TYPE] = MediaSet(ANY_TYPE, folder)
        loc.preview_sets[ANY_TYPE] = MediaSet(ANY_TYPE, folder)
        app.localizations[code] = loc
    for product_id in found.in_app_purchases:
        app.in_app_purchases[product_id] = Record(
            LIVE,
            {
                "product_id": Value(product_id, LIVE),
                "price.base_territory": Value(None, LIVE),
            },
        )
    for name, product_ids in found.subscription_groups.items():
        group = Record(LIVE, {"reference_name": Value(name, LIVE)})
        group.lists["subscriptions"] = [
            Record(
                LIVE,
                {f"subscriptions[{i}].product_id": Value(pid, LIVE)},
                lists={f"subscriptions[{i}].prices": []},
            )
            for i, pid in enumerate(product_ids)
        ]
        app.subscription_groups[name] = group
    app.beta_app = Record(LIVE, maps={"localizations": {}})
    for name in found.beta_groups:
        app.beta_groups[name] = Record(LIVE, {"name": Value(name, LIVE)})
    return app


def fetch_everything(
    client: ApiClient, bundle_id: str, folder: Path, version: str | None = None
) -> tuple[Discovered, LiveApp]:
    """The app's complete live state, read through :func:`~ascsync.live.fetch_app`."""
    found = discover(client, bundle_id, version)
    live = fetch_app(client, skeleton(found, folder))
    if found.platform:
        live.model.record.attrs["platform"] = Value(found.platform, LIVE)
    return found, live


__all__ = ["ANY_TYPE", "Discovered", "discover", "fetch_everything", "skeleton"]
