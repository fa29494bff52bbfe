"""The API surface the sandbox serves, loaded from ``surface.json``.

``surface.json`` is derived from Apple's OpenAPI description by
``scripts/derive_sandbox_surface.py``; this module turns it into objects, routes a
``(method, path)`` to an :class:`Operation`, and checks query parameters and request
bodies the way Apple does (400 for parameters, 409 for bodies), raising
:class:`~ascsync.sandbox.hooks.SandboxError` with Apple's codes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from ascsync.sandbox import api_errors
from ascsync.sandbox.hooks import SandboxError, raise_all
from ascsync.sandbox.store import Ref, RelationshipInfo, RelationshipMap

SURFACE_FILE = Path(__file__).with_name("surface.json")

CURSOR_PARAM = "cursor"
"""Apple's ``links.next`` carries ``cursor``; the spec declares it nowhere, Apple accepts it."""


@dataclass(frozen=True)
class Param:
    """One declared query parameter."""

    name: str
    required: bool = False
    array: bool = False
    type: str = "string"
    enum: tuple[str, ...] | None = None
    maximum: int | None = None
    minimum: int | None = None


@dataclass(frozen=True)
class RelationshipSpec:
    """A relationship of a resource type, as the resource schema declares it."""

    name: str
    target: str | None
    to_many: bool
    data: bool
    links: bool
    meta: bool
    hidden: bool
    inverse: str | None
    self_link: bool = False
    """``links.self`` names a GET the spec declares (``.../relationships/{name}``)."""
    related_link: bool = False
    """``links.related`` names a GET the spec declares (``.../{name}``)."""
    modelled: bool = True
    """False where the sandbox never computes the targets (equalized, automatic prices)."""


@dataclass(frozen=True)
class TypeSpec:
    """A resource type: attribute schemas and relationships."""

    name: str
    version: str
    attributes: dict[str, dict[str, Any]]
    relationships: dict[str, RelationshipSpec]


@dataclass(frozen=True)
class Body:
    """A request body schema, reduced to what the engine checks."""

    schema: str
    kind: str  # create | update | linkage | linkages
    type: str | None = None
    target: str | None = None
    id_required: bool = False
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    attributes_required: bool = False
    required_attributes: tuple[str, ...] = ()
    relationships: dict[str, dict[str, Any]] = field(default_factory=dict)
    relationships_required: bool = False
    required_relationships: tuple[str, ...] = ()
    included: tuple[str, ...] = ()
    """Types allowed inline in a create's top-level ``included`` (empty: none allowed)."""


@dataclass(frozen=True)
class Operation:
    """One method on one path template."""

    method: str
    path: str
    shape: str  # collection | instance | related | linkage
    type: str
    status: int
    params: dict[str, Param]
    relationship: str | None = None
    target: str | None = None
    to_many: bool = False
    body: Body | None = None
    deprecated: bool = False

    @property
    def result_type(self) -> str:
        """The type of the resources this operation returns."""
        return self.target if self.shape in ("related", "linkage") and self.target else self.type


@dataclass
class Query:
    """Validated query parameters of one request."""

    include: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    limit: int | None = None
    limits: dict[str, int] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    exists: dict[str, bool] = field(default_factory=dict)
    sort: list[str] = field(default_factory=list)
    cursor: str | None = None


@dataclass
class ParsedBody:
    """A validated create/update body."""

    type: str
    id: str | None
    attributes: dict[str, Any]
    relationships: dict[str, Ref | list[Ref] | None]
    included: list[dict[str, Any]] = field(default_factory=list)


class Surface:
    """Routing table and validators built from ``surface.json``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.spec_version: str = data.get("spec_version", "")
        self.types: dict[str, TypeSpec] = {
            name: _type_spec(name, raw) for name, raw in data["types"].items()
        }
        self.operations: list[Operation] = [_operation(raw) for raw in data["operations"]]
        self._routes: dict[tuple[str, ...], dict[str, Operation]] = {}
        for op in self.operations:
            self._routes.setdefault(_route_key(op.path), {})[op.method] = op
        self.unmodelled: dict[str, tuple[str, ...]] = {
            path: tuple(methods) for path, methods in data.get("unmodelled", {}).items()
        }
        """Spec routes the sandbox does not serve -> their methods (answered 501)."""
        self._unmodelled_by_length: dict[int, list[tuple[tuple[str, ...], str]]] = {}
        for template in self.unmodelled:
            segments = tuple(template.strip("/").split("/"))
            self._unmodelled_by_length.setdefault(len(segments), []).append((segments, template))

    # -- routing -------------------------------------------------------------------

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation serving ``method path`` and its path parameters.

        A route or method of Apple's API that the sandbox does not model is 501 (never a
        404 claiming the path does not exist); a method the spec does not declare for the
        path is 405; a path the spec does not have is 404.
        """
        segments = path.strip("/").split("/")
        params: dict[str, str] = {}
        if len(segments) >= 3:
            params["id"] = segments[2]
            segments[2] = "{id}"
        by_method = self._routes.get(tuple(segments)) or {}
        op = by_method.get(method)
        if op is not None:
            return op, params
        template = self.unmodelled_template(path)
        spec_methods = self.unmodelled.get(template, ()) if template else ()
        if method in spec_methods:
            raise api_errors.not_modelled(f"{method} {template}")
        if by_method or spec_methods:
            raise api_errors.method_not_allowed(method, [*by_method, *spec_methods])
        raise api_errors.path_not_found(path)

    def unmodelled_template(self, path: str) -> str | None:
        """The spec's template of a route the sandbox does not serve (literal segments win)."""
        segments = path.strip("/").split("/")
        found = [
            template
            for pattern, template in self._unmodelled_by_length.get(len(segments), [])
            if all(p == s or p.startswith("{") for p, s in zip(pattern, segments, strict=True))
        ]
        return min(found, key=lambda t: t.count("{")) if found else None

    def relationship_map(self) -> RelationshipMap:
        """What the Store needs to keep both sides of a relationship in sync."""
        return {
            type_name: {
                rel.name: RelationshipInfo(rel.target, rel.to_many, rel.inverse)
                for rel in spec.relationships.values()
                if rel.target
            }
            for type_name, spec in self.types.items()
        }

    # -- query parameters ----------------------------------------------------------

    def parse_query(self, op: Operation, pairs: list[tuple[str, str]]) -> Query:
        """Check every parameter against the operation; 400 like Apple, every problem at once.

        A parameter that is valid for Apple but asks for a relationship the sandbox does
        not model (``filter[...]``, ``include``, ``exists[...]``, ``sort``) is refused with
        501 rather than silently matching nothing.
        """
        query = Query()
        seen: set[str] = set()
        problems: list[SandboxError] = []
        refused: list[SandboxError] = []
        for name, raw in pairs:
            seen.add(name)
            if name == CURSOR_PARAM and op.method == "GET" and op.params.get("limit"):
                query.cursor = raw
                continue
            param = op.params.get(name)
            try:
                if param is None:
                    raise api_errors.parameter_illegal(name)
                value = _param_value(param, raw)
            except SandboxError as error:
                problems.append(error)
                continue
            refusal = self._unmodelled_parameter(op, name, value)
            if refusal is not None:
                refused.append(refusal)
            _store_param(query, name, value)
        for param in op.params.values():
            if param.required and param.name not in seen:
                problems.append(api_errors.parameter_required(param.name))
        raise_all(problems)
        raise_all(refused)
        return query

    def _unmodelled_parameter(self, op: Operation, name: str, value: Any) -> SandboxError | None:
        """501 for a valid parameter the sandbox cannot answer truthfully, else None."""
        spec = self.types.get(op.result_type)
        if spec is None:
            return None
        if name == "include":
            bad = [v for v in value if not self.models_relationship(spec, v)]
            if bad:
                return api_errors.not_modelled(f"include={','.join(bad)} on {op.path}", name)
        elif name.startswith(("filter[", "exists[")):
            field_ = name[name.index("[") + 1 : -1]
            if not self.models_field(spec, field_):
                return api_errors.not_modelled(f"{name} on {op.path}", name)
        elif name == "sort":
            keys = value if isinstance(value, list) else [value]
            bad = [k for k in keys if k.lstrip("-") not in spec.attributes]
            if bad:
                return api_errors.not_modelled(f"sort={','.join(bad)} on {op.path}", name)
        return None

    def models_relationship(self, spec: TypeSpec, name: str) -> bool:
        """Whether the sandbox stores ``spec.name``'s targets (a type it models)."""
        rel = spec.relationships.get(name)
        return rel is not None and rel.modelled and rel.target in self.types

    def models_field(self, spec: TypeSpec, path: str) -> bool:
        """``id``, an attribute, a modelled relationship, or ``relationship.attribute``."""
        head, _, rest = path.partition(".")
        if not rest:
            return head == "id" or head in spec.attributes or self.models_relationship(spec, head)
        if not self.models_relationship(spec, head):
            return False
        target = self.types[spec.relationships[head].target or ""]
        return self.models_field(target, rest)

    # -- bodies --------------------------------------------------------------------

    def parse_body(self, op: Operation, body: Any, path_id: str | None) -> ParsedBody:
        """Validate a create/update body; 409 ``ENTITY_ERROR.*`` with a pointer per problem.

        Every problem is reported at once (unknown and missing attributes, bad and missing
        relationships, bad inline resources), as Apple does.
        """
        spec = op.body
        assert spec is not None and spec.kind in ("create", "update")
        data = _data_object(body)
        problems: list[SandboxError] = []
        type_ = data.get("type")
        if type_ != spec.type:
            problems.append(
                api_errors.entity_invalid(
                    "/data/type",
                    f"'{type_}' is not a valid type for this request; use '{spec.type}'",
                )
            )
        id_ = data.get("id")
        if spec.kind == "update" and id_ != path_id:
            problems.append(
                api_errors.entity_invalid(
                    "/data/id", f"The provided id '{id_}' does not match the id in the URL"
                )
            )
        attributes = self._check_attributes(spec, data, problems)
        relationships = self._check_relationships(spec, data, problems)
        included = self._check_included(spec, body, problems)
        raise_all(problems)
        return ParsedBody(spec.type or "", id_, attributes, relationships, included)

    def _check_included(
        self, spec: Body, body: dict[str, Any], problems: list[SandboxError]
    ) -> list[dict[str, Any]]:
        """Inline creates: only where the schema allows them, and only of the allowed types."""
        if "included" not in body:
            return []
        included = body["included"]
        if not spec.included or not isinstance(included, list):
            problems.append(
                api_errors.entity_invalid("/included", "'included' is not allowed here")
            )
            return []
        for index, item in enumerate(included):
            if not isinstance(item, dict) or item.get("type") not in spec.included:
                valid = ", ".join(spec.included)
                problems.append(
                    api_errors.included_invalid(
                        f"/included/{index}/type", f"An included resource must be one of: {valid}"
                    )
                )
            elif not isinstance(item.get("id"), str):
                problems.append(
                    api_errors.included_invalid(
                        f"/included/{index}/id", "An included resource needs a local 'id'"
                    )
                )
        return list(included)

    def parse_linkage(self, op: Operation, body: Any) -> Ref | list[Ref] | None:
        """Validate a linkage body (``{data: {type, id}}`` or ``{data: [...]}``).

        Pointers name places in this body: ``/data`` and ``/data/0/type``.
        """
        spec = op.body
        assert spec is not None
        if not isinstance(body, dict) or "data" not in body:
            raise api_errors.body_unparsable("The request body must be an object with 'data'")
        return _linkage_refs(body["data"], spec.target, spec.kind == "linkages", "/data")

    def _check_attributes(
        self, spec: Body, data: dict[str, Any], problems: list[SandboxError]
    ) -> dict[str, Any]:
        attributes = data.get("attributes")
        if attributes is None:
            if spec.attributes_required:
                missing = spec.required_attributes or ("attributes",)
                problems.extend(api_errors.attribute_required(name) for name in missing)
            return {}
        if not isinstance(attributes, dict):
            problems.append(
                api_errors.entity_invalid("/data/attributes", "'attributes' must be an object")
            )
            return {}
        for name, value in attributes.items():
            schema = spec.attributes.get(name)
            try:
                if schema is None:
                    raise api_errors.attribute_unknown(spec.type or "", name)
                check_value(schema, value, f"/data/attributes/{name}", name)
            except SandboxError as error:
                problems.append(error)
        for name in spec.required_attributes:
            if name not in attributes:  # a null is reported by check_value
                problems.append(api_errors.attribute_required(name))
        return dict(attributes)

    def _check_relationships(
        self, spec: Body, data: dict[str, Any], problems: list[SandboxError]
    ) -> dict[str, Ref | list[Ref] | None]:
        relationships = data.get("relationships")
        if relationships is None:
            if spec.relationships_required:
                problems.extend(
                    api_errors.relationship_required(name) for name in spec.required_relationships
                )
            return {}
        if not isinstance(relationships, dict):
            problems.append(
                api_errors.entity_invalid(
                    "/data/relationships", "'relationships' must be an object"
                )
            )
            return {}
        out: dict[str, Ref | list[Ref] | None] = {}
        for name, value in relationships.items():
            rel = spec.relationships.get(name)
            pointer = f"/data/relationships/{name}"
            try:
                if rel is None:
                    raise api_errors.relationship_unknown(spec.type or "", name)
                if not isinstance(value, dict) or "data" not in value:
                    raise api_errors.relationship_invalid(pointer, f"'{name}' must have 'data'")
                out[name] = _linkage_refs(
                    value["data"], rel["target"], rel["to_many"], f"{pointer}/data"
                )
            except SandboxError as error:
                problems.append(error)
        for name in spec.required_relationships:
            if name not in relationships or (name in out and out[name] is None):
                problems.append(api_errors.relationship_required(name))
        return out


# -- value checks ---------------------------------------------------------------------------

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def check_value(schema: dict[str, Any], value: Any, pointer: str, name: str) -> None:
    """Check one attribute value against its compact schema (type, enum, format, nesting)."""
    if value is None:
        if schema.get("nullable"):
            return
        raise api_errors.attribute_type(pointer, name, f"{schema.get('type', 'value')} (not null)")
    expected = schema.get("type")
    if expected in _JSON_TYPES:
        ok = isinstance(value, _JSON_TYPES[expected])
        if expected in ("integer", "number") and isinstance(value, bool):
            ok = False
        if not ok:
            raise api_errors.attribute_type(pointer, name, expected)
    if "enum" in schema and value not in schema["enum"]:
        valid = ", ".join(str(v) for v in schema["enum"])
        raise api_errors.attribute_invalid(
            pointer, f"'{value}' is not a valid value for '{name}'. Valid values: {valid}"
        )
    if isinstance(value, str) and schema.get("format") in ("date-time", "date"):
        _check_date(schema["format"], value, pointer, name)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            check_value(schema["items"], item, f"{pointer}/{index}", name)
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            sub = schema["properties"].get(key)
            if sub is None:
                raise api_errors.attribute_invalid(
                    f"{pointer}/{key}", f"'{key}' is not a field of '{name}'"
                )
            check_value(sub, item, f"{pointer}/{key}", key)


def _check_date(fmt: str, value: str, pointer: str, name: str) -> None:
    try:
        if fmt == "date":
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise api_errors.attribute_invalid(
            pointer, f"'{value}' is not a valid {fmt} for '{name}'"
        ) from None


def _data_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise api_errors.body_unparsable("The request body must be an object with a 'data' object")
    return body["data"]


def _linkage_refs(
    data: Any, target: str | None, to_many: bool, pointer: str
) -> Ref | list[Ref] | None:
    """``{type, id}`` objects -> Refs, checking the type against the relationship's target.

    ``pointer`` is where ``data`` itself sits in the body (``/data`` in a linkage request,
    ``/data/relationships/app/data`` in a create), so every problem's pointer resolves.
    """
    if to_many:
        if not isinstance(data, list):
            raise api_errors.relationship_invalid(pointer, "'data' must be an array")
        problems: list[SandboxError] = []
        refs: list[Ref] = []
        for i, item in enumerate(data):
            try:
                refs.append(_one_ref(item, target, f"{pointer}/{i}"))
            except SandboxError as error:
                problems.append(error)
        raise_all(problems)
        return refs
    if data is None:
        return None
    return _one_ref(data, target, pointer)


def inline_relationships(item: dict[str, Any], pointer: str) -> dict[str, Ref | list[Ref] | None]:
    """The relationships of an inline-created ``included`` item, as Refs."""
    relationships = item.get("relationships") or {}
    if not isinstance(relationships, dict):
        raise api_errors.included_invalid(f"{pointer}/relationships", "must be an object")
    out: dict[str, Ref | list[Ref] | None] = {}
    for name, value in relationships.items():
        where = f"{pointer}/relationships/{name}"
        if not isinstance(value, dict) or "data" not in value:
            raise api_errors.included_invalid(where, f"'{name}' must have 'data'")
        data = value["data"]
        out[name] = _linkage_refs(data, None, isinstance(data, list), f"{where}/data")
    return out


def _one_ref(item: Any, target: str | None, pointer: str) -> Ref:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or "type" not in item:
        raise api_errors.relationship_invalid(pointer, "A linkage needs 'type' and a string 'id'")
    if target and item["type"] != target:
        raise api_errors.relationship_invalid(
            f"{pointer}/type",
            f"'{item['type']}' is not a valid type for this relationship; use '{target}'",
        )
    return (item["type"], item["id"])


def _param_value(param: Param, raw: str) -> Any:
    """Split, type-check and enum-check one query parameter value."""
    values = raw.split(",") if param.array else [raw]
    if param.type == "integer":
        try:
            numbers = [int(v) for v in values]
        except ValueError:
            raise api_errors.parameter_invalid(
                param.name, f"'{raw}' is not a valid integer value for '{param.name}'"
            ) from None
        for number in numbers:
            if param.maximum is not None and number > param.maximum:
                raise api_errors.parameter_invalid(
                    param.name,
                    f"'{number}' is not a valid value for '{param.name}'. "
                    f"The maximum is {param.maximum}",
                )
            if number < max(param.minimum or 1, 1) and param.name.startswith("limit"):
                raise api_errors.parameter_invalid(
                    param.name, f"'{number}' is not a valid value for '{param.name}'"
                )
        return numbers if param.array else numbers[0]
    if param.type == "boolean":
        if raw not in ("true", "false"):
            raise api_errors.parameter_invalid(param.name, f"'{raw}' is not a valid boolean")
        return raw == "true"
    if param.enum is not None:
        for value in values:
            if value not in param.enum:
                raise api_errors.parameter_invalid(param.name, _enum_detail(param.name, value))
    return values if param.array else values[0]


def _enum_detail(name: str, value: str) -> str:
    if name == "include":
        return f"'{value}' is not a valid relationship name"
    if name.startswith("fields["):
        return f"'{value}' is not a valid field name"
    if name == "sort":
        return f"'{value}' is not a valid sort field"
    return f"'{value}' is not a valid value for '{name}'"


def _store_param(query: Query, name: str, value: Any) -> None:
    inner = name[name.index("[") + 1 : -1] if "[" in name else None
    if name == "include":
        query.include = list(value)
    elif name == "sort":
        query.sort = list(value) if isinstance(value, list) else [value]
    elif name == "limit":
        query.limit = value
    elif inner is not None and name.startswith("limit["):
        query.limits[inner] = value
    elif inner is not None and name.startswith("fields["):
        query.fields[inner] = list(value)
    elif inner is not None and name.startswith("filter["):
        query.filters[inner] = list(value) if isinstance(value, list) else [str(value)]
    elif inner is not None and name.startswith("exists["):
        query.exists[inner] = bool(value)


# -- loading --------------------------------------------------------------------------------

_PATH_PARAM = re.compile(r"\{[^}]+\}")


def _route_key(path: str) -> tuple[str, ...]:
    return tuple(_PATH_PARAM.sub("{id}", path).strip("/").split("/"))


def _type_spec(name: str, raw: dict[str, Any]) -> TypeSpec:
    relationships = {
        rel_name: RelationshipSpec(
            name=rel_name,
            target=rel.get("target"),
            to_many=bool(rel.get("to_many")),
            data=bool(rel.get("data")),
            links=bool(rel.get("links")),
            meta=bool(rel.get("meta")),
            hidden=bool(rel.get("hidden")),
            inverse=rel.get("inverse"),
            self_link=bool(rel.get("self_link")),
            related_link=bool(rel.get("related_link")),
            modelled=rel.get("modelled", True),
        )
        for rel_name, rel in raw["relationships"].items()
    }
    return TypeSpec(name, raw.get("version", "v1"), raw["attributes"], relationships)


def _operation(raw: dict[str, Any]) -> Operation:
    params = {
        name: Param(
            name=name,
            required=p.get("required", False),
            array=p.get("array", False),
            type=p.get("type", "string"),
            enum=tuple(p["enum"]) if "enum" in p else None,
            maximum=p.get("maximum"),
            minimum=p.get("minimum"),
        )
        for name, p in raw.get("params", {}).items()
    }
    body = None
    if raw.get("body"):
        b = raw["body"]
        body = Body(
            schema=b.get("schema") or "",
            kind=b["kind"],
            type=b.get("type"),
            target=b.get("target"),
            id_required=b.get("id_required", False),
            attributes=b.get("attributes", {}),
            attributes_required=b.get("attributes_required", False),
            required_attributes=tuple(b.get("required_attributes", ())),
            relationships=b.get("relationships", {}),
            relationships_required=b.get("relationships_required", False),
            required_relationships=tuple(b.get("required_relationships", ())),
            included=tuple(b.get("included") or ()),
        )
    return Operation(
        method=raw["method"],
        path=raw["path"],
        shape=raw["shape"],
        type=raw["type"],
        status=raw["status"],
        params=params,
        relationship=raw.get("relationship"),
        target=raw.get("target"),
        to_many=raw.get("to_many", False),
        body=body,
        deprecated=raw.get("deprecated", False),
    )


@cache
def load_surface(path: Path = SURFACE_FILE) -> Surface:
    """The packaged surface, parsed once per process."""
    return Surface(json.loads(Path(path).read_text()))
