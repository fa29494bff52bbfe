"""A repo of two apps in three scripts (Latin, Arabic, Japanese) and a sandbox seed that
matches it exactly, for the command-line tests; each test varies the seed."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ascsync.cli import cli
from ascsync.sandbox import Sandbox
from tests.plan.conftest import matching_seed, write_repo

NOTES_LOCALES = {
    "ar-SA": {
        "name": "ملاحظات",
        "subtitle": "دوّن أفكارك بسرعة",
        "description": "تطبيق بسيط لتدوين الملاحظات ومزامنتها بين أجهزتك.",
        "keywords": ["مفكرة", "تدوين"],
        "whats_new": "إصلاح الأخطاء.",
    },
    "ja": {
        "name": "ノート",
        "subtitle": "すばやくメモ",
        "description": "メモを書いて、すべてのデバイスで同期できるシンプルなアプリです。",
        "keywords": ["メモ帳", "同期"],
        "whats_new": "不具合を修正しました。",
    },
}


def _locale_yaml(values: dict[str, Any]) -> str:
    keywords = ", ".join(values["keywords"])
    return (
        f"name: {values['name']}\nsubtitle: {values['subtitle']}\n"
        f"description: {values['description']}\nkeywords: [{keywords}]\n"
        f"whats_new: {values['whats_new']}\nsupport_url: https://example.com/support\n"
        "privacy_policy_url: https://example.com/privacy\n"
    )


def two_apps(root: Path) -> tuple[Path, dict[str, Any]]:
    """``apps/demo`` (en-US) and ``apps/notes`` (en-US, ar-SA, ja), and their live twin."""
    repo = write_repo(root)
    seed = matching_seed(repo)
    notes = repo / "apps" / "notes"
    shutil.copytree(repo / "apps" / "demo", notes)
    app_yml = notes / "app.yml"
    app_yml.write_text(app_yml.read_text().replace("com.example.demo", "com.example.notes"))
    live = copy.deepcopy(seed["apps"][0])
    live["bundleId"], live["name"] = "com.example.notes", "Notes"
    for code, values in NOTES_LOCALES.items():
        (notes / "locales" / f"{code}.yml").write_text(_locale_yaml(values), encoding="utf-8")
        live["appInfo"]["localizations"][code] = {
            "name": values["name"],
            "subtitle": values["subtitle"],
            "privacyPolicyUrl": "https://example.com/privacy",
        }
        live["versions"][1]["localizations"][code] = {
            "description": values["description"],
            "keywords": ",".join(values["keywords"]),
            "whatsNew": values["whats_new"],
            "supportUrl": "https://example.com/support",
        }
    seed["apps"].append(live)
    return repo, seed


@pytest.fixture
def apps_repo(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    return two_apps(tmp_path / "listing")


def info(seed: dict[str, Any], app: int, code: str) -> dict[str, Any]:
    """The live app-info localization ``code`` of the seed's ``app``-th app."""
    localizations: dict[str, Any] = seed["apps"][app]["appInfo"]["localizations"]
    return localizations[code]


def version_locale(seed: dict[str, Any], app: int, code: str) -> dict[str, Any]:
    localizations: dict[str, Any] = seed["apps"][app]["versions"][1]["localizations"]
    return localizations[code]


def run(sandbox: Sandbox | None, *args: str, **kwargs: Any) -> Result:
    """``ascsync [--api-url <sandbox> --api-key-json <key>] ARGS`` in-process."""
    head = []
    if sandbox is not None:
        head = ["--api-url", sandbox.url, "--api-key-json", str(sandbox.api_key_json_path)]
    return CliRunner().invoke(cli, [*head, *args], **kwargs)
