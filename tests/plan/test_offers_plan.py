"""Subscription offers (``subscription-offers/<product_id>.yml``): validation, plan against
the sandbox, apply and the sandbox's own refusals."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ascsync.engine.plan import Plan
from ascsync.kinds.registry import validate_repo
from ascsync.sandbox import Sandbox
from ascsync.sandbox.engine import Request
from tests.apply.conftest import fast_settings, invoke, writes
from tests.plan.test_products_plan import live_group, run, write_products

PID = "com.example.demo.plus.monthly"
OFFERS = f"app[demo].offers[{PID}]"

FILE = f"""\
product_id: {PID}
introductory_offers:
  - mode: FREE_TRIAL
    duration: ONE_WEEK
    periods: 1
    territories: [USA, CAN]
  - mode: PAY_UP_FRONT
    duration: ONE_MONTH
    periods: 1
    prices:
      - {{territory: DEU, customer_price: "0.99"}}
promotional_offers:
  - code: comeback
    name: Come back
    mode: PAY_AS_YOU_GO
    duration: ONE_MONTH
    periods: 3
    prices:
      - {{territory: USA, customer_price: "1.99"}}
offer_codes:
  - name: Festival
    eligibility: [NEW, EXPIRED]
    offer_eligibility: STACK_WITH_INTRO_OFFERS
    mode: FREE_TRIAL
    duration: ONE_MONTH
    periods: 1
    active: true
    territories: [USA]
    custom_codes:
      - {{code: FESTIVAL, count: 100, expires: 2027-06-30, active: true}}
"""


def write_offers(repo: Path, text: str = FILE) -> None:
    write_products(repo, iap=None)
    folder = repo / "apps/demo/subscription-offers"
    folder.mkdir(exist_ok=True)
    (folder / f"{PID}.yml").write_text(text, encoding="utf-8")


def live_offers() -> dict[str, Any]:
    """The seed's offers, equal to FILE."""
    return {
        "introductoryOffers": [
            {
                "territory": t,
                "offerMode": "FREE_TRIAL",
                "duration": "ONE_WEEK",
                "numberOfPeriods": 1,
            }
            for t in ("USA", "CAN")
        ]
        + [
            {
                "territory": "DEU",
                "offerMode": "PAY_UP_FRONT",
                "duration": "ONE_MONTH",
                "numberOfPeriods": 1,
                "price": "0.99",
            }
        ],
        "promotionalOffers": [
            {
                "offerCode": "comeback",
                "name": "Come back",
                "offerMode": "PAY_AS_YOU_GO",
                "duration": "ONE_MONTH",
                "numberOfPeriods": 3,
                "prices": {"USA": "1.99"},
            }
        ],
        "offerCodes": [
            {
                "name": "Festival",
                "customerEligibilities": ["NEW", "EXPIRED"],
                "offerEligibility": "STACK_WITH_INTRO_OFFERS",
                "offerMode": "FREE_TRIAL",
                "duration": "ONE_MONTH",
                "numberOfPeriods": 1,
                "territories": ["USA"],
                "customCodes": [
                    {"customCode": "FESTIVAL", "numberOfCodes": 100, "expirationDate": "2027-06-30"}
                ],
            }
        ],
    }


def seeded(seed: dict[str, Any], **changes: Any) -> dict[str, Any]:
    group = live_group()
    group["subscriptions"][0].update({**live_offers(), **changes})
    seed["apps"][0]["subscriptionGroups"] = [group]
    return seed


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def change(plan: Plan, address: str) -> Any:
    return next(c for c in plan.changes if c.address == address)


# -- plan ----------------------------------------------------------------------------------


def test_matching_offers_plan_nothing(repo: Path, seed: dict) -> None:
    write_offers(repo)
    plan, stats = run(repo, seeded(seed))
    assert actions(plan) == [] and plan.locked == []
    assert stats[("GET", "/v1/subscriptions/{id}/introductoryOffers")] == 1
    assert stats[("GET", "/v1/subscriptionPromotionalOffers/{id}/prices")] == 1
    assert stats[("GET", "/v1/subscriptionOfferCodes/{id}/prices")] == 1


def test_introductory_offers_are_created_replaced_redated_and_removed(
    repo: Path, seed: dict
) -> None:
    text = FILE.replace("[USA, CAN]", "[USA, CAN, GBR]").replace(
        '{territory: DEU, customer_price: "0.99"}', '{territory: DEU, customer_price: "1.99"}'
    )
    write_offers(repo, text)
    intro = live_offers()["introductoryOffers"]
    intro.append({"territory": "JPN", "offerMode": "FREE_TRIAL", "duration": "ONE_WEEK",
                  "numberOfPeriods": 1})  # fmt: skip
    plan, _ = run(repo, seeded(seed, introductoryOffers=intro))
    assert actions(plan) == [
        ("update", f"{OFFERS}.introductory[FREE_TRIAL]"),
        ("update", f"{OFFERS}.introductory[PAY_UP_FRONT]"),
        ("delete", f"{OFFERS}.introductory.removed"),
    ]
    assert change(plan, f"{OFFERS}.introductory[FREE_TRIAL]").note == "create in GBR"
    paid = change(plan, f"{OFFERS}.introductory[PAY_UP_FRONT]")
    assert paid.note == "replace (Apple cannot edit them) in DEU"
    assert paid.calls[0] == "DELETE /v1/subscriptionIntroductoryOffers/{id}"
    removed = change(plan, f"{OFFERS}.introductory.removed")
    assert removed.note == "no introductory offer in JPN in the file"
    assert removed in plan.deletions()


def test_only_a_new_end_date_is_a_patch(repo: Path, seed: dict) -> None:
    text = FILE.replace(
        "    territories: [USA, CAN]\n", "    territories: [USA, CAN]\n    end_date: 2027-01-31\n"
    )
    write_offers(repo, text)
    plan, _ = run(repo, seeded(seed))
    only = change(plan, f"{OFFERS}.introductory[FREE_TRIAL]")
    assert only.note == "new end date in CAN, USA"
    # one PATCH per territory, counted in the plan's cost line
    assert only.calls == ("PATCH /v1/subscriptionIntroductoryOffers/{id} ×2",)


def test_promotional_prices_change_fixed_terms_lock_and_unlisted_go(repo: Path, seed: dict) -> None:
    text = FILE.replace('customer_price: "1.99"}', 'customer_price: "2.99"}').replace(
        "    periods: 3\n", "    periods: 2\n"
    )
    write_offers(repo, text)
    promos = live_offers()["promotionalOffers"]
    promos.append({**promos[0], "offerCode": "old", "name": "Old"})
    plan, _ = run(repo, seeded(seed, promotionalOffers=promos))
    assert actions(plan) == [
        ("update", f"{OFFERS}.promotional[comeback]"),
        ("delete", f"{OFFERS}.promotional[old]"),
    ]
    prices = change(plan, f"{OFFERS}.promotional[comeback]").fields[0]
    assert (prices.name, prices.before, prices.after) == (
        "prices",
        {"USA": "1.99"},
        {"USA": "2.99"},
    )
    (locked,) = plan.locked
    assert locked.note == "periods cannot change once the offer exists; use a new code"


def test_offer_codes_deactivate_and_gain_custom_codes_never_deleted(repo: Path, seed: dict) -> None:
    text = FILE.replace("    active: true\n    territories", "    active: false\n    territories")
    text += "      - {code: PRESS, count: 20}\n"
    write_offers(repo, text)
    codes = live_offers()["offerCodes"]
    codes.append({**codes[0], "name": "Unlisted", "customCodes": []})
    plan, _ = run(repo, seeded(seed, offerCodes=codes))
    assert actions(plan) == [
        ("update", f"{OFFERS}.offer_code[Festival]"),
        ("create", f"{OFFERS}.offer_code[Festival].custom_code[PRESS]"),
    ]
    active = change(plan, f"{OFFERS}.offer_code[Festival]").fields[0]
    assert (active.name, active.before, active.after) == ("active", True, False)


def test_a_changed_campaign_is_locked(repo: Path, seed: dict) -> None:
    write_offers(repo, FILE.replace("count: 100", "count: 200").replace("[NEW, EXPIRED]", "[NEW]"))
    plan, _ = run(repo, seeded(seed))
    assert actions(plan) == []
    assert sorted(c.note for c in plan.locked) == [
        "count cannot change; make a new custom code",
        "eligibility cannot change once the campaign exists; make a new one",
    ]


def test_a_new_subscription_gets_its_offers_after_it_exists(repo: Path, seed: dict) -> None:
    write_offers(repo)
    plan, _ = run(repo, seed)  # no group live: everything is a create
    owner = f"app[demo].subscription_group[Demo Plus].subscription[{PID}]"
    promo = change(plan, f"{OFFERS}.promotional[comeback]")
    assert promo.action.value == "create" and promo.after == (owner,)
    addresses = [a for _, a in actions(plan)]
    assert addresses.index(owner) < addresses.index(f"{OFFERS}.promotional[comeback]")
    custom = change(plan, f"{OFFERS}.offer_code[Festival].custom_code[FESTIVAL]")
    assert custom.after == (f"{OFFERS}.offer_code[Festival]",)


# -- validation ---------------------------------------------------------------------------


def lines(repo: Path) -> list[str]:
    return [
        p.format(repo) for p in validate_repo(repo).problems if "review screenshot" not in p.message
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    territories: [USA, CAN]\n",
            '    prices: [{territory: USA, customer_price: "0.99"}]\n',
            "introductory_offers[0].prices: a free trial has no price (territories: ...)",
        ),
        (
            "    territories: [USA, CAN]\n",
            "",
            'introductory_offers[0].territories: is required for a free trial ("all")',
        ),
        (
            '    prices:\n      - {territory: DEU, customer_price: "0.99"}\npromotional',
            "    territories: [DEU]\n"
            '    prices:\n      - {territory: DEU, customer_price: "0.99"}\npromotional',
            "introductory_offers[1].territories: is for free trials; a paid offer's prices "
            "say where",
        ),
        (
            "  - mode: PAY_UP_FRONT",
            "  - mode: FREE_TRIAL",
            "introductory_offers[1].mode: 'FREE_TRIAL' is listed twice (one introductory offer "
            "per mode)",
        ),
        (
            "{territory: DEU, customer_price",
            "{territory: USA, customer_price",
            "introductory_offers[1].mode: covers USA like the FREE_TRIAL offer (one "
            "introductory offer per territory)",
        ),
        (
            '      - {territory: USA, customer_price: "1.99"}\n',
            '      - {territory: USA, customer_price: "1.99"}\n'
            '      - {territory: USA, customer_price: "2.99"}\n',
            "promotional_offers[0].prices[1].territory: USA has a price already",
        ),
    ],
)
def test_offer_shapes_are_checked_offline(repo: Path, old: str, new: str, message: str) -> None:
    assert old in FILE
    write_offers(repo, FILE.replace(old, new, 1))
    assert any(message in line for line in lines(repo)), lines(repo)


def test_custom_codes_and_promotional_limits(repo: Path) -> None:
    promos = "".join(
        f"  - {{code: p{n}, name: P{n}, mode: FREE_TRIAL, duration: ONE_WEEK, periods: 1, "
        f"territories: [USA]}}\n"
        for n in range(11)
    )
    text = FILE.replace("  - code: comeback", promos + "  - code: comeback")
    text += "      - {code: festival, count: 5}\n      - {code: SUMMER-27, count: 5}\n"
    write_offers(repo, text)
    found = lines(repo)
    assert any(
        "promotional_offers: lists 12 offers (at most 10 per subscription)" in f for f in found
    )
    assert any("custom_codes[1].code: 'festival' is used twice" in f for f in found)
    assert any(
        "custom_codes[2].code: 'SUMMER-27' has characters other than letters and digits" in f
        for f in found
    )


def test_offers_of_a_subscription_the_repo_does_not_have_are_a_warning(repo: Path) -> None:
    write_offers(repo, FILE.replace(f"product_id: {PID}", "product_id: com.example.other"))
    warnings = [p.format(repo) for p in validate_repo(repo).warnings]
    assert any(
        "'com.example.other' is not a subscription of a file in subscriptions/" in w
        for w in warnings
    )


# -- apply ---------------------------------------------------------------------------------


def test_offers_apply_and_converge_with_price_points(repo: Path, seed: dict) -> None:
    write_offers(repo)
    group = live_group()
    seed["apps"][0]["subscriptionGroups"] = [group]
    with Sandbox(seed=seed, settings=fast_settings()) as sandbox:
        applied = invoke(sandbox, "apply", str(repo), "--auto-approve")
        assert applied.exit_code == 0, applied.output
        intro = sandbox.store.list("subscriptionIntroductoryOffers")
        assert sorted(i.relationships["territory"][1] for i in intro) == ["CAN", "DEU", "USA"]
        paid = next(i for i in intro if i.attributes["offerMode"] == "PAY_UP_FRONT")
        (point,) = sandbox.store.related(paid, "subscriptionPricePoint")
        assert point.attributes["customerPrice"] == "0.99"
        (custom,) = sandbox.store.list("subscriptionOfferCodeCustomCodes")
        assert custom.attributes["customCode"] == "FESTIVAL"
        mark = len(sandbox.journal)
        again = invoke(sandbox, "apply", str(repo), "--auto-approve")
        assert again.exit_code == 0 and writes(sandbox, mark) == []


def test_a_price_apple_does_not_offer_names_the_nearest(repo: Path, seed: dict) -> None:
    write_offers(repo, FILE.replace('customer_price: "1.99"}', 'customer_price: "2.50"}'))
    seed["apps"][0]["subscriptionGroups"] = [live_group()]
    with Sandbox(seed=seed, settings=fast_settings()) as sandbox:
        applied = invoke(sandbox, "apply", str(repo), "--auto-approve")
    assert applied.exit_code == 1
    assert (
        "2.50 is not a price App Store Connect offers in USA (valid nearby: 1.99, 2.99, 3.99)"
        in (applied.output)
    )


# -- the sandbox refuses what Apple refuses ------------------------------------------------


def intro_body(sub_id: str, territory: str, mode: str, point: str | None) -> dict:
    relationships: dict[str, Any] = {
        "subscription": {"data": {"type": "subscriptions", "id": sub_id}},
        "territory": {"data": {"type": "territories", "id": territory}},
    }
    if point is not None:
        relationships["subscriptionPricePoint"] = {
            "data": {"type": "subscriptionPricePoints", "id": point}
        }
    return {
        "data": {
            "type": "subscriptionIntroductoryOffers",
            "attributes": {"offerMode": mode, "duration": "ONE_WEEK", "numberOfPeriods": 1},
            "relationships": relationships,
        }
    }


def test_the_sandbox_checks_free_paid_and_one_offer_per_territory(seed: dict) -> None:
    seed = seeded(copy.deepcopy(seed))
    with Sandbox(seed=seed) as sandbox:
        (sub,) = sandbox.store.list("subscriptions")
        points = [
            p
            for p in sandbox.store.list("subscriptionPricePoints")
            if p.relationships.get("territory") == ("territories", "GBR")
        ]
        post = "/v1/subscriptionIntroductoryOffers"
        free_with_point = sandbox.engine.handle(
            Request("POST", post, body=intro_body(sub.id, "GBR", "FREE_TRIAL", points[1].id))
        )
        paid_without = sandbox.engine.handle(
            Request("POST", post, body=intro_body(sub.id, "GBR", "PAY_UP_FRONT", None))
        )
        second = sandbox.engine.handle(
            Request("POST", post, body=intro_body(sub.id, "USA", "FREE_TRIAL", None))
        )
    assert free_with_point.status == paid_without.status == second.status == 409
    assert free_with_point.body["errors"][0]["detail"] == (
        "subscriptionPricePoint should not be set for free offers."
    )
    assert paid_without.body["errors"][0]["detail"] == (
        "Missing subscriptionPricePoint relationship for resource."
    )
    assert (
        "already has an introductory offer in this territory"
        in (second.body["errors"][0]["detail"])
    )


def test_promotional_codes_and_campaign_names_are_unique(repo: Path) -> None:
    promo = FILE[FILE.index("  - code: comeback") : FILE.index("offer_codes:")]
    campaign = FILE[FILE.index("  - name: Festival") :].replace("FESTIVAL", "OTHER")
    text = FILE.replace("offer_codes:\n", promo + "offer_codes:\n") + campaign
    write_offers(repo, text)
    found = lines(repo)
    assert any(
        "promotional_offers[1].code: 'comeback' is listed twice (codes are unique per "
        "subscription)" in f
        for f in found
    ), found
    assert any(
        "offer_codes[1].name: 'Festival' is listed twice (names are unique)" in f for f in found
    ), found
