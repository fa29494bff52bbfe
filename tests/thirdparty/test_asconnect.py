"""Microsoft's ``asconnect`` (PyPI), unmodified, runs its common calls against the sandbox.

asconnect deserializes every answer into strict models written against Apple's real
answers (a relationship must carry ``links``; a build's app is found through
``links.related``; builds are filtered by ``preReleaseVersion.version``), so these calls
succeed only if the sandbox answers as Apple does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import asconnect
import pytest
from asconnect.models import ScreenshotDisplayType
from PIL import Image

from ascsync.sandbox import Sandbox

BUNDLE = "com.example.moviecatalog"


@pytest.fixture
def client(apple_is_the_sandbox: Sandbox):
    key = json.loads(apple_is_the_sandbox.api_key_json_path.read_text())
    return asconnect.Client(
        key_id=key["key_id"], key_contents=key["key"], issuer_id=key["issuer_id"]
    )


def test_apps_versions_and_localizations_are_listed(client, sandbox: Sandbox):
    apps = list(client.app.get_all())
    assert [a.attributes.bundle_id for a in apps] == [BUNDLE]
    app = client.app.get_from_bundle_id(BUNDLE)
    assert app is not None and app.attributes.name == "Movie Catalog"

    versions = {
        v.attributes.version_string: v for v in client.version.get_all(app_id=app.identifier)
    }
    assert set(versions) == {"2.3.0", "2.4.0"}
    editable = client.version.get_version(app_id=app.identifier, version_string="2.4.0")
    assert editable.identifier == versions["2.4.0"].identifier
    locales = {
        loc.attributes.locale: loc
        for loc in client.version.get_localizations(version_id=editable.identifier)
    }
    assert {"en-US", "de-DE"} <= set(locales)
    build = client.version.get_attached_build(version_id=editable.identifier)
    assert build is not None and build.attributes.version == "240"


def test_a_localization_is_patched(client, sandbox: Sandbox):
    app = client.app.get_from_bundle_id(BUNDLE)
    version = client.version.get_version(app_id=app.identifier, version_string="2.4.0")
    (german,) = [
        loc
        for loc in client.version.get_localizations(version_id=version.identifier)
        if loc.attributes.locale == "de-DE"
    ]
    patched = client.app_info.set_localization_version_properties(
        version_localization_id=german.identifier,
        description="Entdecke und sammle die Filme, die du liebst – überall.",
        keywords="filme,kino,merkliste",
    )
    assert patched.attributes.keywords == "filme,kino,merkliste"
    stored = sandbox.store.get("appStoreVersionLocalizations", german.identifier)
    assert stored.attributes["description"].endswith("– überall.")

    too_long = ",".join(["filmkritik"] * 10)  # 109 characters: Apple refuses it
    with pytest.raises(asconnect.exceptions.AppStoreConnectError) as refused:
        client.app_info.set_localization_version_properties(
            version_localization_id=german.identifier, keywords=too_long
        )
    assert refused.value.response.status_code == 409


def test_a_screenshot_set_is_created_and_a_screenshot_uploaded(
    client, sandbox: Sandbox, tmp_path: Path
):
    app = client.app.get_from_bundle_id(BUNDLE)
    version = client.version.get_version(app_id=app.identifier, version_string="2.4.0")
    (english,) = [
        loc
        for loc in client.version.get_localizations(version_id=version.identifier)
        if loc.attributes.locale == "en-US"
    ]
    created = client.screenshots.create_set(
        localization_id=english.identifier,
        display_type=ScreenshotDisplayType.APP_IPAD_PRO_3GEN_129,
    )
    image = tmp_path / "01-home-ipad.png"
    Image.new("RGB", (2064, 2752), (20, 30, 120)).save(image)

    uploaded = client.screenshots.upload_screenshot(
        file_path=str(image), screenshot_set_id=created.identifier
    )

    assert uploaded.attributes.asset_delivery_state.state.value in ("UPLOAD_COMPLETE", "COMPLETE")
    (listed,) = client.screenshots.get_screenshots(screenshot_set_id=created.identifier)
    assert listed.attributes.asset_delivery_state.state.value == "COMPLETE"
    assert listed.attributes.source_file_checksum == hashlib.md5(image.read_bytes()).hexdigest()
    sets = list(client.screenshots.get_sets(localization_id=english.identifier))
    assert ScreenshotDisplayType.APP_IPAD_PRO_3GEN_129 in {
        s.attributes.screenshot_display_type for s in sets
    }


def test_builds_are_found_by_number_and_version_and_walked(client, sandbox: Sandbox):
    app = client.app.get_from_bundle_id(BUNDLE)
    builds = list(client.build.get_builds(app_id=app.identifier, version="2.4.0"))
    assert sorted(b.attributes.version for b in builds) == ["240", "241"]
    # Follows the build's links.related to its app, as Apple's answers allow.
    build = client.build.get_from_build_number(BUNDLE, "240")
    assert build is not None
    assert build.identifier == next(b for b in builds if b.attributes.version == "240").identifier
    done = client.build.wait_for_build_to_process(BUNDLE, "240", wait_time=0)
    assert done.attributes.processing_state == "VALID"
    detail = client.build.get_beta_detail(build)
    assert detail is not None


def test_beta_groups_testflight_details_and_beta_review(client, sandbox: Sandbox):
    app = client.app.get_from_bundle_id(BUNDLE)
    groups = list(client.beta_review.get_beta_groups(app.identifier))
    assert {g.attributes.name for g in groups} >= {"Internal QA"}
    build = client.build.get_from_build_number(BUNDLE, "240")

    client.beta_review.set_beta_groups_on_build(build.identifier, groups)
    linked = sandbox.store.related(sandbox.store.get("builds", build.identifier), "betaGroups")
    assert {g.id for g in linked} == {g.identifier for g in groups}

    details = client.beta_review.set_beta_app_review_details(
        app_id=app.identifier,
        contact_email="beta-review@example.com",
        contact_first_name="Zoë",
        contact_last_name="Ångström",
        contact_phone="+49 30 1234567",
        demo_account_name="reviewer@example.com",
        demo_account_password="s3cret-Passw0rd",
        demo_account_required=True,
    )
    assert details.attributes.contact_last_name == "Ångström"
    client.beta_review.set_whats_new_for_build(
        build.identifier, {"en-US": "Dark mode everywhere.", "ja": "ダークモード対応。"}
    )
    localizations = client.beta_review.get_beta_build_localizations(build.identifier)
    assert {loc.attributes.locale for loc in localizations} == {"en-US", "ja"}
    client.beta_review.submit_for_beta_review(build.identifier)
    detail = client.build.get_beta_detail(build)
    assert detail.attributes.external_build_state.value == "WAITING_FOR_BETA_REVIEW"
    assert "s3cret-Passw0rd" not in json.dumps([e.to_dict() for e in sandbox.journal])
