"""What ``ascsync init`` writes: a small repo that teaches the layout by example.

Every YAML file starts with a yaml-language-server header pointing at its schema (in
``schemas/``, written next to it), so an editor completes keys from the first keystroke.
Existing files are never overwritten.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ascsync.desired.schema import schema_file_name, vscode_settings, write_schemas
from ascsync.errors import ConfigError
from ascsync.rules import age_rating as ar

SCHEMA_DIR = "schemas"
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


def _app(bundle_id: str, locale: str, platform: str) -> str:
    ipad = "supports_ipad: true\n" if platform == "IOS" else ""
    return f"""\
# Leaving a key out means "not managed by ascsync"; write null to clear a value.
bundle_id: {bundle_id}
platform: {platform}
primary_locale: {locale}
{ipad}categories:
  primary: UTILITIES
"""


def _version() -> str:
    return """\
version: "1.0.0"              # quote it, or YAML reads 1.0 as a number
copyright: "2026 Example Inc."
release:
  type: MANUAL
review:
  contact:
    first_name: Jane
    last_name: Appleseed
    phone: "+1 408 555 0100"
    email: appreview@example.com
  demo_account:
    required: false
    # password: !env DEMO_PASSWORD   # secrets come from the environment, never the repo
"""


def _age_rating() -> str:
    lines = ["# Every answer is required. Levels: NONE, INFREQUENT, FREQUENT."]
    lines += [f"{q}: NONE" for q in ar.LEVEL_QUESTIONS]
    lines += [f"{b}: false" for b in ar.REQUIRED_BOOLEANS + ar.OPTIONAL_BOOLEANS]
    lines += ["kids_age_band: null", "age_rating_override_v2: NONE"]
    return "\n".join(lines) + "\n"


def _locale(name: str) -> str:
    return f"""\
name: {name}
subtitle: A short, memorable subtitle
# Long text can live in its own file: description: !file ../texts/description.md
description: |-
  Describe what your app does, in plain text (no HTML).
keywords: [replace, these, keywords]   # one per item, 100 characters in all
support_url: https://example.com/support
privacy_policy_url: https://example.com/privacy
"""


def scaffold_repo(
    target: Path, *, app: str, bundle_id: str, locale: str, platform: str = "IOS"
) -> list[Path]:
    """Create a new repo in ``target``; returns the files written (skips existing ones)."""
    if (target / "ascsync.yml").exists():
        raise ConfigError(f"{target / 'ascsync.yml'} already exists; not overwriting a repo")
    display_name = app.replace("-", " ").replace("_", " ").title()[:30]
    files = {
        "ascsync.yml": ("config", _config()),
        f"apps/{app}/app.yml": ("app", _app(bundle_id, locale, platform)),
        f"apps/{app}/version.yml": ("version", _version()),
        f"apps/{app}/age-rating.yml": ("age-rating", _age_rating()),
        f"apps/{app}/locales/{locale}.yml": ("locale", _locale(display_name)),
    }
    written = []
    for relative, (kind, content) in files.items():
        path = target / relative
        if _write_new(path, _header(kind, relative) + content):
            written.append(path)
    settings = json.dumps(vscode_settings(SCHEMA_DIR), indent=2) + "\n"
    if _write_new(target / ".vscode/settings.json", settings):
        written.append(target / ".vscode/settings.json")
    if _ensure_gitignore(target / ".gitignore"):
        written.append(target / ".gitignore")
    (target / f"apps/{app}/screenshots/{locale}").mkdir(parents=True, exist_ok=True)
    written += write_schemas(target / SCHEMA_DIR)
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
