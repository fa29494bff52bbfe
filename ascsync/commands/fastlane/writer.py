"""Writing an import plan into a repo without losing what is already there.

Rules, each for a reason a user would notice:

* Without ``--force`` nothing is written if any target exists (no half-written repo).
* With ``--force`` an existing YAML file is *merged into*, never replaced: imported keys
  take their new value, keys fastlane does not give are kept (and listed), so a
  complete ``age-rating.yml`` made by ``ascsync init`` never becomes a partial one.
  Example values ``init`` wrote (``Jane Appleseed``, ``https://example.com/support``)
  are removed instead of kept, so no invented text reaches App Store Connect.
* A locale file that sets a key ``_defaults.yml`` now provides would hide deliver's
  ``default/`` value; the key is removed from it (and listed).
* Every write stays inside the repo: a target that is a symbolic link, or whose folder
  leads out of the repo through one, is refused (issue 14).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from ascsync.commands.fastlane.plan import ImportPlan
from ascsync.commands.fastlane.yamlout import render_yaml, yaml_writer
from ascsync.desired.scaffold import NewApp
from ascsync.errors import AscsyncError
from ascsync.kinds.registry import KINDS

IMPORTED_HEADER = "# Imported from fastlane by `ascsync import fastlane`; edit freely.\n"
DEFAULTS_ONLY = "# Every value of this locale comes from _defaults.yml (fastlane's default/).\n"


# What `ascsync init` writes as examples, per file kind: kept keys with these values would
# be invented listing text, so the merge removes them. The age rating is the exception:
# every answer is required, so init's answers stay (and are listed for the user to check).
def _init_examples() -> dict[str, Any]:
    """What each kind's ``starter_files`` give ``ascsync init``, by file kind."""
    new_app = NewApp("app", "com.example.app", "en-US", "IOS")
    examples: dict[str, Any] = {}
    for kind in KINDS:
        for starter in kind.starter_files(new_app):
            if starter.content and starter.file_kind in ("app", "version", "locale"):
                key = "locale" if starter.file_kind == "locale" else Path(starter.path).name
                examples[key] = YAML(typ="safe").load(starter.content)
    return examples


_INIT_EXAMPLES = _init_examples()


def write_plan(plan: ImportPlan, out: Path, *, force: bool) -> list[Path]:
    """Write every planned file; refuse (writing nothing) if one exists, unless ``force``."""
    targets = [out / p for p in plan.documents] + [out / p for p in plan.copies]
    _refuse_links_out(out, targets)
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        listed = ", ".join(str(path.relative_to(out)) for path in existing[:5])
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise AscsyncError(
            f"{len(existing)} file(s) already exist ({listed}{more}); nothing was written."
            " Import into an empty folder with --out, or pass --force to merge into them"
            " (keys fastlane does not give are kept)"
        )
    written = []
    final: dict[Path, Any] = {}
    if not (out / "ascsync.yml").exists():
        out.mkdir(parents=True, exist_ok=True)
        (out / "ascsync.yml").write_text(render_yaml(CommentedMap(format_version=1)), "utf-8")
        written.append(out / "ascsync.yml")
    for relative, data in plan.documents.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            merged = _merged(target, data, plan)
            if merged is None:
                continue
            final[relative] = merged
            text = render_yaml(merged)
        else:
            final[relative] = data
            text = IMPORTED_HEADER + (render_yaml(data) if data else DEFAULTS_ONLY)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    report_missing(plan, out, final)
    for relative, source in plan.copies.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.resolve(), target)
        written.append(target)
    return written


def _refuse_links_out(out: Path, targets: list[Path]) -> None:
    """Every target must stay inside ``out``: no symlinked file, no folder linking out."""
    real_out = out.resolve()
    bad = []
    for target in targets:
        if target.is_symlink():
            bad.append(f"{target.relative_to(out)} is a symbolic link")
            continue
        folder = target.parent
        while not folder.exists() and folder != out:
            folder = folder.parent
        if not folder.resolve().is_relative_to(real_out):
            bad.append(f"{folder.relative_to(out)} leads to {folder.resolve()}")
    if bad:
        raise AscsyncError(
            f"{'; '.join(sorted(set(bad))[:5])}: the import writes only inside {out} and"
            " never through a link out of it; nothing was written"
        )


def report_missing(plan: ImportPlan, out: Path, documents: dict[Path, Any]) -> None:
    """Warn about required keys neither fastlane nor an existing file gave."""
    for name, key, option in (
        ("app.yml", "bundle_id", "--bundle-id"),
        ("version.yml", "version", "--app-version"),
    ):
        relative = plan.app_dir / name
        data = documents.get(relative)
        if data is None and (out / relative).is_file():
            continue  # not imported: the existing file is left as it is
        if not data or key not in data:
            plan.warn(None, f"{relative} has no {key}: add it (or use {option})")


def _merged(target: Path, data: Any, plan: ImportPlan) -> CommentedMap | None:
    """The existing file with the imported keys set; None (reported) if it is unreadable."""
    yaml = yaml_writer()
    try:
        existing = yaml.load(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        plan.error(
            target, f"exists but cannot be read as YAML ({type(exc).__name__}); left as it is"
        )
        return None
    if existing is None:
        existing = CommentedMap()
    if not isinstance(existing, CommentedMap):
        plan.error(target, "exists but is not a mapping of keys; left as it is")
        return None
    kind = (
        "locale"
        if target.parent.name == "locales" and target.name != "_defaults.yml"
        else target.name
    )
    examples = _INIT_EXAMPLES.get(kind) or {}
    kept, removed = [], []
    for key in list(existing):
        if key in data:
            continue
        if kind == "locale" and key in plan.default_keys:
            removed.append(f"{key} (hid _defaults.yml's value from fastlane's default/)")
            del existing[key]
        elif key in examples and key != "name" and existing[key] == examples[key]:
            removed.append(f"{key} (`ascsync init`'s example)")
            del existing[key]
        else:
            kept.append(str(key))
    for key, value in data.items():
        existing[key] = value
    if kept:
        listed = ", ".join(kept[:5]) + (f" and {len(kept) - 5} more" if len(kept) > 5 else "")
        plan.warn(
            target, f"kept {listed} from the existing file (fastlane gives no value): check them"
        )
    if removed:
        plan.note(target, f"removed {', '.join(removed)}")
    return existing
