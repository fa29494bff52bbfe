"""Prices over HTTP: price points per product, schedules that replace each other, subscriptions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from ascsync.sandbox import Sandbox

APP = "6446123456"  # the demo seed's app


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    seed = {
        "apps": [
            {
                "id": APP,
                "bundleId": "com.example.priced",
                "name": "Priced",
                "price": {"baseTerritory": "USA", "customerPrice": "0.00"},
                "inAppPurchases": [
                    {
                        "productId": "com.example.priced.pro",
                        "name": "Pro",
                        "price": {"baseTerritory": "USA", "customerPrice": "4.99"},
                    }
                ],
                "subscriptionGroups": [
                    {
                        "referenceName": "Plus",
                        "subscriptions": [
                            {
                                "productId": "com.example.priced.monthly",
                                "name": "Monthly",
                                "subscriptionPeriod": "ONE_MONTH",
                                "prices": {"USA": "2.99", "JPN": "450"},
                            }
                        ],
                    }
                ],
            }
        ]
    }
    with Sandbox(seed=seed) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(shared: Sandbox) -> Sandbox:
    shared.reset()
    return shared


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {sandbox.token()}"
        yield session


def get(sandbox: Sandbox, api, path: str) -> dict:
    response = api.get(sandbox.url + path)
    assert response.status_code == 200, response.text
    return response.json()


def iap_id(sandbox: Sandbox) -> str:
    return sandbox.store.list("inAppPurchases")[0].id


def points(sandbox: Sandbox, api, owner_path: str, territory: str) -> dict[str, str]:
    """customerPrice -> price point id, as a client resolves prices."""
    found = get(sandbox, api, f"{owner_path}/pricePoints?filter[territory]={territory}&limit=200")
    return {p["attributes"]["customerPrice"]: p["id"] for p in found["data"]}


def set_iap_price(sandbox: Sandbox, api, product_id: str, point_id: str) -> requests.Response:
    payload = {
        "data": {
            "type": "inAppPurchasePriceSchedules",
            "relationships": {
                "inAppPurchase": {"data": {"type": "inAppPurchases", "id": product_id}},
                "baseTerritory": {"data": {"type": "territories", "id": "USA"}},
                "manualPrices": {"data": [{"type": "inAppPurchasePrices", "id": "${price}"}]},
            },
        },
        "included": [
            {
                "type": "inAppPurchasePrices",
                "id": "${price}",
                "attributes": {"startDate": None},
                "relationships": {
                    "inAppPurchaseV2": {"data": {"type": "inAppPurchases", "id": product_id}},
                    "inAppPurchasePricePoint": {
                        "data": {"type": "inAppPurchasePricePoints", "id": point_id}
                    },
                },
            }
        ],
    }
    return api.post(f"{sandbox.url}/v1/inAppPurchasePriceSchedules", json=payload)


def current_iap_price(sandbox: Sandbox, api, product_id: str) -> tuple[str, str]:
    schedule = get(sandbox, api, f"/v2/inAppPurchases/{product_id}/iapPriceSchedule")["data"]
    prices = get(
        sandbox,
        api,
        f"/v1/inAppPurchasePriceSchedules/{schedule['id']}/manualPrices"
        "?include=inAppPurchasePricePoint,territory",
    )
    [price] = prices["data"]
    [point] = [i for i in prices["included"] if i["type"] == "inAppPurchasePricePoints"]
    return price["relationships"]["territory"]["data"]["id"], point["attributes"]["customerPrice"]


def test_products_have_price_points_per_territory(sandbox: Sandbox, api) -> None:
    usa = points(sandbox, api, f"/v2/inAppPurchases/{iap_id(sandbox)}", "USA")
    assert {"0.00", "0.99", "4.99", "9.99", "99.99"} <= set(usa)
    japan = points(sandbox, api, f"/v2/inAppPurchases/{iap_id(sandbox)}", "JPN")
    assert "150" in japan and set(japan).isdisjoint({"0.99", "9.99"})
    app_points = get(sandbox, api, f"/v1/apps/{APP}/appPricePoints?filter[territory]=USA&limit=200")
    assert len(app_points["data"]) == len(usa)


def test_seeded_prices_are_readable(sandbox: Sandbox, api) -> None:
    assert current_iap_price(sandbox, api, iap_id(sandbox)) == ("USA", "4.99")
    schedule = get(sandbox, api, f"/v1/apps/{APP}/appPriceSchedule?include=baseTerritory")
    assert schedule["data"]["relationships"]["baseTerritory"]["data"]["id"] == "USA"
    sub = sandbox.store.list("subscriptions")[0].id
    prices = get(
        sandbox, api, f"/v1/subscriptions/{sub}/prices?include=subscriptionPricePoint,territory"
    )
    by_territory = {
        p["relationships"]["territory"]["data"]["id"]: p["relationships"]["subscriptionPricePoint"]
        for p in prices["data"]
    }
    assert set(by_territory) == {"USA", "JPN"}


def test_a_new_price_schedule_replaces_the_old_one(sandbox: Sandbox, api) -> None:
    product = iap_id(sandbox)
    old = get(sandbox, api, f"/v2/inAppPurchases/{product}/iapPriceSchedule")["data"]["id"]
    nine_ninety_nine = points(sandbox, api, f"/v2/inAppPurchases/{product}", "USA")["9.99"]

    response = set_iap_price(sandbox, api, product, nine_ninety_nine)

    assert response.status_code == 201, response.text
    assert current_iap_price(sandbox, api, product) == ("USA", "9.99")
    assert api.get(f"{sandbox.url}/v1/inAppPurchasePriceSchedules/{old}").status_code == 404


def test_a_price_point_of_another_product_is_refused(sandbox: Sandbox, api) -> None:
    created = api.post(
        f"{sandbox.url}/v2/inAppPurchases",
        json={
            "data": {
                "type": "inAppPurchases",
                "attributes": {
                    "name": "Coins",
                    "productId": "com.example.priced.coins",
                    "inAppPurchaseType": "CONSUMABLE",
                },
                "relationships": {"app": {"data": {"type": "apps", "id": APP}}},
            }
        },
    )
    assert created.status_code == 201, created.text
    coins = created.json()["data"]["id"]
    coins_point = points(sandbox, api, f"/v2/inAppPurchases/{coins}", "USA")["0.99"]

    response = set_iap_price(sandbox, api, iap_id(sandbox), coins_point)

    assert response.status_code == 409
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/relationships/manualPrices"}
    assert current_iap_price(sandbox, api, iap_id(sandbox)) == ("USA", "4.99")


def test_a_subscription_price_replaces_the_territorys_current_price(sandbox: Sandbox, api) -> None:
    sub = sandbox.store.list("subscriptions")[0].id
    point = points(sandbox, api, f"/v1/subscriptions/{sub}", "USA")["3.99"]
    payload = {
        "data": {
            "type": "subscriptionPrices",
            "attributes": {"startDate": None, "preserveCurrentPrice": False},
            "relationships": {
                "subscription": {"data": {"type": "subscriptions", "id": sub}},
                "subscriptionPricePoint": {
                    "data": {"type": "subscriptionPricePoints", "id": point}
                },
            },
        }
    }

    response = api.post(f"{sandbox.url}/v1/subscriptionPrices", json=payload)

    assert response.status_code == 201, response.text
    prices = get(
        sandbox,
        api,
        f"/v1/subscriptions/{sub}/prices?filter[territory]=USA&include=subscriptionPricePoint",
    )["data"]
    assert [p["relationships"]["subscriptionPricePoint"]["data"]["id"] for p in prices] == [point]
