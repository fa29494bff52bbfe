"""``ascsync apply`` and ``pull`` for ``app.yml``'s availability and price, against the sandbox.

The example repo without screenshots and TestFlight (so runs are quick) against the
demo seed; each test edits ``app.yml`` and looks inside the sandbox afterwards.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.kinds.availability import ManualPrice, carried_over
from ascsync.sandbox import Sandbox
from tests.apply.conftest import fast_settings, invoke, writes

APP = Path("apps/moviecatalog")
APP_YML = APP / "app.yml"
BUNDLE = "com.example.moviecatalog"


@pytest.fixture
def repo(example: Path) -> Path:
    shutil.rmtree(example / APP / "screenshots")
    shutil.rmtree(example / APP / "testflight")
    return example


def edit(repo: Path, old: str, new: str) -> None:
    path = repo / APP_YML
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in app.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def apply_ok(sandbox: Sandbox, repo: Path) -> str:
    result = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
    assert result.exit_code == 0, result.output
    return result.output


def assert_no_changes(sandbox: Sandbox, repo: Path) -> None:
    result = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No changes."), result.output
    assert "availability" not in result.output and "price." not in result.output


def client_for(sandbox: Sandbox) -> ApiClient:
    tokens = TokenProvider(sandbox.key_id, sandbox.private_key_pem, sandbox.issuer_id)
    return ApiClient(sandbox.url, tokens)


# -- looking inside the sandbox ------------------------------------------------------------


def the_app(sandbox: Sandbox) -> Any:
    return next(a for a in sandbox.store.list("apps") if a.attributes["bundleId"] == BUNDLE)


def availability(sandbox: Sandbox) -> tuple[bool, set[str], int]:
    """(available in new territories, available storefronts, storefronts listed)."""
    store = sandbox.store
    (current,) = store.related(the_app(sandbox), "appAvailabilityV2")
    items = store.related(current, "territoryAvailabilities")
    open_ = {i.relationships["territory"][1] for i in items if i.attributes["available"]}
    return current.attributes["availableInNewTerritories"], open_, len(items)


def manual_prices(sandbox: Sandbox) -> tuple[str, dict[str, str]]:
    """(base territory, {territory: customer price}) of the app's current schedule."""
    store = sandbox.store
    (schedule,) = store.related(the_app(sandbox), "appPriceSchedule")
    prices = {}
    for price in store.related(schedule, "manualPrices"):
        (point,) = store.related(price, "appPricePoint")
        prices[price.relationships["territory"][1]] = point.attributes["customerPrice"]
    return schedule.relationships["baseTerritory"][1], prices


def storefronts(sandbox: Sandbox) -> set[str]:
    return {t.id for t in sandbox.store.list("territories")}


def remove_all(sandbox: Sandbox, type_: str) -> None:
    for resource in sandbox.store.list(type_):
        sandbox.store.delete(type_, resource.id)


# -- tests ---------------------------------------------------------------------------------


def test_territories_and_price_applied_then_plan_is_clean_and_a_rerun_writes_nothing(
    repo: Path,
) -> None:
    edit(repo, "territories: all", "territories: [USA, JPN, DEU]")
    edit(repo, 'customer_price: "0.00"', 'customer_price: "4.99"')
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        patched = [e for e in writes(sandbox, mark) if e.path.startswith("/v1/territoryAvail")]
        assert len(patched) == len(storefronts(sandbox)) - 3  # only the storefronts that close
        assert availability(sandbox) == (True, {"USA", "JPN", "DEU"}, len(storefronts(sandbox)))
        assert manual_prices(sandbox) == ("USA", {"USA": "4.99"})
        assert_no_changes(sandbox, repo)

        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        assert writes(sandbox, mark) == []


def test_back_to_all_opens_only_the_closed_storefronts(repo: Path) -> None:
    seed_edit = "territories: all"
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        edit(repo, seed_edit, "territories: [USA]")
        apply_ok(sandbox, repo)
        edit(repo, "territories: [USA]", seed_edit)
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        bodies = [e.body["data"]["attributes"] for e in writes(sandbox, mark)]
        assert bodies and all(b == {"available": True} for b in bodies)
        assert len(bodies) == len(storefronts(sandbox)) - 1
        assert availability(sandbox)[1] == storefronts(sandbox)
        assert_no_changes(sandbox, repo)


def test_an_app_without_availability_gets_one_listing_every_storefront(repo: Path) -> None:
    edit(repo, "available_in_new_territories: true", "available_in_new_territories: false")
    edit(repo, "territories: all", "territories: [USA, CAN]")
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        remove_all(sandbox, "appAvailabilities")
        mark = len(sandbox.journal)
        apply_ok(sandbox, repo)
        posts = [e for e in writes(sandbox, mark) if e.path == "/v2/appAvailabilities"]
        assert len(posts) == 1
        assert availability(sandbox) == (False, {"USA", "CAN"}, len(storefronts(sandbox)))
        assert_no_changes(sandbox, repo)


def test_an_app_without_a_price_gets_a_schedule(repo: Path) -> None:
    edit(repo, 'customer_price: "0.00"', 'customer_price: "0.99"')
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        remove_all(sandbox, "appPriceSchedules")
        apply_ok(sandbox, repo)
        assert manual_prices(sandbox) == ("USA", {"USA": "0.99"})
        assert_no_changes(sandbox, repo)


def test_a_new_base_price_keeps_manual_prices_of_other_territories(repo: Path) -> None:
    edit(repo, 'customer_price: "0.00"', 'customer_price: "1.99"')
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        client = client_for(sandbox)
        app_id = the_app(sandbox).id
        usa, jpn = (
            client.get(
                f"/v1/apps/{app_id}/appPricePoints",
                {"filter[territory]": [code], "limit": 200},
            ).resources()[3]["id"]
            for code in ("USA", "JPN")
        )
        client.post(  # someone set a Japanese price by hand in App Store Connect
            "/v1/appPriceSchedules",
            {
                "data": {
                    "type": "appPriceSchedules",
                    "relationships": {
                        "app": {"data": {"type": "apps", "id": app_id}},
                        "baseTerritory": {"data": {"type": "territories", "id": "USA"}},
                        "manualPrices": {
                            "data": [
                                {"type": "appPrices", "id": "${usa}"},
                                {"type": "appPrices", "id": "${jpn}"},
                            ]
                        },
                    },
                },
                "included": [
                    {
                        "type": "appPrices",
                        "id": f"${{{name}}}",
                        "relationships": {
                            "appPricePoint": {"data": {"type": "appPricePoints", "id": point}}
                        },
                    }
                    for name, point in (("usa", usa), ("jpn", jpn))
                ],
            },
        )
        before_jpn = manual_prices(sandbox)[1]["JPN"]
        apply_ok(sandbox, repo)
        assert manual_prices(sandbox) == ("USA", {"USA": "1.99", "JPN": before_jpn})
        assert_no_changes(sandbox, repo)


def test_a_price_apple_does_not_offer_fails_with_the_nearest_valid_ones(repo: Path) -> None:
    edit(repo, 'customer_price: "0.00"', 'customer_price: "4.98"')
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        result = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
        assert result.exit_code == 1
        assert "4.98 is not a price App Store Connect offers in USA" in result.output
        nearby = result.output.split("valid nearby: ", 1)[1].split(")", 1)[0]
        assert nearby.split(", ") == ["3.99", "4.99", "5.99"]
        assert "Traceback" not in result.output
        assert manual_prices(sandbox) == ("USA", {"USA": "0.00"})  # the seed's price stays


def test_an_unknown_territory_fails_naming_the_file_line_and_code(repo: Path) -> None:
    edit(repo, "territories: all", "territories: [USA, XYZ]")
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        result = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
        assert result.exit_code == 1
        assert (
            "apps/moviecatalog/app.yml:15: availability.territories: XYZ is not an App Store "
            "territory" in result.output
        )
        assert availability(sandbox)[1] == storefronts(sandbox)  # nothing closed


def test_pull_writes_availability_and_price_and_the_round_trip_holds(tmp_path: Path) -> None:
    adopted = tmp_path / "adopted"
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        store = sandbox.store
        (current,) = store.related(the_app(sandbox), "appAvailabilityV2")
        for item in store.related(current, "territoryAvailabilities"):
            if item.relationships["territory"][1] not in ("USA", "GBR"):
                item.attributes["available"] = False
        pulled = invoke(sandbox, "pull", str(adopted), "--app", BUNDLE)
        assert pulled.exit_code == 0, pulled.output
        text = (adopted / APP_YML).read_text()
        assert (
            "availability:\n  available_in_new_territories: true\n"
            "  territories:\n    - GBR\n    - USA\n" in text
        )
        assert 'price:\n  base_territory: USA\n  customer_price: "0.00"\n' in text
        assert_no_changes(sandbox, adopted)


def test_carried_over_prices_drop_ended_and_base_ones_and_keep_future_starts() -> None:
    today = dt.date.today()
    yesterday, later = (
        (today - dt.timedelta(days=1)).isoformat(),
        (today + dt.timedelta(days=30)).isoformat(),
    )
    live = [
        ManualPrice("USA", "usa-now", None, None),  # the base: replaced by the repo's price
        ManualPrice("JPN", "jpn-old", None, yesterday),  # ended: gone
        ManualPrice("JPN", "jpn-now", yesterday, later),  # in effect: starts "now" again
        ManualPrice("JPN", "jpn-next", later, None),  # to come: keeps its start date
    ]
    assert carried_over(live, "USA") == [
        ManualPrice("JPN", "jpn-now", None, None),
        ManualPrice("JPN", "jpn-next", later, None),
    ]


def test_a_storefront_closed_in_the_web_ui_is_drift_and_write_takes_it(repo: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        apply_ok(sandbox, repo)  # the demo seed differs from the repo in many other ways
        (current,) = sandbox.store.related(the_app(sandbox), "appAvailabilityV2")
        for item in sandbox.store.related(current, "territoryAvailabilities"):
            if item.relationships["territory"][1] == "CHN":
                item.attributes["available"] = False
        drift = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
        assert drift.exit_code == 2, drift.output
        assert "Drift: 1 difference(s)" in drift.output
        assert "app[moviecatalog].availability" in drift.output
        assert "repo: apps/moviecatalog/app.yml:15" in drift.output

        assert invoke(sandbox, "drift", str(repo), "--write", "--detailed-exitcode").exit_code == 2
        written = (repo / APP_YML).read_text()
        assert "    - CAN\n    - CHE\n    - CHL\n    - CIV\n" in written  # CHN left out
        assert invoke(sandbox, "drift", str(repo)).exit_code == 0
        assert_no_changes(sandbox, repo)
