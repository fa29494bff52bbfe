"""Hostile repo content cannot make validate run for minutes or eat gigabytes: YAML alias
bombs, and templates that loop or print without end, are refused with a
problem on the right file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascsync.desired.validate import validate_repo
from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter
from tests.desired.minirepo import make_repo

EN = "apps/demo/locales/en-US.yml"


def billion_laughs(levels: int = 9) -> str:
    """``defaults`` where each level is nine aliases of the one before: 9**9 values."""
    lines = ["format_version: 1", "defaults:", '  l0: &l0 ["lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_defaults_is_refused_on_its_line(tmp_path: Path):
    root = make_repo(tmp_path, {"ascsync.yml": billion_laughs()})
    report = validate_repo(root)
    [problem] = report.problems
    assert problem.format(root) == (
        "ascsync.yml:2: defaults: YAML aliases (*name) expand this to 2,233,721,270 values, "
        "more than 10,000 beyond what is written (an alias bomb?); not read "
        "(write the values out, or use fewer nested aliases)"
    )


def test_ordinary_aliases_still_work(tmp_path: Path):
    config = """\
        format_version: 1
        defaults:
          links: &links {support: "https://example.com/help", privacy: "https://example.com/p"}
          ios: *links
          mac: *links
        """
    root = make_repo(tmp_path, {"ascsync.yml": config})
    report = validate_repo(root)
    assert report.problems == []
    assert report.repo.defaults["mac"]["support"] == "https://example.com/help"


def test_pull_and_drift_write_refuse_to_merge_into_an_alias_bomb(tmp_path: Path):
    root = make_repo(tmp_path, {"ascsync.yml": billion_laughs()})
    with pytest.raises(AscsyncError, match=r"ascsync.yml:2: cannot update it: YAML aliases"):
        RepoWriter(root).ensure_config("demo")
