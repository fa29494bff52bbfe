"""``ascsync one-time-codes``: generate a batch of one-time-use offer codes, on request.

Each run makes new codes, so generating them is never part of a plan (a re-run of
``apply`` must not mint another batch). It is its own command, which says what it will
create, asks (``--auto-approve`` in CI), and writes the codes to a CSV file outside the
repo, readable by its owner only. The codes grant a subscription offer: they are never
printed, logged or written where git would pick them up.

The campaign must exist in App Store Connect already (``subscription-offers/<product>.yml``
``offer_codes`` creates it through ``apply``).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from ascsync.api.client import ApiClient
from ascsync.api.jsonapi import resource_body
from ascsync.cli import Settings
from ascsync.commands.apply import confirm
from ascsync.commands.plan import api_client, load_valid_repo, sandbox_option
from ascsync.engine.live import find_app
from ascsync.errors import AscsyncError

BATCHES = "subscriptionOfferCodeOneTimeUseCodes"
CAMPAIGNS = "subscriptionOfferCodes"


@click.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False, path_type=Path))
@sandbox_option("Generate on")
@click.option("--app", "app_name", required=True, help="The app folder.")
@click.option("--product", "product_id", required=True, help="The subscription's product id.")
@click.option("--campaign", required=True, help="The offer code campaign's name.")
@click.option("--count", type=click.IntRange(1), required=True, help="How many codes.")
@click.option(
    "--expires",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="Last day the codes can be redeemed (YYYY-MM-DD).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to create, outside the repo (never overwritten).",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (CI).")
@click.pass_obj
def one_time_codes_command(
    settings: Settings,
    repo: Path,
    sandbox: bool,
    sandbox_start: str,
    app_name: str,
    product_id: str,
    campaign: str,
    count: int,
    expires: dt.datetime,
    out: Path,
    auto_approve: bool,
) -> None:
    """Generate one-time-use offer codes for a campaign into a CSV file (never in a plan)."""
    target = _check_out(out, repo)
    desired = load_valid_repo(repo, need_secrets=False)
    app = desired.apps.get(app_name)
    if app is None:
        raise AscsyncError(f"no app folder named {app_name} (known: {', '.join(desired.apps)})")
    bundle_id = str(app.record.get("bundle_id"))
    expiry = expires.date().isoformat()
    with api_client(settings, repo, sandbox, desired, sandbox_start) as client:
        campaign_id = _campaign(client, bundle_id, product_id, campaign)
        click.echo(
            f"+ {count:,} one-time-use codes for {product_id} offer code campaign "
            f"{campaign!r}, redeemable until {expiry}; written to {target}"
        )
        confirm(auto_approve)
        codes = _generate(client, campaign_id, count, expiry)
    written = _write_private(target, codes)
    click.echo(f"{written:,} codes written to {target} (readable by you only; do not commit it)")


def _check_out(out: Path, repo: Path) -> Path:
    """The CSV's path: new, and outside the repo (codes must not reach git)."""
    target = out.expanduser().resolve()
    if target.is_relative_to(repo.resolve()):
        raise AscsyncError(f"--out {out}: inside the repo; write the codes outside it")
    if target.exists():
        raise AscsyncError(f"--out {out}: already exists; codes are never overwritten")
    if not target.parent.is_dir():
        raise AscsyncError(f"--out {out}: no folder {target.parent}")
    return target


def _campaign(client: ApiClient, bundle_id: str, product_id: str, name: str) -> str:
    """The campaign's id: app -> its subscriptions -> the product's campaigns, by name."""
    app = find_app(client, bundle_id)
    if app is None:
        raise AscsyncError(f"no app with bundle id {bundle_id} in App Store Connect")
    groups = client.get_all(
        f"/v1/apps/{app['id']}/subscriptionGroups",
        {"include": ["subscriptions"], "fields[subscriptions]": ["productId"]},
    )
    subscription = next(
        (
            item
            for (type_, _), item in groups.included.items()
            if type_ == "subscriptions"
            and (item.get("attributes") or {}).get("productId") == product_id
        ),
        None,
    )
    if subscription is None:
        raise AscsyncError(f"{bundle_id} has no subscription {product_id} in App Store Connect")
    campaigns = client.get_all(
        f"/v1/subscriptions/{subscription['id']}/offerCodes", {f"fields[{CAMPAIGNS}]": ["name"]}
    ).resources()
    names = {str((c.get("attributes") or {}).get("name")): str(c["id"]) for c in campaigns}
    if name not in names:
        known = ", ".join(sorted(names)) or "none; `apply` creates those the repo declares"
        raise AscsyncError(f"{product_id} has no offer code campaign {name!r} (live: {known})")
    return names[name]


def _generate(client: ApiClient, campaign_id: str, count: int, expiry: str) -> list[str]:
    """POST the batch (once: a lost answer is not retried, which could mint two), then
    download its codes."""
    body = resource_body(
        BATCHES,
        {"numberOfCodes": count, "expirationDate": expiry},
        {"offerCode": (CAMPAIGNS, campaign_id)},
    )
    batch = client.post(f"/v1/{BATCHES}", body).resource
    answer = client.request("GET", f"/v1/{BATCHES}/{batch['id']}/values")
    return [line.strip() for line in answer.text.splitlines() if line.strip()]


def _write_private(path: Path, codes: list[str]) -> int:
    """Create the file with mode 0600 (it never existed: O_EXCL), one code per line."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.writelines(f"{code}\n" for code in codes)
    return len(codes)
