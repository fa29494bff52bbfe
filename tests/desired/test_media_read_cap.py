"""Validating a screenshot reads its header, never gigabytes: a PNG whose private chunk
claims 2 GB before the image data is refused after at most 16 MB, naming the chunk.

The file is sparse (the 2 GB cost no disk); before the cap, Pillow read the whole chunk
into memory (4.2 GB peak). tracemalloc sees every bytes object Pillow allocates.
"""

from __future__ import annotations

import struct
import tracemalloc
import zlib
from pathlib import Path

from ascsync.desired.media import MAX_HEADER_BYTES, check_screenshot_set
from tests.desired.minirepo import IPHONE_PNG

TWO_GB = 2**31 - 1


def chunk(kind: bytes, data: bytes, claimed: int | None = None) -> bytes:
    length = len(data) if claimed is None else claimed
    return struct.pack(">I", length) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_huge_chunk(path: Path) -> None:
    """A real 1290×2796 header, then a 'prVt' chunk claiming 2 GB, as a sparse file."""
    original = IPHONE_PNG.read_bytes()
    ihdr_end = 8 + 25  # signature + IHDR chunk
    head = original[:ihdr_end] + struct.pack(">I", TWO_GB) + b"prVt"
    with path.open("wb") as stream:
        stream.write(head)
        stream.seek(len(head) + TWO_GB + 4)  # chunk data and CRC: a hole, no disk used
        stream.write(original[ihdr_end:])


def test_a_2gb_png_chunk_is_refused_without_reading_it(tmp_path: Path):
    folder = tmp_path / "APP_IPHONE_67"
    folder.mkdir()
    shot = folder / "01.png"
    png_with_huge_chunk(shot)

    tracemalloc.start()
    try:
        problems = check_screenshot_set("APP_IPHONE_67", [shot], where=folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    [problem] = problems
    assert problem.message == (
        "PNG chunk 'prVt' claims 2,147,483,647 bytes before the image data; "
        "not read (memory guard, limit 16 MB)"
    )
    assert peak < 2 * MAX_HEADER_BYTES + 8 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


def test_images_with_ordinary_metadata_still_read(tmp_path: Path):
    folder = tmp_path / "APP_IPHONE_67"
    folder.mkdir()
    original = IPHONE_PNG.read_bytes()
    # A 1 MB text chunk (a long XMP packet, say) before the image data is fine.
    text = chunk(b"tEXt", b"Comment\x00" + b"x" * 1_000_000)
    (folder / "01.png").write_bytes(original[:33] + text + original[33:])
    assert check_screenshot_set("APP_IPHONE_67", [folder / "01.png"], where=folder) == []
