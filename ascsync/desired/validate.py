"""Offline validation: load the repo, run every rule, report all problems at once.

The loader already checks each value on its own (types, enums, lengths, URLs); each
resource kind's ``check`` adds the rules that look at several values together: keywords
against the name, locales against screenshots, product ids across files, required
screenshot sets. Every command runs this same validation before its first request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ascsync.desired.loader import RepoPart, load_repo
from ascsync.desired.model import DesiredRepo, FileKind
from ascsync.problems import Problem, Severity


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


def validate_repo(
    root: Path,
    kinds: Sequence[RepoPart],
    files: Mapping[str, FileKind],
    *,
    need_secrets: bool = False,
) -> Report:
    """Validate the repo at ``root`` without any network access."""
    repo, problems = load_repo(root, kinds, files, need_secrets=need_secrets)
    problems += check_one_folder_per_app(repo)
    for app in repo.apps.values():
        for kind in kinds:
            problems += kind.check(app)
        for other in app.platforms.values():
            problems += [p for kind in kinds if kind.per_platform for p in kind.check(other)]
    return Report(root=root, problems=sort_problems(problems), repo=repo)


def check_one_folder_per_app(repo: DesiredRepo) -> list[Problem]:
    """Two folders for one bundle id would apply over each other (409s half-way).

    One app on several platforms is one app record in App Store Connect: its platforms
    share the app info, so they belong in one folder.
    """
    first: dict[str, str] = {}
    problems = []
    for name, app in repo.apps.items():
        bundle_id = app.record.get("bundle_id")
        if not isinstance(bundle_id, str):
            continue
        if bundle_id in first:
            problems.append(
                app.record.where("bundle_id").problem(
                    "bundle_id",
                    f"{bundle_id} is also the app of apps/{first[bundle_id]}/",
                    "one folder per app; its platforms share that folder",
                )
            )
        first.setdefault(bundle_id, name)
    return problems


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Deduplicated (``_defaults.yml`` values are checked once per locale) and sorted."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (str(p.file or ""), p.line or 0, p.field, p.message))
