"""``--target ADDRESS`` limits plan and apply to part of the repo (Terraform's -target)."""

from __future__ import annotations

import json
from pathlib import Path

from ascsync.commands.targets import selects
from ascsync.sandbox import Sandbox
from tests.cli.conftest import info, run, version_locale

DE_LIKE = "app[notes].version[1.1.0].locale[ar-SA]"


def changed(seed: dict) -> dict:
    """Live values that differ from the repo in both apps and in three locales."""
    info(seed, 0, "en-US")["subtitle"] = "Old demo subtitle"
    info(seed, 1, "ar-SA")["subtitle"] = "عنوان قديم"
    version_locale(seed, 1, "ar-SA")["whatsNew"] = "نسخة قديمة"
    version_locale(seed, 1, "ja")["whatsNew"] = "古い説明"
    return seed


def addresses(output: str) -> list[str]:
    return [c["address"] for c in json.loads(output)["changes"]]


def test_selects_at_segment_boundaries() -> None:
    german = "app[x].version[2.4.0].locale[de-DE]"
    assert selects(german, german)
    assert selects(german, f"{german}.screenshots[APP_IPHONE_67][01.png]")
    assert selects(f"{german}.screenshots", f"{german}.screenshots[APP_IPHONE_67]")
    assert not selects("app[x].version[2.4.0].locale[de]", german)
    assert not selects("app[x]", "app[xy].info")


def test_plan_with_targets_plans_only_what_they_select(apps_repo) -> None:
    repo, seed = apps_repo
    with Sandbox(seed=changed(seed)) as sandbox:
        everything = run(sandbox, "plan", str(repo), "--format", "json")
        one_locale = run(
            sandbox, "plan", str(repo), "--format", "json", "--target", DE_LIKE,
            "--target", "app[demo].info",
        )  # fmt: skip
        one_app = run(sandbox, "plan", str(repo), "--format", "json", "--target", "app[notes]")
    assert everything.exit_code == one_locale.exit_code == one_app.exit_code == 0
    assert addresses(everything.stdout) == [
        "app[demo].info.locale[en-US]",
        "app[notes].info.locale[ar-SA]",
        "app[notes].version[1.1.0].locale[ar-SA]",
        "app[notes].version[1.1.0].locale[ja]",
    ]
    # app[demo].info selects app[demo].info.locale[en-US]; ar-SA's app info is not selected
    assert addresses(one_locale.stdout) == [
        "app[demo].info.locale[en-US]",
        "app[notes].version[1.1.0].locale[ar-SA]",
    ]
    assert all(a.startswith("app[notes]") for a in addresses(one_app.stdout))
    assert "Targeting is in effect" in one_app.stderr
    # only the targeted app is read: fewer requests than the whole repo
    assert json.loads(one_app.stdout)["requests"] < json.loads(everything.stdout)["requests"]


def test_a_target_brings_what_it_depends_on(apps_repo) -> None:
    repo, seed = apps_repo
    del seed["apps"][1]["versions"][1]["localizations"]["ja"]  # the ja version texts are new
    shots = repo / "apps/notes/screenshots/ja/APP_IPHONE_67"
    shots.mkdir(parents=True)
    (shots / "01.png").write_bytes(
        (shots.parents[1] / "en-US/APP_IPHONE_67/01-home.png").read_bytes()
    )
    target = "app[notes].version[1.1.0].locale[ja].screenshots[APP_IPHONE_67][01.png]"
    with Sandbox(seed=seed) as sandbox:
        result = run(sandbox, "plan", str(repo), "--format", "json", "--target", target)
    assert result.exit_code == 0, result.output
    assert addresses(result.stdout) == [
        "app[notes].version[1.1.0].locale[ja]",
        "app[notes].version[1.1.0].locale[ja].screenshots[APP_IPHONE_67]",
        target,
    ]


def test_bad_targets_are_refused_naming_what_is_valid(apps_repo) -> None:
    repo, _seed = apps_repo
    unknown = run(None, "plan", str(repo), "--sandbox", "--target", "app[nope].info")
    assert unknown.exit_code == 1
    assert "no app folder named nope (known: app[demo], app[notes])" in unknown.output
    malformed = run(None, "plan", str(repo), "--sandbox", "--target", "locale[de-DE]")
    assert malformed.exit_code == 1 and "is not an address" in malformed.output
    outside = run(None, "plan", str(repo), "--app", "demo", "--target", "app[notes]")
    assert outside.exit_code == 1 and "--app demo leaves out" in outside.output


def test_apply_with_a_target_changes_only_that_part(apps_repo) -> None:
    repo, seed = apps_repo
    with Sandbox(seed=changed(seed), settings={"settle_seconds": 0}) as sandbox:
        applied = run(sandbox, "apply", str(repo), "--auto-approve", "--target", DE_LIKE)
        after = run(sandbox, "plan", str(repo), "--format", "json")
    assert applied.exit_code == 0, applied.output
    assert "Apply: 1 applied, 0 failed, 0 skipped." in applied.output
    assert addresses(after.stdout) == [
        "app[demo].info.locale[en-US]",
        "app[notes].info.locale[ar-SA]",
        "app[notes].version[1.1.0].locale[ja]",
    ]


def test_apply_refuses_a_saved_plan_made_for_other_targets(apps_repo, tmp_path: Path) -> None:
    repo, seed = apps_repo
    saved = tmp_path / "plan.json"
    with Sandbox(seed=changed(seed), settings={"settle_seconds": 0}) as sandbox:
        planned = run(sandbox, "plan", str(repo), "--out", str(saved), "--target", DE_LIKE)
        other = run(sandbox, "apply", str(saved), "--auto-approve", "--target", "app[demo]")
        nothing_changed = run(sandbox, "plan", str(repo), "--format", "json")
        same = run(sandbox, "apply", str(saved), "--auto-approve")
    assert planned.exit_code == 0, planned.output
    assert json.loads(saved.read_text())["targets"] == [DE_LIKE]
    assert other.exit_code == 1
    assert f"was made for {DE_LIKE}, not for --target app[demo]" in other.output
    assert len(addresses(nothing_changed.stdout)) == 4
    # without --target, apply uses the saved plan's own targets and applies just that
    assert same.exit_code == 0, same.output
    assert "Apply: 1 applied, 0 failed, 0 skipped." in same.output
