"""Hostile repo content cannot make validate run for minutes or eat gigabytes: YAML alias
bombs, and templates that loop or print without end, are refused with a
problem on the right file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter
from ascsync.kinds.locales import LOCALES
from ascsync.kinds.registry import FILES, validate_repo
from tests.desired.minirepo import make_repo

EN = "apps/demo/locales/en-US.yml"


def billion_laughs(levels: int = 9) -> str:
    """``defaults`` where each level is nine aliases of the one before: 9**9 values."""
    lines = ["format_version: 1", "defaults:", '  l0: &l0 ["lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_defaults_is_refused_on_its_line(tmp_path: Path):
    root = make_repo(tmp_path, {"ascsync.yml": billion_laughs()})
    report = validate_repo(root)
    [problem] = report.problems
    assert problem.format(root) == (
        "ascsync.yml:2: defaults: YAML aliases (*name) expand this to 2,233,721,270 values, "
        "more than 10,000 beyond what is written (an alias bomb?); not read "
        "(write the values out, or use fewer nested aliases)"
    )


def test_ordinary_aliases_still_work(tmp_path: Path):
    config = """\
        format_version: 1
        defaults:
          links: &links {support: "https://example.com/help", privacy: "https://example.com/p"}
          ios: *links
          mac: *links
        """
    root = make_repo(tmp_path, {"ascsync.yml": config})
    report = validate_repo(root)
    assert report.problems == []
    assert report.repo.defaults["mac"]["support"] == "https://example.com/help"


def test_pull_and_drift_write_refuse_to_merge_into_an_alias_bomb(tmp_path: Path):
    root = make_repo(tmp_path, {"ascsync.yml": billion_laughs()})
    with pytest.raises(AscsyncError, match=r"ascsync.yml:2: cannot update it: YAML aliases"):
        RepoWriter(root, FILES).ensure_config("demo")


# --- templates ----------------------------------------------------------------------------


def _render(tmp_path: Path, template: str) -> tuple[list[str], object]:
    """Validate a repo whose en-US description is ``template``; (problems, description)."""
    files = {
        "apps/demo/texts/description.j2": template,
        "apps/demo/version.yml": "version: '1.0'\n",
    }
    root = make_repo(tmp_path, files)
    text = (
        (root / EN)
        .read_text()
        .replace("description: A demo.", "description: !template ../texts/description.j2")
    )
    (root / EN).write_text(text)
    report = validate_repo(root)
    record = LOCALES.desired(report.repo.apps["demo"])["en-US"]
    messages = [p.message for p in report.problems if not p.message.startswith("is not set")]
    return messages, record.get("description")


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    from ascsync.desired import templates

    monkeypatch.setattr(templates, "SECONDS", 0.5)


def test_a_template_that_loops_for_hours_is_stopped_at_the_deadline(tmp_path, short_deadline):
    # 10 billion iterations and no output: only a deadline stops this.
    loops = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    messages, value = _render(tmp_path, "Intro.\n" + loops)
    assert messages == ["template stopped: did not finish within 0.5 s (a loop too long?)"]
    assert value is None


def test_a_template_that_prints_without_end_is_cut_at_the_output_cap(tmp_path, short_deadline):
    messages, value = _render(tmp_path, "{% for a in range(100000) %}{{ 'x' * 50 }}{% endfor %}")
    assert messages == ["template stopped: output is longer than 100,000 characters"]


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'x' * 10**10 }}",
        "{{ 'x' | center(10**10) }}",
        "{{ ('%0' ~ '9999999999' ~ 'd') % 1 }}",
        "{{ '{:>9999999999}'.format(1) }}",
        "{% set ns = namespace(s='xxxxxxxxxx') %}"
        "{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
        "{% set x = 'x' * 60000 %}{% set y = x ~ x ~ x ~ x ~ x ~ x ~ x ~ x ~ x %}{{ y|length }}",
        "{{ 7 ** 99999999 }}",
    ],
)
def test_values_cannot_grow_past_the_cap(tmp_path, short_deadline, template):
    messages, value = _render(tmp_path, template)
    [message] = messages
    assert message.startswith("template stopped: "), message
    assert value is None


def test_ordinary_templates_render_as_before(tmp_path):
    template = (
        "{{ app.name|title }} {{ version }}: "
        "{% for word in ['fast', 'private'] %}{{ word }}{{ ', ' if not loop.last }}{% endfor %}."
        " {{ '%d%%' % 50 }} off."
    )
    messages, value = _render(tmp_path, template)
    assert messages == []
    assert value == "Demo 1.0: fast, private. 50% off."
