"""Builds as App Store Connect keeps them, with what a TestFlight or submission flow walks.

Every build belongs to a pre-release version (its ``CFBundleShortVersionString``, e.g.
``2.4.0``: ``builds?filter[preReleaseVersion.version]=2.4.0`` finds it) and has a
``buildBetaDetail`` (TestFlight states). Apple computes the rest:

- ``expirationDate`` is ``uploadedDate`` + 90 days [A] (TestFlight Help: "Builds remain
  available for testing for 90 days after upload"); ``expired`` turns true then, on
  the sandbox clock, or at once when a client ``PATCH``es ``expired: true`` (which moves
  ``expirationDate`` to now [U]).
- ``processingState``: a build seeded ``PROCESSING`` stays so unless the setting
  ``build_processing_seconds`` is given; then it becomes ``VALID`` that many seconds
  (sandbox clock) after it is first read, as an uploaded build does after Apple's
  processing.
- ``buildBetaDetail`` states follow the build: ``PROCESSING`` while it processes,
  ``READY_FOR_BETA_TESTING`` (internal) / ``READY_FOR_BETA_SUBMISSION`` (external) when
  valid, ``EXPIRED`` once expired, ``WAITING_FOR_BETA_REVIEW`` (external) after a beta
  app review submission [U: the exact state sequence is Apple's TestFlight UI's].

Each app also has one ``betaAppReviewDetail`` and one ``betaLicenseAgreement`` whose ids
are the app's id, as on Apple's side [U: observed in clients that PATCH
``betaAppReviewDetails/{appId}``].
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ascsync.sandbox import api_errors
from ascsync.sandbox.hooks import Hooks, RequestContext
from ascsync.sandbox.store import Ref, Resource, Store

TESTFLIGHT_DAYS = 90
PROCESSING_SETTING = "build_processing_seconds"
_PROCESSING_SINCE = "_processingSince"
"""Internal attribute (not in the spec, never rendered): when processing was first seen."""

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.000+00:00"


def parse_date(text: str) -> datetime | None:
    """An ISO 8601 date-time as Apple writes it (``Z`` or an offset), or None."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DATE_FORMAT)


def expiration_of(uploaded: str) -> str | None:
    """``uploadedDate`` + 90 days, in Apple's format (None for an unreadable date)."""
    moment = parse_date(uploaded)
    return format_date(moment + timedelta(days=TESTFLIGHT_DAYS)) if moment else None


def beta_states(build: Resource, submitted: bool = False) -> dict[str, str]:
    """``internalBuildState`` / ``externalBuildState`` for a build's state."""
    state = build.attributes.get("processingState")
    if build.attributes.get("expired"):
        return {"internalBuildState": "EXPIRED", "externalBuildState": "EXPIRED"}
    if state == "PROCESSING":
        return {"internalBuildState": "PROCESSING", "externalBuildState": "PROCESSING"}
    if state in ("FAILED", "INVALID"):
        return {
            "internalBuildState": "PROCESSING_EXCEPTION",
            "externalBuildState": "PROCESSING_EXCEPTION",
        }
    external = "WAITING_FOR_BETA_REVIEW" if submitted else "READY_FOR_BETA_SUBMISSION"
    return {"internalBuildState": "READY_FOR_BETA_TESTING", "externalBuildState": external}


def add_app_beta_resources(
    store: Store, app: Resource, review: dict[str, Any] | None = None
) -> None:
    """The per-app TestFlight resources Apple creates with every app (ids = the app's id)."""
    detail = {
        "contactFirstName": None,
        "contactLastName": None,
        "contactPhone": None,
        "contactEmail": None,
        "demoAccountName": None,
        "demoAccountPassword": None,
        "demoAccountRequired": False,
        "notes": None,
        **(review or {}),
    }
    store.create("betaAppReviewDetails", detail, {"app": app.ref}, id_=app.id)
    store.create("betaLicenseAgreements", {"agreementText": None}, {"app": app.ref}, id_=app.id)


def pre_release_version(store: Store, app: Resource, version: str, platform: str) -> Resource:
    """The app's pre-release version ``version`` on ``platform`` (created on first use)."""
    for existing in store.related(app, "preReleaseVersions"):
        attributes = existing.attributes
        if attributes.get("version") == version and attributes.get("platform") == platform:
            return existing
    return store.create(
        "preReleaseVersions", {"version": version, "platform": platform}, {"app": app.ref}
    )


def _now(ctx: RequestContext) -> datetime:
    seconds = ctx.now() if ctx.now is not None else datetime.now(UTC).timestamp()
    return datetime.fromtimestamp(seconds, UTC)


class BuildRules(Hooks):
    """Computed build attributes, TestFlight states and beta app review submissions."""

    def on_read(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type == "builds":
            self._advance(ctx, resource)
        elif resource.type == "buildBetaDetails":
            build = _one(ctx.store, resource, "build")
            if build is not None:
                self._advance(ctx, build)

    def _advance(self, ctx: RequestContext, build: Resource) -> None:
        """Processing finishes and builds expire as the sandbox clock moves."""
        attributes = build.attributes
        now = _now(ctx)
        seconds = ctx.settings.get(PROCESSING_SETTING)
        if attributes.get("processingState") == "PROCESSING" and seconds is not None:
            since = attributes.setdefault(_PROCESSING_SINCE, now.timestamp())
            if now.timestamp() - float(since) >= float(seconds):
                attributes["processingState"] = "VALID"
                attributes.pop(_PROCESSING_SINCE, None)
        expires = parse_date(attributes.get("expirationDate") or "")
        if expires is not None:
            attributes["expired"] = now >= expires
        detail = _one(ctx.store, build, "buildBetaDetail")
        if detail is not None:
            submitted = bool(ctx.store.related(build, "betaAppReviewSubmission"))
            detail.attributes.update(beta_states(build, submitted))

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None],
    ) -> None:
        if resource.type != "builds":
            return
        if attributes.get("expired") is True:
            attributes["expirationDate"] = format_date(_now(ctx))  # [U] expiring now
        elif attributes.get("expired") is False and resource.attributes.get("expired"):
            raise api_errors.attribute_invalid(
                "/data/attributes/expired", "An expired build cannot be made testable again."
            )  # [U] wording

    def before_create(
        self,
        ctx: RequestContext,
        type_: str,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None],
    ) -> None:
        if type_ != "betaAppReviewSubmissions":
            return
        ref = relationships.get("build")
        build = ctx.store.get(*ref) if isinstance(ref, tuple) else None
        if build is None:
            return
        self._advance(ctx, build)
        if build.attributes.get("processingState") != "VALID" or build.attributes.get("expired"):
            raise api_errors.relationship_invalid(
                "/data/relationships/build",
                "The build is not valid for beta app review (still processing, invalid or "
                "expired).",
            )  # [U] wording
        if ctx.store.related(build, "betaAppReviewSubmission"):
            raise api_errors.state_error(
                "This build was already submitted for beta app review.",
                "/data/relationships/build",
            )  # [U] wording
        attributes["betaReviewState"] = "WAITING_FOR_REVIEW"
        attributes["submittedDate"] = format_date(_now(ctx))

    def after_create(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type == "betaAppReviewSubmissions":
            build = _one(ctx.store, resource, "build")
            if build is not None:
                self._advance(ctx, build)


def _one(store: Store, resource: Resource, name: str) -> Resource | None:
    found = store.related(resource, name)
    return found[0] if found else None
