"""Review screenshots, promotional images and availability of in-app purchases and
subscriptions: validation, and ``plan`` against the sandbox."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ascsync.engine.plan import Plan
from ascsync.kinds.registry import validate_repo
from tests.plan.test_products_plan import (
    GROUP,
    IAP,
    IAP_FILE,
    MONTHLY,
    live_group,
    live_iap,
    run,
    write_products,
)

EXTRAS = """\
review_screenshot: review/pro.png
promotional_image: promotional/pro.png
availability:
  available_in_new_territories: true
  territories: [USA, DEU, JPN]
"""

SUB_EXTRAS = """\
    review_screenshot: ../in-app-purchases/review/pro.png
    availability: {available_in_new_territories: false, territories: all}
"""


def image(path: Path, size: tuple[int, int], colour: tuple[int, ...], mode: str = "RGB") -> dict:
    """Write a PNG; returns the seed entry of the same file (by checksum)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path)
    data = path.read_bytes()
    return {
        "fileName": path.name,
        "checksum": hashlib.md5(data).hexdigest(),
        "fileSize": len(data),
        "width": size[0],
        "height": size[1],
    }


@pytest.fixture
def files(repo: Path) -> dict[str, dict]:
    """The repo's products with their extras, and the seed entries of their images."""
    write_products(
        repo,
        iap=IAP_FILE + EXTRAS,
        group=live_group_file(),
    )
    folder = repo / "apps/demo/in-app-purchases"
    return {
        "review": image(folder / "review/pro.png", (1290, 2796), (200, 40, 40)),
        "promo": image(folder / "promotional/pro.png", (1024, 1024), (40, 40, 200)),
    }


def live_group_file() -> str:
    from tests.plan.test_products_plan import GROUP_FILE

    return GROUP_FILE.replace("    group_level: 1\n", "    group_level: 1\n" + SUB_EXTRAS)


def matching(seed: dict[str, Any], files: dict[str, dict]) -> dict[str, Any]:
    iap = live_iap()
    iap["reviewScreenshot"] = files["review"]
    iap["images"] = [files["promo"]]
    iap["availability"] = {"availableInNewTerritories": True, "territories": ["USA", "DEU", "JPN"]}
    group = live_group()
    group["subscriptions"][0]["reviewScreenshot"] = files["review"]
    group["subscriptions"][0]["availability"] = {
        "availableInNewTerritories": False,
        "territories": "all",
    }
    seed["apps"][0]["inAppPurchases"] = [iap]
    seed["apps"][0]["subscriptionGroups"] = [group]
    return seed


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def fields(plan: Plan, address: str) -> dict[str, tuple[Any, Any]]:
    change = next(c for c in plan.changes if c.address == address)
    return {f.name: (f.before, f.after) for f in change.fields}


# -- plan ----------------------------------------------------------------------------------


def test_matching_review_material_plans_nothing(repo: Path, seed: dict, files: dict) -> None:
    plan, stats = run(repo, matching(seed, files))
    assert actions(plan) == [] and plan.locked == []
    # the listings include them; each availability's territories, and the storefronts once
    assert stats[("GET", "/v1/apps/{id}/inAppPurchasesV2")] == 1
    assert stats[("GET", "/v1/inAppPurchaseAvailabilities/{id}/availableTerritories")] == 1
    assert stats[("GET", "/v1/subscriptionAvailabilities/{id}/availableTerritories")] == 1
    assert stats[("GET", "/v1/territories")] == 1  # shared by both kinds


def test_a_new_review_screenshot_replaces_the_live_one(repo: Path, seed: dict, files: dict) -> None:
    Image.new("RGB", (1290, 2796), (10, 10, 10)).save(
        repo / "apps/demo/in-app-purchases/review/pro.png"
    )
    plan, _ = run(repo, matching(seed, files))
    assert actions(plan) == [
        ("upload", f"{IAP}.review_screenshot"),
        # the subscription's screenshot is the same file: replaced too
        ("upload", f"{MONTHLY}.review_screenshot"),
        ("delete", f"{IAP}.review_screenshot[pro.png]"),
        ("delete", f"{MONTHLY}.review_screenshot[pro.png]"),
    ]
    delete = next(c for c in plan.changes if c.action.value == "delete")
    assert delete.makes_room  # a product holds one screenshot: the old goes first
    assert fields(plan, f"{IAP}.review_screenshot") == {"review_screenshot": ("pro.png", "pro.png")}


def test_null_deletes_the_review_screenshot_and_extra_images(
    repo: Path, seed: dict, files: dict
) -> None:
    write_products(repo, iap=IAP_FILE + EXTRAS.replace("review/pro.png", "null"), group=None)
    seed = matching(seed, files)
    other = dict(files["promo"], fileName="old.png", checksum="0" * 32)
    seed["apps"][0]["inAppPurchases"][0]["images"].append(other)
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("delete", f"{IAP}.review_screenshot[pro.png]"),
        ("delete", f"{IAP}.promotional_image[old.png]"),
    ]
    assert [c.note for c in plan.changes] == ["review_screenshot: null", "not the repo's file"]


def test_availability_is_a_new_one_when_it_differs(repo: Path, seed: dict, files: dict) -> None:
    write_products(repo, iap=IAP_FILE + EXTRAS.replace("[USA, DEU, JPN]", "[USA, JPN]"), group=None)
    plan, _ = run(repo, matching(seed, files))
    assert actions(plan) == [("update", f"{IAP}.availability")]
    (change,) = plan.changes
    assert fields(plan, change.address) == {
        "availability.territories": (["DEU", "JPN", "USA"], ["USA", "JPN"])
    }
    assert change.calls == ("POST /v1/inAppPurchaseAvailabilities",)
    assert change.note == "a new availability replaces the old one"


def test_all_and_every_storefront_listed_are_the_same(repo: Path, seed: dict, files: dict) -> None:
    write_products(repo, iap=IAP_FILE + EXTRAS.replace("[USA, DEU, JPN]", "all"), group=None)
    seed = matching(seed, files)
    seed["apps"][0]["inAppPurchases"][0]["availability"]["territories"] = "all"
    plan, _ = run(repo, seed)
    assert actions(plan) == []


def test_an_unknown_territory_is_locked(repo: Path, seed: dict, files: dict) -> None:
    write_products(repo, iap=IAP_FILE + EXTRAS.replace("[USA, DEU, JPN]", "[USA, XKX]"), group=None)
    plan, _ = run(repo, matching(seed, files))
    assert actions(plan) == []
    (locked,) = plan.locked
    assert locked.note == "App Store Connect has no territory XKX"


def test_a_product_in_review_locks_its_review_material(repo: Path, seed: dict, files: dict) -> None:
    seed = matching(seed, files)
    iap = seed["apps"][0]["inAppPurchases"][0]
    iap["state"] = "WAITING_FOR_REVIEW"
    iap["availability"]["territories"] = ["USA"]
    del iap["reviewScreenshot"]
    plan, _ = run(repo, seed)
    assert actions(plan) == []
    assert sorted(c.address for c in plan.locked) == [
        f"{IAP}.availability",
        f"{IAP}.review_screenshot",
    ]
    assert all("not editable while WAITING_FOR_REVIEW" in (c.note or "") for c in plan.locked)


def test_a_new_product_uploads_after_it_exists(repo: Path, seed: dict, files: dict) -> None:
    seed = matching(seed, files)
    seed["apps"][0]["inAppPurchases"] = []
    plan, _ = run(repo, seed)
    upload = next(c for c in plan.changes if c.address == f"{IAP}.review_screenshot")
    assert upload.after == (IAP,)
    availability = next(c for c in plan.changes if c.address == f"{IAP}.availability")
    assert availability.action.value == "create"


def test_subscription_review_material_is_planned_per_subscription(
    repo: Path, seed: dict, files: dict
) -> None:
    seed = matching(seed, files)
    sub = seed["apps"][0]["subscriptionGroups"][0]["subscriptions"][0]
    del sub["reviewScreenshot"]
    sub["availability"] = {"availableInNewTerritories": True, "territories": ["USA"]}
    plan, _ = run(repo, seed)
    assert actions(plan) == [
        ("upload", f"{MONTHLY}.review_screenshot"),
        ("update", f"{MONTHLY}.availability"),
    ]
    assert fields(plan, f"{MONTHLY}.availability") == {
        "availability.available_in_new_territories": (True, False),
        "availability.territories": (["USA"], "all"),
    }
    assert GROUP in MONTHLY


# -- validation ---------------------------------------------------------------------------


def problems(repo: Path, severity: str) -> list[str]:
    report = validate_repo(repo)
    found = report.errors if severity == "error" else report.warnings
    return [p.format(repo) for p in found]


def test_a_product_without_a_review_screenshot_is_a_warning(repo: Path) -> None:
    write_products(repo)
    assert problems(repo, "warning") == [
        "apps/demo/in-app-purchases/com.example.demo.pro.yml:1: review_screenshot: an in-app "
        "purchase has no review screenshot: App Review needs one before it can be submitted "
        "(unless App Store Connect has one already) (review_screenshot: review/<name>.png)",
        "apps/demo/subscriptions/demo-plus.yml:5: subscriptions[0].review_screenshot: a "
        "subscription has no review screenshot: App Review needs one before it can be "
        "submitted (unless App Store Connect has one already) (review_screenshot: "
        "review/<name>.png)",
    ]


def test_image_sizes_apple_asks_for_are_warnings(repo: Path, files: dict) -> None:
    folder = repo / "apps/demo/in-app-purchases"
    image(folder / "review/pro.png", (320, 480), (1, 2, 3))
    image(folder / "promotional/pro.png", (1024, 768), (1, 2, 3))
    found = problems(repo, "warning")
    assert (
        "apps/demo/in-app-purchases/com.example.demo.pro.yml:11: review_screenshot: pro.png is "
        "320×480, smaller than App Review asks (at least 640×920 pixels [U])" in found
    )
    assert (
        "apps/demo/in-app-purchases/com.example.demo.pro.yml:12: promotional_image: pro.png is "
        "1024×768 (1024×1024 pixels [U])" in found
    )
    assert problems(repo, "error") == []


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "review_screenshot: review/pro.png does not exist"),
        ("alpha", "review_screenshot: pro.png has transparency (save it as RGB without alpha)"),
        ("text", "review_screenshot: pro.png: not a readable image"),
        ("gif", "review_screenshot: pro.gif is not a .png, .jpg or .jpeg file"),
        ("outside", "review_screenshot: pro.png is outside the repo"),
    ],
)
def test_a_review_screenshot_that_cannot_upload_is_an_error(
    repo: Path, files: dict, tmp_path: Path, setup: str, message: str
) -> None:
    path = repo / "apps/demo/in-app-purchases/review/pro.png"
    text = IAP_FILE + EXTRAS
    if setup == "missing":
        path.unlink()
    elif setup == "alpha":
        image(path, (1290, 2796), (1, 2, 3, 128), "RGBA")
    elif setup == "text":
        path.write_text("not an image")
    elif setup == "gif":
        Image.new("RGB", (1290, 2796)).save(path.with_suffix(".gif"))
        text = text.replace("review/pro.png", "review/pro.gif")
    elif setup == "outside":
        image(tmp_path / "pro.png", (1290, 2796), (1, 2, 3))
        text = text.replace("review/pro.png", "../../../../pro.png")
    write_products(repo, iap=text, group=None)
    found = problems(repo, "error")
    assert any(f"com.example.demo.pro.yml:11: {message}" in m for m in found), found
