"""A tiny valid repo and a sandbox seed that matches it exactly, to vary one thing at a time."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.sandbox import Sandbox

LOCALE = """\
name: Demo App
subtitle: A small demo
description: A plain description.
keywords: [films, cinema]
whats_new: Bug fixes.
support_url: https://example.com/support
privacy_policy_url: https://example.com/privacy
"""


def write_repo(root: Path) -> Path:
    """``apps/demo``: one locale, one 6.9-inch screenshot, version 1.1.0."""
    app = root / "apps" / "demo"
    (app / "locales").mkdir(parents=True)
    shots = app / "screenshots" / "en-US" / "APP_IPHONE_67"
    shots.mkdir(parents=True)
    (root / "ascsync.yml").write_text("format_version: 1\n")
    (app / "app.yml").write_text(
        "bundle_id: com.example.demo\nplatform: IOS\nprimary_locale: en-US\n"
    )
    (app / "version.yml").write_text('version: "1.1.0"\ncopyright: "2026 Example Inc."\n')
    (app / "locales" / "en-US.yml").write_text(LOCALE)
    Image.new("RGB", (1290, 2796), (30, 60, 90)).save(shots / "01-home.png")
    return root


def matching_seed(repo: Path) -> dict[str, Any]:
    """Live state equal to ``write_repo``'s content: a plan on it has no changes."""
    shot = repo / "apps/demo/screenshots/en-US/APP_IPHONE_67/01-home.png"
    data = shot.read_bytes()
    return {
        "apps": [
            {
                "bundleId": "com.example.demo",
                "name": "Demo App",
                "primaryLocale": "en-US",
                "appInfo": {
                    "localizations": {
                        "en-US": {
                            "name": "Demo App",
                            "subtitle": "A small demo",
                            "privacyPolicyUrl": "https://example.com/privacy",
                        }
                    }
                },
                "versions": [
                    {
                        "versionString": "1.0.0",
                        "state": "READY_FOR_DISTRIBUTION",
                        "localizations": {
                            "en-US": {
                                "description": "Old.",
                                "supportUrl": "https://example.com/support",
                            }
                        },
                    },
                    {
                        "versionString": "1.1.0",
                        "state": "PREPARE_FOR_SUBMISSION",
                        "copyright": "2026 Example Inc.",
                        "localizations": {
                            "en-US": {
                                "description": "A plain description.",
                                "keywords": "films,cinema",
                                "whatsNew": "Bug fixes.",
                                "supportUrl": "https://example.com/support",
                                "screenshots": {
                                    "APP_IPHONE_67": [
                                        {
                                            "fileName": "01-home.png",
                                            "checksum": hashlib.md5(data).hexdigest(),
                                            "fileSize": len(data),
                                            "width": 1290,
                                            "height": 2796,
                                        }
                                    ]
                                },
                            }
                        },
                    },
                ],
            }
        ]
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo")


@pytest.fixture
def seed(repo: Path) -> dict[str, Any]:
    return copy.deepcopy(matching_seed(repo))


def client_for(sandbox: Sandbox) -> ApiClient:
    tokens = TokenProvider(sandbox.key_id, sandbox.private_key_pem, sandbox.issuer_id)
    return ApiClient(sandbox.url, tokens)
