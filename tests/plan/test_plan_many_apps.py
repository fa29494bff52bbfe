"""Several apps in one repo are read at the same time, and planned in the repo's order."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

from ascsync.commands.plan import run_plan
from ascsync.kinds.registry import load_repo
from ascsync.sandbox import Sandbox
from tests.plan.conftest import client_for

NAMES = ["alpha", "bravo", "charlie"]


def many_apps(repo: Path, seed: dict[str, Any]) -> dict[str, Any]:
    """Copies of the demo app under other names and bundle ids; each one's subtitle differs."""
    apps = []
    for name in NAMES:
        folder = repo / "apps" / name
        shutil.copytree(repo / "apps" / "demo", folder)
        record = folder / "app.yml"
        record.write_text(record.read_text().replace("com.example.demo", f"com.example.{name}"))
        live = copy.deepcopy(seed["apps"][0])
        live["bundleId"] = f"com.example.{name}"
        live["appInfo"]["localizations"]["en-US"]["subtitle"] = f"Old {name}"
        apps.append(live)
    shutil.rmtree(repo / "apps" / "demo")
    return {"apps": apps}


def test_apps_are_read_concurrently_and_planned_in_repo_order(repo: Path, seed: dict) -> None:
    with Sandbox(seed=many_apps(repo, seed), latency_ms=40) as sandbox:
        desired, _ = load_repo(repo)
        run = run_plan(client_for(sandbox), desired, (), 16)
        journal = [e for e in sandbox.journal if e.kind == "api"]
    assert [c.app for c in run.plan.changes] == NAMES  # one subtitle each, in repo order
    assert [app.name for app, _ in run.parts] == NAMES
    # the apps' reads overlap: each app is looked up before the others' reads are done
    lookups = [i for i, e in enumerate(journal) if e.path == "/v1/apps" and e.method == "GET"]
    assert len(lookups) == len(NAMES)
    last_reads = max(i for i, e in enumerate(journal) if "appScreenshotSets" in e.path)
    assert max(lookups) < last_reads
    first_app_done = min(
        max(i for i, e in enumerate(journal) if app_id in e.path)
        for app_id in {live.app_id for _, live in run.parts}
    )
    assert max(lookups) < first_app_done
