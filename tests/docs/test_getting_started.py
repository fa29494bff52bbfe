"""The getting-started page works verbatim: every ``sh`` block is run, in order, in an
empty folder, the way a newcomer would paste it (sandbox only, no credentials)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "getting-started.md"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)
EXPECTED = re.compile(r"#\s*exit code (\d+)\s*$")


def commands(markdown: str) -> list[tuple[str, int]]:
    """Each command of the ``sh`` blocks with the exit code its comment announces (else 0)."""
    found = []
    for block in SH_BLOCK.findall(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            expected = EXPECTED.search(line)
            found.append((line, int(expected[1]) if expected else 0))
    return found


def clean_env() -> dict[str, str]:
    """A newcomer's shell: no App Store Connect credentials, the installed ascsync first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASC_", "ASCSYNC_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def test_the_page_has_commands_and_uses_only_the_sandbox():
    found = commands(PAGE.read_text(encoding="utf-8"))
    assert len(found) >= 6
    for command, _ in found:
        if command.startswith("ascsync plan") or command.startswith("ascsync apply"):
            assert "--sandbox" in command, command


def test_getting_started_commands_run_verbatim(tmp_path):
    env = clean_env()
    for command, expected in commands(PAGE.read_text(encoding="utf-8")):
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == expected, (
            f"`{command}` exited {done.returncode}, the page says {expected}\n"
            f"{done.stdout}\n{done.stderr}"
        )
        assert "Traceback" not in done.stderr, command
    # The page's promise: after apply, the second plan finds nothing to change.
    assert "No changes" in done.stdout
