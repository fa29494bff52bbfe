"""Offline checks for in-app event media: the event card and the details page image or video.

Each localization of an event shows one card (16:9) and one details page (9:16), each an
image or a video (:data:`~ascsync.rules.product_pages.EVENT_MEDIA_SIZES`). Like the
screenshot checks (:mod:`ascsync.desired.media`) this reads headers only and reports
every problem as ``file: field: what is wrong (what would be valid)``.
"""

from __future__ import annotations

from pathlib import Path

from ascsync.desired.media import UnreadableMedia, image_info, video_info
from ascsync.problems import Problem
from ascsync.rules import product_pages as pp


def media_kind(path: Path) -> str | None:
    """``"image"`` or ``"video"`` by extension, None for anything else."""
    suffix = path.suffix.lower()
    if suffix in pp.EVENT_IMAGE_EXTENSIONS:
        return "image"
    if suffix in pp.EVENT_VIDEO_EXTENSIONS:
        return "video"
    return None


def check_event_asset(asset_type: str, files: list[Path], *, where: Path) -> list[Problem]:
    """Problems of one ``<locale>/<ASSET_TYPE>/`` folder: its type, one file, its size."""
    field = f"media[{asset_type}]"
    if asset_type not in pp.EVENT_ASSET_TYPES:
        valid = "one of " + ", ".join(pp.EVENT_ASSET_TYPES)
        return [Problem(where, None, field, f"{asset_type!r} is not an event asset type", valid)]
    if len(files) != 1:
        what = "no file" if not files else f"{len(files)} files"
        return [Problem(where, None, field, f"{what} in this folder", "exactly one image or video")]
    path = files[0]
    kind = media_kind(path)
    if kind is None:
        valid = "accepted: " + ", ".join(pp.EVENT_IMAGE_EXTENSIONS + pp.EVENT_VIDEO_EXTENSIONS)
        return [
            Problem(
                path, None, field, f"extension {path.suffix or '(none)'!r} is not accepted", valid
            )
        ]
    try:
        size = _image_size(path) if kind == "image" else _video_size(path)
    except UnreadableMedia as exc:
        return [Problem(path, None, field, str(exc), exc.valid or f"a readable {kind}")]
    return _size_problems(path, asset_type, size, field)


class _HasAlpha(UnreadableMedia):
    valid = "save it as RGB without alpha, e.g. flattened onto a background"


def _image_size(path: Path) -> tuple[int, int] | None:
    info = image_info(path)
    if info.has_alpha:
        raise _HasAlpha("image has transparency (Apple accepts no alpha channel)")
    return info.size


def _video_size(path: Path) -> tuple[int, int] | None:
    if path.stat().st_size > pp.EVENT_MAX_VIDEO_BYTES:
        raise UnreadableMedia(f"file is {path.stat().st_size / 1e6:.0f} MB, at most 500 MB")
    info = video_info(path)
    if info.width and info.height:
        return (info.width, info.height)
    return None  # no video track header: the size is Apple's to check


def _size_problems(
    path: Path, asset_type: str, size: tuple[int, int] | None, field: str
) -> list[Problem]:
    """[A] the card is 16:9 and the details page 9:16, between the listed sizes."""
    if size is None:
        return []
    (ratio_w, ratio_h), smallest, largest = pp.EVENT_MEDIA_SIZES[asset_type]
    width, height = size
    valid = f"{ratio_w}:{ratio_h}, from {smallest[0]}×{smallest[1]} to {largest[0]}×{largest[1]}"
    if width * ratio_h != height * ratio_w:
        return [Problem(path, None, field, f"{width}×{height} is not {ratio_w}:{ratio_h}", valid)]
    if not (smallest[0] <= width <= largest[0] and smallest[1] <= height <= largest[1]):
        return [Problem(path, None, field, f"{width}×{height} is out of range", valid)]
    return []


__all__ = ["check_event_asset", "media_kind"]
