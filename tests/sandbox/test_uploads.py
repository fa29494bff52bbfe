"""The screenshot/preview upload flow over HTTP: reserve, PUT parts, commit, settle, reorder."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from ascsync.sandbox import Sandbox

PART_SIZE = 4096
SETTLE = 5.0

SEED: dict[str, Any] = {
    "apps": [
        {
            "id": "2000000001",
            "bundleId": "com.example.shots",
            "name": "Shots",
            "versions": [
                {
                    "versionString": "1.0",
                    "localizations": {
                        "en-US": {
                            "screenshots": {
                                "APP_IPHONE_67": [
                                    {
                                        "fileName": f"{n}.png",
                                        "checksum": f"{n}" * 32,
                                        "fileSize": 100 + n,
                                        "width": 1290,
                                        "height": 2796,
                                    }
                                    for n in range(3)
                                ]
                            }
                        }
                    },
                }
            ],
        }
    ]
}


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    settings = {"upload_part_size": PART_SIZE, "settle_seconds": SETTLE}
    with Sandbox(seed=SEED, settings=settings) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(shared: Sandbox) -> Sandbox:
    shared.reset()
    shared.clock.offset = 0
    for forced in ("fail_next_uploads", "stuck_uploads"):
        shared.settings.pop(forced, None)
    return shared


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {sandbox.token()}"
        yield session


# -- helpers -------------------------------------------------------------------------------


def png(width: int, height: int, color: tuple[int, int, int] = (30, 90, 200)) -> bytes:
    """A real PNG with some noise, so that it spans several upload parts."""
    image = Image.new("RGB", (width, height), color)
    image.putdata([(x % 256, (x * 7) % 256, 90) for x in range(width * 40)], 1.0, 0.0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 5000


def screenshot_set(sandbox: Sandbox) -> str:
    return sandbox.store.list("appScreenshotSets")[0].id


def new_set(sandbox: Sandbox, api, set_type: str, kind_attr: str, kind: str) -> str:
    loc = sandbox.store.list("appStoreVersionLocalizations")[0]
    payload = {
        "data": {
            "type": set_type,
            "attributes": {kind_attr: kind},
            "relationships": {
                "appStoreVersionLocalization": {
                    "data": {"type": "appStoreVersionLocalizations", "id": loc.id}
                }
            },
        }
    }
    response = api.post(f"{sandbox.url}/v1/{set_type}", json=payload)
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def reserve(sandbox: Sandbox, api, set_id: str, name: str, size: int, kind="appScreenshots"):
    rel = "appScreenshotSet" if kind == "appScreenshots" else "appPreviewSet"
    payload = {
        "data": {
            "type": kind,
            "attributes": {"fileName": name, "fileSize": size},
            "relationships": {rel: {"data": {"type": rel + "s", "id": set_id}}},
        }
    }
    response = api.post(f"{sandbox.url}/v1/{kind}", json=payload)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def send_parts(reservation: dict, data: bytes, skip: set[int] | None = None) -> None:
    for index, op in enumerate(reservation["attributes"]["uploadOperations"]):
        if skip and index in skip:
            continue
        headers = {h["name"]: h["value"] for h in op["requestHeaders"]}
        chunk = data[op["offset"] : op["offset"] + op["length"]]
        response = requests.request(op["method"], op["url"], data=chunk, headers=headers)
        assert response.status_code == 200, response.text


def commit(sandbox: Sandbox, api, asset: dict, checksum: str) -> requests.Response:
    kind, id_ = asset["type"], asset["id"]
    payload = {
        "data": {
            "type": kind,
            "id": id_,
            "attributes": {"uploaded": True, "sourceFileChecksum": checksum},
        }
    }
    return api.patch(f"{sandbox.url}/v1/{kind}/{id_}", json=payload)


def upload(sandbox: Sandbox, api, set_id: str, data: bytes, name="shot.png", checksum=None):
    asset = reserve(sandbox, api, set_id, name, len(data))
    send_parts(asset, data)
    response = commit(sandbox, api, asset, checksum or hashlib.md5(data).hexdigest())
    assert response.status_code == 200, response.text
    return asset


def settled(sandbox: Sandbox, api, asset: dict) -> dict:
    sandbox.clock.offset += SETTLE + 1
    api.headers["Authorization"] = f"Bearer {sandbox.token()}"  # minted at the new time
    response = api.get(f"{sandbox.url}/v1/{asset['type']}/{asset['id']}")
    assert response.status_code == 200, response.text
    return response.json()["data"]["attributes"]


# -- the happy path ---------------------------------------------------------------------------


def test_reservation_splits_the_file_into_parts_on_the_sandbox(sandbox: Sandbox, api) -> None:
    asset = reserve(sandbox, api, screenshot_set(sandbox), "big.png", 3 * PART_SIZE + 10)

    attributes = asset["attributes"]
    ops = attributes["uploadOperations"]
    assert [(op["offset"], op["length"]) for op in ops] == [
        (0, PART_SIZE),
        (PART_SIZE, PART_SIZE),
        (2 * PART_SIZE, PART_SIZE),
        (3 * PART_SIZE, 10),
    ]
    assert all(op["method"] == "PUT" and op["url"].startswith(sandbox.url) for op in ops)
    assert ops[0]["requestHeaders"] == [{"name": "Content-Type", "value": "image/png"}]
    assert attributes["assetDeliveryState"] == {
        "state": "AWAITING_UPLOAD",
        "errors": [],
        "warnings": [],
    }
    assert attributes["sourceFileChecksum"] is None


def test_a_committed_screenshot_completes_after_the_settle_delay(sandbox: Sandbox, api) -> None:
    data = png(1290, 2796)
    assert len(data) > PART_SIZE  # several parts
    asset = reserve(sandbox, api, screenshot_set(sandbox), "home.png", len(data))
    send_parts(asset, data)

    committed = commit(sandbox, api, asset, hashlib.md5(data).hexdigest()).json()["data"]

    assert committed["attributes"]["assetDeliveryState"]["state"] == "UPLOAD_COMPLETE"
    assert committed["attributes"]["sourceFileChecksum"] is None  # not before COMPLETE
    early = api.get(f"{sandbox.url}/v1/appScreenshots/{asset['id']}").json()["data"]
    assert early["attributes"]["assetDeliveryState"]["state"] == "UPLOAD_COMPLETE"

    attributes = settled(sandbox, api, asset)

    assert attributes["assetDeliveryState"]["state"] == "COMPLETE"
    assert attributes["sourceFileChecksum"] == hashlib.md5(data).hexdigest()
    assert attributes["imageAsset"]["width"] == 1290
    assert attributes["imageAsset"]["height"] == 2796
    assert attributes["uploadOperations"] is None


def test_a_complete_screenshot_can_be_downloaded_from_its_template_url(
    sandbox: Sandbox, api
) -> None:
    data = png(1290, 2796)
    attributes = settled(sandbox, api, upload(sandbox, api, screenshot_set(sandbox), data))
    template = attributes["imageAsset"]["templateUrl"]

    original = requests.get(template.format(w=1290, h=2796, f="png"))
    small = requests.get(template.format(w=645, h=1398, f="jpg"))

    assert original.status_code == 200 and original.content == data
    assert small.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(small.content)) as image:
        assert (image.format, image.size) == ("JPEG", (645, 1398))


def test_landscape_is_accepted_for_a_phone(sandbox: Sandbox, api) -> None:
    asset = upload(sandbox, api, screenshot_set(sandbox), png(2796, 1290))
    assert settled(sandbox, api, asset)["assetDeliveryState"]["state"] == "COMPLETE"


def test_a_preview_video_completes(sandbox: Sandbox, api) -> None:
    set_id = new_set(sandbox, api, "appPreviewSets", "previewType", "IPHONE_67")
    asset = reserve(sandbox, api, set_id, "tour.mp4", len(MP4), kind="appPreviews")
    assert asset["attributes"]["uploadOperations"][0]["requestHeaders"][0]["value"] == "video/mp4"
    send_parts(asset, MP4)
    assert commit(sandbox, api, asset, hashlib.md5(MP4).hexdigest()).status_code == 200

    attributes = settled(sandbox, api, asset)

    assert attributes["videoDeliveryState"]["state"] == "COMPLETE"
    assert attributes["sourceFileChecksum"] == hashlib.md5(MP4).hexdigest()


# -- failures ---------------------------------------------------------------------------------


def failure(attributes: dict) -> dict:
    state = attributes["assetDeliveryState"]
    assert state["state"] == "FAILED", state
    assert attributes["sourceFileChecksum"] is None
    assert attributes["imageAsset"] is None
    return state["errors"][0]


def test_a_wrong_checksum_fails(sandbox: Sandbox, api) -> None:
    data = png(1290, 2796)
    asset = upload(sandbox, api, screenshot_set(sandbox), data, checksum="0" * 32)
    assert failure(settled(sandbox, api, asset))["code"] == "CHECKSUM_MISMATCH"


def test_a_size_the_display_type_does_not_accept_fails(sandbox: Sandbox, api) -> None:
    asset = upload(sandbox, api, screenshot_set(sandbox), png(1242, 2208))
    error = failure(settled(sandbox, api, asset))
    assert error["code"] == "IMAGE_INCORRECT_DIMENSIONS"
    assert "1290x2796" in error["description"] and "1242x2208" in error["description"]


def test_a_file_that_is_not_an_image_fails(sandbox: Sandbox, api) -> None:
    asset = upload(sandbox, api, screenshot_set(sandbox), b"not a picture" * 500)
    assert failure(settled(sandbox, api, asset))["code"] == "INVALID_IMAGE"


def test_a_missing_part_fails(sandbox: Sandbox, api) -> None:
    data = png(1290, 2796)
    asset = reserve(sandbox, api, screenshot_set(sandbox), "home.png", len(data))
    send_parts(asset, data, skip={1})
    commit(sandbox, api, asset, hashlib.md5(data).hexdigest())
    assert failure(settled(sandbox, api, asset))["code"] == "UPLOAD_INCOMPLETE"


def test_a_part_of_the_wrong_length_is_refused(sandbox: Sandbox, api) -> None:
    asset = reserve(sandbox, api, screenshot_set(sandbox), "home.png", 2 * PART_SIZE)
    op = asset["attributes"]["uploadOperations"][0]
    response = requests.put(op["url"], data=b"x" * (PART_SIZE - 1))
    assert response.status_code == 400
    assert str(PART_SIZE) in response.text


def test_fail_next_uploads_forces_failures_then_recovers(sandbox: Sandbox, api) -> None:
    sandbox.settings["fail_next_uploads"] = 1
    data = png(1290, 2796)
    first = upload(sandbox, api, screenshot_set(sandbox), data)
    second = upload(sandbox, api, screenshot_set(sandbox), data, name="again.png")

    assert failure(settled(sandbox, api, first))["code"] == "SANDBOX_FORCED_FAILURE"
    assert settled(sandbox, api, second)["assetDeliveryState"]["state"] == "COMPLETE"


def test_stuck_uploads_never_settle(sandbox: Sandbox, api) -> None:
    sandbox.settings["stuck_uploads"] = True
    asset = upload(sandbox, api, screenshot_set(sandbox), png(1290, 2796))
    sandbox.clock.offset += 3600
    assert settled(sandbox, api, asset)["assetDeliveryState"]["state"] == "UPLOAD_COMPLETE"


# -- reordering -------------------------------------------------------------------------------


def member_ids(sandbox: Sandbox, api, set_id: str) -> list[str]:
    response = api.get(f"{sandbox.url}/v1/appScreenshotSets/{set_id}/appScreenshots")
    return [d["id"] for d in response.json()["data"]]


def reorder(sandbox: Sandbox, api, set_id: str, ids: list[str]) -> requests.Response:
    payload = {"data": [{"type": "appScreenshots", "id": i} for i in ids]}
    url = f"{sandbox.url}/v1/appScreenshotSets/{set_id}/relationships/appScreenshots"
    return api.patch(url, json=payload)


def test_screenshots_are_reordered_through_the_set(sandbox: Sandbox, api) -> None:
    set_id = screenshot_set(sandbox)
    ids = member_ids(sandbox, api, set_id)
    assert len(ids) == 3

    assert reorder(sandbox, api, set_id, ids[::-1]).status_code == 204
    assert member_ids(sandbox, api, set_id) == ids[::-1]


def test_a_reorder_must_name_exactly_the_sets_screenshots(sandbox: Sandbox, api) -> None:
    set_id = screenshot_set(sandbox)
    ids = member_ids(sandbox, api, set_id)

    response = reorder(sandbox, api, set_id, ids[:2])

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    assert member_ids(sandbox, api, set_id) == ids


def test_a_new_version_copies_screenshots_that_stay_downloadable(sandbox: Sandbox, api) -> None:
    data = png(1290, 2796)
    original = settled(sandbox, api, upload(sandbox, api, screenshot_set(sandbox), data))
    [draft] = sandbox.store.list("appStoreVersions")
    sandbox.store.update(draft, {"appVersionState": "READY_FOR_DISTRIBUTION"})  # released
    created = api.post(
        f"{sandbox.url}/v1/appStoreVersions",
        json={
            "data": {
                "type": "appStoreVersions",
                "attributes": {"platform": "IOS", "versionString": "1.1"},
                "relationships": {"app": {"data": {"type": "apps", "id": "2000000001"}}},
            }
        },
    )
    assert created.status_code == 201, created.text
    new_id = created.json()["data"]["id"]
    locs = api.get(f"{sandbox.url}/v1/appStoreVersions/{new_id}/appStoreVersionLocalizations")
    [loc] = locs.json()["data"]
    sets = api.get(f"{sandbox.url}/v1/appStoreVersionLocalizations/{loc['id']}/appScreenshotSets")
    [copied_set] = sets.json()["data"]
    shots = api.get(f"{sandbox.url}/v1/appScreenshotSets/{copied_set['id']}/appScreenshots")
    copies = shots.json()["data"]
    checksums = [c["attributes"]["sourceFileChecksum"] for c in copies]
    assert len(copies) == 4 and checksums[-1] == hashlib.md5(data).hexdigest()

    assert api.delete(f"{sandbox.url}/v1/appScreenshots/{copies[-1]['id']}").status_code == 204

    template = original["imageAsset"]["templateUrl"]
    assert requests.get(template.format(w=1290, h=2796, f="png")).content == data


def test_an_upload_committed_before_a_restart_fails_instead_of_hanging(tmp_path) -> None:
    state = tmp_path / "state.json"
    settings = {"settle_seconds": 3600}
    with (
        Sandbox(seed=SEED, state_file=state, settings=settings) as first,
        requests.Session() as api,
    ):
        api.headers["Authorization"] = f"Bearer {first.token()}"
        asset = upload(first, api, screenshot_set(first), png(1290, 2796))

    with Sandbox(state_file=state) as second, requests.Session() as api:
        api.headers["Authorization"] = f"Bearer {second.token()}"
        response = api.get(f"{second.url}/v1/appScreenshots/{asset['id']}")

    delivery = response.json()["data"]["attributes"]["assetDeliveryState"]
    assert delivery["state"] == "FAILED"
    assert delivery["errors"][0]["code"] == "SANDBOX_RESTARTED"


def test_uploaded_bytes_survive_a_restart_with_state(tmp_path) -> None:
    state = tmp_path / "state.json"
    data = png(1290, 2796, (200, 40, 40))
    with (
        Sandbox(seed=SEED, state_file=state, settings={"settle_seconds": 0}) as first,
        requests.Session() as api,
    ):
        api.headers["Authorization"] = f"Bearer {first.token()}"
        asset = upload(first, api, screenshot_set(first), data, name="kept.png")
        attributes = api.get(f"{first.url}/v1/appScreenshots/{asset['id']}").json()["data"]
        assert attributes["attributes"]["assetDeliveryState"]["state"] == "COMPLETE"

    assets = sorted(p.name for p in (tmp_path / "state.json.assets").iterdir())
    assert "index.json" in assets and len(assets) == 2
    with Sandbox(state_file=state) as second, requests.Session() as api:
        api.headers["Authorization"] = f"Bearer {second.token()}"
        shot = api.get(f"{second.url}/v1/appScreenshots/{asset['id']}").json()["data"]
        template = shot["attributes"]["imageAsset"]["templateUrl"]
        assert template.startswith(second.url)  # served by the new sandbox
        assert requests.get(template.format(w=1290, h=2796, f="png")).content == data
        # Deleting the screenshot forgets its bytes on the next save.
        assert api.delete(f"{second.url}/v1/appScreenshots/{asset['id']}").status_code == 204
    left = sorted(p.name for p in (tmp_path / "state.json.assets").iterdir())
    assert left == ["index.json"]


def test_every_seeded_screenshot_downloads_at_its_declared_size(sandbox: Sandbox, api) -> None:
    """Seeded by checksum and size only: a generated stand-in of that size is served."""
    screenshots = sandbox.store.list("appScreenshots")
    assert len(screenshots) == 3
    for stored in screenshots:
        shot = api.get(f"{sandbox.url}/v1/appScreenshots/{stored.id}").json()["data"]
        attributes = shot["attributes"]
        asset = attributes["imageAsset"]
        url = asset["templateUrl"].format(w=asset["width"], h=asset["height"], f="png")
        answer = requests.get(url)
        assert answer.status_code == 200, (attributes["fileName"], answer.text)
        with Image.open(io.BytesIO(answer.content)) as image:
            assert (image.format, image.size) == ("PNG", (1290, 2796))
        # The real bytes are unknown: the stand-in does not claim the seeded checksum.
        assert hashlib.md5(answer.content).hexdigest() != attributes["sourceFileChecksum"]
        smaller = requests.get(asset["templateUrl"].format(w=300, h=650, f="jpg"))
        assert smaller.status_code == 200


def test_the_demo_serves_real_bytes_for_every_screenshot() -> None:
    with Sandbox(seed="demo") as sandbox, requests.Session() as api:
        api.headers["Authorization"] = f"Bearer {sandbox.token()}"
        for stored in sandbox.store.list("appScreenshots"):
            shot = api.get(f"{sandbox.url}/v1/appScreenshots/{stored.id}").json()["data"]
            asset = shot["attributes"]["imageAsset"]
            url = asset["templateUrl"].format(w=asset["width"], h=asset["height"], f="png")
            data = requests.get(url).content
            assert hashlib.md5(data).hexdigest() == shot["attributes"]["sourceFileChecksum"]


@pytest.mark.parametrize("size", [0, 501 * 1024 * 1024])
def test_a_reservation_needs_a_plausible_file_size(sandbox: Sandbox, api, size: int) -> None:
    payload = {
        "data": {
            "type": "appScreenshots",
            "attributes": {"fileName": "huge.png", "fileSize": size},
            "relationships": {
                "appScreenshotSet": {
                    "data": {"type": "appScreenshotSets", "id": screenshot_set(sandbox)}
                }
            },
        }
    }
    response = api.post(f"{sandbox.url}/v1/appScreenshots", json=payload)
    assert response.status_code == 409
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/attributes/fileSize"}


def test_an_upload_that_settles_on_a_read_is_saved_settled(tmp_path) -> None:
    """The sandbox settles a committed upload when it is next read; that read must reach
    the --state file, or a restart finds the asset still processing and calls it lost
    (a repo applied with --sandbox then planned again wanted to upload it again)."""
    state = tmp_path / "state.json"
    data = png(1290, 2796, (10, 140, 40))
    with (
        Sandbox(seed=SEED, state_file=state, settings={"settle_seconds": 0.3}) as first,
        requests.Session() as api,
    ):
        api.headers["Authorization"] = f"Bearer {first.token()}"
        asset = upload(first, api, screenshot_set(first), data, name="late.png")
        time.sleep(0.8)  # the commit's save has happened; the asset is not settled yet
        shot = api.get(f"{first.url}/v1/appScreenshots/{asset['id']}").json()["data"]
        assert shot["attributes"]["assetDeliveryState"]["state"] == "COMPLETE"
    with Sandbox(state_file=state) as second, requests.Session() as api:
        api.headers["Authorization"] = f"Bearer {second.token()}"
        shot = api.get(f"{second.url}/v1/appScreenshots/{asset['id']}").json()["data"]
        assert shot["attributes"]["assetDeliveryState"]["state"] == "COMPLETE"
        assert shot["attributes"]["sourceFileChecksum"] == hashlib.md5(data).hexdigest()
