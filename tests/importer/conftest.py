"""One generated fastlane project and its import, shared by the tests that only read them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ascsync.cli import cli
from tests.importer import corpus

VERSION = "3.2.0"


@dataclass(frozen=True)
class Imported:
    project: corpus.Project
    result: Result
    repo: Path

    @property
    def app(self) -> Path:
        return self.repo / "apps" / "tidewater"


def run_import(*args: str) -> Result:
    return CliRunner().invoke(cli, ["import", "fastlane", *args], catch_exceptions=False)


@pytest.fixture(scope="package")
def tidewater(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The Tidewater project imported as a user would: `ascsync import fastlane <project>`."""
    base = tmp_path_factory.mktemp("corpus")
    project = corpus.build(base)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(base)
        monkeypatch.setenv("TIDEWATER_VERSION", VERSION)
        monkeypatch.delenv("TIDEWATER_BUNDLE_ID", raising=False)
        result = run_import("tidewater", "--out", "repo")
    return Imported(project, result, base / "repo")
