"""Check a recorded request against Apple's FULL OpenAPI description.

The sandbox serves a derived subset of the spec; this validator keeps that subset (and
every client talking to it) honest: after a test run, each request the sandbox received
must name a path and method that exist in ``openapi.json``, use only declared query
parameters with valid values, and send a body that validates against the operation's
request schema. OpenAPI 3.0's ``nullable`` is translated for ``jsonschema`` (draft 4,
the dialect OpenAPI 3.0 is based on), and objects with declared properties are closed
(``additionalProperties: false``) because Apple answers 409 to unknown members.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CURSOR_PARAM = "cursor"


@dataclass(frozen=True)
class _SpecOperation:
    template: str
    params: dict[str, dict[str, Any]]
    body_schema: str | None
    body_required: bool


class SpecValidator:
    """Routes and validates ``(method, path, query, body)`` against the full spec."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec
        self._routes: dict[int, list[tuple[re.Pattern[str], str]]] = {}
        self._ops: dict[tuple[str, str], _SpecOperation] = {}
        for template, item in spec["paths"].items():
            regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            self._routes.setdefault(template.count("/"), []).append((regex, template))
            for method, op in item.items():
                if method == "parameters":
                    continue
                self._ops[(method.upper(), template)] = self._operation(template, op)
        self._validators: dict[str, Any] = {}
        self._registry: Any = None

    @classmethod
    def from_file(cls, path: str | Path) -> SpecValidator:
        return cls(json.loads(Path(path).read_text()))

    def _operation(self, template: str, op: dict[str, Any]) -> _SpecOperation:
        params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
        body = op.get("requestBody")
        schema_name = None
        if body:
            ref = body["content"].get("application/json", {}).get("schema", {}).get("$ref")
            schema_name = ref.rsplit("/", 1)[1] if ref else None
        return _SpecOperation(template, params, schema_name, bool(body and body.get("required")))

    # -- checks --------------------------------------------------------------------

    def template_for(self, path: str) -> str | None:
        """The spec's path template matching a concrete path (literal paths win)."""
        candidates = [t for r, t in self._routes.get(path.count("/"), []) if r.match(path)]
        if not candidates:
            return None
        return min(candidates, key=lambda t: t.count("{"))

    def check(self, method: str, path: str, query: list[tuple[str, str]], body: Any) -> list[str]:
        """Every way this request departs from the spec (empty when it conforms)."""
        template = self.template_for(path)
        if template is None:
            return [f"path {path} is not in the spec"]
        op = self._ops.get((method, template))
        if op is None:
            return [f"{method} is not defined for {template}"]
        problems = self._check_query(op, query)
        problems += self._check_body(op, body)
        return problems

    def _check_query(self, op: _SpecOperation, query: list[tuple[str, str]]) -> list[str]:
        problems = []
        names = {name for name, _ in query}
        for name, value in query:
            if name == CURSOR_PARAM and "limit" in op.params:
                continue  # Apple's links.next carries ``cursor``; the spec declares it nowhere
            param = op.params.get(name)
            if param is None:
                problems.append(f"query parameter {name!r} is not declared")
                continue
            problems += _check_param(name, param.get("schema", {}), value)
        for name, param in op.params.items():
            if param.get("required") and name not in names:
                problems.append(f"required query parameter {name!r} is missing")
        return problems

    def _check_body(self, op: _SpecOperation, body: Any) -> list[str]:
        if op.body_schema is None:
            return [] if body is None else ["a body was sent but the operation takes none"]
        if body is None:
            return ["the request body is missing"] if op.body_required else []
        validator = self._validator(op.body_schema)
        return [
            f"body {'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
            for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        ][:5]

    def check_response(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """How a JSON response departs from the operation's declared response schema.

        Apple renders unset attributes as ``null`` although the spec does not declare
        them nullable; those nulls are dropped before validating. An empty to-one (the
        related or linkage route of a relationship without a target) is ``data: null``
        (JSON:API; clients such as asconnect handle it), also outside the spec's schema.
        """
        template = self.template_for(path)
        operation = self._spec["paths"].get(template or "", {}).get(method.lower())
        if operation is None:
            return [f"{method} {path} is not in the spec"]
        response = operation["responses"].get(str(status))
        if response is None:
            return [f"status {status} is not declared for {method} {template}"]
        ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        if ref is None:
            return [] if body is None else [f"status {status} declares no JSON body"]
        if isinstance(body, dict) and "data" in body and body["data"] is None:
            return [] if isinstance(body.get("links"), dict) else ["response: no links"]
        validator = self._validator(ref.rsplit("/", 1)[1])
        errors = validator.iter_errors(_without_null_attributes(body))
        return [
            f"response {'/'.join(str(p) for p in error.absolute_path) or '(root)'}: "
            f"{error.message[:300]}"
            for error in sorted(errors, key=lambda e: list(e.absolute_path))
        ][:5]

    def check_error_response(self, body: Any) -> list[str]:
        """How an error answer departs from Apple's ``ErrorResponse`` schema."""
        errors = self._validator("ErrorResponse").iter_errors(body)
        return [
            f"error response {'/'.join(str(p) for p in error.absolute_path) or '(root)'}: "
            f"{error.message[:300]}"
            for error in sorted(errors, key=lambda e: list(e.absolute_path))
        ][:5]

    def _validator(self, name: str) -> Any:
        if name not in self._validators:
            from jsonschema import Draft4Validator
            from referencing import Registry
            from referencing.jsonschema import DRAFT4

            if self._registry is None:
                root = {"components": {"schemas": _nullable(self._spec["components"]["schemas"])}}
                resource = DRAFT4.create_resource(root)
                self._registry = Registry().with_resource("urn:asc-openapi", resource)
            schema = {"$ref": f"urn:asc-openapi#/components/schemas/{name}"}
            self._validators[name] = Draft4Validator(schema, registry=self._registry)
        return self._validators[name]


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901); KeyError/IndexError/... when it is not there."""
    value = document
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def pointer_names_a_place(body: Any, pointer: str) -> bool:
    """An error's ``source.pointer`` resolves in the request body, or names a missing member.

    A missing required attribute or relationship is pointed at as Apple does
    (``/data/attributes/platform``): the member (and its ``attributes`` or
    ``relationships`` object) may be absent, but the resource object ``/data`` is there.
    """
    try:
        resolve_pointer(body, pointer)
        return True
    except (KeyError, IndexError, TypeError, ValueError):
        head, _, name = pointer.rpartition("/")
        return (
            head in ("/data/attributes", "/data/relationships")
            and bool(name)
            and isinstance(body, dict)
            and isinstance(body.get("data"), dict)
        )


def _check_param(name: str, schema: dict[str, Any], value: str) -> list[str]:
    items = schema.get("items", {}) if schema.get("type") == "array" else schema
    values = value.split(",") if schema.get("type") == "array" else [value]
    problems = []
    for item in values:
        if "enum" in items and item not in items["enum"]:
            problems.append(f"query parameter {name!r}: {item!r} is not one of its enum values")
        if items.get("type") == "integer":
            if not re.fullmatch(r"-?\d+", item):
                problems.append(f"query parameter {name!r}: {item!r} is not an integer")
            elif "maximum" in items and int(item) > items["maximum"]:
                problems.append(f"query parameter {name!r}: {item} exceeds {items['maximum']}")
        if items.get("type") == "boolean" and item not in ("true", "false"):
            problems.append(f"query parameter {name!r}: {item!r} is not a boolean")
    return problems


def _without_null_attributes(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    out = dict(body)
    for key in ("data", "included"):
        value = out.get(key)
        if isinstance(value, list):
            out[key] = [_strip_resource(item) for item in value]
        elif isinstance(value, dict):
            out[key] = _strip_resource(value)
    return out


def _strip_resource(item: Any) -> Any:
    if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
        return item
    attributes = {k: v for k, v in item["attributes"].items() if v is not None}
    return {**item, "attributes": attributes}


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` -> JSON Schema that also accepts null."""
    if isinstance(node, list):
        return [_nullable(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k not in ("nullable", "discriminator")}
    if node.get("nullable"):
        if "$ref" in out:
            return {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if "$ref" in out:
        out["$ref"] = "urn:asc-openapi" + out["$ref"]
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False  # Apple rejects unknown attributes (409)
    return out
