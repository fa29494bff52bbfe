"""Whatever bytes a media file holds, the checks answer with problems, never a traceback."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ascsync.desired.media import check_preview_set, check_screenshot_set

PNG_START = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
JPEG_START = b"\xff\xd8\xff\xe0"
MP4_START = struct.pack(">I", 16) + b"ftypisom" + bytes(4)

fuzz = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def ihdr_png(width: int, height: int, mode_bytes: bytes, tail: bytes) -> bytes:
    """A PNG whose header fields are arbitrary: sizes, bit depth, colour type."""
    data = struct.pack(">II", width, height) + mode_bytes
    chunk = struct.pack(">I", len(data)) + b"IHDR" + data
    return b"\x89PNG\r\n\x1a\n" + chunk + struct.pack(">I", zlib.crc32(b"IHDR" + data)) + tail


@fuzz
@given(
    prefix=st.sampled_from([b"", PNG_START, JPEG_START]),
    body=st.binary(max_size=400),
    suffix=st.sampled_from([".png", ".jpg", ".jpeg"]),
)
def test_random_image_bytes(tmp_path: Path, prefix: bytes, body: bytes, suffix: str):
    path = tmp_path / f"shot{suffix}"
    path.write_bytes(prefix + body)
    problems = check_screenshot_set("APP_IPHONE_67", [path], where=tmp_path)
    assert all(problem.file == path for problem in problems)


@fuzz
@given(
    width=st.integers(0, 2**32 - 1),
    height=st.integers(0, 2**32 - 1),
    mode_bytes=st.binary(min_size=5, max_size=5),
    tail=st.binary(max_size=64),
)
def test_arbitrary_png_headers(tmp_path: Path, width, height, mode_bytes, tail):
    path = tmp_path / "shot.png"
    path.write_bytes(ihdr_png(width, height, mode_bytes, tail))
    problems = check_screenshot_set("APP_IPHONE_67", [path], where=tmp_path)
    assert problems  # nothing here is a valid 6.9" screenshot


@fuzz
@given(prefix=st.sampled_from([b"", MP4_START]), body=st.binary(max_size=400))
def test_random_movie_bytes(tmp_path: Path, prefix: bytes, body: bytes):
    path = tmp_path / "preview.mp4"
    path.write_bytes(prefix + body)
    problems = check_preview_set("IPHONE_67", [path], where=tmp_path)
    assert all(problem.file == path for problem in problems)
