"""The YAML writer on its own: what a person sees in their files after pull or drift --write."""

from __future__ import annotations

from pathlib import Path

from ascsync.commands.pull import write_app
from ascsync.desired.model import LIVE, App, Record, Secret, Value
from ascsync.io.repo_writer import RepoWriter
from ascsync.kinds.in_app_purchases import IAP_FIELDS
from ascsync.kinds.locales import LOCALE_FIELDS, LOCALES
from ascsync.kinds.registry import FILES, load_repo
from ascsync.kinds.version import VERSION_FIELDS


def live_record(**values: object) -> Record:
    return Record(LIVE, {k.replace("__", "."): Value(v, LIVE) for k, v in values.items()})


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_only_changed_values_move_and_quotes_and_comments_stay(tmp_path: Path) -> None:
    path = tmp_path / "version.yml"
    path.write_text(
        '# top comment\nversion: "2.4.0"   # quoted on purpose\ncopyright: "2026 Example Inc."\n'
    )
    writer = RepoWriter(tmp_path, FILES)
    writer.write_record(
        path, live_record(version="2.5.0", copyright="2026 Example Inc."), VERSION_FIELDS, None
    )
    writer.save()
    assert path.read_text() == (
        '# top comment\nversion: "2.5.0"   # quoted on purpose\ncopyright: "2026 Example Inc."\n'
    )


def test_multi_line_text_becomes_a_block_scalar(tmp_path: Path) -> None:
    path = tmp_path / "de-DE.yml"
    path.write_text("name: Filmkatalog\ndescription: Kurz.\n")
    writer = RepoWriter(tmp_path, FILES)
    writer.write_record(
        path, live_record(description="Erste Zeile.\n\nZweite Zeile."), LOCALE_FIELDS, None
    )
    writer.save()
    assert path.read_text() == (
        "name: Filmkatalog\ndescription: |-\n  Erste Zeile.\n\n  Zweite Zeile.\n"
    )


def test_a_secret_is_never_written_and_an_existing_env_tag_stays(tmp_path: Path) -> None:
    path = tmp_path / "version.yml"
    path.write_text("review:\n  demo_account:\n    password: !env MY_PASSWORD\n")
    writer = RepoWriter(tmp_path, FILES)
    writer.write_record(
        path,
        live_record(review__demo_account__password="hunter2-live"),
        VERSION_FIELDS,
        None,
    )
    writer.save()
    assert path.read_text() == "review:\n  demo_account:\n    password: !env MY_PASSWORD\n"

    fresh = tmp_path / "apps" / "shop" / "version.yml"
    writer = RepoWriter(tmp_path, FILES)
    writer.write_record(
        fresh, live_record(review__demo_account__password=Secret("hunter2")), VERSION_FIELDS, None
    )
    report = writer.save()
    assert fresh.read_text() == "review:\n  demo_account:\n    password: !env SHOP_DEMO_PASSWORD\n"
    assert any("export SHOP_DEMO_PASSWORD" in note for note in report.notes)
    assert "hunter2" not in " ".join(report.notes)


def test_new_product_locales_follow_the_files_flow_style(tmp_path: Path) -> None:
    path = tmp_path / "pro.yml"
    path.write_text(
        "product_id: pro\nlocalizations:\n  en-US: {name: Pro, description: All of it.}\n"
    )
    live = live_record(product_id="pro")
    live.maps["localizations"] = {
        code: live_record(
            **{f"localizations.{code}.name": name, f"localizations.{code}.description": None}
        )
        for code, name in (("en-US", "Pro"), ("de-DE", "Profi"))
    }
    writer = RepoWriter(tmp_path, FILES)
    writer.write_record(path, live, IAP_FIELDS, None)
    report = writer.save()
    # en-US has no description live any more (not nullable: the key goes, with a note);
    # de-DE is new and written in the style of its sibling
    assert any("localizations.en-US.description has no value live" in n for n in report.notes)
    assert path.read_text() == (
        "product_id: pro\nlocalizations:\n  en-US: {name: Pro}\n  de-DE: {name: Profi}\n"
    )


def test_defaults_are_respected_and_overridden_only_where_live_differs(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "ascsync.yml": "format_version: 1\n",
            "apps/a/app.yml": "bundle_id: com.example.a\nplatform: IOS\nprimary_locale: en-US\n",
            "apps/a/locales/_defaults.yml": "support_url: https://example.com/help\n",
            "apps/a/locales/en-US.yml": "name: App A\n",
            "apps/a/locales/de-DE.yml": "name: App A\n",
        },
    )
    repo, _ = load_repo(tmp_path)
    desired = repo.apps["a"]
    live = App("a", desired.folder, live_record(bundle_id="com.example.a"))
    for code, url in (("en-US", "https://example.com/help"), ("de-DE", "https://example.de/h")):
        live.parts.setdefault(LOCALES.name, {})[code] = live_record(name="App A", support_url=url)
    writer = RepoWriter(tmp_path, FILES)
    write_app(writer, desired.folder, live, desired)
    writer.save()
    locales = tmp_path / "apps/a/locales"
    assert (locales / "en-US.yml").read_text() == "name: App A\n"
    assert (locales / "de-DE.yml").read_text() == "name: App A\nsupport_url: https://example.de/h\n"
    assert (locales / "_defaults.yml").read_text() == "support_url: https://example.com/help\n"


def test_a_template_in_the_locale_file_is_listed_not_replaced(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "ascsync.yml": "format_version: 1\n",
            "apps/a/app.yml": "bundle_id: com.example.a\nplatform: IOS\nprimary_locale: en-US\n",
            "apps/a/locales/en-US.yml": "name: App A\nwhats_new: !template ../new.j2\n",
            "apps/a/new.j2": "New in {{ locale }}.",
        },
    )
    repo, _ = load_repo(tmp_path)
    desired = repo.apps["a"]
    same = App("a", desired.folder, live_record(bundle_id="com.example.a"))
    same.parts[LOCALES.name] = {"en-US": live_record(name="App A", whats_new="New in en-US.")}
    writer = RepoWriter(tmp_path, FILES)
    write_app(writer, desired.folder, same, desired)
    assert writer.save().by_hand == []  # the template renders to the live text

    other = App("a", desired.folder, live_record(bundle_id="com.example.a"))
    other.parts[LOCALES.name] = {"en-US": live_record(name="App A", whats_new="Edited on the web.")}
    writer = RepoWriter(tmp_path, FILES)
    write_app(writer, desired.folder, other, desired)
    report = writer.save()
    assert report.by_hand == [
        "apps/a/locales/en-US.yml: whats_new is !template ../new.j2; "
        "live differs: edit the template by hand"
    ]
    assert "whats_new: !template ../new.j2" in (tmp_path / "apps/a/locales/en-US.yml").read_text()
    assert (tmp_path / "apps/a/new.j2").read_text() == "New in {{ locale }}."
