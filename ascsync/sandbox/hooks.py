"""The contract between the sandbox's generic JSON:API engine and Apple's domain rules.

The engine (``engine.py``) knows JSON:API: routing, query parameters, bodies, paging,
``include``, linkages, and validation against the surface derived from Apple's OpenAPI
description. It knows nothing about what makes App Store Connect special. Everything
Apple-specific (editable version states, ``whatsNew`` on a first version, screenshot
limits, upload operations, asset delivery states, unique names) is a :class:`Hooks`
implementation that the engine calls at fixed points. A hook rejects a request by
raising :class:`SandboxError`, which the engine turns into an ``ErrorResponse``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ascsync.sandbox.store import Ref, Resource, Store


class SandboxError(Exception):
    """An API error, rendered by the engine as Apple's ``ErrorResponse`` JSON.

    ``status`` is the HTTP status; the JSON body carries it as a string, like Apple.
    Give ``pointer`` (e.g. ``/data/attributes/whatsNew``) for body problems and
    ``parameter`` (e.g. ``limit``) for query problems.
    """

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        pointer: str | None = None,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.pointer = pointer
        self.parameter = parameter
        self.headers = headers or {}

    def to_errors(self) -> list[dict[str, Any]]:
        """The entries of ``ErrorResponse.errors`` (one; :class:`SandboxErrors` has more)."""
        return [self.to_error()]

    def to_error(self) -> dict[str, Any]:
        """One entry of ``ErrorResponse.errors``."""
        error: dict[str, Any] = {
            "id": None,
            "status": str(self.status),
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
        }
        if self.pointer is not None:
            error["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            error["source"] = {"parameter": self.parameter}
        return error


class SandboxErrors(SandboxError):
    """Several problems of one request, answered together in one ``ErrorResponse``.

    Apple reports every validation error of a request at once (a missing attribute *and*
    a missing relationship), so a client fixes them in one round. The HTTP status is the
    first error's; all errors of one check share a status (409 for bodies, 400 for
    parameters).
    """

    def __init__(self, errors: list[SandboxError]) -> None:
        first = errors[0]
        super().__init__(
            first.status,
            first.code,
            first.title,
            first.detail,
            pointer=first.pointer,
            parameter=first.parameter,
            headers=first.headers,
        )
        self.errors = list(errors)

    def to_errors(self) -> list[dict[str, Any]]:
        return [error.to_error() for error in self.errors]


def raise_all(errors: list[SandboxError]) -> None:
    """Raise the collected errors: none -> nothing, one -> itself, several -> together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise SandboxErrors(errors)


@dataclass
class RequestContext:
    """What a hook may look at: the request, the store and the sandbox's settings."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    store: Store
    settings: dict[str, Any] = field(default_factory=dict)
    base_url: str = ""
    now: Callable[[], float] | None = None


@dataclass
class RawResponse:
    """A non-JSON:API response from an extra route (e.g. an upload PUT)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Route:
    """An extra route outside the JSON:API surface, such as the upload part URLs.

    ``pattern`` is a regular expression matched against the whole path; named groups
    are passed to ``handler`` as keyword arguments together with ``ctx`` and ``data``
    (the raw request bytes).
    """

    method: str
    pattern: str
    handler: Callable[..., RawResponse]
    upload: bool | None = None
    """Whether ``drop_upload`` faults apply (None: yes for PUT/POST/PATCH, no for GET)."""
    authenticated: bool = False
    """An API route that answers other than JSON (the CSV of one-time-use codes): it needs
    the bearer token like any API request. Upload and asset URLs do not (Apple's upload
    hosts take the operation's own headers)."""


class Hooks:
    """No-op base: subclass and override what a rule needs. Every method may raise SandboxError.

    ``attributes`` and ``relationships`` are the request body's values, already checked
    against the OpenAPI surface; a hook may add to ``attributes`` (e.g. computed,
    read-only values) before the engine stores them.
    """

    def before_create(
        self,
        ctx: RequestContext,
        type_: str,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None],
    ) -> None:
        """Called before a POST creates a resource of ``type_``."""

    def after_create(self, ctx: RequestContext, resource: Resource) -> None:
        """Called after the resource is stored, before the 201 response is rendered."""

    def before_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        attributes: dict[str, Any],
        relationships: dict[str, Ref | list[Ref] | None],
    ) -> None:
        """Called before a PATCH changes ``resource``."""

    def after_update(self, ctx: RequestContext, resource: Resource) -> None:
        """Called after a PATCH was stored."""

    def before_delete(self, ctx: RequestContext, resource: Resource) -> None:
        """Called before a DELETE removes ``resource``."""

    def before_linkage_update(
        self,
        ctx: RequestContext,
        resource: Resource,
        relationship: str,
        method: str,
        refs: Ref | list[Ref] | None,
    ) -> None:
        """Called before POST/PATCH/DELETE on ``/{type}/{id}/relationships/{relationship}``."""

    def on_read(self, ctx: RequestContext, resource: Resource) -> None:
        """Called before a resource is rendered; lets time-based state move on lazily."""

    def routes(self) -> list[Route]:
        """Extra non-JSON:API routes this hook serves."""
        return []
