"""``ascsync plan`` on a repo of several apps, with per-request latency: wall time.

Each app has L locales x 5 display types x S screenshots, and the sandbox's live state
matches the repo, so the plan is empty and what is measured is the cost of reading.
Apps used to be read one after another; now they are read at the same time, each with
its share of the request concurrency.

Floor: one app's dependent rounds of requests (the app, then its infos and version,
then every locale's sets: 3 rounds) x latency, as all apps can be read at once.

Run by hand: ``python benchmarks/plan_many_apps.py [--apps 5] [--locales 10]
[--latency-ms 250]``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ascsync.api.client import ApiClient  # noqa: E402
from ascsync.commands.plan import compute_plan  # noqa: E402
from ascsync.kinds.registry import load_repo  # noqa: E402
from ascsync.rules.locales import APP_STORE_LOCALES  # noqa: E402
from benchmarks.plan_large_app import ROUNDS, build, sandbox_process  # noqa: E402


def build_apps(root: Path, apps: int, locales: list[str], per_set: int) -> dict:
    """``apps`` copies of plan_large_app's app, as app0..appN with their own bundle ids."""
    template = build(root, locales, per_set)["apps"][0]
    big = root / "apps" / "big"
    seeds = []
    for index in range(apps):
        folder = root / "apps" / f"app{index}"
        if index == apps - 1:
            big.rename(folder)
        else:
            _copy(big, folder)
        record = folder / "app.yml"
        record.write_text(record.read_text().replace("com.example.big", f"com.example.app{index}"))
        seed = copy.deepcopy(template)
        seed["bundleId"] = f"com.example.app{index}"
        seed["name"] = f"App {index}"
        seeds.append(seed)
    return {"apps": seeds}


def _copy(source: Path, target: Path) -> None:
    """Hard links: the copies are the same images (checksums alike), no disk used."""
    for path in source.rglob("*"):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.hardlink_to(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=5)
    parser.add_argument("--locales", type=int, default=10)
    parser.add_argument("--per-set", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=250)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    locales = ["en-US", *[c for c in APP_STORE_LOCALES if c != "en-US"]][: args.locales]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seed = build_apps(root, args.apps, locales, args.per_set)
        desired, _ = load_repo(root)
        with sandbox_process(seed, latency_ms=args.latency_ms) as (url, tokens):
            compute_plan(ApiClient(url, tokens), desired, (), args.concurrency)  # warm cache
            client = ApiClient(url, tokens)
            started = time.perf_counter()
            plan = compute_plan(client, desired, (), args.concurrency)
            wall = time.perf_counter() - started
    floor = ROUNDS * args.latency_ms / 1000
    print(
        f"{args.apps} apps x {len(locales)} locales x 5 types x {args.per_set} screenshots, "
        f"{args.latency_ms} ms latency: {len(plan.changes)} changes, {client.request_count} "
        f"requests, wall {wall:.2f} s, floor {floor:.2f} s ({wall / floor:.2f}x)"
    )


if __name__ == "__main__":
    main()
