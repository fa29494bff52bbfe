"""Writes stay inside the repo: a symlink (dangling or not) never carries a write out.

``pull`` and ``drift --write`` write YAML into locale files; the checksum cache and the
built-in sandbox's state live in ``.ascsync/``. Each refuses a path that a symlink leads
outside the repo, names the link, and writes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ascsync.io import safe_write
from ascsync.io.repo_writer import RepoWriter
from ascsync.kinds.registry import FILES
from ascsync.sandbox import Sandbox
from tests.pull.conftest import APP, BUNDLE, converged_example, edit_live_text, invoke
from tests.pull.conftest import sandbox as sandbox  # noqa: F401  (the fixture)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".ascsync" not in p.parts
    }


def test_pull_refuses_a_dangling_locale_symlink_and_writes_nothing(
    sandbox: Sandbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    repo, outside = tmp_path / "adopted", tmp_path / "outside"
    outside.mkdir()
    locales = repo / APP / "locales"
    locales.mkdir(parents=True)
    os.symlink(outside / "planted.yml", locales / "de-DE.yml")  # dangling on purpose

    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)

    assert pulled.exit_code == 1, pulled.output
    assert (
        f"{APP}/locales/de-DE.yml: not written: it is a symlink leading outside the repo"
        in pulled.output
    )
    assert list(outside.iterdir()) == []
    assert _files(repo) == {}  # not even the files that were safe to write


def test_drift_write_refuses_a_locale_symlink_out_of_the_repo(
    sandbox: Sandbox,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = converged_example(sandbox, tmp_path, monkeypatch)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "profile").write_text("export PATH=/usr/bin\n")
    edit_live_text(sandbox)  # German texts changed in the web UI
    de = repo / APP / "locales" / "de-DE.yml"
    de.unlink()
    os.symlink(outside / "profile", de)
    before = _files(repo)

    written = invoke(sandbox, "drift", str(repo), "--write")

    # drift reads the repo first, and the loader already refuses the link.
    assert written.exit_code == 1
    assert "locales/de-DE.yml is a symlink leading outside the repo" in written.output
    assert (outside / "profile").read_text() == "export PATH=/usr/bin\n"
    assert _files(repo) == before


def test_the_repo_writer_refuses_links_out_before_writing_anything(tmp_path: Path) -> None:
    """What pull and drift --write share: nothing is written if any target leads out."""

    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "apps/demo/locales").mkdir(parents=True)
    (root / "apps/demo/texts").mkdir()
    outside.mkdir()
    os.symlink(outside / "it.yml", root / "apps/demo/locales/it.yml")  # dangling
    os.symlink(outside, root / "apps/demo/texts/de")  # a folder on the way

    writer = RepoWriter(root, FILES)
    with pytest.raises(safe_write.OutsideRepoError, match=r"it\.yml: not written: it is a"):
        writer.doc(root / "apps/demo/locales/it.yml")

    writer.text_files[root / "apps/demo/texts/en.md"] = "English\n"
    writer.text_files[root / "apps/demo/texts/de/description.md"] = "Deutsch\n"
    with pytest.raises(safe_write.OutsideRepoError) as refused:
        writer.save()
    assert str(refused.value).startswith(
        "apps/demo/texts/de/description.md: not written: apps/demo/texts/de is a symlink "
        f"leading outside the repo (to {outside}/description.md)"
    )
    assert not (root / "apps/demo/texts/en.md").exists()
    assert list(outside.iterdir()) == []


def test_a_dot_ascsync_symlink_cannot_move_the_checksum_cache(
    sandbox: Sandbox,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = converged_example(sandbox, tmp_path, monkeypatch)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / ".ascsync").mkdir(exist_ok=True)
    os.rename(repo / ".ascsync", tmp_path / "old-cache")
    os.symlink(elsewhere, repo / ".ascsync")

    plan = invoke(sandbox, "plan", str(repo))

    assert plan.exit_code == 1
    assert ".ascsync/checksums.json (the checksum cache): not written: .ascsync is a symlink" in (
        plan.output
    )
    assert list(elsewhere.iterdir()) == []


def test_a_dot_ascsync_symlink_cannot_move_the_sandbox_state(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ascsync.cli import cli
    from tests.plan.conftest import write_repo

    repo = write_repo(tmp_path / "repo")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, repo / ".ascsync")

    result = CliRunner().invoke(cli, ["--no-color", "plan", str(repo), "--sandbox"])

    assert result.exit_code == 1
    assert "(the sandbox state): not written: .ascsync is a symlink leading outside" in (
        result.output
    )
    assert list(elsewhere.iterdir()) == []


def test_a_symlink_inside_the_repo_is_followed_and_kept(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "en.yml").write_text("name: Old\n")
    os.symlink(root / "shared" / "en.yml", root / "en-GB.yml")
    safe_write.write_text(root, root / "en-GB.yml", "name: New\n")
    assert (root / "en-GB.yml").is_symlink()
    assert (root / "shared" / "en.yml").read_text() == "name: New\n"


def test_pull_does_not_download_screenshots_through_a_folder_link(
    sandbox: Sandbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    repo, outside = tmp_path / "adopted", tmp_path / "outside"
    outside.mkdir()
    shots = repo / APP / "screenshots" / "en-US"
    shots.mkdir(parents=True)
    os.symlink(outside, shots / "APP_IPHONE_67")

    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)

    assert (
        "screenshots/en-US/APP_IPHONE_67/01-home.png (a screenshot): not written: "
        f"{APP}/screenshots/en-US/APP_IPHONE_67 is a symlink leading outside the repo"
    ) in pulled.output
    assert list(outside.iterdir()) == []
    assert "Not pulled (failed):" in pulled.output  # listed with pull's other problems
    assert pulled.exit_code == 1  # and pull says it did not pull everything
    assert (repo / APP / "app.yml").is_file()  # the listing itself was still pulled
