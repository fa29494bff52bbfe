"""A custom license agreement (``eula.yml``): validation, plan, apply and pull."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from ascsync.engine.plan import Plan
from ascsync.kinds.registry import validate_repo
from ascsync.sandbox import Sandbox
from ascsync.sandbox.engine import Request
from tests.apply.conftest import example as example  # noqa: F401  (the fixture)
from tests.apply.conftest import fast_settings, invoke, writes
from tests.plan.test_products_plan import run

EULA = "app[demo].eula"
TEXT = "Lizenzvertrag – gültig für alle Länder.\nZweiter Absatz: ¿dudas? 問い合わせ."


def write_eula(repo: Path, body: str) -> None:
    (repo / "apps/demo/eula.yml").write_text(body, encoding="utf-8")


def with_eula(seed: dict[str, Any], text: str = TEXT, territories: Any = "all") -> dict:
    seed["apps"][0]["eula"] = {"agreementText": text, "territories": territories}
    return seed


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.address) for c in plan.ordered()]


def fields(plan: Plan) -> dict[str, tuple[Any, Any]]:
    (change,) = plan.changes
    return {f.name: (f.before, f.after) for f in change.fields}


@pytest.fixture
def eula_repo(repo: Path) -> Path:
    (repo / "apps/demo/eula.txt").write_text(TEXT + "\n", encoding="utf-8")
    write_eula(repo, "text: !file eula.txt\nterritories: all\n")
    return repo


def test_the_same_eula_plans_nothing(eula_repo: Path, seed: dict) -> None:
    plan, stats = run(eula_repo, with_eula(seed))
    assert actions(plan) == [] and plan.locked == []
    assert stats[("GET", "/v1/apps/{id}/endUserLicenseAgreement")] == 1
    assert stats[("GET", "/v1/endUserLicenseAgreements/{id}/territories")] == 1


def test_a_new_eula_is_created(eula_repo: Path, seed: dict) -> None:
    plan, _ = run(eula_repo, seed)
    assert actions(plan) == [("create", EULA)]
    assert plan.changes[0].calls == ("POST /v1/endUserLicenseAgreements",)
    assert fields(plan)["text"] == (None, TEXT)
    assert plan.changes[0].source == "apps/demo/eula.txt:1"


def test_text_and_territories_change_in_one_patch(eula_repo: Path, seed: dict) -> None:
    write_eula(eula_repo, "text: !file eula.txt\nterritories: [USA, DEU]\n")
    plan, _ = run(eula_repo, with_eula(seed, text="Old text.", territories=["USA"]))
    assert actions(plan) == [("update", EULA)]
    assert fields(plan) == {
        "text": ("Old text.", TEXT),
        "territories": (["USA"], ["USA", "DEU"]),
    }
    assert plan.changes[0].calls == ("PATCH /v1/endUserLicenseAgreements/{id}",)


def test_null_goes_back_to_apples_standard_eula(eula_repo: Path, seed: dict) -> None:
    write_eula(eula_repo, "text: null\n")
    without = copy.deepcopy(seed)
    plan, _ = run(eula_repo, with_eula(seed))
    assert actions(plan) == [("delete", EULA)]
    assert plan.deletions()[0].note == "text: null: back to Apple's standard EULA"
    plan, _ = run(eula_repo, without)  # nothing live: nothing to do
    assert actions(plan) == []


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("text: Ours.\nterritories: [USA, XKX]\n", "App Store Connect has no territory XKX"),
        ("text: Ours.\n", "a new license agreement needs territories"),
    ],
)
def test_what_cannot_be_sent_is_locked(repo: Path, seed: dict, body: str, why: str) -> None:
    write_eula(repo, body)
    plan, _ = run(repo, seed)
    assert actions(plan) == []
    assert [c.note for c in plan.locked] == [why]


def test_eula_mistakes_are_validation_errors(repo: Path) -> None:
    write_eula(repo, "territories: []\ntext: '  '\n")
    errors = [p.format(repo) for p in validate_repo(repo).errors]
    assert errors == [
        "apps/demo/eula.yml:1: territories: is empty: the agreement would apply nowhere "
        '("all" or codes)',
        "apps/demo/eula.yml:2: text: is empty (the agreement's text, or null for Apple's "
        "standard EULA)",
    ]
    write_eula(repo, "territories: all\n")
    errors = [p.format(repo) for p in validate_repo(repo).errors]
    assert errors == ["apps/demo/eula.yml:1: text: is required"]


# -- apply and pull, with the example repo -----------------------------------------------------


@pytest.fixture
def example_eula(example: Path) -> Path:
    """The example repo without screenshots, so runs are quick."""
    shutil.rmtree(example / "apps/moviecatalog/screenshots")
    return example


def eulas(sandbox: Sandbox) -> list[Any]:
    return sandbox.store.list("endUserLicenseAgreements")


def test_the_example_eula_converges_and_null_needs_allow_delete(example_eula: Path) -> None:
    path = example_eula / "apps/moviecatalog/eula.yml"
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        (old,) = eulas(sandbox)
        first = invoke(sandbox, "apply", str(example_eula), "--auto-approve", "--allow-delete")
        assert first.exit_code == 0, first.output
        (eula,) = eulas(sandbox)
        assert eula is old  # updated in place
        assert eula.attributes["agreementText"].startswith("MOVIE CATALOG END USER LICENSE")
        assert len(sandbox.store.related(eula, "territories")) == len(
            sandbox.store.list("territories")
        )
        mark = len(sandbox.journal)
        assert invoke(sandbox, "apply", str(example_eula), "--auto-approve").exit_code == 0
        assert writes(sandbox, mark) == []

        path.write_text(path.read_text().replace("text: !file texts/eula.txt", "text: null"))
        refused = invoke(sandbox, "apply", str(example_eula), "--auto-approve")
        assert refused.exit_code != 0 and "app[moviecatalog].eula" in refused.output
        assert eulas(sandbox) == [eula]
        allowed = invoke(sandbox, "apply", str(example_eula), "--auto-approve", "--allow-delete")
        assert allowed.exit_code == 0, allowed.output
        assert eulas(sandbox) == []
        assert invoke(sandbox, "plan", str(example_eula), "--detailed-exitcode").exit_code == 0


def test_the_eula_round_trips_through_pull(example_eula: Path, tmp_path: Path) -> None:
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        first = invoke(sandbox, "apply", str(example_eula), "--auto-approve", "--allow-delete")
        assert first.exit_code == 0, first.output
        adopted = tmp_path / "adopted"
        pulled = invoke(sandbox, "pull", str(adopted), "--app", "com.example.moviecatalog")
        assert pulled.exit_code == 0, pulled.output
        text = (adopted / "apps/moviecatalog/eula.yml").read_text()
        assert text.startswith("text: |-\n  MOVIE CATALOG END USER LICENSE AGREEMENT\n")
        assert text.endswith("territories: all\n")
        plan = invoke(sandbox, "plan", str(adopted))
        assert "app[moviecatalog].eula" not in plan.output


def test_the_sandbox_keeps_one_eula_per_app_with_territories(repo: Path) -> None:
    with Sandbox(seed="demo") as sandbox:
        app = sandbox.store.list("apps")[0]
        body = {
            "data": {
                "type": "endUserLicenseAgreements",
                "attributes": {"agreementText": "Second."},
                "relationships": {
                    "app": {"data": {"type": "apps", "id": app.id}},
                    "territories": {"data": [{"type": "territories", "id": "USA"}]},
                },
            }
        }
        second = sandbox.engine.handle(Request("POST", "/v1/endUserLicenseAgreements", body=body))
        (eula,) = eulas(sandbox)
        empty = {
            "data": {
                "type": "endUserLicenseAgreements",
                "id": eula.id,
                "relationships": {"territories": {"data": []}},
            }
        }
        nowhere = sandbox.engine.handle(
            Request("PATCH", f"/v1/endUserLicenseAgreements/{eula.id}", body=empty)
        )
    assert second.status == 409
    assert "already has a license agreement" in second.body["errors"][0]["detail"]
    assert nowhere.status == 409
    assert nowhere.body["errors"][0]["source"] == {"pointer": "/data/relationships/territories"}
