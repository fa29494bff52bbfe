"""What fastlane ``deliver`` means by its folders and files: facts, kept as data.

Each table says where deliver reads a value and where ascsync keeps it. The facts come
from fastlane's own source (``deliver/lib/deliver/upload_metadata.rb``, ``loader.rb``,
``app_screenshot.rb``, ``spaceship/.../app_category.rb``), summarised in
``/work/shared/reference/peers.md`` §1.1; code marked [F] follows fastlane, [U] marks a
guess about behaviour we could not confirm.
"""

from __future__ import annotations

import re

# <metadata>/<locale>/<file>.txt -> key in locales/<locale>.yml
LOCALE_FILES: dict[str, str] = {
    "name.txt": "name",
    "subtitle.txt": "subtitle",
    "privacy_url.txt": "privacy_policy_url",
    "apple_tv_privacy_policy.txt": "privacy_policy_text",
    "description.txt": "description",
    "keywords.txt": "keywords",
    "release_notes.txt": "whats_new",
    "support_url.txt": "support_url",
    "marketing_url.txt": "marketing_url",
    "promotional_text.txt": "promotional_text",
}
DEFAULT_LOCALE_FOLDER = "default"

# <metadata>/<file>.txt -> (main category key, subcategory index or None)
CATEGORY_FILES: dict[str, tuple[str, int | None]] = {
    "primary_category.txt": ("primary", None),
    "primary_first_sub_category.txt": ("primary", 0),
    "primary_second_sub_category.txt": ("primary", 1),
    "secondary_category.txt": ("secondary", None),
    "secondary_first_sub_category.txt": ("secondary", 0),
    "secondary_second_sub_category.txt": ("secondary", 1),
}

# Legacy iTunes Connect category names still found in deliver folders -> API ids
# (facts from spaceship's app_category.rb). Anything else is taken as an API id already.
LEGACY_CATEGORIES: dict[str, str] = {
    "Apps.Food_Drink": "FOOD_AND_DRINK",
    "Business": "BUSINESS",
    "Education": "EDUCATION",
    "SocialNetworking": "SOCIAL_NETWORKING",
    "Book": "BOOKS",
    "Sports": "SPORTS",
    "Finance": "FINANCE",
    "Reference": "REFERENCE",
    "Apps.GraphicsDesign": "GRAPHICS_AND_DESIGN",
    "Apps.DeveloperTools": "DEVELOPER_TOOLS",
    "Healthcare_Fitness": "HEALTH_AND_FITNESS",
    "Music": "MUSIC",
    "Weather": "WEATHER",
    "Travel": "TRAVEL",
    "Entertainment": "ENTERTAINMENT",
    "Stickers": "STICKERS",
    "Games": "GAMES",
    "Lifestyle": "LIFESTYLE",
    "Medical": "MEDICAL",
    "Apps.Newsstand": "MAGAZINES_AND_NEWSPAPERS",
    "Utilities": "UTILITIES",
    "Apps.Shopping": "SHOPPING",
    "Productivity": "PRODUCTIVITY",
    "News": "NEWS",
    "Photography": "PHOTO_AND_VIDEO",
    "Navigation": "NAVIGATION",
}
LEGACY_SUBCATEGORIES: dict[str, str] = {
    "Sports": "GAMES_SPORTS",
    "Word": "GAMES_WORD",
    "Music": "GAMES_MUSIC",
    "Adventure": "GAMES_ADVENTURE",
    "Action": "GAMES_ACTION",
    "RolePlaying": "GAMES_ROLE_PLAYING",
    "Arcade": "GAMES_CASUAL",
    "Board": "GAMES_BOARD",
    "Trivia": "GAMES_TRIVIA",
    "Card": "GAMES_CARD",
    "Puzzle": "GAMES_PUZZLE",
    "Casino": "GAMES_CASINO",
    "Strategy": "GAMES_STRATEGY",
    "Simulation": "GAMES_SIMULATION",
    "Racing": "GAMES_RACING",
    "Family": "GAMES_FAMILY",
    "Apps.Stickers.Places": "STICKERS_PLACES_AND_OBJECTS",
    "Apps.Stickers.Emotions": "STICKERS_EMOJI_AND_EXPRESSIONS",
    "Apps.Stickers.BirthdaysAndCelebrations": "STICKERS_CELEBRATIONS",
    "Apps.Stickers.Celebrities": "STICKERS_CELEBRITIES",
    "Apps.Stickers.MoviesAndTV": "STICKERS_MOVIES_AND_TV",
    "Apps.Stickers.Sports": "STICKERS_SPORTS_AND_ACTIVITIES",
    "Apps.Stickers.FoodAndDrink": "STICKERS_EATING_AND_DRINKING",
    "Apps.Stickers.Characters": "STICKERS_CHARACTERS",
    "Apps.Stickers.Animals": "STICKERS_ANIMALS",
    "Apps.Stickers.Fashion": "STICKERS_FASHION",
    "Apps.Stickers.Art": "STICKERS_ART",
    "Apps.Stickers.Games": "STICKERS_GAMING",
    "Apps.Stickers.KidsAndFamily": "STICKERS_KIDS_AND_FAMILY",
    "Apps.Stickers.People": "STICKERS_PEOPLE",
    "Apps.Stickers.Music": "STICKERS_MUSIC",
}

# review_information/<file>.txt -> path inside version.yml's ``review``; deliver still
# reads the older ``review_*`` names, so they are accepted too.
REVIEW_FILES: dict[str, tuple[str, ...]] = {
    "first_name.txt": ("contact", "first_name"),
    "last_name.txt": ("contact", "last_name"),
    "phone_number.txt": ("contact", "phone"),
    "email_address.txt": ("contact", "email"),
    "demo_user.txt": ("demo_account", "name"),
    "demo_password.txt": ("demo_account", "password"),
    "notes.txt": ("notes",),
}
REVIEW_FILES.update({f"review_{name}": target for name, target in list(REVIEW_FILES.items())})
REVIEW_FILES["review_email.txt"] = ("contact", "email")  # deliver's legacy spelling [F]
REVIEW_FOLDER = "review_information"

LEGACY_ROOT_REVIEW_FILES = {name for name in REVIEW_FILES if name.startswith("review_")}
ROOT_FILES = set(CATEGORY_FILES) | {"copyright.txt"} | LEGACY_ROOT_REVIEW_FILES

# Rating config (deliver's app_rating_config_path JSON): legacy iTunes Connect keys.
LEGACY_RATING_KEYS: dict[str, str] = {
    "CARTOON_FANTASY_VIOLENCE": "violenceCartoonOrFantasy",
    "REALISTIC_VIOLENCE": "violenceRealistic",
    "PROLONGED_GRAPHIC_SADISTIC_REALISTIC_VIOLENCE": "violenceRealisticProlongedGraphicOrSadistic",
    "PROFANITY_CRUDE_HUMOR": "profanityOrCrudeHumor",
    "MATURE_SUGGESTIVE": "matureOrSuggestiveThemes",
    "HORROR": "horrorOrFearThemes",
    "MEDICAL_TREATMENT_INFO": "medicalOrTreatmentInformation",
    "ALCOHOL_TOBACCO_DRUGS": "alcoholTobaccoOrDrugUseOrReferences",
    "GAMBLING": "gamblingSimulated",
    "SEXUAL_CONTENT_NUDITY": "sexualContentOrNudity",
    "GRAPHIC_SEXUAL_CONTENT_NUDITY": "sexualContentGraphicAndNudity",
    "UNRESTRICTED_WEB_ACCESS": "unrestrictedWebAccess",
    "GAMBLING_CONTESTS": "gamblingAndContests",
}
# Attributes Apple removed from the API (spec 3.7 -> 4.4.1): never sent, always reported.
REMOVED_RATING_KEYS: dict[str, str] = {
    "gamblingAndContests": "Apple split it into `gambling` and `contests`; answer those",
    "seventeenPlus": "Apple removed it; use age_rating_override_v2 if needed",
}
LEGACY_LEVELS = {0: "NONE", 1: "INFREQUENT", 2: "FREQUENT"}

# trade_representative_contact_information/<file>.txt (and the Deliverfile hash of the
# same name, keys without .txt) [F]. App Store state for the Korean storefront.
TRADE_REP_FOLDER = "trade_representative_contact_information"
TRADE_REP_FILES = (
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "address_line3",
    "city_name",
    "state",
    "country",
    "postal_code",
    "phone_number",
    "email_address",
    "is_displayed_on_app_store",
)
APP_CLIP_REVIEW_FOLDER = "app_clip_review_information"
# Folders fastlane itself skips in a metadata folder [F loader.rb].
SKIPPED_FOLDERS = {"android", "fonts"}

# What ``deliver``'s String#strip removes (Ruby: NUL and ASCII whitespace only), so a
# value keeps e.g. a trailing no-break space or ideographic space exactly as deliver sends.
RUBY_STRIP = "\x00\t\n\x0b\x0c\r "

# ------------------------------------------------------------------ platforms

# deliver's ``platform`` option and fastlane's ``for_platform`` names -> ascsync platform.
PLATFORM_NAMES: dict[str, str] = {
    "ios": "IOS",
    "osx": "MAC_OS",
    "mac": "MAC_OS",
    "macos": "MAC_OS",
    "appletvos": "TV_OS",
    "tvos": "TV_OS",
    "xros": "VISION_OS",
    "visionos": "VISION_OS",
}
# Folder names teams give per-platform deliver folders (``ios/fastlane``,
# ``metadata/macos``, ``metadata-mac``...), compared case-insensitively.
PLATFORM_FOLDERS: dict[str, str] = {**PLATFORM_NAMES, "apple_tv": "TV_OS", "vision": "VISION_OS"}
# Folders that hold another store's listing, never App Store Connect's.
OTHER_STORE_FOLDERS = {"android"}


def platform_of_folder(name: str) -> str | None:
    """``macOS`` / ``metadata-mac`` / ``screenshots_ios`` -> the platform, else None."""
    lowered = name.lower()
    for prefix in ("metadata", "screenshots"):
        for separator in ("-", "_", "."):
            lowered = lowered.removeprefix(prefix + separator)
    return PLATFORM_FOLDERS.get(lowered)


# ------------------------------------------------------------------ screenshots

# 2048×2732 fits two iPad slots. deliver picks the 3rd-generation (13") slot when the
# *file name* contains one of these [F app_screenshot.rb resolve_ipadpro_conflict_if_needed];
# the last three are newer simulator names.
IPAD_13_HINTS = (
    "iPad Pro (12.9-inch) (3rd generation)",
    "iPad Pro (12.9-inch) (4th generation)",
    "iPad Pro (12.9-inch) (5th generation)",
    "iPad Pro (12.9-inch) (6th generation)",
    "IPAD_PRO_3GEN_129",  # what deliver's download_screenshots names App Store Connect files
    "ipadPro129",  # what iTunes Connect called the 3rd-generation slot
    "iPad Air 13-inch",
    "iPad Pro 13-inch",
    "13-inch",
)
# Names that mean the legacy 12.9" (2nd generation) slot: App Store Connect downloads
# (``0_APP_IPAD_PRO_129_0.png``), iTunes Connect's ``ipadPro`` (not ``ipadPro129`` or
# ``ipadPro11``), and the 1st/2nd-generation simulators.
IPAD_129_HINT = re.compile(
    r"APP_IPAD_PRO_129|ipadPro(?![0-9])|\(2nd generation\)|iPad Pro \(12\.9-inch\)(?! \(\d)"
)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
FORMAT_SUFFIX = {"PNG": ".png", "JPEG": ".jpg"}

# ------------------------------------------------------------------ locales

# Codes translation tools use that App Store Connect spells differently [U: our reading
# of which App Store locale serves the region].
LOCALE_ALIASES: dict[str, str] = {
    "zh-hk": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "zh-hant-hk": "zh-Hant",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "nb": "no",
    "nb-no": "no",
    "nn": "no",
    "nn-no": "no",
    "iw": "he",
    "he-il": "he",
    "in": "id",
    "id-id": "id",
    "ms-my": "ms",
}

# ------------------------------------------------------------------ Deliverfile options

# Options that say how deliver runs, not what the listing contains; ascsync has its own
# credentials and flags for these, so they are listed once and not imported.
RUN_OPTIONS = {
    "api_key",
    "api_key_path",
    "username",
    "team_id",
    "team_name",
    "dev_portal_team_id",
    "dev_portal_team_name",
    "itc_provider",
    "provider_public_id",
    "ipa",
    "pkg",
    "build_number",
    "force",
    "submit_for_review",
    "verify_only",
    "reject_if_possible",
    "version_check_wait_retry_limit",
    "skip_binary_upload",
    "skip_app_version_update",
    "overwrite_screenshots",
    "sync_screenshots",
    "screenshot_processing_timeout",
    "run_precheck_before_submit",
    "precheck_default_rule_level",
    "precheck_include_in_app_purchases",
    "individual_metadata_items",
    "edit_live",
    "use_live_version",
    "ignore_language_directory_validation",
    "preview_frame_time_code",
    "overwrite_preview_videos",
    "app",
    "reset_ratings",
}
# Deliverfile options holding listing text per language (a Ruby hash) -> locale key.
LOCALIZED_OPTIONS: dict[str, str] = {
    name.removesuffix(".txt"): key for name, key in LOCALE_FILES.items()
}
ICON_OPTIONS = {"app_icon", "apple_watch_app_icon"}
ICONS_SHIP_IN_THE_BUILD = (
    "icons ship in the build (the App Store icon comes from the app's asset catalog,"
    " App Store Connect has no API to set it); not imported"
)
