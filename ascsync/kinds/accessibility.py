"""Accessibility declarations ("Accessibility Nutrition Labels"): ``accessibility.yml``.

Per device family the app supports (``IPHONE``, ``IPAD``, ...), which accessibility
features it declares. App Store Connect keeps ``accessibilityDeclarations`` per device
family with a state: a ``DRAFT`` being edited, the ``PUBLISHED`` one the App Store
shows, and ``REPLACED`` old ones [S]. A family whose published answers differ from the
file is published anew: its draft is updated (or a new draft created), then published
(``PATCH publish: true``), which replaces the previous one [U: the sequence follows the
states the spec declares; Apple's documentation describes the web UI only]. A family the
file leaves out is not managed; ascsync never deletes a declaration.

Reading: 1 request, every declaration of the app.

Address: ``app[x].accessibility[<DEVICE_FAMILY>]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.api.client import ApiClient, ApiError
from ascsync.api.jsonapi import resource_body
from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import LIVE, App, Field, FieldType, FileKind, Record, Value
from ascsync.engine.compare import changed
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.discovery import Discovery
from ascsync.engine.live import LiveApp, LiveContext
from ascsync.engine.mapping import apple_changes
from ascsync.engine.ops import CONFLICT, Ids, Op, find_child, post_once
from ascsync.engine.plan import Action, Change, address_keys
from ascsync.engine.planner import Planner
from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter, source_file
from ascsync.kinds.base import ResourceKind
from ascsync.problems import Problem, Severity

RESOURCE = "accessibilityDeclarations"
FAMILIES = ("IPHONE", "IPAD", "APPLE_TV", "APPLE_WATCH", "MAC", "VISION")  # [S] DeviceFamily
FEATURES = (
    ("voiceover", "supportsVoiceover", "VoiceOver."),
    ("voice_control", "supportsVoiceControl", "Voice Control."),
    ("larger_text", "supportsLargerText", "Larger Text."),
    ("dark_interface", "supportsDarkInterface", "Dark Interface."),
    (
        "differentiate_without_color",
        "supportsDifferentiateWithoutColorAlone",
        "Differentiate Without Color Alone.",
    ),
    ("sufficient_contrast", "supportsSufficientContrast", "Sufficient Contrast."),
    ("reduced_motion", "supportsReducedMotion", "Reduced Motion."),
    ("captions", "supportsCaptions", "Captions."),
    ("audio_descriptions", "supportsAudioDescriptions", "Audio Descriptions."),
)
PLATFORM_FAMILIES = {
    "IOS": ("IPHONE", "IPAD", "VISION"),
    "MAC_OS": ("MAC",),
    "TV_OS": ("APPLE_TV",),
    "VISION_OS": ("VISION",),
}
"""Device families an app of each platform can run on ([U]: iOS apps also run on Vision
Pro and, as designed for iPad, on Macs; watch apps ship inside iOS apps)."""

ACCESSIBILITY_FIELDS = tuple(
    Field(
        family,
        FieldType.OBJECT,
        f"What the app supports on {family}.",
        fields=tuple(
            Field(key, FieldType.BOOL, doc, f"{RESOURCE}.{apple}") for key, apple, doc in FEATURES
        ),
    )
    for family in FAMILIES
)

ACCESSIBILITY_FILE = FileKind(
    "accessibility",
    "apps/<app>/accessibility.yml",
    "Accessibility declarations per device family (published as answered here).",
    ACCESSIBILITY_FIELDS,
)


@dataclass
class LiveFamily:
    """A device family's published declaration and its draft, if any."""

    published: dict[str, Any] | None = None  # attributes
    draft_id: str | None = None


@dataclass
class AccessibilityState:
    families: dict[str, LiveFamily] = field(default_factory=dict)


class Accessibility(ResourceKind[Record, AccessibilityState]):
    name = "accessibility"
    files = (ACCESSIBILITY_FILE,)
    compiles = (RESOURCE,)
    nouns = {"accessibility": "accessibility declaration"}

    def load(self, loader: RepoLoader, app: App) -> None:
        record = loader.read_file(app.folder / "accessibility.yml", loader.files["accessibility"])
        if record is not None:
            app.parts[self.name] = record

    def check(self, app: App) -> list[Problem]:
        record = self.desired(app)
        platform = app.record.get("platform")
        if record is None or platform not in PLATFORM_FAMILIES:
            return []
        problems = []
        for family in _families(record):
            if family not in PLATFORM_FAMILIES[platform]:
                problems.append(
                    record.where(f"{family}.{FEATURES[0][0]}").problem(
                        family,
                        f"an app for {platform} does not run on {family}",
                        ", ".join(PLATFORM_FAMILIES[platform]),
                        Severity.WARNING,
                    )
                )
        return problems

    # -- live --------------------------------------------------------------------------

    def read(self, ctx: LiveContext) -> AccessibilityState:
        state = AccessibilityState()
        if self.desired(ctx.desired) is None:
            return state
        doc = ctx.client.get_all(f"/v1/apps/{ctx.live.app_id}/{RESOURCE}", {"limit": 200})
        record = Record(LIVE)
        for item in doc.resources():
            attributes = item.get("attributes") or {}
            family = state.families.setdefault(str(attributes.get("deviceFamily")), LiveFamily())
            if attributes.get("state") == "PUBLISHED":
                family.published = attributes
            elif attributes.get("state") == "DRAFT":
                family.draft_id = item["id"]
        for name, family in state.families.items():
            for key, apple, _ in FEATURES if family.published else ():
                value = (family.published or {}).get(apple)
                record.attrs[f"{name}.{key}"] = Value(value, LIVE)
        ctx.live.model.parts[self.name] = record
        return state

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or AccessibilityState()
        return {n: [f.published, f.draft_id] for n, f in sorted(state.families.items())}

    def discover(self, discovery: Discovery, skeleton: App) -> None:
        skeleton.parts[self.name] = Record(LIVE)

    # -- plan --------------------------------------------------------------------------

    def plan(self, planner: Planner) -> None:
        wanted = self.desired(planner.desired)
        if wanted is None:
            return
        state = self.state(planner.live) or AccessibilityState()
        live = self.desired(planner.live.model) or Record(LIVE)
        for family in _families(wanted):
            keys = [f"{family}.{key}" for key, _, _ in FEATURES]
            diff = changed(wanted.attrs, live.attrs, keys)
            if not diff:
                continue
            have = state.families.get(family) or LiveFamily()
            calls = [] if have.draft_id else [f"POST /v1/{RESOURCE}"]
            calls.append(f"PATCH /v1/{RESOURCE}/{{id}} (publish)")
            planner.add(
                Change(
                    f"{planner.desired.address}.accessibility[{family}]",
                    Action.UPDATE if have.published else Action.CREATE,
                    RESOURCE,
                    planner.app,
                    fields=planner.field_changes(wanted.attrs, live.attrs, diff, wanted),
                    calls=tuple(calls),
                    source=planner.source(wanted, diff[0]),
                    note="published as a new declaration" if have.published else None,
                )
            )

    # -- apply -------------------------------------------------------------------------

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        family = address_keys(change.address)["accessibility"][0]
        wanted = self.desired(ctx.desired)
        if wanted is None:
            raise AscsyncError(f"{change.address}: the repo no longer has accessibility.yml")
        state = self.state(ctx.live) or AccessibilityState()
        have = state.families.get(family) or LiveFamily()
        answers = _answers(wanted, family, have)
        app_id = ctx.live.app_id

        def run(client: ApiClient, ids: Ids) -> None:
            draft = have.draft_id or _new_draft(client, app_id, family, answers)
            body = resource_body(RESOURCE, {**answers, "publish": True}, id_=draft)
            try:
                client.patch(f"/v1/{RESOURCE}/{draft}", body)
            except ApiError as error:
                # "already published" on a retry: the first PATCH arrived, its answer was lost
                if error.status != CONFLICT or error.attempts < 2:
                    raise

        return Op(run)

    # -- pull --------------------------------------------------------------------------

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        record = self.desired(live)
        mine = self.desired(desired) if desired else None
        if record is None or not record.attrs or (writer.managed_only and mine is None):
            return
        path = source_file(mine) or folder / "accessibility.yml"
        writer.write_record(path, record, writer.fields("accessibility"), mine)


def _families(record: Record) -> list[str]:
    return [f for f in FAMILIES if record.manages(f"{f}.")]


def _answers(wanted: Record, family: str, have: LiveFamily) -> dict[str, Any]:
    """Every feature's answer: the file's, else the published one, else false."""
    keys = [f"{family}.{key}" for key, _, _ in FEATURES]
    answers = apple_changes(ACCESSIBILITY_FIELDS, keys, wanted).get(RESOURCE, {})
    for _, apple, _ in FEATURES:
        if apple not in answers:
            answers[apple] = bool((have.published or {}).get(apple))
    return answers


def _new_draft(client: ApiClient, app_id: str, family: str, answers: dict[str, Any]) -> str:
    """POST a draft; after a lost answer, the family's draft is looked up and adopted."""
    body = resource_body(RESOURCE, {"deviceFamily": family, **answers}, {"app": ("apps", app_id)})
    return post_once(
        client,
        f"/v1/{RESOURCE}",
        body,
        lambda c: find_child(
            c,
            f"/v1/apps/{app_id}/{RESOURCE}",
            RESOURCE,
            "deviceFamily",
            family,
            {"deviceFamily": family, "state": "DRAFT"},
        ),
        what=f"{family} accessibility draft",
    )


ACCESSIBILITY = Accessibility()

__all__ = ["ACCESSIBILITY", "ACCESSIBILITY_FIELDS", "FAMILIES"]
