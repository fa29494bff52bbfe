"""What the built-in sandbox starts from when ``--sandbox`` rehearses a command.

``--sandbox`` (``auto``) picks the sensible start: the shipped demo when the repo is the
example app, otherwise the *app shell* App Store Connect shows right after you create the
app in the web UI, built from the repo itself (its bundle id, name, SKU, primary locale
and the version it prepares). So an imported repo rehearses with no account and no
hand-written seed. ``--sandbox=repo`` goes one step further: the shell, then the repo's
own content applied to it, so a plan shows no changes and you rehearse your next edit
from the listing as it is. ``demo`` and ``shell`` force one start.

The start applies to a fresh sandbox only: its state then lives in the repo's
``.ascsync/sandbox-state.json``, and each later command continues from it. Delete that
file to start over (or to switch modes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ascsync.desired.model import DesiredRepo
from ascsync.kinds.locales import LOCALES
from ascsync.kinds.version import version_string

MODES = ("auto", "demo", "shell", "repo")
DEMO_SEED = Path(__file__).resolve().parents[1] / "sandbox" / "seeds" / "demo.yml"
APP_NAME_LIMIT = 30
"""[A] An app name is at most 30 characters; the shell's name must be one Apple accepts."""


def resolve_mode(mode: str, repo: DesiredRepo | None) -> str:
    """``auto`` becomes ``demo`` for the example app (or no repo), else ``shell``."""
    if mode != "auto":
        return mode
    if repo is None or not repo.apps:
        return "demo"
    wanted = {app.record.get("bundle_id") for app in repo.apps.values()}
    return "demo" if wanted <= demo_bundle_ids() else "shell"


def demo_bundle_ids() -> set[str]:
    data = YAML(typ="safe").load(DEMO_SEED.read_text(encoding="utf-8"))
    return {str(app["bundleId"]) for app in data.get("apps") or []}


def shell_seed(repo: DesiredRepo) -> dict[str, Any]:
    """A sandbox seed with each app as App Store Connect creates it in the web UI."""
    return {"apps": [_shell(app) for app in repo.apps.values()]}


def _shell(app: Any) -> dict[str, Any]:
    record = app.record
    primary = str(record.get("primary_locale") or "en-US")
    text = (LOCALES.desired(app) or {}).get(primary)
    name = (text.get("name") if text else None) or app.name.replace("-", " ").title()
    name = str(name)[:APP_NAME_LIMIT]
    shell: dict[str, Any] = {
        "bundleId": record.get("bundle_id"),
        "name": name,
        "primaryLocale": primary,
        "appInfo": {"localizations": {primary: {"name": name}}},
        "versions": [
            {
                "versionString": version_string(one) or "1.0",
                "platform": one.record.get("platform") or "IOS",
                "state": "PREPARE_FOR_SUBMISSION",
                "localizations": {primary: {}},
            }
            for one in app.with_platforms()
        ],
    }
    if record.get("sku"):
        shell["sku"] = record.get("sku")
    return shell


def describe(mode: str, repo: DesiredRepo | None) -> str:
    """The line a fresh sandbox prints about where it starts."""
    if mode == "demo":
        return "sandbox: starting from the demo seed (the example app's live state)"
    apps = ", ".join(
        sorted(str(a.record.get("bundle_id")) for a in (repo.apps if repo else {}).values())
    )
    if mode == "shell":
        return (
            f"sandbox: starting from the app shell App Store Connect creates for {apps} "
            "(name, primary locale, the version being prepared; nothing else yet)"
        )
    return f"sandbox: starting from the app shell of {apps} with the repo applied to it"


__all__ = ["MODES", "demo_bundle_ids", "describe", "resolve_mode", "shell_seed"]
