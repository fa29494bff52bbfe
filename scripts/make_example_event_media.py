#!/usr/bin/env python3
"""Generate the example app's in-app event media under ``example-repo/``.

An event shows a card (16:9, 1920x1080 at least) and a details page (9:16) per locale
(``ascsync/rules/product_pages.py``). Like ``make_example_screenshots.py`` the images are
flat shapes and Pillow's bundled font, so they are small, RGB without alpha, and the
same bytes on every run.

Usage: ``python scripts/make_example_event_media.py [--out example-repo/apps/moviecatalog]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "example-repo" / "apps" / "moviecatalog"
EVENT = "summer-film-festival"

SIZES = {"EVENT_CARD": (1920, 1080), "EVENT_DETAILS_PAGE": (1080, 1920)}
TITLES = {"en-US": "Summer Film Festival", "de-DE": "Sommerfilmfestival"}
BACKGROUND = (20, 24, 38)
ACCENT = (255, 176, 59)
TEXT = (240, 240, 245)


def draw(size: tuple[int, int], title: str) -> Image.Image:
    image = Image.new("RGB", size, BACKGROUND)
    canvas = ImageDraw.Draw(image)
    width, height = size
    canvas.rectangle((0, height * 2 // 3, width, height), fill=ACCENT)
    font = ImageFont.load_default(size=max(40, width // 14))
    canvas.text((width // 12, height // 3), title, fill=TEXT, font=font)
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    for locale, title in TITLES.items():
        for asset_type, size in SIZES.items():
            name = "card.png" if asset_type == "EVENT_CARD" else "details.png"
            folder = args.out / "in-app-events" / EVENT / "media" / locale / asset_type
            folder.mkdir(parents=True, exist_ok=True)
            draw(size, title).save(folder / name, optimize=True)
            print(folder / name)


if __name__ == "__main__":
    main()
