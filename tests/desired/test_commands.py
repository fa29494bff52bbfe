"""``ascsync validate|init|schema`` as a user runs them: output, exit codes, files written."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ascsync.cli import cli
from ascsync.kinds.registry import FILES
from tests.desired.minirepo import EXAMPLE, make_repo

ENV = {"MOVIECATALOG_DEMO_PASSWORD": "x"}


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["--no-color", *args], env=env, catch_exceptions=False)


def test_validate_example_repo_exits_0():
    result = run("validate", str(EXAMPLE), env=ENV)
    assert result.exit_code == 0
    assert result.output == f"{EXAMPLE}: valid\n"


def test_validate_prints_errors_then_warnings_and_exits_1(tmp_path: Path):
    root = make_repo(
        tmp_path,
        {"apps/demo/locales/en-US.yml": "name: Demo App\nsubtitel: x\nkeywords: [ab]\n"},
    )
    result = run("validate", str(root))
    assert result.exit_code == 1
    en = "apps/demo/locales/en-US.yml"
    assert result.output.splitlines() == [
        "1 error:",
        f"{en}:2: subtitel: unknown key (did you mean subtitle?)",
        "",
        "4 warnings:",
        f"{en}:1: description: is not set for the primary locale en-US "
        "(App Store Connect requires it before submission)",
        f"{en}:1: privacy_policy_url: is not set for the primary locale en-US "
        "(App Store Connect requires it before submission)",
        f"{en}:1: support_url: is not set for the primary locale en-US "
        "(App Store Connect requires it before submission)",
        f"{en}:3: keywords[0]: 'ab' is very short "
        "(Apple advises keywords longer than two characters)",
        f"{root}: 1 error, 4 warnings",
    ]


def test_validate_json_is_stable_and_machine_readable(tmp_path: Path):
    root = make_repo(tmp_path, {"apps/demo/app.yml": "bundle_id: com.example.demo\n"})
    result = run("validate", str(root), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["schema_version"] == 1
    assert doc["valid"] is False
    assert doc["summary"] == {"errors": 2, "warnings": 0}
    assert doc["problems"][0] == {
        "severity": "error",
        "file": "apps/demo/app.yml",
        "line": 1,
        "field": "platform",
        "message": "is required",
        "valid": "one of IOS, MAC_OS, TV_OS, VISION_OS",
    }
    assert [p["field"] for p in doc["problems"]] == ["platform", "primary_locale"]


def test_validate_missing_repo_is_one_line_not_a_traceback(tmp_path: Path):
    result = run("validate", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == (
        f"repo: {tmp_path / 'nowhere'} is not a folder (the path of an ascsync repo)"
    )


def test_init_scaffolds_a_repo_that_only_lacks_screenshots(tmp_path: Path):
    target = tmp_path / "store"
    result = run("init", str(target), "--app", "notes", "--bundle-id", "com.acme.notes")
    assert result.exit_code == 0, result.output
    assert "created apps/notes/app.yml" in result.output
    assert (target / ".gitignore").read_text().count(".ascsync/") == 1
    header = (target / "apps/notes/locales/en-US.yml").read_text().splitlines()[0]
    assert header == "# yaml-language-server: $schema=../../../schemas/locale.schema.json"
    assert (target / "apps/notes/../../schemas/locale.schema.json").is_file()
    settings = json.loads((target / ".vscode/settings.json").read_text())
    assert settings["yaml.schemas"]["./schemas/app.schema.json"] == "apps/*/app.yml"
    validation = run("validate", str(target), "--format", "json")
    problems = json.loads(validation.output)["problems"]
    assert {p["field"] for p in problems} == {"screenshots[en-US]"}


def test_init_refuses_to_overwrite_and_rejects_bad_locale(tmp_path: Path):
    assert run("init", str(tmp_path)).exit_code == 0
    again = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--locale", "en-us"])
    assert bad.exit_code == 1  # a usage error: 1, never the 2 of "changes found"
    assert "did you mean en-US?" in bad.output


def test_schema_writes_one_schema_per_file_kind(tmp_path: Path):
    out = tmp_path / "schemas"
    result = run("schema", "--out", str(out))
    assert result.exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    assert "locale.schema.json" in names and "subscription-group.schema.json" in names
    assert "platform-locale.schema.json" in names
    assert "in-app-event.schema.json" in names and "product-page-treatment.schema.json" in names
    assert len(names) == len(FILES)  # one per file kind, whichever kinds are registered
    locale = json.loads((out / "locale.schema.json").read_text())
    assert locale["properties"]["subtitle"]["maxLength"] == 30


def test_strict_fails_on_warnings_only(tmp_path: Path):
    root = make_repo(
        tmp_path,
        {"apps/demo/locales/de-DE.yml": "name: Demo DE\nkeywords: [ab]\n"},
    )
    assert run("validate", str(root)).exit_code == 0
    assert run("validate", "--strict", str(root)).exit_code == 1


def test_init_keeps_an_existing_gitignore_and_adds_the_cache(tmp_path: Path):
    (tmp_path / ".gitignore").write_text("build/")
    assert run("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / ".gitignore").read_text().splitlines()[0] == "build/"
    assert ".ascsync/" in (tmp_path / ".gitignore").read_text().splitlines()
