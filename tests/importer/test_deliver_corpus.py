"""The Tidewater corpus (tests/importer/corpus.py) imported through the real CLI.

Each test names the issue-13 point it covers. Texts are compared with what ascsync will
send, read back through the repo loader and the field mapping apply uses, so a change in
either that would alter a listing fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML

from ascsync.commands.fastlane.deliver import LOCALE_FILES
from ascsync.engine.mapping import flat_fields, to_apple
from ascsync.kinds.locales import LOCALE_FIELDS, LOCALES
from ascsync.kinds.registry import load_repo
from tests.importer import corpus
from tests.importer.conftest import VERSION, Imported

SPECS = dict(flat_fields(LOCALE_FIELDS))
# Deliverfile hashes win over files, as in deliver (corpus.DELIVERFILE).
DELIVERFILE_VALUES = {
    ("de-DE", "promotional_text"): "Jetzt mit Strömungen für 400 Stationen.",
    ("he", "promotional_text"): "עכשיו עם זרמים",
}
ENABLED = {
    "en-US", "pt-BR", "fr-FR", "de-DE", "ar-SA", "he", "ja", "zh-Hans", "es-MX", "it",
    "ko", "en-GB", "en-AU", "nl-NL",
}  # fmt: skip


def load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def deliver_text(path: Path) -> str | None:
    """What deliver sends for a .txt: the file's text stripped by Ruby's String#strip.

    The import's documented changes on the way in are applied too: a UTF-8 BOM is not
    text, CRLF becomes LF, and UTF-16 (Notepad's "Unicode") is read as text.
    """
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16")
    else:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    value = text.replace("\r\n", "\n").strip("\x00\t\n\x0b\x0c\r ")
    return value or None


def readable(path: Path, project: corpus.Project) -> bool:
    """deliver skips a broken link; the import also refuses links out of the project."""
    return path.exists() and path.resolve().is_relative_to(project.root.resolve())


def expected_listing(project: corpus.Project) -> dict[str, dict[str, str]]:
    """Per enabled locale, every value deliver would send: own files over default/."""
    md = project.metadata
    defaults = {LOCALE_FILES[p.name]: deliver_text(p) for p in (md / "default").iterdir()}
    result = {}
    for code in ENABLED:
        values = dict(defaults)
        folder = md / code
        for name, key in LOCALE_FILES.items():
            path = folder / name
            if readable(path, project) and deliver_text(path) is not None:
                values[key] = deliver_text(path)
        for (locale, key), text in DELIVERFILE_VALUES.items():
            if locale == code:
                values[key] = text
        result[code] = {k: v for k, v in values.items() if v is not None}
    return result


def keywords(text: str) -> list[str]:
    """The keywords a comma-separated string means (App Store Connect splits at commas)."""
    return [word.strip() for word in re.split(r"[,\n]", text) if word.strip()]


def test_imports_with_errors_only_for_what_it_refused(tidewater: Imported):
    out = tidewater.result.output
    assert tidewater.result.exit_code == 1, out  # the two links out and the LFS pointers
    errors = out.split(" error(s):\n")[1].split(" warning(s):")[0]
    assert errors.count("links to ") == 2
    assert errors.count("Git LFS pointer") == 1
    assert len([line for line in errors.splitlines() if line.startswith("  ")]) == 3


def test_an_empty_locale_folder_is_filled_from_default_as_deliver_does(tidewater: Imported):
    """#13: default/ + en-US/ holding only .gitkeep lost a whole en-US listing."""
    app = tidewater.app
    assert (app / "locales" / "en-US.yml").is_file()
    assert load(app / "locales" / "en-US.yml") is None  # no value of its own ...
    defaults = load(app / "locales" / "_defaults.yml")
    assert set(defaults) == {LOCALE_FILES[name] for name in corpus.EN}  # ... nine from default/
    assert len(defaults["description"]) == 3230
    repo, _ = load_repo(tidewater.repo)
    en_us = LOCALES.desired(repo.apps["tidewater"])["en-US"]
    for name, key in LOCALE_FILES.items():
        if name in corpus.EN:
            sent = to_apple(SPECS[key], en_us.get(key))
            want = corpus.EN[name].strip()
            assert sent == (",".join(keywords(want)) if key == "keywords" else want), key
    # a truly empty folder and a language only the Deliverfile names are enabled too
    assert {"pt-BR", "nl-NL"} <= set(LOCALES.desired(repo.apps["tidewater"]))
    assert "metadata/en-US: en-US has no text of its own: deliver fills it from default/" in (
        tidewater.result.output
    )


def test_every_imported_text_is_what_deliver_would_send(tidewater: Imported):
    """#13: keywords keep their meaning; other text is byte-identical after deliver's trim."""
    repo, problems = load_repo(tidewater.repo)
    app = repo.apps["tidewater"]
    assert set(LOCALES.desired(app)) == ENABLED
    expected = expected_listing(tidewater.project)
    compared = 0
    for code, values in expected.items():
        record = LOCALES.desired(app)[code]
        sent_keys = {key for key in SPECS if record.get(key) is not None}
        assert sent_keys == set(values), code  # nothing lost, nothing invented
        for key, text in values.items():
            sent = to_apple(SPECS[key], record.get(key))
            if key == "keywords":
                assert keywords(sent) == keywords(text), (code, key)
            else:
                assert sent == text, (code, key)
            compared += 1
    assert compared > 100
    # the odd ones, spelled out: kept exactly as deliver would send them
    assert LOCALES.desired(app)["fr-FR"].get("subtitle") == "Horaires des marées\u00a0"
    assert LOCALES.desired(app)["ar-SA"].get("name").startswith("\u200f")
    assert LOCALES.desired(app)["ja"].get("description").endswith("\u3000")
    assert LOCALES.desired(app)["zh-Hans"].get("keywords") == ["潮汐，海浪，天气，钓鱼"]
    assert LOCALES.desired(app)["it"].get("keywords") == [
        "maree", "bassa marea", "alta marea", "surf",
    ]  # fmt: skip
    assert "\r" not in LOCALES.desired(app)["de-DE"].get("description")


def test_text_over_apple_limits_is_imported_unchanged_and_reported(tidewater: Imported):
    out = tidewater.result.output
    es = load(tidewater.app / "locales" / "es-MX.yml")
    assert es["description"] == corpus.ES_MX_OVER["description.txt"].strip()
    assert "metadata/es-MX/name.txt: 44 characters, App Store Connect's limit is 30;" in out
    assert "metadata/es-MX/keywords.txt: 105 characters, App Store Connect's limit is 100" in out
    assert "imported unchanged: shorten it before `ascsync apply`" in out


def test_both_ipad_12_9_generations_land_in_their_own_sets(tidewater: Imported):
    """#13: ipadPro (2nd gen, APP_IPAD_PRO_129) and ipadPro129 (3rd gen) are two sets."""
    shots = tidewater.app / "screenshots" / "en-US"
    assert sorted(p.name for p in (shots / "APP_IPAD_PRO_129").iterdir()) == [
        "1_ipadPro_1.png", "2_ipadPro_2.png", "3_ipadPro_3.png",
    ]  # fmt: skip
    assert sorted(p.name for p in (shots / "APP_IPAD_PRO_3GEN_129").iterdir()) == [
        "1_ipadPro129_1.png", "2_ipadPro129_2.png", "3_ipadPro129_3.png",
    ]  # fmt: skip
    assert "size fits" not in tidewater.result.output  # the names decided, no guess


def test_jpeg_named_png_is_imported_as_jpg_and_said_once(tidewater: Imported):
    """#13: download_screenshots leaves JPEG data under .png names."""
    folder = tidewater.app / "screenshots" / "fr-FR" / "APP_IPHONE_67"
    assert sorted(p.name for p in folder.iterdir()) == [
        "0_APP_IPHONE_67_0.jpg", "1_APP_IPHONE_67_1.jpg", "2_APP_IPHONE_67_2.jpg",
    ]  # fmt: skip
    assert all(p.read_bytes()[:3] == b"\xff\xd8\xff" for p in folder.iterdir())
    out = tidewater.result.output
    assert out.count("hold JPEG data under a png name") == 1
    assert "screenshots/fr-FR: 3 file(s) hold JPEG data under a png name; imported with the" in out


def test_git_lfs_pointers_are_named_as_such_once_per_folder(tidewater: Imported):
    out = tidewater.result.output
    assert (
        "screenshots/de-DE: 3 file(s) are a Git LFS pointer, not the file itself: run"
        " `git lfs pull` and import again" in out
    )
    assert "cannot identify" not in out
    assert not (
        tidewater.app / "screenshots" / "de-DE" / "APP_IPHONE_67" / "iPhone 16 Pro Max-01.png"
    ).exists()


def test_deliverfile_and_appfile_values(tidewater: Imported):
    """#13: bundle id and version from the Deliverfile, ENV lookups resolved or named."""
    out = tidewater.result.output
    app = load(tidewater.app / "app.yml")
    assert app["bundle_id"] == "com.example.tidewater"
    assert app["primary_locale"] == "en-US"
    assert app["categories"] == {"primary": "WEATHER", "secondary": "NAVIGATION"}
    version = load(tidewater.app / "version.yml")
    assert version["version"] == VERSION
    assert version["release"] == {"type": "MANUAL"}  # automatic_release false
    assert (
        "fastlane/Deliverfile: bundle_id com.example.tidewater taken from app_identifier"
        " (the default given for $TIDEWATER_BUNDLE_ID, which is not set)" in out
    )
    assert f"version {VERSION} taken from app_version (read from $TIDEWATER_VERSION)" in out
    assert "app_icon: icons ship in the build" in out
    assert "line(s) 29, 30: Ruby that ascsync does not evaluate" in out
    assert "nl-NL enabled by `languages` (no folder of its own)" in out


def test_trade_representative_is_read_and_said_why_not_imported(tidewater: Imported):
    out = tidewater.result.output
    line = next(line for line in out.splitlines() if "trade representative contact" in line)
    assert "metadata/trade_representative_contact_information:" in line
    for name in ("first_name", "city_name", "last_name", "address_line1", "country"):
        assert name in line
    assert "ascsync's layout has no field for it yet" in line
    assert "Busan" not in out and "Min-jun" not in out  # personal data stays out of logs


def test_folders_that_are_not_locales_get_one_line_each(tidewater: Imported):
    """#13: one real repo printed 1,276 warnings, one per file."""
    out = tidewater.result.output
    assert "metadata/de: not an App Store locale (nearest: de-DE; deliver refuses it too):" in out
    assert "metadata/zh-HK: not an App Store locale (nearest: zh-Hant;" in out
    assert "metadata/sr_Latn: not an App Store locale, and none is close" in out
    assert "screenshots/de: not an App Store locale (nearest: de-DE;" in out
    for folder in ("metadata/de", "metadata/zh-HK", "metadata/sr_Latn", "screenshots/de"):
        assert (
            sum(1 for line in out.splitlines() if f"{folder}/" in line or f"{folder}:" in line) == 1
        )


def test_broken_links_are_reported_at_their_own_path(tidewater: Imported):
    out = tidewater.result.output
    assert (
        "metadata/ko/subtitle.txt: broken link (points to ../../../translations/ko/subtitle.txt,"
        " which does not exist); not imported" in out
    )
    assert "screenshots/ja/iPhone 16 Pro Max-05.png: broken link" in out


def test_links_out_of_the_project_are_never_followed(tidewater: Imported):
    """#14: an outside credentials file must not be copied, not even as a "screenshot"."""
    key = tidewater.project.outside_key.read_bytes()
    for path in tidewater.repo.rglob("*"):
        if path.is_file():
            assert key not in path.read_bytes(), path
            assert b"PRIVATE KEY" not in path.read_bytes(), path
    out = tidewater.result.output
    assert out.count("the import never follows a link out of the folder it imports") == 2
    # a link that stays inside the project is an ordinary file
    en_au = load(tidewater.app / "locales" / "en-AU.yml")
    assert en_au["description"] == "Tide times for every Australian port."


def test_other_platforms_go_in_the_app_folder_sharing_its_app_info(tidewater: Imported):
    out = tidewater.result.output
    assert (
        "deliver folders found for iOS (fastlane/metadata, fastlane/screenshots,"
        " fastlane/rating_config.json) and macOS (fastlane/metadata-mac,"
        " fastlane/screenshots-mac): iOS is the app's own platform (--platform IOS);"
        " macOS go in platforms/<PLATFORM>/" in out
    )
    # the app name is shared by every platform: the macOS one is reported, not imported
    assert "Tidewater for Mac" not in (tidewater.app / "locales" / "en-US.yml").read_text("utf-8")
    assert "macOS en-US name 'Tidewater for Mac' differs from the app's" in out
    mac = tidewater.app / "platforms" / "MAC_OS"
    assert "version:" in (mac / "version.yml").read_text("utf-8")
    assert (mac / "screenshots/en-US/APP_DESKTOP/Mac-01.png").is_file()


def test_the_import_validates_with_errors_only_where_apple_would_refuse(tidewater: Imported):
    """#13 "done when": errors only for what App Store Connect itself would refuse.

    Copyright is free text (a year range is valid for Apple) and required screenshot sets
    are asked of the primary locale only (Apple falls back to its sets), so the only
    errors are texts over Apple's limits and rating answers the legacy JSON lacks.
    """
    from ascsync.kinds.registry import validate_repo

    report = validate_repo(tidewater.repo)
    errors = [p.format(tidewater.repo) for p in report.errors]
    apple_refuses = [e for e in errors if "es-MX.yml" in e or "age-rating.yml" in e]
    assert sorted(apple_refuses) == sorted(errors)
    assert any("es-MX.yml:2: name: is 44 characters long" in e for e in apple_refuses)
    assert any("keywords: is 105 characters long" in e for e in apple_refuses)
    # the legacy rating JSON predates Apple's newer questions; the import said so
    assert "answer(s) App Store Connect requires are not in this file" in tidewater.result.output
