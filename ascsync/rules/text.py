"""Apple's rules for text fields, kept as data, plus the small checks that apply them.

Every limit names its source with the tags of ``apple-rules.md``:
[A] Apple's own text, [S] the OpenAPI spec, [F] fastlane, [R] the ASC CLI,
[2] a secondary source, [U] unverified (such limits only ever warn).

Lengths are counted in Unicode code points (what App Store Connect counts, [R] and [2]),
so an emoji or a CJK character counts as one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from ascsync.problems import Problem, Severity, Source


@dataclass(frozen=True)
class TextLimit:
    """How long a text may be, and how sure we are about it."""

    max: int
    min: int = 0
    source: str = ""
    # Unverified limits are warnings: blocking a release on a guess would be worse.
    verified: bool = True
    # Apple documents some limits in bytes; we error on characters and warn on bytes.
    also_bytes: bool = False


TEXT_LIMITS: dict[str, TextLimit] = {
    # appInfoLocalizations
    "app_name": TextLimit(30, min=2, source="[A] App information"),
    "subtitle": TextLimit(30, source="[A] App information"),
    "privacy_policy_text": TextLimit(4000, source="[U] no published limit", verified=False),
    # appStoreVersionLocalizations
    "promotional_text": TextLimit(170, source="[A] Platform version information"),
    "description": TextLimit(4000, source="[A] Platform version information"),
    "whats_new": TextLimit(4000, source="[R] limits.go"),
    "keywords": TextLimit(
        100, source="[A] '100 bytes'; [R] #1399: API counts characters", also_bytes=True
    ),
    # appStoreVersions / appStoreReviewDetails
    "copyright": TextLimit(200, source="[U] not published", verified=False),
    "review_notes": TextLimit(4000, source="[U] secondary sources", verified=False),
    "person_name": TextLimit(100, source="[U] not published", verified=False),
    "phone": TextLimit(50, source="[U] not published", verified=False),
    # TestFlight
    "beta_description": TextLimit(4000, source="[U] secondary sources", verified=False),
    "beta_group_name": TextLimit(50, source="[U] not published", verified=False),
    "what_to_test": TextLimit(
        4000, source="[F] pilot truncates What to Test at 4000 bytes", also_bytes=True
    ),
    # In-app purchases and subscriptions
    "product_reference_name": TextLimit(64, source="[A] In-App Purchase information"),
    "product_display_name": TextLimit(35, source="[2] 30 or 35, conflicting", verified=False),
    "product_description": TextLimit(55, source="[2] two developer repos", verified=False),
    "product_review_note": TextLimit(4000, source="[U] not published", verified=False),
    "subscription_group_name": TextLimit(75, source="[U] not published", verified=False),
    "custom_app_name": TextLimit(30, source="[U] like the app name", verified=False),
    # In-app events (appEventLocalizations)
    "event_name": TextLimit(30, source="[R] commands/app-events.mdx"),
    "event_short_description": TextLimit(50, source="[R] commands/app-events.mdx"),
    "event_long_description": TextLimit(120, source="[R] commands/app-events.mdx"),
}

URL_SCHEMES = ("http", "https")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Tags people paste from web copy. Only real tag names count, so "x<y and y>z" is not HTML.
HTML_TAG_NAMES = (
    "a", "b", "big", "blockquote", "br", "center", "code", "div", "em", "font", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "small", "span", "strike", "strong", "sub", "sup", "table", "td", "th", "tr", "u", "ul",
)  # fmt: skip
HTML_TAG = re.compile(r"</?(?:" + "|".join(HTML_TAG_NAMES) + r")(?:\s[^<>]*)?/?>", re.IGNORECASE)
# Separators App Store Connect accepts between keywords ([A] comma; [2] Chinese comma).
KEYWORD_SEPARATORS = (",", "，")
SHORT_KEYWORD = 2  # [A] keywords should be "greater than two characters"


def char_count(text: str) -> int:
    """Length as App Store Connect counts it: Unicode code points."""
    return len(text)


def check_length(text: str, limit_id: str, source: Source, field: str) -> list[Problem]:
    """Too long / too short, as an error for verified limits and a warning otherwise."""
    limit = TEXT_LIMITS[limit_id]
    severity = Severity.ERROR if limit.verified else Severity.WARNING
    n = char_count(text)
    if n > limit.max:
        return [
            source.problem(
                field,
                f"is {n} characters long, the limit is {limit.max}",
                f"shorten by {n - limit.max}",
                severity,
            )
        ]
    if n < limit.min:
        return [
            source.problem(
                field,
                f"is {n} characters long, the minimum is {limit.min}",
                f"at least {limit.min} characters",
                severity,
            )
        ]
    if limit.also_bytes:
        size = len(text.encode("utf-8"))
        if size > limit.max:
            return [
                source.problem(
                    field,
                    f"is {size} bytes in UTF-8; Apple documents a limit of {limit.max} bytes "
                    "but the API has been seen to count characters",
                    f"{limit.max} bytes is the safe size",
                    Severity.WARNING,
                )
            ]
    return []


def check_url(text: str, source: Source, field: str) -> list[Problem]:
    """A URL must be absolute with an http(s) scheme and a host ([A] 'full URL incl. protocol')."""
    parsed = urlparse(text)
    if parsed.scheme not in URL_SCHEMES or not parsed.netloc or any(c.isspace() for c in text):
        return [source.problem(field, f"{text!r} is not a full URL", "e.g. https://example.com/x")]
    return []


def check_email(text: str, source: Source, field: str) -> list[Problem]:
    if not EMAIL_PATTERN.match(text):
        return [source.problem(field, f"{text!r} is not an email address", "e.g. name@example.com")]
    return []


def check_no_html(text: str, source: Source, field: str) -> list[Problem]:
    """[A] descriptions are plain text; App Store shows tags literally."""
    match = HTML_TAG.search(text)
    if match is None:
        return []
    line_in_text = text.count("\n", 0, match.start())
    at = source.shifted(line_in_text)
    return [
        at.problem(
            field, f"contains HTML {match.group(0)!r}", "plain text only; line breaks are kept"
        )
    ]


# Characters that never belong in listing text: C0 controls other than tab and line
# breaks, DEL and C1 controls (a NUL or an escape sequence pasted from a terminal), and
# the bidirectional embeddings, overrides and isolates that make text display in another
# order than it is stored (the "Trojan Source" trick: a reviewer reads one thing, the
# store shows another). Marks such as U+200F (RTL mark) are fine and common in Arabic and
# Hebrew listings. [U] Apple publishes no list; it stores most of them as sent.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_control_characters(text: str, source: Source, field: str) -> list[Problem]:
    """Invisible characters that would reach the store or hide what a reviewer reads."""
    match = _CONTROL.search(text)
    if match is None:
        return []
    char = match.group(0)
    kind = "a bidirectional control" if "\u202a" <= char <= "\u2069" else "a control character"
    at = source.shifted(text.count("\n", 0, match.start()))
    return [
        at.problem(
            field,
            f"contains {kind} (U+{ord(char):04X}) at character {match.start() + 1}",
            "remove it: it is invisible, and would reach the App Store as it is",
        )
    ]


def keywords_joined(keywords: Iterable[str]) -> str:
    """The single comma-separated string Apple stores (no spaces: they count)."""
    return ",".join(k.strip() for k in keywords)


def check_keywords(
    keywords: list[str], source: Source, field: str, *, name: str | None, subtitle: str | None
) -> list[Problem]:
    """Length of the joined string, plus hygiene warnings that waste the 100-character budget."""
    problems = check_length(keywords_joined(keywords), "keywords", source, field)
    seen: set[str] = set()
    title_words = _words(name) | _words(subtitle)
    for i, keyword in enumerate(keywords):
        where = f"{field}[{i}]"
        folded = keyword.strip().casefold()
        if not folded:
            problems.append(source.problem(where, "is empty", "remove it"))
            continue
        if any(sep in keyword for sep in KEYWORD_SEPARATORS):
            problems.append(
                source.problem(
                    where,
                    f"{keyword!r} contains a comma",
                    "write one keyword per list item",
                    Severity.WARNING,
                )
            )
        if keyword != keyword.strip():
            problems.append(
                source.problem(
                    where,
                    f"{keyword!r} has surrounding spaces",
                    "ascsync strips them",
                    Severity.WARNING,
                )
            )
        if folded in seen:
            problems.append(
                source.problem(where, f"{keyword!r} is a duplicate", "remove it", Severity.WARNING)
            )
        elif folded in title_words:
            problems.append(
                source.problem(
                    where,
                    f"{keyword!r} is already in the name or subtitle",
                    "those words are indexed anyway; use the space for another keyword",
                    Severity.WARNING,
                )
            )
        elif char_count(folded) <= SHORT_KEYWORD and not _is_wide(folded):
            problems.append(
                source.problem(
                    where,
                    f"{keyword!r} is very short",
                    "Apple advises keywords longer than two characters",
                    Severity.WARNING,
                )
            )
        seen.add(folded)
    return problems


def _is_wide(text: str) -> bool:
    """CJK text: two characters are a whole word, so the short-keyword advice does not apply."""
    return any(unicodedata.east_asian_width(c) in ("W", "F") for c in text)


def _words(text: str | None) -> set[str]:
    if not text:
        return set()
    return {w.casefold() for w in re.findall(r"\w+", text)}
