"""Uploading one screenshot or preview the way App Store Connect requires.

Reserve (POST with ``fileName``/``fileSize``), send every upload operation's byte range
(parts in parallel; each PUT is idempotent, so the client retries it), commit (PATCH
``uploaded: true`` with the MD5 ``sourceFileChecksum``), then wait until Apple has
processed the file and shows the checksum.

A reservation whose POST timed out may exist on Apple's side: the leftovers (items of the
set with this file name still awaiting upload) are removed before the error is passed on.
A run killed between reserve and commit leaves such an item too; the next plan sees it
(its state is not COMPLETE) and deletes it, so a retry never leaves a duplicate.

Memory stays flat whatever the file size: each part is streamed from disk in
:data:`STREAM_CHUNK` pieces while it is sent (a :class:`FilePart` is re-read from the
start when the client retries it), so one upload holds at most ``part_concurrency`` such
pieces, not the file. Three 400 MB previews used to peak at 1.26 GB
(``benchmarks/upload_memory.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient, MaybeAppliedError
from ascsync.api.jsonapi import resource_body
from ascsync.errors import AscsyncError


@dataclass(frozen=True)
class MediaKind:
    """Names that differ between screenshots and previews."""

    resource: str
    set_resource: str
    set_relationship: str
    state_attribute: str


SCREENSHOTS = MediaKind(
    "appScreenshots", "appScreenshotSets", "appScreenshotSet", "assetDeliveryState"
)
PREVIEWS = MediaKind("appPreviews", "appPreviewSets", "appPreviewSet", "videoDeliveryState")


STREAM_CHUNK = 1024 * 1024
"""Bytes read from disk at a time while a part is sent."""


class FilePart:
    """One upload operation's byte range of a file, sent as a stream.

    ``len()`` gives the HTTP client its Content-Length; each iteration opens the file
    afresh at ``offset``, so a retried PUT sends the same bytes again. A file that changed
    size under the upload is an error rather than a short or long part.
    """

    def __init__(self, path: Path, offset: int, length: int) -> None:
        self.path, self.offset, self.length = path, offset, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        left = self.length
        with self.path.open("rb") as stream:
            stream.seek(self.offset)
            while left > 0:
                chunk = stream.read(min(STREAM_CHUNK, left))
                if not chunk:
                    raise UploadFailed(
                        f"{self.path.name}: the file got shorter while it was being uploaded"
                    )
                left -= len(chunk)
                yield chunk


class UploadFailed(AscsyncError):
    """Apple processed the file and refused it (its errors are in the message)."""


class UploadTimedOut(AscsyncError):
    """Apple did not finish processing in time; the next apply checks it again."""


@dataclass
class UploadSettings:
    timeout: float = 300.0
    first_poll: float = 0.1
    poll_interval: float = 2.0
    """Longest wait between two status reads; the first ones come sooner."""
    part_concurrency: int = 4
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def upload(
    client: ApiClient,
    kind: MediaKind,
    set_id: str,
    path: Path,
    checksum: str,
    settings: UploadSettings,
    *,
    file_name: str | None = None,
) -> str:
    """Upload ``path`` into the set and wait until it is COMPLETE; returns the new id."""
    name = file_name or path.name
    size = path.stat().st_size
    try:
        reserved = client.post(
            f"/v1/{kind.resource}",
            resource_body(
                kind.resource,
                {"fileName": name, "fileSize": size},
                {kind.set_relationship: (kind.set_resource, set_id)},
            ),
        )
    except MaybeAppliedError:
        _remove_leftovers(client, kind, set_id, name)
        raise
    resource: dict[str, Any] = reserved.data  # type: ignore[assignment]
    media_id = resource["id"]
    operations = resource["attributes"].get("uploadOperations") or []
    _send_parts(client, operations, path, settings.part_concurrency)
    client.patch(
        f"/v1/{kind.resource}/{media_id}",
        resource_body(
            kind.resource, {"uploaded": True, "sourceFileChecksum": checksum}, id_=media_id
        ),
    )
    _wait_until_complete(client, kind, media_id, checksum, name, settings)
    return media_id


def _send_parts(
    client: ApiClient, operations: list[dict[str, Any]], path: Path, concurrency: int
) -> None:
    """Send every part, ``concurrency`` at a time, each streamed from disk."""

    def send(operation: dict[str, Any]) -> None:
        offset, length = int(operation.get("offset") or 0), int(operation["length"])
        headers = {h["name"]: h["value"] for h in operation.get("requestHeaders") or []}
        client.upload(
            operation.get("method") or "PUT",
            operation["url"],
            FilePart(path, offset, length),
            headers,
        )

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        list(pool.map(send, operations))


def _wait_until_complete(
    client: ApiClient,
    kind: MediaKind,
    media_id: str,
    checksum: str,
    name: str,
    settings: UploadSettings,
) -> None:
    deadline = settings.clock() + settings.timeout
    pause = settings.first_poll
    while True:
        doc = client.get(
            f"/v1/{kind.resource}/{media_id}",
            {f"fields[{kind.resource}]": [kind.state_attribute, "sourceFileChecksum"]},
        )
        attributes = doc.data.get("attributes") or {}  # type: ignore[union-attr]
        state = attributes.get(kind.state_attribute) or {}
        status = state.get("state")
        if status == "COMPLETE":
            if attributes.get("sourceFileChecksum") not in (None, checksum):
                raise UploadFailed(
                    f"{name}: App Store Connect reports checksum "
                    f"{attributes['sourceFileChecksum']}, expected {checksum}"
                )
            return
        if status == "FAILED":
            errors = (
                "; ".join(
                    f"{e.get('code')}: {e.get('description')}" for e in state.get("errors") or []
                )
                or "no reason given"
            )
            client.delete(f"/v1/{kind.resource}/{media_id}")
            raise UploadFailed(f"{name}: App Store Connect could not process it ({errors})")
        if settings.clock() >= deadline:
            raise UploadTimedOut(
                f"{name}: still {status} after {settings.timeout:.0f} s; "
                "run apply again later to check it"
            )
        settings.sleep(pause)
        pause = min(pause * 1.5, settings.poll_interval)


def _remove_leftovers(client: ApiClient, kind: MediaKind, set_id: str, name: str) -> None:
    """Delete reservations of ``name`` that never completed (from an interrupted run)."""
    doc = client.get_all(
        f"/v1/{kind.set_resource}/{set_id}/{kind.resource}",
        {f"fields[{kind.resource}]": ["fileName", kind.state_attribute]},
    )
    for item in doc.resources():
        attributes = item.get("attributes") or {}
        state = (attributes.get(kind.state_attribute) or {}).get("state")
        if attributes.get("fileName") == name and state in ("AWAITING_UPLOAD", None):
            client.delete(f"/v1/{kind.resource}/{item['id']}")
