"""Rules no stricter than Apple's: real listings that App Store Connect takes validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ascsync.kinds.registry import validate_repo
from tests.desired.minirepo import IPHONE_PNG, make_repo

VERSION = "apps/demo/version.yml"


@pytest.mark.parametrize(
    "copyright_text",
    ["2016-2019 Jane Doe", "© 2019 Example", "Copyright 2020–2026 Example GmbH", "2026 Example"],
)
def test_copyright_is_free_text(tmp_path: Path, copyright_text: str) -> None:
    """Five of eight real apps write a year range; Apple accepts any text."""
    root = make_repo(tmp_path, {VERSION: f'version: "1.0"\ncopyright: "{copyright_text}"\n'})
    report = validate_repo(root)
    assert report.problems == []


def test_a_copyright_without_a_year_or_in_the_future_only_warns(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {VERSION: 'version: "1.0"\ncopyright: "Example Inc."\n'})
    report = validate_repo(root)
    assert report.ok
    assert [p.format(root) for p in report.warnings] == [
        "apps/demo/version.yml:2: copyright: has no year (App Store copyrights usually start "
        'with one, e.g. "2026 Example Inc.")'
    ]
    future = make_repo(tmp_path / "f", {VERSION: 'version: "1.0"\ncopyright: "2999 X"\n'})
    assert validate_repo(future).ok
    assert "year 2999 is in the future" in validate_repo(future).warnings[0].message


def test_other_locales_fall_back_to_the_primary_locales_screenshots(tmp_path: Path) -> None:
    """A de-DE listing with only an iPhone set, in an iPad app: Apple shows the primary
    locale's iPad set; it used to be an error."""
    root = make_repo(
        tmp_path,
        {
            "apps/demo/app.yml": "bundle_id: com.example.demo\nplatform: IOS\n"
            "primary_locale: en-US\nsupports_ipad: true\n",
            "apps/demo/locales/de-DE.yml": "name: Demo\ndescription: Eine Demo.\n",
        },
    )
    german = root / "apps/demo/screenshots/de-DE/APP_IPHONE_67"
    german.mkdir(parents=True)
    shutil.copyfile(IPHONE_PNG, german / "01.png")
    errors = [p.format(root) for p in validate_repo(root).errors]
    assert errors == [
        'apps/demo/screenshots/en-US: screenshots[en-US]: a 13" iPad set (APP_IPAD_PRO_3GEN_129) '
        "is required when the app runs on iPad; none for en-US "
        "(add a folder en-US/APP_IPAD_PRO_3GEN_129/)"
    ]


def test_an_app_without_a_screenshots_folder_manages_none(tmp_path: Path) -> None:
    """deliver's skip_screenshots: no folder means screenshots are not managed."""
    root = make_repo(tmp_path)
    shutil.rmtree(root / "apps/demo/screenshots")
    assert validate_repo(root).problems == []


def test_two_folders_for_one_bundle_id_are_refused(tmp_path: Path) -> None:
    """The old way to model two platforms: validate accepted it and apply met 409s."""
    root = make_repo(tmp_path)
    mac = root / "apps/demo-mac"
    shutil.copytree(root / "apps/demo", mac)
    (mac / "app.yml").write_text(
        "bundle_id: com.example.demo\nplatform: MAC_OS\nprimary_locale: en-US\n"
    )
    shutil.rmtree(mac / "screenshots")
    errors = [p.format(root) for p in validate_repo(root).errors]
    assert errors == [
        "apps/demo-mac/app.yml:1: bundle_id: com.example.demo is also the app of apps/demo/ "
        "(one folder per app; its platforms share that folder)"
    ]
