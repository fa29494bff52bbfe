"""One validation, run by every command before its first request."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascsync.kinds.registry import validate_repo
from ascsync.sandbox import Sandbox
from tests.trust.conftest import Seed, edit, run

LONG_KEYWORDS = "[" + ", ".join(f"keyword{n:02d}" for n in range(12)) + "]"  # 119 characters


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_a_repo_validate_rejects_is_never_sent(repo: Path, seed: Seed, command: str) -> None:
    """Joined keywords over 100 characters: a rule across values, which plan, apply and
    drift used to skip (the repo was applied with exit 0)."""
    edit(
        repo / "apps/demo/locales/en-US.yml",
        "keywords: [films, cinema]",
        f"keywords: {LONG_KEYWORDS}",
    )
    assert not validate_repo(repo).ok
    with Sandbox(seed=seed) as sandbox:
        extra = ["--auto-approve"] if command == "apply" else []
        result = run(sandbox, command, str(repo), *extra)
        assert result.exit_code == 1, result.output
        assert "apps/demo/locales/en-US.yml:4: keywords:" in result.output
        assert "nothing was sent to App Store Connect" in result.output
        assert list(sandbox.journal) == []


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("A demo\x00 app.", "a control character (U+0000)"),
        ("Price: \u202e99.0$\u202c", "a bidirectional control (U+202E)"),
        ("Colours \x1b[31mred\x1b[0m", "a control character (U+001B)"),
    ],
)
def test_invisible_control_characters_in_listing_text_are_refused(
    repo: Path, text: str, what: str
) -> None:
    locale = repo / "apps/demo/locales/en-US.yml"
    edit(locale, "description: A plain description.", f'description: "{_escaped(text)}"')
    errors = [p.format(repo) for p in validate_repo(repo).errors]
    assert errors == [
        f"apps/demo/locales/en-US.yml:3: description: contains {what} at character "
        f"{_first_bad(text) + 1} (remove it: it is invisible, and would reach the App Store "
        "as it is)"
    ]


def test_right_to_left_marks_are_fine(repo: Path) -> None:
    """U+200F is common in Arabic and Hebrew listings: not refused."""
    locale = repo / "apps/demo/locales/en-US.yml"
    edit(locale, "description: A plain description.", 'description: "\u200fשלום עולם"')
    assert validate_repo(repo).errors == []


def _escaped(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _first_bad(text: str) -> int:
    return next(i for i, c in enumerate(text) if not c.isprintable() and c != "\u200f")


def test_a_new_locale_without_the_name_apple_requires_is_refused_before_any_write(
    repo: Path, seed: Seed
) -> None:
    """Creating an app-info localization without a name is a 409 from Apple: the plan
    says so with the file and line, and apply sends nothing."""
    (repo / "apps/demo/locales/de-DE.yml").write_text(
        "subtitle: Eine kleine Demo\ndescription: Eine Demo.\n"
    )
    assert validate_repo(repo).ok  # offline, the locale might exist: a warning only
    assert "needs it to create this listing" in validate_repo(repo).warnings[0].message
    with Sandbox(seed=seed) as sandbox:
        planned = run(sandbox, "plan", str(repo))
        assert planned.exit_code == 1, planned.output
        assert (
            "apps/demo/locales/de-DE.yml:1: name: App Store Connect needs a name to create "
            "the de-DE listing" in planned.output
        )
        applied = run(sandbox, "apply", str(repo), "--auto-approve")
        assert applied.exit_code == 1, applied.output
        assert "nothing was changed" in applied.output
        assert not [e for e in sandbox.journal if e.method in {"POST", "PATCH", "DELETE"}]
