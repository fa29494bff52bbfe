"""``ascsync plan`` for ``app.yml``'s ``availability`` and ``price``, against the sandbox.

The tiny repo of ``conftest.py`` gains both keys, the seed the same live state (the
sandbox's storefronts, every one available; a USA base price of 0.00), so each test
changes one thing and pins the exact plan.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ascsync.commands.plan import compute_plan
from ascsync.engine.plan import Plan
from ascsync.kinds.registry import load_repo
from ascsync.sandbox import Sandbox
from tests.plan.conftest import client_for

AVAILABILITY = "app[demo].availability"
PRICE = "app[demo].price"

APP_YML = """\
bundle_id: com.example.demo
platform: IOS
primary_locale: en-US
availability:
  available_in_new_territories: true
  territories: all
price:
  base_territory: USA
  customer_price: "0.00"
"""
TERRITORIES_LINE = 6
PRICE_LINE = 9


def write_app(repo: Path, text: str = APP_YML, **replace: str) -> None:
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    (repo / "apps/demo/app.yml").write_text(text)


def priced(seed: dict[str, Any], price: str = "0.00", territory: str = "USA") -> dict[str, Any]:
    seed["apps"][0]["price"] = {"baseTerritory": territory, "customerPrice": price}
    return seed


def run(
    repo: Path, seed: dict[str, Any], before: Callable[[Sandbox], None] | None = None
) -> tuple[Plan, dict[tuple[str, str], int]]:
    desired, problems = load_repo(repo)
    assert not [p for p in problems if p.severity.name == "ERROR"], problems
    with Sandbox(seed=seed) as sandbox:
        if before:
            before(sandbox)
        client = client_for(sandbox)
        plan = compute_plan(client, desired, (), concurrency=2)
        return plan, dict(client.stats)


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def change(plan: Plan, address: str, *, locked: bool = False) -> Any:
    return next(c for c in (plan.locked if locked else plan.changes) if c.address == address)


def fields(plan: Plan, address: str, *, locked: bool = False) -> dict[str, tuple[Any, Any]]:
    return {f.name: (f.before, f.after) for f in change(plan, address, locked=locked).fields}


def without(type_: str) -> Callable[[Sandbox], None]:
    """Remove every resource of ``type_`` (an app that never had availability or a price)."""

    def remove(sandbox: Sandbox) -> None:
        for resource in sandbox.store.list(type_):
            sandbox.store.delete(type_, resource.id)

    return remove


# -- no differences ------------------------------------------------------------------------


def test_matching_availability_and_price_plan_nothing_in_four_more_requests(
    repo: Path, seed: dict
) -> None:
    write_app(repo)
    plan, _ = run(repo, priced(seed))
    assert actions(plan) == []
    assert plan.locked == [] and plan.unsupported == []
    assert plan.requests == 5 + 2 + 2  # app and version reads; availability 2; price 2


def test_no_availability_or_price_in_app_yml_means_no_extra_requests(
    repo: Path, seed: dict
) -> None:
    plan, _ = run(repo, priced(seed, "4.99"))
    assert actions(plan) == []
    assert plan.requests == 5


def test_territories_compare_as_a_set_and_prices_as_numbers(repo: Path, seed: dict) -> None:
    write_app(repo, **{"territories: all": "territories: [USA, JPN, DEU]", '"0.00"': "0"})
    seed["apps"][0]["availability"] = {"territories": ["DEU", "USA", "JPN"]}
    plan, _ = run(repo, priced(seed, "0.00"))
    assert actions(plan) == []


def test_a_list_of_every_storefront_is_all(repo: Path, seed: dict) -> None:
    with Sandbox(seed=seed) as sandbox:
        everywhere = sorted(t.id for t in sandbox.store.list("territories"))
    write_app(repo, **{"territories: all": f"territories: [{', '.join(everywhere)}]"})
    plan, _ = run(repo, priced(seed))
    assert actions(plan) == []


# -- availability ------------------------------------------------------------------------


def test_fewer_territories_is_one_update_naming_what_closes(repo: Path, seed: dict) -> None:
    write_app(repo, **{"territories: all": "territories: [USA, JPN, DEU]"})
    plan, _ = run(repo, priced(seed))
    assert actions(plan) == [("update", AVAILABILITY)]
    assert fields(plan, AVAILABILITY) == {
        "availability.territories": ("all", ["DEU", "JPN", "USA"])
    }
    update = change(plan, AVAILABILITY)
    assert update.resource == "territoryAvailabilities"
    assert update.source == f"apps/demo/app.yml:{TERRITORIES_LINE}"
    assert update.note.startswith("makes unavailable: AFG, AGO,")
    assert "DEU" not in update.note and "USA" not in update.note
    assert update.calls == ("PATCH /v1/territoryAvailabilities/{id} (x173)",)


def test_more_territories_names_what_opens(repo: Path, seed: dict) -> None:
    write_app(repo, **{"territories: all": "territories: [USA, JPN, DEU]"})
    seed["apps"][0]["availability"] = {"territories": ["USA", "CAN"]}
    plan, _ = run(repo, priced(seed))
    assert actions(plan) == [("update", AVAILABILITY)]
    assert fields(plan, AVAILABILITY) == {
        "availability.territories": (["CAN", "USA"], ["DEU", "JPN", "USA"])
    }
    assert change(plan, AVAILABILITY).note == "makes available: DEU, JPN; makes unavailable: CAN"
    assert change(plan, AVAILABILITY).calls == ("PATCH /v1/territoryAvailabilities/{id} (x3)",)


def test_an_unknown_territory_is_said_in_the_plan(repo: Path, seed: dict) -> None:
    write_app(repo, **{"territories: all": "territories: [USA, XYZ]"})
    plan, _ = run(repo, priced(seed))
    assert "not App Store territories (apply fails): XYZ" in change(plan, AVAILABILITY).note


def test_new_territories_flag_cannot_change_through_the_api_so_it_is_locked(
    repo: Path, seed: dict
) -> None:
    write_app(repo, **{"available_in_new_territories: true": "available_in_new_territories: false"})
    plan, _ = run(repo, priced(seed))
    assert actions(plan) == []
    assert fields(plan, AVAILABILITY, locked=True) == {
        "availability.available_in_new_territories": (True, False)
    }
    assert "web UI" in change(plan, AVAILABILITY, locked=True).note


def test_no_live_availability_is_a_create(repo: Path, seed: dict) -> None:
    write_app(repo, **{"territories: all": "territories: [USA]"})
    plan, _ = run(repo, priced(seed), before=without("appAvailabilities"))
    assert actions(plan) == [("create", AVAILABILITY)]
    assert fields(plan, AVAILABILITY) == {
        "availability.available_in_new_territories": (None, True),
        "availability.territories": (None, ["USA"]),
    }
    assert change(plan, AVAILABILITY).calls == ("GET /v1/territories", "POST /v2/appAvailabilities")


def test_no_live_availability_and_no_territories_in_the_repo_is_locked(
    repo: Path, seed: dict
) -> None:
    write_app(repo, **{"  territories: all\n": ""})
    plan, _ = run(repo, priced(seed), before=without("appAvailabilities"))
    assert actions(plan) == []
    assert "needs availability.territories" in change(plan, AVAILABILITY, locked=True).note


# -- price -------------------------------------------------------------------------------


def test_a_new_price_is_an_update_of_the_schedule(repo: Path, seed: dict) -> None:
    write_app(repo, **{'"0.00"': '"4.99"'})
    plan, _ = run(repo, priced(seed))
    assert actions(plan) == [("update", PRICE)]
    assert fields(plan, PRICE) == {"price.customer_price": ("0.00", "4.99")}
    update = change(plan, PRICE)
    assert update.resource == "appPriceSchedules"
    assert update.source == f"apps/demo/app.yml:{PRICE_LINE}"
    assert update.calls == ("GET /v1/apps/{id}/appPricePoints", "POST /v1/appPriceSchedules")


def test_a_new_base_territory_shows_the_price_too(repo: Path, seed: dict) -> None:
    write_app(repo, **{"base_territory: USA": "base_territory: JPN", '"0.00"': '"450"'})
    plan, _ = run(repo, priced(seed))
    assert fields(plan, PRICE) == {
        "price.base_territory": ("USA", "JPN"),
        "price.customer_price": ("0.00", "450"),
    }


def test_no_live_schedule_is_a_create(repo: Path, seed: dict) -> None:
    write_app(repo)
    plan, _ = run(repo, seed, before=without("appPriceSchedules"))
    assert actions(plan) == [("create", PRICE)]
    assert fields(plan, PRICE) == {
        "price.base_territory": (None, "USA"),
        "price.customer_price": (None, "0.00"),
    }


# -- the example repo --------------------------------------------------------------------


def test_example_repo_lists_nothing_of_app_yml_as_not_applied() -> None:
    root = Path(__file__).resolve().parents[2] / "example-repo"
    desired, _ = load_repo(root)
    with Sandbox(seed="demo") as sandbox:
        plan = compute_plan(client_for(sandbox), desired, (), concurrency=4)
    assert not [u for u in plan.unsupported if "availability" in u or "price" in u]
    app_yml = {"app[moviecatalog].availability", "app[moviecatalog].price"}
    assert not [c.address for c in plan.changes + plan.locked if c.address in app_yml]
