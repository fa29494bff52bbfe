"""Uploading one screenshot or preview the way App Store Connect requires.

Reserve (POST with ``fileName``/``fileSize``), send every upload operation's byte range
(parts in parallel; each PUT is idempotent, so the client retries it), commit (PATCH
``uploaded: true`` with the MD5 ``sourceFileChecksum``), then wait until Apple has
processed the file and shows the checksum.

Requests are Apple's budget, so two things are shared by every upload of one apply
(:class:`UploadSettings` carries them):

* **Order.** Apple appends a reserved item at the end of its set [A]. Uploads into one
  set reserve one after the other in the repo's order (:class:`ReserveOrder`), and only
  the reservation waits its turn: parts, commit and processing overlap. So a set filled
  by one apply is in the repo's order without a reorder request.
* **Settling.** Waiting for processing costs one listing per localization (or set) per
  polling round, shared by every file waiting in it (:class:`Settlement`), not one GET
  per file per round: the cost does not grow with the number of files in a set.

A reservation whose POST may or may not have reached Apple (a 5xx, a timeout, a dropped
connection) is cleaned up (items of the set with this file name still awaiting upload
are deleted) and reserved again, still in its turn, a bounded number of times. A run
killed between reserve and commit leaves such an item too; the next plan sees it (its
state is not COMPLETE) and deletes it, so a retry never leaves a duplicate.

Memory stays flat whatever the file size: each part is streamed from disk in
:data:`STREAM_CHUNK` pieces while it is sent (a :class:`FilePart` is re-read from the
start when the client retries it), so one upload holds at most ``part_concurrency`` such
pieces, not the file. Three 400 MB previews used to peak at 1.26 GB
(``benchmarks/upload_memory.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import WAIT_NOTICE, ApiClient, ApiError, MaybeAppliedError
from ascsync.api.jsonapi import Document, resource_body
from ascsync.engine.slots import idle
from ascsync.errors import AscsyncError


@dataclass(frozen=True)
class MediaKind:
    """Names that differ between screenshots and previews (and the other uploaded files:
    a product's review screenshot, a version's routing coverage)."""

    resource: str
    set_resource: str
    set_relationship: str
    state_attribute: str
    items_path: str = ""
    """Where the owner's one item is, ``{id}`` for the owner's id, for owners that hold a
    single item (a to-one: ``/v1/appStoreVersions/{id}/routingAppCoverage``); sets list
    theirs at ``/v1/<set_resource>/{id}/<resource>``. Apple has no other listing, so
    uploads settle and clean up through this one."""

    def items_of(self, set_id: str) -> str:
        template = self.items_path or f"/v1/{self.set_resource}/{{id}}/{self.resource}"
        return template.replace("{id}", set_id)

    def read_items(
        self, client: ApiClient, set_id: str, params: dict[str, Any] | None = None
    ) -> Document:
        """The owner's items: every page of a set's, or the one item of a to-one (which
        takes no ``limit``)."""
        return Listing(self.items_of(set_id), params or {}, single=bool(self.items_path)).read(
            client
        )


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


RESERVE_ATTEMPTS = 5
"""Reservations of one file, in all, when each answer may have been lost."""

TURN_TIMEOUT = 120.0
"""Longest an upload waits for the one before it in its set to reserve; past it, it goes
ahead (the order is then checked by the next plan) rather than wait forever on a file
whose upload never started."""


class ReserveOrder:
    """Lets the uploads of one set reserve in the order they were compiled (the repo's).

    :meth:`ticket` is called while compiling, in plan order; :meth:`turn` holds an upload
    until every earlier ticket of its set has reserved (or given up).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._issued: dict[str, int] = {}
        self._done: dict[str, set[int]] = {}

    def ticket(self, set_key: str) -> int:
        with self._cond:
            number = self._issued.get(set_key, 0)
            self._issued[set_key] = number + 1
            return number

    def turn(self, set_key: str, number: int) -> _Turn:
        return _Turn(self, set_key, number)

    def _wait(self, set_key: str, number: int) -> None:
        deadline = time.monotonic() + TURN_TIMEOUT
        with self._cond:
            done = self._done.setdefault(set_key, set())
            while not set(range(number)) <= done:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def _release(self, set_key: str, number: int) -> None:
        with self._cond:
            self._done.setdefault(set_key, set()).add(number)
            self._cond.notify_all()


class _Turn:
    """``with order.turn(set, n):`` reserve inside; the next file's turn comes after."""

    def __init__(self, order: ReserveOrder, set_key: str, number: int) -> None:
        self.order, self.set_key, self.number = order, set_key, number

    def __enter__(self) -> None:
        with idle():
            self.order._wait(self.set_key, self.number)

    def __exit__(self, *exc: object) -> None:
        self.order._release(self.set_key, self.number)


@dataclass(frozen=True)
class Listing:
    """Where the items waiting to settle are listed: a localization's sets (with their
    items included) or one set's items. One GET of it per round serves every waiter."""

    path: str
    params: dict[str, Any]
    single: bool = False
    """A to-one (one item, read without paging)."""

    def read(self, client: ApiClient) -> Document:
        if self.single:
            return client.get(self.path, self.params)
        return client.get_all(self.path, self.params)

    @classmethod
    def of_localization(
        cls,
        kind: MediaKind,
        localization_id: str,
        limit: int,
        localization_type: str = "appStoreVersionLocalizations",
    ) -> Listing:
        """A localization's sets with their items (a custom page's, a treatment's too)."""
        return cls(
            f"/v1/{localization_type}/{localization_id}/{kind.set_resource}",
            {
                "include": [kind.resource],
                f"limit[{kind.resource}]": limit,
                f"fields[{kind.resource}]": [kind.state_attribute, "sourceFileChecksum"],
            },
        )

    @classmethod
    def of_set(cls, kind: MediaKind, set_id: str) -> Listing:
        return cls(
            kind.items_of(set_id),
            {f"fields[{kind.resource}]": [kind.state_attribute, "sourceFileChecksum"]},
            single=bool(kind.items_path),
        )


class _Board:
    """What the latest listing of one :class:`Listing` said, and who waits on it."""

    def __init__(self, first_poll: float) -> None:
        self.cond = threading.Condition()
        self.items: dict[str, dict[str, Any]] = {}
        self.waiting: dict[str, float] = {}  # media id -> when it was committed
        self.polling = False
        self.last_poll: float | None = None
        self.last_arrival = 0.0
        self.pause = first_poll
        self.announced_until = 0.0

    def due(self, settings: UploadSettings) -> float:
        """When the next listing is worth its request.

        Soon after the latest commit (``first_poll``: more files of the localization are
        usually on their way, and one listing will see them all), but no later than
        ``poll_interval`` after the oldest waiting commit, and never sooner than
        ``pause`` after the previous listing (which grows while nothing settles).
        """
        oldest = min(self.waiting.values(), default=self.last_arrival)
        due = min(self.last_arrival + settings.first_poll, oldest + settings.poll_interval)
        return due if self.last_poll is None else max(due, self.last_poll + self.pause)


class Settlement:
    """Waits for committed uploads to be processed: one listing per round per board.

    A waiting thread either finds its file's verdict on the board, or, when the next
    round is due (:meth:`_Board.due`) and nobody is polling, polls for everyone;
    otherwise it sleeps until then, its executor slot given to other changes
    (:func:`~ascsync.engine.slots.idle`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._boards: dict[str, _Board] = {}

    def board(self, listing: Listing, settings: UploadSettings) -> _Board:
        with self._lock:
            if listing.path not in self._boards:
                self._boards[listing.path] = _Board(settings.first_poll)
            return self._boards[listing.path]

    def wait(
        self,
        client: ApiClient,
        kind: MediaKind,
        listing: Listing,
        media_id: str,
        name: str,
        settings: UploadSettings,
    ) -> dict[str, Any]:
        """The processed item's attributes once COMPLETE or FAILED; raises past the timeout."""
        board = self.board(listing, settings)
        arrived = time.monotonic()
        deadline = arrived + settings.timeout
        with board.cond:
            board.waiting[media_id] = arrived
            board.last_arrival = arrived
        try:
            with idle():
                return self._wait(client, kind, listing, board, media_id, name, settings, deadline)
        finally:
            with board.cond:
                board.waiting.pop(media_id, None)

    def _wait(
        self,
        client: ApiClient,
        kind: MediaKind,
        listing: Listing,
        board: _Board,
        media_id: str,
        name: str,
        settings: UploadSettings,
        deadline: float,
    ) -> dict[str, Any]:
        while True:
            with board.cond:
                attributes = board.items.get(media_id)
                if _state(attributes, kind) in ("COMPLETE", "FAILED"):
                    return attributes or {}
                now = time.monotonic()
                if now >= deadline:
                    raise UploadTimedOut(
                        f"{name}: still {_state(attributes, kind) or 'processing'} after "
                        f"{settings.timeout:.0f} s; run apply again later to check it"
                    )
                due = board.due(settings)
                if board.polling or now < due:
                    self._announce(client, board, kind, media_id, deadline)
                    board.cond.wait(max(0.01, min(due, deadline) - now))
                    continue
                board.polling = True
            self._poll(client, kind, listing, board, settings)

    @staticmethod
    def _announce(
        client: ApiClient, board: _Board, kind: MediaKind, media_id: str, deadline: float
    ) -> None:
        """One line once a file has waited a couple of seconds; none again until its deadline."""
        now = time.monotonic()
        if now - board.waiting.get(media_id, now) < WAIT_NOTICE or now < board.announced_until:
            return
        board.announced_until = deadline
        what = "screenshots" if kind is SCREENSHOTS else "previews"
        until = time.strftime("%H:%M:%S", time.localtime(time.time() + deadline - now))
        client.on_wait(
            f"ascsync: waiting for App Store Connect to process {len(board.waiting)} "
            f"uploaded {what}; checking every few seconds, at most until {until}"
        )

    @staticmethod
    def _poll(
        client: ApiClient,
        kind: MediaKind,
        listing: Listing,
        board: _Board,
        settings: UploadSettings,
    ) -> None:
        items: dict[str, dict[str, Any]] = {}
        try:
            doc = listing.read(client)
            items = {r["id"]: r.get("attributes") or {} for r in _media_of(doc, kind)}
        finally:
            with board.cond:
                board.items.update(items)
                settled = any(
                    _state(items.get(i), kind) in ("COMPLETE", "FAILED") for i in board.waiting
                )
                board.pause = (
                    settings.first_poll
                    if settled
                    else min(max(board.pause, settings.first_poll) * 1.5, settings.poll_interval)
                )
                board.last_poll = time.monotonic()
                board.polling = False
                board.cond.notify_all()


def _state(attributes: dict[str, Any] | None, kind: MediaKind) -> str | None:
    state = ((attributes or {}).get(kind.state_attribute) or {}).get("state")
    return state if isinstance(state, str) else None


def _media_of(doc: Document, kind: MediaKind) -> list[dict[str, Any]]:
    """The screenshots (or previews) of a listing, whether listed or included."""
    listed = [r for r in doc.resources() if r.get("type") == kind.resource]
    return listed + [r for (type_, _), r in doc.included.items() if type_ == kind.resource]


@dataclass
class UploadSettings:
    """How uploads wait, and what the uploads of one apply share (order, settling)."""

    timeout: float = 300.0
    first_poll: float = 0.5
    """Quiet time after the latest commit of a localization before its first status read:
    the files committed meanwhile are seen by that one read."""
    poll_interval: float = 5.0
    """Longest wait between two status reads (they grow x1.5 while nothing settles)."""
    part_concurrency: int = 4
    order: ReserveOrder = field(default_factory=ReserveOrder)
    settlement: Settlement = field(default_factory=Settlement)


def upload(
    client: ApiClient,
    kind: MediaKind,
    set_id: str,
    path: Path,
    checksum: str,
    settings: UploadSettings,
    *,
    file_name: str | None = None,
    listing: Listing | None = None,
    turn: _Turn | None = None,
) -> str:
    """Upload ``path`` into the set and wait until it is COMPLETE; returns the new id.

    ``turn`` (from :meth:`ReserveOrder.turn`) makes the reservation wait for the files
    before it in the set; ``listing`` is where settling is checked (the set by default).
    """
    name = file_name or path.name
    if turn is None:
        media_id, operations = _reserve(client, kind, set_id, name, path.stat().st_size)
    else:
        with turn:  # waits (slot given away) for the files before it in the set
            media_id, operations = _reserve(client, kind, set_id, name, path.stat().st_size)
    _send_parts(client, operations, path, settings.part_concurrency)
    _commit(client, kind, media_id, checksum)
    attributes = settings.settlement.wait(
        client, kind, listing or Listing.of_set(kind, set_id), media_id, name, settings
    )
    _check_verdict(client, kind, media_id, name, checksum, attributes)
    return media_id


def _reserve(
    client: ApiClient, kind: MediaKind, set_id: str, name: str, size: int
) -> tuple[str, list[dict[str, Any]]]:
    """POST the reservation; after a lost answer, remove what it may have left and retry."""
    body = resource_body(
        kind.resource,
        {"fileName": name, "fileSize": size},
        {kind.set_relationship: (kind.set_resource, set_id)},
    )
    for attempt in range(1, RESERVE_ATTEMPTS + 1):
        try:
            reserved = client.post(f"/v1/{kind.resource}", body)
        except MaybeAppliedError:
            _remove_leftovers(client, kind, set_id, name)
            if attempt == RESERVE_ATTEMPTS:
                raise
            continue
        resource: dict[str, Any] = reserved.resource
        return resource["id"], resource["attributes"].get("uploadOperations") or []
    raise AssertionError("unreachable")


def _commit(client: ApiClient, kind: MediaKind, media_id: str, checksum: str) -> None:
    """PATCH ``uploaded: true``; "already committed" means a retry after a lost answer.

    Whether the earlier commit carried this checksum is checked once the file settles.
    """
    try:
        client.patch(
            f"/v1/{kind.resource}/{media_id}",
            resource_body(
                kind.resource, {"uploaded": True, "sourceFileChecksum": checksum}, id_=media_id
            ),
        )
    except ApiError as error:
        if error.status != 409 or error.attempts < 2:
            raise


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

    if len(operations) == 1:  # a screenshot: no thread pool for one part
        send(operations[0])
        return
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        list(pool.map(send, operations))


def _check_verdict(
    client: ApiClient,
    kind: MediaKind,
    media_id: str,
    name: str,
    checksum: str,
    attributes: dict[str, Any],
) -> None:
    state = attributes.get(kind.state_attribute) or {}
    if state.get("state") == "COMPLETE":
        if attributes.get("sourceFileChecksum") not in (None, checksum):
            raise UploadFailed(
                f"{name}: App Store Connect reports checksum "
                f"{attributes['sourceFileChecksum']}, expected {checksum}"
            )
        return
    errors = (
        "; ".join(f"{e.get('code')}: {e.get('description')}" for e in state.get("errors") or [])
        or "no reason given"
    )
    client.delete(f"/v1/{kind.resource}/{media_id}")
    raise UploadFailed(f"{name}: App Store Connect could not process it ({errors})")


def _remove_leftovers(client: ApiClient, kind: MediaKind, set_id: str, name: str) -> None:
    """Delete reservations of ``name`` that never completed (from an interrupted run)."""
    doc = kind.read_items(
        client, set_id, {f"fields[{kind.resource}]": ["fileName", kind.state_attribute]}
    )
    for item in doc.resources():
        attributes = item.get("attributes") or {}
        state = (attributes.get(kind.state_attribute) or {}).get("state")
        if attributes.get("fileName") == name and state in ("AWAITING_UPLOAD", None):
            client.delete(f"/v1/{kind.resource}/{item['id']}")
