"""``ascsync plan`` on a large app in the sandbox, with per-request latency: requests and time.

The app has 40 locales x 5 display types x 10 screenshots (2,000 images). The sandbox's
live state matches the repo, so the plan is empty and what is measured is the cost of
finding that out. Prints, for a cold run (no checksum cache) and a warm one: requests by
method and endpoint, wall time, and the floor (dependent rounds of requests x latency).

Targets (issue 5): GETs <= locales + 10; wall time within 2x of the floor; warm-cache
local work for 2,000 screenshots under 1 s.

Run by hand: ``python benchmarks/plan_large_app.py [--latency-ms 250] [--locales 40]``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import multiprocessing
import struct
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image

from ascsync.api.client import ApiClient
from ascsync.api.tokens import TokenProvider
from ascsync.commands.plan import compute_plan
from ascsync.io.checksums import ChecksumCache
from ascsync.kinds.media import MEDIA
from ascsync.kinds.registry import load_repo
from ascsync.rules.locales import APP_STORE_LOCALES
from ascsync.sandbox import Sandbox

DISPLAY_TYPES = {
    "APP_IPHONE_67": (1290, 2796),
    "APP_IPHONE_65": (1242, 2688),
    "APP_IPHONE_61": (1179, 2556),
    "APP_IPAD_PRO_3GEN_129": (2048, 2732),
    "APP_IPAD_PRO_3GEN_11": (1668, 2388),
}
ROUNDS = 3
"""Dependent request rounds: the app, then its infos and version, then every locale's sets."""


def png_variants(size: tuple[int, int], count: int) -> list[bytes]:
    """``count`` distinct valid PNGs of one size: one encode, then a unique tEXt chunk each."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 70, 120)).save(buffer, "PNG")
    base = buffer.getvalue()
    iend = base.rindex(b"IEND") - 4
    out = []
    for index in range(count):
        data = b"n\x00" + str(index).encode()
        chunk = struct.pack(">I", len(data)) + b"tEXt" + data
        chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
        out.append(base[:iend] + chunk + base[iend:])
    return out


def build(root: Path, locales: list[str], per_set: int) -> dict:
    """Write the repo under ``root`` and return a seed whose live state matches it."""
    app = root / "apps" / "big"
    (app / "locales").mkdir(parents=True)
    (root / "ascsync.yml").write_text("format_version: 1\n")
    (app / "app.yml").write_text(
        "bundle_id: com.example.big\nplatform: IOS\nprimary_locale: en-US\nsupports_ipad: true\n"
    )
    (app / "version.yml").write_text('version: "3.0.0"\n')
    images = {t: png_variants(size, per_set) for t, size in DISPLAY_TYPES.items()}
    seed_locales = {}
    for code in locales:
        (app / "locales" / f"{code}.yml").write_text(
            f"description: Description for {code}.\nsupport_url: https://example.com/{code}\n"
        )
        shots = {}
        for display_type, variants in images.items():
            folder = app / "screenshots" / code / display_type
            folder.mkdir(parents=True)
            items = []
            for index, data in enumerate(variants):
                name = f"{index:02}.png"
                (folder / name).write_bytes(data)
                width, height = DISPLAY_TYPES[display_type]
                items.append(
                    {
                        "fileName": name,
                        "checksum": hashlib.md5(data).hexdigest(),
                        "fileSize": len(data),
                        "width": width,
                        "height": height,
                    }
                )
            shots[display_type] = items
        seed_locales[code] = {
            "description": f"Description for {code}.",
            "supportUrl": f"https://example.com/{code}",
            "screenshots": shots,
        }
    return {
        "apps": [
            {
                "bundleId": "com.example.big",
                "name": "Big",
                "primaryLocale": "en-US",
                "versions": [
                    {"versionString": "1.0.0", "state": "READY_FOR_DISTRIBUTION"},
                    {"versionString": "3.0.0", "localizations": seed_locales},
                ],
            }
        ]
    }


def _serve(seed: dict, options: dict, queue: multiprocessing.Queue, stop: Any) -> None:
    with Sandbox(seed=seed, **options) as sandbox:
        queue.put((sandbox.url, sandbox.key_id, sandbox.private_key_pem, sandbox.issuer_id))
        stop.wait()


@contextlib.contextmanager
def sandbox_process(seed: dict, **options: Any) -> Iterator[tuple[str, TokenProvider]]:
    """The sandbox in its own process, so its work does not share the client's GIL.

    ``options`` go to :class:`Sandbox` (``latency_ms``, ``rate_limit_per_hour``, ...).
    """
    queue: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    process = multiprocessing.Process(target=_serve, args=(seed, options, queue, stop))
    process.start()
    try:
        url, key_id, key, issuer = queue.get(timeout=300)
        yield url, TokenProvider(key_id, key, issuer)
    finally:
        stop.set()
        process.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=250)
    parser.add_argument("--locales", type=int, default=40)
    parser.add_argument("--per-set", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    locales = ["en-US", *[c for c in APP_STORE_LOCALES if c != "en-US"]][: args.locales]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        seed = build(root, locales, args.per_set)
        print(
            f"built {len(locales)} locales x {len(DISPLAY_TYPES)} types x {args.per_set} "
            f"screenshots in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        desired, problems = load_repo(root)
        errors = [p for p in problems if p.severity.value == "error"]
        print(f"load + validate: {time.perf_counter() - started:.2f} s, {len(errors)} errors")
        with sandbox_process(seed, latency_ms=args.latency_ms) as (url, tokens):
            for label in ("cold", "warm"):
                client = ApiClient(url, tokens)
                started = time.perf_counter()
                plan = compute_plan(client, desired, (), args.concurrency)
                wall = time.perf_counter() - started
                floor = ROUNDS * args.latency_ms / 1000
                gets = sum(n for (method, _), n in client.stats.items() if method == "GET")
                print(
                    f"\n{label}: {len(plan.changes)} changes, {client.request_count} requests "
                    f"({gets} GETs; target <= {len(locales) + 10}), wall {wall:.2f} s, "
                    f"floor {floor:.2f} s ({wall / floor:.2f}x)"
                )
                for (method, path), count in sorted(client.stats.items()):
                    print(f"  {count:4} {method} {path}")
        started = time.perf_counter()
        cache = ChecksumCache(root)
        for app in desired.apps.values():
            for loc in (MEDIA.desired(app) or {}).values():
                for media_set in loc.screenshots.values():
                    for media in media_set.files:
                        cache.md5(media.path)
        print(
            f"\nwarm checksum pass over {cache.hits} screenshots: "
            f"{time.perf_counter() - started:.3f} s"
        )


if __name__ == "__main__":
    main()
