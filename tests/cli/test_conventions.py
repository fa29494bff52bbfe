"""The command line follows the conventions people expect (issue 18) and its exit codes
mean one thing each (issue 11, item 10): 0 success, 1 error (usage errors included),
2 only with --detailed-exitcode when there are changes or drift."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from ascsync.cli import COMMANDS, cli
from ascsync.sandbox import Sandbox
from tests.cli.conftest import info, run

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def ascsync(*args: str, cwd: Path | None = None, env: dict | None = None):
    """The installed entry point, as a shell runs it (exit code from ``main``)."""
    program = "from ascsync.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", program, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_global_options_work_after_the_command_name(apps_repo) -> None:
    repo, seed = apps_repo
    info(seed, 0, "en-US")["subtitle"] = "Old subtitle"
    with Sandbox(seed=seed) as sandbox:
        before = run(sandbox, "--no-color", "plan", str(repo))
        after = CliRunner().invoke(
            cli,
            ["plan", str(repo), "--api-url", sandbox.url, "--no-color", "-v"]
            + ["--api-key-json", str(sandbox.api_key_json_path), "--retries", "1"],
        )
    assert before.exit_code == after.exit_code == 0, after.output
    assert '~ subtitle: "Old subtitle" -> "A small demo"' in after.output
    assert "GET /v1/apps" in after.output  # -v given after the command logs requests too


def test_a_global_option_after_the_command_wins_over_the_environment(apps_repo) -> None:
    repo, seed = apps_repo
    with Sandbox(seed=seed) as sandbox:
        result = CliRunner().invoke(
            cli,
            ["plan", str(repo), "--api-url", sandbox.url]
            + ["--api-key-json", str(sandbox.api_key_json_path)],
            env={"ASCSYNC_API_URL": "http://127.0.0.1:9"},  # nothing listens there
        )
    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def test_no_color_environment_variable_turns_colours_off(apps_repo) -> None:
    repo, seed = apps_repo
    info(seed, 0, "en-US")["subtitle"] = "Old subtitle"
    with Sandbox(seed=seed) as sandbox:
        coloured = run(sandbox, "plan", str(repo), color=True)
        plain = run(sandbox, "plan", str(repo), color=True, env={"NO_COLOR": "1"})
        empty = run(sandbox, "plan", str(repo), color=True, env={"NO_COLOR": ""})
    assert ANSI.search(coloured.output)
    assert not ANSI.search(plain.output)
    assert ANSI.search(empty.output)  # no-color.org: only a non-empty value counts
    assert ANSI.sub("", coloured.output) == plain.output


def test_the_command_list_shows_each_whole_summary() -> None:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    # a line may wrap after a hyphen ("yaml-language-" / "server"): undo that, then compare
    listing = " ".join(result.output.split("Commands:")[1].split()).replace("- ", "-")
    assert "..." not in listing
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        summary = command.get_short_help_str(limit=10_000)
        assert " ".join(summary.split()).replace("- ", "-") in listing, name
    assert "Show what apply would change in App Store Connect." in listing


def test_plan_exits_0_on_changes_and_2_only_with_detailed_exitcode(apps_repo) -> None:
    repo, seed = apps_repo
    with Sandbox(seed=seed) as sandbox:
        same = run(sandbox, "plan", str(repo), "--detailed-exitcode")
    info(seed, 1, "ar-SA")["subtitle"] = "عنوان قديم"
    with Sandbox(seed=seed) as sandbox:
        plain = run(sandbox, "plan", str(repo))
        detailed = run(sandbox, "plan", str(repo), "--detailed-exitcode")
        drift = run(sandbox, "drift", str(repo))
        drift_detailed = run(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert same.exit_code == 0, same.output
    assert plain.exit_code == 0 and detailed.exit_code == 2, detailed.output
    assert drift.exit_code == 0 and drift_detailed.exit_code == 2, drift_detailed.output
    assert "عنوان قديم" in detailed.output


def test_errors_exit_1_never_2(tmp_path: Path, apps_repo) -> None:
    repo, _seed = apps_repo
    cases = [
        ("plan", str(repo), "--no-such-option"),  # unknown option
        ("plan", str(tmp_path / "missing")),  # missing repo
        ("drift", str(tmp_path / "missing"), "--detailed-exitcode"),
        ("plan", str(repo), "--format", "yaml"),  # bad choice
        ("plan", str(repo), "--detailed-exitcode", "--sandbox", "--concurrency", "0"),
        ("no-such-command",),
        ("--no-such-global",),
        ("plan", str(repo), "--api-url"),  # a global option after the command, no value
    ]
    for args in cases:
        done = ascsync(*args)
        assert done.returncode == 1, (args, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr
        assert "Error:" in done.stderr
        in_process = CliRunner().invoke(cli, list(args))
        assert in_process.exit_code == 1, (args, in_process.output)


def test_plan_of_an_invalid_repo_exits_1_even_with_detailed_exitcode(apps_repo) -> None:
    repo, _seed = apps_repo
    (repo / "apps/notes/locales/ja.yml").write_text("name: " + "長" * 31 + "\n", encoding="utf-8")
    done = ascsync("plan", str(repo), "--sandbox", "--detailed-exitcode")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "apps/notes/locales/ja.yml:1" in done.stderr


def test_every_subcommand_accepts_the_global_options() -> None:
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        commands = [command, *getattr(command, "commands", {}).values()]
        for each in commands:
            spelled = {opt for p in each.params for opt in p.opts}
            assert {"--api-url", "--no-color", "--verbose", "--key-id"} <= spelled, each.name
