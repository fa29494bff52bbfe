"""What ``ascsync init`` writes: a small repo that teaches the layout by example.

Every YAML file starts with a yaml-language-server header pointing at its schema (in
``schemas/``, written next to it), so an editor completes keys from the first keystroke.
Existing files are never overwritten.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ascsync.desired.model import FileKind
from ascsync.desired.schema import schema_file_name, vscode_settings, write_schemas
from ascsync.errors import ConfigError

SCHEMA_DIR = "schemas"


@dataclass(frozen=True)
class NewApp:
    """What ``ascsync init`` was told about the app it scaffolds."""

    folder: str  # the app folder name under apps/
    bundle_id: str
    locale: str
    platform: str

    @property
    def display_name(self) -> str:
        return self.folder.replace("-", " ").replace("_", " ").title()[:30]


@dataclass(frozen=True)
class StarterFile:
    """One file a resource kind contributes to a new repo."""

    path: str  # relative to the repo root; ending in "/" for an empty folder
    file_kind: str = ""  # the file kind whose schema the header points at
    content: str = ""


class Starter(Protocol):
    """What ``init`` asks of a resource kind: its example files for a new app."""

    def starter_files(self, app: NewApp) -> list[StarterFile]: ...


GITIGNORE = """\
# ascsync's local cache (downloaded live state, upload bookkeeping)
.ascsync/
"""


def _header(kind: str, file: str) -> str:
    """The yaml-language-server modeline, with a schema path relative to ``file``."""
    depth = file.count("/")
    relative = "../" * depth + f"{SCHEMA_DIR}/{schema_file_name(kind)}"
    return f"# yaml-language-server: $schema={relative}\n"


def _config() -> str:
    return """\
format_version: 1
# Values every !template file can use as {{ defaults.<key> }}.
defaults:
  company: Example Inc.
"""


def scaffold_repo(
    target: Path,
    app: NewApp,
    kinds: Sequence[Starter],
    files: Mapping[str, FileKind],
) -> list[Path]:
    """Create a new repo in ``target``; returns the files written (skips existing ones)."""
    if (target / "ascsync.yml").exists():
        raise ConfigError(f"{target / 'ascsync.yml'} already exists; not overwriting a repo")
    starters = [StarterFile("ascsync.yml", "config", _config())]
    for kind in kinds:
        starters += kind.starter_files(app)
    written = []
    for starter in starters:
        path = target / starter.path
        if starter.path.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        if _write_new(path, _header(starter.file_kind, starter.path) + starter.content):
            written.append(path)
    settings = json.dumps(vscode_settings(SCHEMA_DIR, files), indent=2) + "\n"
    if _write_new(target / ".vscode/settings.json", settings):
        written.append(target / ".vscode/settings.json")
    if _ensure_gitignore(target / ".gitignore"):
        written.append(target / ".gitignore")
    written += write_schemas(target / SCHEMA_DIR, files)
    return written


def _ensure_gitignore(path: Path) -> bool:
    """Add ascsync's cache folder to ``.gitignore``, keeping what the team already has."""
    if not path.exists():
        return _write_new(path, GITIGNORE)
    current = path.read_text(encoding="utf-8")
    if any(line.strip().rstrip("/") in (".ascsync", "/.ascsync") for line in current.splitlines()):
        return False
    separator = "" if current.endswith("\n") or not current else "\n"
    path.write_text(current + separator + GITIGNORE, encoding="utf-8")
    return True


def _write_new(path: Path, content: str) -> bool:
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return True


def relative_list(paths: list[Path], root: Path) -> list[str]:
    return sorted(os.path.relpath(p, root) for p in paths)
