"""Apply tests: the example repo in a temp folder, a sandbox, and ways to look inside it."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ascsync.cli import Settings, cli
from ascsync.engine import ops
from ascsync.sandbox import Sandbox

EXAMPLE = Path(__file__).resolve().parents[2] / "example-repo"
PASSWORD = "rehearsal-Passw0rd"
WRITES = {"POST", "PATCH", "DELETE", "PUT"}


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of example-repo (so its .ascsync cache stays out of the source tree)."""
    target = tmp_path / "example-repo"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".ascsync"))
    monkeypatch.setenv("MOVIECATALOG_DEMO_PASSWORD", PASSWORD)
    return target


def fast_settings() -> dict[str, Any]:
    return {"settle_seconds": 0.02}


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorter pauses between tries (backoff, the second look for a lost create): the
    same decisions, in a test that meets a few hundred faults, in seconds not minutes."""
    monkeypatch.setattr(ops, "SETTLE_SECONDS", 0.05)
    policy = Settings.retry_policy
    monkeypatch.setattr(
        Settings,
        "retry_policy",
        lambda self: dataclasses.replace(policy(self), backoff_base=0.05, backoff_max=0.5),
    )


def invoke(sandbox: Sandbox, command: str, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "--no-color",
            "--api-url",
            sandbox.url,
            "--api-key-json",
            str(sandbox.api_key_json_path),
            command,
            *args,
        ],
    )


def writes(sandbox: Sandbox, since: int = 0) -> list[Any]:
    """Journal entries of requests that change something (uploads included)."""
    return [e for e in list(sandbox.journal)[since:] if e.method in WRITES]


def converge(
    sandbox: Sandbox,
    repo: Path,
    *extra: str,
    attempts: int = 6,
    before_retry: Callable[[], None] | None = None,
) -> list[Result]:
    """Apply until it succeeds (as a user re-running a failed apply would)."""
    results = []
    for _ in range(attempts):
        result = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete", *extra)
        results.append(result)
        if result.exit_code == 0:
            return results
        if before_retry:
            before_retry()
    raise AssertionError("apply did not converge:\n" + "\n---\n".join(r.output for r in results))


def screenshot_sets(sandbox: Sandbox) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(locale, display type) -> [(file name, delivery state)] in the set's order."""
    store = sandbox.store
    out = {}
    for media_set in store.list("appScreenshotSets"):
        localization = store.related(media_set, "appStoreVersionLocalization")
        if not localization:
            continue
        items = [
            (
                s.attributes.get("fileName"),
                (s.attributes.get("assetDeliveryState") or {}).get("state"),
            )
            for s in store.related(media_set, "appScreenshots")
        ]
        key = (localization[0].attributes["locale"], media_set.attributes["screenshotDisplayType"])
        out.setdefault(key, []).extend(items)
    return out


def expected_sets(repo: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    root = repo / "apps" / "moviecatalog" / "screenshots"
    return {
        (loc.name, kind.name): [(f.name, "COMPLETE") for f in sorted(kind.iterdir())]
        for loc in root.iterdir()
        for kind in loc.iterdir()
    }
