"""Build tiny desired-state repos in a temp folder: a valid baseline plus the file under test.

The baseline validates clean, so a test that changes one file sees exactly the problems
that file causes.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "example-repo"
IPHONE_PNG = EXAMPLE / "apps/moviecatalog/screenshots/en-US/APP_IPHONE_67/01-home.png"

BASELINE: dict[str, str] = {
    "ascsync.yml": "format_version: 1\n",
    "apps/demo/app.yml": """\
        bundle_id: com.example.demo
        platform: IOS
        primary_locale: en-US
        """,
    "apps/demo/locales/en-US.yml": """\
        name: Demo App
        description: A demo.
        support_url: https://example.com/support
        privacy_policy_url: https://example.com/privacy
        """,
}


def make_repo(root: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """Write the baseline plus ``files`` (``None`` deletes a baseline file) under ``root``."""
    merged: dict[str, str | bytes | None] = {**BASELINE, **(files or {})}
    for relative, content in merged.items():
        path = root / relative
        if content is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    shot_dir = root / "apps/demo/screenshots/en-US/APP_IPHONE_67"
    shot_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(IPHONE_PNG, shot_dir / "01.png")
    return root
