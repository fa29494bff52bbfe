"""``ascsync plan`` against the sandbox: exact changes, drift, locked states, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner

from ascsync.cli import cli
from ascsync.commands.plan import compute_plan
from ascsync.engine.plan import Plan
from ascsync.kinds.registry import load_repo
from ascsync.sandbox import Sandbox
from tests.plan.conftest import client_for

SHOT = "app[demo].version[1.1.0].locale[en-US].screenshots[APP_IPHONE_67]"


def plan_for(repo: Path, seed: dict[str, Any]) -> Plan:
    desired, _ = load_repo(repo)
    with Sandbox(seed=seed) as sandbox:
        return compute_plan(client_for(sandbox), desired, (), concurrency=2)


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def run_plan(sandbox: Sandbox, repo: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli,
        [
            "--no-color",
            "--api-url",
            sandbox.url,
            "--api-key-json",
            str(sandbox.api_key_json_path),
            "plan",
            str(repo),
            *args,
        ],
    )


def test_matching_live_state_plans_nothing_and_exits_0(repo: Path, seed: dict) -> None:
    with Sandbox(seed=seed) as sandbox:
        result = run_plan(sandbox, repo)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No changes.")


def test_changes_exit_0_or_2_with_detailed_exitcode_and_exact_addresses(
    repo: Path, seed: dict
) -> None:
    version = seed["apps"][0]["versions"][1]
    version["localizations"]["en-US"]["keywords"] = "films"
    version["localizations"]["es-ES"] = {"description": "Una app."}
    seed["apps"][0]["appInfo"]["localizations"]["en-US"]["subtitle"] = "Old subtitle"
    with Sandbox(seed=seed) as sandbox:
        result = run_plan(sandbox, repo)
        detailed = run_plan(sandbox, repo, "--detailed-exitcode")
    assert result.exit_code == 0, result.output  # success, as Terraform without the flag
    assert detailed.exit_code == 2, detailed.output
    assert detailed.output == result.output
    assert '~ subtitle: "Old subtitle" -> "A small demo"' in result.output
    assert '~ keywords: ["films"] -> ["films", "cinema"]' in result.output
    assert "Plan: 0 to create, 2 to update, 1 to delete, 0 uploads." in result.output


def test_request_count_is_pinned(repo: Path, seed: dict) -> None:
    plan = plan_for(repo, seed)
    # app; app infos (+localizations, age rating, categories), the version (+localizations,
    # review, phased release), a version count; one screenshot-set listing per locale.
    assert plan.requests == 5


def test_drift_made_by_hand_appears_in_the_next_plan(repo: Path, seed: dict) -> None:
    desired, _ = load_repo(repo)
    with Sandbox(seed=seed) as sandbox:
        client = client_for(sandbox)
        assert not compute_plan(client, desired, (), 2).has_changes
        infos = client.get(
            f"/v1/apps/{_app_id(client)}/appInfos", {"include": ["appInfoLocalizations"]}
        )
        loc_id = next(i for t, i in infos.included if t == "appInfoLocalizations")
        requests.patch(
            f"{sandbox.url}/v1/appInfoLocalizations/{loc_id}",
            json={
                "data": {
                    "type": "appInfoLocalizations",
                    "id": loc_id,
                    "attributes": {"subtitle": "Changed in the web UI"},
                }
            },
            headers={"Authorization": f"Bearer {sandbox.token()}"},
            timeout=5,
        ).raise_for_status()
        plan = compute_plan(client_for(sandbox), desired, (), 2)
    assert actions(plan) == [("update", "app[demo].info.locale[en-US]")]
    change = plan.changes[0]
    assert (change.fields[0].before, change.fields[0].after) == (
        "Changed in the web UI",
        "A small demo",
    )
    assert change.source and change.source.endswith("apps/demo/locales/en-US.yml:2")


def _app_id(client: Any) -> str:
    return client.get("/v1/apps", {"filter[bundleId]": "com.example.demo"}).resources()[0]["id"]


def test_version_in_review_reports_locked_fields_not_changes(repo: Path, seed: dict) -> None:
    version = seed["apps"][0]["versions"][1]
    version["state"] = "WAITING_FOR_REVIEW"
    version["localizations"]["en-US"]["description"] = "Submitted text."
    version["localizations"]["en-US"]["promotionalText"] = "Old promo"
    (repo / "apps/demo/locales/en-US.yml").write_text(
        (repo / "apps/demo/locales/en-US.yml").read_text() + "promotional_text: New promo\n"
    )
    plan = plan_for(repo, seed)
    assert actions(plan) == [("update", "app[demo].version[1.1.0].locale[en-US]")]
    assert [f.name for f in plan.changes[0].fields] == ["promotional_text"]
    locked = {c.address: c for c in plan.locked}
    assert [f.name for f in locked["app[demo].version[1.1.0].locale[en-US]"].fields] == [
        "description"
    ]
    assert locked["app[demo].version[1.1.0].locale[en-US]"].note == (
        "not editable while WAITING_FOR_REVIEW"
    )


def test_whats_new_on_first_version_is_locked_with_the_reason(repo: Path, seed: dict) -> None:
    versions = seed["apps"][0]["versions"]
    del versions[0]
    versions[0]["localizations"]["en-US"].pop("whatsNew")
    plan = plan_for(repo, seed)
    assert not plan.has_changes
    assert [c.note for c in plan.locked] == ["whats_new is not accepted on an app's first version"]


def test_missing_version_is_created_before_its_localizations(repo: Path, seed: dict) -> None:
    seed["apps"][0]["versions"].pop()
    plan = plan_for(repo, seed)
    assert actions(plan) == [
        ("create", "app[demo].version[1.1.0]"),
        ("create", "app[demo].version[1.1.0].locale[en-US]"),
        ("create", SHOT),
        ("upload", f"{SHOT}[01-home.png]"),
    ]


def test_changed_screenshot_is_replaced_and_unchanged_ones_kept(repo: Path, seed: dict) -> None:
    from PIL import Image

    shots = repo / "apps/demo/screenshots/en-US/APP_IPHONE_67"
    Image.new("RGB", (1290, 2796), (200, 60, 90)).save(shots / "02-detail.png")
    plan = plan_for(repo, seed)
    assert actions(plan) == [("upload", f"{SHOT}[02-detail.png]")]
    Image.new("RGB", (1290, 2796), (0, 0, 0)).save(shots / "01-home.png")
    plan = plan_for(repo, seed)
    assert actions(plan) == [
        ("replace", f"{SHOT}[01-home.png]"),
        ("upload", f"{SHOT}[02-detail.png]"),
    ]


def test_json_and_markdown_outputs(repo: Path, seed: dict) -> None:
    seed["apps"][0]["appInfo"]["localizations"]["en-US"]["subtitle"] = "Old"
    with Sandbox(seed=seed) as sandbox:
        as_json = run_plan(sandbox, repo, "--format", "json", "--out", str(repo / "plan.json"))
        as_md = run_plan(sandbox, repo, "--format", "markdown")
    data = json.loads(as_json.output)
    assert data["schema_version"] == 1
    assert [c["address"] for c in data["changes"]] == ["app[demo].info.locale[en-US]"]
    assert json.loads((repo / "plan.json").read_text())["fingerprint"] == data["fingerprint"]
    assert as_md.output.startswith("### ascsync plan")
    assert "<details><summary><b>demo · en-US</b>: 1 change(s)</summary>" in as_md.output


def test_sensitive_values_never_printed(repo: Path, seed: dict, monkeypatch) -> None:
    (repo / "apps/demo/version.yml").write_text(
        'version: "1.1.0"\ncopyright: "2026 Example Inc."\nreview:\n  demo_account:\n'
        "    required: true\n    name: reviewer\n    password: !env DEMO_PW\n"
    )
    monkeypatch.setenv("DEMO_PW", "s3cret-Passw0rd")
    seed["apps"][0]["versions"][1]["reviewDetail"] = {
        "demoAccountRequired": True,
        "demoAccountName": "reviewer",
        "demoAccountPassword": "old-Passw0rd",
    }
    with Sandbox(seed=seed) as sandbox:
        outputs = [
            run_plan(sandbox, repo, "--format", fmt).output for fmt in ("text", "markdown", "json")
        ]
    assert "(sensitive value changed)" in outputs[0]
    for output in outputs:
        assert "s3cret-Passw0rd" not in output and "old-Passw0rd" not in output


def test_validation_errors_stop_before_any_request(repo: Path, seed: dict) -> None:
    (repo / "apps/demo/locales/en-US.yml").write_text(LOCALE_WITH_LONG_NAME)
    with Sandbox(seed=seed) as sandbox:
        result = run_plan(sandbox, repo)
        sent = len(sandbox.journal)
    assert result.exit_code == 1
    assert "apps/demo/locales/en-US.yml:1: name:" in result.output
    assert sent == 0


LOCALE_WITH_LONG_NAME = "name: " + "N" * 31 + "\nsupport_url: https://example.com/s\n"
