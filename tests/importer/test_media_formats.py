"""`ascsync validate` names what a misnamed or missing image really is (issue 13)."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from ascsync.cli import cli
from tests.desired.minirepo import make_repo
from tests.importer.corpus import IPHONE_69, LFS_POINTER

SET = "apps/demo/screenshots/en-US/APP_IPHONE_67"


def jpeg(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (18, 92, 140)).save(buffer, "JPEG")
    return buffer.getvalue()


def validate(root: Path) -> str:
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 1, result.output
    return result.output


def test_jpeg_data_named_png_is_named_as_jpeg(tmp_path: Path):
    root = make_repo(tmp_path, {f"{SET}/02.png": jpeg(IPHONE_69)})
    out = validate(root)
    assert (
        f"{SET}/02.png: screenshots[APP_IPHONE_67][02.png]: file is a JPEG but named .png"
        " (rename it to 02.jpg or re-export as PNG)" in out
    )
    assert sum("02.png" in line for line in out.splitlines()) == 1  # one problem, no noise


def test_git_lfs_pointer_is_named_with_what_to_do(tmp_path: Path):
    root = make_repo(
        tmp_path,
        {f"{SET}/02.png": LFS_POINTER, "apps/demo/previews/en-US/IPHONE_67/tour.mp4": LFS_POINTER},
    )
    out = validate(root)
    assert (
        f"{SET}/02.png: screenshots[APP_IPHONE_67][02.png]: a Git LFS pointer file, not the media"
        " itself (run `git lfs pull` to download the real file)" in out
    )
    assert (
        "previews/en-US/IPHONE_67/tour.mp4: previews[IPHONE_67][tour.mp4]: a Git LFS pointer"
        " file, not the media itself (run `git lfs pull` to download the real file)" in out
    )
    assert "cannot identify" not in out and "not a readable image" not in out
