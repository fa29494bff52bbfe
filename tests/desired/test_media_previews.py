"""App preview checks, on MP4/QuickTime files crafted box by box (no real video needed)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from ascsync.desired.media import check_preview_set, list_media, video_info

IDENTITY = (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
ROTATED_90 = (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mvhd(seconds: float, timescale: int = 600, version: int = 0) -> bytes:
    duration = round(seconds * timescale)
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    return box(b"mvhd", bytes([version, 0, 0, 0]) + times + bytes(80))


def tkhd(width: int, height: int, matrix=IDENTITY) -> bytes:
    head = bytes(4) + struct.pack(">IIIII", 0, 0, 1, 0, 0) + bytes(8) + bytes(8)
    size = struct.pack(">II", width << 16, height << 16)
    return box(b"tkhd", head + struct.pack(">9i", *matrix) + size)


def movie(
    seconds: float = 20,
    size: tuple[int, int] = (886, 1920),
    *,
    brand: bytes = b"isom",
    matrix=IDENTITY,
    mvhd_version: int = 0,
    media_bytes: int = 4096,
) -> bytes:
    """ftyp + mdat (before moov, as many encoders write it) + moov with audio and video tracks."""
    ftyp = box(b"ftyp", brand + bytes(4) + brand)
    audio = box(b"trak", tkhd(0, 0))
    video = box(b"trak", tkhd(*size, matrix=matrix) + box(b"mdia", bytes(32)))
    moov = box(b"moov", mvhd(seconds, version=mvhd_version) + audio + video)
    return ftyp + box(b"mdat", bytes(media_bytes)) + moov


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def check(folder: Path, preview_type: str = "IPHONE_67") -> list[str]:
    problems = check_preview_set(preview_type, list_media(folder), where=folder)
    return [problem.format(folder) for problem in problems]


def test_good_previews_give_no_problems(tmp_path):
    write(tmp_path, "1.mp4", movie())
    write(tmp_path, "2.mov", movie(30, (1920, 886), brand=b"qt  "))
    write(tmp_path, "3.m4v", movie(15, mvhd_version=1))
    assert check(tmp_path) == []


def test_video_info_reads_duration_and_display_size(tmp_path):
    info = video_info(write(tmp_path, "a.mp4", movie(17.5, (1920, 886), matrix=ROTATED_90)))
    assert (info.brand, info.duration_seconds, info.width, info.height) == ("isom", 17.5, 886, 1920)


def test_four_previews_in_a_set(tmp_path):
    folder = tmp_path / "IPHONE_67"
    for index in range(4):
        write(folder, f"{index}.mp4", movie())
    problems = check_preview_set("IPHONE_67", list_media(folder), where=folder)
    assert [p.format(tmp_path) for p in problems] == [
        "IPHONE_67: previews[IPHONE_67]: 4 previews in this set (at most 3 files)"
    ]


def test_wrong_extension(tmp_path):
    write(tmp_path, "trailer.avi", movie())
    assert check(tmp_path) == [
        "trailer.avi: previews[IPHONE_67][trailer.avi]: extension '.avi' is not accepted"
        " (accepted: .mov, .m4v, .mp4)"
    ]


def test_not_a_video_container(tmp_path):
    write(tmp_path, "trailer.mp4", b"GIF89a not a movie at all")
    assert check(tmp_path) == [
        "trailer.mp4: previews[IPHONE_67][trailer.mp4]: not an MP4/QuickTime file (no ftyp or"
        " QuickTime atom at the start) (an H.264 or ProRes .mov/.mp4/.m4v)"
    ]


@pytest.mark.parametrize(("seconds", "shown"), [(40, "40.0"), (9.5, "9.5")])
def test_duration_outside_15_to_30_seconds(tmp_path, seconds, shown):
    write(tmp_path, "p.mp4", movie(seconds))
    assert check(tmp_path) == [
        f"p.mp4: previews[IPHONE_67][p.mp4]: preview is {shown} s long (15 to 30 s)"
    ]


def test_resolution_of_another_device(tmp_path):
    write(tmp_path, "p.mov", movie(size=(1080, 1920), brand=b"qt  "))
    assert check(tmp_path) == [
        "p.mov: previews[IPHONE_67][p.mov]: 1080×1920 is not accepted for IPHONE_67"
        " (accepted: 886×1920, or landscape)"
    ]


def test_portrait_preview_for_apple_tv(tmp_path):
    write(tmp_path, "tv.mov", movie(size=(1080, 1920)))
    assert check(tmp_path, "APPLE_TV") == [
        "tv.mov: previews[APPLE_TV][tv.mov]: 1080×1920 is the wrong orientation for APPLE_TV"
        " (accepted, landscape only: 1920×1080)"
    ]


def test_truncated_movie(tmp_path):
    data = movie()
    write(tmp_path, "cut.mp4", data[: len(data) - 50])
    assert check(tmp_path) == [
        "cut.mp4: previews[IPHONE_67][cut.mp4]: box 'moov' overruns its container (truncated or"
        " damaged file) (an H.264 or ProRes .mov/.mp4/.m4v)"
    ]


def test_zero_byte_preview(tmp_path):
    write(tmp_path, "p.mp4", b"")
    assert check(tmp_path) == [
        "p.mp4: previews[IPHONE_67][p.mp4]: file is empty (0 bytes)"
        " (an H.264 or ProRes .mov/.mp4/.m4v)"
    ]


def test_larger_than_500_mb(tmp_path):
    # A sparse file: its size is real to the file system while the disk holds almost nothing.
    # The 64-bit mdat header makes the box walk seek past 500 MB of media without reading it.
    size = 501_000_000
    ftyp = box(b"ftyp", b"isom" + bytes(4) + b"isom")
    moov = box(b"moov", mvhd(20) + box(b"trak", tkhd(886, 1920)))
    mdat_size = size - len(ftyp) - len(moov)
    path = write(tmp_path, "huge.mp4", ftyp + struct.pack(">I4sQ", 1, b"mdat", mdat_size))
    with path.open("r+b") as stream:
        stream.seek(len(ftyp) + mdat_size)
        stream.write(moov)
    assert check(tmp_path) == [
        "huge.mp4: previews[IPHONE_67][huge.mp4]: file is 501 MB (at most 500 MB)"
    ]


def test_movie_without_a_header_only_warns(tmp_path):
    write(tmp_path, "p.mp4", box(b"ftyp", b"isom" + bytes(8)) + box(b"mdat", bytes(64)))
    problems = check_preview_set("IPHONE_67", list_media(tmp_path), where=tmp_path)
    assert [(p.severity.value, p.format(tmp_path)) for p in problems] == [
        (
            "warning",
            "p.mp4: previews[IPHONE_67][p.mp4]: no movie header (moov/mvhd) found, so duration"
            " and size were not checked (export a complete movie)",
        )
    ]


def test_unknown_and_retired_preview_types(tmp_path):
    write(tmp_path, "p.mp4", movie())
    unknown = check_preview_set("IPHONE_69", list_media(tmp_path), where=tmp_path)
    assert [(p.message, p.valid) for p in unknown] == [
        ("unknown preview type", "did you mean IPHONE_67 or IPHONE_65 or IPHONE_61?")
    ]
    retired = check_preview_set("IPHONE_35", list_media(tmp_path), where=tmp_path)
    assert [(p.message, p.valid) for p in retired] == [
        ("IPHONE_35 previews are no longer accepted by App Store Connect", "remove this set")
    ]
