"""``ascsync sandbox``: run the local App Store Connect emulator from the command line.

``serve`` starts a sandbox in the foreground and prints how to reach it: the base URL
and the path of a fastlane-format API key JSON whose key the sandbox accepts, so any
App Store Connect client (ascsync, fastlane, curl) can talk to it. It serves until
Ctrl-C or SIGTERM and then stops cleanly (the key file is removed, ``--state`` saved).

``token`` mints a bearer token from an API key JSON, for curl and friends.

Without ``--seed`` the sandbox starts from the shipped demo seed (the live state of the
example app), which is what a first-time user wants to try ``ascsync plan`` on;
``--seed none`` starts an empty account (territories and categories only).
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

import click

from ascsync.errors import ConfigError

NO_SEED = "none"


@click.group(name="sandbox")
def sandbox_group() -> None:
    """A local emulator of the App Store Connect API: try ascsync without an account."""


def _parse_setting(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; values are read as JSON when they parse (numbers, true, ...)."""
    settings: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE")
        try:
            settings[key] = json.loads(raw)
        except json.JSONDecodeError:
            settings[key] = raw
    return settings


@sandbox_group.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=0, show_default=True, help="Port (0 picks a free one).")
@click.option(
    "--seed",
    default="demo",
    show_default=True,
    help="Seed YAML file for the starting live state; 'demo' or 'none'.",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file that keeps the state across restarts (loaded instead of the seed).",
)
@click.option("--latency-ms", default=0, show_default=True, help="Delay added to every answer.")
@click.option(
    "--faults",
    help="Fault injection, e.g. 'seed=7,error=0.1,burst429=3:20' (docs/sandbox.md).",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    callback=_parse_setting,
    metavar="KEY=VALUE",
    help="A sandbox setting, e.g. settle_seconds=2 or upload_part_size=1048576 (repeatable).",
)
def serve_command(
    host: str,
    port: int,
    seed: str,
    state_file: Path | None,
    latency_ms: int,
    faults: str | None,
    settings: dict[str, Any],
) -> None:
    """Serve a sandbox until Ctrl-C; print its URL and an API key JSON it accepts."""
    from ascsync.sandbox import Sandbox  # heavy imports only when serving

    sandbox = Sandbox(
        seed=None if seed == NO_SEED else seed,
        state_file=state_file,
        latency_ms=latency_ms,
        faults=faults,
        host=host,
        port=port,
        settings=settings,
    )
    try:
        sandbox.start()
    except OSError as exc:
        raise ConfigError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        _announce(sandbox.url, sandbox.api_key_json_path)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sandbox.stop()
    click.echo("sandbox stopped")


def _announce(url: str, key_path: Path) -> None:
    click.echo(f"ascsync sandbox serving at {url}")
    click.echo(f"API key JSON (fastlane format): {key_path}")
    click.echo(f"  use it:  ascsync --api-url {url} --api-key-json {key_path} <command>")
    token = f"$(ascsync sandbox token --api-key-json {key_path})"
    click.echo(f'  or curl: curl -H "Authorization: Bearer {token}" {url}/v1/apps')
    click.echo("  control endpoints (/sandbox/...) need the same token")
    click.echo("Press Ctrl-C to stop.")


@sandbox_group.command(name="token")
@click.option(
    "--api-key-json",
    "key_json",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="fastlane-format API key JSON (as printed by 'sandbox serve').",
)
@click.option("--lifetime", default=1200, show_default=True, help="Seconds the token is valid.")
def token_command(key_json: Path, lifetime: int) -> None:
    """Print a bearer token signed with the key in an API key JSON."""
    from ascsync.api.tokens import mint_token

    try:
        data = json.loads(key_json.read_text(encoding="utf-8"))
        key_id, key = data["key_id"], data["key"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{key_json}: not a fastlane API key JSON (needs key_id and key)"
        ) from exc
    pem = key.encode() if isinstance(key, str) else key
    click.echo(mint_token(key_id, pem, data.get("issuer_id"), lifetime=lifetime))
