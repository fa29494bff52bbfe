"""Edge cases of `ascsync import fastlane`, each on a small hand-written deliver folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ascsync.kinds.registry import validate_repo
from tests.importer.conftest import run_import
from tests.importer.corpus import IPHONE_69, MAC, image, write


def load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def deliver_folder(root: Path, locales: dict[str, str] | None = None) -> Path:
    """fastlane/metadata with a name per locale; returns the project folder."""
    for code, name in (locales or {"en-US": "Tidewater"}).items():
        write(root / "fastlane" / "metadata" / code / "name.txt", name + "\n")
    return root


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# ---------------------------------------------------------------- #13: refuse, never half-write


def test_a_folder_that_is_not_deliver_is_refused_and_nothing_written(tmp_path: Path):
    write(tmp_path / "android-app" / "build.gradle", "plugins {}\n")
    write(tmp_path / "android-app" / "README.md", "# My app\n")
    result = run_import("android-app", "--out", "repo")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith(
            "error: android-app is not a fastlane deliver folder: it has no Deliverfile, no"
            " metadata/ or screenshots/ folder and no locale folders"
        )
    )
    assert "nothing was written" in result.output
    assert not (tmp_path / "repo").exists()


def test_a_project_root_with_nested_fastlane_folders_is_pointed_at_them(tmp_path: Path):
    deliver_folder(tmp_path / "app" / "ios")
    write(tmp_path / "app" / "android" / "fastlane" / "Appfile", 'package_name("x")\n')
    result = run_import("app", "--out", "repo")
    assert result.exit_code == 1
    assert "(found android/fastlane, ios/fastlane: pass one of them)" in result.output
    assert run_import("app/ios", "--out", "repo", "--app", "tides").exit_code == 0


def test_deliverfile_paths_out_of_the_project_are_not_read(tmp_path: Path):
    """#14: `app_rating_config_path "../../.ssh/id_ed25519"` is refused like a link out."""
    deliver_folder(tmp_path / "project")
    write(tmp_path / "secret.json", '{"HORROR": 2}')
    write(tmp_path / "project/fastlane/Deliverfile", 'app_rating_config_path "../secret.json"\n')
    result = run_import("project", "--out", "repo", "--app", "tides")
    assert result.exit_code == 1
    assert (
        "fastlane/Deliverfile: line 1: app_rating_config_path '../secret.json' is outside"
        in result.output
    )
    assert "the import reads only inside it" in result.output
    assert not (tmp_path / "repo/apps/tides/age-rating.yml").exists()


def test_importing_into_an_init_repo_keeps_complete_files_complete(tmp_path: Path):
    """#13: a repo made by `init` never has a complete age-rating.yml replaced by a partial."""
    from click.testing import CliRunner

    from ascsync.cli import cli

    init = CliRunner().invoke(
        cli, ["init", "repo", "--app", "tidewater", "--bundle-id", "com.example.tidewater"]
    )
    assert init.exit_code == 0, init.output
    rating_before = load(tmp_path / "repo/apps/tidewater/age-rating.yml")
    project = deliver_folder(tmp_path / "project")
    md = project / "fastlane" / "metadata"
    write(md / "default" / "privacy_url.txt", "https://tidewater.example.com/privacy\n")
    write(md / "en-US" / "description.txt", "Tide tables for 9,000 ports.\n")
    write(md / "en-US" / "support_url.txt", "https://tidewater.example.com/support\n")
    write(md / "primary_category.txt", "Weather\n")
    write(project / "fastlane" / "rating.json", '{"HORROR": 1, "unrestrictedWebAccess": 1}')
    args = ["project", "--rating-config", "project/fastlane/rating.json", "--out", "repo"]
    refused = run_import(*args, "--app", "tidewater", "--app-version", "1.4.0")
    assert refused.exit_code == 1 and "pass --force to merge into them" in refused.output
    result = run_import(*args, "--app", "tidewater", "--app-version", "1.4.0", "--force")
    assert result.exit_code == 0, result.output
    app = tmp_path / "repo/apps/tidewater"
    rating = load(app / "age-rating.yml")
    assert set(rating) == set(rating_before)  # still every answer
    assert rating["horror_or_fear_themes"] == "INFREQUENT"
    assert rating["unrestricted_web_access"] is True
    assert (app / "age-rating.yml").read_text("utf-8").startswith("# yaml-language-server")
    assert "age-rating.yml: kept " in result.output and "(fastlane gives no value)" in result.output
    # init's example texts are removed, not published as the app's listing
    en_us = load(app / "locales/en-US.yml")
    assert en_us == {
        "name": "Tidewater",
        "description": "Tide tables for 9,000 ports.",
        "support_url": "https://tidewater.example.com/support",
    }
    assert "removed subtitle (`ascsync init`'s example)" in result.output
    assert "privacy_policy_url (hid _defaults.yml's value from fastlane's default/)" in (
        result.output
    )
    version = load(app / "version.yml")
    assert version["version"] == "1.4.0"
    assert "review" not in version and "copyright" not in version  # Jane Appleseed is gone
    assert load(app / "app.yml")["categories"] == {"primary": "WEATHER"}
    assert load(app / "app.yml")["bundle_id"] == "com.example.tidewater"  # init's, kept
    assert "app.yml: kept bundle_id from the existing file" in result.output
    assert "has no bundle_id" not in result.output
    report = validate_repo(tmp_path / "repo")
    assert not [p for p in report.errors if p.file and p.file.name == "age-rating.yml"]


def test_writes_never_follow_a_link_out_of_the_repo(tmp_path: Path):
    """#14: `out/apps/<app>/screenshots` linking elsewhere is refused, nothing written."""
    deliver_folder(tmp_path / "project")
    image(tmp_path / "project/fastlane/screenshots/en-US/01.png", IPHONE_69)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "repo/apps/tidewater").mkdir(parents=True)
    os.symlink(elsewhere, tmp_path / "repo/apps/tidewater/screenshots")
    result = run_import("project", "--out", "repo", "--app", "tidewater")
    assert result.exit_code == 1
    assert "apps/tidewater/screenshots leads to " in result.output
    assert "the import writes only inside repo and never through a link out of it" in (
        result.output
    )
    assert list(elsewhere.iterdir()) == []
    assert not (tmp_path / "repo/apps/tidewater/app.yml").exists()


# ---------------------------------------------------------------- #13: primary locale


def test_the_primary_locale_is_never_the_alphabetically_first(tmp_path: Path):
    deliver_folder(tmp_path, {"de-DE": "Gezeiten", "ar-SA": "المد", "fr-FR": "Marées"})
    result = run_import(".", "--out", "repo", "--app", "tides")
    assert result.exit_code == 0, result.output
    assert "primary_locale" not in load(tmp_path / "repo/apps/tides/app.yml")
    assert (
        "primary locale unknown (no en-US among ar-SA, de-DE, fr-FR); app.yml has none:"
        " pass --primary-locale" in result.output
    )
    chosen = run_import(".", "--out", "repo2", "--app", "tides", "--primary-locale", "fr-FR")
    assert chosen.exit_code == 0, chosen.output
    assert load(tmp_path / "repo2/apps/tides/app.yml")["primary_locale"] == "fr-FR"


def test_default_folder_without_any_language_asks_for_one(tmp_path: Path):
    write(tmp_path / "fastlane/metadata/default/name.txt", "Tidewater\n")
    write(tmp_path / "fastlane/metadata/default/description.txt", "Tides.\n")
    result = run_import(".", "--out", "repo", "--app", "tides")
    assert result.exit_code == 1
    assert "default/ has text but no language is enabled" in result.output
    assert "pass --primary-locale to import default/ as that language" in result.output
    again = run_import(".", "--out", "repo2", "--app", "tides", "--primary-locale", "en-GB")
    assert again.exit_code == 0, again.output
    assert load(tmp_path / "repo2/apps/tides/app.yml")["primary_locale"] == "en-GB"
    assert load(tmp_path / "repo2/apps/tides/locales/_defaults.yml")["name"] == "Tidewater"
    assert (tmp_path / "repo2/apps/tides/locales/en-GB.yml").is_file()


# ---------------------------------------------------------------- #13: Deliverfile


def test_an_unset_env_lookup_is_named_and_a_set_one_is_used(tmp_path, monkeypatch):
    deliver_folder(tmp_path)
    write(tmp_path / "fastlane/Deliverfile", 'app_identifier ENV["TW_APP_ID"]\n')
    monkeypatch.delenv("TW_APP_ID", raising=False)
    unset = run_import(".", "--out", "repo", "--app", "tides")
    assert (
        "fastlane/Deliverfile: line 1: app_identifier reads $TW_APP_ID, which is not set where"
        " ascsync runs; not imported (set the variable, or give the value on the command line)"
    ) in unset.output
    assert "bundle_id" not in load(tmp_path / "repo/apps/tides/app.yml")
    monkeypatch.setenv("TW_APP_ID", "com.example.tides")
    found = run_import(".", "--out", "repo2", "--app", "tides")
    assert load(tmp_path / "repo2/apps/tides/app.yml")["bundle_id"] == "com.example.tides"
    assert "taken from app_identifier (read from $TW_APP_ID)" in found.output


def test_a_demo_password_from_the_environment_keeps_its_variable(tmp_path, monkeypatch):
    deliver_folder(tmp_path)
    write(
        tmp_path / "fastlane/Deliverfile",
        'app_review_information(\n  demo_user: "review@example.com",\n'
        '  demo_password: ENV["TW_REVIEW_PASSWORD"],\n  notes: "Tap Sign in."\n)\n',
    )
    monkeypatch.setenv("TW_REVIEW_PASSWORD", "hunter2-Secret!")
    result = run_import(".", "--out", "repo", "--app", "tides")
    text = (tmp_path / "repo/apps/tides/version.yml").read_text("utf-8")
    assert "password: !env TW_REVIEW_PASSWORD" in text
    assert "name: review@example.com" in text
    assert "hunter2" not in text and "hunter2" not in result.output


def test_skip_screenshots_leaves_screenshots_unmanaged(tmp_path: Path):
    deliver_folder(tmp_path)
    image(tmp_path / "fastlane/screenshots/en-US/01.png", IPHONE_69)
    write(tmp_path / "fastlane/Deliverfile", "skip_screenshots(true)\n")
    result = run_import(".", "--out", "repo", "--app", "tides")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "repo/apps/tides/screenshots").exists()
    assert "supports_ipad" not in load(tmp_path / "repo/apps/tides/app.yml")
    assert "skip_screenshots is set in the Deliverfile: deliver never uploads these" in (
        result.output
    )


# ---------------------------------------------------------------- #13: several platforms


def test_per_platform_subfolders_are_found_and_one_is_imported(tmp_path: Path):
    md = tmp_path / "fastlane" / "metadata"
    write(md / "ios" / "en-US" / "name.txt", "Tidewater\n")
    write(md / "macos" / "en-US" / "name.txt", "Tidewater for Mac\n")
    image(tmp_path / "fastlane/screenshots/ios/en-US/01.png", IPHONE_69)
    image(tmp_path / "fastlane/screenshots/macos/en-US/01.png", MAC)
    ios = run_import(".", "--out", "repo", "--app", "tides")
    assert ios.exit_code == 0, ios.output
    assert (
        "deliver folders found for iOS (fastlane/metadata/ios, fastlane/screenshots/ios) and"
        " macOS (fastlane/metadata/macos, fastlane/screenshots/macos): iOS is the app's own"
    ) in ios.output
    assert load(tmp_path / "repo/apps/tides/locales/en-US.yml") == {"name": "Tidewater"}
    assert (
        tmp_path / "repo/apps/tides/platforms/MAC_OS/screenshots/en-US/APP_DESKTOP/01.png"
    ).is_file()
    mac = run_import(".", "--out", "mac", "--app", "tides", "--platform", "mac_os")
    assert mac.exit_code == 0, mac.output
    assert load(tmp_path / "mac/apps/tides/locales/en-US.yml") == {"name": "Tidewater for Mac"}
    assert load(tmp_path / "mac/apps/tides/app.yml")["platform"] == "MAC_OS"
    assert (tmp_path / "mac/apps/tides/screenshots/en-US/APP_DESKTOP/01.png").is_file()
    tv = run_import(".", "--out", "tv", "--platform", "TV_OS")
    assert tv.exit_code == 1
    assert "no deliver folder for tvOS (--platform TV_OS); found iOS" in tv.output
    assert not (tmp_path / "tv").exists()


def test_deliverfile_for_platform_paths(tmp_path: Path):
    deliver_folder(tmp_path)
    write(tmp_path / "fastlane/mac/en-US/name.txt", "Tidewater for Mac\n")
    write(
        tmp_path / "fastlane/Deliverfile",
        'for_platform :mac do\n  metadata_path "./fastlane/mac"\nend\n',
    )
    result = run_import(".", "--out", "repo", "--app", "tides", "--platform", "MAC_OS")
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "repo/apps/tides/locales/en-US.yml") == {"name": "Tidewater for Mac"}


def test_dry_run_writes_nothing(tmp_path: Path):
    deliver_folder(tmp_path)
    image(tmp_path / "fastlane/screenshots/en-US/01.png", IPHONE_69)
    result = run_import(".", "--out", "repo", "--app", "tides", "--dry-run")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "repo").exists()
    assert "  would copy 1 screenshot(s) into apps/tides/screenshots/" in result.output
