"""One app on several platforms: shared app info, each platform its own version, version
texts and screenshots, all in one app folder (``platforms/<PLATFORM>/``)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ascsync.cli import cli
from ascsync.kinds.locales import LOCALES
from ascsync.kinds.registry import validate_repo
from ascsync.kinds.version import version_string
from ascsync.sandbox import Sandbox
from tests.plan.conftest import matching_seed

MAC = "app[demo].platform[MAC_OS]"


def run(sandbox: Sandbox, *args: str) -> Result:
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


@pytest.fixture
def two_platforms(repo: Path) -> Path:
    mac = repo / "apps/demo/platforms/MAC_OS"
    (mac / "locales").mkdir(parents=True)
    (mac / "version.yml").write_text('version: "1.5"\ncopyright: "2026 Example Inc."\n')
    (mac / "locales/en-US.yml").write_text("description: The demo, on your Mac.\n")
    return repo


def mac_seed(repo: Path) -> dict[str, Any]:
    seed = copy.deepcopy(matching_seed(repo))
    seed["apps"][0]["versions"].append(
        {
            "versionString": "1.5",
            "platform": "MAC_OS",
            "state": "PREPARE_FOR_SUBMISSION",
            "copyright": "2026 Example Inc.",
            "localizations": {
                "en-US": {
                    "description": "An old Mac description.",
                    "keywords": "films,cinema",
                    "whatsNew": "Bug fixes.",
                    "supportUrl": "https://example.com/support",
                }
            },
        }
    )
    return seed


def test_a_platform_shares_the_app_info_and_overrides_version_text(two_platforms: Path) -> None:
    report = validate_repo(two_platforms)
    assert report.ok, [p.format(two_platforms) for p in report.errors]
    app = report.repo.apps["demo"]
    mac = app.platforms["MAC_OS"]
    assert mac.address == MAC and version_string(mac) == "1.5"
    text = LOCALES.desired(mac)["en-US"]
    assert text.get("description") == "The demo, on your Mac."  # its own
    assert text.get("keywords") == ["films", "cinema"]  # the app's
    assert "name" not in text.attrs  # app info is the app's only


def test_each_platform_is_planned_and_applied_under_its_own_address(two_platforms: Path) -> None:
    with Sandbox(seed=mac_seed(two_platforms), settings={"settle_seconds": 0}) as sandbox:
        planned = run(sandbox, "plan", str(two_platforms), "--detailed-exitcode")
        assert planned.exit_code == 2, planned.output
        assert f"~ {MAC}.version[1.5].locale[en-US]  # update" in planned.output
        assert (
            '~ description: "An old Mac description." -> "The demo, on your Mac."' in planned.output
        )
        assert "app[demo].version[1.1.0]" not in planned.output  # iOS already matches
        assert "info.locale" not in planned.output  # shared app info is planned once
        applied = run(sandbox, "apply", str(two_platforms), "--auto-approve")
        assert applied.exit_code == 0, applied.output
        again = run(sandbox, "plan", str(two_platforms), "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        mac = [
            v
            for v in sandbox.store.list("appStoreVersions")
            if v.attributes["platform"] == "MAC_OS"
        ][0]
        texts = sandbox.store.related(mac, "appStoreVersionLocalizations")
        assert [t.attributes["description"] for t in texts] == ["The demo, on your Mac."]


def test_a_platform_folder_needs_a_version_and_a_platform_name(repo: Path) -> None:
    (repo / "apps/demo/platforms/MAC").mkdir(parents=True)
    (repo / "apps/demo/platforms/TV_OS").mkdir(parents=True)
    (repo / "apps/demo/platforms/IOS").mkdir(parents=True)
    errors = sorted(p.format(repo) for p in validate_repo(repo).errors)
    assert errors == [
        "apps/demo/platforms/IOS: platforms: IOS is the app's own platform (app.yml: platform) "
        "(its files go in the app folder itself)",
        "apps/demo/platforms/MAC: platforms: 'MAC' is not a platform folder (did you mean MAC_OS?)",
        "apps/demo/platforms/TV_OS: platforms: TV_OS has no version.yml "
        "(add platforms/TV_OS/version.yml with its version)",
    ]


def test_app_info_keys_stay_in_the_apps_own_locale_file(two_platforms: Path) -> None:
    locale = two_platforms / "apps/demo/platforms/MAC_OS/locales/en-US.yml"
    locale.write_text("name: Demo for Mac\ndescription: The demo, on your Mac.\n")
    errors = [p.format(two_platforms) for p in validate_repo(two_platforms).errors]
    assert (
        len(errors) == 1
        and "apps/demo/platforms/MAC_OS/locales/en-US.yml:1: name: unknown key" in errors[0]
    )
