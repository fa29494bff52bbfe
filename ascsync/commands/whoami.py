"""From global options to a ready API client, and ``ascsync whoami`` to check that it works.

Commands that talk to App Store Connect call :func:`open_client` with the settings the
CLI collected; credentials are resolved only then, so offline commands (``validate``,
``init``) never ask for a key.
"""

from __future__ import annotations

import click

from ascsync.api.client import ApiClient
from ascsync.api.credentials import Credentials, resolve
from ascsync.cli import Settings
from ascsync.commands import output


def open_client(settings: Settings, credentials: Credentials | None = None) -> ApiClient:
    """An authenticated client for ``settings.api_url`` (credentials resolved if not given)."""
    credentials = credentials or resolve(settings.credentials)
    return ApiClient(settings.api_url, credentials.token_provider(), retry=settings.retry_policy())


@click.command()
@output.format_option()
@click.pass_obj
def whoami_command(settings: Settings, fmt: str) -> None:
    """Check credentials: sign a token and list the apps this key can see."""
    credentials = resolve(settings.credentials)
    client = open_client(settings, credentials)
    apps = client.get_all("/v1/apps", {"fields[apps]": ["name", "bundleId"]}).resources()
    if fmt == "json":
        limit = client.rate_limit
        output.emit(
            "whoami",
            key_id=credentials.key_id,
            key_kind="team" if credentials.issuer_id else "individual",
            issuer_id=credentials.issuer_id,
            source=credentials.source,
            api_url=settings.api_url,
            apps=[
                {
                    "id": app.get("id"),
                    "bundle_id": (app.get("attributes") or {}).get("bundleId"),
                    "name": (app.get("attributes") or {}).get("name"),
                }
                for app in apps
            ],
            rate_limit=(
                None if limit is None else {"limit": limit.limit, "remaining": limit.remaining}
            ),
        )
        return
    issuer = credentials.issuer_id
    kind = f"team key, issuer {issuer}" if issuer else "individual key"
    click.echo(f"key {credentials.key_id} ({kind}) from {credentials.source}")
    click.echo(f"API {settings.api_url}: {len(apps)} app(s) visible")
    for app in apps:
        attributes = app.get("attributes") or {}
        click.echo(f"  {attributes.get('bundleId', '?'):40} {attributes.get('name', '')}")
    if client.rate_limit is not None:
        limit = client.rate_limit
        click.echo(f"rate limit: {limit.remaining} of {limit.limit} requests left this hour")
