"""Apple's error codes and wording, in one place, as :class:`SandboxError` factories.

The codes, titles and detail sentences follow what the live App Store Connect API answers
(as quoted in public bug reports of fastlane, asc-go and others), so a client that pattern
matches on them behaves the same against the sandbox as against Apple.
"""

from __future__ import annotations

from ascsync.sandbox.hooks import SandboxError

# -- 4xx on the request line ---------------------------------------------------------------


def path_not_found(path: str) -> SandboxError:
    return SandboxError(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        f"The path provided does not match a defined resource type. ({path})",
    )


NOT_MODELLED_STATUS = 501
"""Status for what Apple's API has and the sandbox does not model.

501 Not Implemented says "this server does not do that", which no client reads as "no
such resource" (404) or "try again" (500/503 are retried; 501 is not, by ascsync nor by
the common clients), so a flow that meets it stops with this explanation.
"""
NOT_MODELLED_CODE = "NOT_MODELLED_BY_SANDBOX"


def not_modelled(what: str, parameter: str | None = None) -> SandboxError:
    """501: a path, method, filter or include that is in Apple's API but not in the sandbox."""
    return SandboxError(
        NOT_MODELLED_STATUS,
        NOT_MODELLED_CODE,
        "Not modelled by the sandbox",
        f"{what} exists in Apple's App Store Connect API but is not modelled by the ascsync "
        "sandbox, so it can neither be served nor honestly answered as empty. "
        "See docs/sandbox.md for what the sandbox models.",
        parameter=parameter,
    )


def resource_not_found(type_: str, id_: str) -> SandboxError:
    return SandboxError(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        f"There is no resource of type '{type_}' with id '{id_}'",
    )


def method_not_allowed(method: str, allowed: list[str]) -> SandboxError:
    return SandboxError(
        405,
        "METHOD_NOT_ALLOWED",
        "The request method is not valid for the resource path.",
        "The request method used for this request is not valid for the resource path. "
        f"Please consult the documentation. (allowed: {', '.join(sorted(allowed))})",
        headers={"Allow": ", ".join(sorted(allowed))},
    )


def not_authorized(reason: str) -> SandboxError:
    # ``reason`` is for humans reading the sandbox's answer; it never contains the token.
    return SandboxError(
        401,
        "NOT_AUTHORIZED",
        "Authentication credentials are missing or invalid.",
        "Provide a properly configured and signed bearer token, and make sure that it has not "
        f"expired. ({reason})",
    )


def rate_limited(retry_after: int) -> SandboxError:
    return SandboxError(
        429,
        "RATE_LIMIT_EXCEEDED",
        "The request rate limit has been reached.",
        "We've received too many requests for this API. "
        "Please wait and try again or slow down your request rate.",
        headers={"Retry-After": str(retry_after)},
    )


def server_error(status: int) -> SandboxError:
    if status == 503:
        return SandboxError(
            503,
            "SERVICE_UNAVAILABLE",
            "The service is currently unavailable.",
            "The service is temporarily unavailable. Please try again later.",
        )
    return SandboxError(
        500,
        "UNEXPECTED_ERROR",
        "An unexpected error occurred.",
        "An unexpected error occurred on the server side. If this issue continues, "
        "contact us at https://developer.apple.com/contact/.",
    )


# -- query parameters (400) ------------------------------------------------------------------


def parameter_illegal(name: str) -> SandboxError:
    return SandboxError(
        400,
        "PARAMETER_ERROR.ILLEGAL",
        "A parameter is not allowed for this request",
        f"The parameter '{name}' can not be used with this request",
        parameter=name,
    )


def parameter_invalid(name: str, detail: str) -> SandboxError:
    return SandboxError(
        400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value", detail, parameter=name
    )


def parameter_required(name: str) -> SandboxError:
    return SandboxError(
        400,
        "PARAMETER_ERROR.REQUIRED",
        "A required parameter is missing",
        f"The parameter '{name}' is required for this request",
        parameter=name,
    )


# -- request bodies (400 / 409) ----------------------------------------------------------------


def body_unparsable(detail: str) -> SandboxError:
    return SandboxError(
        400, "ENTITY_UNPARSABLE", "The request entity is not parsable", detail, pointer=""
    )


def entity_invalid(pointer: str, detail: str) -> SandboxError:
    return SandboxError(
        409, "ENTITY_ERROR", "The provided entity is invalid", detail, pointer=pointer
    )


def attribute_unknown(type_: str, name: str) -> SandboxError:
    return SandboxError(
        409,
        "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
        "The provided entity includes an unknown attribute",
        f"'{name}' is not an attribute on the resource '{type_}'",
        pointer=f"/data/attributes/{name}",
    )


def attribute_type(pointer: str, name: str, expected: str) -> SandboxError:
    return SandboxError(
        409,
        "ENTITY_ERROR.ATTRIBUTE.TYPE",
        "An attribute in the provided entity has the wrong type",
        f"'{name}' must be of type {expected}",
        pointer=pointer,
    )


def attribute_invalid(pointer: str, detail: str) -> SandboxError:
    return SandboxError(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "An attribute value is invalid.",
        detail,
        pointer=pointer,
    )


def attribute_required(name: str) -> SandboxError:
    return SandboxError(
        409,
        "ENTITY_ERROR.ATTRIBUTE.REQUIRED",
        "The provided entity is missing a required attribute",
        f"You must provide a value for the attribute '{name}' with this request",
        pointer=f"/data/attributes/{name}",
    )


def relationship_unknown(type_: str, name: str) -> SandboxError:
    return SandboxError(
        409,
        "ENTITY_ERROR.RELATIONSHIP.UNKNOWN",
        "The provided entity includes an unknown relationship",
        f"'{name}' is not a relationship on the resource '{type_}'",
        pointer=f"/data/relationships/{name}",
    )


def relationship_required(name: str) -> SandboxError:
    return SandboxError(
        409,
        "ENTITY_ERROR.RELATIONSHIP.REQUIRED",
        "The provided entity is missing a required relationship",
        f"You must provide a value for the relationship '{name}' with this request",
        pointer=f"/data/relationships/{name}",
    )


def relationship_invalid(pointer: str, detail: str) -> SandboxError:
    return SandboxError(
        409,
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "The provided entity includes a relationship with an invalid value",
        detail,
        pointer=pointer,
    )


def included_invalid(pointer: str, detail: str) -> SandboxError:
    return SandboxError(
        409,
        "ENTITY_ERROR.INCLUDED.INVALID",
        "The provided included entity is invalid",
        detail,
        pointer=pointer,
    )


def state_error(detail: str, pointer: str | None = None) -> SandboxError:
    """409 STATE_ERROR: wording from fastlane#16626 ("Attribute 'x' cannot be edited...")."""
    return SandboxError(
        409,
        "STATE_ERROR",
        "The request cannot be fulfilled because of the state of another resource.",
        detail,
        pointer=pointer,
    )


def attribute_not_acceptable(name: str, detail: str) -> SandboxError:
    """409 for a value the resource's state refuses (fastlane#17307 shows the title)."""
    return SandboxError(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "An attribute value is not acceptable for the current resource state.",
        detail,
        pointer=f"/data/attributes/{name}",
    )


def already_used(name: str, what: str) -> SandboxError:
    """409 for a taken name or id: Apple's "... you entered has already been used." wording."""
    return SandboxError(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
        "The provided entity includes an attribute with a value that has already been used",
        f"The {what} you entered has already been used.",
        pointer=f"/data/attributes/{name}",
    )
