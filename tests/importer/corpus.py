"""A realistic fastlane project, written the way years of use leave one.

The app is "Tidewater", a tide-table app with an iOS and a macOS listing. Its deliver
folder holds what real folders hold (each item is something the import must get right):

* ``default/`` with the whole English listing and an ``en-US/`` holding only ``.gitkeep``
  (the case where one app lost its entire en-US listing), plus a truly empty ``pt-BR/``;
* RTL listings (ar-SA with a right-to-left mark, he), CJK text with ideographic commas and
  spaces, a UTF-8 BOM (fr-FR), CRLF line endings (de-DE), UTF-16 (it), keywords one per
  line (it), text over Apple's limits (es-MX);
* folders translation tools make (``de``, ``sr_Latn``, ``zh-HK``) and supply's ``android``;
* both iPad 12.9" generations at 2048×2732 (``ipadPro`` and ``ipadPro129``), JPEG data
  named ``.png`` (as ``download_screenshots`` leaves it), Git LFS pointer files;
* a Deliverfile with ``ENV`` lookups, ``languages``, a trade representative, an app icon,
  run options; an Appfile; a legacy rating JSON;
* a broken symlink, a symlink to a private key outside the project, a link inside it;
* ``metadata-mac/`` and ``screenshots-mac/`` for the macOS version of the same app.

Images are generated (solid colour, so they compress to a few kilobytes) at the exact
pixel sizes deliver and App Store Connect expect.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from tests.conftest import make_ec_key_pem

IPHONE_69 = (1320, 2868)
IPHONE_65 = (1242, 2688)
IPAD_129 = (2048, 2732)  # both the legacy 12.9" and the 13" slot accept it
IPAD_13 = (2064, 2752)
MAC = (2880, 1800)
LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 1843221\n"
)

_PARAGRAPHS = [
    "Tidewater shows the tides for more than 9,000 stations around the world, from"
    " harbours in Brittany to the reefs of Queensland, even when you have no signal.",
    "Plan a day on the water with a clear curve of the next seven days: high and low"
    " water, sunrise and sunset, moon phase and the coefficient that tells you how big"
    " today's tide will be. Tap any point of the curve to read the exact height.",
    "FEATURES\n• Offline tide tables for every station, updated every month\n• Widgets for"
    " your Home Screen and Lock Screen\n• Tide alerts: a notification before the water"
    " turns\n• Apple Watch complications\n• Currents and wind for 400 stations\n• Metric"
    " and imperial units, 12- and 24-hour clocks",
    "Made for people who live by the sea: fishers, sailors, surfers, kayakers, divers,"
    " shellfish gatherers and everyone who has ever had to run back across a sandbar.",
    "Tidewater is made by a team of three in Saint-Malo. We answer every e-mail.",
]


def long_description(target: int = 3230) -> str:
    """An English description of exactly ``target`` characters (the real app had 3,230)."""
    text = "\n\n".join(_PARAGRAPHS)
    filler = (
        " Tide predictions are computed from harmonic constants published by national"
        " hydrographic offices; they do not account for storms or river floods."
    )
    while len(text) < target:
        text += filler
    return text[: target - 1] + "."


EN = {
    "name.txt": "Tidewater – Tide Tables\n",
    "subtitle.txt": "Tides, currents & moon\n",
    "description.txt": long_description() + "\n",
    "keywords.txt": "tide,tides,tide table,ocean,surf,fishing,sailing,harbour,moon,coefficient\n",
    "release_notes.txt": "• New: Lock Screen widgets\n• Fixed: times in Lord Howe Island\n",
    "promotional_text.txt": "Now with currents for 400 stations.\n",
    "support_url.txt": "https://tidewater.example.com/support\n",
    "marketing_url.txt": "https://tidewater.example.com\n",
    "privacy_url.txt": "https://tidewater.example.com/privacy\n",
}
FR = {
    "name.txt": "Tidewater – Marées\n",
    "subtitle.txt": "Horaires des marées\u00a0\n",  # trailing no-break space: Ruby keeps it
    "description.txt": "Les horaires des marées pour 9\u202f000 ports.\n\nHors connexion.\n",
    "keywords.txt": "marée, marées, coefficient, pêche à pied, voile, surf\n",
    "promotional_text.txt": "Nouveau\u00a0: les courants.\n",
}
DE_CRLF = {
    "name.txt": "Tidewater – Gezeiten\r\n",
    "description.txt": "Gezeiten für 9.000 Häfen.\r\n\r\n• Offline\r\n• Widgets\r\n",
    "keywords.txt": "Gezeiten,Ebbe,Flut,Hochwasser,Segeln\r\n",
    "release_notes.txt": "Neu: Widgets für den Sperrbildschirm.\r\n",
}
AR = {
    "name.txt": "\u200fتايدووتر – جداول المد\n",  # starts with a right-to-left mark
    "subtitle.txt": "المد والجزر والقمر\n",
    "description.txt": "جداول المد والجزر لأكثر من ٩٠٠٠ ميناء.\nتعمل دون اتصال.\n",
    "keywords.txt": "مد,جزر,بحر,صيد,إبحار\n",
}
HE = {
    "name.txt": "טיידווטר – גאות ושפל\n",
    "description.txt": "טבלאות גאות ושפל ל־9,000 נמלים.\n\nפועל גם ללא חיבור.\n",
    "keywords.txt": "גאות, שפל, ים, דיג, גלישה\n",
}
JA = {
    "name.txt": "タイドウォーター　潮見表\n",
    "description.txt": "世界9,000か所の潮汐表。\nオフラインでも使えます。\u3000\n",  # U+3000 kept
    "keywords.txt": "潮汐,潮見表,釣り,サーフィン,海\n",
}
ZH = {
    "name.txt": "潮汐表 Tidewater\n",
    "keywords.txt": "潮汐，海浪，天气，钓鱼\n",  # ideographic commas, kept as written
}
ES_MX_OVER = {
    "name.txt": "Tidewater – Tablas de mareas para pescadores\n",  # 44 characters > 30
    "description.txt": ("Mareas para 9.000 puertos. " * 160).strip() + "\n",  # > 4000
    "keywords.txt": "marea,mareas,océano,pesca,surf,vela,puerto,luna,coeficiente,corrientes"
    ",viento,buceo,kayak,pleamar,bajamar\n",  # 105 > 100
}
IT_UTF16_LINES = {"keywords.txt": "maree\nbassa marea\nalta marea\nsurf\n"}  # one per line
DEFAULT_KEYS = set(EN)  # nine values, all in default/

DELIVERFILE = """\
# Deliverfile - see https://docs.fastlane.tools/actions/deliver/
app_identifier ENV.fetch("TIDEWATER_BUNDLE_ID", "com.example.tidewater")
app_version ENV["TIDEWATER_VERSION"]

languages ["en-US", "fr-FR", "nl-NL"]   # nl-NL: only enabled here, filled from default/

skip_binary_upload true
force true
submit_for_review false
automatic_release false
app_icon "./fastlane/AppIcon-1024.png"
price_tier 0
app_rating_config_path "./fastlane/rating_config.json"

promotional_text(
  "de-DE" => "Jetzt mit Strömungen für 400 Stationen.",
  "he" => "עכשיו עם זרמים",
)

trade_representative_contact_information(
  first_name: "Min-jun",
  last_name: "Kim",
  address_line1: "12 Haeundae-ro",
  city_name: "Busan",
  country: "Republic of Korea",
  is_displayed_on_app_store: true,
)

if ENV["CI"]
  run_precheck_before_submit false
end

for_platform :mac do
  metadata_path "./fastlane/metadata-mac"
  screenshots_path "./fastlane/screenshots-mac"
end
"""
APPFILE = 'app_identifier "com.example.tidewater"\napple_id "release@tidewater.example.com"\n'
RATING = {
    "CARTOON_FANTASY_VIOLENCE": 0,
    "REALISTIC_VIOLENCE": 0,
    "PROLONGED_GRAPHIC_SADISTIC_REALISTIC_VIOLENCE": 0,
    "PROFANITY_CRUDE_HUMOR": 0,
    "MATURE_SUGGESTIVE": 0,
    "HORROR": 0,
    "MEDICAL_TREATMENT_INFO": 0,
    "ALCOHOL_TOBACCO_DRUGS": 0,
    "GAMBLING": 0,
    "SEXUAL_CONTENT_NUDITY": 0,
    "GRAPHIC_SEXUAL_CONTENT_NUDITY": 0,
    "UNRESTRICTED_WEB_ACCESS": 1,
    "GAMBLING_CONTESTS": 0,
}


@dataclass(frozen=True)
class Project:
    """Paths of the generated project, for tests to point at."""

    root: Path  # the project (contains fastlane/)
    fastlane: Path
    metadata: Path
    screenshots: Path
    outside_key: Path  # a private key outside the project, linked from inside it


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def image(path: Path, size: tuple[int, int], fmt: str = "PNG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", size, (18, 92, 140)).save(buffer, fmt)
    path.write_bytes(buffer.getvalue())
    return path


def locale(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> None:
    for name, text in files.items():
        data = text.encode(encoding)
        write(folder / name, data)


def build(base: Path) -> Project:
    """Write the whole project under ``base`` and return where things are."""
    root = base / "tidewater"
    fl = root / "fastlane"
    md = fl / "metadata"
    shots = fl / "screenshots"
    outside = write(base / "home" / ".keys" / "AuthKey_7Q2X9ABCDE.p8", make_ec_key_pem())
    write(fl / "Deliverfile", DELIVERFILE)
    write(fl / "Appfile", APPFILE)
    write(fl / "rating_config.json", json.dumps(RATING, indent=2))
    _metadata(md, fl, outside)
    _screenshots(shots, outside)
    locale(fl / "metadata-mac" / "en-US", {"name.txt": "Tidewater for Mac\n"})
    image(fl / "screenshots-mac" / "en-US" / "Mac-01.png", MAC)
    return Project(root, fl, md, shots, outside)


def _metadata(md: Path, fl: Path, outside: Path) -> None:
    write(md / "copyright.txt", "2017-2026 Tidewater Labs SARL\n")
    write(md / "primary_category.txt", "Weather\n")
    write(md / "secondary_category.txt", "Navigation\n")
    for name, text in {
        "first_name.txt": "Maëlle",
        "last_name.txt": "Le Gall",
        "phone_number.txt": "+33 2 99 00 00 00",
        "email_address.txt": "review@tidewater.example.com",
        "notes.txt": "No login needed.\r\nTo see alerts, tap a station, then the bell.\r\n",
    }.items():
        write(md / "review_information" / name, text)
    for name, text in {"first_name.txt": "Min-jun", "city_name.txt": "Busan"}.items():
        write(md / "trade_representative_contact_information" / name, text + "\n")
    locale(md / "default", EN)
    write(md / "en-US" / ".gitkeep", "")
    (md / "pt-BR").mkdir(parents=True)
    locale(md / "fr-FR", FR)
    fr_description = md / "fr-FR" / "description.txt"
    fr_description.write_bytes(b"\xef\xbb\xbf" + fr_description.read_bytes())  # UTF-8 BOM
    locale(md / "de-DE", DE_CRLF)
    locale(md / "ar-SA", AR)
    locale(md / "he", HE)
    locale(md / "ja", JA)
    locale(md / "zh-Hans", ZH)
    locale(md / "es-MX", ES_MX_OVER)
    locale(md / "it", IT_UTF16_LINES, encoding="utf-16")  # Notepad's "Unicode"
    write(md / "ko" / "name.txt", "타이드워터\n")
    os.symlink("../../../translations/ko/subtitle.txt", md / "ko" / "subtitle.txt")  # broken
    write(md / "en-GB" / "name.txt", "Tidewater – Tide Times\n")
    os.symlink(outside, md / "en-GB" / "description.txt")  # leads out of the project
    write(fl / "texts" / "en-AU-description.txt", "Tide times for every Australian port.\n")
    write(md / "en-AU" / "name.txt", "Tidewater – Tide Times\n")
    os.symlink("../../texts/en-AU-description.txt", md / "en-AU" / "description.txt")
    for folder, name in (("de", "Gezeiten"), ("sr_Latn", "Plima i oseka"), ("zh-HK", "潮汐表")):
        locale(md / folder, {"name.txt": name + "\n", "description.txt": name + ".\n"})
    write(md / "android" / "en-US" / "title.txt", "Tidewater\n")
    write(md / ".DS_Store", b"\x00\x00\x00\x01Bud1")


def _screenshots(shots: Path, outside: Path) -> None:
    for n in (1, 2, 3):
        image(shots / "en-US" / f"iPhone 16 Pro Max-0{n}_tides.png", IPHONE_69)
        image(shots / "en-US" / f"{n}_ipadPro_{n}.png", IPAD_129)  # legacy 12.9" (2nd gen)
        image(shots / "en-US" / f"{n}_ipadPro129_{n}.png", IPAD_129)  # 13" (3rd gen)
        # download_screenshots keeps App Store Connect's names; the data is JPEG
        image(shots / "fr-FR" / f"{n - 1}_APP_IPHONE_67_{n - 1}.png", IPHONE_69, "JPEG")
        write(shots / "de-DE" / f"iPhone 16 Pro Max-0{n}.png", LFS_POINTER)
        image(shots / "de" / f"iPhone-0{n}.png", IPHONE_69)  # not an App Store locale
    image(shots / "ar-SA" / "iPhone 11 Pro Max-01.png", IPHONE_65)
    image(shots / "default" / "iPhone 16 Pro Max-01_welcome.png", IPHONE_69)
    os.symlink(outside, shots / "en-US" / "iPhone 16 Pro Max-04_key.png")
    (shots / "ja").mkdir()
    os.symlink("../../../missing/iPhone-05.png", shots / "ja" / "iPhone 16 Pro Max-05.png")
