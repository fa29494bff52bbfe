"""Apple's rules around a release: TestFlight review details, builds, declarations.

The generic engine has checked each request against the OpenAPI surface already; these
hooks deal with state. Sources are tagged as in :mod:`ascsync.sandbox.rules`
([A] Apple docs, [S] the spec, [I] a public issue, [U] not verified: a plausible
reconstruction, kept consistent).
"""

from __future__ import annotations

from typing import Any

from ascsync.sandbox import api_errors
from ascsync.sandbox.hooks import Hooks, RequestContext, SandboxError, raise_all
from ascsync.sandbox.seed_release import related
from ascsync.sandbox.store import Ref, Resource, Store

Rels = dict[str, Ref | list[Ref] | None]

DEMO_ACCOUNT = ("demoAccountName", "demoAccountPassword")


def required_when_demo_account(
    merged: dict[str, Any], names: tuple[str, ...] = DEMO_ACCOUNT
) -> list[SandboxError]:
    """[A] TestFlight "Provide test information": a sign-in the reviewer needs must come
    with a user name and a password ([U] that the API refuses it rather than the
    submission)."""
    if merged.get("demoAccountRequired") is not True:
        return []
    return [
        api_errors.attribute_invalid(
            f"/data/attributes/{name}",
            f"'{name}' is required when 'demoAccountRequired' is true.",  # [U] wording
        )
        for name in names
        if not merged.get(name)
    ]


class BetaReviewRules(Hooks):
    """betaAppReviewDetails: one per app, created with it; a required sign-in is complete."""

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: Rels,
    ) -> None:
        if resource.type != "betaAppReviewDetails":
            return
        raise_all(required_when_demo_account({**resource.attributes, **attributes}))


def _first(store: Store, resource: Resource, name: str) -> Resource | None:
    found = related(store, resource, name)
    return found[0] if found else None


def unusable_build(build: Resource) -> str | None:
    """Why a build cannot go to testers or App Review, or None.

    [A] TestFlight: builds are testable for 90 days, once processed; [U] that the API
    refuses linking a build that is not (the web UI does not offer it)."""
    attributes = build.attributes
    if attributes.get("processingState") != "VALID":
        return f"The build is {attributes.get('processingState')} and cannot be used."
    if attributes.get("expired"):
        return "The build has expired and cannot be used."
    return None


class BuildLinkRules(Hooks):
    """Which builds may go to a group, and which one a version may ship."""

    def before_linkage_update(
        self, ctx: RequestContext, resource: Resource, relationship: str, method: str, refs: Any
    ) -> None:
        store = ctx.store
        targets = refs if isinstance(refs, list) else ([refs] if refs else [])
        others = [store.get(*ref) for ref in targets]
        pairs: list[tuple[Resource, Resource]] = []
        if resource.type == "builds" and relationship == "betaGroups":
            pairs = [(resource, group) for group in others if group is not None]
        elif resource.type == "betaGroups" and relationship == "builds":
            pairs = [(build, resource) for build in others if build is not None]
        elif resource.type == "appStoreVersions" and relationship == "build" and others:
            if others[0] is not None:
                self._release(store, resource, others[0])
            return
        if method != "POST":
            return  # taking a build out of a group is always possible
        problems = []
        for index, (build, group) in enumerate(pairs):
            pointer = f"/data/{index}/id"
            if build.relationships.get("app") != group.relationships.get("app"):
                why = "The build and the group belong to different apps."  # [U] wording
            else:
                why = unusable_build(build) or ""
            if why:
                problems.append(api_errors.relationship_invalid(pointer, why))
        raise_all(problems)

    @staticmethod
    def _release(store: Store, version: Resource, build: Resource) -> None:
        """[U] A version ships a build of its own version string, for the App Store."""
        why = unusable_build(build)
        if why is None and build.attributes.get("buildAudienceType") == "INTERNAL_ONLY":
            why = "The build is for internal testing only."
        pre = _first(store, build, "preReleaseVersion")
        short = pre.attributes.get("version") if pre else None
        wanted = version.attributes.get("versionString")
        if why is None and short != wanted:
            why = f"The build belongs to version {short}, not {wanted}."
        if why:
            raise api_errors.relationship_invalid("/data/id", why)


class AccessibilityRules(Hooks):
    """accessibilityDeclarations: drafts are edited, then published; a new publication
    replaces the previous one of its device family [S: states DRAFT, PUBLISHED, REPLACED;
    U: that Apple enforces one draft per family and refuses edits of published ones]."""

    def before_create(
        self, ctx: RequestContext, type_: str, attributes: dict[str, Any], relationships: Rels
    ) -> None:
        if type_ != "accessibilityDeclarations":
            return
        app = relationships.get("app")
        for other in self._family(ctx.store, app, attributes.get("deviceFamily")):
            if other.attributes.get("state") == "DRAFT":
                raise api_errors.state_error(
                    "There is already a draft declaration for this device family.",
                    "/data/attributes/deviceFamily",
                )  # [U] wording
        attributes["state"] = "DRAFT"

    def before_update(
        self, ctx: RequestContext, resource: Resource, attributes: dict[str, Any], rels: Rels
    ) -> None:
        if resource.type != "accessibilityDeclarations":
            return
        if resource.attributes.get("state") != "DRAFT":
            raise api_errors.state_error(
                f"A {resource.attributes.get('state')} declaration cannot be edited; "
                "create a draft."  # [U] wording
            )
        if attributes.pop("publish", None):
            app = resource.relationships.get("app")
            family = resource.attributes.get("deviceFamily")
            for other in self._family(ctx.store, app, family):
                if other.attributes.get("state") == "PUBLISHED":
                    other.attributes["state"] = "REPLACED"
            attributes["state"] = "PUBLISHED"

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        if resource.type == "accessibilityDeclarations" and (
            resource.attributes.get("state") != "DRAFT"
        ):
            raise api_errors.state_error("Only a draft declaration can be deleted.")  # [U]

    @staticmethod
    def _family(store: Store, app: Any, family: Any) -> list[Resource]:
        return [
            d
            for d in store.list("accessibilityDeclarations")
            if d.relationships.get("app") == app and d.attributes.get("deviceFamily") == family
        ]


def default_hooks() -> list[Hooks]:
    """This module's rules, in the order the engine should call them."""
    return [BetaReviewRules(), BuildLinkRules(), AccessibilityRules()]


__all__ = [
    "AccessibilityRules",
    "BetaReviewRules",
    "BuildLinkRules",
    "default_hooks",
    "required_when_demo_account",
    "unusable_build",
]
