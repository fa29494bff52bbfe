"""One apply at a time: a second apply on the same repo refuses, naming who holds it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from ascsync.io.apply_lock import apply_lock
from ascsync.sandbox import Sandbox
from tests.trust.conftest import Seed, run

WRITES = {"POST", "PATCH", "DELETE", "PUT"}


def differing(seed: Seed) -> Seed:
    seed["apps"][0]["versions"][1]["localizations"]["en-US"]["description"] = "Older."
    return seed


def test_a_second_apply_refuses_while_one_runs(repo: Path, seed: Seed) -> None:
    with Sandbox(seed=differing(seed), settings={"settle_seconds": 0}) as sandbox:
        with apply_lock(repo, ".ascsync", "ascsync apply (the first one)"):
            second = run(sandbox, "apply", str(repo), "--auto-approve")
            assert second.exit_code == 1, second.output
            assert "another apply is running on this repo" in second.output
            assert f"on {socket.gethostname()}" in second.output
            assert "ascsync apply (the first one)" in second.output
            assert not [e for e in sandbox.journal if e.method in WRITES]
        after = run(sandbox, "apply", str(repo), "--auto-approve")
        assert after.exit_code == 0, after.output
        assert not (repo / ".ascsync/apply.lock").exists()


def test_a_lock_left_by_a_dead_process_is_taken_over(repo: Path, seed: Seed) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    lock = repo / ".ascsync/apply.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(
        json.dumps(
            {
                "pid": int(gone.stdout),
                "host": socket.gethostname(),
                "user": "ci",
                "command": "ascsync apply",
                "started": "then",
            }
        )
    )
    with Sandbox(seed=differing(seed), settings={"settle_seconds": 0}) as sandbox:
        result = run(sandbox, "apply", str(repo), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "taking over a stale apply lock" in result.output
    assert not lock.exists()
