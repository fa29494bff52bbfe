"""The example repo is the reference a new user copies: it must load, validate clean and
match the published schemas and docs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from ascsync.desired.model import App, Secret
from ascsync.desired.model import apple_attribute as _apple_attribute
from ascsync.desired.schema import all_schemas as _all_schemas
from ascsync.desired.schema import file_globs
from ascsync.kinds.age_rating import AGE_RATING
from ascsync.kinds.beta_app import BETA_APP
from ascsync.kinds.beta_groups import BETA_GROUPS
from ascsync.kinds.in_app_purchases import IN_APP_PURCHASES
from ascsync.kinds.locales import LOCALES
from ascsync.kinds.media import MEDIA
from ascsync.kinds.registry import FILES, layout_doc, validate_repo
from ascsync.kinds.subscriptions import SUBSCRIPTION_GROUPS
from ascsync.kinds.version import VERSION, version_string
from tests.desired.minirepo import EXAMPLE

DOC = Path(__file__).resolve().parents[2] / "docs" / "repo-layout.md"
ENV = "MOVIECATALOG_DEMO_PASSWORD"
FILE_GLOBS = file_globs(FILES)


def apple_attribute(kind: str, dotted: str) -> str | None:
    return _apple_attribute(FILES, kind, dotted)


def all_schemas():
    return _all_schemas(FILES)


def locales(app: App):
    return LOCALES.desired(app) or {}


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
        "apps/moviecatalog/testflight/beta-app.yml:19: demo_account.password: environment "
        f"variable {ENV} is not set (export {ENV}=... before plan/apply)",
        "apps/moviecatalog/version.yml:21: review.demo_account.password: environment variable "
        f"{ENV} is not set (export {ENV}=... before plan/apply)",
    ]


def test_unset_secret_is_an_error_when_the_command_needs_it(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    report = validate_repo(EXAMPLE, need_secrets=True)
    assert [p.field for p in report.errors] == [
        "demo_account.password",
        "review.demo_account.password",
    ]


def test_model_holds_every_resource_kind(report):
    app = report.repo.apps["moviecatalog"]
    assert app.record.get("bundle_id") == "com.example.moviecatalog"
    assert sorted(locales(app)) == ["de-DE", "en-US", "fr-FR", "ja"]
    assert version_string(app) == "2.4.0"
    age_rating = AGE_RATING.desired(app)
    assert age_rating.get("kids_age_band") is None and "kids_age_band" in age_rating.attrs
    assert list(IN_APP_PURCHASES.desired(app)) == ["com.example.moviecatalog.pro"]
    group = SUBSCRIPTION_GROUPS.desired(app)["Movie Catalog Plus"]
    periods = [
        s.get(f"subscriptions[{i}].period") for i, s in enumerate(group.lists["subscriptions"])
    ]
    assert periods == ["ONE_YEAR", "ONE_MONTH"]
    beta_groups = BETA_GROUPS.desired(app)
    assert sorted(beta_groups) == ["Internal QA", "Public Beta"]
    assert beta_groups["Public Beta"].get("public_link.limit") == 500


def test_values_know_their_source_line(report):
    app = report.repo.apps["moviecatalog"]
    value = locales(app)["de-DE"].attrs["subtitle"]
    assert (value.source.file.name, value.source.line) == ("de-DE.yml", 2)
    inherited = locales(app)["de-DE"].attrs["support_url"]
    assert inherited.source.file.name == "_defaults.yml"


def test_file_and_template_texts_are_resolved_per_locale(report):
    app = report.repo.apps["moviecatalog"]
    en = locales(app)["en-US"]
    assert en.get("description").startswith("Movie Catalog is the simple way")
    assert en.attrs["description"].source.file.name == "description.md"
    # one template, rendered with each locale and the version from version.yml
    assert locales(app)["de-DE"].get("whats_new").startswith("Neu in Version 2.4.0:")
    assert locales(app)["ja"].get("whats_new").startswith("バージョン 2.4.0 の新機能")
    assert "support@example.com" in en.get("whats_new")  # from ascsync.yml defaults


def test_secret_is_never_printed(report):
    version = VERSION.desired(report.repo.apps["moviecatalog"])
    password = version.attrs["review.demo_account.password"]
    assert password.sensitive
    assert isinstance(password.value, Secret) and password.value.reveal() == "hunter2-not-real"
    assert "hunter2" not in repr(password) and "hunter2" not in str(report.repo)


def test_screenshots_are_in_natural_order_with_lazy_md5(report):
    app = report.repo.apps["moviecatalog"]
    shots = MEDIA.desired(app)["fr-FR"].screenshots["APP_IPHONE_67"].files
    assert [s.file_name for s in shots] == ["01-home.png", "02-detail.png", "03-search.png"]
    assert "md5" not in vars(shots[1])  # not hashed during validation
    assert shots[1].md5 == hashlib.md5(shots[1].path.read_bytes()).hexdigest()
    assert shots[1].size == shots[1].path.stat().st_size


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
    if kind == "platform-locale":  # the example app is on one platform: check the schema
        jsonschema.validate({"description": "On your Mac.", "keywords": ["films"]}, schema)
        with pytest.raises(jsonschema.ValidationError, match="name"):
            jsonschema.validate({"name": "App info is shared"}, schema)
        return
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
    assert DOC.read_text(encoding="utf-8") == layout_doc(), (
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
        "age-rating.yml": AGE_RATING.desired(app),
        "version.yml": VERSION.desired(app),
        "in-app-purchases/com.example.moviecatalog.pro.yml": IN_APP_PURCHASES.desired(app)[
            "com.example.moviecatalog.pro"
        ],
        "subscriptions/movie-catalog-plus.yml": SUBSCRIPTION_GROUPS.desired(app)[
            "Movie Catalog Plus"
        ],
        "testflight/beta-app.yml": BETA_APP.desired(app),
        "testflight/groups/internal-qa.yml": BETA_GROUPS.desired(app)["Internal QA"],
        "testflight/groups/public-beta.yml": BETA_GROUPS.desired(app)["Public Beta"],
    }
    for relative, record in records.items():
        assert _load_with_tags_as_wildcards(folder / relative) == record.to_plain(), relative
    # a locale is its own file merged over _defaults.yml
    defaults = _load_with_tags_as_wildcards(folder / "locales/_defaults.yml")
    for code, record in locales(app).items():
        own = _load_with_tags_as_wildcards(folder / f"locales/{code}.yml")
        assert {**defaults, **own} == record.to_plain(), code


def test_apple_attribute_resolves_sub_record_paths():
    assert apple_attribute("subscription-group", "subscriptions[1].localizations.ja.name") == (
        "subscriptionLocalizations.name"
    )
    assert apple_attribute("beta-group", "testers[0].email") == "betaTesters.email"
