"""The media rule tables agree with Apple's spec and with themselves."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest

from ascsync.rules.media import (
    PREVIEW_TYPES,
    REQUIRED_SCREENSHOT_SETS,
    SCREENSHOT_DISPLAY_TYPES,
    SCREENSHOT_TYPE_ALIASES,
    display_types_for_size,
)

SPEC = Path(__file__).resolve().parents[3] / "shared" / "asc-openapi" / "openapi.json"


@pytest.mark.skipif(not SPEC.exists(), reason="Apple's OpenAPI file is not next to the repo")
def test_enums_match_apples_openapi_spec():
    schemas = json.loads(SPEC.read_text(encoding="utf-8"))["components"]["schemas"]
    assert list(SCREENSHOT_DISPLAY_TYPES) == schemas["ScreenshotDisplayType"]["enum"]
    assert list(PREVIEW_TYPES) == schemas["PreviewType"]["enum"]


def test_only_the_two_known_sizes_fit_more_than_one_app_display_type():
    shared = {}
    for first, second in combinations(
        [n for n in SCREENSHOT_DISPLAY_TYPES if n.startswith("APP_")], 2
    ):
        common = (
            SCREENSHOT_DISPLAY_TYPES[first].accepted() & SCREENSHOT_DISPLAY_TYPES[second].accepted()
        )
        for size in common:
            shared.setdefault(size, set()).update({first, second})
    assert shared == {
        (2048, 2732): {"APP_IPAD_PRO_3GEN_129", "APP_IPAD_PRO_129"},
        (2732, 2048): {"APP_IPAD_PRO_3GEN_129", "APP_IPAD_PRO_129"},
        (3840, 2160): {"APP_APPLE_TV", "APP_APPLE_VISION_PRO"},
    }
    assert display_types_for_size((1290, 2796)) == ["APP_IPHONE_67"]


def test_references_point_at_real_types():
    for alias, target in SCREENSHOT_TYPE_ALIASES.items():
        assert alias not in SCREENSHOT_DISPLAY_TYPES and target in SCREENSHOT_DISPLAY_TYPES
    for rules in REQUIRED_SCREENSHOT_SETS.values():
        for rule in rules:
            assert set(rule.any_of) <= set(SCREENSHOT_DISPLAY_TYPES)
    for spec in SCREENSHOT_DISPLAY_TYPES.values():
        assert spec.sizes and not (spec.legacy() & spec.accepted())
