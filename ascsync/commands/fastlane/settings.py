"""What the Appfile and Deliverfile say about the listing, in ascsync's terms.

deliver lets a Deliverfile set almost everything a metadata folder holds (and wins over
the folder when both do), plus how deliver runs. This module answers the questions the
import asks — bundle id, version, enabled languages, skip flags, listing values — and
lists every other option once, with why it is not imported. A value read from the
environment is named by its variable; a secret (the demo password) is never printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascsync.commands.fastlane.deliver import (
    CATEGORY_FILES,
    ICON_OPTIONS,
    ICONS_SHIP_IN_THE_BUILD,
    LOCALIZED_OPTIONS,
    RUN_OPTIONS,
    TRADE_REP_FOLDER,
)
from ascsync.commands.fastlane.layout import Discovery
from ascsync.commands.fastlane.plan import ImportOptions, ImportPlan
from ascsync.commands.fastlane.ruby import RubySettings, Setting

# Options the import reads (elsewhere in this package); everything else is reported.
READ_OPTIONS = (
    {
        "app_identifier",
        "app_version",
        "languages",
        "skip_screenshots",
        "skip_metadata",
        "metadata_path",
        "screenshots_path",
        "app_previews_path",
        "app_rating_config_path",
        "platform",
        "copyright",
        "app_review_information",
        "automatic_release",
        "phased_release",
        TRADE_REP_FOLDER,
    }
    | set(LOCALIZED_OPTIONS)
    | {name.removesuffix(".txt") for name in CATEGORY_FILES}
    | ICON_OPTIONS
)
NOT_YET = {
    "price_tier": "deliver's legacy price tiers; set `price` in app.yml (Apple's price points)",
    "app_clip_review_information": "ascsync's layout has no App Clip fields yet",
    "app_clip_default_experience_subtitle": "ascsync's layout has no App Clip fields yet",
    "app_clip_default_experience_action": "ascsync's layout has no App Clip fields yet",
    "app_review_attachment_file": "ascsync does not upload review attachments yet",
    "auto_release_date": "write release.type: SCHEDULED and release.earliest_date in version.yml",
    "submission_information": "answered at submission time, not kept in the listing",
}


@dataclass
class DeliverSettings:
    """Typed access to the Appfile and Deliverfile for the platform being imported."""

    appfile: RubySettings | None
    deliverfile: RubySettings | None
    platform: str

    @classmethod
    def of(cls, found: Discovery, platform: str) -> DeliverSettings:
        return cls(found.appfile, found.deliverfile, platform)

    def get(self, name: str) -> Setting | None:
        return self.deliverfile.get(name, self.platform) if self.deliverfile else None

    def value(self, name: str, plan: ImportPlan) -> Any:
        """The option's value, or None (an unresolvable value is reported with its line)."""
        setting = self.get(name)
        if setting is None:
            return None
        if setting.problem is not None:
            assert self.deliverfile is not None
            plan.warn(
                self.deliverfile.path,
                f"line {setting.line}: {name} {setting.problem}; not imported"
                " (set the variable, or give the value on the command line)",
            )
            return None
        return setting.value

    def flag(self, name: str, plan: ImportPlan) -> bool:
        return self.value(name, plan) is True


def bundle_id(options: ImportOptions, settings: DeliverSettings, plan: ImportPlan) -> str | None:
    """``--bundle-id``, else the Deliverfile's ``app_identifier``, else the Appfile's."""
    if options.bundle_id:
        return options.bundle_id
    from_deliverfile = _app_identifier(settings, plan)
    from_appfile = _appfile_identifier(settings, plan, quiet=from_deliverfile is not None)
    if from_deliverfile is not None:
        if from_appfile and from_appfile != from_deliverfile:
            plan.note(
                settings.appfile.path if settings.appfile else None,
                f"app_identifier {from_appfile} differs from the Deliverfile's; deliver uses"
                f" the Deliverfile's ({from_deliverfile}), so does the import",
            )
        return from_deliverfile
    return from_appfile


def _app_identifier(settings: DeliverSettings, plan: ImportPlan) -> str | None:
    setting = settings.get("app_identifier")
    value = settings.value("app_identifier", plan)
    if setting is None or not isinstance(value, str):
        return None
    assert settings.deliverfile is not None
    plan.note(
        settings.deliverfile.path,
        f"bundle_id {value} taken from app_identifier{_from_env(setting)}; check app.yml",
    )
    return value


def _appfile_identifier(settings: DeliverSettings, plan: ImportPlan, *, quiet: bool) -> str | None:
    """The Appfile's ``app_identifier``, when it names just one (lanes may name others)."""
    appfile = settings.appfile
    if appfile is None:
        return None
    found = appfile.all("app_identifier", settings.platform)
    unresolved = [s for s in found if s.problem]
    values = sorted({s.value for s in found if isinstance(s.value, str)})
    if quiet:
        return values[0] if len(values) == 1 else None
    for setting in unresolved:
        plan.warn(
            appfile.path,
            f"line {setting.line}: app_identifier {setting.problem}; set it or pass --bundle-id",
        )
    if len(values) == 1 and not unresolved:
        env = next((s for s in found if s.env), None)
        where = _from_env(env) if env else ""
        plan.warn(
            appfile.path, f"bundle_id {values[0]} taken from app_identifier{where}; check app.yml"
        )
        return values[0]
    if len(values) > 1:
        plan.warn(
            appfile.path, f"several app_identifier values ({', '.join(values)}); use --bundle-id"
        )
    return None


def _from_env(setting: Setting) -> str:
    names = [e.name for e in setting.env]
    if not names:
        return ""
    used = [e.name for e in setting.env if e.is_set]
    if used:
        return f" (read from ${used[0]})"
    return f" (the default given for ${names[0]}, which is not set)"


def app_version(options: ImportOptions, settings: DeliverSettings, plan: ImportPlan) -> str | None:
    if options.app_version:
        return options.app_version
    setting = settings.get("app_version")
    value = settings.value("app_version", plan)
    if setting is None or value is None:
        return None
    assert settings.deliverfile is not None
    plan.note(
        settings.deliverfile.path, f"version {value} taken from app_version{_from_env(setting)}"
    )
    return str(value)


def report_other_options(settings: DeliverSettings, plan: ImportPlan) -> None:
    """One line for run options, one per option with no ascsync equivalent, icons explained."""
    deliverfile = settings.deliverfile
    if deliverfile is None:
        return
    names = deliverfile.names()
    run = [n for n in names if n in RUN_OPTIONS]
    if run:
        plan.note(
            deliverfile.path,
            f"{', '.join(run)}: how deliver runs, not what the listing says; not imported"
            " (ascsync has its own credentials and flags)",
        )
    for name in names:
        if name in ICON_OPTIONS:
            plan.warn(deliverfile.path, f"{name}: {ICONS_SHIP_IN_THE_BUILD}")
        elif name in NOT_YET:
            plan.warn(deliverfile.path, f"{name}: not imported: {NOT_YET[name]}")
        elif name not in READ_OPTIONS and name not in RUN_OPTIONS:
            plan.warn(deliverfile.path, f"{name}: not an option ascsync imports; not imported")


def settings_path(settings: DeliverSettings) -> Path | None:
    return settings.deliverfile.path if settings.deliverfile else None
