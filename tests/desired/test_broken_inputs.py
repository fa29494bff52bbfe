# ruff: noqa: E501  (expected messages are kept on one line so they read like the output)
"""A corpus of broken repos: each mistake a user can make, with the exact line they see.

Each case starts from a valid baseline (tests/desired/minirepo.py) and changes one file.
The expected lines are what ``ascsync validate`` prints, so a regression in wording or
location shows up here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ascsync.kinds.registry import validate_repo
from tests.desired.minirepo import make_repo

APP = "apps/demo/app.yml"
EN = "apps/demo/locales/en-US.yml"
VERSION = "apps/demo/version.yml"
BASE_EN = """\
name: Demo App
description: A demo.
support_url: https://example.com/support
privacy_policy_url: https://example.com/privacy
"""
IAP = "apps/demo/in-app-purchases/com.example.demo.pro.yml"
IAP_OK = """\
product_id: com.example.demo.pro
type: NON_CONSUMABLE
reference_name: Pro
localizations:
  en-US: {name: Pro}
"""


def en(extra: str) -> dict[str, str]:
    """The baseline en-US file plus ``extra`` lines (which start at line 5)."""
    return {EN: BASE_EN + extra}


CASES: list[tuple[str, dict, list[str]]] = [
    # ----------------------------------------------------------- YAML and files
    (
        "malformed-yaml",
        {APP: "bundle_id: com.example.demo\nplatform: [IOS\n"},
        [
            f"{APP}:3: yaml: malformed YAML: expected ',' or ']', but got '<stream end>' (fix the syntax)"
        ],
    ),
    (
        "duplicate-key",
        {EN: BASE_EN + "name: Again\n"},
        [f'{EN}:5: yaml: malformed YAML: duplicate key "name" (fix the syntax)'],
    ),
    (
        "not-a-mapping",
        {EN: "- name: Demo\n"},
        [f"{EN}:1: file: must be a mapping of keys, not a list (key: value lines)"],
    ),
    (
        "missing-app-file",
        {APP: None, "apps/other/.keep": ""},
        [
            f"{APP}: app: is missing (create {APP})",
            "apps/other/app.yml: app: is missing (create apps/other/app.yml)",
        ],
    ),
    (
        "missing-config",
        {"ascsync.yml": None},
        ["ascsync.yml: config: is missing (create ascsync.yml)"],
    ),
    (
        "not-utf8",
        {EN: b"name: Caf\xe9\n"},
        [f"{EN}: file: en-US.yml is not UTF-8 text (save it as UTF-8)"],
    ),
    (
        "file-tag-missing-file",
        en("whats_new: !file ../texts/nope.md\n"),
        [
            f"{EN}:5: whats_new: apps/demo/texts/nope.md does not exist "
            "(a file path relative to the YAML file)"
        ],
    ),
    (
        "file-tag-leaves-repo",
        en("whats_new: !file ../../../../etc/hostname\n"),
        [
            f"{EN}:5: whats_new: ../etc/hostname leads outside the repo (keep every file inside the repo)"
        ],
    ),
    (
        "unknown-tag",
        en("whats_new: !secret abc\n"),
        [f"{EN}:5: whats_new: unknown tag !secret (!file, !template or !env)"],
    ),
    (
        "template-undefined-variable",
        {
            **en("whats_new: !template ../texts/new.j2\n"),
            "apps/demo/texts/new.j2": "Version {{ verson }}\n",
        },
        [
            "apps/demo/texts/new.j2:1: whats_new: template error: 'verson' is undefined "
            "(available: app, defaults, locale, version)"
        ],
    ),
    (
        "template-syntax-error",
        {
            **en("whats_new: !template ../texts/new.j2\n"),
            "apps/demo/texts/new.j2": "line one\n{% if %}\n",
        },
        [
            "apps/demo/texts/new.j2:2: whats_new: template error: Expected an expression, got 'end of statement block' (jinja2 syntax)"
        ],
    ),
    (
        "file-tag-points-at-a-folder",
        en("whats_new: !file .\n"),
        [
            f"{EN}:5: whats_new: apps/demo/locales is a folder, not a file (a file path relative to the YAML file)"
        ],
    ),
    (
        "impossible-date",
        {VERSION: 'version: "1.0"\nrelease: {type: SCHEDULED, earliest_date: 2026-13-01}\n'},
        [f"{VERSION}: yaml: cannot be read as YAML: month must be in 1..12"],
    ),
    # ------------------------------------------------------------ keys and types
    (
        "keywords-as-one-string",
        en("keywords: movies, films, cinema\n"),
        [
            f"{EN}:5: keywords: must be a list of strings, not text 'movies, films, cinema' (a YAML list, e.g. [movies, films, cinema])"
        ],
    ),
    (
        "list-item-wrong-type",
        en("keywords:\n  - movies\n  - 42\n"),
        [f'{EN}:7: keywords[1]: must be text, not a number 42 (quote it: "42")'],
    ),
    (
        "tagged-key",
        en("!env NAME: x\n"),
        [
            f"{EN}:5: !env NAME: unknown key (one of name, subtitle, privacy_policy_url, "
            "privacy_choices_url, privacy_policy_text, description, keywords, whats_new, "
            "promotional_text, support_url, marketing_url)"
        ],
    ),
    (
        "unknown-key-did-you-mean",
        en("subtitel: Hello\n"),
        [f"{EN}:5: subtitel: unknown key (did you mean subtitle?)"],
    ),
    (
        "nested-unknown-key",
        {VERSION: 'version: "1.0"\nreview:\n  contact:\n    emial: a@b.co\n'},
        [f"{VERSION}:4: review.contact.emial: unknown key (did you mean email?)"],
    ),
    (
        "wrong-type-number-for-text",
        {VERSION: "version: 2.4\n"},
        [f'{VERSION}:1: version: must be text, not a number 2.4 (quote it: "2.4")'],
    ),
    (
        "wrong-type-bool",
        {
            APP: "bundle_id: com.example.demo\nplatform: IOS\nprimary_locale: en-US\nsupports_ipad: yes\n"
        },
        [f"{APP}:4: supports_ipad: must be true or false, not text 'yes'"],
    ),
    (
        "required-missing",
        {APP: "bundle_id: com.example.demo\nprimary_locale: en-US\n"},
        [f"{APP}:1: platform: is required (one of IOS, MAC_OS, TV_OS, VISION_OS)"],
    ),
    (
        "null-where-not-clearable",
        {EN: BASE_EN.replace("support_url: https://example.com/support", "support_url: null")},
        [
            f"{EN}:1: support_url: is not set for the primary locale en-US "
            "(App Store Connect requires it before submission)",
            f"{EN}:3: support_url: cannot be null (cleared) "
            "(give a value, or leave the key out to leave it unmanaged)",
        ],
    ),
    (
        "enum-did-you-mean",
        {APP: "bundle_id: com.example.demo\nplatform: iOS\nprimary_locale: en-US\n"},
        [f"{APP}:2: platform: 'iOS' is not allowed (did you mean IOS?)"],
    ),
    # -------------------------------------------------------------------- text
    (
        "name-too-long-emoji",
        {EN: BASE_EN.replace("name: Demo App", "name: " + "🎬" * 31)},
        [f"{EN}:1: name: is 31 characters long, the limit is 30 (shorten by 1)"],
    ),
    (
        "name-too-short",
        {EN: BASE_EN.replace("name: Demo App", "name: D")},
        [f"{EN}:1: name: is 1 characters long, the minimum is 2 (at least 2 characters)"],
    ),
    (
        "subtitle-cjk-over-limit",
        en("subtitle: " + "映" * 31 + "\n"),
        [f"{EN}:5: subtitle: is 31 characters long, the limit is 30 (shorten by 1)"],
    ),
    (
        "promotional-text-over-limit",
        en("promotional_text: " + "a" * 171 + "\n"),
        [f"{EN}:5: promotional_text: is 171 characters long, the limit is 170 (shorten by 1)"],
    ),
    (
        "html-in-description-from-file",
        {
            EN: BASE_EN.replace("description: A demo.", "description: !file ../texts/d.md"),
            "apps/demo/texts/d.md": "Line one\nLine <b>two</b>\n",
        },
        [
            "apps/demo/texts/d.md:2: description: contains HTML '<b>' (plain text only; line breaks are kept)"
        ],
    ),
    (
        "url-without-scheme",
        {EN: BASE_EN.replace("https://example.com/support", "example.com/support")},
        [
            f"{EN}:3: support_url: 'example.com/support' is not a full URL (e.g. https://example.com/x)"
        ],
    ),
    (
        "bad-email",
        {VERSION: 'version: "1.0"\nreview:\n  contact:\n    email: someone-at-example\n'},
        [
            f"{VERSION}:4: review.contact.email: 'someone-at-example' is not an email address (e.g. name@example.com)"
        ],
    ),
    (
        "keywords-over-100-characters",
        # nine 9-character words and one of 11, joined by 9 commas: 101 characters
        en(
            "keywords: ["
            + ", ".join([f"keyword0{i}" for i in range(1, 10)] + ["abcdefghijk"])
            + "]\n"
        ),
        [f"{EN}:5: keywords: is 101 characters long, the limit is 100 (shorten by 1)"],
    ),
    (
        "keywords-hygiene",
        en("keywords: [demo, 'movies, films', ' tv', ab]\n"),
        [
            f"{EN}:5: keywords[0]: 'demo' is already in the name or subtitle (those words are indexed anyway; use the space for another keyword)",
            f"{EN}:5: keywords[1]: 'movies, films' contains a comma (write one keyword per list item)",
            f"{EN}:5: keywords[2]: ' tv' has surrounding spaces (ascsync strips them)",
            f"{EN}:5: keywords[2]: ' tv' is very short (Apple advises keywords longer than two characters)",
            f"{EN}:5: keywords[3]: 'ab' is very short (Apple advises keywords longer than two characters)",
        ],
    ),
    # ----------------------------------------------------------------- locales
    (
        "locale-wrong-case",
        {"apps/demo/locales/de-de.yml": BASE_EN},
        [
            "apps/demo/locales/de-de.yml: locale: 'de-de' is not an App Store locale (did you mean de-DE?)"
        ],
    ),
    (
        "screenshots-for-undeclared-locale",
        {"apps/demo/screenshots/fr-FR/APP_IPHONE_67/.keep": ""},
        [
            "apps/demo/screenshots/fr-FR: screenshots: fr-FR has no locales/fr-FR.yml (add apps/demo/locales/fr-FR.yml or remove the folder)"
        ],
    ),
    (
        "primary-locale-without-file",
        {APP: "bundle_id: com.example.demo\nplatform: IOS\nprimary_locale: de-DE\n"},
        [
            f"{APP}:3: primary_locale: de-DE has no locales/de-DE.yml (create apps/demo/locales/de-DE.yml)",
        ],
    ),
    # -------------------------------------------------------------- age rating
    (
        "age-rating-missing-answer-and-deprecated",
        {
            "apps/demo/age-rating.yml": "\n".join(
                [
                    "alcohol_tobacco_or_drug_use_or_references: INFREQUENT_OR_MILD",
                    "contests: SOMETIMES",
                    "age_rating_override: NONE",
                ]
            )
        },
        None,  # checked separately below (many required answers)
    ),
    # ---------------------------------------------------------------- products
    (
        "iap-bad-type-and-product-id",
        {
            IAP: IAP_OK.replace("NON_CONSUMABLE", "NONCONSUMABLE").replace(
                "demo.pro\n", "demo pro\n", 1
            )
        },
        [
            f"{IAP}:1: product_id: 'com.example.demo pro' is not valid (letters, digits, '.', '_' (≤100))",
            f"{IAP}:2: type: 'NONCONSUMABLE' is not allowed (did you mean NON_CONSUMABLE?)",
        ],
    ),
    (
        "iap-without-localization",
        {IAP: IAP_OK.replace("localizations:\n  en-US: {name: Pro}\n", "")},
        [
            f"{IAP}:1: localizations: an in-app purchase needs at least one localization (localizations: {{en-US: {{name: ...}}}})"
        ],
    ),
    (
        "product-id-used-twice",
        {
            IAP: IAP_OK,
            "apps/demo/subscriptions/plus.yml": """\
                reference_name: Plus
                localizations: {en-US: {name: Plus}}
                subscriptions:
                  - product_id: com.example.demo.pro
                    reference_name: Plus monthly
                    period: ONE_MONTH
                    localizations: {en-US: {name: Monthly}}
                """,
        },
        [
            "apps/demo/subscriptions/plus.yml:4: subscriptions[0].product_id: 'com.example.demo.pro' is already used (unique within the app)"
        ],
    ),
    (
        "subscription-bad-period-did-you-mean",
        {
            "apps/demo/subscriptions/plus.yml": """\
                reference_name: Plus
                localizations: {en-US: {name: Plus}}
                subscriptions:
                  - product_id: com.example.demo.monthly
                    reference_name: Plus monthly
                    period: MONTHLY
                    localizations: {en-US: {name: Monthly}}
                """,
        },
        [
            "apps/demo/subscriptions/plus.yml:6: subscriptions[0].period: 'MONTHLY' is not allowed (did you mean ONE_MONTH?)"
        ],
    ),
    (
        "subscription-price-territory-twice",
        {
            "apps/demo/subscriptions/plus.yml": """\
                reference_name: Plus
                localizations: {en-US: {name: Plus}}
                subscriptions:
                  - product_id: com.example.demo.monthly
                    reference_name: Plus monthly
                    period: ONE_MONTH
                    localizations: {en-US: {name: Monthly}}
                    prices:
                      - {territory: USA, customer_price: "2.99"}
                      - {territory: USA, customer_price: "3.99"}
                """,
        },
        [
            "apps/demo/subscriptions/plus.yml:10: subscriptions[0].prices[1].territory: USA has a price already (one per territory)"
        ],
    ),
    (
        "defaults-not-a-mapping",
        {"ascsync.yml": "format_version: 1\ndefaults: [a, b]\n"},
        ["ascsync.yml:2: defaults: must be a mapping of keys, not a list"],
    ),
    (
        "beta-group-names-unique",
        {
            "apps/demo/testflight/groups/a.yml": "name: Testers\ninternal: true\npublic_link: {enabled: true}\n",
            "apps/demo/testflight/groups/b.yml": "name: Testers\n",
        },
        [
            "apps/demo/testflight/groups/a.yml:3: public_link.enabled: internal groups cannot have a public link (internal: false)",
            "apps/demo/testflight/groups/b.yml:1: name: 'Testers' is already used in a.yml (must be unique within the app)",
        ],
    ),
    (
        "external-group-without-test-information",
        {"apps/demo/testflight/groups/public.yml": "name: Public\ninternal: false\n"},
        [
            "apps/demo/testflight/groups/public.yml:2: internal: external groups need test information (add testflight/beta-app.yml with a description and feedback_email)"
        ],
    ),
    (
        "ipad-flag-on-mac",
        {
            APP: "bundle_id: com.example.demo\nplatform: MAC_OS\nprimary_locale: en-US\nsupports_ipad: true\n"
        },
        None,  # MAC_OS also needs desktop screenshots; see test below
    ),
    (
        "scheduled-release-without-date",
        {VERSION: 'version: "1.0"\nrelease:\n  type: SCHEDULED\n'},
        [
            f"{VERSION}:3: release.earliest_date: is required for a SCHEDULED release (an ISO-8601 date)"
        ],
    ),
    (
        "demo-account-required-without-password",
        {
            VERSION: 'version: "1.0"\nreview:\n  demo_account:\n    required: true\n    name: r@example.com\n'
        },
        [
            f"{VERSION}:4: review.demo_account.password: is required when demo_account.required is true"
        ],
    ),
]


def _lines(root: Path) -> list[str]:
    """Every problem, but the reminder that a product has no review screenshot: the cases'
    products leave it out (tests/plan/test_product_extras_plan.py pins that warning)."""
    return [
        p.format(root)
        for p in validate_repo(root).problems
        if "has no review screenshot" not in p.message
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [pytest.param(files, expected, id=name) for name, files, expected in CASES if expected],
)
def test_each_mistake_gets_its_exact_message(tmp_path: Path, files: dict, expected: list[str]):
    root = make_repo(tmp_path, files)
    assert _lines(root) == expected


def test_keywords_count_characters_but_warn_on_bytes(tmp_path: Path):
    words = ["فيلم", "سينما", "مراجعات", "ممثلون", "مخرج", "عروض", "تذاكر", "قائمة", "مشاهدة"]
    keywords = ",".join(words + ["أفلام", "إعلانات"])  # 68 characters, 126 UTF-8 bytes
    root = make_repo(tmp_path, en(f"keywords: [{keywords}]\n"))
    report = validate_repo(root)
    assert report.errors == []
    assert [p.format(root) for p in report.warnings] == [
        f"{EN}:5: keywords: is 126 bytes in UTF-8; Apple documents a limit of 100 bytes but the "
        "API has been seen to count characters (100 bytes is the safe size)"
    ]


def test_age_rating_requires_every_answer_and_warns_on_deprecated(tmp_path: Path):
    age = "apps/demo/age-rating.yml"
    root = make_repo(
        tmp_path,
        {
            age: "alcohol_tobacco_or_drug_use_or_references: INFREQUENT_OR_MILD\n"
            "contests: SOMETIMES\nage_rating_override: NONE\n"
        },
    )
    report = validate_repo(root)
    lines = [p.format(root) for p in report.problems]
    assert (
        f"{age}:1: alcohol_tobacco_or_drug_use_or_references: INFREQUENT_OR_MILD is deprecated (use INFREQUENT)"
        in lines
    )  # noqa: E501
    assert (
        f"{age}:2: contests: 'SOMETIMES' is not allowed (one of NONE, INFREQUENT, FREQUENT)"
        in lines
    )  # noqa: E501
    assert f"{age}:3: age_rating_override: is deprecated (use age_rating_override_v2)" in lines
    missing = {p.field for p in report.errors if p.message == "is required"}
    assert "gambling" in missing and "violence_realistic" in missing
    assert "contests" not in missing and "social_media" not in missing
    assert len(missing) == 11 + 9  # 13 level questions minus the 2 given, plus 9 booleans


def test_ipad_flag_on_a_mac_app_warns(tmp_path: Path):
    files = dict((name, f) for name, f, _ in CASES)["ipad-flag-on-mac"]
    root = make_repo(tmp_path, files)
    assert f"{APP}:4: supports_ipad: has no effect for MAC_OS (iOS apps only)" in _lines(root)


def test_privacy_policy_text_outside_tvos_warns(tmp_path: Path):
    root = make_repo(tmp_path, en("privacy_policy_text: Our policy.\n"))
    assert _lines(root) == [
        f"{EN}:5: privacy_policy_text: is used on tvOS only (use privacy_policy_url)"
    ]
