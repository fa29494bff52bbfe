"""The deletion guard sees every kind: no resource type can be deleted in bulk unguarded.

Before the kinds redesign, the guard counted 6 hand-listed types, so a plan removing 40
of a group's 41 TestFlight testers went through without ``--allow-delete``. Now every
kind declares what it deletes and counts it live, and these tests check both sides: the
guard refuses such a plan, and every DELETE the kinds' compilers emit, in scenarios that
exercise each deletable type, is a type the guard counts.
"""

from __future__ import annotations

import ast
import copy
import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.commands.plan import run_plan
from ascsync.engine.compiling import ApplyContext, compile_change, compilers
from ascsync.engine.safety import deletable_types, live_counts
from ascsync.engine.uploads import UploadSettings
from ascsync.kinds.registry import KINDS, load_repo
from ascsync.sandbox import Sandbox
from tests.apply.conftest import fast_settings, invoke
from tests.desired.test_media_previews import movie, write
from tests.plan.conftest import matching_seed, write_repo

DEMO_SEED = Path(__file__).resolve().parents[2] / "ascsync/sandbox/seeds/demo.yml"
APP = Path("apps/moviecatalog")
PACKAGE = Path(__file__).resolve().parents[2] / "ascsync"


def demo_seed() -> dict[str, Any]:
    return YAML(typ="safe").load(DEMO_SEED.read_text(encoding="utf-8"))


def seed_file(seed: dict[str, Any], folder: Path) -> Path:
    """``seed`` as a file beside the demo's screenshots (its ``file:`` entries are relative)."""
    folder.mkdir(parents=True, exist_ok=True)
    for png in DEMO_SEED.parent.glob("*.png"):
        shutil.copyfile(png, folder / png.name)
    path = folder / "seed.yml"
    with path.open("w", encoding="utf-8") as out:
        YAML(typ="safe").dump(seed, out)
    return path


def only_testflight(example: Path) -> Path:
    for folder in ("screenshots", "in-app-purchases", "subscriptions", "subscription-offers"):
        shutil.rmtree(example / APP / folder)
    return example


def test_removing_most_of_a_groups_testers_needs_allow_delete(
    example: Path, tmp_path: Path
) -> None:
    repo = only_testflight(example)
    seed = demo_seed()
    group = seed["apps"][0]["betaGroups"][0]  # Internal QA; the repo lists two of its testers
    group["testers"] += [
        {"email": f"contractor{n:02d}@example.com", "firstName": "C", "lastName": f"{n:02d}"}
        for n in range(38)
    ]
    assert len(group["testers"]) == 41
    with Sandbox(seed=str(seed_file(seed, tmp_path / "seed")), settings=fast_settings()) as sandbox:
        refused = invoke(sandbox, "apply", str(repo), "--auto-approve")
        assert refused.exit_code == 1, refused.output
        assert "the plan deletes 39 of 41 betaTesters (over 10 %)" in refused.output
        assert "tester[contractor07@example.com]" in refused.output
        assert not [e for e in sandbox.journal if e.method == "DELETE"]

        allowed = invoke(sandbox, "apply", str(repo), "--auto-approve", "--allow-delete")
        assert allowed.exit_code == 0, allowed.output
        qa = next(
            g for g in sandbox.store.list("betaGroups") if g.attributes["name"] == "Internal QA"
        )
        assert len(sandbox.store.related(qa, "betaTesters")) == 2


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _deletes_planned(sandbox: Sandbox, root: Path) -> dict[str, int]:
    """Compile the plan's deletions; check each against the guard; count them by type."""
    client = ApiClient(
        sandbox.url, TokenProvider(sandbox.key_id, sandbox.private_key_pem, sandbox.issuer_id)
    )
    repo, problems = load_repo(root)
    assert not [p for p in problems if p.severity.value == "error"], problems
    run = run_plan(client, repo, (), 4)
    lives = [live for _, live in run.parts]
    counts = live_counts(KINDS, lives)
    by_type = compilers(KINDS)
    contexts = {
        d.name: ApplyContext(d, live, run.checksums.md5, UploadSettings()) for d, live in run.parts
    }
    deleting: dict[str, int] = {}
    for change in run.plan.deletions():
        op = compile_change(change, contexts[change.app], by_type)
        assert op.deletes == change.resource, change.address
        assert change.resource in deletable_types(KINDS), change.address
        deleting[change.resource] = deleting.get(change.resource, 0) + 1
    for resource, n in deleting.items():
        assert counts[resource] >= n, f"the guard counts {counts[resource]} live {resource}"
    return deleting


def test_every_delete_the_kinds_can_emit_is_counted_by_the_guard(
    example: Path, tmp_path: Path
) -> None:
    seen: dict[str, int] = {}
    with Sandbox(seed="demo", settings=fast_settings()) as sandbox:
        first = invoke(sandbox, "apply", str(example), "--auto-approve", "--allow-delete")
        assert first.exit_code == 0, first.output
        app = example / APP
        (app / "locales/de-DE.yml").unlink()
        shutil.rmtree(app / "screenshots/de-DE")
        shutil.rmtree(app / "screenshots/en-US/APP_IPAD_PRO_3GEN_129")
        (app / "screenshots/en-US/APP_IPHONE_67/03-search.png").unlink()
        _edit(app / "version.yml", "phased_release: true", "phased_release: false")
        _drop_locale(app / "testflight/beta-app.yml", "de-DE")
        for name in ("in-app-purchases/com.example.moviecatalog.pro.yml",):
            _drop_locale(app / name, "ja")
        _drop_locale(app / "subscriptions/movie-catalog-plus.yml", "ja")
        _edit(app / "testflight/groups/internal-qa.yml", "qa@example.com", "qa2@example.com")
        page = app / "custom-product-pages/festival-season"
        _drop_locale(page / "page.yml", "de-DE")
        shutil.rmtree(page / "screenshots/de-DE")
        event = app / "in-app-events/summer-film-festival"
        _drop_locale(event / "event.yml", "de-DE")
        shutil.rmtree(event / "media/de-DE")
        shutil.rmtree(event / "media/en-US/EVENT_CARD")
        treatment = app / "product-page-tests/search-first/search-up-front"
        _edit(treatment / "treatment.yml", "[en-US]", "[de-DE]")
        shutil.rmtree(treatment / "screenshots/en-US")
        seen.update(_deletes_planned(sandbox, example))
        shutil.rmtree(treatment)  # a whole treatment
        _drop_locale(app / "testflight/builds/2.4.0-newest.yml", "de-DE")
        pro = app / "in-app-purchases/com.example.moviecatalog.pro.yml"
        _edit(pro, "review_screenshot: review/pro.png", "review_screenshot: null")
        _edit(pro, "promotional_image: promotional/pro.png", "promotional_image: null")
        plus = app / "subscriptions/movie-catalog-plus.yml"
        _edit(plus, "review_screenshot: review/plus-monthly.png", "review_screenshot: null")
        _edit(plus, "promotional_image: promotional/plus-yearly.png", "promotional_image: null")
        _edit(app / "eula.yml", "text: !file texts/eula.txt", "text: null")
        offers = app / "subscription-offers/com.example.moviecatalog.plus.yearly.yml"
        _edit(offers, "    territories: all ", "    territories: [USA, CAN] ")
        text = offers.read_text(encoding="utf-8")
        start, end = text.index("promotional_offers:"), text.index("offer_codes:")
        offers.write_text(text[:start] + "promotional_offers: []\n\n" + text[end:], "utf-8")
        _edit(app / "testflight/builds/2.4.0-newest.yml", "groups: [Public Beta]", "groups: []")
        seen.update(_deletes_planned(sandbox, example))
    seen.update(_previews_deleted(tmp_path))
    seen.update(_event_video_deleted(tmp_path))
    assert set(seen) == deletable_types(KINDS), "a deletable type no scenario exercises"


def _drop_locale(path: Path, code: str) -> None:
    """Remove every ``<code>:`` localization block of a product file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out, skipping, indent = [], False, 0
    for line in lines:
        stripped = line.lstrip()
        width = len(line) - len(stripped)
        if stripped.startswith(f"{code}:"):
            skipping, indent = True, width
            continue
        if skipping and stripped and width <= indent:
            skipping = False
        if not skipping:
            out.append(line)
    path.write_text("".join(out), encoding="utf-8")


def _previews_deleted(tmp_path: Path) -> dict[str, int]:
    repo = write_repo(tmp_path / "previews")
    seed = copy.deepcopy(matching_seed(repo))
    tour = repo / "apps/demo/previews/en-US/IPHONE_67"
    write(tour, "01-tour.mp4", movie(seconds=20))
    write(tour, "02-tour.mp4", movie(seconds=21))
    ipad = repo / "apps/demo/previews/en-US/IPAD_PRO_3GEN_129"
    write(ipad, "01-ipad.mp4", movie(seconds=22, size=(1200, 1600)))
    with Sandbox(seed=seed, settings={"settle_seconds": 0.01}) as sandbox:
        applied = invoke(sandbox, "apply", str(repo), "--auto-approve")
        assert applied.exit_code == 0, applied.output
        (tour / "02-tour.mp4").unlink()
        shutil.rmtree(ipad)
        return _deletes_planned(sandbox, repo)


def _event_video_deleted(tmp_path: Path) -> dict[str, int]:
    """An in-app event whose card is a video, removed from the repo."""
    repo = write_repo(tmp_path / "event-video")
    seed = copy.deepcopy(matching_seed(repo))
    event = repo / "apps/demo/in-app-events/launch"
    event.mkdir(parents=True)
    (event / "event.yml").write_text(
        "reference_name: Launch\n"
        "territory_schedules:\n"
        "  - {territories: [USA], publish_start: 2030-06-24T16:00:00Z,\n"
        "     event_start: 2030-07-01T16:00:00Z, event_end: 2030-07-02T16:00:00Z}\n"
        "localizations:\n"
        "  en-US: {name: Launch, short_description: Day one., long_description: Day one.}\n",
        encoding="utf-8",
    )
    card = event / "media/en-US/EVENT_CARD"
    write(card, "card.mp4", movie(seconds=20, size=(1920, 1080)))
    with Sandbox(seed=seed, settings={"settle_seconds": 0.01}) as sandbox:
        applied = invoke(sandbox, "apply", str(repo), "--auto-approve")
        assert applied.exit_code == 0, applied.output
        shutil.rmtree(card)
        return _deletes_planned(sandbox, repo)


def test_only_the_ops_module_and_the_tester_unlink_send_deletes() -> None:
    """Any other DELETE would bypass ``Op.deletes``, which the guard test relies on."""
    callers = set()
    for path in PACKAGE.rglob("*.py"):
        if "sandbox" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "delete"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "client"
            ):
                callers.add(str(path.relative_to(PACKAGE)))
    assert callers == {
        "engine/ops.py",
        "engine/uploads.py",
        "kinds/beta_groups.py",
        "kinds/builds.py",  # a build leaving a group (Op.deletes = builds)
    }
