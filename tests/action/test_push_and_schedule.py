"""On a push the action applies without a prompt and keeps a log; on a schedule it audits
drift and hands ``drift=true|false`` plus the markdown report to the workflow."""

from __future__ import annotations

from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.action.action_runner import load_action, run_action

MERGED = {"ref": "refs/heads/main", "repository": {"default_branch": "main"}}


def test_push_applies_with_auto_approve_and_logs(tmp_path, listing_copy):
    env = {"MOVIECATALOG_DEMO_PASSWORD": "demo-password-for-tests"}
    inputs = {"repo": str(listing_copy), "sandbox": "true"}
    # the demo's de-DE listing has no file in the repo: deleting it needs --allow-delete
    push = run_action(
        tmp_path / "push",
        {**inputs, "args": "--allow-delete"},
        event_name="push",
        event=MERGED,
        extra_env=env,
    )

    assert push.code == 0, push.console
    assert push.outputs["command"] == "apply"
    log = Path(push.outputs["log-path"]).read_text(encoding="utf-8")
    assert f"$ ascsync apply {listing_copy} --auto-approve --sandbox --allow-delete" in log
    assert "0 failed" in log
    assert "apply succeeded" in push.summary
    # The sandbox now matches the repo: a plan right after finds nothing to do.
    again = run_action(tmp_path / "after", inputs, event_name="workflow_dispatch", extra_env=env)
    assert again.code == 0, again.console
    assert again.outputs["changes"] == "false"


def test_failed_apply_fails_the_step_and_keeps_the_log(tmp_path, listing_copy):
    # Without the demo-account password (an !env secret) apply refuses before any request.
    push = run_action(
        tmp_path / "push",
        {"repo": str(listing_copy), "sandbox": "true"},
        event_name="push",
        event=MERGED,
    )
    assert push.code == 1
    assert "::error::ascsync apply failed" in push.console
    assert "MOVIECATALOG_DEMO_PASSWORD" in Path(push.outputs["log-path"]).read_text()


def test_a_push_to_another_branch_plans_instead_of_applying(tmp_path, listing_copy):
    feature = {"ref": "refs/heads/new-screenshots", "repository": {"default_branch": "main"}}
    env = {"MOVIECATALOG_DEMO_PASSWORD": "demo-password-for-tests"}
    inputs = {"repo": str(listing_copy), "sandbox": "true"}
    run = run_action(tmp_path / "branch", inputs, event_name="push", event=feature, extra_env=env)
    assert run.code == 0, run.console
    assert run.outputs["command"] == "plan"
    assert run.outputs["changes"] == "true"  # nothing was applied
    assert "planning instead of applying" in run.console


def test_the_upload_step_uploads_the_apply_log():
    steps = load_action()["runs"]["steps"]
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "${{ steps.run.outputs.log-path }}"
    assert "always()" in upload["if"] and "'apply'" in upload["if"]


def test_schedule_reports_drift_then_none(tmp_path, listing_copy):
    with Sandbox(seed="demo", settings={"settle_seconds": 0}) as sandbox:
        inputs = {
            "repo": str(listing_copy),
            "api-url": sandbox.url,
            "key-id": sandbox.key_id,
            "issuer-id": sandbox.issuer_id,
            "private-key": sandbox.private_key_pem.decode(),
        }
        env = {"MOVIECATALOG_DEMO_PASSWORD": "demo-password-for-tests"}

        drifted = run_action(tmp_path / "drift1", inputs, event_name="schedule", extra_env=env)
        assert drifted.code == 0, drifted.console
        assert drifted.outputs["command"] == "drift"
        assert drifted.outputs["drift"] == "true"
        assert drifted.outputs["markdown"].strip()
        assert drifted.outputs["markdown"] in drifted.summary

        applied = run_action(
            tmp_path / "push",
            {**inputs, "args": "--allow-delete"},
            event_name="push",
            event=MERGED,
            extra_env=env,
        )
        assert applied.code == 0, applied.console
        clean = run_action(tmp_path / "drift2", inputs, event_name="schedule", extra_env=env)
        assert clean.code == 0, clean.console
        assert clean.outputs["drift"] == "false"
