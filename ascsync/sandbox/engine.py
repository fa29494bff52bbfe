"""Generic JSON:API request handling over the Store: a pure function from request to response.

The engine knows nothing of sockets, tokens or faults (that is ``server.py``) and nothing
of Apple's business rules (those are :class:`~ascsync.sandbox.hooks.Hooks`). It routes a
request through the surface, validates parameters and bodies, reads or writes the store,
calls the hooks at the documented points, and renders documents in the spec's shapes.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ascsync.sandbox import api_errors
from ascsync.sandbox.hooks import (
    Hooks,
    RawResponse,
    RequestContext,
    Route,
    SandboxError,
    raise_all,
)
from ascsync.sandbox.store import Ref, Resource, Store
from ascsync.sandbox.surface import (
    Operation,
    ParsedBody,
    Query,
    Surface,
    inline_relationships,
)

DEFAULT_LIMIT = 50
"""Page size when a request gives no ``limit`` (Apple documents none; clients should send one)."""
DEFAULT_INCLUDED_LIMIT = 50
"""Related items per resource in ``included`` when no ``limit[rel]`` is given."""


@dataclass
class Request:
    """One HTTP request as the engine sees it."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None
    base_url: str = ""
    raw_body: bytes = b""


@dataclass
class Response:
    """A JSON response (``body`` None for 204)."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def error_response(error: SandboxError) -> Response:
    """Apple's ``ErrorResponse``: every error of the request (:class:`SandboxErrors`)."""
    bodies = error.to_errors()
    for body in bodies:
        if body.get("id") is None:
            body["id"] = str(uuid.uuid4())  # Apple gives every error an id to quote to support
    return Response(error.status, {"errors": bodies}, dict(error.headers))


class Engine:
    """Serves the JSON:API surface over a store, with domain hooks."""

    def __init__(
        self,
        store: Store,
        surface: Surface,
        hooks: Iterable[Hooks] = (),
        settings: dict[str, Any] | None = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.store = store
        self.surface = surface
        self.hooks = list(hooks)
        self.settings = settings if settings is not None else {}
        self.now = now
        self._routes: list[tuple[re.Pattern[str], Route]] = [
            (re.compile(route.pattern), route) for hook in self.hooks for route in hook.routes()
        ]

    # -- entry points --------------------------------------------------------------

    def find_route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """An extra (non-JSON:API) route registered by a hook, with its path groups."""
        for pattern, route in self._routes:
            match = pattern.fullmatch(path)
            if match and route.method == method:
                return route, match.groupdict()
        return None

    def handle_route(self, route: Route, groups: dict[str, str], request: Request) -> RawResponse:
        """Run an extra route's handler; a SandboxError becomes an ErrorResponse."""
        ctx = self._context(request)
        try:
            return route.handler(ctx=ctx, data=request.raw_body, **groups)
        except SandboxError as error:
            body = json.dumps({"errors": error.to_errors()}).encode()
            headers = {"Content-Type": "application/json", **error.headers}
            return RawResponse(error.status, body, headers)

    def operation_for(self, method: str, path: str) -> str | None:
        """``"GET /v1/apps/{id}"``: the operation a request maps to (journal grouping), or None."""
        try:
            op, _ = self.surface.match(method, path)
        except SandboxError:
            return None
        return f"{op.method} {op.path}"

    def handle(self, request: Request) -> Response:
        """Serve one JSON:API request; every SandboxError becomes an ErrorResponse."""
        try:
            op, params = self.surface.match(request.method, request.path)
            return self._dispatch(op, params.get("id"), request)
        except SandboxError as error:
            return error_response(error)

    # -- dispatch ------------------------------------------------------------------

    def _dispatch(self, op: Operation, id_: str | None, request: Request) -> Response:
        query = self.surface.parse_query(op, request.query)
        ctx = self._context(request)
        with self.store.lock:
            if op.method == "GET":
                return self._get(op, id_, query, ctx, request)
            if op.shape == "linkage":
                return self._write_linkage(op, id_ or "", request, ctx)
            if op.method == "POST":
                return self._create(op, request, ctx)
            if op.method == "PATCH":
                return self._update(op, id_ or "", request, ctx)
            if op.method == "DELETE":
                return self._delete(op, id_ or "", ctx)
        raise api_errors.method_not_allowed(op.method, [])

    def _context(self, request: Request) -> RequestContext:
        return RequestContext(
            method=request.method,
            path=request.path,
            query=request.query,
            body=request.body,
            store=self.store,
            settings=self.settings,
            base_url=request.base_url,
            now=self.now,
        )

    # -- reads ---------------------------------------------------------------------

    def _get(
        self, op: Operation, id_: str | None, query: Query, ctx: RequestContext, request: Request
    ) -> Response:
        renderer = Renderer(self, query, request.base_url, ctx)
        if op.shape == "collection":
            candidates = self.store.list(op.type)
            return self._page(op, candidates, query, request, renderer)
        owner = self._existing(op.type, id_ or "", ctx)
        if op.shape == "instance":
            document = {"data": renderer.resource(owner), "links": {"self": renderer.url(request)}}
            renderer.add_included(document, [owner])
            return Response(200, document)
        related = self.store.related(owner, op.relationship or "")
        if op.to_many:
            return self._page(op, related, query, request, renderer)
        target = related[0] if related else None
        if target is not None:
            self._read(ctx, target)
        links = {"self": renderer.url(request)}
        if op.shape == "linkage":
            data = {"type": target.type, "id": target.id} if target else None
            return Response(200, {"data": data, "links": links})
        single: dict[str, Any] = {
            "data": renderer.resource(target) if target else None,
            "links": links,
        }
        if target is not None:
            renderer.add_included(single, [target])
        return Response(200, single)

    def _page(
        self,
        op: Operation,
        candidates: list[Resource],
        query: Query,
        request: Request,
        renderer: Renderer,
    ) -> Response:
        for resource in candidates:
            self._read(renderer.ctx, resource)
        selected = sort_resources(filter_resources(self.store, candidates, query), query.sort)
        limit = query.limit or DEFAULT_LIMIT
        offset = decode_cursor(query.cursor)
        page = selected[offset : offset + limit]
        links = {"self": renderer.url(request)}
        if offset + limit < len(selected):
            links["next"] = renderer.next_url(request, encode_cursor(offset + limit), limit)
        paging = {"total": len(selected), "limit": limit}
        if op.shape == "linkage":
            data = [{"type": r.type, "id": r.id} for r in page]
            return Response(200, {"data": data, "links": links, "meta": {"paging": paging}})
        document = {
            "data": [renderer.resource(r) for r in page],
            "links": links,
            "meta": {"paging": paging},
        }
        renderer.add_included(document, page)
        return Response(200, document)

    def _existing(self, type_: str, id_: str, ctx: RequestContext) -> Resource:
        resource = self.store.get(type_, id_)
        if resource is None:
            raise api_errors.resource_not_found(type_, id_)
        self._read(ctx, resource)
        return resource

    def _read(self, ctx: RequestContext, resource: Resource) -> None:
        for hook in self.hooks:
            hook.on_read(ctx, resource)

    # -- writes --------------------------------------------------------------------

    def _create(self, op: Operation, request: Request, ctx: RequestContext) -> Response:
        parsed = self.surface.parse_body(op, request.body, None)
        local_ids = self._create_included(parsed, ctx)
        try:
            relationships = self._resolve(parsed.relationships, local_ids)
            attributes = dict(parsed.attributes)
            for hook in self.hooks:
                hook.before_create(ctx, parsed.type, attributes, relationships)
        except SandboxError:
            self._remove_inline(local_ids)
            raise
        resource = self.store.create(parsed.type, attributes, relationships)
        for hook in self.hooks:
            hook.after_create(ctx, resource)
        renderer = Renderer(self, Query(), request.base_url, ctx)
        document = {"data": renderer.resource(resource), "links": {"self": renderer.self(resource)}}
        return Response(op.status, document)

    def _create_included(self, parsed: ParsedBody, ctx: RequestContext) -> dict[Ref, Ref]:
        """Inline creates (``included`` with local ids such as ``${price1}``) -> stored refs."""
        local_ids: dict[Ref, Ref] = {}
        try:
            for index, item in enumerate(parsed.included):
                local = (item["type"], item["id"])
                local_ids[local] = self._create_inline(item, index, local_ids, ctx)
        except SandboxError:
            self._remove_inline(local_ids)
            raise
        return local_ids

    def _create_inline(
        self, item: dict[str, Any], index: int, local_ids: dict[Ref, Ref], ctx: RequestContext
    ) -> Ref:
        type_ = item["type"]
        if type_ == "territories":  # inline territories name existing, seeded ones
            return self._target((type_, item["id"]), f"/included/{index}/id")
        attributes = dict(item.get("attributes") or {})
        relationships = inline_relationships(item, f"/included/{index}")
        for hook in self.hooks:
            hook.before_create(ctx, type_, attributes, relationships)
        resolved = self._resolve(relationships, local_ids, f"/included/{index}/relationships")
        resource = self.store.create(type_, attributes, resolved)
        for hook in self.hooks:
            hook.after_create(ctx, resource)
        return resource.ref

    def _remove_inline(self, local_ids: dict[Ref, Ref]) -> None:
        """A refused write leaves none of its inline resources behind."""
        for local, ref in local_ids.items():
            if local != ref:  # inline territories name seeded ones: never delete those
                self.store.delete(*ref)

    def _resolve(
        self,
        relationships: dict[str, Ref | list[Ref] | None],
        local_ids: dict[Ref, Ref],
        base: str = "/data/relationships",
    ) -> dict[str, Ref | list[Ref] | None]:
        """Map local ids to stored refs and check every target exists (409 for each that not).

        ``base`` is where the relationships sit in the body. A body's relationship is
        pointed at by name (``/data/relationships/app``, as Apple does); the items of a
        linkage request (relationship name ``""``, base ``/data``) by place: ``/data/0/id``.
        """
        out: dict[str, Ref | list[Ref] | None] = {}
        problems: list[SandboxError] = []
        for name, value in relationships.items():
            where = f"{base}/{name}" if name else base
            if isinstance(value, list):
                out[name] = [
                    self._target(
                        local_ids.get(r, r), where if name else f"{where}/{i}/id", problems
                    )
                    for i, r in enumerate(value)
                ]
            elif value is not None:
                pointer = where if name else f"{where}/id"
                out[name] = self._target(local_ids.get(value, value), pointer, problems)
            else:
                out[name] = None
        raise_all(problems)
        return out

    def _target(self, ref: Ref, pointer: str, problems: list[SandboxError] | None = None) -> Ref:
        if self.store.get(*ref) is None:
            error = api_errors.relationship_invalid(
                pointer, f"'{ref[1]}' is not a valid ID for this relationship."
            )
            if problems is None:
                raise error
            problems.append(error)
        return ref

    def _update(self, op: Operation, id_: str, request: Request, ctx: RequestContext) -> Response:
        resource = self._existing(op.type, id_, ctx)
        parsed = self.surface.parse_body(op, request.body, id_)
        local_ids = self._create_included(parsed, ctx)  # e.g. new prices with a subscription
        try:
            relationships = self._resolve(parsed.relationships, local_ids)
            attributes = dict(parsed.attributes)
            for hook in self.hooks:
                hook.before_update(ctx, resource, attributes, relationships)
        except SandboxError:
            self._remove_inline(local_ids)
            raise
        self.store.update(resource, attributes, relationships)
        for hook in self.hooks:
            hook.after_update(ctx, resource)
        renderer = Renderer(self, Query(), request.base_url, ctx)
        document = {"data": renderer.resource(resource), "links": {"self": renderer.self(resource)}}
        return Response(op.status, document)

    def _delete(self, op: Operation, id_: str, ctx: RequestContext) -> Response:
        resource = self._existing(op.type, id_, ctx)
        for hook in self.hooks:
            hook.before_delete(ctx, resource)
        self.store.delete(resource.type, resource.id)
        return Response(op.status)

    def _write_linkage(
        self, op: Operation, id_: str, request: Request, ctx: RequestContext
    ) -> Response:
        resource = self._existing(op.type, id_, ctx)
        refs = self.surface.parse_linkage(op, request.body)
        resolved = self._resolve({"": refs}, {}, "/data")[""]
        name = op.relationship or ""
        for hook in self.hooks:
            hook.before_linkage_update(ctx, resource, name, op.method, resolved)
        as_list = resolved if isinstance(resolved, list) else ([resolved] if resolved else [])
        if op.method == "POST":
            self.store.add_to_many(resource, name, as_list)
        elif op.method == "DELETE":
            self.store.remove_from_many(resource, name, as_list)
        else:
            self.store.set_relationship(resource, name, resolved)
        return Response(op.status)


class Renderer:
    """Turns stored resources into JSON:API objects for one request (fields, include, links)."""

    def __init__(self, engine: Engine, query: Query, base_url: str, ctx: RequestContext) -> None:
        self.engine = engine
        self.surface = engine.surface
        self.store = engine.store
        self.query = query
        self.base_url = base_url.rstrip("/")
        self.ctx = ctx

    def self(self, resource: Resource) -> str:
        spec = self.surface.types.get(resource.type)
        version = spec.version if spec else "v1"
        return f"{self.base_url}/{version}/{resource.type}/{resource.id}"

    def url(self, request: Request) -> str:
        suffix = f"?{urlencode(request.query)}" if request.query else ""
        return f"{self.base_url}{request.path}{suffix}"

    def next_url(self, request: Request, cursor: str, limit: int) -> str:
        query = [(k, v) for k, v in request.query if k not in ("cursor", "limit")]
        query += [("cursor", cursor), ("limit", str(limit))]
        return f"{self.base_url}{request.path}?{urlencode(query)}"

    def resource(self, resource: Resource, primary: bool = True) -> dict[str, Any]:
        """One resource object; ``include`` linkage only on primary data (``primary``)."""
        spec = self.surface.types.get(resource.type)
        out: dict[str, Any] = {"type": resource.type, "id": resource.id}
        if spec is None:
            out["links"] = {"self": self.self(resource)}
            return out
        wanted = self.query.fields.get(resource.type)
        attributes = {
            name: resource.attributes.get(name)
            for name in spec.attributes
            if wanted is None or name in wanted
        }
        if attributes:
            out["attributes"] = attributes
        relationships = {}
        for rel in spec.relationships.values():
            if rel.hidden or (wanted is not None and rel.name not in wanted):
                continue
            rendered = self._relationship(resource, rel, primary)
            if rendered:  # a data-only to-one without a value has nothing to show
                relationships[rel.name] = rendered
        if relationships:
            out["relationships"] = relationships
        out["links"] = {"self": self.self(resource)}
        return out

    def _relationship(self, resource: Resource, rel: Any, primary: bool = True) -> dict[str, Any]:
        """A relationship object as Apple renders it.

        ``links`` name only routes the spec declares (and so answer: served, or refused
        with 501); the linkage ``data`` appears only for a relationship named in
        ``include``, with ``meta.paging`` for a to-many one, and only on primary data
        (``include`` paths are one level deep in Apple's API: they never reach into
        included resources). A relationship with neither
        (a data-only parent link that was not included) is left out.
        [U] that Apple omits data-only relationships that were not included: clients
        written against Apple (asconnect's models require ``links``) suggest it does.
        """
        out: dict[str, Any] = {}
        base = self.self(resource)
        links = {}
        if rel.self_link:
            links["self"] = f"{base}/relationships/{rel.name}"
        if rel.related_link:
            links["related"] = f"{base}/{rel.name}"
        if not primary or not rel.data or rel.name not in self.query.include:
            return {"links": links} if links else {}
        value = resource.relationships.get(rel.name)
        if rel.to_many:
            refs = list(value) if isinstance(value, list) else []
            limit = self.query.limits.get(rel.name, DEFAULT_INCLUDED_LIMIT)
            out["data"] = [{"type": t, "id": i} for t, i in refs[:limit]]
            if rel.meta:
                out["meta"] = {"paging": {"total": len(refs), "limit": limit}}
        elif value:
            out["data"] = {"type": value[0], "id": value[1]}
        # [U] An empty included to-one has no ``data``: the spec declares it a non-nullable
        # object, so it is left out rather than sent as JSON:API's null.
        if links:
            out["links"] = links
        return out

    def add_included(self, document: dict[str, Any], primary: list[Resource]) -> None:
        """Add ``included``: the related resources named by ``include``, each once."""
        if not self.query.include:
            return
        seen = {r.ref for r in primary}
        included: list[dict[str, Any]] = []
        for resource in primary:
            spec = self.surface.types.get(resource.type)
            for name in self.query.include:
                rel = spec.relationships.get(name) if spec else None
                if rel is None:
                    continue
                related = self.store.related(resource, name)
                if rel.to_many:
                    related = related[: self.query.limits.get(name, DEFAULT_INCLUDED_LIMIT)]
                for other in related:
                    if other.ref in seen:
                        continue
                    seen.add(other.ref)
                    self.engine._read(self.ctx, other)
                    included.append(self.resource(other, primary=False))
        if included:
            document["included"] = included


# -- filtering, sorting, paging ---------------------------------------------------------------


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _field_values(store: Store, resource: Resource, path: str) -> list[str]:
    """Values of ``id``, an attribute, a relationship's ids, or ``rel.attr`` on related ones."""
    if path == "id":
        return [resource.id]
    head, _, rest = path.partition(".")
    if rest:
        return [
            v for other in store.related(resource, head) for v in _field_values(store, other, rest)
        ]
    if head in resource.relationships:
        value = resource.relationships[head]
        refs = value if isinstance(value, list) else ([value] if value else [])
        return [ref[1] for ref in refs]
    value = resource.attributes.get(head)
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return [_as_text(value)]


def filter_resources(store: Store, resources: list[Resource], query: Query) -> list[Resource]:
    """``filter[x]=a,b`` keeps resources whose ``x`` is ``a`` or ``b``; filters combine with AND."""
    out = resources
    for name, values in query.filters.items():
        wanted = set(values)
        out = [r for r in out if wanted.intersection(_field_values(store, r, name))]
    for name, expected in query.exists.items():
        out = [r for r in out if _exists(r, name) == expected]
    return out


def _exists(resource: Resource, name: str) -> bool:
    """``exists[x]``: a relationship with a target, or an attribute that is not null."""
    if name in resource.relationships:
        return bool(resource.relationships[name])
    return resource.attributes.get(name) is not None


def sort_resources(resources: list[Resource], sort: list[str]) -> list[Resource]:
    """``sort=a,-b``: stable sorts applied from the last key to the first; None sorts last."""
    out = list(resources)
    for key in reversed(sort):
        name = key.lstrip("-")
        descending = key.startswith("-")
        present = [r for r in out if r.attributes.get(name) is not None]
        missing = [r for r in out if r.attributes.get(name) is None]
        present.sort(key=functools.partial(_attribute_key, name), reverse=descending)
        out = present + missing
    return out


def _attribute_key(name: str, resource: Resource) -> Any:
    return _sort_key(resource.attributes[name])


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, _as_text(value))


def encode_cursor(offset: int) -> str:
    """An opaque cursor shaped like Apple's (base64 of a small JSON object)."""
    raw = json.dumps({"offset": str(offset)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        offset = int(json.loads(base64.urlsafe_b64decode(padded))["offset"])
    except (ValueError, KeyError, TypeError):
        raise api_errors.parameter_invalid("cursor", f"'{cursor}' is not a valid cursor") from None
    if offset < 0:
        raise api_errors.parameter_invalid("cursor", f"'{cursor}' is not a valid cursor")
    return offset
