"""How fast the sandbox serves a large listing: 40 locales x 5 display types x 10 screenshots.

Measures, over HTTP with keep-alive and without domain hooks (the generic engine only):
creating 2,000 screenshots, reading them back the way a plan does (per set, and per
version with ``include``), reordering every set, and deleting them all. Prints requests
per second per phase, so an O(n^2) regression in the engine or store shows at once.

Run by hand: ``python benchmarks/sandbox_engine.py [--locales 40] [--types 5] [--shots 10]``.
"""

from __future__ import annotations

import argparse
import time

import requests

from ascsync.sandbox import Sandbox

DISPLAY_TYPES = [
    "APP_IPHONE_67",
    "APP_IPHONE_65",
    "APP_IPHONE_55",
    "APP_IPAD_PRO_3GEN_129",
    "APP_IPAD_PRO_129",
]


class Phase:
    """Counts requests and time for one phase of the benchmark."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.requests = 0

    def __enter__(self) -> Phase:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.started
        rate = self.requests / elapsed if elapsed else 0.0
        print(f"{self.name:<28} {self.requests:>6} requests {elapsed:8.2f} s {rate:8.0f} req/s")


def run(locales: int, types: int, shots: int) -> None:
    with Sandbox(hooks=[], rate_limit_per_hour=10**9) as sandbox, requests.Session() as api:
        api.headers["Authorization"] = f"Bearer {sandbox.token()}"
        base = sandbox.url
        app = sandbox.store.create("apps", {"name": "Bench", "bundleId": "b", "sku": "B"})
        version = sandbox.store.create(
            "appStoreVersions", {"versionString": "1.0", "platform": "IOS"}, {"app": app.ref}
        )
        sets: list[str] = []
        with Phase("create locales and sets") as phase:
            for n in range(locales):
                body = {
                    "data": {
                        "type": "appStoreVersionLocalizations",
                        "attributes": {"locale": f"l{n:02}"},
                        "relationships": {
                            "appStoreVersion": {
                                "data": {"type": "appStoreVersions", "id": version.id}
                            }
                        },
                    }
                }
                loc = api.post(f"{base}/v1/appStoreVersionLocalizations", json=body).json()
                phase.requests += 1
                for display in DISPLAY_TYPES[:types]:
                    body = {
                        "data": {
                            "type": "appScreenshotSets",
                            "attributes": {"screenshotDisplayType": display},
                            "relationships": {
                                "appStoreVersionLocalization": {
                                    "data": {
                                        "type": "appStoreVersionLocalizations",
                                        "id": loc["data"]["id"],
                                    }
                                }
                            },
                        }
                    }
                    sets.append(
                        api.post(f"{base}/v1/appScreenshotSets", json=body).json()["data"]["id"]
                    )
                    phase.requests += 1
        with Phase(f"create {len(sets) * shots} screenshots") as phase:
            for set_id in sets:
                for n in range(shots):
                    body = {
                        "data": {
                            "type": "appScreenshots",
                            "attributes": {"fileName": f"{n}.png", "fileSize": 1000},
                            "relationships": {
                                "appScreenshotSet": {
                                    "data": {"type": "appScreenshotSets", "id": set_id}
                                }
                            },
                        }
                    }
                    api.post(f"{base}/v1/appScreenshots", json=body).raise_for_status()
                    phase.requests += 1
        with Phase("read like a plan") as phase:
            url = (
                f"{base}/v1/appStoreVersions/{version.id}/appStoreVersionLocalizations"
                "?include=appScreenshotSets&limit=50"
            )
            api.get(url).raise_for_status()
            phase.requests += 1
            for set_id in sets:
                api.get(f"{base}/v1/appScreenshotSets/{set_id}/appScreenshots?limit=200")
                phase.requests += 1
        with Phase("reorder every set") as phase:
            for set_id in sets:
                linkage = f"{base}/v1/appScreenshotSets/{set_id}/relationships/appScreenshots"
                data = api.get(linkage).json()["data"]
                api.patch(linkage, json={"data": data[::-1]}).raise_for_status()
                phase.requests += 2
        with Phase("delete every screenshot") as phase:
            for shot in sandbox.store.list("appScreenshots"):
                api.delete(f"{base}/v1/appScreenshots/{shot.id}").raise_for_status()
                phase.requests += 1
        print(f"journal: {len(sandbox.journal)} requests")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--locales", type=int, default=40)
    parser.add_argument("--types", type=int, default=5)
    parser.add_argument("--shots", type=int, default=10)
    args = parser.parse_args()
    run(args.locales, args.types, args.shots)


if __name__ == "__main__":
    main()
