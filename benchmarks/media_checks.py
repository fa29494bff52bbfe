"""How long the offline screenshot and preview checks take, against a full pixel decode.

Target: checking 2,000 real-size screenshots (200 sets of 10) stays under 2 s, because
``validate`` reads headers only; a full decode of the same files is shown for scale.
Run by hand: ``python benchmarks/media_checks.py [--sets 200]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import tempfile
import time
from pathlib import Path

from PIL import Image

from ascsync.desired.media import check_preview_set, check_screenshot_set, list_media


def make_screenshot(path: Path) -> None:
    """A 1290×2796 RGB PNG with noisy content, so its size (~10 MB) is like a real one."""
    noise = Image.frombytes("RGB", (1290, 2796), os.urandom(1290 * 2796 * 3))
    noise.save(path, compress_level=1)


def make_sets(root: Path, sets: int) -> list[Path]:
    template = root / "template.png"
    make_screenshot(template)
    folders = []
    for index in range(sets):
        folder = root / f"{index:03}" / "APP_IPHONE_67"
        folder.mkdir(parents=True)
        for shot in range(10):
            os.link(template, folder / f"{shot:02}.png")  # hard links: no disk cost
        folders.append(folder)
    return folders


def make_preview(path: Path, size: int) -> None:
    """ftyp, a huge sparse mdat, then moov at the end, as many encoders write it."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    ftyp = box(b"ftyp", b"isom" + bytes(4) + b"isom")
    mvhd = box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 600, 600 * 20) + bytes(80))
    moov = box(b"moov", mvhd)
    mdat_size = size - len(ftyp) - len(moov)
    with path.open("wb") as stream:
        stream.write(ftyp + struct.pack(">I4sQ", 1, b"mdat", mdat_size))
        stream.seek(len(ftyp) + mdat_size)
        stream.write(moov)


def timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.3f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", type=int, default=200)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ascsync-bench-"))
    try:
        folders = make_sets(root, args.sets)
        count = 10 * len(folders)

        def check_all() -> None:
            for folder in folders:
                assert not check_screenshot_set("APP_IPHONE_67", list_media(folder), where=folder)

        def decode_some() -> None:
            for path in list_media(folders[0]):
                with Image.open(path) as image:
                    image.load()

        elapsed = timed(f"header checks, {count} screenshots", check_all)
        decode = timed("full decode, 10 screenshots (for scale)", decode_some)
        print(
            f"per screenshot: header {elapsed / count * 1000:.2f} ms, decode {decode * 100:.0f} ms"
        )
        preview = root / "preview.mp4"
        make_preview(preview, 450 * 1000 * 1000)
        timed(
            "preview box walk, 450 MB sparse file",
            lambda: check_preview_set("IPHONE_67", [preview], where=root),
        )
        print("target: 2,000 screenshots under 2 s:", "met" if elapsed < 2 else "MISSED")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
