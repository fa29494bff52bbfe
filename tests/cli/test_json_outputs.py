"""``--format json`` for apply, pull, whoami and import: one versioned JSON document on
stdout (everything for a person on stderr), documented in docs/plan-format.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ascsync.sandbox import Sandbox
from tests.cli.conftest import info, run
from tests.desired.test_fastlane_import import make_metadata


def document(stdout: str, command: str) -> dict:
    data = json.loads(stdout)  # stdout is nothing but the document
    assert data["schema_version"] == 1 and data["command"] == command
    return data


def test_apply_json_reports_each_change(apps_repo) -> None:
    repo, seed = apps_repo
    info(seed, 1, "ar-SA")["subtitle"] = "عنوان قديم"
    info(seed, 1, "ja")["subtitle"] = "古い"
    with Sandbox(seed=seed, settings={"settle_seconds": 0}) as sandbox:
        result = run(sandbox, "apply", str(repo), "--auto-approve", "--format", "json")
        again = run(sandbox, "apply", str(repo), "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.output
    data = document(result.stdout, "apply")
    assert data["ok"] is True
    assert data["summary"] == {"applied": 2, "failed": 0, "skipped": 0}
    assert sorted((o["address"], o["status"]) for o in data["outcomes"]) == [
        ("app[notes].info.locale[ar-SA]", "applied"),
        ("app[notes].info.locale[ja]", "applied"),
    ]
    assert data["plan"]["summary"]["update"] == 2
    assert "Apply: 2 applied" in result.stderr  # the person's view went to stderr
    quiet = document(again.stdout, "apply")
    assert quiet["outcomes"] == [] and quiet["plan"]["changes"] == []


def test_apply_json_refusal_prints_no_document(apps_repo) -> None:
    repo, seed = apps_repo
    info(seed, 0, "en-US")["subtitle"] = "Old"
    with Sandbox(seed=seed) as sandbox:
        refused = run(sandbox, "apply", str(repo), "--format", "json")  # no terminal to ask
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert "refusing to prompt without a terminal" in refused.stderr


def test_pull_json_lists_what_was_written(apps_repo, tmp_path: Path) -> None:
    _repo, seed = apps_repo
    target = tmp_path / "pulled"
    with Sandbox(seed=seed) as sandbox:
        result = run(sandbox, "pull", str(target), "--app", "com.example.notes", "--format", "json")
    # a file that could not be pulled fails the command (exit 1); the document still says it
    assert result.exit_code == 1, result.output
    data = document(result.stdout, "pull")
    assert data["bundle_id"] == "com.example.notes"
    assert "apps/notes/locales/ar-SA.yml" in data["written"]
    # the seed gives the screenshot by checksum only: the sandbox serves a stand-in whose
    # MD5 differs, which pull refuses to save and reports
    assert data["downloaded"] == []
    [problem] = data["problems"]
    assert "en-US/APP_IPHONE_67/01-home.png" in problem and "MD5" in problem
    assert data["requests"] > 0
    assert any("passwords" in item for item in data["not_pulled"])
    assert "ملاحظات" in (target / "apps/notes/locales/ar-SA.yml").read_text(encoding="utf-8")


def test_whoami_json_lists_the_apps_and_never_the_key(apps_repo) -> None:
    _repo, seed = apps_repo
    with Sandbox(seed=seed) as sandbox:
        result = run(sandbox, "whoami", "--format", "json")
        key = (
            sandbox.private_key_pem.decode()
            if isinstance(sandbox.private_key_pem, bytes)
            else sandbox.private_key_pem
        )
    assert result.exit_code == 0, result.output
    data = document(result.stdout, "whoami")
    assert sorted(a["bundle_id"] for a in data["apps"]) == ["com.example.demo", "com.example.notes"]
    assert data["key_kind"] in ("team", "individual") and data["key_id"]
    body = "".join(line for line in key.splitlines() if "PRIVATE KEY" not in line)
    assert body[:40] not in result.output


@pytest.mark.parametrize("dry_run", [False, True])
def test_import_json_lists_files_and_every_note(tmp_path: Path, dry_run: bool) -> None:
    metadata = make_metadata(tmp_path / "project")
    out = tmp_path / "repo"
    args = ["import", "fastlane", str(metadata), "--out", str(out), "--format", "json"]
    args += ["--bundle-id", "com.example.moviecatalog", "--app-version", "2.4.0"]
    result = run(None, *args, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 0, result.output
    data = document(result.stdout, "import")
    assert data["dry_run"] is dry_run and data["ok"] is True
    assert "apps/moviecatalog/locales/ja.yml" in data["written"]
    assert (out / "apps/moviecatalog/locales/ja.yml").is_file() is not dry_run
    levels = {note["level"] for note in data["notes"]}
    assert levels <= {"error", "warning", "note"} and data["notes"]
    assert any("tlh" in (n["file"] or "") + n["message"] for n in data["notes"])
