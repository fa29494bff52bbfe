"""Run ``action.yml``'s own "Run ascsync" step locally, the way a GitHub runner would.

The step's ``env:`` block is rendered from the given inputs (and the defaults declared
in ``action.yml``), its ``run:`` script goes to bash, and the runner's files
(``GITHUB_EVENT_PATH``, ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``) are real files in a
temp folder. So the tests cover the wiring in ``action.yml`` as well as the Python.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

ACTION = Path(__file__).resolve().parents[2] / "action.yml"
INPUT_EXPR = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def load_action() -> dict:
    return YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))


def run_step() -> dict:
    """The step with ``id: run``, the only one that runs ascsync."""
    return next(s for s in load_action()["runs"]["steps"] if s.get("id") == "run")


def render(value: str, inputs: dict[str, str]) -> str:
    """Substitute ``${{ inputs.x }}``; any other expression is a test failure."""
    declared = load_action()["inputs"]

    def one(match: re.Match[str]) -> str:
        name = match[1]
        assert name in declared, f"action.yml uses undeclared input {name}"
        if name in inputs:
            return inputs[name]
        default = str(declared[name].get("default", ""))
        return "" if "${{" in default else default

    rendered = INPUT_EXPR.sub(one, value)
    assert "${{" not in rendered, f"unexpected expression in the run step: {value}"
    return rendered


@dataclass
class ActionRun:
    code: int
    console: str
    outputs: dict[str, str]
    summary: str
    workdir: Path


def parse_outputs(text: str) -> dict[str, str]:
    """Read a GITHUB_OUTPUT file: ``name=value`` lines and ``name<<DELIM`` heredocs."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for body_line in lines:
                if body_line == delimiter:
                    break
                value.append(body_line)
            else:
                raise AssertionError(f"output {name}: delimiter {delimiter} never closes")
            outputs[name] = "\n".join(value)
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(
    workdir: Path,
    inputs: dict[str, str],
    *,
    event_name: str,
    event: dict | None = None,
    github_api_url: str = "http://127.0.0.1:9",
    extra_env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> ActionRun:
    """Run the step once in ``workdir`` (a fresh folder per run keeps files apart).

    ``cwd`` is the step's working directory (on GitHub: the checked-out repository)."""
    workdir.mkdir(parents=True, exist_ok=True)
    event_path = workdir / "event.json"
    event_path.write_text(json.dumps(event or {}))
    output_path, summary_path = workdir / "github_output", workdir / "step_summary"
    output_path.touch()
    summary_path.touch()
    (workdir / "runner_temp").mkdir(exist_ok=True)
    (workdir / "tmp").mkdir(exist_ok=True)
    step = run_step()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ASC_", "ASCSYNC_"))},
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_OUTPUT": str(output_path),
        "GITHUB_STEP_SUMMARY": str(summary_path),
        "GITHUB_API_URL": github_api_url,
        "GITHUB_REPOSITORY": "example/moviecatalog",
        "RUNNER_TEMP": str(workdir / "runner_temp"),
        "TMPDIR": str(workdir / "tmp"),
        **{name: render(str(value), inputs) for name, value in step["env"].items()},
        **(extra_env or {}),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    return ActionRun(
        done.returncode,
        done.stdout + done.stderr,
        parse_outputs(output_path.read_text(encoding="utf-8")),
        summary_path.read_text(encoding="utf-8"),
        workdir,
    )
