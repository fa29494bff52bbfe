"""Plan ordering and output: what a reviewer reads in a terminal, a PR comment or JSON."""

from __future__ import annotations

import json

import pytest

from ascsync.desired.model import Secret
from ascsync.engine.plan import Action, Change, FieldChange, Plan, fingerprint
from ascsync.engine.render import render_json, render_markdown, render_text

APP = "app[moviecatalog]"
VERSION = f"{APP}.version[2.4.0]"


def loc(locale: str) -> str:
    return f"{VERSION}.locale[{locale}]"


def sample_plan() -> Plan:
    return Plan(
        changes=[
            Change(
                f"{loc('fr-FR')}.screenshots[APP_IPHONE_67][01-home.png]",
                Action.UPLOAD,
                "appScreenshots",
                "moviecatalog",
                "fr-FR",
                after=(f"{loc('fr-FR')}.screenshots[APP_IPHONE_67]",),
            ),
            Change(
                f"{loc('es-ES')}",
                Action.DELETE,
                "appStoreVersionLocalizations",
                "moviecatalog",
                "es-ES",
            ),
            Change(
                f"{loc('fr-FR')}.screenshots[APP_IPHONE_67]",
                Action.CREATE,
                "appScreenshotSets",
                "moviecatalog",
                "fr-FR",
                after=(loc("fr-FR"),),
            ),
            Change(
                loc("fr-FR"),
                Action.CREATE,
                "appStoreVersionLocalizations",
                "moviecatalog",
                "fr-FR",
                fields=(FieldChange("description", None, "Votre catalogue."),),
                source="apps/moviecatalog/locales/fr-FR.yml:1",
                after=(VERSION,),
            ),
            Change(
                f"{loc('fr-FR')}.screenshots[APP_IPHONE_67].order",
                Action.REORDER,
                "appScreenshotSets",
                "moviecatalog",
                "fr-FR",
            ),
            Change(
                VERSION,
                Action.UPDATE,
                "appStoreVersions",
                "moviecatalog",
                fields=(FieldChange("copyright", "2025 Example Inc.", "2026 Example Inc."),),
            ),
            Change(
                f"{VERSION}.review",
                Action.UPDATE,
                "appStoreReviewDetails",
                "moviecatalog",
                fields=(
                    FieldChange(
                        "demo_account.password", Secret("old"), Secret("hunter2"), sensitive=True
                    ),
                ),
            ),
            Change(
                loc("de-DE"),
                Action.UPDATE,
                "appStoreVersionLocalizations",
                "moviecatalog",
                "de-DE",
                fields=(
                    FieldChange("subtitle", "Alte Filme", "Filme und Serien"),
                    FieldChange(
                        "description",
                        "Zeile eins\nZeile zwei\nZeile drei",
                        "Zeile eins\nZeile 2\nZeile drei",
                    ),
                ),
            ),
        ],
        requests=14,
        fingerprint=fingerprint({"v": 1}),
    )


def test_order_puts_parents_first_deletes_after_creates_and_reorders_last() -> None:
    ordered = [c.address for c in sample_plan().ordered()]
    assert ordered.index(VERSION) < ordered.index(loc("fr-FR"))
    assert ordered.index(loc("fr-FR")) < ordered.index(f"{loc('fr-FR')}.screenshots[APP_IPHONE_67]")
    assert ordered.index(f"{loc('fr-FR')}.screenshots[APP_IPHONE_67]") < ordered.index(
        f"{loc('fr-FR')}.screenshots[APP_IPHONE_67][01-home.png]"
    )
    assert ordered[-2] == loc("es-ES")
    assert ordered[-1].endswith(".order")


def test_dependency_cycle_is_an_error_not_a_hang() -> None:
    plan = Plan(
        [
            Change("a", Action.CREATE, "x", "app", after=("b",)),
            Change("b", Action.CREATE, "x", "app", after=("a",)),
        ]
    )
    with pytest.raises(ValueError, match="cycle among: a, b"):
        plan.ordered()


def test_summary_counts() -> None:
    assert sample_plan().summary() == "2 to create, 4 to update, 1 to delete, 1 uploads"


def test_text_view_groups_by_locale_and_hides_secrets() -> None:
    text = render_text(sample_plan(), color=False)
    assert "moviecatalog · de-DE" in text
    assert '~ subtitle: "Alte Filme" -> "Filme und Serien"' in text
    assert "- Zeile zwei" in text and "+ Zeile 2" in text
    assert "~ demo_account.password: (sensitive value changed)" in text
    assert "hunter2" not in text and "old" not in text.replace("Alte", "")
    assert "1 deletion(s):" in text
    assert text.rstrip().endswith(
        "Plan: 2 to create, 4 to update, 1 to delete, 1 uploads. 14 API requests to compute it.\n"
        "Applying it costs ≈ 24 API requests ≈ under a minute of the usual hourly budget "
        "(3,500/h)."
    )
    assert "(apps/moviecatalog/locales/fr-FR.yml:1)" in text


def test_no_changes_says_so() -> None:
    assert render_text(Plan(), color=False).startswith("No changes.")


def test_markdown_is_collapsible_and_flags_deletions() -> None:
    md = render_markdown(sample_plan())
    assert md.startswith("### ascsync plan\n")
    assert "> [!WARNING]\n> 1 deletion(s)" in md
    assert "<details><summary><b>moviecatalog · fr-FR</b>: 4 change(s)</summary>" in md
    assert md.count("```diff") == md.count("</details>")
    assert "hunter2" not in md


def test_markdown_truncates_to_fit_a_github_comment_and_says_so() -> None:
    changes = [
        Change(
            f"{APP}.version[1].locale[l{i}]",
            Action.UPDATE,
            "x",
            "moviecatalog",
            f"l{i}",
            fields=(FieldChange("description", "a" * 900, "b" * 900),),
        )
        for i in range(200)
    ]
    md = render_markdown(Plan(changes))
    assert len(md) <= 65_536
    assert "Plan truncated to fit a GitHub comment" in md
    assert md.count("<details>") == md.count("</details>")


def test_json_is_versioned_ordered_and_masks_secrets() -> None:
    data = json.loads(render_json(sample_plan()))
    assert data["schema_version"] == 1
    assert data["summary"] == {
        "create": 2,
        "update": 3,
        "delete": 1,
        "upload": 1,
        "replace": 0,
        "reorder": 1,
    }
    assert data["deletions"] == 1
    assert data["fingerprint"].startswith("sha256:")
    review = next(c for c in data["changes"] if c["address"] == f"{VERSION}.review")
    assert review["fields"] == [{"name": "demo_account.password", "sensitive": True}]
    assert "hunter2" not in json.dumps(data)


def test_fingerprint_is_stable_and_sensitive_to_change() -> None:
    assert fingerprint({"b": 1, "a": [1, 2]}) == fingerprint({"a": [1, 2], "b": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
