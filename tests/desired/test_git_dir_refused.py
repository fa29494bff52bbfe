"""``!file`` and ``!template`` never read git's own files: ``.git/config`` can hold the CI
checkout token, and a template could copy it into the public plan comment."""

from __future__ import annotations

import os
from pathlib import Path

from ascsync.kinds.locales import LOCALES
from ascsync.kinds.registry import validate_repo
from tests.desired.minirepo import make_repo

EN = "apps/demo/locales/en-US.yml"
TOKEN = "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX2Zha2U="
CONFIG = f'[http "https://github.com/"]\n\textraheader = {TOKEN}\n'


def _repo(tmp_path: Path, description: str) -> Path:
    root = make_repo(tmp_path)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(CONFIG)
    text = (root / EN).read_text().replace("description: A demo.", f"description: {description}")
    (root / EN).write_text(text)
    return root


def _description_problems(root: Path) -> tuple[list[str], object]:
    """Problems other than the follow-on "description is not set", and the value read."""
    report = validate_repo(root)
    record = LOCALES.desired(report.repo.apps["demo"])["en-US"]
    messages = [p.message for p in report.problems if not p.message.startswith("is not set")]
    return messages, record.get("description")


def test_file_tag_pointing_into_dot_git_is_refused(tmp_path: Path):
    root = _repo(tmp_path, "!file ../../../.git/config")
    [message], value = _description_problems(root)
    assert message.startswith("!file ../../../.git/config reads git's own files (.git/)")
    assert value is None


def test_template_and_other_spellings_are_refused_too(tmp_path: Path):
    root = _repo(tmp_path, "!template ../../../.GIT/config")
    [message], value = _description_problems(root)
    assert "reads git's own files" in message and value is None


def test_a_symlink_into_dot_git_is_refused(tmp_path: Path):
    root = _repo(tmp_path, "!file ../texts/notes.md")
    (root / "apps/demo/texts").mkdir(parents=True)
    os.symlink(root / ".git" / "config", root / "apps/demo/texts/notes.md")
    [message], value = _description_problems(root)
    assert "reads git's own files" in message
    assert TOKEN not in str(value)


def test_a_file_named_like_git_elsewhere_is_fine(tmp_path: Path):
    root = _repo(tmp_path, "!file ../texts/.gitnotes.md")
    (root / "apps/demo/texts").mkdir(parents=True)
    (root / "apps/demo/texts/.gitnotes.md").write_text("A demo.\n")
    messages, value = _description_problems(root)
    assert messages == [] and value == "A demo."
