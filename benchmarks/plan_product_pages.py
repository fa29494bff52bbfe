"""Requests each product page kind adds to ``ascsync plan`` of the example repo.

Plans example-repo against the demo sandbox with and without the folders of custom
product pages, in-app events and product page tests, once on the demo seed as shipped
and once after an apply (the steady state a CI plan sees), and prints what each kind
adds and which routes it asks.

Measured (demo seed; the example has 2 pages, 1 event with media, 1 test with one
treatment):

- first plan: 23 requests in all, 16 without the three kinds; pages +3, events +2,
  tests +2 (the test does not exist yet: its listing, and a look for a live version);
- after apply: 32 in all, 21 without; pages +6 (listing; localizations per page x 2;
  sets per locale with screenshots x 3), events +2 (listing with localizations; their
  media), tests +3 (listing; treatments with their locales; the treatment's sets).

Run by hand: ``python benchmarks/plan_product_pages.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from click.testing import CliRunner

from ascsync.cli import cli
from ascsync.sandbox import Sandbox

EXAMPLE = Path(__file__).resolve().parents[1] / "example-repo"
FOLDERS = {
    "custom_product_pages": "custom-product-pages",
    "app_events": "in-app-events",
    "product_page_tests": "product-page-tests",
}
ID = re.compile(r"/[0-9a-f-]{20,}|/\d{10}")


def invoke(sandbox: Sandbox, *args: str) -> str:
    base = ["--no-color", "--api-url", sandbox.url, "--api-key-json"]
    result = CliRunner().invoke(cli, [*base, str(sandbox.api_key_json_path), *args])
    return result.output


def copy(without: Iterable[str] = ()) -> Path:
    repo = Path(tempfile.mkdtemp()) / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".ascsync"))
    for folder in without:
        shutil.rmtree(repo / "apps/moviecatalog" / folder)
    return repo


def plan(sandbox: Sandbox, repo: Path) -> tuple[int, list[str]]:
    """Requests the plan reports, and the paths it asked."""
    mark = len(sandbox.journal)
    output = invoke(sandbox, "plan", str(repo))
    found = re.search(r"(\d+) API requests", output)
    assert found, output
    return int(found.group(1)), [e.path for e in list(sandbox.journal)[mark:]]


def main() -> None:
    os.environ.setdefault("MOVIECATALOG_DEMO_PASSWORD", "benchmark")
    for phase in ("first plan (demo seed)", "after apply"):
        with Sandbox(seed="demo", settings={"settle_seconds": 0.01}) as sandbox:
            if phase == "after apply":
                invoke(sandbox, "apply", str(copy()), "--auto-approve", "--allow-delete")
            whole, _ = plan(sandbox, copy())
            none, base = plan(sandbox, copy(FOLDERS.values()))
            print(f"{phase}: {whole} requests, {none} without the three kinds")
            known = {ID.sub("/{id}", p) for p in base}
            for kind, folder in FOLDERS.items():
                n, paths = plan(sandbox, copy(f for f in FOLDERS.values() if f != folder))
                shapes = sorted({ID.sub("/{id}", p) for p in paths} - known)
                print(f"  {kind}: +{n - none}  " + "; ".join(shapes))


if __name__ == "__main__":
    main()
