"""Small pictures of screenshots for the HTML report, as ``data:`` URIs.

Live screenshots are fetched through their ``imageAsset.templateUrl`` (a CDN template
with ``{w}x{h}bb.{f}`` placeholders) at thumbnail size, so the CDN scales them and a
report of 100 screenshots downloads a few megabytes, not hundreds. Repo files are
scaled here with Pillow. Either way the picture is decoded and encoded again as a
JPEG (or a PNG when it has transparency): the report never embeds bytes it has not
read as an image, and carries no metadata of the original.

A picture that cannot be made (a video, a missing file, a failed download) comes back
as a reason; the report shows a labelled placeholder instead.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import requests
from PIL import Image, UnidentifiedImageError

HEIGHT = 240
"""Thumbnail height in pixels: a screenshot's headline stays readable, and a set of ten
fits on a screen side by side."""
MAX_DOWNLOAD = 8 * 1024 * 1024
"""Most bytes read for one thumbnail (a CDN answering with something huge is cut off)."""
TIMEOUT = 20
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Picture:
    """A thumbnail, or why there is none."""

    data_uri: str | None = None
    width: int = 0
    height: int = 0
    problem: str = ""


def size_for(width: int | None, height: int | None, target: int = HEIGHT) -> tuple[int, int]:
    """Thumbnail size keeping the aspect ratio (a tall screenshot stays tall)."""
    if not width or not height:
        return (round(target * 9 / 19.5), target)
    if height <= target:
        return (width, height)
    return (max(1, round(width * target / height)), target)


def encode(image: Image.Image, target: int = HEIGHT) -> Picture:
    """Scale ``image`` to ``target`` pixels high at most and encode it as a data URI."""
    image.thumbnail((10 * target, target))
    buffer = io.BytesIO()
    transparent = image.mode in ("RGBA", "LA") or "transparency" in image.info
    if transparent:
        image.convert("RGBA").save(buffer, "PNG", optimize=True)
        mime = "png"
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=80, optimize=True)
        mime = "jpeg"
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Picture(f"data:image/{mime};base64,{data}", image.width, image.height)


def local(path: Path, target: int = HEIGHT) -> Picture:
    """A repo file's thumbnail."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return Picture(problem="video" if path.suffix else "not an image")
    try:
        with Image.open(path) as image:
            image.draft("RGB", (10 * target, target))  # JPEG: decode at a reduced size
            return encode(image, target)
    except FileNotFoundError:
        return Picture(problem="file not found")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        return Picture(problem=f"unreadable ({type(exc).__name__})")


def remote(
    session: requests.Session,
    template_url: str | None,
    width: int | None,
    height: int | None,
    target: int = HEIGHT,
) -> Picture:
    """A live screenshot's thumbnail, asked of the CDN at thumbnail size."""
    if not template_url:
        return Picture(problem="no image yet")
    w, h = size_for(width, height, target)
    url = template_url.replace("{w}", str(w)).replace("{h}", str(h)).replace("{f}", "jpg")
    try:
        with session.get(url, timeout=TIMEOUT, stream=True) as response:
            if response.status_code != 200:
                return Picture(problem=f"download failed (HTTP {response.status_code})")
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > MAX_DOWNLOAD:
                    return Picture(problem="download too large")
    except requests.RequestException as exc:
        return Picture(problem=f"download failed ({type(exc).__name__})")
    try:
        with Image.open(io.BytesIO(bytes(data))) as image:
            return encode(image, target)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return Picture(problem="the download is not an image")


def in_parallel(work: Callable[[T], R], items: Iterable[T], workers: int = 8) -> list[R]:
    """``[work(item) for item in items]``, several at a time (downloads wait on the network)."""
    with ThreadPoolExecutor(max(1, workers)) as pool:
        return list(pool.map(work, items))


__all__ = ["HEIGHT", "Picture", "encode", "in_parallel", "local", "remote", "size_for"]
