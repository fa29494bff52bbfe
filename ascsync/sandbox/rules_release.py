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
from ascsync.sandbox.store import Ref, Resource

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


def default_hooks() -> list[Hooks]:
    """This module's rules, in the order the engine should call them."""
    return [BetaReviewRules()]


__all__ = ["BetaReviewRules", "default_hooks", "required_when_demo_account"]
