"""The small rule functions, on the inputs where a naive rule would be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascsync.problems import Source
from ascsync.rules import age_rating, locales, text

AT = Source(Path("x.yml"), 3)


@pytest.mark.parametrize(
    "body",
    ["Rated 4 < 5 stars & loved", "Use -> to go on", "a <3 b", "Math: x<y and y>z"],
)
def test_text_that_only_looks_like_html_passes(body):
    assert text.check_no_html(body, AT, "description") == []


@pytest.mark.parametrize("body", ["<b>bold</b>", "line<br>break", "<a href='x'>x</a>", "</p>"])
def test_html_tags_are_flagged(body):
    [problem] = text.check_no_html(body, AT, "description")
    assert problem.message.startswith("contains HTML")


def test_html_problem_points_at_the_line_inside_the_text():
    [problem] = text.check_no_html("one\ntwo\nthree <i>x</i>", Source(Path("d.md"), 1), "d")
    assert problem.line == 3


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com", True),
        ("http://example.com/a?b=c", True),
        ("https://", False),
        ("ftp://example.com", False),
        ("example.com", False),
        ("https://exa mple.com", False),
    ],
)
def test_urls_need_scheme_and_host(url, ok):
    assert (text.check_url(url, AT, "support_url") == []) is ok


def test_length_counts_characters_not_bytes():
    assert text.check_length("🎬" * 30, "app_name", AT, "name") == []
    assert text.check_length("é" * 170, "promotional_text", AT, "p") == []
    [problem] = text.check_length("é" * 171, "promotional_text", AT, "p")
    assert problem.message == "is 171 characters long, the limit is 170"


def test_unverified_limits_only_warn():
    [problem] = text.check_length("x" * 56, "product_description", AT, "d")
    assert problem.severity.value == "warning"


def test_cjk_keywords_of_two_characters_are_not_short():
    problems = text.check_keywords(["映画", "ab"], AT, "keywords", name=None, subtitle=None)
    assert [p.field for p in problems] == ["keywords[1]"]


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("zh-hans", "did you mean zh-Hans?"),
        ("en_US", "did you mean en-US?"),
        ("de", "did you mean de-DE?"),
    ],
)
def test_locale_suggestions(code, hint):
    assert not locales.is_locale(code)
    assert locales.suggest_locale(code) == hint


def test_fifty_locales():
    assert len(locales.APP_STORE_LOCALES) == 50


def test_age_rating_names_map_both_ways():
    assert age_rating.apple_name("age_rating_override_v2") == "ageRatingOverrideV2"
    for key in age_rating.LEVEL_QUESTIONS + age_rating.REQUIRED_BOOLEANS:
        assert age_rating.snake_name(age_rating.apple_name(key)) == key
