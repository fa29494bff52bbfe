"""``ascsync plan`` on an app with many products and testers, with per-request latency.

The app has 20 priced IAPs with 10 locales each, 3 subscription groups of 4 subscriptions
(10 locales, 2 territory prices each) and 3 external beta groups of 120 testers each
(past the 50 testers one request can include). Live state matches the repo, so the plan
is empty and what is measured is the cost of reading products and TestFlight.

Floor: the app lookup, then the longest dependent chain: groups -> subscriptions per
group -> prices per subscription (3 rounds); so 4 rounds x latency. Requests:
1 + 2 x IAPs (IAP listing, schedule and manual prices per IAP), 1 + groups +
subscriptions, 1 + 1 per group of more than 50 testers, plus the app's own 5.

Measured (2 cores, 250 ms latency, defaults): 64 requests, wall 1.67 s for a 1.00 s
floor (1.67x): the 52 price requests share the 16-wide pool with everything else.

Run by hand: ``python benchmarks/plan_products.py [--latency-ms 250] [--iaps 20]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ascsync.api.client import ApiClient  # noqa: E402
from ascsync.commands.plan import compute_plan  # noqa: E402
from ascsync.kinds.registry import load_repo  # noqa: E402
from ascsync.rules.locales import APP_STORE_LOCALES  # noqa: E402
from benchmarks.plan_large_app import sandbox_process  # noqa: E402

ROUNDS = 4
LOCALES = ["en-US", *[c for c in APP_STORE_LOCALES if c != "en-US"]][:10]


def _locales_yaml(name: str) -> str:
    return "".join(
        f"  {code}: {{name: {name} {code}, description: About {code}.}}\n" for code in LOCALES
    )


def _locales_seed(name: str) -> dict[str, Any]:
    return {code: {"name": f"{name} {code}", "description": f"About {code}."} for code in LOCALES}


def build(root: Path, iaps: int, groups: int, subs: int, testers: int) -> dict[str, Any]:
    """Write the repo under ``root``; return a seed whose live state matches it."""
    app = root / "apps" / "shop"
    for folder in ("locales", "in-app-purchases", "subscriptions", "testflight/groups"):
        (app / folder).mkdir(parents=True)
    (root / "ascsync.yml").write_text("format_version: 1\n")
    (app / "app.yml").write_text(
        "bundle_id: com.example.shop\nplatform: IOS\nprimary_locale: en-US\n"
    )
    (app / "locales" / "en-US.yml").write_text("name: Shop\n")
    live: dict[str, Any] = {
        "bundleId": "com.example.shop",
        "name": "Shop",
        "appInfo": {"localizations": {"en-US": {"name": "Shop"}}},
        "inAppPurchases": [],
        "subscriptionGroups": [],
        "betaGroups": [],
    }
    for n in range(iaps):
        pid = f"com.example.shop.item{n:02}"
        (app / "in-app-purchases" / f"{pid}.yml").write_text(
            f"product_id: {pid}\ntype: CONSUMABLE\nreference_name: Item {n}\n"
            'price: {base_territory: USA, customer_price: "0.99"}\n'
            f"localizations:\n{_locales_yaml(f'Item {n}')}"
        )
        live["inAppPurchases"].append(
            {
                "productId": pid,
                "name": f"Item {n}",
                "inAppPurchaseType": "CONSUMABLE",
                "price": {"baseTerritory": "USA", "customerPrice": "0.99"},
                "localizations": _locales_seed(f"Item {n}"),
            }
        )
    for g in range(groups):
        text = f"reference_name: Group {g}\nsubscriptions:\n"
        seed_subs = []
        for s in range(subs):
            pid = f"com.example.shop.g{g}.s{s}"
            locales = "".join(
                f"      {c}: {{name: Sub {s} {c}, description: About {c}.}}\n" for c in LOCALES
            )
            text += (
                f"  - product_id: {pid}\n    reference_name: Sub {g}.{s}\n    period: ONE_MONTH\n"
                f"    group_level: {s + 1}\n    localizations:\n{locales}"
                '    prices:\n      - {territory: USA, customer_price: "2.99"}\n'
                '      - {territory: DEU, customer_price: "2.99"}\n'
            )
            seed_subs.append(
                {
                    "productId": pid,
                    "name": f"Sub {g}.{s}",
                    "subscriptionPeriod": "ONE_MONTH",
                    "groupLevel": s + 1,
                    "localizations": _locales_seed(f"Sub {s}"),
                    "prices": {"USA": "2.99", "DEU": "2.99"},
                }
            )
        (app / "subscriptions" / f"group-{g}.yml").write_text(text)
        live["subscriptionGroups"].append(
            {"referenceName": f"Group {g}", "subscriptions": seed_subs}
        )
    for b in range(3):
        emails = [f"t{b}.{n:03}@example.com" for n in range(testers)]
        (app / "testflight" / "groups" / f"beta-{b}.yml").write_text(
            f"name: Beta {b}\ninternal: false\ntesters:\n"
            + "".join(f"  - {{email: {e}}}\n" for e in emails)
        )
        live["betaGroups"].append(
            {
                "name": f"Beta {b}",
                "isInternalGroup": False,
                "testers": [{"email": e} for e in emails],
            }
        )
    return {"apps": [live]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=250)
    parser.add_argument("--iaps", type=int, default=20)
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument("--subscriptions", type=int, default=4)
    parser.add_argument("--testers", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seed = build(root, args.iaps, args.groups, args.subscriptions, args.testers)
        desired, problems = load_repo(root)
        errors = [p for p in problems if p.severity.value == "error"]
        print(f"repo: {len(errors)} errors")
        with sandbox_process(seed, latency_ms=args.latency_ms) as (url, tokens):
            client = ApiClient(url, tokens)
            started = time.perf_counter()
            plan = compute_plan(client, desired, (), args.concurrency)
            wall = time.perf_counter() - started
        floor = ROUNDS * args.latency_ms / 1000
        print(
            f"{len(plan.changes)} changes, {len(plan.locked)} locked, {client.request_count} "
            f"requests, wall {wall:.2f} s, floor {floor:.2f} s ({wall / floor:.2f}x)"
        )
        for (method, path), count in sorted(client.stats.items()):
            print(f"  {count:4} {method} {path}")


if __name__ == "__main__":
    main()
