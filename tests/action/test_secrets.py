"""The action never lets the private key or a token reach outputs, summary, comment or logs,
and the key file it writes is private and gone afterwards."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.action.action_runner import run_action
from tests.action.conftest import GITHUB_TOKEN

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.")


def everything_written(run, github) -> str:
    """Every text the run left anywhere a person or another step could read it, except
    the ``::add-mask::`` commands (the runner consumes those; they never reach the log)."""
    console = "\n".join(ln for ln in run.console.splitlines() if not ln.startswith("::add-mask::"))
    texts = [console, run.summary, *run.outputs.values()]
    files = [p for p in run.workdir.rglob("*") if p.is_file() and p.name != "event.json"]
    texts += [p.read_text(errors="replace") for p in files]
    texts += [c.body for comments in github.issues.values() for c in comments]
    return "\n".join(texts)


def key_lines(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def test_key_and_tokens_never_leak(tmp_path, example_copy, github):
    with Sandbox(seed="demo") as sandbox:
        pem = sandbox.private_key_pem.decode()
        # Base64 of the PEM, as many teams store it, must work too.
        secret = base64.b64encode(pem.encode()).decode()
        run = run_action(
            tmp_path / "pr",
            {
                "repo": str(example_copy),
                "api-url": sandbox.url,
                "key-id": sandbox.key_id,
                "issuer-id": sandbox.issuer_id,
                "private-key": secret,
                "github-token": GITHUB_TOKEN,
            },
            event_name="pull_request",
            event={"pull_request": {"number": 5}},
            github_api_url=github.url,
        )
    assert run.code == 0, run.console
    assert run.outputs["comment"] == "created"  # the plan really used the key
    written = everything_written(run, github)
    for line in key_lines(pem):
        assert line not in written
    assert secret not in written
    assert GITHUB_TOKEN not in written
    assert not JWT.search(written)
    # Masks were requested before anything else was printed, one line each.
    assert run.console.startswith("::add-mask::")
    masks = {ln for ln in run.console.splitlines() if ln.startswith("::add-mask::")}
    assert f"::add-mask::{GITHUB_TOKEN}" in masks
    assert {f"::add-mask::{line}" for line in key_lines(pem)} <= masks
    # The temp key folder is gone.
    assert not list((run.workdir / "tmp").glob("ascsync-key-*"))


def test_a_key_that_is_not_pem_is_refused_without_quoting_it(tmp_path, example_copy):
    not_a_key = "this-is-not-a-private-key-but-a-secret-anyway"
    run = run_action(
        tmp_path / "bad-key",
        {"repo": str(example_copy), "key-id": "ABC123", "private-key": not_a_key},
        event_name="pull_request",
    )
    assert run.code == 1
    assert "::error::the private-key input is not a PEM key" in run.console
    assert not_a_key not in run.console.replace(f"::add-mask::{not_a_key}", "")
    assert "Traceback" not in run.console


def test_key_file_is_private_while_it_exists(tmp_path):
    from ascsync.gha.key_file import private_key_file

    pem = "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----"
    with private_key_file(pem, parent=str(tmp_path)) as path:
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
        assert path.read_text() == pem + "\n"
    assert not path.exists() and not Path(path.parent).exists()


def test_key_pasted_on_one_line_or_as_base64_still_loads(ec_key_pem):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from ascsync.gha.key_file import key_text

    pem = ec_key_pem if isinstance(ec_key_pem, str) else ec_key_pem.decode()
    one_line = " ".join(pem.split("\n")).strip()
    as_base64 = base64.b64encode(pem.encode()).decode()
    for pasted in (pem, one_line, as_base64):
        assert load_pem_private_key(key_text(pasted).encode(), password=None)
