"""Offline validation: load the repo, run every rule, report all problems at once.

The loader already checks each value on its own (types, enums, lengths, URLs); this
module adds the rules that look at several values together: keywords against the
name, locales against screenshots, product ids across files, required screenshot sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ascsync.desired import media
from ascsync.desired.loader import load_repo
from ascsync.desired.model import App, DesiredRepo, Localization
from ascsync.problems import Problem, Severity
from ascsync.rules import products as pr
from ascsync.rules import text as tx

# Fields App Store Connect needs before a submission; absent ones only warn, because an
# absent key means "not managed by ascsync" and the value may already be set in ASC.
SUBMISSION_FIELDS = ("name", "description", "support_url")


@dataclass
class Report:
    """The outcome of a validation run, problems sorted by file and line."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    repo: DesiredRepo | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_repo(root: Path, *, need_secrets: bool = False) -> Report:
    """Validate the repo at ``root`` without any network access."""
    repo, problems = load_repo(root, need_secrets=need_secrets)
    for app in repo.apps.values():
        problems += check_app(app)
    return Report(root=root, problems=sort_problems(problems), repo=repo)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Deduplicated (``_defaults.yml`` values are checked once per locale) and sorted."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (str(p.file or ""), p.line or 0, p.field, p.message))


def check_app(app: App) -> list[Problem]:
    problems = pr.check_categories(app.record) + pr.check_platform_fields(app.record)
    if app.version is not None:
        problems += pr.check_version(app.version)
    for localization in app.localizations.values():
        problems += check_localization(app, localization)
    problems += pr.check_product_ids(app.in_app_purchases, app.subscription_groups)
    for iap in app.in_app_purchases.values():
        problems += pr.check_in_app_purchase(iap)
    for group in app.subscription_groups.values():
        problems += pr.check_subscription_group(group)
    if app.beta_app is not None:
        problems += pr.check_demo_account(app.beta_app, "demo_account")
    for beta_group in app.beta_groups.values():
        problems += pr.check_beta_group(beta_group)
    problems += pr.check_external_testing(app.beta_app, app.beta_groups)
    return problems


def check_localization(app: App, localization: Localization) -> list[Problem]:
    record = localization.record
    problems: list[Problem] = []
    keywords = record.attrs.get("keywords")
    if keywords is not None and isinstance(keywords.value, list):
        problems += tx.check_keywords(
            keywords.value,
            keywords.source,
            "keywords",
            name=record.get("name"),
            subtitle=record.get("subtitle"),
        )
    is_primary = localization.locale == app.record.get("primary_locale")
    if is_primary:
        problems += _missing_submission_fields(app, localization)
    platform = app.record.get("platform")
    if isinstance(platform, str) and (is_primary or localization.screenshot_sets):
        problems += media.check_required_screenshot_sets(
            platform,
            bool(app.record.get("supports_ipad", False)),
            set(localization.screenshot_sets),
            where=app.folder / "screenshots" / localization.locale,
            locale=localization.locale,
        )
    return problems


def _missing_submission_fields(app: App, localization: Localization) -> list[Problem]:
    record = localization.record
    needed = list(SUBMISSION_FIELDS)
    platform = app.record.get("platform")
    needed.append("privacy_policy_text" if platform == "TV_OS" else "privacy_policy_url")
    problems = []
    if platform != "TV_OS" and "privacy_policy_text" in record.attrs:
        problems.append(
            record.where("privacy_policy_text").problem(
                "privacy_policy_text",
                "is used on tvOS only",
                "use privacy_policy_url",
                Severity.WARNING,
            )
        )
    return problems + [
        record.source.problem(
            key,
            f"is not set for the primary locale {localization.locale}",
            "App Store Connect requires it before submission",
            Severity.WARNING,
        )
        for key in needed
        if record.attrs.get(key) is None
    ]
