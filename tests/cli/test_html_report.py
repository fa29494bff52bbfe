"""``plan --html``: one self-contained page with texts and screenshots before and after.

The page is checked twice: as HTML (what it says, what it escapes, that it names no
outside resource) and in a real headless browser (Debian's chromium, installed by
``.ci/run``): it loads without a blocked request or an error and shows every thumbnail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from ascsync.sandbox import Sandbox
from tests.cli.conftest import info, run, version_locale

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # any request to a host would fail loudly
]


class Page(HTMLParser):
    """The tags of a page, with their attributes, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def reviewed_change(repo: Path, seed: dict) -> dict:
    """What a reviewer would see in a release: texts in three scripts, a new screenshot,
    a replaced one, a deleted locale, a subtitle Apple's shorter limit now exceeds."""
    info(seed, 0, "en-US")["subtitle"] = "A small demo of everything it can do"  # 36 > 30
    info(seed, 1, "ar-SA")["subtitle"] = "دوّن أفكارك ببطء"
    version_locale(seed, 1, "ja")["description"] = "古い説明です。"
    version_locale(seed, 1, "en-US")["whatsNew"] = "Fixes for x<y & z>w."
    seed["apps"][1]["versions"][1]["localizations"]["he"] = {"description": "פתקים"}
    shots = repo / "apps/notes/screenshots/en-US/APP_IPHONE_67"
    Image.new("RGB", (1290, 2796), (200, 40, 40)).save(shots / "01-home.png")  # replaced
    Image.new("RGB", (1290, 2796), (40, 160, 60)).save(shots / "02-lists.png")  # new
    return seed


@pytest.fixture
def report(apps_repo, tmp_path: Path) -> Path:
    repo, seed = apps_repo
    page = tmp_path / "report.html"
    with Sandbox(seed=reviewed_change(repo, seed), settings={"settle_seconds": 0}) as sandbox:
        result = run(sandbox, "plan", str(repo), "--html", str(page), "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    return page


def test_the_page_shows_texts_counts_deletions_and_galleries(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    page = Page(html)
    text = " ".join("".join(page.text).split())
    assert "1 to create, 4 to update, 2 to delete, 2 uploads" in text  # a replace is both
    # the locale is removed: called out at the top, with what it takes along
    assert "1 deletion(s)" in text and "app[notes].version[1.1.0].locale[he]" in text
    # word-level highlighting: only the changed word is marked, in its script
    assert "<del>ببطء</del>" in html and "<ins>بسرعة</ins>" in html
    assert '<td class="before" lang="ar-SA" dir="rtl">' in html
    assert "<del>古い説明です。</del>" in html
    # the live subtitle is over today's limit: the count says so
    assert '<span class="count over">36 / 30 (6 too many)</span>' in html
    assert '<span class="count">12 / 30</span>' in html
    # text from the repo is escaped, never markup
    assert "x&lt;y &amp; z&gt;w" in html
    # the screenshot set: live in order above, repo in order below, each marked
    figures = re.findall(r'<figure class="(\w+)"><img [^>]*alt="([^"]+)"', html)
    assert figures == [
        ("replaced", "01-home.png"),
        ("replaced", "01-home.png"),
        ("new", "02-lists.png"),
    ]


def test_the_page_loads_nothing_from_anywhere(report: Path) -> None:
    page = Page(report.read_text(encoding="utf-8"))
    [csp] = [a for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp["content"] == "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    assert not page.all("script") and not page.all("link") and not page.all("iframe")
    images = page.all("img")
    assert len(images) == 3
    for image in images:
        uri = str(image["src"])
        assert uri.startswith(("data:image/jpeg;base64,", "data:image/png;base64,"))
        import io

        with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as thumb:
            assert thumb.size == (int(image["width"]), int(image["height"])) == (111, 240)


PROBE = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', e => window.__problems.push(
  'blocked ' + e.blockedURI + ' (' + e.violatedDirective + ')'));
window.addEventListener('error', e => window.__problems.push('error ' + e.message), true);
window.addEventListener('load', () => {
  const images = [...document.images].map(i => ({alt: i.alt, complete: i.complete,
    natural: [i.naturalWidth, i.naturalHeight], shown: [i.width, i.height]}));
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({images, problems: window.__problems,
    sections: document.querySelectorAll('section.group').length});
  document.body.appendChild(out);
});
"""


def with_probe(page: Path, out: Path) -> Path:
    """A copy of the page with a measuring script, allowed by its hash only: the page
    itself is unchanged, its policy still forbids every other script and load."""
    digest = base64.b64encode(hashlib.sha256(PROBE.encode()).digest()).decode()
    html = page.read_text(encoding="utf-8")
    html = html.replace(
        "style-src 'unsafe-inline'", f"style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    )
    html = html.replace("<head>\n", f"<head>\n<script>{PROBE}</script>\n", 1)
    out.write_text(html, encoding="utf-8")
    return out


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_a_real_browser_shows_every_thumbnail_without_errors(report: Path, tmp_path: Path):
    probed = with_probe(report, tmp_path / "probed.html")
    profile = tmp_path / "profile"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000",
         "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    match = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert match, f"the page did not finish loading:\n{done.stderr[-2000:]}"
    result = json.loads(match[1].replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert result["problems"] == []
    assert result["sections"] == 5
    assert [i["alt"] for i in result["images"]] == ["01-home.png", "01-home.png", "02-lists.png"]
    for image in result["images"]:
        assert image["complete"] and image["natural"] == [111, 240], image
        assert image["shown"][1] > 100  # drawn at a size a reviewer can see

    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1200,900",
         "--hide-scrollbars", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    with Image.open(shot) as image:
        assert image.size == (1200, 900)
        assert len(image.convert("RGB").getcolors(1_000_000) or []) > 50  # not a blank page


def test_a_secret_never_reaches_the_page(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "example-repo"
    repo = tmp_path / "listing"
    shutil.copytree(example, repo, ignore=shutil.ignore_patterns(".ascsync"))
    secret = "Pa55-for-the-reviewer-9731"
    page = tmp_path / "report.html"
    result = run(
        None, "plan", str(repo), "--sandbox", "--html", str(page),
        env={"MOVIECATALOG_DEMO_PASSWORD": secret},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "<code>review.demo_account.password</code>" in html
    assert "(sensitive value changed, not shown)" in html
    assert secret not in html and secret not in result.output


def test_a_preview_video_is_a_labelled_placeholder(apps_repo) -> None:
    from tests.desired.test_media_previews import movie, write

    repo, seed = apps_repo
    write(repo / "apps/demo/previews/en-US/IPHONE_67", "01-tour.mp4", movie(seconds=20))
    page = repo.parent / "report.html"
    with Sandbox(seed=seed) as sandbox:
        result = run(sandbox, "plan", str(repo), "--html", str(page))
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "previews · <code>IPHONE_67</code>" in html
    assert (
        '<figure class="new"><div class="placeholder">video</div><figcaption>1. 01-tour.mp4' in html
    )
