"""Screenshot checks: each kind of bad image gives its own exact, located message."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from ascsync.desired.media import (
    check_required_screenshot_sets,
    check_screenshot_set,
    image_info,
    list_media,
    md5_file,
)
from ascsync.problems import Severity

IPHONE_67 = (1290, 2796)


def save(folder: Path, name: str, size=IPHONE_67, mode="RGB", fmt=None, **options) -> Path:
    """Write a flat-colour image; flat colours keep even full-size PNGs fast to encode."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    colour = {"RGB": (30, 60, 90), "RGBA": (30, 60, 90, 128), "LA": (90, 128)}.get(mode, 90)
    if mode == "CMYK":
        colour = (10, 20, 30, 0)
    Image.new(mode, size, colour).save(path, format=fmt, **options)
    return path


def lines(problems, root: Path) -> list[str]:
    return [problem.format(root) for problem in problems]


def check(folder: Path, display_type: str = "APP_IPHONE_67") -> list[str]:
    return lines(check_screenshot_set(display_type, list_media(folder), where=folder), folder)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def crafted_png(path: Path, width: int, height: int) -> Path:
    """A structurally valid PNG whose header claims any size, without allocating pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    body = png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def test_accepted_portrait_and_landscape_images_give_no_problems(tmp_path):
    save(tmp_path, "01.png")
    save(tmp_path, "02.jpg", size=(2868, 1320), fmt="JPEG")
    assert check(tmp_path) == []


def test_size_of_another_display_type_lists_accepted_sizes_and_the_right_type(tmp_path):
    save(tmp_path, "02-detail.png", size=(1284, 2778))
    assert check(tmp_path) == [
        "02-detail.png: screenshots[APP_IPHONE_67][02-detail.png]: 1284×2778 is not accepted"
        " for APP_IPHONE_67 (accepted: 1260×2736, 1290×2796, 1320×2868, or landscape;"
        " 1284×2778 fits APP_IPHONE_65)"
    ]


def test_size_of_no_display_type(tmp_path):
    save(tmp_path, "a.png", size=(1000, 2000))
    assert check(tmp_path, "APP_IPHONE_65") == [
        "a.png: screenshots[APP_IPHONE_65][a.png]: 1000×2000 is not accepted for APP_IPHONE_65"
        " (accepted: 1242×2688, 1284×2778, or landscape)"
    ]


def test_portrait_image_in_a_landscape_only_type(tmp_path):
    save(tmp_path, "tv.png", size=(1080, 1920))
    assert check(tmp_path, "APP_APPLE_TV") == [
        "tv.png: screenshots[APP_APPLE_TV][tv.png]: 1080×1920 is the wrong orientation for"
        " APP_APPLE_TV (accepted, landscape only: 1920×1080, 3840×2160)"
    ]


def test_legacy_size_is_a_warning_not_an_error(tmp_path):
    save(tmp_path, "old.png", size=(640, 1096))
    problems = check_screenshot_set("APP_IPHONE_40", [tmp_path / "old.png"], where=tmp_path)
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert lines(problems, tmp_path) == [
        "old.png: screenshots[APP_IPHONE_40][old.png]: 640×1096 is a legacy size for"
        " APP_IPHONE_40 and may be rejected (current: 640×1136)"
    ]


@pytest.mark.parametrize(
    ("mode", "options", "expected"),
    [
        ("RGBA", {}, "image has alpha channel (mode RGBA)"),
        ("LA", {}, "image has alpha channel (mode LA)"),
        ("P", {"transparency": 0}, "image has transparency"),
        ("RGB", {"transparency": (30, 60, 90)}, "image has transparency"),
    ],
)
def test_alpha_and_transparency_are_errors(tmp_path, mode, options, expected):
    save(tmp_path, "shot.png", mode=mode, **options)
    assert check(tmp_path) == [
        f"shot.png: screenshots[APP_IPHONE_67][shot.png]: {expected}"
        " (save as RGB without alpha, e.g. flatten onto a background)"
    ]


def test_grayscale_png_is_not_rgb(tmp_path):
    save(tmp_path, "gray.png", mode="L")
    assert check(tmp_path) == [
        "gray.png: screenshots[APP_IPHONE_67][gray.png]: image colour space is grayscale,"
        " not RGB (save as RGB)"
    ]


def test_cmyk_jpeg_is_not_rgb(tmp_path):
    save(tmp_path, "print.jpg", mode="CMYK", fmt="JPEG")
    assert check(tmp_path) == [
        "print.jpg: screenshots[APP_IPHONE_67][print.jpg]: image colour space is CMYK,"
        " not RGB (save as RGB)"
    ]


def test_palette_png_without_transparency_only_warns(tmp_path):
    save(tmp_path, "indexed.png", mode="P")
    problems = check_screenshot_set("APP_IPHONE_67", list_media(tmp_path), where=tmp_path)
    assert [(p.severity, p.message) for p in problems] == [
        (Severity.WARNING, "image is palette-based (indexed colour) and may be rejected")
    ]


def test_jpeg_named_png(tmp_path):
    save(tmp_path, "01-home.png", fmt="JPEG")
    assert check(tmp_path) == [
        "01-home.png: screenshots[APP_IPHONE_67][01-home.png]: file is a JPEG but named .png"
        " (rename it to 01-home.jpg or re-export as PNG)"
    ]


def test_png_named_jpeg(tmp_path):
    save(tmp_path, "01.jpeg", fmt="PNG")
    assert check(tmp_path) == [
        "01.jpeg: screenshots[APP_IPHONE_67][01.jpeg]: file is a PNG but named .jpeg"
        " (rename it to 01.png or re-export as JPEG)"
    ]


def test_other_image_format_named_png(tmp_path):
    save(tmp_path, "shot.png", fmt="WEBP")
    assert check(tmp_path) == [
        "shot.png: screenshots[APP_IPHONE_67][shot.png]: file is a WEBP image but named .png"
        " (re-export as PNG)"
    ]


def test_truncated_png(tmp_path):
    path = save(tmp_path, "cut.png")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert check(tmp_path) == [
        "cut.png: screenshots[APP_IPHONE_67][cut.png]: PNG data ends early, the file is"
        " truncated (re-export it)"
    ]


def test_bytes_after_the_png_end_are_not_mistaken_for_truncation(tmp_path):
    path = save(tmp_path, "padded.png")
    path.write_bytes(path.read_bytes() + b"\0" * 100)
    assert check(tmp_path) == []


def test_truncated_jpeg(tmp_path):
    path = save(tmp_path, "cut.jpg", fmt="JPEG")
    path.write_bytes(path.read_bytes()[:-2000])
    assert check(tmp_path) == [
        "cut.jpg: screenshots[APP_IPHONE_67][cut.jpg]: JPEG data ends early, the file is"
        " truncated (re-export it)"
    ]


def test_png_cut_inside_its_header(tmp_path):
    path = save(tmp_path, "stub.png")
    path.write_bytes(path.read_bytes()[:20])
    [line] = check(tmp_path)
    assert line.startswith("stub.png: screenshots[APP_IPHONE_67][stub.png]: not a readable image: ")
    assert line.endswith(" (a PNG or JPEG image)")


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    assert check(tmp_path) == [
        "empty.png: screenshots[APP_IPHONE_67][empty.png]: file is empty (0 bytes)"
        " (a PNG or JPEG image)"
    ]


def test_file_that_is_not_an_image(tmp_path):
    (tmp_path / "notes.png").write_text("just some text, not pixels\n")
    assert check(tmp_path) == [
        "notes.png: screenshots[APP_IPHONE_67][notes.png]: not a readable image:"
        " cannot identify image file (a PNG or JPEG image)"
    ]


def test_unaccepted_extension(tmp_path):
    save(tmp_path, "anim.gif", fmt="GIF", mode="P")
    assert check(tmp_path) == [
        "anim.gif: screenshots[APP_IPHONE_67][anim.gif]: extension '.gif' is not accepted"
        " (accepted: .png, .jpg, .jpeg)"
    ]


@pytest.mark.parametrize(("width", "height"), [(8000, 8000), (100_000, 100_000)])
def test_decompression_bomb_is_refused_from_the_header(tmp_path, width, height):
    crafted_png(tmp_path / "bomb.png", width, height)
    assert check(tmp_path) == [
        f"bomb.png: screenshots[APP_IPHONE_67][bomb.png]: header claims {width}×{height} pixels;"
        " not read (decompression-bomb guard, limit 40 megapixels) (a PNG or JPEG image)"
    ]


def test_eleven_files_in_a_set(tmp_path):
    folder = tmp_path / "APP_IPHONE_67"
    folder.mkdir()
    for index in range(11):
        crafted_png(folder / f"{index:02}.png", *IPHONE_67)  # header-only checks: cheap files
    problems = check_screenshot_set("APP_IPHONE_67", list_media(folder), where=folder)
    assert lines(problems, tmp_path) == [
        "APP_IPHONE_67: screenshots[APP_IPHONE_67]: 11 screenshots in this set (1 to 10 files)"
    ]


def test_empty_set(tmp_path):
    problems = check_screenshot_set("APP_IPHONE_67", [], where=tmp_path / "APP_IPHONE_67")
    assert [p.format() for p in problems] == [
        f"{tmp_path / 'APP_IPHONE_67'}: screenshots[APP_IPHONE_67]: no screenshots in this set"
        " (1 to 10 files)"
    ]


@pytest.mark.parametrize(
    ("folder", "hint"),
    [
        ("APP_IPHONE_69", "use APP_IPHONE_67"),
        ("APP_IPHONE_6", "did you mean APP_IPHONE_67 or APP_IPHONE_65 or APP_IPHONE_61?"),
        ("app_ipad_105", "did you mean APP_IPAD_105?"),
        ("PHONE", "see `ascsync schema` for the list"),
    ],
)
def test_unknown_display_type_suggests_a_known_one(tmp_path, folder, hint):
    save(tmp_path, "01.png")
    problems = check_screenshot_set(folder, list_media(tmp_path), where=tmp_path)
    assert [(p.file, p.field, p.message, p.valid) for p in problems] == [
        (tmp_path, f"screenshots[{folder}]", "unknown screenshot display type", hint)
    ]


def test_every_bad_file_in_a_set_is_reported_in_one_run(tmp_path):
    save(tmp_path, "1.png", size=(100, 100))
    save(tmp_path, "2.png", mode="RGBA")
    (tmp_path / "3.png").write_bytes(b"")
    save(tmp_path, "10.png")
    assert [line.split(":")[0] for line in check(tmp_path)] == ["1.png", "2.png", "3.png"]


def test_list_media_sorts_naturally_and_skips_hidden_files(tmp_path):
    for name in ["10-end.png", "2-b.png", "01-a.png", ".DS_Store", "Thumbs.db", "B.png", "a.png"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    assert [p.name for p in list_media(tmp_path)] == [
        "01-a.png",
        "2-b.png",
        "10-end.png",
        "a.png",
        "B.png",
    ]


def test_md5_matches_the_whole_file(tmp_path):
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * 20_000  # several read chunks
    path.write_bytes(data)
    assert md5_file(path) == hashlib.md5(data).hexdigest()


def test_image_info_reads_the_header(tmp_path):
    path = save(tmp_path, "x.png", size=(2048, 2732), mode="RGBA")
    info = image_info(path)
    assert (info.width, info.height, info.format, info.mode, info.has_alpha) == (
        2048,
        2732,
        "PNG",
        "RGBA",
        True,
    )


def test_image_info_does_not_decode_pixel_data(tmp_path):
    # Header and chunk structure are intact but the pixel stream is far too short for the
    # size claimed: decoding would fail, reading headers only does not.
    info = image_info(crafted_png(tmp_path / "x.png", 1290, 2796))
    assert (info.width, info.height, info.truncated) == (1290, 2796, False)


class TestRequiredSets:
    def run(self, tmp_path, platform, ipad, types):
        problems = check_required_screenshot_sets(
            platform, ipad, set(types), where=tmp_path, locale="de-DE"
        )
        return [(p.severity, p.format(tmp_path.parent)) for p in problems]

    def test_iphone_app_with_a_65_set_is_complete(self, tmp_path):
        assert self.run(tmp_path, "IOS", False, ["APP_IPHONE_65", "APP_IPHONE_55"]) == []

    def test_missing_iphone_and_ipad_sets(self, tmp_path):
        assert self.run(tmp_path, "IOS", True, ["APP_IPHONE_55", "APP_IPAD_PRO_129"]) == [
            (
                Severity.ERROR,
                f'{tmp_path.name}: screenshots[de-DE]: a 6.9" (APP_IPHONE_67) or 6.5"'
                " (APP_IPHONE_65) iPhone set is required; none for de-DE"
                " (add a folder de-DE/APP_IPHONE_67/ or de-DE/APP_IPHONE_65/)",
            ),
            (
                Severity.ERROR,
                f'{tmp_path.name}: screenshots[de-DE]: a 13" iPad set (APP_IPAD_PRO_3GEN_129)'
                " is required when the app runs on iPad; none for de-DE"
                " (add a folder de-DE/APP_IPAD_PRO_3GEN_129/)",
            ),
        ]

    def test_ipad_set_not_required_without_ipad_support(self, tmp_path):
        assert self.run(tmp_path, "IOS", False, ["APP_IPHONE_67"]) == []

    def test_other_platforms_only_warn(self, tmp_path):
        result = self.run(tmp_path, "TV_OS", False, [])
        assert [severity for severity, _ in result] == [Severity.WARNING]
        assert "APP_APPLE_TV" in result[0][1]


def test_example_repo_screenshots_are_all_accepted():
    root = Path(__file__).resolve().parents[2] / "example-repo/apps/moviecatalog/screenshots"
    sets = [folder for locale in root.iterdir() for folder in locale.iterdir()]
    assert len(sets) == 8
    for folder in sets:
        assert check_screenshot_set(folder.name, list_media(folder), where=folder) == []
