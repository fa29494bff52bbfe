"""Apple's rules for screenshots and app previews, kept as data.

Every entry names its source with the tags of ``apple-rules.md`` §3 and §4:
[A] Apple's own text, [A'] Apple quoted by a third party, [S] the OpenAPI spec 4.4.1,
[F] fastlane (``deliver/app_screenshot.rb``, ``app_preview_set.rb``), [R] the ASC CLI
screenshot catalog, [2] a secondary source, [U] unverified (such rules only ever warn).

Sizes are written as (width, height) in the type's natural orientation: portrait for
phones, tablets and watches, landscape for Mac, Apple TV and Vision Pro.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ascsync.problems import Severity

Size = tuple[int, int]


class Orientation(StrEnum):
    """Which way round an image may be for a display type."""

    BOTH = "both"  # the listed size or the same size rotated
    PORTRAIT_ONLY = "portrait only"
    LANDSCAPE_ONLY = "landscape only"


@dataclass(frozen=True)
class ScreenshotSpec:
    """What App Store Connect accepts in one screenshot set."""

    label: str
    sizes: tuple[Size, ...]
    orientation: Orientation = Orientation.BOTH
    # Sizes one tool accepts and another does not: allowed with a warning, because a
    # release blocked on a guess is worse than a rejected upload we told the user about.
    legacy_sizes: tuple[Size, ...] = ()
    source: str = ""

    def accepted(self) -> set[Size]:
        """Every (width, height) that is accepted without a warning."""
        return _with_rotation(self.sizes, self.orientation)

    def legacy(self) -> set[Size]:
        """Every (width, height) that is accepted with a warning."""
        return _with_rotation(self.legacy_sizes, self.orientation) - self.accepted()


@dataclass(frozen=True)
class PreviewSpec:
    """What App Store Connect accepts in one app preview set."""

    label: str
    # Empty when nobody has published the resolution: then it is not checked.
    resolutions: tuple[Size, ...]
    orientation: Orientation = Orientation.BOTH
    # False for types Apple stopped accepting (IPHONE_35).
    supported: bool = True
    source: str = ""

    def accepted(self) -> set[Size]:
        return _with_rotation(self.resolutions, self.orientation)


def _with_rotation(sizes: tuple[Size, ...], orientation: Orientation) -> set[Size]:
    result = set(sizes)
    if orientation is Orientation.BOTH:
        result |= {(height, width) for width, height in sizes}
    return result


_IPHONE_67 = ScreenshotSpec(
    '6.9" iPhone', ((1260, 2736), (1290, 2796), (1320, 2868)), source="[A'], F, R"
)
_IPHONE_65 = ScreenshotSpec('6.5" iPhone', ((1242, 2688), (1284, 2778)), source="[A'], F, R")
_IPHONE_61 = ScreenshotSpec('6.3" iPhone', ((1179, 2556), (1206, 2622)), source="[2], F, R")
_IPHONE_58 = ScreenshotSpec(
    '6.1" iPhone', ((1170, 2532), (1125, 2436), (1080, 2340)), source="[2], F, R"
)
_IPHONE_55 = ScreenshotSpec('5.5" iPhone', ((1242, 2208),), source="F, R")
_IPHONE_47 = ScreenshotSpec('4.7" iPhone', ((750, 1334),), source="F, R")
_IPHONE_40 = ScreenshotSpec(
    '4" iPhone', ((640, 1136),), legacy_sizes=((640, 1096), (600, 1136)), source="F vs R"
)
_IPHONE_35 = ScreenshotSpec(
    '3.5" iPhone', ((640, 960),), legacy_sizes=((640, 920), (600, 960)), source="F vs R"
)
_IPAD_PRO_3GEN_129 = ScreenshotSpec('13" iPad', ((2064, 2752), (2048, 2732)), source="[A'], F, R")
_IPAD_PRO_3GEN_11 = ScreenshotSpec(
    '11" iPad',
    ((1488, 2266), (1668, 2420), (1668, 2388), (1640, 2360)),
    source="[2], F, R",
)
_IPAD_PRO_129 = ScreenshotSpec(
    '12.9" iPad Pro (2nd gen)', ((2048, 2732),), legacy_sizes=((2064, 2752),), source="[2], F"
)
_IPAD_105 = ScreenshotSpec('10.5" iPad', ((1668, 2224),), source="F, R")
_IPAD_97 = ScreenshotSpec(
    '9.7" iPad',
    ((1536, 2048),),
    legacy_sizes=((768, 1024), (768, 1004), (1536, 2008), (748, 1024), (1496, 2048)),
    source="F vs R",
)

# All 33 values of the API enum ScreenshotDisplayType [S], checked against openapi.json 4.4.1.
SCREENSHOT_DISPLAY_TYPES: dict[str, ScreenshotSpec] = {
    "APP_IPHONE_67": _IPHONE_67,
    "APP_IPHONE_61": _IPHONE_61,
    "APP_IPHONE_65": _IPHONE_65,
    "APP_IPHONE_58": _IPHONE_58,
    "APP_IPHONE_55": _IPHONE_55,
    "APP_IPHONE_47": _IPHONE_47,
    "APP_IPHONE_40": _IPHONE_40,
    "APP_IPHONE_35": _IPHONE_35,
    "APP_IPAD_PRO_3GEN_129": _IPAD_PRO_3GEN_129,
    "APP_IPAD_PRO_3GEN_11": _IPAD_PRO_3GEN_11,
    "APP_IPAD_PRO_129": _IPAD_PRO_129,
    "APP_IPAD_105": _IPAD_105,
    "APP_IPAD_97": _IPAD_97,
    "APP_DESKTOP": ScreenshotSpec(
        "Mac",
        ((1280, 800), (1440, 900), (2560, 1600), (2880, 1800)),
        Orientation.LANDSCAPE_ONLY,
        source="F, R, [2]",
    ),
    "APP_WATCH_ULTRA": ScreenshotSpec(
        "Apple Watch Ultra", ((422, 514), (410, 502)), Orientation.PORTRAIT_ONLY, source="F, R"
    ),
    "APP_WATCH_SERIES_10": ScreenshotSpec(
        "Apple Watch Series 10", ((416, 496),), Orientation.PORTRAIT_ONLY, source="F, R"
    ),
    "APP_WATCH_SERIES_7": ScreenshotSpec(
        "Apple Watch Series 7", ((396, 484),), Orientation.PORTRAIT_ONLY, source="F, R"
    ),
    "APP_WATCH_SERIES_4": ScreenshotSpec(
        "Apple Watch Series 4", ((368, 448),), Orientation.PORTRAIT_ONLY, source="F, R"
    ),
    "APP_WATCH_SERIES_3": ScreenshotSpec(
        "Apple Watch Series 3", ((312, 390),), Orientation.PORTRAIT_ONLY, source="F, R"
    ),
    "APP_APPLE_TV": ScreenshotSpec(
        "Apple TV", ((1920, 1080), (3840, 2160)), Orientation.LANDSCAPE_ONLY, source="F, R"
    ),
    "APP_APPLE_VISION_PRO": ScreenshotSpec(
        "Apple Vision Pro", ((3840, 2160),), Orientation.LANDSCAPE_ONLY, source="F, R"
    ),
    # iMessage sets take the sizes of the matching app type [F] DEVICE_RESOLUTIONS_MESSAGES, R.
    "IMESSAGE_APP_IPHONE_67": _IPHONE_67,
    "IMESSAGE_APP_IPHONE_61": _IPHONE_61,
    "IMESSAGE_APP_IPHONE_65": _IPHONE_65,
    "IMESSAGE_APP_IPHONE_58": _IPHONE_58,
    "IMESSAGE_APP_IPHONE_55": _IPHONE_55,
    "IMESSAGE_APP_IPHONE_47": _IPHONE_47,
    "IMESSAGE_APP_IPHONE_40": _IPHONE_40,
    "IMESSAGE_APP_IPAD_PRO_3GEN_129": _IPAD_PRO_3GEN_129,
    "IMESSAGE_APP_IPAD_PRO_3GEN_11": _IPAD_PRO_3GEN_11,
    "IMESSAGE_APP_IPAD_PRO_129": _IPAD_PRO_129,
    "IMESSAGE_APP_IPAD_105": _IPAD_105,
    "IMESSAGE_APP_IPAD_97": _IPAD_97,
}

# Names people reach for that are not enum values [R] (the ASC CLI maps APP_IPHONE_69 locally).
SCREENSHOT_TYPE_ALIASES: dict[str, str] = {
    "APP_IPHONE_69": "APP_IPHONE_67",
    "APP_IPHONE_63": "APP_IPHONE_61",
    "APP_IPAD_13": "APP_IPAD_PRO_3GEN_129",
    "APP_IPAD_PRO_13": "APP_IPAD_PRO_3GEN_129",
    "APP_MAC": "APP_DESKTOP",
}

_PHONE_PREVIEW = ((886, 1920),)
_TABLET_PREVIEW = ((1200, 1600),)

# All 16 values of the API enum PreviewType [S]. Resolutions: [F] app_preview_set.rb
# validate_video_resolution, which points at Apple's "Accepted resolutions" table.
PREVIEW_TYPES: dict[str, PreviewSpec] = {
    "IPHONE_67": PreviewSpec('6.9" iPhone', _PHONE_PREVIEW, source="F"),
    "IPHONE_61": PreviewSpec('6.3" iPhone', _PHONE_PREVIEW, source="F"),
    "IPHONE_65": PreviewSpec('6.5" iPhone', _PHONE_PREVIEW, source="F"),
    "IPHONE_58": PreviewSpec('6.1" iPhone', _PHONE_PREVIEW, source="F"),
    "IPHONE_55": PreviewSpec('5.5" iPhone', ((1080, 1920),), source="F"),
    "IPHONE_47": PreviewSpec('4.7" iPhone', ((750, 1334),), source="F"),
    "IPHONE_40": PreviewSpec('4" iPhone', ((1080, 1920),), source="F"),
    "IPHONE_35": PreviewSpec('3.5" iPhone', (), supported=False, source="F"),
    "IPAD_PRO_3GEN_129": PreviewSpec('13" iPad', _TABLET_PREVIEW, source="F"),
    "IPAD_PRO_3GEN_11": PreviewSpec('11" iPad', _TABLET_PREVIEW, source="F"),
    "IPAD_PRO_129": PreviewSpec(
        '12.9" iPad Pro (2nd gen)', ((1200, 1600), (900, 1200)), source="F"
    ),
    "IPAD_105": PreviewSpec('10.5" iPad', _TABLET_PREVIEW, source="F"),
    "IPAD_97": PreviewSpec('9.7" iPad', ((900, 1200),), source="F"),
    "DESKTOP": PreviewSpec("Mac", ((1920, 1080),), Orientation.LANDSCAPE_ONLY, source="[2], [A]"),
    "APPLE_TV": PreviewSpec(
        "Apple TV", ((1920, 1080),), Orientation.LANDSCAPE_ONLY, source="[U] size, [A] landscape"
    ),
    # Resolution unpublished [U]: only the type, count, container and duration are checked.
    "APPLE_VISION_PRO": PreviewSpec("Apple Vision Pro", (), source="[U]"),
}

# Counts and sizes.
MIN_SCREENSHOTS_PER_SET = 1  # [A'] "one to 10 screenshots"
MAX_SCREENSHOTS_PER_SET = 10  # [A'], [F] extra files skipped
MAX_PREVIEWS_PER_SET = 3  # [A] Platform version information, [F] sync_app_previews.rb
MAX_PREVIEW_BYTES = 500 * 1000 * 1000  # [A] JP Help "App preview specifications": 500 MB
MIN_PREVIEW_SECONDS = 15.0  # [A] JP Help
MAX_PREVIEW_SECONDS = 30.0  # [A] JP Help

# Extension -> the container/format its content must have.
SCREENSHOT_EXTENSIONS: dict[str, str] = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}  # [A']
PREVIEW_EXTENSIONS: tuple[str, ...] = (".mov", ".m4v", ".mp4")  # [F] sync_app_previews.rb, [2]

# Not a rule of Apple's: no accepted size comes near this many pixels (the largest is
# 3840×2160 ≈ 8.3 MP), so a header claiming more is a broken file or a decompression bomb.
MAX_SCREENSHOT_PIXELS = 40_000_000


@dataclass(frozen=True)
class RequiredSet:
    """One screenshot set a platform must have; any of ``any_of`` satisfies it."""

    any_of: tuple[str, ...]
    why: str
    severity: Severity = Severity.ERROR
    only_with_ipad: bool = False
    source: str = ""


REQUIRED_SCREENSHOT_SETS: dict[str, tuple[RequiredSet, ...]] = {
    "IOS": (
        RequiredSet(
            ("APP_IPHONE_67", "APP_IPHONE_65"),
            'a 6.9" (APP_IPHONE_67) or 6.5" (APP_IPHONE_65) iPhone set is required',
            source="[A']",
        ),
        RequiredSet(
            ("APP_IPAD_PRO_3GEN_129",),
            'a 13" iPad set (APP_IPAD_PRO_3GEN_129) is required when the app runs on iPad',
            only_with_ipad=True,
            source="[A']",
        ),
    ),
    # The wording for the other platforms is unverified [U], so these only warn.
    "MAC_OS": (
        RequiredSet(
            ("APP_DESKTOP",),
            "a Mac set (APP_DESKTOP) is expected",
            Severity.WARNING,
            source="[U]",
        ),
    ),
    "TV_OS": (
        RequiredSet(
            ("APP_APPLE_TV",),
            "an Apple TV set (APP_APPLE_TV) is expected",
            Severity.WARNING,
            source="[U]",
        ),
    ),
    "VISION_OS": (
        RequiredSet(
            ("APP_APPLE_VISION_PRO",),
            "an Apple Vision Pro set (APP_APPLE_VISION_PRO) is expected",
            Severity.WARNING,
            source="[U]",
        ),
    ),
}


def display_types_for_size(size: Size) -> list[str]:
    """App (non-iMessage) display types that accept ``size`` without a warning, in enum order.

    Used to tell a user which folder a misplaced image belongs in, and by the fastlane
    importer, which has to guess a type from pixels the way deliver does.
    """
    return [
        name
        for name, spec in SCREENSHOT_DISPLAY_TYPES.items()
        if name.startswith("APP_") and size in spec.accepted()
    ]
