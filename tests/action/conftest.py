"""Fixtures for the GitHub Action tests: repo copies and the stand-in GitHub API."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.action.fake_github import FakeGitHub

EXAMPLE = Path(__file__).resolve().parents[2] / "example-repo"
GITHUB_TOKEN = "ghs_fakeTokenForTheActionTests0123456789"


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """The example repo, without its sandbox state, so each test starts from the seed."""
    repo = tmp_path / "listing"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".ascsync"))
    return repo


@pytest.fixture
def listing_copy(example_copy: Path) -> Path:
    """The example repo's store listing only (app, age rating, version, locales, media):
    the part apply carries out end to end today."""
    app = example_copy / "apps" / "moviecatalog"
    for folder in ("in-app-purchases", "subscriptions", "subscription-offers", "testflight"):
        shutil.rmtree(app / folder, ignore_errors=True)
    return example_copy


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=GITHUB_TOKEN) as fake:
        yield fake
