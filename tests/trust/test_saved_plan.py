"""A saved plan is bound to its values: what was reviewed is what gets applied, or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascsync.sandbox import Sandbox
from tests.trust.conftest import Seed, edit, run

WRITES = {"POST", "PATCH", "DELETE", "PUT"}
LOCALE = "apps/demo/locales/en-US.yml"


def differing(seed: Seed) -> Seed:
    """Live has an older description: the plan updates it."""
    version = seed["apps"][0]["versions"][1]
    version["localizations"]["en-US"]["description"] = "An older description."
    return seed


def test_an_edit_after_review_is_refused_naming_what_changed(
    repo: Path, seed: Seed, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    with Sandbox(seed=differing(seed), settings={"settle_seconds": 0}) as sandbox:
        planned = run(sandbox, "plan", str(repo), "--out", str(saved))
        assert planned.exit_code == 0, planned.output
        edit(repo / LOCALE, "description: A plain description.", "description: Unreviewed text.")
        applied = run(sandbox, "apply", str(saved), "--auto-approve")
        assert applied.exit_code == 1, applied.output
        assert "now plans something other than what was reviewed" in applied.output
        assert (
            "app[demo].version[1.1.0].locale[en-US]: other values for description" in applied.output
        )
        assert not [e for e in sandbox.journal if e.method in WRITES]
        live = sandbox.store.list("appStoreVersionLocalizations")
        assert "Unreviewed text." not in [loc.attributes.get("description") for loc in live]


def test_the_reviewed_plan_applies(repo: Path, seed: Seed, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    with Sandbox(seed=differing(seed), settings={"settle_seconds": 0}) as sandbox:
        assert run(sandbox, "plan", str(repo), "--out", str(saved)).exit_code == 0
        edit(
            repo / LOCALE,
            "subtitle: A small demo",
            "# a comment moves lines\nsubtitle: A small demo",
        )
        applied = run(sandbox, "apply", str(saved), "--auto-approve")
        assert applied.exit_code == 0, applied.output
        assert "Apply: 1 applied, 0 failed, 0 skipped." in applied.output


def test_a_change_in_app_store_connect_since_the_review_is_refused(
    repo: Path, seed: Seed, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    with Sandbox(seed=differing(seed)) as sandbox:
        assert run(sandbox, "plan", str(repo), "--out", str(saved)).exit_code == 0
        info = sandbox.store.list("appInfoLocalizations")[0]
        info.attributes["subtitle"] = "Edited in the web UI"
        applied = run(sandbox, "apply", str(saved), "--auto-approve")
        assert applied.exit_code == 1
        assert "App Store Connect changed since this plan was made" in applied.output
        assert not [e for e in sandbox.journal if e.method in WRITES]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"schema_version": 1, "fingerprint": "sha256:ab', "not valid JSON"),
        (b'{"hello": "world"}', "schema_version None"),
        (b"\x00\xff\xfe binary", "cannot read it as UTF-8 text"),
        (b"[1, 2, 3]", "a JSON object is expected"),
        (
            b'{"schema_version": 1, "repo": ".", "fingerprint": "x", "changes": [7], "locked": []}',
            "1 malformed change(s)",
        ),
    ],
)
def test_a_damaged_plan_file_is_one_clear_error(
    tmp_path: Path, seed: Seed, content: bytes, message: str
) -> None:
    saved = tmp_path / "plan.json"
    saved.write_bytes(content)
    with Sandbox(seed=seed) as sandbox:
        result = run(sandbox, "apply", str(saved), "--auto-approve")
    assert result.exit_code == 1
    assert message in result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
