"""The age rating questionnaire: ``age-rating.yml``.

Apple keeps one ``ageRatingDeclarations`` resource per app info; the repo's keys are the
snake_case of Apple's attribute names. Answers change with one PATCH, locked while the
app info is not editable (a version in review).

Address: ``app[x].age_rating``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ascsync.desired.loader import RepoLoader
from ascsync.desired.model import App, Field, FieldType, FileKind, Record
from ascsync.desired.scaffold import NewApp, StarterFile
from ascsync.engine.compiling import ApplyContext
from ascsync.engine.live import Include, LiveApp, LiveContext, plain
from ascsync.engine.mapping import apple_changes, flat_fields, read_record
from ascsync.engine.ops import Op, need, patch_op
from ascsync.engine.plan import Change
from ascsync.engine.planner import Planner
from ascsync.errors import AscsyncError
from ascsync.io.repo_writer import RepoWriter
from ascsync.kinds.app_record import APP, APP_INFOS, AppInfoState, chosen_info
from ascsync.kinds.base import ResourceKind
from ascsync.rules import age_rating as ar

RESOURCE = "ageRatingDeclarations"

AGE_RATING_FIELDS = (
    tuple(
        Field(
            q,
            FieldType.ENUM,
            "",
            f"{RESOURCE}.{ar.apple_name(q)}",
            required=True,
            choices=ar.LEVELS,
            deprecated_choices=tuple(ar.DEPRECATED_LEVELS.items()),
        )
        for q in ar.LEVEL_QUESTIONS
    )
    + tuple(
        Field(b, FieldType.BOOL, "", f"{RESOURCE}.{ar.apple_name(b)}", required=True)
        for b in ar.REQUIRED_BOOLEANS
    )
    + tuple(
        Field(b, FieldType.BOOL, "", f"{RESOURCE}.{ar.apple_name(b)}") for b in ar.OPTIONAL_BOOLEANS
    )
    + (
        Field(
            "kids_age_band",
            FieldType.ENUM,
            "null unless Made for Kids.",
            f"{RESOURCE}.kidsAgeBand",
            nullable=True,
            choices=ar.KIDS_AGE_BANDS,
        ),
        Field(
            "age_rating_override_v2",
            FieldType.ENUM,
            "",
            f"{RESOURCE}.ageRatingOverrideV2",
            choices=ar.AGE_RATING_OVERRIDES_V2,
        ),
        Field(
            "age_rating_override",
            FieldType.ENUM,
            "Deprecated.",
            f"{RESOURCE}.ageRatingOverride",
            choices=ar.AGE_RATING_OVERRIDES_V1,
            deprecated="age_rating_override_v2",
        ),
        Field(
            "korea_age_rating_override",
            FieldType.ENUM,
            "",
            f"{RESOURCE}.koreaAgeRatingOverride",
            choices=ar.KOREA_AGE_RATING_OVERRIDES,
        ),
        Field(
            "developer_age_rating_info_url",
            FieldType.URL,
            "",
            f"{RESOURCE}.developerAgeRatingInfoUrl",
            nullable=True,
        ),
    )
)

AGE_RATING_FILE = FileKind(
    "age-rating",
    "apps/<app>/age-rating.yml",
    "The age rating questionnaire; every answer is required.",
    AGE_RATING_FIELDS,
)


@dataclass
class AgeRatingState:
    declaration_id: str | None = None


class AgeRating(ResourceKind[Record, AgeRatingState]):
    name = "age_rating"
    files = (AGE_RATING_FILE,)
    includes = (Include(APP_INFOS, "ageRatingDeclaration"),)
    compiles = (RESOURCE,)

    def load(self, loader: RepoLoader, app: App) -> None:
        record = loader.read_file(app.folder / "age-rating.yml", loader.files["age-rating"])
        if record is not None:
            app.parts[self.name] = record

    def starter_files(self, app: NewApp) -> list[StarterFile]:
        lines = ["# Every answer is required. Levels: NONE, INFREQUENT, FREQUENT."]
        lines += [f"{q}: NONE" for q in ar.LEVEL_QUESTIONS]
        lines += [f"{b}: false" for b in ar.REQUIRED_BOOLEANS + ar.OPTIONAL_BOOLEANS]
        lines += ["kids_age_band: null", "age_rating_override_v2: NONE"]
        path = f"apps/{app.folder}/age-rating.yml"
        return [StarterFile(path, "age-rating", "\n".join(lines) + "\n")]

    def read(self, ctx: LiveContext) -> AgeRatingState:
        doc = ctx.shared(APP_INFOS)
        info = chosen_info(doc)
        rating = doc.related_one(info, "ageRatingDeclaration") if doc and info else None
        if rating is None:
            return AgeRatingState()
        ctx.live.model.parts[self.name] = read_record(
            AGE_RATING_FIELDS, {RESOURCE: rating.get("attributes") or {}}
        )
        return AgeRatingState(rating["id"])

    def snapshot(self, live: LiveApp) -> Any:
        state = self.state(live) or AgeRatingState()
        return [state.declaration_id, plain(self.desired(live.model))]

    def plan(self, planner: Planner) -> None:
        desired = self.desired(planner.desired)
        if desired is None:
            return
        live = self.desired(planner.live.model) or Record(desired.source)
        info = APP.state(planner.live) or AppInfoState()
        planner.update(
            f"{planner.desired.address}.age_rating",
            RESOURCE,
            desired.attrs,
            live.attrs,
            desired,
            [key for key, _ in flat_fields(AGE_RATING_FIELDS)],
            f"PATCH /v1/{RESOURCE}/{{id}}",
            locked_by=info.locked_by,
        )

    def compile(self, change: Change, ctx: ApplyContext) -> Op:
        desired = self.desired(ctx.desired)
        if desired is None:
            raise AscsyncError(f"{change.address}: the repo no longer has age-rating.yml")
        fields = [f.name for f in change.fields]
        attributes = apple_changes(AGE_RATING_FIELDS, fields, desired).get(RESOURCE, {})
        state = self.state(ctx.live) or AgeRatingState()
        return patch_op(RESOURCE, need(state.declaration_id, "age rating"), attributes)

    def write(self, writer: RepoWriter, folder: Path, live: App, desired: App | None) -> None:
        record = self.desired(live)
        if record is None:
            return
        mine = self.desired(desired) if desired else None
        writer.write_record(folder / "age-rating.yml", record, writer.fields("age-rating"), mine)


AGE_RATING = AgeRating()

__all__ = ["AGE_RATING", "AGE_RATING_FIELDS"]
