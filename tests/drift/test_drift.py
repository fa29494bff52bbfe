"""``ascsync drift`` against the sandbox: exit codes, wording, formats, ``--write``, secrets."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ascsync.sandbox import Sandbox
from tests.plan.conftest import matching_seed, write_repo
from tests.pull.conftest import (
    APP,
    PASSWORD,
    app_id,
    client_for,
    converged_example,
    info_localization,
    invoke,
    patch,
    version_localization,
)
from tests.pull.conftest import sandbox as sandbox  # noqa: F401  (the fixture)

GERMAN_SUBTITLE = "Neu im Web geändert"

DRIFT_JSON_SCHEMA = {
    "type": "object",
    "required": ["schema_version", "drift", "count", "drifts", "not_compared"],
    "properties": {
        "schema_version": {"const": 1},
        "drift": {"type": "boolean"},
        "count": {"type": "integer"},
        "drifts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["app", "locale", "address", "kind", "field", "live", "repo"],
                "properties": {
                    "kind": {"enum": ["changed", "live_only", "repo_only", "media", "order"]},
                    "source": {"type": ["string", "null"]},
                    "guidance": {"type": "string"},
                },
            },
        },
    },
}


@pytest.fixture
def repo(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    return converged_example(sandbox, tmp_path, monkeypatch)


def change_german_subtitle(sandbox: Sandbox) -> None:  # noqa: F811
    client = client_for(sandbox)
    patch(client, info_localization(client, "de-DE"), subtitle=GERMAN_SUBTITLE)


def test_no_drift_exits_0(sandbox: Sandbox, repo: Path) -> None:  # noqa: F811
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output


def test_a_web_ui_edit_is_drift_with_who_wins_guidance(sandbox: Sandbox, repo: Path) -> None:  # noqa: F811
    change_german_subtitle(sandbox)
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    out = result.output
    assert "moviecatalog · de-DE" in out
    assert "someone changed the German subtitle outside the repo" in out
    assert f'live has "{GERMAN_SUBTITLE}", repo says "Filme merken und entdecken"' in out
    assert "repo: apps/moviecatalog/locales/de-DE.yml:2" in out
    assert "`ascsync apply` restores the repo's value" in out
    assert "`ascsync drift --write` takes the live value into the repo" in out
    assert "Drift: 1 difference(s)" in out


def test_json_is_versioned_and_names_the_field(sandbox: Sandbox, repo: Path) -> None:  # noqa: F811
    change_german_subtitle(sandbox)
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode", "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    jsonschema.validate(data, DRIFT_JSON_SCHEMA)
    assert data["drift"] is True and data["count"] == 1
    (item,) = data["drifts"]
    assert (item["locale"], item["field"], item["kind"]) == ("de-DE", "subtitle", "changed")
    assert item["live"] == GERMAN_SUBTITLE
    assert item["source"] == "apps/moviecatalog/locales/de-DE.yml:2"


def test_markdown_has_one_collapsible_section_per_locale(sandbox: Sandbox, repo: Path) -> None:  # noqa: F811
    change_german_subtitle(sandbox)
    client = client_for(sandbox)
    patch(client, version_localization(client, "fr-FR"), promotionalText="Modifié en ligne")
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode", "--format", "markdown")
    assert result.exit_code == 2
    out = result.output
    assert out.startswith("### ascsync drift")
    assert "<details><summary><b>moviecatalog · de-DE</b>: 1 difference(s)</summary>" in out
    assert "<details><summary><b>moviecatalog · fr-FR</b>: 1 difference(s)</summary>" in out
    assert out.count("<details>") == out.count("</details>") == 2


def test_a_locale_added_live_is_drift_and_write_adds_its_file(
    sandbox: Sandbox,  # noqa: F811
    repo: Path,
) -> None:
    client = client_for(sandbox)
    # The localization's parent is not rendered unless included: ask for the version itself.
    versions = client.get(
        f"/v1/apps/{app_id(client)}/appStoreVersions", {"filter[versionString]": "2.4.0"}
    )
    version_id = versions.resources()[0]["id"]
    client.post(
        "/v1/appStoreVersionLocalizations",
        {
            "data": {
                "type": "appStoreVersionLocalizations",
                "attributes": {"locale": "it", "description": "Aggiunto nel web."},
                "relationships": {
                    "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version_id}}
                },
            }
        },
    )
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert result.exit_code == 2
    assert "App Store Connect has Italian version localization that the repo lacks" in (
        result.output
    )

    written = invoke(sandbox, "drift", str(repo), "--detailed-exitcode", "--write")
    assert written.exit_code == 2
    assert "description: Aggiunto nel web." in (repo / APP / "locales/it.yml").read_text()
    again = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert "Italian version localization" not in again.output


def test_write_takes_live_values_and_keeps_comments(sandbox: Sandbox, repo: Path) -> None:  # noqa: F811
    change_german_subtitle(sandbox)
    client = client_for(sandbox)
    patch(client, version_localization(client, "en-US"), keywords="cinema,watchlist,new")
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode", "--write")
    assert result.exit_code == 2, result.output
    assert "Wrote the live values into 2 file(s)" in result.output

    assert f"subtitle: {GERMAN_SUBTITLE}\n" in (repo / APP / "locales/de-DE.yml").read_text()
    en = (repo / APP / "locales/en-US.yml").read_text()
    assert "# Long text lives in its own file, relative to this YAML file.\n" in en
    assert "description: !file ../texts/en-US/description.md\n" in en
    assert "keywords:            # one per item; ascsync joins them with commas" in en
    assert "  - cinema\n  - watchlist\n  - new\n" in en
    assert "trailers" not in en

    after = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert after.exit_code == 0, after.output


def test_secrets_are_never_printed_or_written(
    sandbox: Sandbox,  # noqa: F811
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOVIECATALOG_DEMO_PASSWORD", "a-new-Passw0rd")
    for fmt in ("text", "markdown", "json"):
        result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode", "--format", fmt)
        assert result.exit_code == 2, result.output
        assert PASSWORD not in result.output and "a-new-Passw0rd" not in result.output
    text = invoke(sandbox, "drift", str(repo), "--detailed-exitcode").output
    assert "someone changed the review demo account password" in text
    assert "sensitive value, not shown" in text

    written = invoke(sandbox, "drift", str(repo), "--detailed-exitcode", "--write")
    assert PASSWORD not in written.output
    version = (repo / APP / "version.yml").read_text()
    assert "password: !env MOVIECATALOG_DEMO_PASSWORD" in version
    assert PASSWORD not in version and "a-new-Passw0rd" not in version


def test_an_invalid_repo_is_a_one_line_error(sandbox: Sandbox, repo: Path) -> None:  # noqa: F811
    (repo / APP / "app.yml").write_text("bundle_id: com.example.moviecatalog\nplatform: IPHONE\n")
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert result.exit_code == 1
    assert "app.yml:2: platform" in result.output
    assert "Traceback" not in result.output


def test_a_locked_difference_is_drift_that_only_write_can_settle(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    seed = matching_seed(repo)
    version = seed["apps"][0]["versions"][1]
    version["state"] = "WAITING_FOR_REVIEW"
    version["localizations"]["en-US"]["description"] = "Changed while in review."
    with Sandbox(seed=seed) as sb:
        result = invoke(sb, "drift", str(repo), "--detailed-exitcode")
        assert result.exit_code == 2, result.output
        assert "someone changed the English (U.S.) description outside the repo" in result.output
        assert "apply cannot restore it (not editable while WAITING_FOR_REVIEW)" in result.output

        assert invoke(sb, "drift", str(repo), "--detailed-exitcode", "--write").exit_code == 2
        assert (
            "description: Changed while in review.\n"
            in (repo / "apps/demo/locales/en-US.yml").read_text()
        )
        assert invoke(sb, "drift", str(repo), "--detailed-exitcode").exit_code == 0


def test_what_to_test_edited_in_testflight_is_drift_that_write_takes(
    sandbox: Sandbox,  # noqa: F811
    repo: Path,
) -> None:
    build = next(b for b in sandbox.store.list("builds") if b.attributes["version"] == "241")
    (german,) = [
        t
        for t in sandbox.store.related(build, "betaBuildLocalizations")
        if t.attributes["locale"] == "de-DE"
    ]
    german.attributes["whatsNew"] = "Im Web geändert: bitte die Suche testen."
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "moviecatalog · de-DE" in result.output
    assert "repo: apps/moviecatalog/testflight/builds/2.4.0-newest.yml:6" in result.output

    written = invoke(sandbox, "drift", str(repo), "--detailed-exitcode", "--write")
    assert written.exit_code == 2, written.output
    text = (repo / APP / "testflight/builds/2.4.0-newest.yml").read_text()
    assert 'de-DE: {what_to_test: "Im Web geändert: bitte die Suche testen."}' in text
    assert text.startswith("# The newest 2.4.0 build in TestFlight")
    assert invoke(sandbox, "drift", str(repo), "--detailed-exitcode").exit_code == 0


def test_another_build_attached_in_the_web_ui_is_drift(
    sandbox: Sandbox,  # noqa: F811
    repo: Path,
) -> None:
    old = next(b for b in sandbox.store.list("builds") if b.attributes["version"] == "240")
    version = next(
        v
        for v in sandbox.store.list("appStoreVersions")
        if v.attributes["versionString"] == "2.4.0"
    )
    sandbox.store.set_relationship(version, "build", old.ref)
    result = invoke(sandbox, "drift", str(repo), "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert 'live has "240", repo says "241"' in result.output
    assert "repo: apps/moviecatalog/version.yml:4" in result.output
