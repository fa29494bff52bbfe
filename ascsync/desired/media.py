"""Offline checks for screenshot and app preview files, before anything goes to Apple.

Why header-only: a repo holds hundreds of multi-megabyte images and ``validate`` runs on
every commit, so each image is judged from its header (Pillow's lazy open plus a walk
over PNG chunk headers) and each video from its MP4/QuickTime box headers, seeking past
the media data. Nothing is decoded, which also makes decompression bombs harmless.

Every check returns :class:`Problem` objects instead of raising, so one run reports every
bad file, each as ``file: field: what is wrong (what would be valid)``.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
import struct
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image, UnidentifiedImageError

from ascsync.problems import Problem, Severity
from ascsync.rules.media import (
    MAX_PREVIEW_BYTES,
    MAX_PREVIEW_SECONDS,
    MAX_PREVIEWS_PER_SET,
    MAX_SCREENSHOT_PIXELS,
    MAX_SCREENSHOTS_PER_SET,
    MIN_PREVIEW_SECONDS,
    MIN_SCREENSHOTS_PER_SET,
    PREVIEW_EXTENSIONS,
    PREVIEW_TYPES,
    REQUIRED_SCREENSHOT_SETS,
    SCREENSHOT_DISPLAY_TYPES,
    SCREENSHOT_EXTENSIONS,
    SCREENSHOT_TYPE_ALIASES,
    Orientation,
    PreviewSpec,
    ScreenshotSpec,
    Size,
    display_types_for_size,
)

# Files that operating systems and editors drop into folders; never media.
_IGNORED_NAMES = {"Thumbs.db", "desktop.ini"}
_CHUNK = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024 * 1024
"""Most bytes read to judge one image's header. Real headers (colour profile, EXIF, text)
are kilobytes; a chunk claiming gigabytes is refused instead of read."""


_BOMB_MESSAGE = (
    "header claims {size} pixels; not read (decompression-bomb guard, limit "
    + f"{MAX_SCREENSHOT_PIXELS // 1_000_000} megapixels)"
)


class UnreadableMedia(Exception):
    """A media file whose header cannot be read; the message says why, for the user."""

    valid: str | None = None  # what to do about it, when something better than "re-export"


class LfsPointer(UnreadableMedia):
    """A Git LFS pointer checked out instead of the file: the media was never downloaded."""

    valid = "run `git lfs pull` to download the real file"

    def __init__(self) -> None:
        super().__init__("a Git LFS pointer file, not the media itself")


# Git LFS leaves this small text in place of a file until ``git lfs pull`` fetches it.
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"


def _refuse_lfs_pointer(path: Path) -> None:
    """Raise :class:`LfsPointer` when the file is one (Pillow would call it unidentifiable)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(len(LFS_POINTER_PREFIX))
    except OSError as exc:
        raise UnreadableMedia(f"cannot be read ({exc.strerror or exc})") from None
    if head == LFS_POINTER_PREFIX:
        raise LfsPointer()


# ---------------------------------------------------------------- listing and hashing


def _natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key where digit runs compare as numbers: 2 before 10, as Finder and deliver do."""
    parts = re.split(r"(\d+)", name.casefold())
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part)


def list_media(folder: Path) -> list[Path]:
    """Files in a set folder in upload order (natural sort), hidden and OS files skipped."""
    files = [
        path
        for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".") and path.name not in _IGNORED_NAMES
    ]
    return sorted(files, key=lambda path: _natural_key(path.name))


def md5_file(path: Path) -> str:
    """Hex MD5 of a file, streamed: Apple's ``sourceFileChecksum`` compares against this."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- image headers


@dataclass(frozen=True)
class ImageInfo:
    """What an image header says; ``truncated`` is set when the data ends early."""

    width: int
    height: int
    format: str
    mode: str
    has_alpha: bool
    truncated: bool = False

    @property
    def size(self) -> Size:
        return (self.width, self.height)


class _ReadCapExceeded(Exception):
    """Pillow asked for more header bytes than :data:`MAX_HEADER_BYTES`."""


class _CappedReader(io.RawIOBase):
    """A file that refuses to hand out more than ``cap`` bytes in total (seeks are free).

    Pillow reads a PNG's chunks before the image data whole, whatever length they claim:
    a 2 GB private chunk became 4.2 GB of memory. Reading through this wrapper stops at
    the cap with an error instead of a short read, so nothing is silently truncated.
    """

    def __init__(self, raw: BinaryIO, cap: int) -> None:
        super().__init__()
        self.raw, self.cap, self.count = raw, cap, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def readinto(self, buffer: Any) -> int:
        room = self.cap - self.count
        view = memoryview(buffer)
        if room <= 0 and len(view):
            raise _ReadCapExceeded
        got = self.raw.readinto(view[: min(len(view), room)])  # type: ignore[attr-defined]
        self.count += got or 0
        return got or 0


def image_info(path: Path) -> ImageInfo:
    """Read an image's header only (no pixel decode); raise :class:`UnreadableMedia`.

    At most :data:`MAX_HEADER_BYTES` are read, whatever the file claims.
    """
    if _file_size(path) == 0:
        raise UnreadableMedia("file is empty (0 bytes)")
    _refuse_lfs_pointer(path)
    try:
        with warnings.catch_warnings(), path.open("rb", buffering=0) as raw:
            # We apply our own pixel limit below; Pillow's warning would only add noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            capped = io.BufferedReader(_CappedReader(raw, MAX_HEADER_BYTES))
            with Image.open(capped) as image:
                width, height = image.size
                fmt = image.format or "unknown"
                mode = image.mode
                alpha = "A" in image.getbands() or "transparency" in image.info
    except _ReadCapExceeded:
        raise UnreadableMedia(_header_too_big(path)) from None
    except Image.DecompressionBombError:
        # Pillow refused before we could see the size; PNG keeps it at a fixed offset.
        raise UnreadableMedia(_BOMB_MESSAGE.format(size=_png_header_size(path))) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as exc:
        raise UnreadableMedia(f"not a readable image: {_reason(exc)}") from None
    if width * height > MAX_SCREENSHOT_PIXELS:
        raise UnreadableMedia(_BOMB_MESSAGE.format(size=f"{width}×{height}"))
    return ImageInfo(width, height, fmt, mode, alpha, truncated=_is_truncated(path, fmt))


def _header_too_big(path: Path) -> str:
    """Why the header was not read: the oversized PNG chunk by name, when there is one."""
    megabytes = MAX_HEADER_BYTES // 1024 // 1024
    guard = f"not read (memory guard, limit {megabytes} MB)"
    chunk = _first_big_png_chunk(path)
    if chunk is not None:
        kind, length = chunk
        return f"PNG chunk {kind!r} claims {length:,} bytes before the image data; {guard}"
    return f"more than {megabytes} MB of header data before the image; {guard}"


def _first_big_png_chunk(path: Path) -> tuple[str, int] | None:
    """The first chunk before IDAT longer than the cap, from the chunk headers alone."""
    with path.open("rb") as stream:
        if stream.read(8) != b"\x89PNG\r\n\x1a\n":
            return None
        for _ in range(_MAX_BOXES):
            header = stream.read(8)
            if len(header) < 8:
                return None
            length, kind = struct.unpack(">I4s", header)
            if kind == b"IDAT":
                return None
            if length > MAX_HEADER_BYTES:
                return kind.decode("latin-1"), length
            stream.seek(length + 4, io.SEEK_CUR)
    return None


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise UnreadableMedia(f"cannot be read ({exc.strerror or exc})") from None


def _png_header_size(path: Path) -> str:
    """``W×H`` from a PNG's IHDR, for messages; a vague phrase for other formats."""
    with path.open("rb") as stream:
        head = stream.read(24)
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return f"{width}×{height}"
    return "an enormous number of"


def _reason(exc: BaseException) -> str:
    """Pillow's own words without the file path it likes to include."""
    # The path arrives quoted (' '...), or as the file object's repr (' <_io...>').
    text = re.split(r" ['<]", str(exc))[0].strip() or type(exc).__name__
    return text


def _is_truncated(path: Path, fmt: str) -> bool:
    """Whether the file ends before its format's end marker (cheap: headers and tail only)."""
    if fmt == "PNG":
        return not _png_has_iend(path)
    if fmt == "JPEG":
        with path.open("rb") as stream:
            stream.seek(max(0, path.stat().st_size - 1024))
            return b"\xff\xd9" not in stream.read()
    return False


_PNG_IEND_CHUNK = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _png_has_iend(path: Path) -> bool:
    """Whether the PNG's chunks run complete up to IEND.

    Fast path: a complete PNG almost always ends with the fixed 12-byte IEND chunk.
    Otherwise walk the chunk headers, seeking over chunk data, so that bytes appended
    after IEND are not mistaken for truncation.
    """
    size = path.stat().st_size
    with path.open("rb") as stream:
        stream.seek(max(0, size - len(_PNG_IEND_CHUNK)))
        if stream.read() == _PNG_IEND_CHUNK:
            return True
        stream.seek(8)  # signature
        while True:
            header = stream.read(8)
            if len(header) < 8:
                return False
            length, kind = struct.unpack(">I4s", header)
            end = stream.tell() + length + 4  # data + CRC
            if end > size:
                return False
            if kind == b"IEND":
                return True
            stream.seek(end)


# ---------------------------------------------------------------- screenshot sets


def _sizes(sizes: Iterable[Size]) -> str:
    return ", ".join(f"{w}×{h}" for w, h in sorted(sizes))


def _accepted_hint(sizes: tuple[Size, ...], orientation: Orientation) -> str:
    """``accepted: A, B, or landscape`` / ``accepted, landscape only: A, B``."""
    if orientation is Orientation.BOTH:
        return f"accepted: {_sizes(sizes)}, or landscape"
    return f"accepted, {orientation.value}: {_sizes(sizes)}"


def _did_you_mean(name: str, aliases: dict[str, str], known: list[str]) -> str:
    if name in aliases:
        return f"use {aliases[name]}"
    if name.upper() in known:  # folder names are case-sensitive enum values
        return f"did you mean {name.upper()}?"
    close = difflib.get_close_matches(name.upper(), known, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(close) + "?"
    return "see `ascsync schema` for the list"


def check_screenshot_set(display_type: str, files: list[Path], *, where: Path) -> list[Problem]:
    """All problems of one screenshot set; ``where`` is the set folder for set-level ones."""
    set_field = f"screenshots[{display_type}]"
    problems: list[Problem] = []
    spec = SCREENSHOT_DISPLAY_TYPES.get(display_type)
    if spec is None:
        hint = _did_you_mean(display_type, SCREENSHOT_TYPE_ALIASES, list(SCREENSHOT_DISPLAY_TYPES))
        problems.append(Problem(where, None, set_field, "unknown screenshot display type", hint))
    problems += _check_count(
        len(files),
        MIN_SCREENSHOTS_PER_SET,
        MAX_SCREENSHOTS_PER_SET,
        "screenshots",
        where,
        set_field,
    )
    for path in files:
        problems += _check_name(path, f"{set_field}[{path.name}]")
        problems += _check_screenshot(path, spec, display_type, f"{set_field}[{path.name}]")
    return problems


def _check_name(path: Path, field: str) -> list[Problem]:
    """A line break or other control character in a file name is refused.

    Such a name is never intended, breaks every log line and CI annotation that quotes it,
    and is a way to smuggle commands into a CI log; Apple's ``fileName`` rules for it are
    unpublished [U].
    """
    if not any(unicodedata.category(char) == "Cc" for char in path.name):
        return []
    message = f"file name {path.name!r} contains a control character (line break, tab…)"
    return [Problem(path, None, field, message, "rename it without control characters")]


def _check_count(
    count: int, minimum: int, maximum: int, noun: str, where: Path, field: str
) -> list[Problem]:
    if count < minimum:
        message = f"no {noun} in this set"
    elif count > maximum:
        message = f"{count} {noun} in this set"
    else:
        return []
    valid = f"{minimum} to {maximum} files" if minimum else f"at most {maximum} files"
    return [Problem(where, None, field, message, valid)]


def _check_screenshot(
    path: Path, spec: ScreenshotSpec | None, display_type: str, field: str
) -> list[Problem]:
    """Problems of one image file: extension, content, size, alpha, colour mode."""
    expected_format = SCREENSHOT_EXTENSIONS.get(path.suffix.lower())
    if expected_format is None:
        valid = "accepted: " + ", ".join(SCREENSHOT_EXTENSIONS)
        return [
            Problem(
                path, None, field, f"extension {path.suffix or '(none)'!r} is not accepted", valid
            )
        ]
    try:
        info = image_info(path)
    except UnreadableMedia as exc:
        return [Problem(path, None, field, str(exc), exc.valid or "a PNG or JPEG image")]
    problems = []
    if info.format != expected_format:
        message = f"file is {_format_name(info.format)} but named {path.suffix}"
        valid = f"re-export as {expected_format}"
        if info.format in SCREENSHOT_EXTENSIONS.values():
            valid = f"rename it to {_suggested_name(path, info.format)} or {valid}"
        problems.append(Problem(path, None, field, message, valid))
    if info.truncated:
        problems.append(
            Problem(
                path,
                None,
                field,
                f"{info.format} data ends early, the file is truncated",
                "re-export it",
            )
        )
    if spec is not None:
        problems += _check_size(path, info.size, spec, display_type, field)
    problems += _check_colour(path, info, field)
    return problems


def _format_name(fmt: str) -> str:
    return {"PNG": "a PNG", "JPEG": "a JPEG"}.get(fmt, f"a {fmt} image")


def _suggested_name(path: Path, fmt: str) -> str:
    return path.with_suffix({"PNG": ".png", "JPEG": ".jpg"}[fmt]).name


def _check_size(
    path: Path, size: Size, spec: ScreenshotSpec, display_type: str, field: str
) -> list[Problem]:
    width, height = size
    if size in spec.accepted():
        return []
    if size in spec.legacy():
        message = f"{width}×{height} is a legacy size for {display_type} and may be rejected"
        valid = f"current: {_sizes(spec.sizes)}"
        return [Problem(path, None, field, message, valid, Severity.WARNING)]
    valid = _accepted_hint(spec.sizes, spec.orientation)
    if (height, width) in spec.accepted():
        message = f"{width}×{height} is the wrong orientation for {display_type}"
    else:
        message = f"{width}×{height} is not accepted for {display_type}"
        elsewhere = [name for name in display_types_for_size(size) if name != display_type]
        if elsewhere:
            valid += f"; {width}×{height} fits {' or '.join(elsewhere)}"
    return [Problem(path, None, field, message, valid)]


def _check_colour(path: Path, info: ImageInfo, field: str) -> list[Problem]:
    """Alpha is an error per Apple ("can't include alpha channels"); so is non-RGB colour."""
    if info.has_alpha:
        kind = (
            "transparency"
            if info.mode in ("P", "RGB", "L")
            else f"alpha channel (mode {info.mode})"
        )
        valid = "save as RGB without alpha, e.g. flatten onto a background"
        return [Problem(path, None, field, f"image has {kind}", valid)]
    if info.mode == "RGB":
        return []
    if info.mode == "P":
        # Indexed PNGs have RGB palette colours; Apple's rule on them is unpublished [U].
        message = "image is palette-based (indexed colour) and may be rejected"
        return [Problem(path, None, field, message, "save as 24-bit RGB", Severity.WARNING)]
    names = {"L": "grayscale", "1": "black-and-white", "CMYK": "CMYK", "I;16": "16-bit grayscale"}
    kind = names.get(info.mode, f"mode {info.mode}")
    return [Problem(path, None, field, f"image colour space is {kind}, not RGB", "save as RGB")]


def check_required_screenshot_sets(
    platform: str, supports_ipad: bool, display_types: set[str], *, where: Path, locale: str
) -> list[Problem]:
    """Missing sets the platform needs in this locale (``where`` = the locale's folder)."""
    problems = []
    for rule in REQUIRED_SCREENSHOT_SETS.get(platform, ()):
        if rule.only_with_ipad and not supports_ipad:
            continue
        if display_types & set(rule.any_of):
            continue
        valid = "add a folder " + " or ".join(f"{locale}/{name}/" for name in rule.any_of)
        message = f"{rule.why}; none for {locale}"
        problems.append(
            Problem(where, None, f"screenshots[{locale}]", message, valid, rule.severity)
        )
    return problems


# ---------------------------------------------------------------- previews


@dataclass(frozen=True)
class VideoInfo:
    """What the MP4/QuickTime box headers say; None where a box was absent."""

    brand: str | None
    duration_seconds: float | None
    width: int | None
    height: int | None


# QuickTime files from before ISO-BMFF may start with any of these atoms instead of ftyp.
_QUICKTIME_FIRST_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_CONTAINERS = {b"moov", b"trak"}
_MAX_BOXES = 10_000


def video_info(path: Path) -> VideoInfo:
    """Parse box headers only (moov/mvhd, trak/tkhd), seeking past media data."""
    size = _file_size(path)
    if size == 0:
        raise UnreadableMedia("file is empty (0 bytes)")
    _refuse_lfs_pointer(path)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise UnreadableMedia(f"cannot be read ({exc.strerror or exc})") from None
    with stream:
        first = stream.read(12)
        if len(first) < 8 or (first[4:8] != b"ftyp" and first[4:8] not in _QUICKTIME_FIRST_ATOMS):
            raise UnreadableMedia(
                "not an MP4/QuickTime file (no ftyp or QuickTime atom at the start)"
            )
        brand = first[8:12].decode("latin-1").strip() if first[4:8] == b"ftyp" else "qt"
        found: dict[str, object] = {}
        try:
            _walk_boxes(stream, 0, size, found, depth=0)
        except (struct.error, IndexError):
            raise UnreadableMedia("a box header is cut short (truncated or damaged file)") from None
    dimensions = found.get("video_size")
    width, height = dimensions if isinstance(dimensions, tuple) else (None, None)
    duration = found.get("duration")
    return VideoInfo(brand, duration if isinstance(duration, float) else None, width, height)


def _walk_boxes(
    stream: BinaryIO, start: int, end: int, found: dict[str, object], depth: int
) -> None:
    position, count = start, 0
    while position + 8 <= end:
        count += 1
        if count > _MAX_BOXES or depth > 8:
            raise UnreadableMedia("too many boxes; the file looks damaged")
        stream.seek(position)
        box_size, kind = struct.unpack(">I4s", stream.read(8))
        header = 8
        if box_size == 1:
            box_size = struct.unpack(">Q", stream.read(8))[0]
            header = 16
        elif box_size == 0:
            box_size = end - position
        if box_size < header or position + box_size > end:
            raise UnreadableMedia(
                f"box {kind.decode('latin-1')!r} overruns its container (truncated or damaged file)"
            )
        body = position + header
        if kind in _CONTAINERS:
            _walk_boxes(stream, body, position + box_size, found, depth + 1)
        elif kind == b"mvhd":
            found["duration"] = _read_mvhd(stream, body)
        elif kind == b"tkhd" and "video_size" not in found:
            video = _read_tkhd_size(stream, body)
            if video is not None:
                found["video_size"] = video
        position += box_size


def _read_mvhd(stream: BinaryIO, body: int) -> float | None:
    stream.seek(body)
    version = stream.read(4)[0]
    if version == 1:
        _, _, timescale, duration = struct.unpack(">QQIQ", stream.read(28))
    else:
        _, _, timescale, duration = struct.unpack(">IIII", stream.read(16))
    return duration / timescale if timescale else None


def _read_tkhd_size(stream: BinaryIO, body: int) -> Size | None:
    """Display width × height of a video track; None for audio tracks (size 0×0)."""
    stream.seek(body)
    version = stream.read(4)[0]
    stream.seek(body + 4 + (32 if version == 1 else 20) + 8 + 8)  # times, ids; reserved; layer…
    matrix = struct.unpack(">9i", stream.read(36))
    width, height = (value >> 16 for value in struct.unpack(">II", stream.read(8)))
    if not width or not height:
        return None
    if matrix[0] == 0 and matrix[4] == 0:  # rotated by 90° or 270°: shown the other way round
        width, height = height, width
    return (width, height)


def check_preview_set(preview_type: str, files: list[Path], *, where: Path) -> list[Problem]:
    """All problems of one app preview set; ``where`` is the set folder."""
    set_field = f"previews[{preview_type}]"
    problems: list[Problem] = []
    spec = PREVIEW_TYPES.get(preview_type)
    if spec is None:
        hint = _did_you_mean(preview_type, {}, list(PREVIEW_TYPES))
        problems.append(Problem(where, None, set_field, "unknown preview type", hint))
    elif not spec.supported:
        message = f"{preview_type} previews are no longer accepted by App Store Connect"
        problems.append(Problem(where, None, set_field, message, "remove this set"))
    problems += _check_count(len(files), 0, MAX_PREVIEWS_PER_SET, "previews", where, set_field)
    for path in files:
        problems += _check_name(path, f"{set_field}[{path.name}]")
        problems += _check_preview(path, spec, preview_type, f"{set_field}[{path.name}]")
    return problems


def _check_preview(
    path: Path, spec: PreviewSpec | None, preview_type: str, field: str
) -> list[Problem]:
    if path.suffix.lower() not in PREVIEW_EXTENSIONS:
        valid = "accepted: " + ", ".join(PREVIEW_EXTENSIONS)
        return [
            Problem(
                path, None, field, f"extension {path.suffix or '(none)'!r} is not accepted", valid
            )
        ]
    problems = []
    size = path.stat().st_size
    if size > MAX_PREVIEW_BYTES:
        message = f"file is {size / 1e6:.0f} MB"
        problems.append(Problem(path, None, field, message, "at most 500 MB"))
    try:
        info = video_info(path)
    except UnreadableMedia as exc:
        valid = exc.valid or "an H.264 or ProRes .mov/.mp4/.m4v"
        return problems + [Problem(path, None, field, str(exc), valid)]
    if info.duration_seconds is None:
        message = "no movie header (moov/mvhd) found, so duration and size were not checked"
        valid = "export a complete movie"
        problems.append(Problem(path, None, field, message, valid, Severity.WARNING))
    problems += _check_duration(path, info.duration_seconds, field)
    if spec is not None and spec.resolutions and info.width and info.height:
        problems += _check_resolution(path, (info.width, info.height), spec, preview_type, field)
    return problems


def _check_duration(path: Path, seconds: float | None, field: str) -> list[Problem]:
    if seconds is None:
        return []
    if MIN_PREVIEW_SECONDS <= seconds <= MAX_PREVIEW_SECONDS:
        return []
    message = f"preview is {seconds:.1f} s long"
    valid = f"{MIN_PREVIEW_SECONDS:.0f} to {MAX_PREVIEW_SECONDS:.0f} s"
    return [Problem(path, None, field, message, valid)]


def _check_resolution(
    path: Path, size: Size, spec: PreviewSpec, preview_type: str, field: str
) -> list[Problem]:
    if size in spec.accepted():
        return []
    width, height = size
    valid = _accepted_hint(spec.resolutions, spec.orientation)
    if (height, width) in spec.accepted():
        message = f"{width}×{height} is the wrong orientation for {preview_type}"
    else:
        message = f"{width}×{height} is not accepted for {preview_type}"
    return [Problem(path, None, field, message, valid)]
