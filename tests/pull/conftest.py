"""Pull/drift tests: the demo seed with real screenshot bytes, so downloads can be checked.

The shipped demo seed gives screenshots as checksums only (no bytes to download). These
fixtures rewrite it with ``file:`` entries: example-repo's PNGs where it has the same
name (their MD5s are the ones the demo seed lists) and a generated PNG otherwise.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image
from ruamel.yaml import YAML

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.cli import cli
from ascsync.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example-repo"
DEMO_SEED = ROOT / "ascsync" / "sandbox" / "seeds" / "demo.yml"
BUNDLE = "com.example.moviecatalog"
PASSWORD = "pull-test-Passw0rd"
APP = "apps/moviecatalog"


def seed_with_images(folder: Path, rename: dict[tuple[str, str], list[str]] | None = None) -> Path:
    """The demo seed written to ``folder/seed.yml`` with screenshot files beside it.

    ``rename`` gives other live file names, in order, to a ``(locale, type)`` set.
    """
    yaml = YAML(typ="safe")
    seed = yaml.load(DEMO_SEED.read_text(encoding="utf-8"))
    shots = folder / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    for png in DEMO_SEED.parent.glob("*.png"):  # other seeded media name the demo's PNGs
        shutil.copyfile(png, folder / png.name)
    for app in seed["apps"]:
        for version in app.get("versions", []):
            for code, loc in (version.get("localizations") or {}).items():
                for display_type, items in (loc.get("screenshots") or {}).items():
                    loc["screenshots"][display_type] = [
                        _with_file(item, code, display_type, shots) for item in items
                    ]
                    names = (rename or {}).get((code, display_type))
                    if names:
                        for item, name in zip(loc["screenshots"][display_type], names, strict=True):
                            item["fileName"] = name
    path = folder / "seed.yml"
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(seed, out)
    return path


def _with_file(item: dict[str, Any], code: str, display_type: str, shots: Path) -> dict:
    name = item["fileName"]
    source = EXAMPLE / "apps/moviecatalog/screenshots" / code / display_type / name
    target = shots / f"{code}-{display_type}-{name}"
    if source.exists():
        shutil.copyfile(source, target)
    elif "file" in item:  # the demo seed's own PNG, beside it
        shutil.copyfile(DEMO_SEED.parent / item["file"], target)
    else:
        Image.new("RGB", (int(item["width"]), int(item["height"])), (200, 40, 40)).save(target)
    return {"fileName": name, "file": f"shots/{target.name}"}


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(seed=seed_with_images(tmp_path / "seed"), settings={"settle_seconds": 0.02}) as sb:
        yield sb


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of example-repo without its cache."""
    target = tmp_path / "example-repo"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".ascsync"))
    monkeypatch.setenv("MOVIECATALOG_DEMO_PASSWORD", PASSWORD)
    return target


def invoke(sandbox: Sandbox, command: str, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "--no-color",
            "--api-url",
            sandbox.url,
            "--api-key-json",
            str(sandbox.api_key_json_path),
            command,
            *args,
        ],
    )


def client_for(sandbox: Sandbox) -> ApiClient:
    tokens = TokenProvider(sandbox.key_id, sandbox.private_key_pem, sandbox.issuer_id)
    return ApiClient(sandbox.url, tokens)


def converged_example(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    leave_out: tuple[str, ...] = (),
) -> Path:
    """example-repo (less ``leave_out`` folders) applied to the sandbox: plan shows no changes."""
    target = tmp_path / "example-repo"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".ascsync", *leave_out))
    monkeypatch.setenv("MOVIECATALOG_DEMO_PASSWORD", PASSWORD)
    applied = invoke(sandbox, "apply", str(target), "--auto-approve", "--allow-delete")
    assert applied.exit_code == 0, applied.output
    assert invoke(sandbox, "plan", str(target), "--detailed-exitcode").exit_code == 0
    return target


def app_id(client: ApiClient) -> str:
    return client.get("/v1/apps", {"filter[bundleId]": BUNDLE}).resources()[0]["id"]


def version_localization(client: ApiClient, locale: str, version: str = "2.4.0") -> dict:
    doc = client.get(
        f"/v1/apps/{app_id(client)}/appStoreVersions",
        {"filter[versionString]": version, "include": ["appStoreVersionLocalizations"]},
    )
    return next(
        r
        for r in doc.included.values()
        if r["type"] == "appStoreVersionLocalizations" and r["attributes"]["locale"] == locale
    )


def info_localization(client: ApiClient, locale: str) -> dict:
    doc = client.get(f"/v1/apps/{app_id(client)}/appInfos", {"include": ["appInfoLocalizations"]})
    return next(
        r
        for r in doc.included.values()
        if r["type"] == "appInfoLocalizations" and r["attributes"]["locale"] == locale
    )


def patch(client: ApiClient, resource: dict, **attributes: Any) -> None:
    """Change a resource the way the web UI would (a plain API PATCH)."""
    client.patch(
        f"/v1/{resource['type']}/{resource['id']}",
        {"data": {"type": resource["type"], "id": resource["id"], "attributes": attributes}},
    )


def edit_live_text(sandbox: Sandbox) -> None:
    """What a colleague does in the web UI: new German subtitle, French keywords, de text."""
    client = client_for(sandbox)
    patch(client, info_localization(client, "de-DE"), subtitle="Neu im Web geändert")
    patch(client, version_localization(client, "fr-FR"), keywords="cinéma,films")
    patch(
        client,
        version_localization(client, "de-DE"),
        description="Ganz neuer Text.\n\nZweiter Absatz.",
    )
