"""``pull`` tells the truth: what it could not pull fails the command, and a pull that
fails leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.trust.conftest import Seed, run


def test_screenshots_that_cannot_be_downloaded_fail_the_pull(seed: Seed, tmp_path: Path) -> None:
    """A screenshot seeded by checksum only is served as a generated image whose MD5 is
    not the checksum: pull must not keep it, and must not exit 0 as if all was pulled."""
    shots = seed["apps"][0]["versions"][1]["localizations"]["en-US"]["screenshots"]
    shots["APP_IPHONE_67"][0]["checksum"] = "0" * 32
    target = tmp_path / "adopted"
    with Sandbox(seed=seed) as sandbox:
        pulled = run(sandbox, "pull", str(target), "--app", "com.example.demo")
    assert pulled.exit_code == 1, pulled.output
    assert "Not pulled (failed):" in pulled.output
    assert "01-home.png: downloaded file's MD5 differs" in pulled.output
    assert "1 file(s) were not pulled" in pulled.output
    assert (target / "apps/demo/app.yml").is_file()  # what could be pulled is there


def test_a_failed_pull_leaves_no_folder_behind(seed: Seed, tmp_path: Path) -> None:
    target = tmp_path / "never"
    with Sandbox(seed=seed) as sandbox:
        pulled = run(sandbox, "pull", str(target), "--app", "com.example.nope", "--sandbox")
    assert pulled.exit_code == 1
    assert "no app with bundle id com.example.nope" in pulled.output
    assert not target.exists()


def test_a_failed_pull_into_an_existing_folder_leaves_no_cache(seed: Seed, tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("kept\n")
    with Sandbox(seed=seed) as sandbox:
        pulled = run(sandbox, "pull", str(target), "--app", "com.example.nope", "--sandbox")
    assert pulled.exit_code == 1
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
