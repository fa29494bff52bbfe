"""Edges of the repo on disk: symlinks, media passed through, inheritance, app selection."""

from __future__ import annotations

import os
from pathlib import Path

from ascsync.kinds.locales import LOCALES
from ascsync.kinds.registry import validate_repo
from tests.desired.minirepo import IPHONE_PNG, make_repo

EN = "apps/demo/locales/en-US.yml"


def _lines(root: Path) -> list[str]:
    return [p.format(root) for p in validate_repo(root).problems]


def test_symlinked_yaml_leaving_the_repo_is_refused(tmp_path: Path):
    outside = tmp_path / "outside.yml"
    outside.write_text("name: Secret stuff\n")
    root = make_repo(tmp_path / "repo", {"apps/demo/locales/de-DE.yml": None})
    os.symlink(outside, root / "apps/demo/locales/de-DE.yml")
    [problem] = validate_repo(root).problems
    assert problem.file == root / "apps/demo/locales/de-DE.yml"
    # Problem.format() resolves the symlink before making the path relative, so only the
    # field and message are compared here (reported to the lead).
    assert problem.format(root).endswith(
        ": file: apps/demo/locales/de-DE.yml is a symlink leading "
        "outside the repo (keep every file inside the repo)"
    )


def test_symlink_inside_the_repo_is_fine(tmp_path: Path):
    root = make_repo(tmp_path, {"apps/demo/texts/d.md": "Shared description."})
    os.symlink(root / "apps/demo/texts/d.md", root / "apps/demo/texts/link.md")
    (root / EN).write_text(
        (root / EN)
        .read_text()
        .replace("description: A demo.", "description: !file ../texts/link.md")
    )
    report = validate_repo(root)
    assert report.problems == []
    assert LOCALES.desired(report.repo.apps["demo"])["en-US"].get("description") == (
        "Shared description."
    )


def test_media_problems_are_reported_with_the_rest(tmp_path: Path):
    """A truncated screenshot and a text error both show up in one run."""
    root = make_repo(tmp_path, {EN: "name: D\n"})
    data = IPHONE_PNG.read_bytes()
    (root / "apps/demo/screenshots/en-US/APP_IPHONE_67/02.png").write_bytes(data[: len(data) // 2])
    report = validate_repo(root)
    files = {p.file.name for p in report.errors}
    assert files == {"en-US.yml", "02.png"}


def test_locale_inherits_defaults_and_can_clear_them(tmp_path: Path):
    root = make_repo(
        tmp_path,
        {
            "apps/demo/locales/_defaults.yml": "marketing_url: https://example.com\n"
            "promotional_text: Shared promo\n",
            "apps/demo/locales/de-DE.yml": "name: Demo DE\nmarketing_url: null\n",
        },
    )
    report = validate_repo(root)
    assert report.problems == []
    de = LOCALES.desired(report.repo.apps["demo"])["de-DE"]
    assert de.get("promotional_text") == "Shared promo"
    assert "marketing_url" in de.attrs and de.attrs["marketing_url"].is_clear
    assert "subtitle" not in de.attrs  # absent = not managed


def test_defaults_problem_is_reported_once_not_per_locale(tmp_path: Path):
    root = make_repo(
        tmp_path,
        {
            "apps/demo/locales/_defaults.yml": "support_url: not a url\n",
            "apps/demo/locales/de-DE.yml": "name: Demo DE\n",
            "apps/demo/locales/ja.yml": "name: デモ\n",
        },
    )
    assert _lines(root) == [
        "apps/demo/locales/_defaults.yml:1: support_url: 'not a url' is not a full URL "
        "(e.g. https://example.com/x)"
    ]


def test_apps_list_selects_folders_and_flags_missing_ones(tmp_path: Path):
    root = make_repo(tmp_path, {"ascsync.yml": "format_version: 1\napps: [demo, dmeo]\n"})
    assert _lines(root) == [
        "ascsync.yml:2: apps: lists 'dmeo' but apps/dmeo/ does not exist (did you mean demo?)"
    ]


def test_unknown_format_version(tmp_path: Path):
    root = make_repo(tmp_path, {"ascsync.yml": "format_version: 2\n"})
    assert _lines(root) == ["ascsync.yml:1: format_version: is 2 (must be 1)"]


def test_misnamed_app_file_is_flagged(tmp_path: Path):
    root = make_repo(tmp_path, {"apps/demo/age_rating.yml": "gambling: false\n"})
    assert _lines(root) == [
        "apps/demo/age_rating.yml: file: is not a file ascsync reads (did you mean age-rating.yml?)"
    ]


def test_template_sees_app_values_defaults_locale_and_version(tmp_path: Path):
    root = make_repo(
        tmp_path,
        {
            "ascsync.yml": "format_version: 1\ndefaults: {company: Acme}\n",
            "apps/demo/app.yml": "bundle_id: com.example.demo\nplatform: IOS\n"
            "primary_locale: en-US\ncategories: {primary: UTILITIES}\n",
            "apps/demo/version.yml": 'version: "3.1"\n',
            "apps/demo/texts/promo.j2": "{{ app.name }}/{{ app.categories.primary }}/"
            "{{ defaults.company }}/{{ locale }}/{{ version }}\n",
            EN: "name: Demo App\npromotional_text: !template ../texts/promo.j2\n",
        },
    )
    report = validate_repo(root)
    en = LOCALES.desired(report.repo.apps["demo"])["en-US"]
    assert en.get("promotional_text") == "demo/UTILITIES/Acme/en-US/3.1"


def test_screenshot_outside_a_display_type_folder_is_flagged(tmp_path: Path):
    root = make_repo(tmp_path, {"apps/demo/screenshots/en-US/01.png": IPHONE_PNG.read_bytes()})
    assert _lines(root) == [
        "apps/demo/screenshots/en-US/01.png: screenshots: is ignored: each file goes in a folder "
        "named after its display type (move it to screenshots/en-US/<TYPE>/01.png)"
    ]


def test_template_problem_names_the_locale_it_was_rendered_for(tmp_path: Path):
    root = make_repo(
        tmp_path,
        {
            "apps/demo/locales/_defaults.yml": "promotional_text: !template ../texts/p.j2\n",
            "apps/demo/locales/de-DE.yml": "name: Demo DE\n",
            "apps/demo/texts/p.j2": "{% if locale == 'de-DE' %}{{ 'x' * 171 }}{% endif %}ok",
        },
    )
    assert _lines(root) == [
        "apps/demo/texts/p.j2:1: promotional_text: rendered for de-DE, is 173 characters long, "
        "the limit is 170 (shorten by 3)"
    ]
