"""Names and values from the repo or App Store Connect cannot change what a PR comment,
issue or job summary shows: no HTML comment that hides the rest, no forged plan line,
no broken table, no @mention pinging a team on every push."""

from __future__ import annotations

import re

from ascsync.commands.drift import Drift, DriftReport, Kind
from ascsync.commands.drift import render_markdown as drift_markdown
from ascsync.engine.plan import Action, Change, FieldChange, Plan
from ascsync.engine.render import (
    html_text,
    md_code,
    md_fence,
    md_text,
    render_markdown,
    render_text,
)
from ascsync.gha.steps import _problems_markdown

HOSTILE_APP = "mc<!--"
ALLOWED_TAGS = re.compile(r"</?(details|summary|b)>")


def outside_code(md: str) -> str:
    """What a CommonMark renderer reads as markdown/HTML: fenced blocks (closed by a fence
    at least as long) and inline code spans (closed by an equal run) removed."""
    kept, fence = [], None
    for line in md.splitlines():
        opener = re.match(r"(`{3,})", line)
        if fence is None and opener:
            fence = opener[1]
        elif fence is not None and re.fullmatch("`" * len(fence) + "`*", line):
            fence = None
        elif fence is None:
            kept.append(line)
    text = "\n".join(kept)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def raw_html(md: str) -> list[str]:
    """Tags or comments the renderer would act on, other than the layout's own."""
    rest = ALLOWED_TAGS.sub("", outside_code(md))
    return re.findall(r"(?<!\\)<[!/a-zA-Z?]", rest)


def _plan() -> Plan:
    forged = "01.png]  # upload\n- app[mc].version[2.0].locale[en-US]  # delete\n```\n</details>"
    return Plan(
        changes=[
            Change(
                f"app[{HOSTILE_APP}].info.locale[en-US]",
                Action.UPDATE,
                "appInfoLocalizations",
                HOSTILE_APP,
                "en-US",
                fields=(FieldChange("subtitle", "Films", "Films & <b>series</b>"),),
            ),
            Change(
                f"app[mc].version[2.0].locale[en-US].screenshots[APP_IPHONE_67][{forged}]",
                Action.UPLOAD,
                "appScreenshots",
                "mc",
                "en-US",
            ),
        ],
        locked=[
            Change(
                "app[mc].iap[`pro`|<img src=x onerror=alert(1)>]",
                Action.UPDATE,
                "inAppPurchases",
                "mc",
                None,
                note="locked while @acme/release-team reviews <!-- it",
            )
        ],
    )


def test_an_app_named_like_an_html_comment_does_not_hide_the_plan():
    md = render_markdown(_plan())
    assert raw_html(md) == []
    assert "<b>mc&lt;!-- · en-US</b>" in md
    # The mention is broken by an invisible joiner, the text still reads the same.
    assert "@acme/release-team" not in md
    assert "@\u2060acme" in md


def test_a_line_break_in_a_name_cannot_forge_a_plan_line_or_close_the_block():
    md = render_markdown(_plan())
    lines = md.splitlines()
    assert not any(line.startswith("- app[mc].version[2.0]") for line in lines)
    markup = outside_code(md)
    assert markup.count("<details>") == markup.count("</details>") == 2
    assert "01.png" not in markup  # the whole address stayed inside the diff block
    text = render_text(_plan(), color=False)
    assert "\\n- app[mc].version[2.0].locale[en-US]  # delete" in text
    assert not any(ln.startswith("- app[mc]") for ln in text.splitlines())


def test_drift_report_escapes_names_values_and_sources():
    drift = Drift(
        app=HOSTILE_APP,
        locale="en-US",
        address=f"app[{HOSTILE_APP}].info.locale[en-US]",
        kind=Kind.CHANGED,
        field="subtitle",
        live="<!-- hidden --> *bold* [link](https://evil.example)",
        repo="Films",
        source=f"apps/{HOSTILE_APP}/locales/en-US.yml:2",
    )
    md = drift_markdown(DriftReport([drift], [], 3))
    assert raw_html(md) == []
    markup = outside_code(md)
    assert "](https" not in markup and "*bold*" not in markup
    assert "mc&lt;!--" in md


def test_validation_table_keeps_its_columns_whatever_the_names():
    problem = {
        "file": "apps/mc/screenshots/en-US/APP_IPHONE_67/a|b`<!--.png",
        "line": None,
        "field": "screenshots[APP_IPHONE_67][a|b`<!--.png]",
        "message": "image has transparency | really <!-- hides",
        "valid": "save as RGB",
        "severity": "error",
    }
    md = _problems_markdown("listing|x", False, [problem])
    row = md.splitlines()[-1]
    assert len(re.findall(r"(?<!\\)\|", row)) == 5  # | icon | where | field | problem |
    assert raw_html(md) == []


def test_escaping_helpers():
    assert md_text("a <!-- b") == "a \\<\\!\\-\\- b"
    assert md_code("x ``y`` z") == "```x ``y`` z```"
    assert md_code("`edge`") == "`` `edge` ``"
    assert md_code("a|b", in_table=True) == "`a\\|b`"
    assert md_code("two\nlines") == "`two\\nlines`"
    assert html_text('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert md_fence("```\n````") == "`````\n```\n````\n`````\n"
