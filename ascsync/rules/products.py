"""Enums and formats for what an app sells and how it ships: the app record itself,
in-app purchases, subscriptions and TestFlight groups.

Enum values are copied from Apple's OpenAPI 4.4.1 ([S]); never loaded at runtime.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from ascsync.problems import Problem, Severity

if TYPE_CHECKING:  # model.py imports this module's data; avoid the import cycle at runtime
    from ascsync.desired.model import Record

# --- the app ([S] Platform, contentRightsDeclaration, AppStoreVersion.releaseType)
PLATFORMS = ("IOS", "MAC_OS", "TV_OS", "VISION_OS")
CONTENT_RIGHTS = ("DOES_NOT_USE_THIRD_PARTY_CONTENT", "USES_THIRD_PARTY_CONTENT")
RELEASE_TYPES = ("MANUAL", "AFTER_APPROVAL", "SCHEDULED")  # SCHEDULED needs earliest_date

# [F] app_category.rb: the appCategories ids.
CATEGORIES = (
    "BOOKS", "BUSINESS", "DEVELOPER_TOOLS", "EDUCATION", "ENTERTAINMENT", "FINANCE",
    "FOOD_AND_DRINK", "GAMES", "GRAPHICS_AND_DESIGN", "HEALTH_AND_FITNESS", "LIFESTYLE",
    "MAGAZINES_AND_NEWSPAPERS", "MEDICAL", "MUSIC", "NAVIGATION", "NEWS", "PHOTO_AND_VIDEO",
    "PRODUCTIVITY", "REFERENCE", "SHOPPING", "SOCIAL_NETWORKING", "SPORTS", "STICKERS",
    "TRAVEL", "UTILITIES", "WEATHER",
)  # fmt: skip
SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "GAMES": tuple(
        "GAMES_" + s
        for s in [
            "ACTION",
            "ADVENTURE",
            "BOARD",
            "CARD",
            "CASINO",
            "CASUAL",
            "FAMILY",
            "MUSIC",
            "PUZZLE",
            "RACING",
            "ROLE_PLAYING",
            "SIMULATION",
            "SPORTS",
            "STRATEGY",
            "TRIVIA",
            "WORD",
        ]
    ),
    "STICKERS": tuple(
        "STICKERS_" + s
        for s in [
            "ANIMALS",
            "ART",
            "CELEBRATIONS",
            "CELEBRITIES",
            "CHARACTERS",
            "EATING_AND_DRINKING",
            "EMOJI_AND_EXPRESSIONS",
            "FASHION",
            "GAMING",
            "KIDS_AND_FAMILY",
            "MOVIES_AND_TV",
            "MUSIC",
            "PEOPLE",
            "PLACES_AND_OBJECTS",
            "SPORTS_AND_ACTIVITIES",
        ]
    ),
}
MAX_SUBCATEGORIES = 2  # [S] primarySubcategoryOne/Two

# [A] BundleResources: digits and periods; ASC accepts 1-3 components.
VERSION_STRING = re.compile(r"^\d+(\.\d+){0,2}$")
# [A] glossary: A-Z a-z 0-9 - . reverse-DNS
BUNDLE_ID = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# [A] App information: letters, numbers, - . _, not starting with - . _
SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# [A] Copyright: "2008 Acme Inc." — a year first, then the owner.
COPYRIGHT = re.compile(r"^(\d{4})\s+\S")
# Apple territory ids are ISO 3166 alpha-3; the storefront list is fetched live.
TERRITORY = re.compile(r"^[A-Z]{3}$")
PRICE = re.compile(r"^\d+(\.\d{1,2})?$")

# --- in-app purchases and subscriptions
IAP_TYPES = ("CONSUMABLE", "NON_CONSUMABLE", "NON_RENEWING_SUBSCRIPTION")  # [S]
SUBSCRIPTION_PERIODS = (  # [S] SubscriptionPeriod
    "ONE_WEEK", "ONE_MONTH", "TWO_MONTHS", "THREE_MONTHS", "SIX_MONTHS", "ONE_YEAR",
)  # fmt: skip
# [A] QA1329: letters, digits, '.', '_'; the 2026 Help page also lists '-' (warning only).
PRODUCT_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
PRODUCT_ID_STRICT = re.compile(r"^[A-Za-z0-9._]+$")
PRODUCT_ID_MAX = 100
# [A] subscription group display names: no control characters, markup or emoji.
CONTROL_OR_MARKUP = re.compile(r"[\x00-\x1f\x7f<>]")

# --- TestFlight
MAX_PUBLIC_LINK_LIMIT = 10_000  # [A] external testers per app


# ------------------------------------------------------------------- checks
# Each takes loaded records (see ascsync.desired.model.Record) and returns problems.


def check_categories(app: Record) -> list[Problem]:
    """Subcategories exist only under GAMES/STICKERS and must belong to their category."""
    problems = []
    for slot in ("primary", "secondary"):
        parent = app.get(f"categories.{slot}")
        key = f"categories.{slot}_subcategories"
        subs = app.get(key) or []
        for sub in subs:
            allowed = SUBCATEGORIES.get(parent or "", ())
            if sub in allowed:
                continue
            where = app.where(key)
            if not allowed:
                problems.append(
                    where.problem(key, f"{sub} needs {slot} GAMES or STICKERS, not {parent}")
                )
            else:
                problems.append(where.problem(key, f"{sub} is not a {parent} subcategory"))
    primary, secondary = app.get("categories.primary"), app.get("categories.secondary")
    if primary and primary == secondary:
        problems.append(
            app.where("categories.secondary").problem(
                "categories.secondary", f"is the same as the primary category {primary}"
            )
        )
    return problems


def check_version(version: Record, *, today: dt.date | None = None) -> list[Problem]:
    """Release schedule coherence, copyright year, demo account completeness."""
    today = today or dt.date.today()
    problems = []
    release, date = version.get("release.type"), version.get("release.earliest_date")
    if release == "SCHEDULED" and not date:
        problems.append(
            version.where("release.type").problem(
                "release.earliest_date", "is required for a SCHEDULED release", "an ISO-8601 date"
            )
        )
    elif date and release is not None and release != "SCHEDULED":
        problems.append(
            version.where("release.earliest_date").problem(
                "release.earliest_date",
                f"is ignored for a {release} release",
                "set release.type: SCHEDULED or remove it",
                Severity.WARNING,
            )
        )
    copyright_text = version.get("copyright")
    match = COPYRIGHT.match(copyright_text) if isinstance(copyright_text, str) else None
    if match and int(match.group(1)) > today.year:
        problems.append(
            version.where("copyright").problem(
                "copyright", f"year {match.group(1)} is in the future", f"{today.year} or earlier"
            )
        )
    problems += check_demo_account(version, "review.demo_account")
    return problems


def check_demo_account(record: Record, prefix: str) -> list[Problem]:
    """App Review needs a name and a password when a demo account is required ([A])."""
    if record.get(f"{prefix}.required") is not True:
        return []
    return [
        record.where(f"{prefix}.required").problem(
            f"{prefix}.{key}", "is required when demo_account.required is true"
        )
        for key in ("name", "password")
        if record.attrs.get(f"{prefix}.{key}") is None or record.get(f"{prefix}.{key}") is None
    ]


def check_product_ids(iaps: dict[str, Record], groups: dict[str, Record]) -> list[Problem]:
    """Product ids are unique across in-app purchases and subscriptions ([A]); '-' warns."""
    problems = []
    seen: dict[str, Record] = {}
    items = [(pid, rec, "product_id") for pid, rec in iaps.items()]
    for group in groups.values():
        for i, sub in enumerate(group.lists.get("subscriptions", [])):
            items.append(
                (sub.get(f"subscriptions[{i}].product_id"), sub, f"subscriptions[{i}].product_id")
            )
    for pid, record, key in items:
        if not isinstance(pid, str):
            continue
        if pid in seen and seen[pid] is not record:
            problems.append(
                record.where(key).problem(key, f"{pid!r} is already used", "unique within the app")
            )
        seen.setdefault(pid, record)
        if PRODUCT_ID.match(pid) and not PRODUCT_ID_STRICT.match(pid):
            problems.append(
                record.where(key).problem(
                    key,
                    f"{pid!r} contains '-'",
                    "Apple's QA1329 allows only letters, digits, '.' and '_'",
                    Severity.WARNING,
                )
            )
    return problems


def check_subscription_group(group: Record) -> list[Problem]:
    """Group display names carry no markup/control characters; levels; at least one locale."""
    problems = []
    for code, loc in group.maps.get("localizations", {}).items():
        key = f"localizations.{code}.name"
        name = loc.get(key)
        if isinstance(name, str) and CONTROL_OR_MARKUP.search(name):
            problems.append(
                loc.where(key).problem(key, "contains markup or control characters", "plain text")
            )
    subs = group.lists.get("subscriptions", [])
    if not subs:
        problems.append(
            group.source.problem("subscriptions", "is empty", "a group needs one subscription")
        )
    problems += _needs_localization(group, "localizations", "the group")
    for i, sub in enumerate(subs):
        problems += _needs_localization(sub, f"subscriptions[{i}].localizations", "a subscription")
        problems += _unique_territories(sub, f"subscriptions[{i}].prices")
    return problems


def _unique_territories(sub: Record, key: str) -> list[Problem]:
    """One price per territory: a second one would silently win or be refused by Apple."""
    problems, seen = [], set()
    for j, price in enumerate(sub.lists.get(key, [])):
        field = f"{key}[{j}].territory"
        territory = price.get(field)
        if territory in seen:
            problems.append(
                price.where(field).problem(
                    field, f"{territory} has a price already", "one per territory"
                )
            )
        seen.add(territory)
    return problems


def check_in_app_purchase(iap: Record) -> list[Problem]:
    return _needs_localization(iap, "localizations", "an in-app purchase")


def _needs_localization(record: Record, key: str, what: str) -> list[Problem]:
    if record.maps.get(key):
        return []
    return [
        record.source.problem(
            key, f"{what} needs at least one localization", "localizations: {en-US: {name: ...}}"
        )
    ]


def check_beta_group(group: Record) -> list[Problem]:
    """Public links and their limits exist only on external groups."""
    problems = []
    if group.get("internal") is True and group.get("public_link.enabled") is True:
        problems.append(
            group.where("public_link.enabled").problem(
                "public_link.enabled",
                "internal groups cannot have a public link",
                "internal: false",
            )
        )
    seen: set[str] = set()
    for i, tester in enumerate(group.lists.get("testers", [])):
        key = f"testers[{i}].email"
        email = tester.get(key)
        if isinstance(email, str):
            if email.casefold() in seen:
                problems.append(
                    tester.where(key).problem(key, f"{email} is listed twice", "remove one")
                )
            seen.add(email.casefold())
    return problems


def check_platform_fields(app: Record) -> list[Problem]:
    """Keys that only mean something on some platforms (Apple ignores them elsewhere)."""
    platform = app.get("platform")
    if app.get("supports_ipad") is True and platform != "IOS":
        return [
            app.where("supports_ipad").problem(
                "supports_ipad", f"has no effect for {platform}", "iOS apps only", Severity.WARNING
            )
        ]
    return []


def check_external_testing(beta_app: Record | None, groups: dict[str, Record]) -> list[Problem]:
    """[A] External testing needs a beta description and feedback email in some locale."""
    external = [g for g in groups.values() if g.get("internal") is not True]
    if not external:
        return []
    localizations = beta_app.maps.get("localizations", {}) if beta_app else {}
    for code, loc in localizations.items():
        prefix = f"localizations.{code}"
        if loc.get(f"{prefix}.description") and loc.get(f"{prefix}.feedback_email"):
            return []
    group = external[0]
    return [
        group.where("internal").problem(
            "internal",
            "external groups need test information",
            "add testflight/beta-app.yml with a description and feedback_email",
            Severity.WARNING,
        )
    ]
