"""``ascsync apply`` on a large app in the sandbox, with per-request latency.

Scenarios (issue 6), each printing requests by method (writes apart) and wall time:
first full upload, no-op apply, one changed screenshot, one changed description in
every locale. Targets: no-op apply = 0 writes; one changed screenshot = reserve + upload
parts + commit (+ settling reads); metadata-only change = one PATCH per changed resource.

The sandbox runs in its own process with a large hourly budget (a first upload of 2,000
screenshots needs about 8,000 requests, more than Apple's 3,500 per hour: on Apple the
client's pacing spreads it out).

Run by hand: ``python benchmarks/apply_large_app.py [--latency-ms 100] [--locales 40]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from PIL import Image

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ascsync.api.client import ApiClient  # noqa: E402
from ascsync.api.tokens import TokenProvider  # noqa: E402
from ascsync.commands.apply import execute  # noqa: E402
from ascsync.commands.plan import run_plan  # noqa: E402
from ascsync.engine.uploads import UploadSettings  # noqa: E402
from ascsync.kinds.registry import load_repo  # noqa: E402
from ascsync.rules.locales import APP_STORE_LOCALES  # noqa: E402
from benchmarks.plan_large_app import build, sandbox_process  # noqa: E402

WRITE_METHODS = {"POST", "PATCH", "DELETE", "PUT"}


def scenario(
    label: str, url: str, tokens: TokenProvider, root: Path, concurrency: int, floor: int
) -> None:
    """Run plan + apply once; ``floor`` is the fewest writes the scenario can take."""
    desired, problems = load_repo(root)
    client = ApiClient(url, tokens, pool_size=32)
    started = time.perf_counter()
    run = run_plan(client, desired, (), 16)
    plan_requests = client.request_count
    report = execute(
        run,
        client,
        concurrency=concurrency,
        uploads=UploadSettings(),
        echo=lambda line: None,
    )
    wall = time.perf_counter() - started
    by_method: Counter[str] = Counter()
    for (method, _path), count in client.stats.items():
        by_method[method] += count
    writes = sum(n for m, n in by_method.items() if m in WRITE_METHODS)
    failed = len(report.by_status("failed"))
    print(
        f"{label}: {len(run.plan.changes)} changes, {failed} failed, wall {wall:.1f} s; "
        f"requests {client.request_count} (plan {plan_requests}); writes {writes} "
        f"(floor {floor}{f': {writes / floor:.2f}x' if floor else ''}); "
        + ", ".join(f"{m} {n}" for m, n in sorted(by_method.items()))
    )
    for (method, path), count in sorted(client.stats.items()):
        if method in WRITE_METHODS or count > len(run.parts) * 50:  # writes, and busy reads
            print(f"    {count:5} {method} {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--locales", type=int, default=40)
    parser.add_argument("--per-set", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    locales = ["en-US", *[c for c in APP_STORE_LOCALES if c != "en-US"]][: args.locales]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seed = build(root, locales, args.per_set)
        empty_seed = {"apps": [{**seed["apps"][0], "versions": seed["apps"][0]["versions"][:1]}]}
        options = {
            "latency_ms": args.latency_ms,
            "rate_limit_per_hour": 1_000_000,
            "settings": {"settle_seconds": 0.05},
        }
        with sandbox_process(empty_seed, **options) as (url, tokens):
            shots = len(locales) * 5 * args.per_set
            # sets, then per screenshot: reserve, one PUT per part (one here), commit
            first = len(locales) * 5 + 3 * shots
            scenario("first full upload", url, tokens, root, args.concurrency, first)
            scenario("no-op apply", url, tokens, root, args.concurrency, 0)
            shot = root / "apps/big/screenshots" / locales[0] / "APP_IPHONE_67" / "03.png"
            Image.new("RGB", (1290, 2796), (200, 10, 10)).save(shot)
            # delete the old one, reserve, PUT, commit, and put it back in its place
            scenario("one changed screenshot", url, tokens, root, args.concurrency, 5)
            for code in locales:
                path = root / "apps/big/locales" / f"{code}.yml"
                path.write_text(path.read_text().replace("Description for", "New text for"))
            scenario(
                f"description changed in {len(locales)} locales",
                url,
                tokens,
                root,
                args.concurrency,
                len(locales),
            )


if __name__ == "__main__":
    main()
