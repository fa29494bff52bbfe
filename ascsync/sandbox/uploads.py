"""Screenshot and preview uploads, the way App Store Connect runs them.

Apple's flow (openapi-facts §2; order and MD5 from Apple's "Uploading assets to App Store
Connect" doc):

1. **Reserve**: ``POST /v1/appScreenshots`` (or ``appPreviews``) with ``fileName``,
   ``fileSize`` and the set. The answer carries ``uploadOperations``: where to ``PUT``
   which byte range. Here the URLs point at the sandbox itself
   (``{base_url}/_uploads/{assetToken}/{part}``), split into parts of
   ``settings["upload_part_size"]`` bytes.
2. **Send** each part to its URL.
3. **Commit**: ``PATCH`` with ``uploaded: true`` and ``sourceFileChecksum`` (MD5 hex).
   The state becomes ``UPLOAD_COMPLETE``.
4. **Poll** until ``COMPLETE`` or ``FAILED``. The sandbox decides at commit time (all
   parts there, MD5 right, a PNG/JPEG whose pixel size the set's display type accepts)
   and reveals the verdict ``settings["settle_seconds"]`` later, measured with the
   sandbox clock and applied lazily when the resource is read. ``sourceFileChecksum``
   and ``imageAsset`` appear only once ``COMPLETE``, as on Apple's side.

Reordering is ``PATCH /v1/appScreenshotSets/{id}/relationships/appScreenshots`` with the
full list, which must name exactly the set's members.

Downloads: ``imageAsset.templateUrl`` is ``{base_url}/_assets/{assetToken}/{w}x{h}bb.{f}``
like Apple's CDN template; a ``GET`` with the placeholders filled in returns the image
(re-scaled if another size is asked for), so ``pull`` can be tested.

Settings that force behaviours, for testing ascsync's apply (all optional):

``upload_part_size``  bytes per upload part (default 5 MiB).
``settle_seconds``    delay before UPLOAD_COMPLETE becomes COMPLETE/FAILED (default 0.2).
``fail_next_uploads`` the next N commits fail with ``errors`` (the count goes down).
``stuck_uploads``     when true, committed assets stay UPLOAD_COMPLETE forever.

The bytes live in memory (an ``AssetRegistry`` per store); with ``--state`` the
finished files are also written beside the state file (``persistence.py``), so a
restart keeps them. Seeded screenshots given only by checksum download as generated
stand-ins of the declared size (:func:`placeholder_image`).
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw, UnidentifiedImageError

from ascsync.sandbox import api_errors
from ascsync.sandbox.hooks import Hooks, RawResponse, RequestContext, Route, SandboxError
from ascsync.sandbox.store import Ref, Resource, Store

DEFAULT_PART_SIZE = 5 * 1024 * 1024
DEFAULT_SETTLE_SECONDS = 0.2

MAX_FILE_SIZE = 500 * 1024 * 1024  # [A] app previews: 500 MB; screenshots have no published cap
MAX_RENDER_SIDE = 8192  # largest side served by the image template route

UPLOAD_PATH = "/_uploads"
ASSET_PATH = "/_assets"

MEDIA_TYPES = ("appScreenshots", "appPreviews")
SET_OF = {"appScreenshots": "appScreenshotSet", "appPreviews": "appPreviewSet"}
MEMBERS_OF_SET = {"appScreenshotSets": "appScreenshots", "appPreviewSets": "appPreviews"}

# Accepted screenshot sizes per display type, portrait W x H. Source: apple-rules.md §3
# (Apple's "Screenshot specifications" page, fastlane deliver app_screenshot.rb and the
# ASC CLI catalog; the legacy union F ∪ R). Landscape (H x W) is accepted too, except
# where ORIENTATION says otherwise.
SCREENSHOT_SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "APP_IPHONE_67": ((1260, 2736), (1290, 2796), (1320, 2868)),
    "APP_IPHONE_65": ((1242, 2688), (1284, 2778)),
    "APP_IPHONE_61": ((1179, 2556), (1206, 2622)),
    "APP_IPHONE_58": ((1170, 2532), (1125, 2436), (1080, 2340)),
    "APP_IPHONE_55": ((1242, 2208),),
    "APP_IPHONE_47": ((750, 1334),),
    "APP_IPHONE_40": ((640, 1136), (640, 1096)),
    "APP_IPHONE_35": ((640, 960), (640, 920)),
    "APP_IPAD_PRO_3GEN_129": ((2064, 2752), (2048, 2732)),
    "APP_IPAD_PRO_129": ((2048, 2732), (2064, 2752)),
    "APP_IPAD_PRO_3GEN_11": ((1488, 2266), (1668, 2420), (1668, 2388), (1640, 2360)),
    "APP_IPAD_105": ((1668, 2224),),
    "APP_IPAD_97": ((1536, 2048), (768, 1024), (768, 1004), (1536, 2008)),
    "APP_DESKTOP": ((1280, 800), (1440, 900), (2560, 1600), (2880, 1800)),
    "APP_APPLE_TV": ((1920, 1080), (3840, 2160)),
    "APP_APPLE_VISION_PRO": ((3840, 2160),),
    "APP_WATCH_ULTRA": ((422, 514), (410, 502)),
    "APP_WATCH_SERIES_10": ((416, 496),),
    "APP_WATCH_SERIES_7": ((396, 484),),
    "APP_WATCH_SERIES_4": ((368, 448),),
    "APP_WATCH_SERIES_3": ((312, 390),),
}
# iMessage sets take the sizes of the matching app slot (fastlane DEVICE_RESOLUTIONS_MESSAGES).
for _name in list(SCREENSHOT_SIZES):
    if _name.startswith(("APP_IPHONE_", "APP_IPAD_")) and _name != "APP_IPHONE_35":
        SCREENSHOT_SIZES["IMESSAGE_" + _name] = SCREENSHOT_SIZES[_name]

LANDSCAPE_ONLY = {"APP_DESKTOP", "APP_APPLE_TV", "APP_APPLE_VISION_PRO"}
PORTRAIT_ONLY = {name for name in SCREENSHOT_SIZES if name.startswith("APP_WATCH_")}

# Previews: video containers by extension and magic bytes (apple-rules.md §4: .mov, .m4v,
# .mp4). Deeper checks (codec, duration, frame rate) are out of the sandbox's scope.
PREVIEW_EXTENSIONS = (".mov", ".m4v", ".mp4")


def accepted_sizes(display_type: str) -> list[tuple[int, int]]:
    """Every W x H the display type accepts, rotations included where Apple allows them."""
    sizes = list(SCREENSHOT_SIZES.get(display_type, ()))
    if display_type in PORTRAIT_ONLY:
        return sizes
    rotated = [(h, w) for w, h in sizes]
    if display_type in LANDSCAPE_ONLY:
        return [(max(w, h), min(w, h)) for w, h in sizes]
    return sizes + [s for s in rotated if s not in sizes]


# -- per-store memory: bytes and upload progress -----------------------------------------


@dataclass
class Upload:
    """What the sandbox remembers about one reserved asset beyond its public attributes."""

    kind: str
    file_name: str
    file_size: int
    parts: list[tuple[int, int]]
    received: dict[int, bytes] = field(default_factory=dict)
    committed_at: float | None = None
    checksum: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    stuck: bool = False


@dataclass
class AssetRegistry:
    """Upload progress by ``assetToken`` and finished files' bytes by ``assetToken``.

    ``blobs`` are real files (uploaded, or read by a seed) and are kept with ``--state``;
    ``generated`` are stand-ins drawn for seeded screenshots known only by checksum.
    """

    uploads: dict[str, Upload] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    generated: dict[str, bytes] = field(default_factory=dict)


_REGISTRIES: weakref.WeakKeyDictionary[Store, AssetRegistry] = weakref.WeakKeyDictionary()


def registry(store: Store) -> AssetRegistry:
    """The asset memory that belongs to ``store`` (created on first use)."""
    with store.lock:
        found = _REGISTRIES.get(store)
        if found is None:
            found = _REGISTRIES[store] = AssetRegistry()
        return found


def forget_assets(store: Store) -> None:
    """Drop every upload and image of ``store`` (a reset or a new seed starts clean)."""
    with store.lock:
        _REGISTRIES[store] = AssetRegistry()


def template_url(base_url: str, token: str) -> str:
    """Apple-style ``templateUrl``; clients replace ``{w}``, ``{h}`` and ``{f}``."""
    return f"{base_url}{ASSET_PATH}/{token}/{{w}}x{{h}}bb.{{f}}"


def new_asset_token(file_name: str) -> str:
    """An opaque token shaped like Apple's ``assetToken`` (path-like, ends in the name)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", file_name) or "file"
    return f"Sandbox{uuid.uuid4().hex[:12]}-{safe}"


def delivery_state(state: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """An ``AppMediaAssetState`` / ``AppMediaVideoState`` object."""
    return {"state": state, "errors": list(errors or []), "warnings": []}


# -- verifying a committed upload --------------------------------------------------------


def _error(code: str, description: str) -> dict[str, str]:
    return {"code": code, "description": description}


def inspect_image(data: bytes) -> tuple[str, int, int] | None:
    """``(format, width, height)`` of a PNG or JPEG, or None if it is neither."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                return None
            return image.format, image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def looks_like_video(file_name: str, data: bytes) -> bool:
    """A QuickTime/MPEG-4 container: right extension and an ``ftyp``/``moov`` box up front."""
    return file_name.lower().endswith(PREVIEW_EXTENSIONS) and data[4:8] in (
        b"ftyp",
        b"moov",
        b"wide",
        b"mdat",
        b"free",
    )


def verify_upload(
    upload: Upload, checksum: str | None, display_type: str | None
) -> list[dict[str, Any]]:
    """Apple's server-side checks on a committed asset; the errors it would report.

    Codes: IMAGE_INCORRECT_DIMENSIONS is the code ASC reports for wrong sizes; the
    wording follows the classic "must be a .jpeg, .jpg, or .png file that is ..." message
    (fastlane#13181). The other codes are the sandbox's own [U].
    """
    missing = [i for i in range(len(upload.parts)) if i not in upload.received]
    if missing:
        parts = ", ".join(str(i + 1) for i in missing)
        return [_error("UPLOAD_INCOMPLETE", f"Upload parts {parts} were never received.")]
    data = b"".join(upload.received[i] for i in range(len(upload.parts)))
    actual = hashlib.md5(data).hexdigest()
    if not checksum or checksum.lower() != actual:
        return [
            _error(
                "CHECKSUM_MISMATCH",
                f"The sourceFileChecksum {checksum!r} does not match the uploaded file "
                f"(MD5 {actual}).",
            )
        ]
    if upload.kind == "appPreviews":
        if not looks_like_video(upload.file_name, data):
            return [_error("INVALID_VIDEO", "The file is not a .mov, .m4v or .mp4 video.")]
        return []
    found = inspect_image(data)
    if found is None:
        return [_error("INVALID_IMAGE", "The file is not a valid .jpeg, .jpg or .png image.")]
    _fmt, width, height = found
    upload.width, upload.height = width, height
    sizes = accepted_sizes(display_type or "")
    if sizes and (width, height) not in sizes:
        listed = ", ".join(f"{w}x{h}" for w, h in sizes)
        return [
            _error(
                "IMAGE_INCORRECT_DIMENSIONS",
                f"The dimensions of one or more screenshots are wrong: {display_type} "
                f"screenshots must be a .jpeg, .jpg, or .png file that is {listed} pixels; "
                f"this one is {width}x{height}.",
            )
        ]
    return []


LOST_UPLOAD = _error(
    "SANDBOX_RESTARTED", "The sandbox restarted before this upload was processed; upload again."
)
FORCED_FAILURE = _error("SANDBOX_FORCED_FAILURE", "Failed on purpose (fail_next_uploads).")


# -- the hooks -------------------------------------------------------------------------


def _now(ctx: RequestContext) -> float:
    return ctx.now() if ctx.now is not None else time.time()


def _state_attribute(kind: str) -> list[str]:
    """Previews report both the current ``videoDeliveryState`` and the deprecated one."""
    if kind == "appPreviews":
        return ["videoDeliveryState", "assetDeliveryState"]
    return ["assetDeliveryState"]


class UploadHooks(Hooks):
    """Reserve, receive, commit, settle and reorder screenshots and previews."""

    def before_create(
        self,
        ctx: RequestContext,
        type_: str,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None],
    ) -> None:
        if type_ not in MEDIA_TYPES:
            return
        size = int(attributes.get("fileSize") or 0)
        if not 0 < size <= MAX_FILE_SIZE:
            raise api_errors.attribute_invalid(
                "/data/attributes/fileSize",
                f"fileSize must be between 1 and {MAX_FILE_SIZE} bytes.",
            )
        part_size = max(1, int(ctx.settings.get("upload_part_size", DEFAULT_PART_SIZE)))
        parts = [(offset, min(part_size, size - offset)) for offset in range(0, size, part_size)]
        token = new_asset_token(str(attributes.get("fileName", "file")))
        registry(ctx.store).uploads[token] = Upload(
            kind=type_, file_name=str(attributes.get("fileName", "")), file_size=size, parts=parts
        )
        content_type = _content_type(str(attributes.get("fileName", "")), attributes)
        attributes["assetToken"] = token
        attributes["uploadOperations"] = [
            {
                "method": "PUT",
                "url": f"{ctx.base_url}{UPLOAD_PATH}/{token}/{index}",
                "length": length,
                "offset": offset,
                "requestHeaders": [{"name": "Content-Type", "value": content_type}],
            }
            for index, (offset, length) in enumerate(parts)
        ]
        attributes["sourceFileChecksum"] = None
        for name in _state_attribute(type_):
            attributes[name] = delivery_state("AWAITING_UPLOAD")
        if type_ == "appScreenshots":
            attributes["imageAsset"] = None
            attributes["assetType"] = "SortedScreenShot"
        else:
            attributes["previewFrameImage"] = None
            attributes["videoUrl"] = None

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None],
    ) -> None:
        if resource.type not in MEDIA_TYPES:
            return
        # ``uploaded`` is write-only and the checksum stays hidden until COMPLETE.
        uploaded = attributes.pop("uploaded", None)
        checksum = attributes.pop("sourceFileChecksum", None)
        if not uploaded:
            return
        upload = registry(ctx.store).uploads.get(str(resource.attributes.get("assetToken")))
        if upload is None or upload.committed_at is not None:
            raise SandboxError(
                409,
                "STATE_ERROR",
                "The request cannot be fulfilled because of the state of another resource.",
                "This asset was already committed; reserve a new one to upload again.",
                pointer="/data/attributes/uploaded",
            )
        upload.checksum = checksum
        upload.committed_at = _now(ctx)
        upload.errors = verify_upload(upload, checksum, _display_type(ctx.store, resource))
        forced = int(ctx.settings.get("fail_next_uploads", 0) or 0)
        if forced > 0 and not upload.errors:
            ctx.settings["fail_next_uploads"] = forced - 1
            upload.errors = [FORCED_FAILURE]
        upload.stuck = bool(ctx.settings.get("stuck_uploads"))
        for name in _state_attribute(resource.type):
            attributes[name] = delivery_state("UPLOAD_COMPLETE")
        attributes["uploadOperations"] = None

    def on_read(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type not in MEDIA_TYPES:
            return
        token = str(resource.attributes.get("assetToken") or "")
        upload = registry(ctx.store).uploads.get(token)
        if upload is None and _state_of(resource) == "UPLOAD_COMPLETE":
            # Committed before a restart (``--state``): the bytes are gone, say so.
            for name in _state_attribute(resource.type):
                resource.attributes[name] = delivery_state("FAILED", [LOST_UPLOAD])
            ctx.store.touch()
        if upload is not None and upload.committed_at is not None and not upload.stuck:
            settle = float(ctx.settings.get("settle_seconds", DEFAULT_SETTLE_SECONDS))
            if _now(ctx) - upload.committed_at >= settle:
                self._settle(ctx, resource, token, upload)
        asset = resource.attributes.get("imageAsset")
        if isinstance(asset, dict) and token:
            asset["templateUrl"] = template_url(ctx.base_url, token)

    def _settle(self, ctx: RequestContext, resource: Resource, token: str, upload: Upload) -> None:
        """Move a committed asset to COMPLETE (checksum and image visible) or FAILED."""
        registry_ = registry(ctx.store)
        registry_.uploads.pop(token, None)
        ctx.store.touch()  # the settled state must reach the --state file too
        if upload.errors:
            for name in _state_attribute(resource.type):
                resource.attributes[name] = delivery_state("FAILED", upload.errors)
            return
        data = b"".join(upload.received[i] for i in range(len(upload.parts)))
        registry_.blobs[token] = data
        resource.attributes["sourceFileChecksum"] = upload.checksum
        for name in _state_attribute(resource.type):
            resource.attributes[name] = delivery_state("COMPLETE")
        if resource.type == "appScreenshots":
            resource.attributes["imageAsset"] = {
                "templateUrl": template_url(ctx.base_url, token),
                "width": upload.width,
                "height": upload.height,
            }
        else:
            resource.attributes["videoUrl"] = f"{ctx.base_url}{ASSET_PATH}/{token}/video"

    def before_linkage_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        relationship: str,
        method: str,
        refs: Ref | list[Ref] | None,
    ) -> None:
        """Reordering must list exactly the set's members (Apple: full replacement list)."""
        if MEMBERS_OF_SET.get(resource.type) != relationship:
            return
        current = resource.relationships.get(relationship) or []
        wanted = refs if isinstance(refs, list) else ([refs] if refs else [])
        if method == "PATCH" and sorted(wanted) != sorted(current):
            raise api_errors.relationship_invalid(
                "/data",
                f"The new order must list exactly the {len(current)} {relationship} of this "
                f"set, each once; it lists {len(wanted)}.",
            )

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type not in MEDIA_TYPES:
            return
        token = str(resource.attributes.get("assetToken") or "")
        registry(ctx.store).uploads.pop(token, None)
        # A new version's copies share the original's token (and image): keep it for them.
        shared = any(
            other.attributes.get("assetToken") == token and other.id != resource.id
            for other in ctx.store.list(resource.type)
        )
        if not shared:
            registry(ctx.store).blobs.pop(token, None)

    def routes(self) -> list[Route]:
        return [
            Route("PUT", rf"{UPLOAD_PATH}/(?P<token>[^/]+)/(?P<index>\d+)", receive_part),
            Route(
                "GET",
                rf"{ASSET_PATH}/(?P<token>[^/]+)/(?P<width>\d+)x(?P<height>\d+)bb\.(?P<fmt>\w+)",
                serve_image,
            ),
        ]


def _state_of(resource: Resource) -> str | None:
    state = resource.attributes.get(_state_attribute(resource.type)[0])
    return state.get("state") if isinstance(state, dict) else None


def _content_type(file_name: str, attributes: dict[str, Any]) -> str:
    if attributes.get("mimeType"):
        return str(attributes["mimeType"])
    lower = file_name.lower()
    if lower.endswith((".jpg", ".jpeg")):
        return "image/jpeg"
    if lower.endswith(".png"):
        return "image/png"
    if lower.endswith(".mov"):
        return "video/quicktime"
    if lower.endswith((".mp4", ".m4v")):
        return "video/mp4"
    return "application/octet-stream"


def _display_type(store: Store, resource: Resource) -> str | None:
    """The screenshot set's display type, or the preview set's preview type."""
    parents = store.related(resource, SET_OF[resource.type])
    if not parents:
        return None
    attrs = parents[0].attributes
    return attrs.get("screenshotDisplayType") or attrs.get("previewType")


def _text(status: int, message: str) -> RawResponse:
    return RawResponse(status, message.encode(), {"Content-Type": "text/plain; charset=utf-8"})


def receive_part(ctx: RequestContext, data: bytes, token: str, index: str) -> RawResponse:
    """``PUT`` of one upload part: the length must be the one the operation announced."""
    upload = registry(ctx.store).uploads.get(token)
    if upload is None or int(index) >= len(upload.parts):
        return _text(404, "No such upload operation.")
    if upload.committed_at is not None:
        return _text(409, "This upload was already committed.")
    _offset, length = upload.parts[int(index)]
    if len(data) != length:
        return _text(400, f"Expected {length} bytes for this part, received {len(data)}.")
    upload.received[int(index)] = bytes(data)
    return RawResponse(200, b"", {})


def placeholder_image(store: Store, token: str) -> bytes | None:
    """A PNG of the declared size for a seeded screenshot that has no bytes, or None.

    A seed may give a screenshot by checksum and size only (no file). Apple would serve
    the real image; the sandbox draws a stand-in of the declared pixel size (a colour
    from the token, the file name written on it) so every seeded screenshot downloads.
    Its MD5 is not the seeded ``sourceFileChecksum``: the real bytes are unknown.
    """
    found = registry(store).generated.get(token)
    if found is not None:
        return found
    screenshot = next(
        (s for s in store.list("appScreenshots") if s.attributes.get("assetToken") == token),
        None,
    )
    if screenshot is None:
        return None
    asset = screenshot.attributes.get("imageAsset")
    if not isinstance(asset, dict) or not asset.get("width") or not asset.get("height"):
        return None
    size = (min(int(asset["width"]), MAX_RENDER_SIDE), min(int(asset["height"]), MAX_RENDER_SIDE))
    digest = hashlib.sha256(token.encode()).digest()
    image = Image.new("RGB", size, (64 + digest[0] // 2, 64 + digest[1] // 2, 64 + digest[2] // 2))
    label = f"{screenshot.attributes.get('fileName', '')} (sandbox placeholder)"
    ImageDraw.Draw(image).text((size[0] // 20, size[1] // 20), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    registry(store).generated[token] = out.getvalue()
    return out.getvalue()


def serve_image(
    ctx: RequestContext, data: bytes, token: str, width: str, height: str, fmt: str
) -> RawResponse:
    """The stored image at the asked size and format, like Apple's image CDN."""
    del data
    blob = registry(ctx.store).blobs.get(token) or placeholder_image(ctx.store, token)
    if blob is None:
        return _text(404, "No such asset.")
    fmt = fmt.lower()
    pil_format = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}.get(fmt)
    if pil_format is None:
        return _text(400, "Format must be png, jpg or jpeg.")
    if not (0 < int(width) <= MAX_RENDER_SIDE and 0 < int(height) <= MAX_RENDER_SIDE):
        return _text(400, f"Width and height must be between 1 and {MAX_RENDER_SIDE}.")
    with Image.open(io.BytesIO(blob)) as image:
        same = (image.width, image.height) == (int(width), int(height))
        if same and image.format == pil_format:
            return RawResponse(200, blob, {"Content-Type": f"image/{fmt.replace('jpg', 'jpeg')}"})
        converted = image.convert("RGB").resize((int(width), int(height)))
        out = io.BytesIO()
        converted.save(out, pil_format)
    return RawResponse(200, out.getvalue(), {"Content-Type": f"image/{fmt.replace('jpg', 'jpeg')}"})
