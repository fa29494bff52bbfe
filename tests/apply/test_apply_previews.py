"""App previews go through the same plan and upload flow as screenshots."""

from __future__ import annotations

import copy
from pathlib import Path

from click.testing import CliRunner

from ascsync.cli import cli
from ascsync.sandbox import Sandbox
from tests.desired.test_media_previews import movie, write
from tests.plan.conftest import matching_seed, write_repo

SET = "app[demo].version[1.1.0].locale[en-US].previews[IPHONE_67]"


def run(sandbox: Sandbox, *args: str):  # noqa: ANN201
    return CliRunner().invoke(
        cli,
        [
            "--no-color",
            "--api-url",
            sandbox.url,
            "--api-key-json",
            str(sandbox.api_key_json_path),
            *args,
        ],
    )


def test_preview_is_uploaded_then_replaced_when_it_changes(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    seed = copy.deepcopy(matching_seed(repo))
    folder = repo / "apps/demo/previews/en-US/IPHONE_67"
    write(folder, "01-tour.mp4", movie(seconds=20))
    with Sandbox(seed=seed, settings={"settle_seconds": 0.01}) as sandbox:
        plan = run(sandbox, "plan", str(repo), "--detailed-exitcode")
        assert plan.exit_code == 2, plan.output
        assert f"+ {SET}  # create" in plan.output
        assert f"+ {SET}[01-tour.mp4]  # upload" in plan.output

        applied = run(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
        assert applied.exit_code == 0, applied.output
        again = run(sandbox, "plan", str(repo), "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        previews = sandbox.store.list("appPreviews")
        assert [p.attributes["fileName"] for p in previews] == ["01-tour.mp4"]
        assert previews[0].attributes["videoDeliveryState"]["state"] == "COMPLETE"

        write(folder, "01-tour.mp4", movie(seconds=25))
        changed = run(sandbox, "plan", str(repo))
        assert f"± {SET}[01-tour.mp4]  # replace" in changed.output
        assert run(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete").exit_code == 0
        assert run(sandbox, "plan", str(repo), "--detailed-exitcode").exit_code == 0
        assert [p.attributes["fileName"] for p in sandbox.store.list("appPreviews")] == [
            "01-tour.mp4"
        ]
