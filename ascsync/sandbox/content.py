"""Apple's content rules on writes: how long each text may be.

Apple's OpenAPI description has no ``maxLength`` anywhere, yet App Store Connect refuses
a 101-character keywords string or a 31-character subtitle with 409. These are the
sandbox's own copy of those limits: it is an independent oracle for clients (ascsync
included), so it deliberately does not import ascsync's client-side rules.

Sources (tags as in ``rules.py``; the project's reference is apple-rules.md §1):

- [A]  App Store Connect Help, "App information" and "Platform version information":
  name 2-30, subtitle 30, promotional text 170, description 4000, keywords 100.
- [I]  Keywords count characters, not bytes: the API accepted 91 Arabic characters
  (168 UTF-8 bytes) (App-Store-Connect-CLI #1399).
- [A]  "In-App Purchase information": reference name 64, product ID 100.
- [F]  fastlane pilot cuts TestFlight "What to Test" at 4000 *bytes*.
- [U]  whatsNew, review notes and beta description 4000 (secondary sources only); IAP and
  subscription display name 35 and description 55 (sources disagree: the looser value
  is enforced, so the sandbox never refuses what Apple accepts).

Every text of a request that breaks a limit is reported, together, as
``409 ENTITY_ERROR.ATTRIBUTE.INVALID.TOO_LONG`` (or ``.TOO_SHORT``) "An attribute value
is too long." (title from Apple's answer quoted in wikipedia-ios#4726: "Keywords for
Spanish (Spain) cannot be longer than 100 characters"; the codes are [U]).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ascsync.sandbox.hooks import Hooks, RequestContext, SandboxError, raise_all
from ascsync.sandbox.store import Ref, Resource


@dataclass(frozen=True)
class Limit:
    """How long one attribute may be."""

    label: str
    maximum: int
    minimum: int = 0
    unit: str = "characters"  # or "bytes" (UTF-8)

    def size(self, text: str) -> int:
        return len(text.encode("utf-8")) if self.unit == "bytes" else len(text)


_APP_TEXT = {
    "description": Limit("Description", 4000),
    "keywords": Limit("Keywords", 100),
    "promotionalText": Limit("Promotional text", 170),
    "whatsNew": Limit("What's New", 4000),  # [U]
}
_PRODUCT = {
    "name": Limit("Reference name", 64),
    "productId": Limit("Product ID", 100),
}
_PRODUCT_LOCALIZATION = {
    "name": Limit("Display name", 35),  # [U] 30 or 35
    "description": Limit("Description", 55),  # [U] 45 or 55
}

LIMITS: dict[str, dict[str, Limit]] = {
    "appInfoLocalizations": {
        "name": Limit("Name", 30, minimum=2),
        "subtitle": Limit("Subtitle", 30),
    },
    "appStoreVersionLocalizations": _APP_TEXT,
    "appStoreReviewDetails": {"notes": Limit("Review notes", 4000)},  # [U]
    "betaAppLocalizations": {"description": Limit("Beta app description", 4000)},  # [U]
    "betaBuildLocalizations": {"whatsNew": Limit("What to Test", 4000, unit="bytes")},
    "inAppPurchases": _PRODUCT,
    "subscriptions": _PRODUCT,
    "inAppPurchaseLocalizations": _PRODUCT_LOCALIZATION,
    "subscriptionLocalizations": _PRODUCT_LOCALIZATION,
    "appCustomProductPageLocalizations": {"promotionalText": Limit("Promotional text", 170)},
    "appEventLocalizations": {  # [R] commands/app-events.mdx
        "name": Limit("Event name", 30),
        "shortDescription": Limit("Short description", 50),
        "longDescription": Limit("Long description", 120),
    },
}


def _locale_of(resource: Resource | None, attributes: dict[str, Any]) -> str | None:
    locale = attributes.get("locale")
    if locale is None and resource is not None:
        locale = resource.attributes.get("locale")
    return str(locale) if locale else None


def length_errors(
    type_: str, attributes: dict[str, Any], resource: Resource | None = None
) -> list[SandboxError]:
    """One 409 per text of ``attributes`` that breaks Apple's limit for ``type_``."""
    errors = []
    locale = _locale_of(resource, attributes)
    where = f" for {locale}" if locale else ""
    for name, limit in LIMITS.get(type_, {}).items():
        value = attributes.get(name)
        if not isinstance(value, str):
            continue
        size = limit.size(value)
        if size > limit.maximum:
            errors.append(
                _length_error(
                    "TOO_LONG",
                    "An attribute value is too long.",
                    name,
                    f"{limit.label}{where} cannot be longer than {limit.maximum} {limit.unit} "
                    f"({size} given).",
                )
            )
        elif size < limit.minimum:
            errors.append(
                _length_error(
                    "TOO_SHORT",
                    "An attribute value is too short.",
                    name,
                    f"{limit.label}{where} must be at least {limit.minimum} {limit.unit} "
                    f"({size} given).",
                )
            )
    return errors


def _length_error(kind: str, title: str, name: str, detail: str) -> SandboxError:
    return SandboxError(
        409,
        f"ENTITY_ERROR.ATTRIBUTE.INVALID.{kind}",
        title,
        detail,
        pointer=f"/data/attributes/{name}",
    )


class ContentRules(Hooks):
    """Refuse texts longer (or shorter) than Apple allows, every one of a request at once."""

    def before_create(
        self,
        ctx: RequestContext,
        type_: str,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None],
    ) -> None:
        raise_all(length_errors(type_, attributes))

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None],
    ) -> None:
        raise_all(length_errors(resource.type, attributes, resource))
