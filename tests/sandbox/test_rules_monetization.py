"""The sandbox's rules for product review screenshots, promotional images and availability,
over HTTP, as a client other than ascsync would meet them."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from ascsync.sandbox import Sandbox

SEED: dict[str, Any] = {
    "apps": [
        {
            "id": "3000000001",
            "bundleId": "com.example.shop",
            "name": "Shop",
            "inAppPurchases": [
                {"productId": "com.example.shop.gems", "name": "Gems", "type": "CONSUMABLE"},
                {
                    "productId": "com.example.shop.busy",
                    "name": "Busy",
                    "state": "WAITING_FOR_REVIEW",
                },
            ],
        }
    ]
}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=SEED, settings={"settle_seconds": 0, "upload_part_size": 2048}) as sandbox:
        yield sandbox


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {sandbox.token()}"
        yield session


def iap(sandbox: Sandbox, product_id: str = "com.example.shop.gems") -> Any:
    return next(
        i for i in sandbox.store.list("inAppPurchases") if i.attributes["productId"] == product_id
    )


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 30, 60)).save(out, "PNG")
    return out.getvalue()


def reserve(sandbox: Sandbox, api: requests.Session, type_: str, rel: str, data: bytes) -> Any:
    body = {
        "data": {
            "type": type_,
            "attributes": {"fileName": "shot.png", "fileSize": len(data)},
            "relationships": {rel: {"data": {"type": "inAppPurchases", "id": iap(sandbox).id}}},
        }
    }
    return api.post(f"{sandbox.url}/v1/{type_}", json=body)


def upload(sandbox: Sandbox, api: requests.Session, type_: str, rel: str, data: bytes) -> dict:
    """Reserve, send, commit; the resource as read back after processing."""
    reserved = reserve(sandbox, api, type_, rel, data)
    assert reserved.status_code == 201, reserved.text
    resource = reserved.json()["data"]
    for op in resource["attributes"]["uploadOperations"]:
        chunk = data[op["offset"] : op["offset"] + op["length"]]
        assert requests.put(op["url"], data=chunk, timeout=10).status_code == 200
    commit = {
        "data": {
            "type": type_,
            "id": resource["id"],
            "attributes": {"uploaded": True, "sourceFileChecksum": hashlib.md5(data).hexdigest()},
        }
    }
    assert api.patch(f"{sandbox.url}/v1/{type_}/{resource['id']}", json=commit).ok
    return api.get(f"{sandbox.url}/v1/{type_}/{resource['id']}").json()["data"]


REVIEW = ("inAppPurchaseAppStoreReviewScreenshots", "inAppPurchaseV2")
IMAGES = ("inAppPurchaseImages", "inAppPurchase")


def test_a_review_screenshot_completes_and_is_the_products_only_one(sandbox, api) -> None:
    done = upload(sandbox, api, *REVIEW, png((1290, 2796)))
    attributes = done["attributes"]
    assert attributes["assetDeliveryState"]["state"] == "COMPLETE"
    assert (attributes["imageAsset"]["width"], attributes["imageAsset"]["height"]) == (1290, 2796)
    via_product = api.get(
        f"{sandbox.url}/v2/inAppPurchases/{iap(sandbox).id}/appStoreReviewScreenshot"
    ).json()["data"]
    assert via_product["id"] == done["id"]
    second = reserve(sandbox, api, *REVIEW, png((1290, 2796)))
    assert second.status_code == 409
    assert "already has a review screenshot" in second.json()["errors"][0]["detail"]


def test_a_small_review_screenshot_fails_processing(sandbox, api) -> None:
    done = upload(sandbox, api, *REVIEW, png((320, 480)))
    state = done["attributes"]["assetDeliveryState"]
    assert state["state"] == "FAILED"
    assert state["errors"][0]["code"] == "IMAGE_INCORRECT_DIMENSIONS"


@pytest.mark.parametrize(
    ("size", "state"), [((1024, 1024), "PREPARE_FOR_SUBMISSION"), ((1024, 500), "FAILED")]
)
def test_a_promotional_image_must_be_1024_square(sandbox, api, size, state) -> None:
    done = upload(sandbox, api, *IMAGES, png(size))
    assert done["attributes"]["state"] == state


def test_nothing_is_uploaded_while_the_product_waits_for_review(sandbox, api) -> None:
    body = {
        "data": {
            "type": REVIEW[0],
            "attributes": {"fileName": "shot.png", "fileSize": 10},
            "relationships": {
                REVIEW[1]: {
                    "data": {
                        "type": "inAppPurchases",
                        "id": iap(sandbox, "com.example.shop.busy").id,
                    }
                }
            },
        }
    }
    refused = api.post(f"{sandbox.url}/v1/{REVIEW[0]}", json=body)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "STATE_ERROR"


def test_a_new_availability_replaces_the_old_one(sandbox, api) -> None:
    def create(codes: list[str]) -> str:
        body = {
            "data": {
                "type": "inAppPurchaseAvailabilities",
                "attributes": {"availableInNewTerritories": False},
                "relationships": {
                    "inAppPurchase": {"data": {"type": "inAppPurchases", "id": iap(sandbox).id}},
                    "availableTerritories": {
                        "data": [{"type": "territories", "id": c} for c in codes]
                    },
                },
            }
        }
        response = api.post(f"{sandbox.url}/v1/inAppPurchaseAvailabilities", json=body)
        assert response.status_code == 201, response.text
        return response.json()["data"]["id"]

    first = create(["USA", "JPN"])
    second = create(["DEU"])
    assert [a.id for a in sandbox.store.list("inAppPurchaseAvailabilities")] == [second]
    current = api.get(
        f"{sandbox.url}/v2/inAppPurchases/{iap(sandbox).id}/inAppPurchaseAvailability"
    ).json()["data"]
    assert current["id"] == second != first
    listed = api.get(
        f"{sandbox.url}/v1/inAppPurchaseAvailabilities/{second}/availableTerritories"
    ).json()["data"]
    assert [t["id"] for t in listed] == ["DEU"]
