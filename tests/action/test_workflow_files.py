"""Outputs survive any content: a plan cannot end its own value early or inject outputs."""

from __future__ import annotations

from ascsync.gha.workflow_files import mask, write_output
from tests.action.action_runner import parse_outputs


def test_multiline_values_cannot_inject_outputs(tmp_path):
    path = tmp_path / "out"
    env = {"GITHUB_OUTPUT": str(path)}
    hostile = "line one\nEOF\ndrift=false\nascsync_<<x\n"
    write_output("markdown", hostile, env)
    write_output("drift", "true", env)
    assert parse_outputs(path.read_text()) == {"markdown": hostile, "drift": "true"}


def test_every_line_of_a_multiline_secret_is_masked(tmp_path):
    out = tmp_path / "console"
    with out.open("w") as stream:
        pem = "-----BEGIN PRIVATE KEY-----\nAAAABBBBCCCC\nDDDDEEEE\n-----END PRIVATE KEY-----"
        mask(pem, stream)
    lines = out.read_text().splitlines()
    assert "::add-mask::AAAABBBBCCCC" in lines
    assert "::add-mask::DDDDEEEE" in lines
