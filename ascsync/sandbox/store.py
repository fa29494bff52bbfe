"""The sandbox's in-memory App Store Connect: resources by type and id, with relationships.

Relationships are kept on both sides: setting ``appStoreVersions.app`` also lists the
version under ``apps.appStoreVersions``, when the relationship map says those two are
inverses. The engine derives that map from the OpenAPI surface; domain hooks only use
the methods below. All methods take the store's re-entrant lock, so the threaded
server can serve requests concurrently.
"""

from __future__ import annotations

import builtins
import itertools
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Ref = tuple[str, str]
"""A relationship target: ``(type, id)``."""


@dataclass(frozen=True)
class RelationshipInfo:
    """What the surface says about ``type.relationship``."""

    target: str
    to_many: bool
    inverse: str | None = None


@dataclass
class Resource:
    """One stored resource. ``relationships`` maps a name to a Ref, a list of Refs or None."""

    type: str
    id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    relationships: dict[str, Ref | builtins.list[Ref] | None] = field(default_factory=dict)

    @property
    def ref(self) -> Ref:
        return (self.type, self.id)


RelationshipMap = dict[str, dict[str, RelationshipInfo]]


class Store:
    """Resources by type, in insertion order, with inverse relationships kept in sync."""

    def __init__(self, relationships: RelationshipMap | None = None) -> None:
        self.relationship_map: RelationshipMap = relationships or {}
        self.lock = threading.RLock()
        self.generation = 0
        """Counts changes made while answering reads (an upload settling when looked at),
        so the server knows a GET left something to save."""
        self._by_type: dict[str, dict[str, Resource]] = {}
        self._counter = itertools.count(1)

    # -- reading -------------------------------------------------------------------

    def touch(self) -> None:
        """Note a change made outside create/update/delete (a read that settles an asset)."""
        with self.lock:
            self.generation += 1

    def get(self, type_: str, id_: str) -> Resource | None:
        with self.lock:
            return self._by_type.get(type_, {}).get(id_)

    def list(self, type_: str) -> builtins.list[Resource]:
        with self.lock:
            return list(self._by_type.get(type_, {}).values())

    def types(self) -> builtins.list[str]:
        with self.lock:
            return list(self._by_type)

    def related(self, resource: Resource, relationship: str) -> builtins.list[Resource]:
        """The resources a relationship points at, in its order; missing ones skipped."""
        with self.lock:
            value = resource.relationships.get(relationship)
            refs = value if isinstance(value, list) else ([value] if value else [])
            found = (self.get(t, i) for t, i in refs)
            return [r for r in found if r is not None]

    # -- writing -------------------------------------------------------------------

    def new_id(self) -> str:
        """An opaque id shaped like Apple's (a UUID for most resource kinds)."""
        return str(uuid.UUID(int=next(self._counter) + (uuid.uuid4().int >> 64 << 64)))

    def create(
        self,
        type_: str,
        attributes: dict[str, Any] | None = None,
        relationships: dict[str, Ref | builtins.list[Ref] | None] | None = None,
        id_: str | None = None,
    ) -> Resource:
        with self.lock:
            resource = Resource(type_, id_ or self.new_id(), dict(attributes or {}), {})
            self._by_type.setdefault(type_, {})[resource.id] = resource
            for name, value in (relationships or {}).items():
                self.set_relationship(resource, name, value)
            return resource

    def update(
        self,
        resource: Resource,
        attributes: dict[str, Any] | None = None,
        relationships: dict[str, Ref | builtins.list[Ref] | None] | None = None,
    ) -> Resource:
        with self.lock:
            resource.attributes.update(attributes or {})
            for name, value in (relationships or {}).items():
                self.set_relationship(resource, name, value)
            return resource

    def delete(self, type_: str, id_: str) -> None:
        """Remove a resource and every reference to it held by other resources."""
        with self.lock:
            resource = self._by_type.get(type_, {}).pop(id_, None)
            if resource is None:
                return
            for name in list(resource.relationships):
                self.set_relationship(resource, name, None)
            ref = resource.ref
            for other in self._possible_referrers(type_):
                for name, value in other.relationships.items():
                    if isinstance(value, list) and ref in value:
                        value.remove(ref)
                    elif value == ref:
                        other.relationships[name] = None

    def _possible_referrers(self, type_: str) -> Iterator[Resource]:
        """Resources that may point at a ``type_``: those of types whose relationship map
        names it as a target, plus types the map does not describe (checked to be safe)."""
        pointing = {
            t
            for t, rels in self.relationship_map.items()
            if any(info.target == type_ for info in rels.values())
        }
        for t, by_id in self._by_type.items():
            if t in pointing or t not in self.relationship_map:
                yield from list(by_id.values())

    def set_relationship(
        self, resource: Resource, name: str, value: Ref | builtins.list[Ref] | None
    ) -> None:
        """Replace one relationship (to-many: the whole list) and mirror it on the other side."""
        with self.lock:
            info = self.relationship_map.get(resource.type, {}).get(name)
            old = resource.relationships.get(name)
            old_refs = old if isinstance(old, list) else ([old] if old else [])
            new_refs = value if isinstance(value, list) else ([value] if value else [])
            if info is not None and info.to_many:
                resource.relationships[name] = list(new_refs)
            else:
                resource.relationships[name] = new_refs[0] if new_refs else None
            if info is None or info.inverse is None:
                return
            for ref in old_refs:
                if ref not in new_refs:
                    self._unlink(ref, info.inverse, resource.ref)
            for ref in new_refs:
                if ref not in old_refs:
                    self._link(ref, info.inverse, resource.ref)

    def add_to_many(self, resource: Resource, name: str, refs: builtins.list[Ref]) -> None:
        """Append refs not already present (POST to a to-many linkage)."""
        with self.lock:
            current = _refs(resource.relationships.get(name))
            self.set_relationship(resource, name, current + [r for r in refs if r not in current])

    def remove_from_many(self, resource: Resource, name: str, refs: builtins.list[Ref]) -> None:
        """Drop refs (DELETE on a to-many linkage)."""
        with self.lock:
            current = _refs(resource.relationships.get(name))
            self.set_relationship(resource, name, [r for r in current if r not in refs])

    def _link(self, target: Ref, inverse: str, source: Ref) -> None:
        other = self.get(*target)
        if other is None:
            return
        info = self.relationship_map.get(other.type, {}).get(inverse)
        if info is not None and info.to_many:
            current = other.relationships.setdefault(inverse, [])
            if not isinstance(current, list):
                current = other.relationships[inverse] = []
            if source not in current:
                current.append(source)
        else:
            previous = other.relationships.get(inverse)
            other.relationships[inverse] = source
            if previous and previous != source and isinstance(previous, tuple):
                # A to-one moved: the previous owner no longer lists ``other``.
                rev = self.relationship_map.get(other.type, {}).get(inverse)
                if rev and rev.inverse:
                    self._unlink(previous, rev.inverse, other.ref)

    def _unlink(self, target: Ref, inverse: str, source: Ref) -> None:
        other = self.get(*target)
        if other is None:
            return
        current = other.relationships.get(inverse)
        if isinstance(current, list):
            if source in current:
                current.remove(source)
        elif current == source:
            other.relationships[inverse] = None

    # -- persistence ---------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready snapshot (``--state FILE``)."""
        with self.lock:
            return {
                "resources": [
                    {
                        "type": r.type,
                        "id": r.id,
                        "attributes": r.attributes,
                        "relationships": {
                            k: (
                                [list(x) for x in v]
                                if isinstance(v, list)
                                else (list(v) if v else None)
                            )
                            for k, v in r.relationships.items()
                        },
                    }
                    for by_id in self._by_type.values()
                    for r in by_id.values()
                ]
            }

    def load_dict(self, data: dict[str, Any]) -> None:
        """Replace the contents with a :meth:`to_dict` snapshot (relationships stored verbatim)."""
        with self.lock:
            self._by_type.clear()
            for item in data.get("resources", []):
                rels: dict[str, Ref | builtins.list[Ref] | None] = {}
                for k, v in item.get("relationships", {}).items():
                    if v is None:
                        rels[k] = None
                    elif v and isinstance(v[0], list):
                        rels[k] = [(str(x[0]), str(x[1])) for x in v]
                    elif v == []:
                        rels[k] = []
                    else:
                        rels[k] = (str(v[0]), str(v[1]))
                resource = Resource(item["type"], item["id"], item.get("attributes", {}), rels)
                self._by_type.setdefault(resource.type, {})[resource.id] = resource


def _refs(value: Ref | builtins.list[Ref] | None) -> builtins.list[Ref]:
    """A to-many relationship's refs (a copy); nothing for a to-one or unset one."""
    return list(value) if isinstance(value, list) else []
