"""Deletions: each one listed in every output, whole things only with --allow-delete."""

from __future__ import annotations

import json
from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.trust.conftest import Seed, run

ES = "app[demo].version[1.1.0].locale[es-ES]"
SET = "app[demo].version[1.1.0].locale[en-US].screenshots[APP_IPHONE_65]"
WRITES = {"POST", "PATCH", "DELETE", "PUT"}


def with_spanish(seed: Seed) -> Seed:
    seed["apps"][0]["versions"][1]["localizations"]["es-ES"] = {"description": "Una app."}
    return seed


def test_a_whole_locale_is_deleted_only_with_allow_delete(repo: Path, seed: Seed) -> None:
    """One live locale of two is 50 %, but below the 10-item minimum of the threshold: it
    used to be deleted by ``apply --auto-approve`` without any flag."""
    with Sandbox(seed=with_spanish(seed), settings={"settle_seconds": 0}) as sandbox:
        refused = run(sandbox, "apply", str(repo), "--auto-approve")
        assert refused.exit_code == 1, refused.output
        assert "a non-interactive apply does that only with --allow-delete" in refused.output
        assert f"  - {ES}" in refused.output
        assert not [e for e in sandbox.journal if e.method in WRITES]

        allowed = run(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
        assert allowed.exit_code == 0, allowed.output
        codes = [
            loc.attributes["locale"] for loc in sandbox.store.list("appStoreVersionLocalizations")
        ]
        assert "es-ES" not in codes


def with_old_set(seed: Seed) -> Seed:
    """Live has a 6.5-inch set the repo has no folder for."""
    shots = seed["apps"][0]["versions"][1]["localizations"]["en-US"]["screenshots"]
    shots["APP_IPHONE_65"] = [
        {"fileName": name, "checksum": f"{n:032x}", "fileSize": 1000, "width": 1242, "height": 2688}
        for n, name in enumerate(("old-1.png", "old-2.png"), start=1)
    ]
    return seed


def test_every_deletion_is_visible_in_every_format(repo: Path, seed: Seed) -> None:
    """A removed set shows each file it takes with it; the PR comment lists deletions
    outside its collapsed sections."""
    with Sandbox(seed=with_old_set(with_spanish(seed))) as sandbox:
        text = run(sandbox, "plan", str(repo)).output
        markdown = run(sandbox, "plan", str(repo), "--format", "markdown").output
        plan = json.loads(run(sandbox, "plan", str(repo), "--format", "json").stdout)
    assert f"- {SET}  # delete" in text
    assert '- screenshots:\n          - "old-1.png"\n          - "old-2.png"' in text
    head = markdown.split("<details>", 1)[0]  # what GitHub shows without a click
    assert f"> - `{ES}`" in head and f"> - `{SET}`" in head
    deleted = {c["address"]: c for c in plan["changes"] if c["action"] == "delete"}
    assert set(deleted) == {ES, SET}
    assert deleted[SET]["fields"] == [
        {"name": "screenshots", "before": ["old-1.png", "old-2.png"], "after": None}
    ]
