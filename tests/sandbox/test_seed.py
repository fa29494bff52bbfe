"""Seeds: base data, the demo seed, seed files with real images, and seed mistakes."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ascsync.sandbox import Sandbox
from ascsync.sandbox.seed import SeedError, app_id_for, populate
from ascsync.sandbox.store import Store
from ascsync.sandbox.surface import load_surface

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_SHOTS = REPO / "example-repo" / "apps" / "moviecatalog" / "screenshots" / "en-US"


def session(sandbox: Sandbox) -> requests.Session:
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {sandbox.token()}"
    return api


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[Sandbox, requests.Session]]:
    with Sandbox(seed="demo") as sandbox, session(sandbox) as api:
        yield sandbox, api


def data(api: requests.Session, url: str) -> list[dict]:
    response = api.get(url)
    assert response.status_code == 200, response.text
    return response.json()["data"]


# -- base data ---------------------------------------------------------------------------


def test_every_sandbox_has_the_storefronts_with_currencies(demo) -> None:
    sandbox, api = demo
    territories = {
        t["id"]: t["attributes"]["currency"]
        for t in data(api, f"{sandbox.url}/v1/territories?limit=200")
    }
    assert 170 <= len(territories) <= 180
    assert (
        territories["USA"] == "USD" and territories["JPN"] == "JPY" and territories["DEU"] == "EUR"
    )
    assert all(len(code) == 3 and len(currency) == 3 for code, currency in territories.items())


def test_categories_form_apples_tree(demo) -> None:
    sandbox, api = demo
    top = data(api, f"{sandbox.url}/v1/appCategories?exists[parent]=false&limit=200")
    assert len(top) == 26 and {"GAMES", "STICKERS", "WEATHER"} <= {c["id"] for c in top}
    games = data(api, f"{sandbox.url}/v1/appCategories/GAMES/subcategories?limit=50")
    assert len(games) == 16 and "GAMES_ACTION" in {c["id"] for c in games}
    parent = api.get(f"{sandbox.url}/v1/appCategories/STICKERS_ART/parent").json()["data"]
    assert parent["id"] == "STICKERS" and parent["attributes"]["platforms"] == ["IOS"]


# -- the demo seed -----------------------------------------------------------------------


def test_demo_seed_has_a_live_and_an_editable_version(demo) -> None:
    sandbox, api = demo
    apps = data(api, f"{sandbox.url}/v1/apps?filter[bundleId]=com.example.moviecatalog")
    assert [a["id"] for a in apps] == ["6446123456"]
    versions = data(api, f"{sandbox.url}/v1/apps/6446123456/appStoreVersions")
    states = {
        v["attributes"]["versionString"]: v["attributes"]["appVersionState"] for v in versions
    }
    assert states == {"2.3.0": "READY_FOR_DISTRIBUTION", "2.4.0": "PREPARE_FOR_SUBMISSION"}
    draft = next(v for v in versions if v["attributes"]["versionString"] == "2.4.0")
    locs = data(
        api, f"{sandbox.url}/v1/appStoreVersions/{draft['id']}/appStoreVersionLocalizations"
    )
    assert sorted(loc["attributes"]["locale"] for loc in locs) == ["de-DE", "en-US", "es-ES"]


def test_demo_seed_products_and_testers_differ_from_the_example_repo(demo) -> None:
    sandbox, api = demo
    iaps = data(api, f"{sandbox.url}/v1/apps/6446123456/inAppPurchasesV2")
    assert [i["attributes"]["productId"] for i in iaps] == ["com.example.moviecatalog.pro"]
    assert data(api, f"{sandbox.url}/v1/apps/6446123456/subscriptionGroups") == []
    groups = {
        g["attributes"]["name"]: g["id"]
        for g in data(api, f"{sandbox.url}/v1/apps/6446123456/betaGroups")
    }
    assert set(groups) == {"Internal QA", "Public Beta"}
    testers = data(api, f"{sandbox.url}/v1/betaGroups/{groups['Internal QA']}/betaTesters")
    assert len(testers) == 3


@pytest.mark.skipif(not EXAMPLE_SHOTS.is_dir(), reason="example-repo screenshots not present")
def test_demo_screenshot_checksums_match_the_example_repo(demo) -> None:
    """01-home and 02-detail are meant to be 'unchanged' in a plan against the demo seed."""
    sandbox, api = demo
    shots = data(
        api,
        f"{sandbox.url}/v1/appScreenshotSets/{sandbox.store.list('appScreenshotSets')[0].id}/appScreenshots",
    )
    seeded = {s["attributes"]["fileName"]: s["attributes"]["sourceFileChecksum"] for s in shots}
    for name in ("01-home.png", "02-detail.png"):
        local = hashlib.md5((EXAMPLE_SHOTS / "APP_IPHONE_67" / name).read_bytes()).hexdigest()
        assert seeded[name] == local, f"copy example-repo's {name} to seeds/moviecatalog-{name}"


# -- seed files with images ----------------------------------------------------------------


def write_seed(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "seed.yml"
    path.write_text(body)
    return path


def test_a_screenshot_from_a_file_gets_its_checksum_size_and_bytes(tmp_path: Path) -> None:
    shot = io.BytesIO()
    Image.new("RGB", (1290, 2796), (200, 10, 10)).save(shot, "PNG")
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "home.png").write_bytes(shot.getvalue())
    seed = write_seed(
        tmp_path,
        """
apps:
  - bundleId: com.example.files
    name: Files
    versions:
      - versionString: "1.0"
        localizations:
          en-US:
            screenshots:
              APP_IPHONE_67:
                - {fileName: home.png, file: shots/home.png}
""",
    )
    with Sandbox(seed=seed) as sandbox, session(sandbox) as api:
        set_id = sandbox.store.list("appScreenshotSets")[0].id
        [item] = data(api, f"{sandbox.url}/v1/appScreenshotSets/{set_id}/appScreenshots")
        attributes = item["attributes"]
        template = attributes["imageAsset"]["templateUrl"]
        download = requests.get(template.format(w=1290, h=2796, f="png"))

    assert attributes["sourceFileChecksum"] == hashlib.md5(shot.getvalue()).hexdigest()
    assert attributes["fileSize"] == len(shot.getvalue())
    assert (attributes["imageAsset"]["width"], attributes["imageAsset"]["height"]) == (1290, 2796)
    assert attributes["assetDeliveryState"]["state"] == "COMPLETE"
    assert template.startswith(sandbox.url)
    assert download.content == shot.getvalue()


def test_seeded_ids_are_stable_across_runs() -> None:
    seed = {
        "apps": [
            {"bundleId": "com.example.same", "name": "Same", "versions": [{"versionString": "1.0"}]}
        ]
    }
    first, second = (
        Store(load_surface().relationship_map()),
        Store(load_surface().relationship_map()),
    )
    populate(first, seed)
    populate(second, seed)
    assert [a.id for a in first.list("apps")] == [app_id_for("com.example.same")]
    assert len(app_id_for("com.example.same")) == 10
    assert [v.id for v in first.list("appStoreVersions")] == [
        v.id for v in second.list("appStoreVersions")
    ]


# -- seed mistakes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "apps:\n  - bundleId: com.example.a\n    name: A\n    colour: red\n",
            ":4: apps[0].colour: unknown key for apps",
        ),
        (
            "apps:\n  - bundleId: com.example.a\n    name: A\n    versions:\n"
            "      - versionString: '1.0'\n        state: LIVE\n",
            ":6: apps[0].versions[0].state: 'LIVE' is not valid (valid: ACCEPTED,",
        ),
        (
            "apps:\n  - bundleId: com.example.a\n    name: A\n    versions:\n"
            "      - versionString: '1.0'\n        localizations:\n          en-US:\n"
            "            screenshots:\n              IPHONE_69: []\n",
            ":9: apps[0].versions[0].localizations.en-US.screenshots.IPHONE_69: unknown display",
        ),
        (
            "apps:\n  - bundleId: com.example.a\n    name: A\n    versions:\n"
            "      - versionString: '1.0'\n        build: '99'\n",
            ":6: apps[0].versions[0].build: no such build",
        ),
        ("apps:\n  - name: A\n", "apps[0].bundleId: is required"),
        ("apps: [\n", "not valid YAML"),
        (
            "apps:\n  - bundleId: com.example.a\n    name: A\n    appInfo:\n"
            "      primaryCategory: FUN\n",
            ":5: apps[0].appInfo.primaryCategory: unknown category 'FUN'",
        ),
    ],
)
def test_seed_mistakes_name_file_line_and_field(tmp_path: Path, body: str, expected: str) -> None:
    seed = write_seed(tmp_path, body)
    with pytest.raises(SeedError) as caught:
        populate(Store(load_surface().relationship_map()), seed)
    assert str(seed) in str(caught.value)
    assert expected in str(caught.value)


def test_an_unknown_seed_name_is_reported() -> None:
    with pytest.raises(SeedError, match="seed file not found"):
        populate(Store(), "no-such-seed.yml")


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (
            {"apps": [{"bundleId": "a.b", "name": "A"}, {"bundleId": "A.B", "name": "B"}]},
            "apps[1].bundleId: another app has this id or bundle id",
        ),
        (
            {
                "apps": [
                    {
                        "bundleId": "a.b",
                        "name": "A",
                        "versions": [{"versionString": "1.0", "localizations": {"de": {}}}],
                    }
                ]
            },
            "apps[0].versions[0].localizations.de: 'de' is not an App Store locale",
        ),
        (
            {
                "apps": [
                    {
                        "bundleId": "a.b",
                        "name": "A",
                        "betaGroups": [{"name": "x", "isInternalGroup": "yes"}],
                    }
                ]
            },
            "apps[0].betaGroups[0].isInternalGroup: must be true or false, not 'yes'",
        ),
        (
            {"apps": [{"bundleId": "a.b", "name": "A", "price": {"customerPrice": "4.50"}}]},
            "apps[0].price.customerPrice: 4.50 is not a price point (valid: 0.00, 0.99,",
        ),
    ],
)
def test_dict_seed_mistakes_name_the_field(seed: dict, expected: str) -> None:
    with pytest.raises(SeedError) as caught:
        populate(Store(load_surface().relationship_map()), seed)
    assert str(caught.value).startswith("seed: ")
    assert expected in str(caught.value)


SEED_KEYS = st.sampled_from(
    [
        "bundleId", "name", "versions", "versionString", "state", "localizations", "en-US",
        "screenshots", "APP_IPHONE_67", "fileName", "checksum", "fileSize", "width", "height",
        "appInfo", "primaryCategory", "builds", "version", "build", "inAppPurchases",
        "productId", "price", "customerPrice", "subscriptionGroups", "subscriptions", "prices",
        "betaGroups", "testers", "email", "ageRating", "reviewDetail", "phasedRelease", "id",
    ]
)  # fmt: skip
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.text(max_size=4),
    st.sampled_from(["1.0", "USA", "4.99", "APP_IPHONE_67", "READY_FOR_DISTRIBUTION"]),
)
TREES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(SEED_KEYS, inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(SEED_KEYS, TREES, max_size=6), max_size=2))
def test_any_seed_loads_or_fails_with_a_located_message(apps: list[dict]) -> None:
    seed = {
        "apps": [
            {"bundleId": f"com.example.app{i}", "name": "A", **app} for i, app in enumerate(apps)
        ]
    }
    try:
        populate(Store(load_surface().relationship_map()), seed)
    except SeedError as error:
        assert str(error).startswith("seed: apps")


def test_availability_defaults_to_everywhere_and_can_be_limited() -> None:
    seed = {
        "apps": [
            {"id": "3000000001", "bundleId": "com.example.everywhere", "name": "Everywhere"},
            {
                "id": "3000000002",
                "bundleId": "com.example.some",
                "name": "Some",
                "availability": {"availableInNewTerritories": False, "territories": ["USA", "JPN"]},
            },
        ]
    }
    with Sandbox(seed=seed) as sandbox, session(sandbox) as api:

        def available(app_id: str) -> tuple[bool, set[str]]:
            found = api.get(f"{sandbox.url}/v1/apps/{app_id}/appAvailabilityV2").json()["data"]
            items = data(
                api,
                f"{sandbox.url}/v2/appAvailabilities/{found['id']}/territoryAvailabilities"
                "?include=territory&limit=200",
            )
            chosen = {
                t["relationships"]["territory"]["data"]["id"]
                for t in items
                if t["attributes"]["available"]
            }
            return found["attributes"]["availableInNewTerritories"], chosen

        everywhere = available("3000000001")
        some = available("3000000002")

    assert everywhere[0] is True and len(everywhere[1]) > 170
    assert some == (False, {"USA", "JPN"})


EXAMPLE_REPO = REPO / "example-repo"


@pytest.mark.skipif(not (EXAMPLE_REPO / "ascsync.yml").is_file(), reason="no example-repo")
def test_a_plan_of_the_example_repo_on_the_demo_seed_creates_updates_and_deletes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo seed's promise (docs/sandbox.md): every kind of change shows up."""
    from click.testing import CliRunner

    from ascsync.cli import cli

    monkeypatch.setenv("MOVIECATALOG_DEMO_PASSWORD", "not-a-real-password")
    with Sandbox(seed="demo") as sandbox:
        options = ["--api-url", sandbox.url, "--api-key-json", str(sandbox.api_key_json_path)]
        result = CliRunner().invoke(cli, [*options, "--no-color", "plan", str(EXAMPLE_REPO)])

    assert "Traceback" not in result.output
    for kind in ("# create", "# update", "# delete"):
        assert kind in result.output, result.output
    assert "old.contractor@example.com" in result.output  # the demo's extra tester goes
    assert "qa-lead@example.com]  # delete" not in result.output  # the others stay


def test_the_documented_seed_example_loads(tmp_path: Path) -> None:
    """docs/sandbox.md's seed example is a working seed (with its image file present)."""
    text = (REPO / "docs" / "sandbox.md").read_text()
    example = text.split("## Seed format", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "shots").mkdir()
    Image.new("RGB", (1290, 2796), (0, 0, 0)).save(tmp_path / "shots" / "01-home.png")
    seed = write_seed(tmp_path, example)
    store = Store(load_surface().relationship_map())

    populate(store, seed)

    assert [a.attributes["bundleId"] for a in store.list("apps")] == ["com.example.moviecatalog"]
    assert len(store.list("appScreenshots")) == 2
    assert len(store.list("subscriptionPrices")) == 2
