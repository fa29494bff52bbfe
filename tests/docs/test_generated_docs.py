"""Docs that are generated or duplicated cannot drift from what they describe."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = (
    "ascsync-plan.yml",
    "ascsync-apply.yml",
    "ascsync-drift.yml",
    "ascsync-many-apps.yml",
)


def load_yaml(path: Path) -> object:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_commands_page_is_up_to_date():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts/gen_cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert page == module.render_cli_doc(), (
        "docs/commands.md is stale; regenerate it: python scripts/gen_cli_docs.py"
    )


def test_every_command_has_a_section():
    page = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    commands = ("init", "validate", "plan", "apply", "drift", "pull", "schema", "sandbox serve")
    for command in commands:
        assert f"`ascsync {command}`" in page


def test_example_workflows_are_the_same_in_docs_and_example_repo():
    for name in WORKFLOWS:
        in_docs = ROOT / "docs" / "examples" / "workflows" / name
        in_repo = ROOT / "example-repo" / ".github" / "workflows" / name
        assert in_docs.read_text() == in_repo.read_text(), f"{name} differs; copy docs/ over"


def test_example_workflows_only_use_inputs_and_outputs_the_action_has():
    action = load_yaml(ROOT / "action.yml")
    triggers = set()
    for name in WORKFLOWS:
        workflow = load_yaml(ROOT / "docs" / "examples" / "workflows" / name)
        triggers |= set(workflow[True] if True in workflow else workflow["on"])
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if step.get("uses", "").startswith("ascsync/ascsync@"):
                    assert set(step.get("with", {})) <= set(action["inputs"]), name
        text = (ROOT / "docs" / "examples" / "workflows" / name).read_text()
        for output in re.findall(r"steps\.drift\.outputs\.([\w-]+)", text):
            assert output in action["outputs"], f"{name} reads unknown output {output}"
    assert {"pull_request", "push", "schedule"} <= triggers


def test_ci_page_documents_every_input_and_output():
    action = load_yaml(ROOT / "action.yml")
    page = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for name in [*action["inputs"], *action["outputs"]]:
        assert f"`{name}`" in page, f"docs/ci.md does not mention `{name}`"


def test_pre_commit_hook_validates_the_example_repo(tmp_path):
    [hook] = load_yaml(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "ascsync-validate" and hook["pass_filenames"] is False
    assert re.search(hook["files"], "apps/moviecatalog/locales/en-US.yml")
    assert re.search(hook["files"], "ascsync.yml")
    assert not re.search(hook["files"], "README.md")
    repo = tmp_path / "listing"
    shutil.copytree(ROOT / "example-repo", repo, ignore=shutil.ignore_patterns(".ascsync"))
    good = subprocess.run(
        [*hook["entry"].split(), *hook["args"]], cwd=repo, capture_output=True, text=True
    )
    assert good.returncode == 0, good.stdout + good.stderr
    name_file = repo / "apps" / "moviecatalog" / "locales" / "en-US.yml"
    lines = name_file.read_text().splitlines()
    lines = ["name: " + "x" * 31 if ln.startswith("name:") else ln for ln in lines]
    name_file.write_text("\n".join(lines) + "\n")
    bad = subprocess.run(
        [*hook["entry"].split(), *hook["args"]], cwd=repo, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "en-US.yml" in bad.stdout + bad.stderr


def test_every_page_is_in_the_site_navigation():
    """``mkdocs build --strict`` (in CI) refuses a page missing from the nav; say it sooner."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s*([\w/.-]+\.md)\s*$", config, re.M))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages - listed == set(), "add these pages to the nav in mkdocs.yml"
    assert listed - pages == set(), "mkdocs.yml lists pages that do not exist"
