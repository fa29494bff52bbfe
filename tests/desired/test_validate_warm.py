"""A warm run skips media checks of unchanged sets, yet never hides a problem."""

from __future__ import annotations

import os
from pathlib import Path

from ascsync.desired import media
from ascsync.io.checksums import CleanSets
from ascsync.kinds.registry import validate_repo
from tests.desired.minirepo import IPHONE_PNG, make_repo

SHOTS = "apps/demo/screenshots/en-US/APP_IPHONE_67"


def count_checks(monkeypatch) -> list[str]:  # noqa: ANN001
    seen: list[str] = []
    real = media.check_screenshot_set

    def counting(display_type: str, files: list[Path], where: Path) -> list:
        seen.append(display_type)
        return real(display_type, files, where=where)

    monkeypatch.setattr(media, "check_screenshot_set", counting)
    return seen


def test_unchanged_clean_sets_are_not_checked_again_after_plan_saved_them(
    tmp_path: Path, monkeypatch
) -> None:
    root = make_repo(tmp_path, {})
    checked = count_checks(monkeypatch)
    assert validate_repo(root).problems == []
    CleanSets.for_repo(root).save()  # what plan does after reading
    CleanSets._by_root.clear()  # a new process: read back from .ascsync/
    assert validate_repo(root).problems == []
    assert len(checked) == 1


def test_a_changed_file_is_checked_again_and_its_problem_shown(tmp_path: Path, monkeypatch) -> None:
    root = make_repo(tmp_path, {})
    assert validate_repo(root).problems == []
    CleanSets.for_repo(root).save()
    data = IPHONE_PNG.read_bytes()
    shot = next((root / SHOTS).iterdir())
    shot.write_bytes(data[: len(data) // 2])  # truncated: same name, new size and time
    report = validate_repo(root)
    assert [p.file.name for p in report.errors] == [shot.name]
    # and it stays reported on every run until fixed
    assert [p.file.name for p in validate_repo(root).errors] == [shot.name]


def test_a_symlink_leaving_the_repo_inside_a_checked_folder_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {})
    assert validate_repo(root).problems == []
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(IPHONE_PNG.read_bytes())
    os.symlink(outside, root / SHOTS / "09.png")
    report = validate_repo(root)
    assert any("09.png" in p.message and "outside the repo" in p.message for p in report.errors)
