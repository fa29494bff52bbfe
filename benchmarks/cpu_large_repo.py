"""CPU time of ``validate`` and of a warm ``plan`` on a repo of 40,000 screenshots.

The repo: A apps x L locales x 5 display types x 10 screenshots (20 x 40 x 5 x 10 =
40,000 by default; the images are hard links to 50 distinct PNGs, so the repo takes
little disk). The sandbox, in a process of its own and without latency, holds live
state matching the repo, so the plan is empty: what is measured is this process's CPU
time (``time.process_time``), not the network.

- ``validate``: loading and checking every file (the PNG headers included).
- warm ``plan``: what ``ascsync plan`` does once the checksum cache is warm: validate,
  read live state, hash (from the cache) and diff.

Target (issue 15): validate and warm plan CPU halved against the code before it.
Floor: none is meaningful for CPU; the ratio printed is warm plan / validate.

Run by hand: ``python benchmarks/cpu_large_repo.py [--apps 20] [--locales 40]
[--no-plan]``.
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
from ascsync.kinds.registry import validate_repo  # noqa: E402
from ascsync.rules.locales import APP_STORE_LOCALES  # noqa: E402
from benchmarks.plan_large_app import build, sandbox_process  # noqa: E402


def build_repo(root: Path, apps: int, locales: list[str]) -> dict:
    """``apps`` copies of plan_large_app's app (hard-linked images), and a matching seed."""
    template = build(root, locales, 10)["apps"][0]
    big = root / "apps" / "big"
    seeds = []
    for index in range(apps):
        folder = root / "apps" / f"app{index:02}"
        for path in sorted(big.rglob("*")):
            target = folder / path.relative_to(big)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.hardlink_to(path)
        record = folder / "app.yml"
        record.unlink()  # not a link: each app has its own bundle id
        record.write_text(
            (big / "app.yml").read_text().replace("com.example.big", f"com.example.app{index}")
        )
        seed = copy.deepcopy(template)
        seed["bundleId"] = f"com.example.app{index}"
        seed["name"] = f"App {index}"
        seeds.append(seed)
    for path in sorted(big.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    big.rmdir()
    return {"apps": seeds}


def cpu(fn):  # noqa: ANN001, ANN201
    started = time.process_time()
    result = fn()
    return result, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=20)
    parser.add_argument("--locales", type=int, default=40)
    parser.add_argument("--no-plan", action="store_true", help="measure validate only")
    args = parser.parse_args()
    locales = ["en-US", *[c for c in APP_STORE_LOCALES if c != "en-US"]][: args.locales]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        seed = build_repo(root, args.apps, locales)
        shots = args.apps * len(locales) * 50
        print(f"built {shots} screenshots in {time.perf_counter() - started:.0f} s")
        report, validate_cpu = cpu(lambda: validate_repo(root, need_secrets=False))
        print(f"validate: {validate_cpu:.2f} s CPU, {len(report.errors)} errors")
        if args.no_plan:
            return
        with sandbox_process(seed, rate_limit_per_hour=10_000_000) as (url, tokens):

            def plan() -> int:
                repo = validate_repo(root, need_secrets=False).repo
                assert repo is not None
                return len(compute_plan(ApiClient(url, tokens), repo, (), 16).changes)

            cpu(plan)  # cold: fills the checksum cache
            changes, warm = cpu(plan)
        print(
            f"warm plan: {warm:.2f} s CPU ({changes} changes), {warm / validate_cpu:.2f}x validate"
        )


if __name__ == "__main__":
    main()
