"""Secrets are masked by the kind of field, on both sides, in every output."""

from __future__ import annotations

from pathlib import Path

from ascsync.sandbox import Sandbox
from tests.trust.conftest import Seed, append, outputs, run

LIVE_PASSWORD = "Live-Passw0rd-4711"


def with_live_password(seed: Seed) -> Seed:
    seed["apps"][0]["versions"][1]["reviewDetail"] = {
        "contactEmail": "review@example.com",
        "demoAccountRequired": True,
        "demoAccountName": "reviewer",
        "demoAccountPassword": LIVE_PASSWORD,
    }
    return seed


def test_clearing_a_password_never_shows_the_live_one(
    repo: Path, seed: Seed, tmp_path: Path
) -> None:
    """``password: null`` (the documented way to clear it) used to print the live password."""
    append(
        repo / "apps/demo/version.yml",
        "review:\n  demo_account:\n    required: false\n    password: null\n",
    )
    saved = tmp_path / "plan.json"
    with Sandbox(seed=with_live_password(seed)) as sandbox:
        results = [
            run(sandbox, "plan", str(repo)),
            run(sandbox, "plan", str(repo), "--format", "json", "--out", str(saved)),
            run(sandbox, "plan", str(repo), "--format", "markdown"),
            run(sandbox, "drift", str(repo)),
            run(sandbox, "drift", str(repo), "--format", "json"),
            run(sandbox, "drift", str(repo), "--format", "markdown"),
            run(sandbox, "--verbose", "plan", str(repo)),
        ]
    text = outputs(*results) + saved.read_text()
    assert "review.demo_account.password" in text  # the change is there...
    assert LIVE_PASSWORD not in text  # ...its value is not
    assert "sensitive" in text


def test_env_is_refused_on_a_public_field(repo: Path, monkeypatch) -> None:  # noqa: ANN001
    """``description: !env ASC_PRIVATE_KEY`` would publish the variable as the description."""
    monkeypatch.setenv("ASC_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----")
    locale = repo / "apps/demo/locales/en-US.yml"
    locale.write_text(
        locale.read_text().replace(
            "description: A plain description.", "description: !env ASC_PRIVATE_KEY"
        )
    )
    from ascsync.kinds.registry import validate_repo

    report = validate_repo(repo)
    assert [p.format(repo) for p in report.errors] == [
        "apps/demo/locales/en-US.yml:3: description: !env is only for secret fields "
        "(review.demo_account.password) (write the value inline, or use !file or !template)"
    ]
