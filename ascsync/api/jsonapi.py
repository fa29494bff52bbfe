"""JSON:API documents as App Store Connect returns them.

A response has ``data`` (one resource or a list), maybe ``included`` (related resources
asked for with ``include=``), ``links`` (``self``, ``next``) and ``meta.paging``.
:class:`Document` merges pages and indexes ``included`` by ``(type, id)`` so callers
can follow a relationship without another request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str]


@dataclass
class Document:
    """One response, or several pages of a collection merged into one."""

    data: dict[str, Any] | list[dict[str, Any]] | None
    included: dict[Key, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Document:
        return cls(
            data=body.get("data"),
            included=index_resources(body.get("included") or []),
            links=body.get("links") or {},
            meta=body.get("meta") or {},
        )

    @property
    def next_url(self) -> str | None:
        return self.links.get("next")

    @property
    def resource(self) -> dict[str, Any]:
        """The one resource of a single-resource document (a create's answer)."""
        if not isinstance(self.data, dict):
            raise TypeError("the document does not hold one resource")
        return self.data

    def resources(self) -> list[dict[str, Any]]:
        """``data`` as a list, whether the document holds one resource or many."""
        if self.data is None:
            return []
        return self.data if isinstance(self.data, list) else [self.data]

    def merge(self, page: Document) -> None:
        """Append a following page (data, included, latest links)."""
        if not isinstance(self.data, list) or not isinstance(page.data, list):
            raise TypeError("only collection documents can be merged")
        self.data.extend(page.data)
        self.included.update(page.included)
        self.links = page.links
        self.meta = page.meta

    def related(self, resource: dict[str, Any], relationship: str) -> list[dict[str, Any]]:
        """The included resources a relationship of ``resource`` points at, in order.

        Linkages whose resource was not included (e.g. past ``limit[...]``) are skipped.
        """
        found = (self.included.get(key) for key in linkage_keys(resource, relationship))
        return [item for item in found if item is not None]

    def related_one(self, resource: dict[str, Any], relationship: str) -> dict[str, Any] | None:
        items = self.related(resource, relationship)
        return items[0] if items else None


def index_resources(resources: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    """Index resource objects by ``(type, id)``."""
    return {(r["type"], r["id"]): r for r in resources if "type" in r and "id" in r}


def linkage_keys(resource: dict[str, Any], relationship: str) -> Iterator[Key]:
    """The ``(type, id)`` pairs in ``relationships[relationship].data``."""
    rel = (resource.get("relationships") or {}).get(relationship) or {}
    data = rel.get("data")
    if data is None:
        return iter(())
    items = data if isinstance(data, list) else [data]
    return ((item["type"], item["id"]) for item in items)


def resource_body(
    type_: str,
    attributes: dict[str, Any] | None = None,
    relationships: Mapping[str, Key | list[Key] | None] | None = None,
    id_: str | None = None,
) -> dict[str, Any]:
    """A create (no id) or update (with id) request body."""
    data: dict[str, Any] = {"type": type_}
    if id_ is not None:
        data["id"] = id_
    if attributes:
        data["attributes"] = attributes
    if relationships:
        data["relationships"] = {
            name: {"data": _linkage(value)} for name, value in relationships.items()
        }
    return {"data": data}


def _linkage(value: Key | list[Key] | None) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [{"type": t, "id": i} for t, i in value]
    return {"type": value[0], "id": value[1]}
