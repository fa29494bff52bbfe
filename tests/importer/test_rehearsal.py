"""From a deliver folder to a clean plan on the sandbox, with no hand-written seed.

The sandbox starts from the app shell App Store Connect creates in the web UI, built from
the imported repo itself; apply then re-plan shows nothing left; pull then plan shows
nothing either (issue 13's "done when").
"""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from ascsync.cli import cli
from ascsync.kinds.registry import validate_repo
from ascsync.rules import age_rating
from tests.importer.conftest import VERSION, Imported

PASSWORD_ENV = "TIDEWATER_DEMO_PASSWORD"


def ascsync(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--no-color", *args], env={PASSWORD_ENV: "rehearsal-only"})


def adopted(tidewater: Imported, target: Path) -> Path:
    """The imported repo with what Apple would also refuse fixed, as a user would."""
    repo = target / "repo"
    shutil.copytree(tidewater.repo, repo)
    app = repo / "apps/tidewater"
    (app / "locales/es-MX.yml").unlink()  # over Apple's limits: the user cuts it
    shutil.rmtree(app / "screenshots/es-MX", ignore_errors=True)
    shutil.rmtree(app / "previews/es-MX", ignore_errors=True)
    rating = app / "age-rating.yml"  # the legacy JSON lacked the newer questions
    for question in age_rating.LEVEL_QUESTIONS + age_rating.REQUIRED_BOOLEANS:
        if f"{question}:" not in rating.read_text():
            answer = "NONE" if question in age_rating.LEVEL_QUESTIONS else "false"
            rating.write_text(rating.read_text() + f"{question}: {answer}\n")
    report = validate_repo(repo)
    assert report.ok, [p.format(repo) for p in report.errors]
    return repo


def test_an_imported_repo_rehearses_on_its_own_app_shell(tidewater: Imported, tmp_path: Path):
    repo = adopted(tidewater, tmp_path)
    first = ascsync("plan", str(repo), "--sandbox", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    assert "starting from the app shell App Store Connect creates for" in first.output
    assert f"app[tidewater].version[{VERSION}]" in first.output

    applied = ascsync("apply", str(repo), "--sandbox", "--auto-approve", "--allow-delete")
    assert applied.exit_code == 0, applied.output
    again = ascsync("plan", str(repo), "--sandbox", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output

    pulled_into = tmp_path / "pulled"
    shutil.copytree(repo / ".ascsync", pulled_into / ".ascsync")  # the same sandbox state
    pulled = ascsync("pull", str(pulled_into), "--app", _bundle_id(repo), "--sandbox")
    assert pulled.exit_code == 0, pulled.output
    replanned = ascsync("plan", str(pulled_into), "--sandbox", "--detailed-exitcode")
    assert replanned.exit_code == 0, replanned.output
    assert "No changes." in replanned.output


def test_sandbox_start_repo_begins_with_the_repo_as_live_state(tidewater: Imported, tmp_path: Path):
    repo = adopted(tidewater, tmp_path)
    result = ascsync(
        "plan", str(repo), "--sandbox", "--detailed-exitcode", "--sandbox-start", "repo"
    )
    assert result.exit_code == 0, result.output
    assert "with the repo applied to it" in result.output
    assert "No changes." in result.output


def _bundle_id(repo: Path) -> str:
    for line in (repo / "apps/tidewater/app.yml").read_text().splitlines():
        if line.startswith("bundle_id:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no bundle id")
