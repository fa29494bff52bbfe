# ruff: noqa: E501  (expected messages are kept on one line so they read like the output)
"""``ascsync validate`` on custom product pages, in-app events and product page tests.

Each case starts from the valid baseline (tests/desired/minirepo.py) plus one valid page,
event or test, and breaks one thing; the expected lines are what a user sees.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image

from ascsync.kinds.registry import validate_repo
from tests.desired.minirepo import IPHONE_PNG, make_repo

PAGE = "apps/demo/custom-product-pages/buffs/page.yml"
PAGE_OK = """\
name: Film buffs
visible: false
deep_link: moviecatalog://lists
localizations:
  en-US:
    promotional_text: Every classic, in one list.
"""
EVENT = "apps/demo/in-app-events/festival/event.yml"
EVENT_OK = """\
reference_name: Festival 2030
badge: SPECIAL_EVENT
primary_locale: en-US
territory_schedules:
  - territories: [USA, CAN]
    publish_start: 2030-06-24T16:00:00Z
    event_start: 2030-07-01T16:00:00Z
    event_end: 2030-07-10T16:00:00Z
localizations:
  en-US:
    name: Summer Film Festival
    short_description: Ten days of premieres.
    long_description: Daily picks from the programme.
"""
TEST = "apps/demo/product-page-tests/search/test.yml"
TEST_OK = "name: Search first\ntraffic_proportion: 30\nstarted: false\n"
TREATMENT = "apps/demo/product-page-tests/search/up-front/treatment.yml"
TREATMENT_OK = "name: Search up front\nlocales: [en-US]\n"


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 20, 30) if mode == "RGB" else (10, 20, 30, 0)).save(
        out, "PNG"
    )
    return out.getvalue()


def problems(tmp_path: Path, files: dict[str, str | bytes | None]) -> list[str]:
    root = make_repo(tmp_path / "repo", files)
    return [p.format(root) for p in validate_repo(root).problems]


def test_the_valid_page_event_and_test_pass(tmp_path: Path) -> None:
    files: dict[str, str | bytes | None] = {
        PAGE: PAGE_OK,
        "apps/demo/custom-product-pages/buffs/screenshots/en-US/APP_IPHONE_67/01.png": IPHONE_PNG.read_bytes(),
        EVENT: EVENT_OK,
        "apps/demo/in-app-events/festival/media/en-US/EVENT_CARD/card.png": png(1920, 1080),
        "apps/demo/in-app-events/festival/media/en-US/EVENT_DETAILS_PAGE/d.png": png(1080, 1920),
        TEST: TEST_OK,
        TREATMENT: TREATMENT_OK,
        "apps/demo/product-page-tests/search/up-front/screenshots/en-US/APP_IPHONE_67/01.png": IPHONE_PNG.read_bytes(),
    }
    assert problems(tmp_path, files) == []


PAGE_CASES: list[tuple[str, dict[str, str | bytes | None], list[str]]] = [
    (
        "promotional-text-too-long",
        {PAGE: PAGE_OK.replace("Every classic, in one list.", "x" * 171)},
        [
            f"{PAGE}:6: localizations.en-US.promotional_text: is 171 characters long, the limit is 170 (shorten by 1)"
        ],
    ),
    (
        "deep-link-without-scheme",
        {PAGE: PAGE_OK.replace("moviecatalog://lists", "example.com/lists")},
        [
            f"{PAGE}:3: deep_link: 'example.com/lists' is not valid (a URL with a scheme, e.g. https://example.com/films or moviecatalog://films)"
        ],
    ),
    (
        "media-of-an-undeclared-locale",
        {
            PAGE: PAGE_OK,
            "apps/demo/custom-product-pages/buffs/screenshots/ja/APP_IPHONE_67/01.png": IPHONE_PNG.read_bytes(),
        },
        [
            "apps/demo/custom-product-pages/buffs/screenshots/ja: screenshots: ja is not a localization of buffs/page.yml (add ja to its localizations, or remove the folder)"
        ],
    ),
    (
        "screenshot-of-the-wrong-size",
        {
            PAGE: PAGE_OK,
            "apps/demo/custom-product-pages/buffs/screenshots/en-US/APP_IPHONE_67/01.png": png(
                1000, 2000
            ),
        },
        [
            "apps/demo/custom-product-pages/buffs/screenshots/en-US/APP_IPHONE_67/01.png: screenshots[APP_IPHONE_67][01.png]: 1000×2000 is not accepted for APP_IPHONE_67 (accepted: 1260×2736, 1290×2796, 1320×2868, or landscape)"
        ],
    ),
    (
        "a-page-folder-without-page-yml",
        {"apps/demo/custom-product-pages/buffs/notes.txt": "draft"},
        [
            "apps/demo/custom-product-pages/buffs/page.yml: custom-product-page: is missing (create apps/demo/custom-product-pages/buffs/page.yml)"
        ],
    ),
    (
        "two-pages-with-one-name",
        {PAGE: PAGE_OK, "apps/demo/custom-product-pages/copy/page.yml": PAGE_OK},
        [
            "apps/demo/custom-product-pages/copy/page.yml:1: name: 'Film buffs' is already used in page.yml (must be unique within the app)"
        ],
    ),
    (
        "a-page-without-locales",
        {PAGE: "name: Film buffs\nlocalizations: {}\n"},
        [
            f"{PAGE}:1: localizations: the page has no localization; Apple needs one before it is submitted (localizations: {{en-US: {{promotional_text: ...}}}})"
        ],
    ),
    (
        "brackets-in-a-name",
        {PAGE: PAGE_OK.replace("name: Film buffs", "name: Film [buffs]")},
        [
            f"{PAGE}:1: name: 'Film [buffs]' contains [ or ] (ascsync names it in plans as x[<name>]; rename it)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("files", "expected"), [c[1:] for c in PAGE_CASES], ids=[c[0] for c in PAGE_CASES]
)
def test_custom_product_page_rules(tmp_path: Path, files: dict, expected: list[str]) -> None:
    assert problems(tmp_path, files) == expected


def schedule(publish: str, start: str, end: str, territories: str = "[USA, CAN]") -> str:
    return EVENT_OK.replace("[USA, CAN]", territories).replace(
        "    publish_start: 2030-06-24T16:00:00Z\n    event_start: 2030-07-01T16:00:00Z\n    event_end: 2030-07-10T16:00:00Z\n",
        f"    publish_start: {publish}\n    event_start: {start}\n    event_end: {end}\n",
    )


EVENT_CASES: list[tuple[str, dict[str, str | bytes | None], list[str]]] = [
    (
        "end-before-start",
        {EVENT: schedule("2030-06-24T16:00:00Z", "2030-07-01T16:00:00Z", "2030-07-01T10:00:00Z")},
        [
            f"{EVENT}:8: territory_schedules[0].event_end: is not after the start (15 minutes to 31 days after event_start [R])"
        ],
    ),
    (
        "ten-minutes-is-too-short",
        {EVENT: schedule("2030-06-24T16:00:00Z", "2030-07-01T16:00:00Z", "2030-07-01T16:10:00Z")},
        [
            f"{EVENT}:8: territory_schedules[0].event_end: is 0:10:00 after the start (15 minutes to 31 days after event_start [R])"
        ],
    ),
    (
        "longer-than-31-days",
        {EVENT: schedule("2030-06-24T16:00:00Z", "2030-07-01T16:00:00Z", "2030-08-05T16:00:00Z")},
        [
            f"{EVENT}:8: territory_schedules[0].event_end: is 35 days after the start (at most 31 days after event_start [R])"
        ],
    ),
    (
        "promoted-too-early",
        {EVENT: schedule("2030-06-01T16:00:00Z", "2030-07-01T16:00:00Z", "2030-07-10T16:00:00Z")},
        [
            f"{EVENT}:6: territory_schedules[0].publish_start: is 30 days before event_start (at most 14 days before it [R])"
        ],
    ),
    (
        "published-after-the-start",
        {EVENT: schedule("2030-07-02T16:00:00Z", "2030-07-01T16:00:00Z", "2030-07-10T16:00:00Z")},
        [
            f"{EVENT}:6: territory_schedules[0].publish_start: is after event_start (promote the event before it starts)"
        ],
    ),
    (
        "a-date-without-time-zone",
        {EVENT: schedule("2030-06-24", "2030-07-01T16:00:00+02:00", "2030-07-10T16:00:00Z")},
        [
            f"{EVENT}:6: territory_schedules[0].publish_start: '2030-06-24' has no time and time zone (e.g. 2027-06-01T18:00:00Z or 2027-06-01T20:00:00+02:00)"
        ],
    ),
    (
        "an-event-that-is-over-warns",
        {EVENT: schedule("2020-06-24T16:00:00Z", "2020-07-01T16:00:00Z", "2020-07-10T16:00:00Z")},
        [
            f"{EVENT}:8: territory_schedules[0].event_end: has passed (an event that is over cannot change; remove the folder once it is over)"
        ],
    ),
    (
        "bad-and-repeated-storefronts",
        {
            EVENT: EVENT_OK.replace("[USA, CAN]", "[usa, CAN]").replace(
                "localizations:",
                "  - {territories: [CAN], publish_start: 2030-06-24T16:00:00Z, event_start: 2030-07-01T16:00:00Z, event_end: 2030-07-02T16:00:00Z}\nlocalizations:",
            )
        },
        [
            f"{EVENT}:5: territory_schedules[0].territories: 'usa' is not a territory code (ISO alpha-3 such as USA)",
            f"{EVENT}:9: territory_schedules[1].territories: CAN is already in territory_schedules[0] (each storefront has one schedule)",
        ],
    ),
    (
        "name-longer-than-30",
        {
            EVENT: EVENT_OK.replace(
                "name: Summer Film Festival", "name: The Great Summer Film Festival 2030"
            )
        },
        [
            f"{EVENT}:11: localizations.en-US.name: is 35 characters long, the limit is 30 (shorten by 5)"
        ],
    ),
    (
        "primary-locale-not-a-localization",
        {EVENT: EVENT_OK.replace("primary_locale: en-US", "primary_locale: de-DE")},
        [
            f"{EVENT}:3: primary_locale: de-DE is not one of the event's localizations (one of en-US)"
        ],
    ),
    (
        "unknown-purchase-requirement-warns",
        {EVENT: EVENT_OK + "purchase_requirement: FREE\n"},
        [
            f"{EVENT}:14: purchase_requirement: 'FREE' is not a value ascsync knows (one of NO_COST_ASSOCIATED, IN_APP_PURCHASE [U])"
        ],
    ),
    (
        "two-cards-in-one-folder",
        {
            EVENT: EVENT_OK,
            "apps/demo/in-app-events/festival/media/en-US/EVENT_CARD/a.png": png(1920, 1080),
            "apps/demo/in-app-events/festival/media/en-US/EVENT_CARD/b.png": png(1920, 1080),
        },
        [
            "apps/demo/in-app-events/festival/media/en-US/EVENT_CARD: media[EVENT_CARD]: 2 files in this folder (exactly one image or video)"
        ],
    ),
    (
        "a-square-card",
        {
            EVENT: EVENT_OK,
            "apps/demo/in-app-events/festival/media/en-US/EVENT_CARD/a.png": png(1200, 1200),
        },
        [
            "apps/demo/in-app-events/festival/media/en-US/EVENT_CARD/a.png: media[EVENT_CARD]: 1200×1200 is not 16:9 (16:9, from 1920×1080 to 3840×2160)"
        ],
    ),
    (
        "a-details-image-too-small",
        {
            EVENT: EVENT_OK,
            "apps/demo/in-app-events/festival/media/en-US/EVENT_DETAILS_PAGE/a.png": png(540, 960),
        },
        [
            "apps/demo/in-app-events/festival/media/en-US/EVENT_DETAILS_PAGE/a.png: media[EVENT_DETAILS_PAGE]: 540×960 is out of range (9:16, from 1080×1920 to 2160×3840)"
        ],
    ),
    (
        "a-transparent-card",
        {
            EVENT: EVENT_OK,
            "apps/demo/in-app-events/festival/media/en-US/EVENT_CARD/a.png": png(
                1920, 1080, "RGBA"
            ),
        },
        [
            "apps/demo/in-app-events/festival/media/en-US/EVENT_CARD/a.png: media[EVENT_CARD]: image has transparency (Apple accepts no alpha channel) (save it as RGB without alpha, e.g. flattened onto a background)"
        ],
    ),
    (
        "an-unknown-asset-type",
        {
            EVENT: EVENT_OK,
            "apps/demo/in-app-events/festival/media/en-US/CARD/a.png": png(1920, 1080),
        },
        [
            "apps/demo/in-app-events/festival/media/en-US/CARD: media[CARD]: 'CARD' is not an event asset type (one of EVENT_CARD, EVENT_DETAILS_PAGE)"
        ],
    ),
    (
        "media-of-an-undeclared-locale",
        {
            EVENT: EVENT_OK,
            "apps/demo/in-app-events/festival/media/ja/EVENT_CARD/a.png": png(1920, 1080),
        },
        [
            "apps/demo/in-app-events/festival/media/ja: media: ja is not a localization of festival/event.yml (add ja to its localizations, or remove the folder)"
        ],
    ),
    (
        "descriptions-missing-warn",
        {EVENT: EVENT_OK.replace("    short_description: Ten days of premieres.\n", "")},
        [
            f"{EVENT}:10: localizations.en-US.short_description: is not set (App Review needs it before the event is submitted)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("files", "expected"), [c[1:] for c in EVENT_CASES], ids=[c[0] for c in EVENT_CASES]
)
def test_in_app_event_rules(tmp_path: Path, files: dict, expected: list[str]) -> None:
    assert problems(tmp_path, files) == expected


def test_an_event_name_in_japanese_counts_characters(tmp_path: Path) -> None:
    """30 characters, not bytes: a Japanese name of 30 characters (90 bytes) is fine."""
    name = "夏の映画祭" * 6
    assert len(name) == 30
    text = EVENT_OK.replace(
        "localizations:\n",
        f"localizations:\n  ja:\n    name: {name}\n    short_description: 十日間\n    long_description: 毎日のおすすめ\n",
    )
    assert problems(tmp_path, {EVENT: text}) == []


TEST_CASES: list[tuple[str, dict[str, str | bytes | None], list[str]]] = [
    (
        "four-treatments",
        {
            TEST: TEST_OK,
            **{
                f"apps/demo/product-page-tests/search/t{n}/treatment.yml": f"name: T{n}\nlocales: [en-US]\n"
                for n in range(4)
            },
        },
        [f"{TEST}:1: treatments: the test has 4 treatments (at most 3 [A])"],
    ),
    (
        "traffic-proportion-out-of-range",
        {TEST: TEST_OK.replace("30", "0"), TREATMENT: TREATMENT_OK},
        [f"{TEST}:2: traffic_proportion: is 0 (1 to 100)"],
    ),
    (
        "bad-and-repeated-locales",
        {TEST: TEST_OK, TREATMENT: "name: Search up front\nlocales: [en-US, english, en-US]\n"},
        [
            f"{TREATMENT}:2: locales: 'english' is not an App Store locale (one of the 50 App Store locales, e.g. en-US, de-DE, ja, zh-Hans)",
            f"{TREATMENT}:2: locales: en-US is listed twice (list it once)",
        ],
    ),
    (
        "media-of-a-locale-the-treatment-does-not-list",
        {
            TEST: TEST_OK,
            TREATMENT: TREATMENT_OK,
            "apps/demo/product-page-tests/search/up-front/screenshots/de-DE/APP_IPHONE_67/01.png": IPHONE_PNG.read_bytes(),
        },
        [
            "apps/demo/product-page-tests/search/up-front/screenshots/de-DE: screenshots: de-DE is not a localization of search/up-front/treatment.yml (add de-DE to its localizations, or remove the folder)"
        ],
    ),
    (
        "a-test-without-treatments-warns",
        {TEST: TEST_OK},
        [
            f"{TEST}:1: treatments: the test has no treatment (add a folder with a treatment.yml beside test.yml)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("files", "expected"), [c[1:] for c in TEST_CASES], ids=[c[0] for c in TEST_CASES]
)
def test_product_page_test_rules(tmp_path: Path, files: dict, expected: list[str]) -> None:
    assert problems(tmp_path, files) == expected


def test_the_example_repo_uses_all_three() -> None:
    example = Path(__file__).resolve().parents[2] / "example-repo"
    report = validate_repo(example)
    assert report.ok, [p.format(example) for p in report.errors]
    app = report.repo.apps["moviecatalog"] if report.repo else None
    assert app is not None
    assert set(app.parts["custom_product_pages"]) == {"Film buffs", "Festival season"}
    (event,) = app.parts["app_events"].values()
    assert event.schedules and all(
        s["event_end"] > dt.datetime.now(dt.UTC).isoformat() for s in event.schedules
    )
    assert set(app.parts["app_events"]["Summer Film Festival 2030"].media) == {"en-US", "de-DE"}
    (test,) = app.parts["product_page_tests"].values()
    assert set(test.treatments) == {"Search up front"}
