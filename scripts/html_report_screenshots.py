#!/usr/bin/env python3
"""Make the screenshots of the HTML report shown in ``docs/html-report.md``.

The example repo is planned against the built-in sandbox (its demo live state), limited
to the English listing so the picture stays readable, and the page is photographed by
headless chromium (Debian's package; ``.ci/run`` installs it). Two images: the top of
the page with the texts, and the screenshot galleries.

Usage: ``python scripts/html_report_screenshots.py`` (from the repository root).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
TARGETS = ("app[moviecatalog].version[2.4.0].locale[en-US]", "app[moviecatalog].info.locale[en-US]")
WIDTH = 1100
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "listing"
        shutil.copytree(ROOT / "example-repo", repo, ignore=shutil.ignore_patterns(".ascsync"))
        page = Path(tmp) / "report.html"
        targets = [arg for target in TARGETS for arg in ("--target", target)]
        subprocess.run(
            [sys.executable, "-c", "from ascsync.cli import main; main()", "plan", str(repo),
             "--sandbox", "--html", str(page), *targets],
            check=True, capture_output=True,
        )  # fmt: skip
        shot = Path(tmp) / "page.png"
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
             f"--window-size={WIDTH},3000", f"--screenshot={shot}", page.as_uri()],
            check=True, capture_output=True,
        )  # fmt: skip
        OUT.mkdir(parents=True, exist_ok=True)
        with Image.open(shot) as image:
            for name, box in (
                ("texts", (0, 0, WIDTH, 1400)),
                ("screenshots", (0, 1400, WIDTH, 2560)),
            ):
                part = image.crop(box).convert("P", palette=Image.Palette.ADAPTIVE, colors=128)
                part.save(OUT / f"html-report-{name}.png", optimize=True)
                print(f"wrote {OUT / f'html-report-{name}.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
