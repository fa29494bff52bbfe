"""The age rating declaration ([S] AgeRatingDeclaration, spec 4.4.1; [A] PATCH doc; [R]).

``age-rating.yml`` uses the snake_case of Apple's camelCase attribute names, so the
mapping is mechanical (:func:`apple_name`). Which answers are required follows the ASC
CLI ([R] age_rating.go): every level question and the listed booleans.
"""

from __future__ import annotations

import re

LEVELS = ("NONE", "INFREQUENT", "FREQUENT")
# [A] "INFREQUENT_OR_MILD and FREQUENT_OR_INTENSE are deprecated. Use INFREQUENT or FREQUENT."
DEPRECATED_LEVELS = {"INFREQUENT_OR_MILD": "INFREQUENT", "FREQUENT_OR_INTENSE": "FREQUENT"}

LEVEL_QUESTIONS = (
    "alcohol_tobacco_or_drug_use_or_references",
    "contests",
    "gambling_simulated",
    "guns_or_other_weapons",
    "horror_or_fear_themes",
    "mature_or_suggestive_themes",
    "medical_or_treatment_information",
    "profanity_or_crude_humor",
    "sexual_content_graphic_and_nudity",
    "sexual_content_or_nudity",
    "violence_cartoon_or_fantasy",
    "violence_realistic",
    "violence_realistic_prolonged_graphic_or_sadistic",
)

# Required booleans per [R]; social_media* are new in 4.4.1 and not yet required there.
REQUIRED_BOOLEANS = (
    "advertising",
    "age_assurance",
    "gambling",
    "health_or_wellness_topics",
    "loot_box",
    "messaging_and_chat",
    "parental_controls",
    "unrestricted_web_access",
    "user_generated_content",
)
OPTIONAL_BOOLEANS = ("social_media", "social_media_age_restricted")

KIDS_AGE_BANDS = ("FIVE_AND_UNDER", "SIX_TO_EIGHT", "NINE_TO_ELEVEN")  # or null
AGE_RATING_OVERRIDES_V2 = (
    "NONE",
    "NINE_PLUS",
    "THIRTEEN_PLUS",
    "SIXTEEN_PLUS",
    "EIGHTEEN_PLUS",
    "UNRATED",
)
AGE_RATING_OVERRIDES_V1 = (  # [S] ageRatingOverride is deprecated for ageRatingOverrideV2
    "NONE",
    "NINE_PLUS",
    "THIRTEEN_PLUS",
    "SIXTEEN_PLUS",
    "SEVENTEEN_PLUS",
    "UNRATED",
)
KOREA_AGE_RATING_OVERRIDES = ("NONE", "FIFTEEN_PLUS", "NINETEEN_PLUS")

# Keys that are accepted but earn a warning: name -> what to write instead.
DEPRECATED_KEYS = {"age_rating_override": "age_rating_override_v2"}


def apple_name(snake: str) -> str:
    """``guns_or_other_weapons`` -> ``gunsOrOtherWeapons`` (and ``..._v2`` -> ``...V2``)."""
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake_name(camel: str) -> str:
    """Inverse of :func:`apple_name`, for reading the live declaration into the model."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
