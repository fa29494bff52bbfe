"""``ascsync apply`` for in-app purchases and subscriptions, against the sandbox."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.desired.model import LIVE, Record, Value
from ascsync.engine.ops import Ids, Parent, localization_op
from ascsync.engine.plan import Action, Change, FieldChange
from ascsync.engine.prices import price_point
from ascsync.kinds.in_app_purchases import IAP_FIELDS
from ascsync.sandbox import Sandbox
from tests.apply.conftest import fast_settings, invoke, writes

APP = Path("apps/moviecatalog")
IAP_FILE = APP / "in-app-purchases/com.example.moviecatalog.pro.yml"
GROUP_FILE = APP / "subscriptions/movie-catalog-plus.yml"
PRO = "com.example.moviecatalog.pro"
YEARLY = "com.example.moviecatalog.plus.yearly"
MONTHLY = "com.example.moviecatalog.plus.monthly"


@pytest.fixture
def repo(example: Path) -> Path:
    """The example repo without screenshots and TestFlight: products only, so runs are quick."""
    shutil.rmtree(example / APP / "screenshots")
    shutil.rmtree(example / APP / "testflight")
    return example


def edit(repo: Path, relative: Path, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def apply_ok(sandbox: Sandbox, repo: Path) -> str:
    result = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
    assert result.exit_code == 0, result.output
    return result.output


def assert_no_changes(sandbox: Sandbox, repo: Path) -> None:
    result = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No changes."), result.output


# -- looking inside the sandbox ------------------------------------------------------------


def product(sandbox: Sandbox, type_: str, product_id: str) -> Any:
    return next(r for r in sandbox.store.list(type_) if r.attributes["productId"] == product_id)


def names_by_locale(sandbox: Sandbox, owner: Any, relationship: str) -> dict[str, str]:
    return {
        loc.attributes["locale"]: loc.attributes["name"]
        for loc in sandbox.store.related(owner, relationship)
    }


def iap_base_price(sandbox: Sandbox, product_id: str) -> tuple[str, str]:
    """(base territory, its customer price) of the IAP's current schedule."""
    store = sandbox.store
    (schedule,) = store.related(product(sandbox, "inAppPurchases", product_id), "iapPriceSchedule")
    territory = schedule.relationships["baseTerritory"][1]
    for price in store.related(schedule, "manualPrices"):
        if price.relationships["territory"][1] == territory:
            (point,) = store.related(price, "inAppPurchasePricePoint")
            return territory, point.attributes["customerPrice"]
    raise AssertionError("the base territory has no manual price")


def subscription_prices(sandbox: Sandbox, product_id: str) -> dict[str, str]:
    store = sandbox.store
    out = {}
    for price in store.related(product(sandbox, "subscriptions", product_id), "prices"):
        (point,) = store.related(price, "subscriptionPricePoint")
        out[price.relationships["territory"][1]] = point.attributes["customerPrice"]
    return out


def client_for(sandbox: Sandbox, **kwargs: Any) -> ApiClient:
    tokens = TokenProvider(sandbox.key_id, sandbox.private_key_pem, sandbox.issuer_id)
    return ApiClient(sandbox.url, tokens, **kwargs)


def iap_manual_prices(sandbox: Sandbox, product_id: str) -> dict[str, str]:
    store = sandbox.store
    (schedule,) = store.related(product(sandbox, "inAppPurchases", product_id), "iapPriceSchedule")
    out = {}
    for price in store.related(schedule, "manualPrices"):
        (point,) = store.related(price, "inAppPurchasePricePoint")
        out[price.relationships["territory"][1]] = point.attributes["customerPrice"]
    return out


def group(sandbox: Sandbox, name: str) -> Any:
    return next(
        g for g in sandbox.store.list("subscriptionGroups") if g.attributes["referenceName"] == name
    )


# -- tests ---------------------------------------------------------------------------------


def test_products_apply_then_plan_shows_no_changes_and_a_rerun_writes_nothing(
    repo: Path,
) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        assert_no_changes(sandbox, repo)

        pro = product(sandbox, "inAppPurchases", PRO)
        assert pro.attributes["name"] == "Movie Catalog Pro (lifetime)"
        assert pro.attributes["reviewNote"].startswith("Unlocks unlimited lists.")
        assert names_by_locale(sandbox, pro, "inAppPurchaseLocalizations") == {
            "en-US": "Movie Catalog Pro",
            "de-DE": "Filmkatalog Pro",
            "fr-FR": "Catalogue Pro",
            "ja": "ムービーカタログ Pro",
        }
        assert iap_base_price(sandbox, PRO) == ("USA", "9.99")

        plus = group(sandbox, "Movie Catalog Plus")
        assert names_by_locale(sandbox, plus, "subscriptionGroupLocalizations")["de-DE"] == (
            "Filmkatalog Plus"
        )
        yearly = product(sandbox, "subscriptions", YEARLY)
        assert sandbox.store.related(yearly, "group") == [plus]
        assert yearly.attributes["subscriptionPeriod"] == "ONE_YEAR"
        assert yearly.attributes["groupLevel"] == 1
        assert names_by_locale(sandbox, yearly, "subscriptionLocalizations")["ja"] == (
            "Plus 年間プラン"
        )
        assert subscription_prices(sandbox, YEARLY) == {"USA": "29.99", "DEU": "29.99"}
        assert subscription_prices(sandbox, MONTHLY) == {"USA": "2.99"}

        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert writes(sandbox, mark) == []


def test_prices_change_through_the_matching_price_point(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        edit(repo, IAP_FILE, 'customer_price: "9.99"', 'customer_price: "4.99"')
        edit(
            repo,
            GROUP_FILE,
            '{territory: USA, customer_price: "2.99"}',
            "{territory: USA, customer_price: 3.99}",
        )
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert sorted(e.operation for e in writes(sandbox, mark)) == [
            "POST /v1/inAppPurchasePriceSchedules",
            "POST /v1/subscriptionPrices",
        ]
        assert iap_base_price(sandbox, PRO) == ("USA", "4.99")
        assert subscription_prices(sandbox, MONTHLY) == {"USA": "3.99"}
        assert subscription_prices(sandbox, YEARLY) == {"USA": "29.99", "DEU": "29.99"}
        assert_no_changes(sandbox, repo)


def test_a_new_iap_price_keeps_manual_prices_of_other_territories(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        client = client_for(sandbox)
        iap_id = product(sandbox, "inAppPurchases", PRO).id
        points = {
            territory: price_point(
                client,
                f"/v2/inAppPurchases/{iap_id}/pricePoints",
                "inAppPurchasePricePoints",
                territory,
                price,
                limit=8000,
            )
            for territory, price in (("USA", "9.99"), ("JPN", "1500"))
        }
        by_hand = {  # a Japanese price set in App Store Connect, outside the repo
            "data": {
                "type": "inAppPurchasePriceSchedules",
                "relationships": {
                    "inAppPurchase": {"data": {"type": "inAppPurchases", "id": iap_id}},
                    "baseTerritory": {"data": {"type": "territories", "id": "USA"}},
                    "manualPrices": {
                        "data": [{"type": "inAppPurchasePrices", "id": f"${{{t}}}"} for t in points]
                    },
                },
            },
            "included": [
                {
                    "type": "inAppPurchasePrices",
                    "id": f"${{{t}}}",
                    "relationships": {
                        "inAppPurchasePricePoint": {
                            "data": {"type": "inAppPurchasePricePoints", "id": point}
                        }
                    },
                }
                for t, point in points.items()
            ],
        }
        client.post("/v1/inAppPurchasePriceSchedules", by_hand)
        edit(repo, IAP_FILE, 'customer_price: "9.99"', 'customer_price: "4.99"')
        apply_ok(sandbox, repo)
        assert iap_manual_prices(sandbox, PRO) == {"USA": "4.99", "JPN": "1500"}
        assert_no_changes(sandbox, repo)


def test_a_price_apple_does_not_offer_fails_with_the_nearest_valid_ones(repo: Path) -> None:
    edit(repo, IAP_FILE, 'customer_price: "9.99"', 'customer_price: "9.98"')
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        result = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
        assert result.exit_code == 1
        assert "9.98 is not a price App Store Connect offers in USA" in result.output
        nearby = result.output.split("valid nearby: ", 1)[1].split(")", 1)[0]
        assert "9.99" in nearby.split(", ")
        assert "Traceback" not in result.output
        assert iap_base_price(sandbox, PRO) == ("USA", "4.99")  # the seed's price stays
        # everything else of the plan was applied
        assert product(sandbox, "inAppPurchases", PRO).attributes["name"] == (
            "Movie Catalog Pro (lifetime)"
        )


def test_localizations_created_then_deleted(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        edit(
            repo,
            IAP_FILE,
            "  ja:",
            "  it: {name: Catalogo Pro, description: Liste illimitate.}\n  ja:",
        )
        edit(
            repo,
            GROUP_FILE,
            "  ja: {name: ムービーカタログ Plus}",
            "  ja: {name: ムービーカタログ Plus}\n  it: {name: Catalogo Plus}",
        )
        edit(
            repo,
            GROUP_FILE,
            '      ja: {name: Plus 月間プラン, description: "新機能の先行利用（毎月）。"}',
            '      ja: {name: Plus 月間プラン, description: "新機能の先行利用（毎月）。"}\n'
            "      it: {name: Plus mensile}",
        )
        apply_ok(sandbox, repo)
        pro = product(sandbox, "inAppPurchases", PRO)
        monthly = product(sandbox, "subscriptions", MONTHLY)
        plus = group(sandbox, "Movie Catalog Plus")
        assert names_by_locale(sandbox, pro, "inAppPurchaseLocalizations")["it"] == "Catalogo Pro"
        assert names_by_locale(sandbox, plus, "subscriptionGroupLocalizations")["it"] == (
            "Catalogo Plus"
        )
        assert names_by_locale(sandbox, monthly, "subscriptionLocalizations")["it"] == (
            "Plus mensile"
        )
        assert_no_changes(sandbox, repo)

        shutil.rmtree(repo)
        shutil.copytree(Path(__file__).resolve().parents[2] / "example-repo", repo)
        shutil.rmtree(repo / APP / "screenshots")
        shutil.rmtree(repo / APP / "testflight")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert sorted(e.operation for e in writes(sandbox, mark)) == [
            "DELETE /v1/inAppPurchaseLocalizations/{id}",
            "DELETE /v1/subscriptionGroupLocalizations/{id}",
            "DELETE /v1/subscriptionLocalizations/{id}",
        ]
        assert "it" not in names_by_locale(sandbox, pro, "inAppPurchaseLocalizations")
        assert "it" not in names_by_locale(sandbox, plus, "subscriptionGroupLocalizations")
        assert "it" not in names_by_locale(sandbox, monthly, "subscriptionLocalizations")
        assert_no_changes(sandbox, repo)


def test_a_new_subscription_joins_the_existing_group(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        weekly = (
            "  - product_id: com.example.moviecatalog.plus.weekly\n"
            "    reference_name: Plus weekly\n"
            "    period: ONE_WEEK\n"
            "    group_level: 3\n"
            "    review_screenshot: review/plus-monthly.png\n"
            "    localizations:\n"
            "      en-US: {name: Plus weekly, description: Try Plus for a week.}\n"
            "    prices:\n"
            '      - {territory: USA, customer_price: "0.99"}\n'
        )
        path = repo / GROUP_FILE
        path.write_text(path.read_text(encoding="utf-8") + weekly, encoding="utf-8")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert sorted(e.operation for e in writes(sandbox, mark) if e.operation) == [
            "PATCH /v1/subscriptionAppStoreReviewScreenshots/{id}",
            "POST /v1/subscriptionAppStoreReviewScreenshots",
            "POST /v1/subscriptionLocalizations",
            "POST /v1/subscriptionPrices",
            "POST /v1/subscriptions",
        ]
        new = product(sandbox, "subscriptions", "com.example.moviecatalog.plus.weekly")
        assert sandbox.store.related(new, "group") == [group(sandbox, "Movie Catalog Plus")]
        assert subscription_prices(sandbox, "com.example.moviecatalog.plus.weekly") == {
            "USA": "0.99"
        }
        assert_no_changes(sandbox, repo)


def test_product_attributes_are_updated_in_place(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)
        edit(repo, IAP_FILE, "family_sharable: true", "family_sharable: false")
        edit(repo, GROUP_FILE, "reference_name: Plus yearly", "reference_name: Plus annual")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert sorted(e.operation for e in writes(sandbox, mark)) == [
            "PATCH /v1/subscriptions/{id}",
            "PATCH /v2/inAppPurchases/{id}",
        ]
        assert product(sandbox, "inAppPurchases", PRO).attributes["familySharable"] is False
        assert product(sandbox, "subscriptions", YEARLY).attributes["name"] == "Plus annual"
        assert_no_changes(sandbox, repo)


def test_a_create_that_timed_out_is_looked_up_and_adopted_not_sent_twice() -> None:
    slow_post = "latency=700,path=/v1/inAppPurchaseLocalizations"
    with Sandbox(seed="demo", settings=fast_settings(), faults=slow_post) as sandbox:
        client = client_for(sandbox, timeout=(5.0, 0.3))
        pro = product(sandbox, "inAppPurchases", PRO)
        address = f"app[moviecatalog].iap[{PRO}]"
        change = Change(
            f"{address}.locale[it]",
            Action.CREATE,
            "inAppPurchaseLocalizations",
            "moviecatalog",
            "it",
            fields=(FieldChange("name", None, "Catalogo Pro"),),
        )
        op = localization_op(
            change,
            fields=next(f.fields for f in IAP_FIELDS if f.key == "localizations"),
            wanted=Record(LIVE, {"localizations.it.name": Value("Catalogo Pro", LIVE)}),
            prefix="localizations.it.",
            parent_relationship="inAppPurchaseV2",
            parent=Parent("inAppPurchases", pro.id, address, "/v2/inAppPurchases"),
            live_id=None,
        )
        ids = Ids()
        op.run(client, ids)  # the POST times out on the client side; Apple carries it out
        italian = [
            loc
            for loc in sandbox.store.related(pro, "inAppPurchaseLocalizations")
            if loc.attributes["locale"] == "it"
        ]
        assert [loc.attributes["name"] for loc in italian] == ["Catalogo Pro"]
        assert ids.get(change.address) == italian[0].id
        posts = [e for e in sandbox.journal if e.method == "POST"]
        assert len(posts) == 1
