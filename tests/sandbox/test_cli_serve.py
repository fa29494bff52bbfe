"""``ascsync sandbox serve`` as a user runs it: a subprocess, its output, Ctrl-C."""

from __future__ import annotations

import json
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

from ascsync.api.tokens import mint_token

pytestmark = pytest.mark.slow


class Served:
    """A running ``sandbox serve`` subprocess and what it printed."""

    def __init__(self, *args: str) -> None:
        command = [sys.executable, "-m", "ascsync.cli", "sandbox", "serve", "--port", "0", *args]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.lines: list[str] = []
        deadline = time.monotonic() + 20
        while not any(line.startswith("Press Ctrl-C") for line in self.lines):
            line = self.process.stdout.readline()
            if not line or time.monotonic() > deadline:
                raise AssertionError(
                    f"serve did not start: {self.lines} {self.process.stderr.read()}"
                )
            self.lines.append(line.rstrip("\n"))
        self.url = re.search(r"serving at (\S+)", self.lines[0]).group(1)
        self.key_path = Path(re.search(r"\): (\S+)$", self.lines[1]).group(1))

    def token(self) -> str:
        key = json.loads(self.key_path.read_text())
        return mint_token(key["key_id"], key["key"], key["issuer_id"])

    def get(self, path: str) -> requests.Response:
        return requests.get(self.url + path, headers={"Authorization": f"Bearer {self.token()}"})

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        self.process.send_signal(sig)
        out, _err = self.process.communicate(timeout=15)
        return self.process.returncode, out


@pytest.fixture
def served() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for item in started:
        if item.process.poll() is None:
            item.process.kill()
            item.process.wait()


def test_serve_prints_url_and_key_and_answers_with_the_demo_seed(served) -> None:
    server = Served()
    served.append(server)

    assert server.url.startswith("http://127.0.0.1:")
    assert server.key_path.is_file()
    assert "ascsync sandbox token --api-key-json" in "\n".join(server.lines)
    apps = server.get("/v1/apps?filter[bundleId]=com.example.moviecatalog").json()["data"]
    assert [a["attributes"]["name"] for a in apps] == ["Movie Catalog"]

    code, out = server.stop(signal.SIGINT)

    assert code == 0
    assert "sandbox stopped" in out
    assert not server.key_path.exists()


def test_serve_stops_cleanly_on_sigterm_and_keeps_state(served, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = Served("--seed", "none", "--state", str(state))
    served.append(first)
    assert first.get("/v1/apps").json()["data"] == []
    territories = first.get("/v1/territories?limit=200").json()["data"]
    assert {"USA", "DEU", "JPN"} <= {t["id"] for t in territories}
    assert first.stop(signal.SIGTERM)[0] == 0
    assert state.is_file()

    second = Served("--state", str(state))  # the state file wins over the (demo) seed
    served.append(second)
    assert second.get("/v1/apps").json()["data"] == []
    assert second.stop()[0] == 0


def test_token_command_mints_a_token_the_sandbox_accepts(served) -> None:
    server = Served("--seed", "none")
    served.append(server)
    command = [sys.executable, "-m", "ascsync.cli", "sandbox", "token"]
    token = subprocess.run(
        [*command, "--api-key-json", str(server.key_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    response = requests.get(f"{server.url}/v1/apps", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    server.stop()


def test_a_bad_seed_is_one_line_without_traceback(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yml"
    seed.write_text("apps:\n  - bundleId: com.example.x\n    name: X\n    colour: red\n")
    command = [sys.executable, "-m", "ascsync.cli", "sandbox", "serve", "--seed", str(seed)]

    result = subprocess.run(command, capture_output=True, text=True, timeout=30)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{seed}:4: apps[0].colour: unknown key for apps" in result.stderr


def test_a_setting_without_a_value_is_refused_before_serving() -> None:
    from click.testing import CliRunner

    from ascsync.cli import cli

    result = CliRunner().invoke(cli, ["sandbox", "serve", "--set", "settle_seconds"])

    assert result.exit_code == 1  # a usage error: 1, never the 2 of "changes found"
    assert "'settle_seconds' is not KEY=VALUE" in result.output


def test_settings_given_on_the_command_line_reach_the_sandbox(served, tmp_path: Path) -> None:
    seed = tmp_path / "seed.yml"
    seed.write_text(
        "apps:\n  - bundleId: com.example.cli\n    name: CLI\n    versions:\n"
        "      - versionString: '1.0'\n        localizations:\n          en-US:\n"
        "            screenshots: {APP_IPHONE_67: []}\n"
    )
    server = Served("--seed", str(seed), "--set", "upload_part_size=1000")
    served.append(server)
    [shot_set] = _screenshot_sets(server)
    reservation = requests.post(
        f"{server.url}/v1/appScreenshots",
        headers={"Authorization": f"Bearer {server.token()}"},
        json={
            "data": {
                "type": "appScreenshots",
                "attributes": {"fileName": "a.png", "fileSize": 2500},
                "relationships": {
                    "appScreenshotSet": {"data": {"type": "appScreenshotSets", "id": shot_set}}
                },
            }
        },
    )
    operations = reservation.json()["data"]["attributes"]["uploadOperations"]
    assert [op["length"] for op in operations] == [1000, 1000, 500]
    assert server.stop()[0] == 0


def _screenshot_sets(server: Served) -> list[str]:
    """Set ids, found the way a client would: app -> versions -> localizations -> sets."""
    [app] = server.get("/v1/apps").json()["data"]
    [version] = server.get(f"/v1/apps/{app['id']}/appStoreVersions").json()["data"]
    path = f"/v1/appStoreVersions/{version['id']}/appStoreVersionLocalizations"
    [loc] = server.get(path).json()["data"]
    sets = server.get(f"/v1/appStoreVersionLocalizations/{loc['id']}/appScreenshotSets")
    return [s["id"] for s in sets.json()["data"]]
