"""``ascsync pull`` against the sandbox: adopting an app, and updating a repo in place."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from PIL import Image

from ascsync.sandbox import Sandbox
from tests.plan.conftest import matching_seed, write_repo
from tests.pull.conftest import (
    APP,
    BUNDLE,
    EXAMPLE,
    PASSWORD,
    client_for,
    converged_example,
    edit_live_text,
    invoke,
    patch,
    seed_with_images,
    version_localization,
)


def test_pull_into_empty_dir_then_plan_shows_no_changes(sandbox: Sandbox, tmp_path: Path) -> None:
    repo = tmp_path / "adopted"
    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output
    # what the layout cannot hold is said, not dropped
    assert "app previews" in pulled.output

    plan = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes" in plan.output

    app_yml = (repo / APP / "app.yml").read_text()
    assert "availability:" in app_yml and "price:" in app_yml
    de = (repo / APP / "locales/de-DE.yml").read_text()
    assert "subtitle: Alle Filme an einem Ort" in de
    assert "keywords:\n  - filme\n  - kino\n" in de  # keywords as a YAML list
    assert 'version: "2.4.0"' in (repo / APP / "version.yml").read_text()
    group = (repo / APP / "testflight/groups/internal-qa.yml").read_text()
    assert "old.contractor@example.com" in group


def test_screenshots_are_downloaded_with_live_checksums(sandbox: Sandbox, tmp_path: Path) -> None:
    repo = tmp_path / "adopted"
    assert invoke(sandbox, "pull", str(repo), "--app", BUNDLE).exit_code == 0
    folder = repo / APP / "screenshots/en-US/APP_IPHONE_67"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["00-splash.png", "01-home.png", "02-detail.png"]
    example_home = EXAMPLE / APP / "screenshots/en-US/APP_IPHONE_67/01-home.png"
    assert (folder / "01-home.png").read_bytes() == example_home.read_bytes()
    assert hashlib.md5((folder / "01-home.png").read_bytes()).hexdigest() == (
        "d61e26f5b3b3f74ab8305830a71bef55"  # the seed's sourceFileChecksum
    )


def test_pull_twice_writes_nothing_the_second_time(sandbox: Sandbox, tmp_path: Path) -> None:
    repo = tmp_path / "adopted"
    assert invoke(sandbox, "pull", str(repo), "--app", BUNDLE).exit_code == 0
    again = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert again.exit_code == 0, again.output
    assert "0 file(s) written, 0 screenshot(s) downloaded, 4 unchanged" in again.output
    # discovery 6 + the full fetch_app 15 + availability 2 + price 2; the custom product
    # page, event and product page tests: discovery 3, reads 6; beta review details 1 +
    # the newest build with its What to Test 1 + the Pro IAP's availability 1 + every
    # storefront 1 (shared by the product kinds and the EULA) + the EULA and its
    # territories 2 + the accessibility declarations 1
    assert "(41 API requests)" in again.output


def test_unknown_app_and_version_are_one_line_errors(sandbox: Sandbox, tmp_path: Path) -> None:
    missing = invoke(sandbox, "pull", str(tmp_path / "r"), "--app", "com.example.nope")
    assert missing.exit_code == 1
    assert "no app with bundle id com.example.nope" in missing.output
    assert "Traceback" not in missing.output
    version = invoke(sandbox, "pull", str(tmp_path / "r"), "--app", BUNDLE, "--version", "9.9")
    assert version.exit_code == 1
    assert "no version 9.9" in version.output and "2.4.0" in version.output


def test_pull_an_older_version_by_name(sandbox: Sandbox, tmp_path: Path) -> None:
    repo = tmp_path / "old"
    result = invoke(sandbox, "pull", str(repo), "--app", BUNDLE, "--version", "2.3.0")
    assert result.exit_code == 0, result.output
    assert 'version: "2.3.0"' in (repo / APP / "version.yml").read_text()
    assert "whats_new: Schnellere Suche." in (repo / APP / "locales/de-DE.yml").read_text()


# ------------------------------------------------------------- into an existing repo


def test_pull_into_example_repo_updates_in_place_and_keeps_comments(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
) -> None:
    repo = converged_example(sandbox, tmp_path, monkeypatch)
    edit_live_text(sandbox)
    en_before = (repo / APP / "locales/en-US.yml").read_text()

    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output

    de = (repo / APP / "locales/de-DE.yml").read_text()
    assert "subtitle: Neu im Web geändert" in de
    # the description stays a !file reference; the new text went into the file
    assert "description: !file ../texts/de-DE/description.md" in de
    assert (repo / APP / "texts/de-DE/description.md").read_text() == (
        "Ganz neuer Text.\n\nZweiter Absatz.\n"
    )
    fr = (repo / APP / "locales/fr-FR.yml").read_text()
    assert "keywords: [cinéma, films]" in fr  # the flow list stays a flow list
    # untouched files are byte-identical; comments and order survive in edited ones
    assert (repo / APP / "locales/en-US.yml").read_text() == en_before
    version = (repo / APP / "version.yml").read_text()
    comment = "    # Never commit a password: it is read from the environment when needed.\n"
    assert comment in version
    assert "password: !env MOVIECATALOG_DEMO_PASSWORD" in version
    assert PASSWORD not in version and PASSWORD not in pulled.output

    plan = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_a_template_that_differs_is_listed_not_overwritten(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
) -> None:
    repo = converged_example(sandbox, tmp_path, monkeypatch)
    client = client_for(sandbox)
    patch(client, version_localization(client, "ja"), whatsNew="ウェブで変更")
    template = (repo / APP / "texts/whats_new.md.j2").read_text()
    defaults = (repo / APP / "locales/_defaults.yml").read_text()

    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output
    assert "Edit by hand" in pulled.output
    assert "whats_new is !template ../texts/whats_new.md.j2; live ja differs" in pulled.output
    assert (repo / APP / "texts/whats_new.md.j2").read_text() == template
    assert (repo / APP / "locales/_defaults.yml").read_text() == defaults
    assert "whats_new" not in (repo / APP / "locales/ja.yml").read_text()


def test_a_live_password_becomes_an_env_tag_never_text(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
) -> None:
    converged_example(sandbox, tmp_path, monkeypatch)  # sets the demo password live
    repo = tmp_path / "adopted"
    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output
    version = (repo / APP / "version.yml").read_text()
    assert "password: !env MOVIECATALOG_DEMO_PASSWORD\n" in version
    assert "export MOVIECATALOG_DEMO_PASSWORD before plan/apply" in pulled.output
    every_file = "".join(p.read_text() for p in repo.rglob("*.yml"))
    assert PASSWORD not in every_file and PASSWORD not in pulled.output


def test_beta_review_details_round_trip_with_the_password_as_an_env_tag(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
) -> None:
    converged_example(sandbox, tmp_path, monkeypatch)  # sets the beta review details live
    repo = tmp_path / "adopted"
    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output
    beta = (repo / APP / "testflight/beta-app.yml").read_text()
    assert "  email: appreview@example.com\n" in beta
    assert "  name: beta-reviewer@example.com\n" in beta
    assert "  password: !env MOVIECATALOG_BETA_DEMO_PASSWORD\n" in beta
    assert "review_notes:" in beta and "Sign in with the demo account" in beta
    assert PASSWORD not in beta
    monkeypatch.setenv("MOVIECATALOG_BETA_DEMO_PASSWORD", PASSWORD)
    plan = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_the_release_build_and_the_newest_testflight_build_round_trip(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
) -> None:
    converged_example(sandbox, tmp_path, monkeypatch)  # version on build 241, its texts, group
    repo = tmp_path / "adopted"
    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output
    assert "build: '241'\n" in (repo / APP / "version.yml").read_text()  # a string, quoted
    testflight = (repo / APP / "testflight/builds/2-4-0-newest.yml").read_text()
    assert 'version: "2.4.0"\nbuild: newest\n' in testflight
    assert "what_to_test: 'Offline-Listen: Liste speichern" in testflight
    assert "groups:\n  - Public Beta\n" in testflight
    monkeypatch.setenv("MOVIECATALOG_BETA_DEMO_PASSWORD", PASSWORD)
    plan = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_product_review_material_round_trips_with_its_images(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
) -> None:
    example = converged_example(sandbox, tmp_path, monkeypatch)
    repo = tmp_path / "adopted"
    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output
    iap = (repo / APP / "in-app-purchases/com.example.moviecatalog.pro.yml").read_text()
    assert "review_screenshot: review/com.example.moviecatalog.pro/pro.png\n" in iap
    assert "promotional_image: promotional/com.example.moviecatalog.pro/pro.png\n" in iap
    assert "availability:\n  available_in_new_territories: true\n  territories: all\n" in iap
    downloaded = repo / APP / "in-app-purchases/review/com.example.moviecatalog.pro/pro.png"
    original = example / APP / "in-app-purchases/review/pro.png"
    assert downloaded.read_bytes() == original.read_bytes()
    group = (repo / APP / "subscriptions/movie-catalog-plus.yml").read_text()
    assert "review_screenshot: review/com.example.moviecatalog.plus.monthly/plus-monthly.png" in (
        group
    )
    assert "- CAN\n" in group and "available_in_new_territories: false" in group
    monkeypatch.setenv("MOVIECATALOG_BETA_DEMO_PASSWORD", PASSWORD)
    plan = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_subscription_offers_round_trip(sandbox: Sandbox, tmp_path: Path, monkeypatch) -> None:
    converged_example(sandbox, tmp_path, monkeypatch)
    repo = tmp_path / "adopted"
    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output
    offers = repo / APP / "subscription-offers"
    yearly = (offers / "com.example.moviecatalog.plus.yearly.yml").read_text()
    assert "  - mode: FREE_TRIAL\n    duration: ONE_WEEK\n    periods: 1\n    territories: all" in (
        yearly
    )
    assert "  - code: plus_yearly_comeback\n" in yearly
    assert "      - code: FESTIVAL27\n        count: 500\n" in yearly
    assert not (offers / "com.example.moviecatalog.plus.monthly.yml").exists()  # none live
    monkeypatch.setenv("MOVIECATALOG_BETA_DEMO_PASSWORD", PASSWORD)
    plan = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_name_collisions_and_live_order_survive_the_round_trip(tmp_path: Path) -> None:
    # live order z, a, a: the names collide and natural order would put "a" first
    names = {("en-US", "APP_IPHONE_67"): ["z.png", "a.png", "a.png"]}
    seed = seed_with_images(tmp_path / "seed", rename=names)
    with Sandbox(seed=seed) as sb:
        repo = tmp_path / "adopted"
        assert invoke(sb, "pull", str(repo), "--app", BUNDLE).exit_code == 0
        folder = repo / APP / "screenshots/en-US/APP_IPHONE_67"
        assert sorted(p.name for p in folder.iterdir()) == ["01-z.png", "02-a.png", "03-a-2.png"]
        first_live = tmp_path / "seed/shots/en-US-APP_IPHONE_67-00-splash.png"
        assert (folder / "01-z.png").read_bytes() == first_live.read_bytes()
        plan = invoke(sb, "plan", str(repo), "--detailed-exitcode")
        assert plan.exit_code == 0, plan.output


def test_screenshots_no_longer_live_are_reported_not_deleted(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    repo = tmp_path / "adopted"
    assert invoke(sandbox, "pull", str(repo), "--app", BUNDLE).exit_code == 0
    extra = repo / APP / "screenshots/en-US/APP_IPHONE_67/09-extra.png"
    Image.new("RGB", (1290, 2796), (1, 2, 3)).save(extra)
    again = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert again.exit_code == 0
    assert extra.exists()
    assert "Not live any more" in again.output
    assert "screenshots/en-US/APP_IPHONE_67/09-extra.png" in again.output


def test_a_broken_file_in_the_repo_stops_pull_with_its_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    repo = tmp_path / "adopted"
    assert invoke(sandbox, "pull", str(repo), "--app", BUNDLE).exit_code == 0
    broken = repo / APP / "locales/de-DE.yml"
    broken.write_text("name: Filmkatalog\nsubtitle: [unclosed\n")
    result = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert result.exit_code == 1
    assert "apps/moviecatalog/locales/de-DE.yml:3: cannot update it: not valid YAML" in (
        result.output
    )
    assert "Traceback" not in result.output
    assert broken.read_text() == "name: Filmkatalog\nsubtitle: [unclosed\n"


def test_without_an_editable_version_the_newest_is_pulled_and_missing_bytes_reported(
    tmp_path: Path,
) -> None:
    seed = matching_seed(write_repo(tmp_path / "source"))
    versions = seed["apps"][0]["versions"]
    versions[0]["createdDate"] = "2026-01-01T00:00:00Z"
    versions[1].update(state="READY_FOR_DISTRIBUTION", createdDate="2026-06-01T00:00:00Z")
    with Sandbox(seed=seed) as sb:
        repo = tmp_path / "adopted"
        result = invoke(sb, "pull", str(repo), "--app", "com.example.demo")
    assert result.exit_code == 1, result.output  # not everything was pulled: it says so
    assert 'version: "1.1.0"' in (repo / "apps/demo/version.yml").read_text()
    # the seed gives this screenshot as a checksum only: the sandbox serves a stand-in of
    # the right size, whose MD5 is not that checksum, and pull says so instead of saving it
    assert (
        "screenshots/en-US/APP_IPHONE_67/01-home.png: downloaded file's MD5 differs from "
        "App Store Connect's sourceFileChecksum; not saved"
    ) in result.output
    assert not (repo / "apps/demo/screenshots/en-US/APP_IPHONE_67/01-home.png").exists()


def test_products_and_testflight_are_updated_in_place_too(
    sandbox: Sandbox, tmp_path: Path, monkeypatch
) -> None:
    # products and TestFlight stay as the demo seed has them, unlike the repo's files
    products = ("in-app-purchases", "subscriptions", "subscription-offers", "testflight")
    repo = converged_example(sandbox, tmp_path, monkeypatch, leave_out=products)
    for folder in products:
        shutil.copytree(EXAMPLE / APP / folder, repo / APP / folder)
    pulled = invoke(sandbox, "pull", str(repo), "--app", BUNDLE)
    assert pulled.exit_code == 0, pulled.output

    iap = (repo / APP / "in-app-purchases/com.example.moviecatalog.pro.yml").read_text()
    assert iap.startswith("# A one-time purchase. The file name is the product id.\n")
    assert "reference_name: Movie Catalog Pro\n" in iap
    assert '  customer_price: "4.99"\n' in iap  # the live price, in the file's quoting
    assert "  en-US: {name: Pro, description: Unlock all lists.}\n" in iap
    assert "ja:" not in iap  # the localization is gone live
    group = (repo / APP / "testflight/groups/internal-qa.yml").read_text()
    assert group.startswith("# Internal groups hold members of the App Store Connect team.\n")
    assert "  - {email: old.contractor@example.com, first_name: Olli, last_name: Contractor}\n" in (
        group
    )
    # the subscription group does not exist live: kept, and said so
    assert "subscriptions/movie-catalog-plus.yml: not live; left in place" in pulled.output

    plan = invoke(sandbox, "plan", str(repo), "--detailed-exitcode")
    assert plan.exit_code == 2
    addresses = [line for line in plan.output.splitlines() if "  # " in line and "app[" in line]
    # the group (and so its subscriptions' offers) is not live: creates
    others = [
        a.split("  #")[0].strip()
        for a in addresses
        if "Movie Catalog Plus" not in a and "offers[com.example.moviecatalog.plus" not in a
    ]
    # the beta demo password comes from the environment and cannot be read back: it stays
    assert others == ["~ app[moviecatalog].beta_app.review"]
    assert "      ~ demo_account.password: (sensitive value changed)\n" in plan.output
