"""An apply killed mid-way (SIGKILL) leaves App Store Connect half done; the next one converges."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.apply.conftest import PASSWORD, WRITES

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``ascsync sandbox serve`` in its own process (the killed apply must not take it down)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ascsync.cli",
            "sandbox",
            "serve",
            "--seed",
            "demo",
            "--port",
            "0",
            "--latency-ms",
            "15",
            "--state",
            str(tmp_path / "state.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    url = key = None
    deadline = time.monotonic() + 30
    while (url is None or key is None) and time.monotonic() < deadline:
        line = process.stdout.readline()
        url = url or (re.search(r"serving at (http://\S+)", line) or [None, None])[1]
        key = (
            key or (re.search(r"API key JSON \(fastlane format\): (\S+)", line) or [None, None])[1]
        )
    assert url and key, "sandbox did not start"
    try:
        yield url, key
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def ascsync(url: str, key: str, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ascsync.cli",
        "--no-color",
        "--api-url",
        url,
        "--api-key-json",
        key,
        *args,
    ]


def journal_writes(url: str, key: str) -> int:
    # The control endpoints need the sandbox's token.
    headers = {"Authorization": "Bearer " + token_for(key)}
    entries = requests.get(f"{url}/sandbox/journal", headers=headers, timeout=5).json()["entries"]
    return sum(1 for e in entries if e["method"] in WRITES)


def test_killed_apply_then_rerun_converges_without_duplicates(
    served: tuple[str, str], example: Path
) -> None:
    url, key = served
    env = {**os.environ, "MOVIECATALOG_DEMO_PASSWORD": PASSWORD}
    victim = subprocess.Popen(
        ascsync(url, key, "apply", str(example), "--auto-approve", "--allow-delete"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 60
    while journal_writes(url, key) < 25 and time.monotonic() < deadline and victim.poll() is None:
        time.sleep(0.02)
    assert victim.poll() is None, "apply finished before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)

    for _ in range(3):
        rerun = subprocess.run(
            ascsync(url, key, "apply", str(example), "--auto-approve", "--allow-delete"),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if rerun.returncode == 0:
            break
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    plan = subprocess.run(
        ascsync(url, key, "plan", str(example)), capture_output=True, text=True, env=env, timeout=60
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr

    headers = {"Authorization": "Bearer " + token_for(key)}
    names = screenshot_names(url, headers)
    assert len(names) == 8  # 4 locales x 2 display types
    for set_names in names.values():
        assert len(set_names) == len(set(set_names)) == 3


def token_for(key_file: str) -> str:
    from ascsync.api.credentials import resolve

    return resolve({"api_key_json": key_file}, {}).token_provider().token()


def screenshot_names(url: str, headers: dict[str, str]) -> dict[str, list[str]]:
    """File names per screenshot set of the 2.4.0 version, through the API."""
    app = requests.get(f"{url}/v1/apps", headers=headers, timeout=5).json()["data"][0]
    versions = requests.get(
        f"{url}/v1/apps/{app['id']}/appStoreVersions",
        params={"filter[versionString]": "2.4.0", "include": "appStoreVersionLocalizations"},
        headers=headers,
        timeout=5,
    ).json()
    out = {}
    for loc in versions.get("included", []):
        sets = requests.get(
            f"{url}/v1/appStoreVersionLocalizations/{loc['id']}/appScreenshotSets",
            params={"include": "appScreenshots"},
            headers=headers,
            timeout=5,
        ).json()
        included = {(i["type"], i["id"]): i for i in sets.get("included", [])}
        for item in sets["data"]:
            linkage = item["relationships"]["appScreenshots"]["data"]  # there: it was included
            shots = [included[(ref["type"], ref["id"])] for ref in linkage]
            key = f"{loc['attributes']['locale']}/{item['attributes']['screenshotDisplayType']}"
            out[key] = [s["attributes"]["fileName"] for s in shots]
    return out
