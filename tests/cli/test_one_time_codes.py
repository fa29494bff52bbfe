"""``ascsync one-time-codes``: a batch of one-time-use offer codes, generated on request.

Against the sandbox with the example repo applied (so the "Film festival 2027" campaign
of the yearly subscription exists live).
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result

from ascsync.cli import cli
from ascsync.sandbox import Sandbox
from tests.apply.conftest import EXAMPLE, fast_settings

PRODUCT = "com.example.moviecatalog.plus.yearly"
CAMPAIGN = "Film festival 2027"
BATCHES = "subscriptionOfferCodeOneTimeUseCodes"


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path]]:
    repo = tmp_path_factory.mktemp("codes") / "example-repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".ascsync"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOVIECATALOG_DEMO_PASSWORD", "a-Passw0rd")
        env.setenv("MOVIECATALOG_BETA_DEMO_PASSWORD", "a-Passw0rd")
        with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
            done = ascsync(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
            assert done.exit_code == 0, done.output
            yield sandbox, repo


def ascsync(sandbox: Sandbox, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["--api-url", sandbox.url, "--api-key-json", str(sandbox.api_key_json_path), *args],
    )


def generate(sandbox: Sandbox, repo: Path, out: Path, *more: str, **given: str) -> Result:
    options = {
        "--app": "moviecatalog",
        "--product": PRODUCT,
        "--campaign": CAMPAIGN,
        "--count": "40",
        "--expires": "2099-03-31",
        **{f"--{k}": v for k, v in given.items()},
    }
    flat = [part for pair in options.items() for part in pair]
    return ascsync(sandbox, "one-time-codes", str(repo), *flat, "--out", str(out), *more)


def batches(sandbox: Sandbox) -> int:
    return len(sandbox.store.list(BATCHES))


def test_codes_go_to_a_private_file_and_never_to_the_output(applied, tmp_path: Path) -> None:
    sandbox, repo = applied
    before = batches(sandbox)
    out = tmp_path / "codes.csv"
    result = generate(sandbox, repo, out, "--auto-approve")
    assert result.exit_code == 0, result.output
    codes = out.read_text(encoding="utf-8").split()
    assert len(codes) == len(set(codes)) == 40
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not any(code in result.output for code in codes)
    assert "40 codes written to" in result.output and "do not commit it" in result.output
    assert batches(sandbox) == before + 1
    (batch,) = sandbox.store.list(BATCHES)[before:]
    assert batch.attributes["numberOfCodes"] == 40
    assert batch.attributes["expirationDate"] == "2099-03-31"


def test_nothing_is_generated_without_confirmation(applied, tmp_path: Path) -> None:
    sandbox, repo = applied
    before = batches(sandbox)
    out = tmp_path / "codes.csv"
    result = generate(sandbox, repo, out)  # no terminal, no --auto-approve
    assert result.exit_code == 1
    assert "+ 40 one-time-use codes for" in result.output  # said what it would do
    assert "refusing to prompt without a terminal" in result.output
    assert batches(sandbox) == before and not out.exists()


def test_the_file_must_be_new_and_outside_the_repo(applied, tmp_path: Path) -> None:
    sandbox, repo = applied
    before = batches(sandbox)
    inside = generate(sandbox, repo, repo / "codes.csv", "--auto-approve")
    assert inside.exit_code == 1
    assert "inside the repo; write the codes outside it" in inside.output
    existing = tmp_path / "old.csv"
    existing.write_text("EARLIERCODE1\n")
    again = generate(sandbox, repo, existing, "--auto-approve")
    assert again.exit_code == 1 and "codes are never overwritten" in again.output
    assert existing.read_text() == "EARLIERCODE1\n"
    assert batches(sandbox) == before


def test_an_unknown_campaign_names_the_live_ones(applied, tmp_path: Path) -> None:
    sandbox, repo = applied
    result = generate(sandbox, repo, tmp_path / "c.csv", "--auto-approve", campaign="Spring")
    assert result.exit_code == 1
    assert f"{PRODUCT} has no offer code campaign 'Spring' (live: {CAMPAIGN})" in result.output


def test_an_expiry_in_the_past_is_refused_by_app_store_connect(applied, tmp_path: Path) -> None:
    sandbox, repo = applied
    before = batches(sandbox)
    out = tmp_path / "c.csv"
    result = generate(sandbox, repo, out, "--auto-approve", expires="2020-01-31")
    assert result.exit_code == 1
    assert "The expiration date must be in the future." in result.output
    assert batches(sandbox) == before and not out.exists()


def test_the_codes_route_needs_a_token_like_the_api(applied, tmp_path: Path) -> None:
    sandbox, repo = applied
    out = tmp_path / "codes.csv"
    assert generate(sandbox, repo, out, "--auto-approve").exit_code == 0
    batch = sandbox.store.list(BATCHES)[-1]
    answer = requests.get(f"{sandbox.url}/v1/{BATCHES}/{batch.id}/values", timeout=10)
    assert answer.status_code == 401
    assert out.read_text(encoding="utf-8").split()[0] not in answer.text
