"""``ascsync plan`` for in-app purchases and subscription groups, against the sandbox.

The tiny repo of ``conftest.py`` gains one IAP and one subscription group; the seed gains
the same products, so each test changes one thing and pins the exact plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ascsync.commands.plan import compute_plan
from ascsync.engine.plan import Plan
from ascsync.kinds.registry import load_repo
from ascsync.sandbox import Sandbox
from tests.plan.conftest import client_for

IAP = "app[demo].iap[com.example.demo.pro]"
GROUP = "app[demo].subscription_group[Demo Plus]"
MONTHLY = f"{GROUP}.subscription[com.example.demo.plus.monthly]"

IAP_FILE = """\
product_id: com.example.demo.pro
type: NON_CONSUMABLE
reference_name: Demo Pro
family_sharable: true
price:
  base_territory: USA
  customer_price: "9.99"
localizations:
  en-US: {name: Demo Pro, description: Everything unlocked.}
  de-DE: {name: Demo Pro DE, description: Alles freigeschaltet.}
"""

GROUP_FILE = """\
reference_name: Demo Plus
localizations:
  en-US: {name: Demo Plus}
subscriptions:
  - product_id: com.example.demo.plus.monthly
    reference_name: Plus monthly
    period: ONE_MONTH
    group_level: 1
    localizations:
      en-US: {name: Plus monthly, description: Every month.}
    prices:
      - {territory: USA, customer_price: "2.99"}
"""


def write_products(
    repo: Path, *, iap: str | None = IAP_FILE, group: str | None = GROUP_FILE
) -> None:
    app = repo / "apps" / "demo"
    if iap is not None:
        (app / "in-app-purchases").mkdir(exist_ok=True)
        (app / "in-app-purchases" / "com.example.demo.pro.yml").write_text(iap)
    if group is not None:
        (app / "subscriptions").mkdir(exist_ok=True)
        (app / "subscriptions" / "demo-plus.yml").write_text(group)


def live_iap() -> dict[str, Any]:
    """The seed entry equal to IAP_FILE."""
    return {
        "productId": "com.example.demo.pro",
        "name": "Demo Pro",
        "type": "NON_CONSUMABLE",
        "familySharable": True,
        "price": {"baseTerritory": "USA", "customerPrice": "9.99"},
        "localizations": {
            "en-US": {"name": "Demo Pro", "description": "Everything unlocked."},
            "de-DE": {"name": "Demo Pro DE", "description": "Alles freigeschaltet."},
        },
    }


def live_group() -> dict[str, Any]:
    """The seed entry equal to GROUP_FILE."""
    return {
        "referenceName": "Demo Plus",
        "localizations": {"en-US": {"name": "Demo Plus"}},
        "subscriptions": [
            {
                "productId": "com.example.demo.plus.monthly",
                "name": "Plus monthly",
                "subscriptionPeriod": "ONE_MONTH",
                "groupLevel": 1,
                "localizations": {"en-US": {"name": "Plus monthly", "description": "Every month."}},
                "prices": {"USA": "2.99"},
            }
        ],
    }


def with_products(seed: dict[str, Any]) -> dict[str, Any]:
    seed["apps"][0]["inAppPurchases"] = [live_iap()]
    seed["apps"][0]["subscriptionGroups"] = [live_group()]
    return seed


def run(repo: Path, seed: dict[str, Any]) -> tuple[Plan, dict[tuple[str, str], int]]:
    desired, problems = load_repo(repo)
    assert not [p for p in problems if p.severity.name == "ERROR"], problems
    with Sandbox(seed=seed) as sandbox:
        client = client_for(sandbox)
        plan = compute_plan(client, desired, (), concurrency=2)
        return plan, dict(client.stats)


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def fields(plan: Plan, address: str, *, locked: bool = False) -> dict[str, tuple[Any, Any]]:
    changes = plan.locked if locked else plan.changes
    change = next(c for c in changes if c.address == address)
    return {f.name: (f.before, f.after) for f in change.fields}


# -- matching state ------------------------------------------------------------------


def test_matching_products_plan_nothing(repo: Path, seed: dict) -> None:
    write_products(repo)
    plan, _ = run(repo, with_products(seed))
    assert actions(plan) == []
    assert plan.locked == []
    assert not [u for u in plan.unsupported if "purchase" in u or "subscription" in u]


def test_request_count_is_pinned(repo: Path, seed: dict) -> None:
    write_products(repo)
    plan, stats = run(repo, with_products(seed))
    # 5 for the app (see test_plan_sandbox); IAPs: 1 listing + schedule + manual prices of
    # the one priced IAP; groups: 1 listing + 1 subscriptions listing per group + 1 price
    # listing per priced subscription.
    assert plan.requests == 5 + 3 + 3
    assert stats[("GET", "/v1/subscriptions/{id}/prices")] == 1


def test_no_product_files_means_no_product_requests(repo: Path, seed: dict) -> None:
    plan, stats = run(repo, with_products(seed))
    assert actions(plan) == []
    assert plan.requests == 5
    assert not [path for _, path in stats if "Purchase" in path or "subscription" in path]


# -- in-app purchases ----------------------------------------------------------------


def test_iap_differences_are_planned_field_by_field(repo: Path, seed: dict) -> None:
    write_products(repo, group=None)
    iap = live_iap()
    iap["name"] = "Old Pro"
    iap["price"]["customerPrice"] = "4.99"
    iap["localizations"]["en-US"]["description"] = "Old text."
    del iap["localizations"]["de-DE"]
    iap["localizations"]["fr-FR"] = {"name": "Pro FR", "description": "Tout."}
    seed["apps"][0]["inAppPurchases"] = [iap]
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("update", IAP),
        ("update", f"{IAP}.price"),
        ("update", f"{IAP}.locale[en-US]"),
        ("create", f"{IAP}.locale[de-DE]"),
        ("delete", f"{IAP}.locale[fr-FR]"),
    ]
    assert fields(plan, IAP) == {"reference_name": ("Old Pro", "Demo Pro")}
    assert fields(plan, f"{IAP}.price") == {"price.customer_price": ("4.99", "9.99")}
    assert fields(plan, f"{IAP}.locale[en-US]") == {
        "description": ("Old text.", "Everything unlocked.")
    }
    assert [c.address for c in plan.deletions()] == [f"{IAP}.locale[fr-FR]"]
    by_address = {c.address: c for c in plan.changes}
    assert by_address[f"{IAP}.locale[de-DE]"].calls == ("POST /v1/inAppPurchaseLocalizations",)
    assert by_address[f"{IAP}.locale[fr-FR]"].calls == (
        "DELETE /v1/inAppPurchaseLocalizations/{id}",
    )
    assert by_address[IAP].source.endswith("in-app-purchases/com.example.demo.pro.yml:3")


def test_missing_iap_is_created_before_its_price_and_localizations(repo: Path, seed: dict) -> None:
    write_products(repo, group=None)
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("create", IAP),
        ("create", f"{IAP}.price"),
        ("create", f"{IAP}.locale[en-US]"),
        ("create", f"{IAP}.locale[de-DE]"),
    ]
    assert fields(plan, IAP)["type"] == (None, "NON_CONSUMABLE")
    created = next(c for c in plan.changes if c.address == IAP)
    assert created.calls == ("POST /v2/inAppPurchases",)
    assert all(c.after == (IAP,) for c in plan.changes if c.address != IAP)


def test_changed_iap_type_is_locked_not_planned(repo: Path, seed: dict) -> None:
    write_products(repo, group=None)
    iap = live_iap()
    del iap["type"]  # the seed's ``type`` shorthand is ignored today (seed.py lists it as
    iap["inAppPurchaseType"] = "CONSUMABLE"  # structural), so give the API attribute itself
    seed["apps"][0]["inAppPurchases"] = [iap]
    plan, _ = run(repo, seed)
    assert actions(plan) == []
    assert fields(plan, IAP, locked=True) == {"type": ("CONSUMABLE", "NON_CONSUMABLE")}
    assert "fixed once the product exists" in (plan.locked[0].note or "")


def test_iap_in_review_is_locked(repo: Path, seed: dict) -> None:
    write_products(repo, group=None)
    iap = live_iap()
    iap["state"] = "WAITING_FOR_REVIEW"
    iap["name"] = "Old Pro"
    iap["localizations"]["fr-FR"] = {"name": "Pro FR"}
    seed["apps"][0]["inAppPurchases"] = [iap]
    plan, _ = run(repo, seed)
    assert actions(plan) == []
    assert [(c.address, c.note) for c in plan.locked] == [
        (IAP, "not editable while WAITING_FOR_REVIEW"),
        (f"{IAP}.locale[fr-FR]", "locale not in the file; not editable while WAITING_FOR_REVIEW"),
    ]


def test_live_iap_without_a_file_is_left_alone(repo: Path, seed: dict) -> None:
    write_products(repo, group=None)
    other = live_iap()
    other["productId"] = "com.example.demo.coins"
    other["type"] = "CONSUMABLE"
    seed["apps"][0]["inAppPurchases"] = [live_iap(), other]
    plan, _ = run(repo, seed)
    assert actions(plan) == []
    assert plan.locked == []


# -- subscription groups ---------------------------------------------------------------


def test_missing_group_is_created_before_its_subscriptions(repo: Path, seed: dict) -> None:
    write_products(repo, iap=None)
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("create", GROUP),
        ("create", f"{GROUP}.locale[en-US]"),
        ("create", MONTHLY),
        ("create", f"{MONTHLY}.locale[en-US]"),
        ("create", f"{MONTHLY}.price[USA]"),
    ]
    by_address = {c.address: c for c in plan.changes}
    assert by_address[MONTHLY].after == (GROUP,)
    assert by_address[f"{MONTHLY}.locale[en-US]"].after == (MONTHLY,)
    assert fields(plan, MONTHLY)["period"] == (None, "ONE_MONTH")
    assert fields(plan, f"{MONTHLY}.price[USA]") == {"customer_price": (None, "2.99")}


def test_subscription_differences(repo: Path, seed: dict) -> None:
    write_products(repo, iap=None)
    group = live_group()
    sub = group["subscriptions"][0]
    sub["subscriptionPeriod"] = "ONE_WEEK"
    sub["prices"] = {"USA": "1.99", "DEU": "1.99"}
    sub["localizations"]["ja"] = {"name": "月額"}
    group["localizations"]["en-US"]["name"] = "Old Plus"
    seed["apps"][0]["subscriptionGroups"] = [group]
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("update", f"{GROUP}.locale[en-US]"),
        ("update", MONTHLY),
        ("update", f"{MONTHLY}.price[USA]"),
        ("delete", f"{MONTHLY}.locale[ja]"),
    ]
    assert fields(plan, MONTHLY) == {"period": ("ONE_WEEK", "ONE_MONTH")}
    assert fields(plan, f"{MONTHLY}.price[USA]") == {"customer_price": ("1.99", "2.99")}
    assert fields(plan, f"{GROUP}.locale[en-US]") == {"name": ("Old Plus", "Demo Plus")}


def test_subscription_not_in_the_file_is_reported_not_deleted(repo: Path, seed: dict) -> None:
    write_products(repo, iap=None)
    group = live_group()
    extra = {**group["subscriptions"][0], "productId": "com.example.demo.plus.weekly"}
    extra["subscriptionPeriod"] = "ONE_WEEK"
    extra["groupLevel"] = 2
    group["subscriptions"].append(extra)
    seed["apps"][0]["subscriptionGroups"] = [group]
    plan, _ = run(repo, seed)
    assert actions(plan) == []
    assert [(c.action.value, c.address) for c in plan.locked] == [
        ("delete", f"{GROUP}.subscription[com.example.demo.plus.weekly]")
    ]
    assert "does not delete subscriptions" in (plan.locked[0].note or "")


# -- the example repo against the demo seed -----------------------------------------------


def test_example_repo_against_demo_seed_shows_the_intended_product_changes() -> None:
    root = Path(__file__).resolve().parents[2] / "example-repo"
    desired, _ = load_repo(root)
    with Sandbox(seed="demo") as sandbox:
        plan = compute_plan(client_for(sandbox), desired, (), concurrency=4)
    pro = "app[moviecatalog].iap[com.example.moviecatalog.pro]"
    plus = "app[moviecatalog].subscription_group[Movie Catalog Plus]"
    products = [a for a in actions(plan) if ".iap[" in a[1] or "subscription_group[" in a[1]]
    assert [a for a in products if a[1].startswith(pro)] == [
        ("update", pro),
        ("update", f"{pro}.price"),
        ("upload", f"{pro}.review_screenshot"),
        ("upload", f"{pro}.promotional_image"),
        ("update", f"{pro}.availability"),
        ("update", f"{pro}.locale[en-US]"),
        ("create", f"{pro}.locale[de-DE]"),
        ("create", f"{pro}.locale[fr-FR]"),
        ("create", f"{pro}.locale[ja]"),
    ]
    assert fields(plan, f"{pro}.price") == {"price.customer_price": ("4.99", "9.99")}
    assert fields(plan, pro)["reference_name"] == (
        "Movie Catalog Pro",
        "Movie Catalog Pro (lifetime)",
    )
    assert fields(plan, f"{pro}.availability") == {
        "availability.territories": (["CAN", "USA"], "all")
    }
    created = [a for a in products if a[1].startswith(plus)]
    assert {action for action, _ in created} == {"create", "upload"}
    assert (
        "create",
        f"{plus}.subscription[com.example.moviecatalog.plus.yearly].price[DEU]",
    ) in created
    # group, its locales, subs + locales, prices, 2 review screenshots, 1 promotional
    # image, 2 availabilities
    assert len(created) == 1 + 4 + 2 * (1 + 4) + 3 + 2 + 1 + 2


def test_example_repo_product_and_testflight_request_count_is_pinned() -> None:
    root = Path(__file__).resolve().parents[2] / "example-repo"
    desired, _ = load_repo(root)
    with Sandbox(seed="demo") as sandbox:
        client = client_for(sandbox)
        compute_plan(client, desired, (), concurrency=4)
        stats = dict(client.stats)
    ours = {
        key: n
        for key, n in stats.items()
        if any(
            word in key[1] for word in ("Purchase", "subscription", "beta", "/v1/apps/{id}/{id}")
        )
    }
    # IAPs: 1 listing + 2 for the Pro IAP's price (schedule, manual prices) + 1 for its
    # availability's territories; subscription groups: 1 listing (the demo has none live
    # yet, so nothing more); TestFlight: 1 for the beta app localizations + 1 for its review
    # details + 1 for the groups with their testers.
    assert sum(ours.values()) == 8
    assert stats[("GET", "/v1/territories")] == 1  # all storefronts, for "territories: all"


def test_product_drift_changes_the_plan_fingerprint(repo: Path, seed: dict) -> None:
    """A saved plan must go stale when a product changed live, as for the app's own text."""
    write_products(repo)
    before, _ = run(repo, with_products(seed))
    seed["apps"][0]["subscriptionGroups"][0]["subscriptions"][0]["prices"] = {"USA": "1.99"}
    after, _ = run(repo, seed)
    assert before.fingerprint != after.fingerprint


def test_subscription_filed_under_another_group_is_locked(repo: Path, seed: dict) -> None:
    head, subscriptions = GROUP_FILE.split("subscriptions:\n")
    write_products(repo, iap=None, group=head)
    other = "reference_name: Other\nsubscriptions:\n" + subscriptions
    (repo / "apps/demo/subscriptions/other.yml").write_text(other)
    plan, _ = run(repo, with_products(seed))
    assert actions(plan) == [("create", "app[demo].subscription_group[Other]")]
    assert [(c.action.value, c.address, c.note) for c in plan.locked] == [
        (
            "create",
            "app[demo].subscription_group[Other].subscription[com.example.demo.plus.monthly]",
            "exists in the group 'Demo Plus'; subscriptions cannot move between groups",
        )
    ]
