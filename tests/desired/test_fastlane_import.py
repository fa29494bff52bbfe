"""``ascsync import fastlane`` on a hand-written deliver tree, run through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from ruamel.yaml import YAML

from ascsync.cli import cli

PASSWORD = "s3cret-Pa55word"
IPHONE = (1290, 2796)
IPAD = (2048, 2732)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def image(path: Path, size: tuple[int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (40, 80, 120)).save(path)
    return path


def make_metadata(root: Path) -> Path:
    """A deliver metadata folder as `fastlane deliver init` writes it, plus some clutter."""
    md = root / "fastlane" / "metadata"
    write(md / "copyright.txt", "2026 Example Inc.\n")
    write(md / "primary_category.txt", "MZGenre.Entertainment\n")
    write(md / "secondary_category.txt", "Games\n")
    write(md / "secondary_first_sub_category.txt", "MZGenre.Puzzle\n")
    write(md / "secondary_second_sub_category.txt", "\n")
    write(md / "review_information" / "first_name.txt", "Dana\n")
    write(md / "review_information" / "last_name.txt", "Reviewer\n")
    write(md / "review_information" / "phone_number.txt", "+1 408 555 0100\n")
    write(md / "review_information" / "email_address.txt", "appreview@example.com\n")
    write(md / "review_information" / "demo_user.txt", "reviewer@example.com\n")
    write(md / "review_information" / "demo_password.txt", PASSWORD + "\n")
    write(
        md / "review_information" / "notes.txt", "Sign in with the demo account.\nThen tap Pro.\n"
    )
    write(md / "trade_representative_contact_information" / "city_name.txt", "Seoul\n")
    write(md / "en-US" / "name.txt", "Movie Catalog\n")
    write(md / "en-US" / "subtitle.txt", "Track films you love\n")
    write(md / "en-US" / "description.txt", "Find films.\n\nKeep a watchlist.\n")
    write(md / "en-US" / "keywords.txt", "cinema, watchlist,trailers ,\n")
    write(md / "en-US" / "release_notes.txt", "Bug fixes.\n")
    write(md / "en-US" / "support_url.txt", "https://example.com/support\n")
    write(md / "en-US" / "marketing_url.txt", "\n")
    write(md / "en-US" / "promotional_text.txt", "Now on iPad.\n")
    write(md / "en-US" / "notes.md", "my own notes\n")
    write(md / "de-DE" / "name.txt", "Filmkatalog\n")
    write(md / "de-DE" / "description.txt", "Filme finden.\n")
    write(md / "ja" / "name.txt", "映画カタログ\n")
    write(md / "ja" / "description.txt", "映画を探す。\n")
    write(md / "default" / "privacy_url.txt", "https://example.com/privacy\n")
    write(md / "tlh" / "name.txt", "Klingon\n")
    write(md / "README.md", "how we release\n")
    return md


def make_screenshots(root: Path) -> Path:
    shots = root / "fastlane" / "screenshots"
    for locale in ("en-US", "de-DE", "ja"):
        image(shots / locale / "iPhone 16 Pro Max-01_home.png", IPHONE)
    image(shots / "en-US" / "iPad Pro 13-inch (M4)-01_home.png", IPAD)
    image(shots / "de-DE" / "02_detail.png", IPHONE)
    image(shots / "de-DE" / "02_detail_framed.png", IPHONE)
    image(shots / "ja" / "tablet.png", IPAD)  # ambiguous: no name hint
    image(shots / "default" / "65.png", (1242, 2688))
    image(shots / "iMessage" / "en-US" / "sticker.png", IPHONE)
    image(shots / "appleTV" / "en-US" / "tv.png", (3840, 2160))
    (shots / "en-US" / ".DS_Store").write_bytes(b"\0")
    return shots


def make_rating(root: Path) -> Path:
    rating = {
        "CARTOON_FANTASY_VIOLENCE": 1,
        "violenceRealistic": "INFREQUENT_OR_MILD",
        "horrorOrFearThemes": 2,
        "gambling": False,
        "unrestrictedWebAccess": 1,
        "seventeenPlus": False,
        "kidsAgeBand": None,
        "fooBar": 3,
    }
    return write(root / "fastlane" / "rating.json", json.dumps(rating))


def run(*args: str):
    result = CliRunner().invoke(cli, ["import", "fastlane", *args], catch_exceptions=False)
    return result


def load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """One import shared by the tests that only read its result (images take time to make)."""
    tmp_path = tmp_path_factory.mktemp("fastlane")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(tmp_path)
        return import_tree(tmp_path)


def import_tree(tmp_path: Path):
    md = make_metadata(tmp_path)
    shots = make_screenshots(tmp_path)
    rating = make_rating(tmp_path)
    out = tmp_path / "repo"
    result = run(
        str(md),
        "--screenshots",
        str(shots),
        "--rating-config",
        str(rating),
        "--out",
        str(out),
        "--bundle-id",
        "com.example.moviecatalog",
        "--app-version",
        "2.4.0",
    )
    return result, out / "apps" / "moviecatalog"


def test_locale_texts_are_mapped(imported):
    result, app = imported
    assert result.exit_code == 0, result.output
    assert load(app / "locales" / "en-US.yml") == {
        "name": "Movie Catalog",
        "subtitle": "Track films you love",
        "description": "Find films.\n\nKeep a watchlist.",
        "keywords": ["cinema", "watchlist", "trailers"],
        "whats_new": "Bug fixes.",
        "support_url": "https://example.com/support",
        "promotional_text": "Now on iPad.",
    }
    assert load(app / "locales" / "ja.yml") == {
        "name": "映画カタログ",
        "description": "映画を探す。",
    }
    assert load(app / "locales" / "_defaults.yml") == {
        "privacy_policy_url": "https://example.com/privacy"
    }
    assert "description: |-\n  Find films.\n\n  Keep a watchlist.\n" in (
        app / "locales" / "en-US.yml"
    ).read_text(encoding="utf-8")


def test_app_version_and_categories(imported):
    _, app = imported
    assert load(app / "app.yml") == {
        "bundle_id": "com.example.moviecatalog",
        "platform": "IOS",
        "primary_locale": "en-US",
        "supports_ipad": True,
        "categories": {
            "primary": "ENTERTAINMENT",
            "secondary": "GAMES",
            "secondary_subcategories": ["GAMES_PUZZLE"],
        },
    }
    assert load(app.parent.parent / "ascsync.yml") == {"format_version": 1}


def test_review_information_keeps_the_password_out_of_the_repo(imported):
    result, app = imported
    text = (app / "version.yml").read_text(encoding="utf-8")
    assert "password: !env MOVIECATALOG_DEMO_PASSWORD" in text
    assert PASSWORD not in text
    assert PASSWORD not in result.output
    assert "$MOVIECATALOG_DEMO_PASSWORD" in result.output
    version = YAML().load(text)
    assert version["version"] == "2.4.0"
    assert version["copyright"] == "2026 Example Inc."
    assert dict(version["review"]["contact"]) == {
        "first_name": "Dana",
        "last_name": "Reviewer",
        "phone": "+1 408 555 0100",
        "email": "appreview@example.com",
    }
    assert version["review"]["demo_account"]["required"] is True
    assert version["review"]["demo_account"]["name"] == "reviewer@example.com"
    assert version["review"]["notes"] == "Sign in with the demo account.\nThen tap Pro."


def test_rating_config_legacy_values_are_mapped(imported):
    _, app = imported
    assert load(app / "age-rating.yml") == {
        "violence_cartoon_or_fantasy": "INFREQUENT",
        "violence_realistic": "INFREQUENT",
        "horror_or_fear_themes": "FREQUENT",
        "gambling": False,
        "unrestricted_web_access": True,
        "kids_age_band": None,
    }


def test_screenshots_are_sorted_into_display_type_folders(imported):
    _, app = imported
    shots = app / "screenshots"
    found = sorted(str(p.relative_to(shots)) for p in shots.rglob("*") if p.is_file())
    assert found == [
        "de-DE/APP_IPHONE_65/65.png",
        "de-DE/APP_IPHONE_67/02_detail_framed.png",
        "en-US/APP_APPLE_TV/tv.png",
        "en-US/APP_IPAD_PRO_3GEN_129/iPad Pro 13-inch (M4)-01_home.png",
        "en-US/APP_IPHONE_65/65.png",
        "en-US/APP_IPHONE_67/iPhone 16 Pro Max-01_home.png",
        "en-US/IMESSAGE_APP_IPHONE_67/sticker.png",
        "ja/APP_IPAD_PRO_3GEN_129/tablet.png",
        "ja/APP_IPHONE_65/65.png",
        "ja/APP_IPHONE_67/iPhone 16 Pro Max-01_home.png",
    ]


def test_report_lists_everything_not_imported(imported):
    result, _ = imported
    out = result.output
    for expected in [
        "fastlane/metadata/README.md: not a file deliver uses here; not imported",
        "fastlane/metadata/en-US/notes.md: not a deliver metadata file; not imported",
        "fastlane/metadata/en-US/marketing_url.txt: empty, skipped (deliver skips empty values",
        "fastlane/metadata/tlh: not an App Store locale, and none is close (the 50 codes:"
        " `ascsync schema`); 1 file(s) not imported",
        "fastlane/metadata/trade_representative_contact_information: trade representative"
        " contact (city_name) read but not imported",
        "fastlane/rating.json: seventeenPlus: not imported, Apple removed it",
        "fastlane/rating.json: fooBar: not an age rating attribute ascsync knows; not imported",
        "fastlane/screenshots/de-DE/02_detail.png: unframed original skipped",
        "fastlane/screenshots/de-DE/iPhone 16 Pro Max-01_home.png: unframed original skipped",
        "fastlane/screenshots/ja/tablet.png: size fits APP_IPAD_PRO_3GEN_129 and APP_IPAD_PRO_129;"
        " imported as APP_IPAD_PRO_3GEN_129",
    ]:
        assert expected in out, f"missing {expected!r} in:\n{out}"
    assert "0 error" not in out and "error(s)" not in out
    assert "  wrote apps/moviecatalog/app.yml\n" in out
    assert "copied 10 screenshot(s)" in out


def test_existing_files_are_never_overwritten_silently(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, app = import_tree(tmp_path)
    (app / "locales" / "en-US.yml").write_text("name: Edited by hand\n", encoding="utf-8")
    md = tmp_path / "fastlane" / "metadata"
    again = CliRunner().invoke(
        cli,
        [
            "import",
            "fastlane",
            str(md),
            "--out",
            "repo",
            "--bundle-id",
            "com.example.x.moviecatalog",
        ],
    )
    assert again.exit_code == 1
    message = again.output.strip().splitlines()[-1]  # the CLI prints the error as one line
    # YAML files and screenshots (fastlane/screenshots is found next to the metadata)
    assert message.startswith("error: 16 file(s) already exist (apps/moviecatalog/locales/")
    assert message.endswith(
        "; nothing was written. Import into an empty folder with --out, or pass --force"
        " to merge into them (keys fastlane does not give are kept)"
    )
    assert load(app / "locales" / "en-US.yml") == {"name": "Edited by hand"}
    forced = run(
        str(md),
        "--out",
        str(tmp_path / "repo"),
        "--bundle-id",
        "com.example.moviecatalog",
        "--force",
    )
    assert forced.exit_code == 0, forced.output
    assert load(app / "locales" / "en-US.yml")["name"] == "Movie Catalog"


def test_screenshot_of_no_known_size_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    md = write(tmp_path / "metadata" / "en-US" / "name.txt", "Movie Catalog\n").parent.parent
    image(tmp_path / "shots" / "en-US" / "odd.png", (1000, 1000))
    image(tmp_path / "shots" / "en-US" / "ok.png", IPHONE)
    result = run(str(md), "--screenshots", str(tmp_path / "shots"), "--out", "repo")
    assert result.exit_code == 1
    assert (
        "shots/en-US/odd.png: 1000×1000 is not a screenshot size of any display type;"
        " not imported" in result.output
    )
    assert (tmp_path / "repo/apps/movie-catalog/screenshots/en-US/APP_IPHONE_67/ok.png").is_file()


def test_a_complete_fastlane_tree_imports_into_a_repo_that_validates(tmp_path, monkeypatch):
    from ascsync.kinds.registry import validate_repo
    from ascsync.rules import age_rating

    monkeypatch.chdir(tmp_path)
    md = tmp_path / "metadata"
    for locale, name in (("en-US", "Movie Catalog"), ("de-DE", "Filmkatalog")):
        write(md / locale / "name.txt", name + "\n")
        write(md / locale / "description.txt", f"{name}: find films.\nKeep a watchlist.\n")
        write(md / locale / "keywords.txt", "cinema,watchlist\n")
        write(md / locale / "support_url.txt", "https://example.com/support\n")
        image(tmp_path / "shots" / locale / "iPhone-01.png", IPHONE)
        image(tmp_path / "shots" / locale / "ipadPro129-01.png", IPAD)
    write(md / "primary_category.txt", "Entertainment\n")
    write(md / "copyright.txt", "2026 Example Inc.\n")
    rating = {age_rating.apple_name(key): 0 for key in age_rating.LEVEL_QUESTIONS}
    rating |= {age_rating.apple_name(key): False for key in age_rating.REQUIRED_BOOLEANS}
    write(tmp_path / "rating.json", json.dumps(rating))
    result = run(
        str(md),
        "--screenshots",
        "shots",
        "--rating-config",
        "rating.json",
        "--out",
        "repo",
        "--bundle-id",
        "com.example.moviecatalog",
        "--app-version",
        "2.4.0",
    )
    assert result.exit_code == 0, result.output
    assert "Everything was imported." in result.output
    report = validate_repo(tmp_path / "repo")
    assert [p.format(tmp_path / "repo") for p in report.errors] == []


def test_legacy_names_and_spellings_are_understood(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    md = tmp_path / "metadata"
    write(md / "en-us" / "name.txt", "Movie Catalog\n")  # wrong case, as on case-insensitive disks
    write(md / "review_first_name.txt", "Dana\n")  # deliver's legacy review_* names at the root
    write(md / "review_email_address.txt", "dana@example.com\n")
    write(md / "primary_category.txt", "Apps.Food_Drink\n")
    image(tmp_path / "shots" / "en-US" / "Vision Pro-01.png", (3840, 2160))
    image(tmp_path / "shots" / "en-US" / "APP_IPAD_PRO_129-01.png", IPAD)
    result = run(str(md), "--screenshots", "shots", "--out", "repo", "--app", "movies")
    assert result.exit_code == 0, result.output
    app = tmp_path / "repo" / "apps" / "movies"
    assert load(app / "locales" / "en-US.yml") == {"name": "Movie Catalog"}
    assert "metadata/en-us: imported as en-US (App Store locale codes are case-sensitive)" in (
        result.output
    )
    assert load(app / "version.yml") == {
        "review": {"contact": {"first_name": "Dana", "email": "dana@example.com"}}
    }
    assert load(app / "app.yml")["categories"] == {"primary": "FOOD_AND_DRINK"}
    assert (app / "screenshots/en-US/APP_APPLE_VISION_PRO/Vision Pro-01.png").is_file()
    assert (app / "screenshots/en-US/APP_IPAD_PRO_129/APP_IPAD_PRO_129-01.png").is_file()


def test_broken_inputs_are_errors_with_the_file_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    md = tmp_path / "metadata"
    write(md / "en-US" / "name.txt", "Movie Catalog\n")
    (md / "en-US" / "subtitle.txt").write_bytes("Filme für alle".encode("latin-1"))
    write(tmp_path / "rating.json", '{"gambling": false,')
    result = run(str(md), "--rating-config", "rating.json", "--out", "repo")
    assert result.exit_code == 1
    assert "2 error(s):" in result.output
    assert "metadata/en-US/subtitle.txt: not UTF-8 text; re-save it as UTF-8" in result.output
    assert "rating.json: not a readable JSON file (" in result.output
    # What could be read is still written, so the user only fixes the broken files.
    assert load(tmp_path / "repo/apps/movie-catalog/locales/en-US.yml") == {"name": "Movie Catalog"}
    assert not (tmp_path / "repo/apps/movie-catalog/age-rating.yml").exists()


def test_previews_are_sorted_by_the_type_in_their_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    md = write(tmp_path / "metadata" / "en-US" / "name.txt", "Movie Catalog\n").parent.parent
    write(md / "de-DE" / "name.txt", "Filmkatalog\n")  # the folder is named after en-US's name
    movie = b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00"  # content is the validator's business
    write(tmp_path / "previews" / "en-US" / "01_iphone_67_intro.mp4", "").write_bytes(movie)
    write(tmp_path / "previews" / "en-US" / "tour_IPAD_PRO_3GEN_129.mov", "").write_bytes(movie)
    write(tmp_path / "previews" / "en-US" / "teaser.mp4", "").write_bytes(movie)
    write(tmp_path / "previews" / "en-US" / "script.txt", "voice over\n")
    result = run(str(md), "--previews", "previews", "--out", "repo", "--app-version", "1.0")
    assert result.exit_code == 0, result.output
    previews = tmp_path / "repo" / "apps" / "movie-catalog" / "previews"
    assert sorted(str(p.relative_to(previews)) for p in previews.rglob("*.m*")) == [
        "en-US/IPAD_PRO_3GEN_129/tour_IPAD_PRO_3GEN_129.mov",
        "en-US/IPHONE_67/01_iphone_67_intro.mp4",
    ]
    assert "copied 2 preview(s) into apps/movie-catalog/previews/" in result.output
    assert (
        "previews/en-US/teaser.mp4: no preview type (e.g. IPHONE_67) in the file name;"
        " not imported" in result.output
    )
    assert "previews/en-US/script.txt: not a .mov/.m4v/.mp4 preview; not imported" in result.output


@pytest.mark.parametrize(
    ("appfile", "bundle_id", "note"),
    [
        (
            'app_identifier("com.example.moviecatalog")\napple_id "a@b.c"\n',
            "com.example.moviecatalog",
            "fastlane/Appfile: bundle_id com.example.moviecatalog taken from app_identifier",
        ),
        (
            'app_identifier "com.example.a"\n'
            'for_lane :beta do\n  app_identifier "com.example.b"\nend\n',
            None,
            "fastlane/Appfile: several app_identifier values (com.example.a, com.example.b)",
        ),
    ],
)
def test_bundle_id_from_the_appfile(tmp_path, monkeypatch, appfile, bundle_id, note):
    monkeypatch.chdir(tmp_path)
    md = write(tmp_path / "fastlane" / "metadata" / "en-US" / "name.txt", "Movie Catalog\n")
    write(tmp_path / "fastlane" / "Appfile", appfile)
    result = run(str(md.parent.parent), "--out", "repo", "--app", "movies")
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "repo/apps/movies/app.yml").get("bundle_id") == bundle_id
    assert note in result.output


def test_dry_run_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    md = write(tmp_path / "metadata" / "en-US" / "name.txt", "Movie Catalog\n").parent.parent
    image(tmp_path / "shots" / "en-US" / "01.png", IPHONE)
    result = run(str(md), "--screenshots", "shots", "--out", "repo", "--dry-run")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "repo").exists()
    assert "Dry run, nothing written into repo/apps/movie-catalog:" in result.output
    assert "  would write apps/movie-catalog/locales/en-US.yml\n" in result.output
    assert "  would copy 1 screenshot(s) into apps/movie-catalog/screenshots/\n" in result.output
