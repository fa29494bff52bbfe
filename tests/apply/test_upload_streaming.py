"""Uploads stream each part from disk: a large preview never sits in memory whole.

The sandbox runs in a process of its own here (it keeps every byte it receives, which is
not what is measured); tracemalloc then sees only this process, the uploading side. A
64 MB preview used to cost 64 MB of ``bytes`` plus its part slices; streamed, the peak
is a few 1 MB pieces. ``benchmarks/upload_memory.py`` measures the real RSS of apply.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import resource_body
from ascsync.api.tokens import TokenProvider
from ascsync.desired.media import md5_file
from ascsync.engine.uploads import PREVIEWS, STREAM_CHUNK, FilePart, UploadFailed, UploadSettings
from ascsync.engine.uploads import upload as upload_file
from tests.desired.test_media_previews import movie

SIZE = 64 * 1024 * 1024
SANDBOX_SCRIPT = """
import json, sys
from ascsync.sandbox import Sandbox
with Sandbox(seed="demo", settings={"settle_seconds": 0.02}) as sandbox:
    print(json.dumps({"url": sandbox.url, "key": str(sandbox.api_key_json_path)}), flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def remote_client() -> Iterator[ApiClient]:
    """A client for a demo-seeded sandbox running in another process."""
    process = subprocess.Popen(
        [sys.executable, "-c", SANDBOX_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        where = json.loads(process.stdout.readline())
        key = json.loads(Path(where["key"]).read_text())
        tokens = TokenProvider(key["key_id"], key["key"], key["issuer_id"])
        yield ApiClient(where["url"], tokens)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def _new_preview_set(client: ApiClient) -> str:
    app = client.get("/v1/apps", {"filter[bundleId]": "com.example.moviecatalog"}).resources()[0]
    versions = client.get(
        f"/v1/apps/{app['id']}/appStoreVersions",
        {"filter[versionString]": "2.4.0", "include": ["appStoreVersionLocalizations"]},
    )
    [en_us] = [
        r for r in versions.included.values()
        if r["type"] == "appStoreVersionLocalizations" and r["attributes"]["locale"] == "en-US"
    ]  # fmt: skip
    created = client.post(
        "/v1/appPreviewSets",
        resource_body(
            "appPreviewSets",
            {"previewType": "IPHONE_67"},
            {"appStoreVersionLocalization": ("appStoreVersionLocalizations", en_us["id"])},
        ),
    )
    return created.data["id"]  # type: ignore[index]


def _large_preview(path: Path) -> Path:
    """A real movie header, then a sparse tail up to 64 MB (no disk used)."""
    with path.open("wb") as stream:
        stream.write(movie(seconds=20))
        stream.truncate(SIZE)
    return path


def test_a_64mb_preview_uploads_without_being_held_in_memory(remote_client, tmp_path):
    preview = _large_preview(tmp_path / "01-tour.mov")
    set_id = _new_preview_set(remote_client)
    checksum = md5_file(preview)

    tracemalloc.start()
    try:
        media_id = upload_file(
            remote_client, PREVIEWS, set_id, preview, checksum, UploadSettings(timeout=60)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    state = remote_client.get(f"/v1/appPreviews/{media_id}").data["attributes"]  # type: ignore[index]
    assert state["videoDeliveryState"]["state"] == "COMPLETE"
    assert state["sourceFileChecksum"] == checksum  # every byte arrived, in order
    assert peak < SIZE / 4, f"peak {peak / 1e6:.0f} MB while uploading a 64 MB file"


def test_a_part_streams_in_pieces_and_can_be_sent_again(tmp_path):
    path = tmp_path / "clip.mov"
    data = bytes(range(256)) * (3 * STREAM_CHUNK // 256 + 7)
    path.write_bytes(data)
    part = FilePart(path, offset=100, length=2 * STREAM_CHUNK + 5)
    first, again = list(part), list(part)  # a retried PUT iterates afresh
    assert first == again
    assert b"".join(first) == data[100 : 100 + 2 * STREAM_CHUNK + 5]
    assert len(part) == 2 * STREAM_CHUNK + 5
    assert max(len(piece) for piece in first) <= STREAM_CHUNK


def test_a_file_cut_short_during_the_upload_is_an_error_not_a_short_part(tmp_path):
    path = tmp_path / "clip.mov"
    path.write_bytes(b"x" * 1000)
    part = FilePart(path, offset=0, length=1000)
    path.write_bytes(b"x" * 10)
    with pytest.raises(UploadFailed, match="got shorter while it was being uploaded"):
        list(part)
