"""One validation, run by every command before its first request."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascsync.kinds.registry import validate_repo
from ascsync.sandbox import Sandbox
from tests.trust.conftest import Seed, edit, run

LONG_KEYWORDS = "[" + ", ".join(f"keyword{n:02d}" for n in range(12)) + "]"  # 119 characters


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_a_repo_validate_rejects_is_never_sent(repo: Path, seed: Seed, command: str) -> None:
    """Joined keywords over 100 characters: a rule across values, which plan, apply and
    drift used to skip (the repo was applied with exit 0)."""
    edit(
        repo / "apps/demo/locales/en-US.yml",
        "keywords: [films, cinema]",
        f"keywords: {LONG_KEYWORDS}",
    )
    assert not validate_repo(repo).ok
    with Sandbox(seed=seed) as sandbox:
        extra = ["--auto-approve"] if command == "apply" else []
        result = run(sandbox, command, str(repo), *extra)
        assert result.exit_code == 1, result.output
        assert "apps/demo/locales/en-US.yml:4: keywords:" in result.output
        assert "nothing was sent to App Store Connect" in result.output
        assert list(sandbox.journal) == []
