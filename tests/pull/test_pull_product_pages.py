"""``pull`` and ``drift --write`` for custom product pages, in-app events and product page
tests: adopt an app that has them, plan again and see nothing to do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ascsync.sandbox import Sandbox
from tests.pull.conftest import APP, BUNDLE, EXAMPLE, PASSWORD, invoke, seed_with_images


def converged(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example repo applied to the sandbox: it now has every page, event and test."""
    monkeypatch.setenv("MOVIECATALOG_DEMO_PASSWORD", PASSWORD)
    monkeypatch.setenv("MOVIECATALOG_BETA_DEMO_PASSWORD", PASSWORD)
    repo = tmp_path / "example"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".ascsync"))
    applied = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
    assert applied.exit_code == 0, applied.output
    return repo


def test_pull_adopts_pages_events_and_tests_and_plan_shows_no_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(seed=seed_with_images(tmp_path / "seed"), settings={"settle_seconds": 0.01}) as sb:
        converged(tmp_path, sb, monkeypatch)
        adopted = tmp_path / "adopted"
        pulled = invoke(sb, "pull", str(adopted), "--app", BUNDLE)
        assert pulled.exit_code == 0, pulled.output
        assert "in-app event media (images and videos are not downloaded)" in pulled.output
        app = adopted / APP

        festival = app / "custom-product-pages/festival-season"
        page = (festival / "page.yml").read_text(encoding="utf-8")
        assert "name: Festival season" in page and "visible: false" in page
        assert "promotional_text: Plane deine Festivaltage, Film für Film." in page
        shots = festival / "screenshots/en-US/APP_IPHONE_67"
        assert sorted(p.name for p in shots.iterdir()) == ["01-search.png", "02-detail.png"]
        example_shot = EXAMPLE / APP / "custom-product-pages/festival-season/screenshots"
        assert (shots / "02-detail.png").read_bytes() == (
            example_shot / "en-US/APP_IPHONE_67/02-detail.png"
        ).read_bytes()

        event = (app / "in-app-events/summer-film-festival-2030/event.yml").read_text()
        assert "reference_name: Summer Film Festival 2030" in event
        assert "territories: [AUT, CHE, DEU]" in event
        assert "short_description: Zehn Tage Premieren und Klassiker." in event

        test = app / "product-page-tests/search-first"
        assert "traffic_proportion: 30" in (test / "test.yml").read_text()
        treatment = (test / "search-up-front/treatment.yml").read_text()
        assert "name: Search up front" in treatment and "en-US" in treatment
        treatment_shots = test / "search-up-front/screenshots/en-US/APP_IPHONE_67"
        assert sorted(p.name for p in treatment_shots.iterdir()) == ["01-search.png", "02-home.png"]

        plan = invoke(sb, "plan", str(adopted), "--detailed-exitcode")
        assert plan.exit_code == 0, plan.output
        assert plan.output.startswith("No changes."), plan.output


def test_drift_write_takes_live_edits_and_keeps_what_people_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(seed=seed_with_images(tmp_path / "seed"), settings={"settle_seconds": 0.01}) as sb:
        repo = converged(tmp_path, sb, monkeypatch)
        (event,) = sb.store.list("appEvents")
        german = next(
            s for s in event.attributes["territorySchedules"] if "DEU" in s["territories"]
        )
        german["eventEnd"] = "2030-07-09T16:00:00Z"  # shortened in the web UI
        (test,) = sb.store.list("appStoreVersionExperiments")
        test.attributes["trafficProportion"] = 45

        drift = invoke(sb, "drift", str(repo), "--detailed-exitcode")
        assert drift.exit_code == 2, drift.output
        assert "territory schedules of in-app event Summer Film Festival 2030" in drift.output
        assert "traffic proportion of product page test Search first" in drift.output

        wrote = invoke(sb, "drift", str(repo), "--detailed-exitcode", "--write")
        assert wrote.exit_code == 2, wrote.output
        text = (repo / APP / "in-app-events/summer-film-festival/event.yml").read_text()
        # the untouched schedule keeps its comments; the German one its time zone
        assert "publish_start: 2030-06-24T16:00:00Z   # promoted at most 14 days" in text
        assert "event_start: 2030-07-01T10:00:00+02:00" in text
        assert "event_end: '2030-07-09T16:00:00Z'" in text
        assert (
            "traffic_proportion: 45        # %"
            in (repo / APP / "product-page-tests/search-first/test.yml").read_text()
        )
        assert invoke(sb, "plan", str(repo)).output.startswith("No changes.")
