#!/usr/bin/env python3
"""Generate the example app's screenshots under ``example-repo/``.

Why a script rather than hand-made images: the example repo must validate clean,
so every PNG has to be an exact accepted size, RGB without alpha, and small enough
to keep the git repo light. Drawing flat shapes keeps each file at tens of KB.

The output is deterministic (same bytes on every run with the same Pillow): no
timestamps or random numbers, and text uses the font bundled with Pillow rather
than whatever fonts the machine has. That font has no Japanese glyphs, so the
``ja`` screens carry a romanised title.

Usage: ``python scripts/make_example_screenshots.py [--out example-repo/apps/moviecatalog]``
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "example-repo" / "apps" / "moviecatalog"

# Display type -> exact pixel size (accepted portrait sizes, see ascsync/rules/media.py).
DEVICES: dict[str, tuple[int, int]] = {
    "APP_IPHONE_67": (1290, 2796),
    "APP_IPAD_PRO_3GEN_129": (2048, 2732),
}


@dataclass(frozen=True)
class LocaleText:
    """What the mock screens say in one locale (Latin script only, see module doc)."""

    title: str
    home: str
    detail: str
    search: str
    search_hint: str


LOCALES: dict[str, LocaleText] = {
    "en-US": LocaleText("Movie Catalog", "Trending now", "Details", "Search", "Titles, actors"),
    "de-DE": LocaleText("Filmkatalog", "Jetzt beliebt", "Details", "Suche", "Titel, Darsteller"),
    "fr-FR": LocaleText(
        "Catalogue de films", "Tendances", "Details", "Recherche", "Titres, acteurs"
    ),
    "ja": LocaleText("Eiga Katarogu", "Ninki", "Shosai", "Kensaku", "Taitoru"),
}

BACKGROUND = (20, 24, 38)
SURFACE = (34, 40, 60)
ACCENT = (255, 176, 59)
TEXT = (240, 240, 245)
MUTED = (130, 138, 160)
POSTERS = [(229, 80, 57), (64, 115, 158), (39, 174, 96), (142, 68, 173), (241, 196, 15)]


class Screen:
    """A canvas measured in 'points' so one layout fits phone and tablet sizes."""

    def __init__(self, size: tuple[int, int]):
        self.image = Image.new("RGB", size, BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        self.scale = size[0] / (390 if size[0] < 1500 else 820)
        self.width_pt = size[0] / self.scale
        self.height_pt = size[1] / self.scale

    def px(self, value: float) -> int:
        return round(value * self.scale)

    def box(self, x: float, y: float, w: float, h: float, fill, radius: float = 0) -> None:
        rect = (self.px(x), self.px(y), self.px(x + w), self.px(y + h))
        self.draw.rounded_rectangle(rect, radius=self.px(radius), fill=fill)

    def text(self, x: float, y: float, value: str, size: float, fill=TEXT) -> None:
        font = ImageFont.load_default(self.px(size))
        self.draw.text((self.px(x), self.px(y)), value, font=font, fill=fill)


def header(screen: Screen, title: str) -> None:
    """Status bar and large title shared by all three screens."""
    screen.box(24, 18, 40, 10, MUTED, radius=5)
    screen.box(screen.width_pt - 64, 18, 40, 10, MUTED, radius=5)
    screen.text(20, 64, title, 34)


def tab_bar(screen: Screen, active_tab: int) -> None:
    """Drawn last so content scrolling 'under' it is covered, as on a real phone."""
    bar_top = screen.height_pt - 90
    screen.box(0, bar_top, screen.width_pt, 90, SURFACE)
    step = screen.width_pt / 3
    for tab in range(3):
        colour = ACCENT if tab == active_tab else MUTED
        screen.box(step * tab + step / 2 - 14, bar_top + 18, 28, 28, colour, radius=8)


def poster_grid(screen: Screen, top: float, rows: int) -> None:
    columns = 3 if screen.width_pt < 500 else 5
    gap = 14
    width = (screen.width_pt - 40 - gap * (columns - 1)) / columns
    for index in range(rows * columns):
        row, column = divmod(index, columns)
        x = 20 + column * (width + gap)
        y = top + row * (width * 1.5 + 46)
        screen.box(x, y, width, width * 1.5, POSTERS[index % len(POSTERS)], radius=10)
        screen.box(x, y + width * 1.5 + 10, width * 0.8, 10, MUTED, radius=5)


def draw_home(screen: Screen, text: LocaleText) -> None:
    header(screen, text.title)
    screen.box(20, 130, screen.width_pt - 40, 200, POSTERS[1], radius=18)
    screen.box(40, 270, 160, 36, ACCENT, radius=18)
    screen.text(20, 352, text.home, 24)
    poster_grid(screen, 396, rows=3)


def draw_detail(screen: Screen, text: LocaleText) -> None:
    header(screen, text.detail)
    poster_w = min(200, screen.width_pt * 0.45)
    screen.box(20, 130, poster_w, poster_w * 1.5, POSTERS[0], radius=14)
    right = 40 + poster_w
    screen.box(right, 140, screen.width_pt - right - 20, 22, TEXT, radius=6)
    for index in range(5):
        screen.box(right + index * 30, 180, 22, 22, ACCENT, radius=11)
    screen.box(right, 230, 140, 40, ACCENT, radius=20)
    top = 150 + poster_w * 1.5
    for line in range(12):
        width = screen.width_pt - 40 - (line % 3) * 40
        screen.box(20, top + line * 26, width, 12, MUTED, radius=6)
    poster_grid(screen, top + 12 * 26 + 30, rows=1)


def draw_search(screen: Screen, text: LocaleText) -> None:
    header(screen, text.search)
    screen.box(20, 130, screen.width_pt - 40, 48, SURFACE, radius=14)
    screen.text(36, 142, text.search_hint, 20, fill=MUTED)
    rows = int((screen.height_pt - 300) // 110) + 1
    for row in range(rows):
        y = 200 + row * 110
        screen.box(20, y, 64, 96, POSTERS[row % len(POSTERS)], radius=8)
        screen.box(100, y + 20, screen.width_pt * 0.5, 16, TEXT, radius=8)
        screen.box(100, y + 50, screen.width_pt * 0.3, 12, MUTED, radius=6)


# file name -> (drawing function, highlighted tab)
SCREENS = {
    "01-home.png": (draw_home, 0),
    "02-detail.png": (draw_detail, 0),
    "03-search.png": (draw_search, 1),
}


def render(size: tuple[int, int], screen_name: str, text: LocaleText) -> Image.Image:
    screen = Screen(size)
    draw, active_tab = SCREENS[screen_name]
    draw(screen, text)
    tab_bar(screen, active_tab)
    return screen.image


def write_all(out: Path) -> list[Path]:
    """Write every locale × device × screen PNG below ``out/screenshots``."""
    written = []
    for locale, text in LOCALES.items():
        for display_type, size in DEVICES.items():
            folder = out / "screenshots" / locale / display_type
            folder.mkdir(parents=True, exist_ok=True)
            for name in SCREENS:
                path = folder / name
                # optimize=True keeps files small; PNG has no timestamp unless asked for.
                render(size, name, text).save(path, format="PNG", optimize=True)
                written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="app directory")
    args = parser.parse_args()
    paths = write_all(args.out)
    total = sum(path.stat().st_size for path in paths)
    print(f"wrote {len(paths)} screenshots, {total / 1024:.0f} KiB in total")


if __name__ == "__main__":
    main()
