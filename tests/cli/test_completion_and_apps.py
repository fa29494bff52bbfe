"""``ascsync completion`` for bash, zsh and fish, and ``ascsync apps`` for a job matrix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import run

BIN = str(Path(sys.executable).parent)


def bash_complete(words: list[str]) -> list[str]:
    """What bash offers after sourcing ``ascsync completion bash`` (a real bash)."""
    line = " ".join(f"'{w}'" for w in words)
    script = (
        "source <(ascsync completion bash)\n"
        f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; COMPREPLY=()\n"
        "_ascsync_completion ascsync\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"]}
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_commands_options_and_choices() -> None:
    assert bash_complete(["ascsync", "pl"]) == ["plan"]
    assert set(bash_complete(["ascsync", "s"])) == {"show", "schema", "sandbox"}
    assert bash_complete(["ascsync", "plan", "--detailed"]) == ["--detailed-exitcode"]
    assert bash_complete(["ascsync", "show", "p.json", "--format", ""]) == [
        "text",
        "markdown",
        "json",
        "html",
    ]
    assert bash_complete(["ascsync", "completion", ""]) == ["bash", "zsh", "fish"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_call_back_into_ascsync(shell: str) -> None:
    result = run(None, "completion", shell)
    assert result.exit_code == 0
    assert "_ASCSYNC_COMPLETE" in result.stdout and f"{shell}_complete" in result.stdout
    if shutil.which(shell):  # the script is valid syntax for the shell that sources it
        check = ["zsh", "-n"] if shell == "zsh" else ["fish", "--no-execute"]
        done = subprocess.run([*check], input=result.stdout, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = run(None, "completion", "powershell")
    assert result.exit_code == 1 and "'powershell' is not one of" in result.output


def apps(repo: Path, *args: str) -> dict:
    result = run(None, "apps", str(repo), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["command"] == "apps"
    return data


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def test_apps_lists_every_app_for_a_matrix(apps_repo) -> None:
    repo, _seed = apps_repo
    data = apps(repo)
    assert data["names"] == ["demo", "notes"] and data["filtered"] is False
    assert data["apps"][1] == {
        "name": "notes",
        "bundle_id": "com.example.notes",
        "platform": "IOS",
        "path": "apps/notes",
    }
    text = run(None, "apps", str(repo))
    assert text.stdout == "demo\nnotes\n"


def test_apps_changed_since_lists_only_the_apps_a_change_touches(apps_repo) -> None:
    repo, _seed = apps_repo
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "listing")
    assert apps(repo, "--changed-since", "HEAD")["names"] == []

    ar = repo / "apps/notes/locales/ar-SA.yml"
    ar.write_text(ar.read_text(encoding="utf-8") + "promotional_text: جديد\n", encoding="utf-8")
    (repo / "README.md").write_text("how we release\n")  # read by nobody
    (repo / ".github").mkdir()
    (repo / ".github/ci.yml").write_text("on: push\n")
    data = apps(repo, "--changed-since", "HEAD")
    assert data["names"] == ["notes"]
    assert data["because"] == {"notes": "apps/notes/locales/ar-SA.yml"}

    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "promo")
    config = repo / "ascsync.yml"
    config.write_text(config.read_text() + "defaults:\n  support: https://example.com\n")
    assert apps(repo, "--changed-since", "HEAD")["names"] == ["demo", "notes"]  # shared file
    assert apps(repo, "--changed-since", "HEAD~1")["names"] == ["demo", "notes"]


def test_apps_changed_files_reads_a_list(apps_repo, tmp_path: Path, monkeypatch) -> None:
    repo, _seed = apps_repo
    listing = tmp_path / "changed.txt"
    # paths relative to the current folder (the git root in CI); one outside the ascsync
    # repo and a top-level markdown file touch no app
    listing.write_text(
        "listing/apps/demo/locales/en-US.yml\nlisting/README.md\nother/apps/notes/app.yml\n"
    )
    monkeypatch.chdir(repo.parent)
    data = apps(repo, "--changed-files", str(listing))
    assert data["names"] == ["demo"]
    assert data["because"] == {"demo": "apps/demo/locales/en-US.yml"}
    listing.write_text("listing/templates/footer.md\n")  # shared: may change every app
    assert apps(repo, "--changed-files", str(listing))["names"] == ["demo", "notes"]


def test_apps_refuses_an_invalid_repo_and_a_bad_ref(apps_repo) -> None:
    repo, _seed = apps_repo
    bad_ref = run(None, "apps", str(repo), "--changed-since", "no-such-ref")
    assert bad_ref.exit_code == 1 and "git diff against 'no-such-ref' failed" in bad_ref.output
    (repo / "apps/notes/app.yml").write_text("bundle_id: [not, a, string]\n")
    broken = run(None, "apps", str(repo), "--format", "json")
    assert broken.exit_code == 1
    assert "apps/notes/app.yml" in broken.output and broken.stdout == ""
