"""Text from the repo reaches the runner's console; the runner must show it, never obey it.

A listing repo is edited by people the workflow's secrets do not trust (any PR author).
A ``##[add-mask]delete`` in a promotional text would hide every "delete" in the log, a
``::warning::`` would fake an annotation, and a line break in a file name would end an
``::error file=...`` command early. ``runner_log.obeyed`` reads the console like GitHub's
runner does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ascsync.gha.workflow_files import annotation, without_commands
from tests.action.action_runner import run_action
from tests.action.conftest import GITHUB_TOKEN
from tests.action.runner_log import obeyed

EN_US = Path("apps/moviecatalog/locales/en-US.yml")
SHOTS = Path("apps/moviecatalog/screenshots/en-US/APP_IPHONE_67")


def _set_promotional_text(repo: Path, text: str) -> None:
    path = repo / EN_US
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [
        f"promotional_text: {text}" if ln.startswith("promotional_text:") else ln for ln in lines
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_repo_text_in_the_plan_is_shown_not_obeyed(tmp_path, example_copy, github):
    hostile = "'Now ##[add-mask]delete and ##[warning]forged ::error::forged'"
    _set_promotional_text(example_copy, hostile)

    run = run_action(
        tmp_path / "pr",
        {"repo": str(example_copy), "sandbox": "true", "github-token": GITHUB_TOKEN},
        event_name="pull_request",
        event={"pull_request": {"number": 3}},
        github_api_url=github.url,
    )

    assert run.code == 0, run.console
    assert "##[add-mask]delete" in run.console  # the plan does show the text...
    commands = obeyed(run.console)
    # ...but the only commands carried out are the action's own: the token's mask and
    # the validation warnings about the demo passwords the example reads with !env
    # (App Review's and TestFlight's).
    assert [c.data for c in commands if c.name == "add-mask"] == [GITHUB_TOKEN]
    assert not [c for c in commands if "forged" in c.data]
    assert [c.name for c in commands] == ["add-mask", "warning", "warning"]


def test_a_file_name_cannot_break_out_of_its_annotation(tmp_path, example_copy):
    # Linux allows any byte but "/" in a name: a line break, a comma and "::" included.
    name = "02,line=1::x\n::warning::pwned\n##[add-mask]delete.png"
    shutil.copyfile(example_copy / SHOTS / "01-home.png", example_copy / SHOTS / name)

    run = run_action(
        tmp_path / "validate",
        {"repo": str(example_copy), "command": "validate"},
        event_name="pull_request",
    )

    assert run.code == 1
    commands = obeyed(run.console)
    [error] = [c for c in commands if c.name == "error"]
    assert error.properties["file"] == str(example_copy / SHOTS / name)
    assert set(error.properties) == {"file"}
    assert "control character" in error.data
    assert [c.name for c in commands if c.name != "warning" or "pwned" in c.data] == ["error"]


def test_annotation_round_trips_any_text():
    file = "a%0A,b:c\r\nd.png"
    message = "line one\nline two with 100% and ::error:: inside"
    [command] = obeyed(annotation("warning", message, file, 7))
    assert command.name == "warning"
    assert command.properties == {"file": file, "line": "7"}
    assert command.data == message


def test_stop_commands_frame_cannot_be_closed_by_its_content():
    text = "::stop-commands::x\n::x::\n::warning::still hidden\n##[add-mask]also hidden\n"
    assert obeyed(without_commands(text) + "::notice::after the frame\n")[0].data == (
        "after the frame"
    )
    assert len(obeyed(without_commands(text))) == 0
