"""Requests a first upload of many screenshots costs, against its lower bound (issue 15).

Apple gives a key about 3,500 requests an hour, so requests, not CPU, decide how long a
large apply takes. The scenario: an app whose version 3.0.0 has its localizations (texts
as in the repo) but no screenshots, and a repo with L locales x 5 display types x 10
screenshots (L = 40: 2,000 screenshots). ``apply`` creates the 5 x L sets and uploads
every screenshot, against the sandbox in a process of its own.

Lower bound (floor): the plan's reads + one POST per set + per screenshot one reservation
POST and one commit PATCH + one settle check per localization. Upload PUTs go to Apple's
upload hosts and do not count against the budget, so they are left out.

Then, with fewer locales, the same at 0.2, 2 and 10 s of processing per file (the
sandbox's ``settle_seconds``): the reads spent waiting for processing, per screenshot,
show whether polling grows with the number of files.

Target: first upload <= 1.1x the floor; settle reads independent of files per set.

Run by hand: ``python benchmarks/upload_budget.py [--locales 40] [--sweep-locales 4]
[--latency-ms 50]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ascsync.api.client import ApiClient  # noqa: E402
from ascsync.api.tokens import TokenProvider  # noqa: E402
from ascsync.commands.apply import execute  # noqa: E402
from ascsync.commands.plan import run_plan  # noqa: E402
from ascsync.engine.uploads import UploadSettings  # noqa: E402
from ascsync.kinds.registry import load_repo  # noqa: E402
from ascsync.rules.locales import APP_STORE_LOCALES  # noqa: E402
from benchmarks.plan_large_app import DISPLAY_TYPES, build, sandbox_process  # noqa: E402

API_PREFIXES = ("/v1/", "/v2/", "/v3/")


def first_upload(
    locales: list[str], per_set: int, settle: float, latency_ms: int, concurrency: int
) -> dict[str, float]:
    """Run one first upload; its request counts, floor and wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seed = build(root, locales, per_set)
        version = seed["apps"][0]["versions"][1]
        for localization in version["localizations"].values():
            localization.pop("screenshots")
        options = {
            "latency_ms": latency_ms,
            "rate_limit_per_hour": 1_000_000,
            "settings": {"settle_seconds": settle},
        }
        with sandbox_process(seed, **options) as (url, tokens):
            return _measure(url, tokens, root, concurrency)


def _measure(url: str, tokens: TokenProvider, root: Path, concurrency: int) -> dict[str, float]:
    desired, _ = load_repo(root)
    client = ApiClient(url, tokens, pool_size=32)
    started = time.perf_counter()
    run = run_plan(client, desired, (), 16)
    plan_reads = client.request_count
    report = execute(
        run, client, concurrency=concurrency, uploads=UploadSettings(), echo=lambda line: None
    )
    wall = time.perf_counter() - started
    api: Counter[str] = Counter()
    for (method, path), count in client.stats.items():
        if path.startswith(API_PREFIXES):
            api[method] += count
    sets = sum(1 for c in run.plan.changes if c.action.value == "create")
    shots = sum(1 for c in run.plan.changes if c.action.value == "upload")
    localizations = len({c.locale for c in run.plan.changes if c.action.value == "upload"})
    floor = plan_reads + sets + 2 * shots + localizations
    total = sum(api.values())
    settle_reads = api["GET"] - plan_reads
    return {
        "total": total,
        "floor": floor,
        "plan_reads": plan_reads,
        "settle_reads": settle_reads,
        "shots": shots,
        "sets": sets,
        "failed": len(report.by_status("failed")) + len(report.by_status("skipped")),
        "wall": wall,
        "post": api["POST"],
        "patch": api["PATCH"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--locales", type=int, default=40)
    parser.add_argument("--per-set", type=int, default=10)
    parser.add_argument("--sweep-locales", type=int, default=4)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--skip-sweep", action="store_true")
    args = parser.parse_args()
    codes = ["en-US", *[c for c in APP_STORE_LOCALES if c != "en-US"]]
    print(
        f"first upload: {args.locales} locales x {len(DISPLAY_TYPES)} types x {args.per_set} "
        f"screenshots, {args.latency_ms} ms latency, 0.2 s processing"
    )
    r = first_upload(codes[: args.locales], args.per_set, 0.2, args.latency_ms, args.concurrency)
    print(
        f"  API requests {r['total']:.0f} "
        f"(floor {r['floor']:.0f}: {r['total'] / r['floor']:.2f}x), "
        f"{r['failed']:.0f} failed; plan reads {r['plan_reads']:.0f}, POST {r['post']:.0f}, "
        f"PATCH {r['patch']:.0f}, reads while applying {r['settle_reads']:.0f}; "
        f"= {r['total'] / 3500 * 60:.0f} min of a 3,500/h budget; wall {r['wall']:.1f} s"
    )
    if args.skip_sweep:
        return
    print(f"\nsettle cost: {args.sweep_locales} locales ({args.sweep_locales * 50} screenshots)")
    for settle in (0.2, 2.0, 10.0):
        r = first_upload(
            codes[: args.sweep_locales], args.per_set, settle, args.latency_ms, args.concurrency
        )
        print(
            f"  {settle:4} s processing: reads while applying {r['settle_reads']:.0f} "
            f"({r['settle_reads'] / r['shots']:.2f} per screenshot, "
            f"{r['settle_reads'] / args.sweep_locales:.1f} per localization); "
            f"API requests {r['total']:.0f} (floor {r['floor']:.0f}: "
            f"{r['total'] / r['floor']:.2f}x); {r['failed']:.0f} failed; wall {r['wall']:.1f} s"
        )


if __name__ == "__main__":
    main()
