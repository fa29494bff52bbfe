"""Golden files: the markdown PR comment and the JSON plan, byte for byte.

A change to either format shows up as a diff of the golden file in review. After an
intended change, regenerate with ``ASCSYNC_UPDATE_GOLDEN=1 python -m pytest
tests/plan/test_plan_golden.py`` and commit the files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ascsync.sandbox import Sandbox
from tests.plan.test_plan_sandbox import run_plan

GOLDEN = Path(__file__).parent / "golden"


def varied(repo: Path, seed: dict[str, Any]) -> dict[str, Any]:
    """One change of each kind: update, create, delete, upload, replace."""
    seed["apps"][0]["appInfo"]["localizations"]["en-US"]["subtitle"] = "Old subtitle"
    version = seed["apps"][0]["versions"][1]
    version["localizations"]["en-US"]["description"] = "Line one.\nLine two.\nLine three."
    version["localizations"]["es-ES"] = {"description": "Una app."}
    (repo / "apps/demo/locales/en-US.yml").write_text(
        (repo / "apps/demo/locales/en-US.yml")
        .read_text()
        .replace(
            "description: A plain description.",
            'description: "Line one.\\nLine 2.\\nLine three."',
        )
    )
    (repo / "apps/demo/locales/de-DE.yml").write_text(
        "name: Demo-App\ndescription: Eine kleine App.\nsupport_url: https://example.com/de\n"
        "keywords: [filme, kino]\nprivacy_policy_url: https://example.com/privacy\n"
    )
    shots = repo / "apps/demo/screenshots"
    (shots / "de-DE/APP_IPHONE_67").mkdir(parents=True)
    Image.new("RGB", (1290, 2796), (90, 60, 30)).save(shots / "de-DE/APP_IPHONE_67/01-home.png")
    Image.new("RGB", (1290, 2796), (0, 0, 0)).save(shots / "en-US/APP_IPHONE_67/01-home.png")
    return seed


@pytest.mark.parametrize(("fmt", "name"), [("markdown", "plan.md"), ("json", "plan.json")])
def test_plan_output_matches_the_golden_file(repo: Path, seed: dict, fmt: str, name: str) -> None:
    with Sandbox(seed=varied(repo, seed)) as sandbox:
        result = run_plan(sandbox, repo, "--format", fmt)
    assert result.exit_code == 0, result.output
    golden = GOLDEN / name
    output = stable(result.stdout)
    if os.environ.get("ASCSYNC_UPDATE_GOLDEN"):
        golden.write_text(output)
    assert output == golden.read_text()


def stable(text: str) -> str:
    """Hashes depend on the PNG encoder's bytes (Pillow/zlib versions), not on ascsync."""
    text = re.sub(r"sha256:[0-9a-f]{64}", "sha256:<fingerprint>", text)
    return re.sub(r"\b[0-9a-f]{32}\b", "<md5>", text)
