"""The example repo is the reference a new user copies: it must load, validate clean and
match the published schemas and docs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from ascsync.desired.model import Secret, apple_attribute
from ascsync.desired.schema import FILE_GLOBS, all_schemas, render_layout_doc
from ascsync.desired.validate import validate_repo
from tests.desired.minirepo import EXAMPLE

DOC = Path(__file__).resolve().parents[2] / "docs" / "repo-layout.md"
ENV = "MOVIECATALOG_DEMO_PASSWORD"


@pytest.fixture
def report(monkeypatch):
    monkeypatch.setenv(ENV, "hunter2-not-real")
    return validate_repo(EXAMPLE)


def test_example_repo_is_clean_when_the_secret_is_set(report):
    assert [p.format(EXAMPLE) for p in report.problems] == []


def test_unset_secret_is_only_a_warning_for_validate(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    report = validate_repo(EXAMPLE)
    assert report.ok
    assert [p.format(EXAMPLE) for p in report.warnings] == [
        "apps/moviecatalog/version.yml:20: review.demo_account.password: environment variable "
        f"{ENV} is not set (export {ENV}=... before plan/apply)"
    ]


def test_unset_secret_is_an_error_when_the_command_needs_it(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    report = validate_repo(EXAMPLE, need_secrets=True)
    assert [p.field for p in report.errors] == ["review.demo_account.password"]


def test_model_holds_every_resource_kind(report):
    app = report.repo.apps["moviecatalog"]
    assert app.record.get("bundle_id") == "com.example.moviecatalog"
    assert sorted(app.localizations) == ["de-DE", "en-US", "fr-FR", "ja"]
    assert app.version_string == "2.4.0"
    assert app.age_rating.get("kids_age_band") is None and "kids_age_band" in app.age_rating.attrs
    assert list(app.in_app_purchases) == ["com.example.moviecatalog.pro"]
    group = app.subscription_groups["Movie Catalog Plus"]
    periods = [
        s.get(f"subscriptions[{i}].period") for i, s in enumerate(group.lists["subscriptions"])
    ]
    assert periods == ["ONE_YEAR", "ONE_MONTH"]
    assert sorted(app.beta_groups) == ["Internal QA", "Public Beta"]
    assert app.beta_groups["Public Beta"].get("public_link.limit") == 500


def test_values_know_their_source_line(report):
    app = report.repo.apps["moviecatalog"]
    value = app.localizations["de-DE"].record.attrs["subtitle"]
    assert (value.source.file.name, value.source.line) == ("de-DE.yml", 2)
    inherited = app.localizations["de-DE"].record.attrs["support_url"]
    assert inherited.source.file.name == "_defaults.yml"


def test_file_and_template_texts_are_resolved_per_locale(report):
    app = report.repo.apps["moviecatalog"]
    en = app.localizations["en-US"].record
    assert en.get("description").startswith("Movie Catalog is the simple way")
    assert en.attrs["description"].source.file.name == "description.md"
    # one template, rendered with each locale and the version from version.yml
    assert app.localizations["de-DE"].record.get("whats_new").startswith("Neu in Version 2.4.0:")
    assert app.localizations["ja"].record.get("whats_new").startswith("バージョン 2.4.0 の新機能")
    assert "support@example.com" in en.get("whats_new")  # from ascsync.yml defaults


def test_secret_is_never_printed(report):
    password = report.repo.apps["moviecatalog"].version.attrs["review.demo_account.password"]
    assert password.sensitive
    assert isinstance(password.value, Secret) and password.value.reveal() == "hunter2-not-real"
    assert "hunter2" not in repr(password) and "hunter2" not in str(report.repo)


def test_screenshots_are_in_natural_order_with_lazy_md5(report):
    localization = report.repo.apps["moviecatalog"].localizations["fr-FR"]
    shots = localization.screenshot_sets["APP_IPHONE_67"].files
    assert [s.file_name for s in shots] == ["01-home.png", "02-detail.png", "03-search.png"]
    assert "md5" not in vars(shots[1])  # not hashed during validation
    assert shots[1].md5 == hashlib.md5(shots[1].path.read_bytes()).hexdigest()
    assert shots[1].size == shots[1].path.stat().st_size
    app = report.repo.apps["moviecatalog"]
    assert app.screenshot_address("fr-FR", "APP_IPHONE_67", shots[1].file_name) == (
        "app[moviecatalog].version[2.4.0].locale[fr-FR].screenshots[APP_IPHONE_67][02-detail.png]"
    )


def test_apple_attribute_table():
    assert apple_attribute("locale", "name") == "appInfoLocalizations.name"
    assert apple_attribute("locale", "whats_new") == "appStoreVersionLocalizations.whatsNew"
    assert (
        apple_attribute("version", "review.contact.email") == "appStoreReviewDetails.contactEmail"
    )
    assert apple_attribute("age-rating", "guns_or_other_weapons") == (
        "ageRatingDeclarations.gunsOrOtherWeapons"
    )
    assert apple_attribute("locale", "nope") is None


def _load_plain(path: Path):
    """The YAML as a schema-aware editor sees it: tags are plain strings."""
    yaml = YAML(typ="safe")
    for tag in ("!file", "!template", "!env"):
        yaml.constructor.add_constructor(tag, lambda loader, node: str(node.value))
    return json.loads(json.dumps(yaml.load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("kind", sorted(FILE_GLOBS))
def test_example_files_validate_against_the_published_schemas(kind):
    schema = all_schemas()[kind]
    jsonschema.Draft7Validator.check_schema(schema)
    paths = [p for p in EXAMPLE.glob(FILE_GLOBS[kind]) if p.name != "_defaults.yml"]
    if kind == "locale":
        paths.append(EXAMPLE / "apps/moviecatalog/locales/_defaults.yml")
    assert paths, f"the example repo has no {kind} file"
    for path in paths:
        jsonschema.validate(_load_plain(path), schema)


def test_schema_flags_limits_and_unknown_keys():
    schema = all_schemas()["locale"]
    with pytest.raises(jsonschema.ValidationError, match="is too long"):
        jsonschema.validate({"subtitle": "x" * 31}, schema)
    with pytest.raises(jsonschema.ValidationError, match="subtitel"):
        jsonschema.validate({"subtitel": "x"}, schema)


def test_committed_layout_doc_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render_layout_doc(), (
        "docs/repo-layout.md is stale; regenerate it (command at the top of the file)"
    )


class _AnyTagged:
    """Stands for a !file/!template/!env value, which the model holds resolved."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str | Secret)


def _load_with_tags_as_wildcards(path: Path):
    yaml = YAML(typ="safe")
    for tag in ("!file", "!template", "!env"):
        yaml.constructor.add_constructor(tag, lambda loader, node: _AnyTagged())
    return yaml.load(path.read_text(encoding="utf-8"))


def test_round_trip_every_example_file_through_the_model(report):
    """Loading loses nothing: each record turned back into plain data equals its YAML file."""
    app = report.repo.apps["moviecatalog"]
    folder = EXAMPLE / "apps/moviecatalog"
    records = {
        "app.yml": app.record,
        "age-rating.yml": app.age_rating,
        "version.yml": app.version,
        "in-app-purchases/com.example.moviecatalog.pro.yml": app.in_app_purchases[
            "com.example.moviecatalog.pro"
        ],
        "subscriptions/movie-catalog-plus.yml": app.subscription_groups["Movie Catalog Plus"],
        "testflight/beta-app.yml": app.beta_app,
        "testflight/groups/internal-qa.yml": app.beta_groups["Internal QA"],
        "testflight/groups/public-beta.yml": app.beta_groups["Public Beta"],
    }
    for relative, record in records.items():
        assert _load_with_tags_as_wildcards(folder / relative) == record.to_plain(), relative
    # a locale is its own file merged over _defaults.yml
    defaults = _load_with_tags_as_wildcards(folder / "locales/_defaults.yml")
    for code, localization in app.localizations.items():
        own = _load_with_tags_as_wildcards(folder / f"locales/{code}.yml")
        assert {**defaults, **own} == localization.record.to_plain(), code


def test_apple_attribute_resolves_sub_record_paths():
    assert apple_attribute("subscription-group", "subscriptions[1].localizations.ja.name") == (
        "subscriptionLocalizations.name"
    )
    assert apple_attribute("beta-group", "testers[0].email") == "betaTesters.email"
