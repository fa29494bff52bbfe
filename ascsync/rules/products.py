"""Enums and formats for what an app sells and how it ships: the app record itself,
in-app purchases, subscriptions and TestFlight groups.

Enum values are copied from Apple's OpenAPI 4.4.1 ([S]); never loaded at runtime. The
checks that apply them to a repo live with their resource kind (:mod:`ascsync.kinds`).
"""

from __future__ import annotations

import re

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
# [A] Copyright: "2008 Acme Inc." is Apple's example, but the field is free text: real
# listings use ranges ("2016-2019 Jane Doe") and a leading ©, and Apple accepts them. So
# only the years found are checked, and only with a warning.
COPYRIGHT_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
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
