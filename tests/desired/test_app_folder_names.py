"""App folder names are limited to a safe set: they end up in plan addresses, PR comments,
CI logs and file names, where ``mc<!--`` or a line break would do harm."""

from __future__ import annotations

from pathlib import Path

from ascsync.kinds.registry import validate_repo
from tests.desired.minirepo import make_repo

APP_YML = "bundle_id: com.example.other\nplatform: IOS\nprimary_locale: en-US\n"
RULE = (
    "letters A-Z a-z, digits 0-9, '-', '_' and '.', starting with a letter or digit, "
    "at most 64 characters"
)


def test_a_folder_named_like_an_html_comment_is_refused_by_name(tmp_path: Path):
    root = make_repo(tmp_path, {"apps/mc<!--/app.yml": APP_YML})
    report = validate_repo(root)
    [problem] = report.problems
    assert problem.format(root) == (
        f"apps/mc<!--: apps: app folder 'mc<!--' has characters ascsync does not accept ({RULE})"
    )
    assert list(report.repo.apps) == ["demo"]  # the rest of the repo is still read


def test_line_breaks_and_non_ascii_letters_are_refused_too(tmp_path: Path):
    root = make_repo(tmp_path, {"apps/two\nlines/app.yml": APP_YML, "apps/café/app.yml": APP_YML})
    messages = sorted(p.message for p in validate_repo(root).problems)
    assert messages == [
        "app folder 'café' has characters ascsync does not accept",
        "app folder 'two\\nlines' has characters ascsync does not accept",
    ]


def test_ordinary_names_pass(tmp_path: Path):
    files = {f"apps/{name}/app.yml": APP_YML for name in ("movie-catalog", "Pro_2.0", "7x")}
    root = make_repo(tmp_path, files)
    assert not [p for p in validate_repo(root).problems if p.field == "apps"]
    assert {"movie-catalog", "Pro_2.0", "7x"} <= set(validate_repo(root).repo.apps)


def test_a_bad_name_listed_in_ascsync_yml_is_refused_on_its_line(tmp_path: Path):
    root = make_repo(tmp_path, {"ascsync.yml": "format_version: 1\napps:\n  - demo\n  - 'x y'\n"})
    [problem] = validate_repo(root).problems
    assert problem.line == 2
    assert problem.message == "app name 'x y' has characters ascsync does not accept"
