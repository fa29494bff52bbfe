"""How long the local checksum work of a plan takes for 2,000 screenshots, cold and warm.

Target (issue 5): warm-cache local work for 2,000 screenshots under 1 s.
Run by hand: ``python benchmarks/checksum_cache.py [--files 2000] [--kib 400]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from ascsync.io.checksums import ChecksumCache


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--kib", type=int, default=400, help="size of each fake screenshot")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = []
        for index in range(args.files):
            path = root / "shots" / f"{index // 10:03}" / f"{index % 10:02}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(os.urandom(args.kib * 1024))
            files.append(path)
        total_mb = args.files * args.kib / 1024
        for label in ("cold", "warm", "warm"):
            started = time.perf_counter()
            cache = ChecksumCache(root)
            for path in files:
                cache.md5(path)
            cache.save()
            elapsed = time.perf_counter() - started
            print(
                f"{label}: {args.files} files ({total_mb:.0f} MB) in {elapsed:.3f} s "
                f"(hits {cache.hits}, misses {cache.misses})"
            )


if __name__ == "__main__":
    main()
