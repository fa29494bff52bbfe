"""Translating between the repo's fields and App Store Connect attributes.

The field table in :mod:`ascsync.desired.model` says which Apple attribute each repo key
maps to (``Field.apple`` = ``"resourceType.attribute"``). This module applies that table
in both directions, so the live reader (Apple -> repo) and apply (repo -> Apple) cannot
disagree on a name or a format. Kinds whose shape differs are converted here: keywords are
a YAML list in the repo and one comma-separated string at Apple.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ascsync.api.redact import register_secret
from ascsync.desired.model import LIVE, Field, FieldType, Record, Secret, Value

ROOT = ""


def flat_fields(fields: Iterable[Field], prefix: str = ROOT) -> Iterator[tuple[str, Field]]:
    """Leaf fields with their dotted repo key (``review.contact.email``); OBJECTs flattened."""
    for spec in fields:
        key = f"{prefix}{spec.key}"
        if spec.type is FieldType.OBJECT:
            yield from flat_fields(spec.fields, key + ".")
        elif spec.type not in (FieldType.LOCALES, FieldType.LIST):
            yield key, spec


def apple_target(spec: Field) -> tuple[str, list[str]] | None:
    """``("appInfos", ["primarySubcategoryOne", "primarySubcategoryTwo"])`` or None."""
    if not spec.apple or "." not in spec.apple:
        return None
    resource, attributes = spec.apple.split(".", 1)
    return resource, attributes.split(",")


def to_repo(spec: Field, apple_value: Any) -> Any:
    """An Apple attribute value in the repo's form.

    A secret field's live value is wrapped as a :class:`Secret` (and registered for
    redaction) the moment it is read, so no output can show it: masking follows the
    kind of field, not whether the repo happens to hold a secret too.
    """
    if apple_value is None:
        return None
    if spec.type is FieldType.SECRET:
        register_secret(str(apple_value))
        return Secret(str(apple_value))
    if spec.type is FieldType.STRINGS and isinstance(apple_value, str):
        return [word.strip() for word in apple_value.split(",") if word.strip()]
    if spec.type is FieldType.TEXT and isinstance(apple_value, str):
        return apple_value.replace("\r\n", "\n")
    return apple_value


def to_apple(spec: Field, repo_value: Any) -> Any:
    """A repo value in Apple's form; a Secret is revealed only here, on its way to Apple."""
    if isinstance(repo_value, Secret):
        return repo_value.reveal()
    if spec.type is FieldType.STRINGS and isinstance(repo_value, list) and _single(spec):
        return ",".join(repo_value)
    return repo_value


def _single(spec: Field) -> bool:
    target = apple_target(spec)
    return target is not None and len(target[1]) == 1


def read_record(
    fields: Iterable[Field],
    resources: dict[str, dict[str, Any] | None],
    *,
    relationships: dict[str, dict[str, str | None]] | None = None,
) -> Record:
    """A live Record from Apple resources, keyed by resource type.

    ``resources`` maps a type (``appStoreVersionLocalizations``) to that resource's
    attributes; ``relationships`` maps a type to ``{relationship: id}`` for fields that
    Apple models as relationships (categories). A type that is absent, or None, is
    unknown live, and its fields are left out, so they diff as "to create".
    """
    record = Record(LIVE)
    rels = relationships or {}
    for key, spec in flat_fields(fields):
        target = apple_target(spec)
        if target is None:
            continue
        resource, names = target
        if resource in rels and all(name in rels[resource] for name in names):
            values = [rels[resource][name] for name in names]
            value = [v for v in values if v] if len(names) > 1 else values[0]
            record.attrs[key] = Value(value, LIVE)
            continue
        attributes = resources.get(resource)
        if attributes is None or names[0] not in attributes:
            continue
        record.attrs[key] = Value(to_repo(spec, attributes[names[0]]), LIVE)
    return record


def apple_changes(
    fields: Iterable[Field], keys: Iterable[str], record: Record
) -> dict[str, dict[str, Any]]:
    """``{resource type: {attribute: value}}`` for the given repo keys of ``record``."""
    by_key = dict(flat_fields(fields))
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        spec = by_key.get(key)
        target = apple_target(spec) if spec else None
        if spec is None or target is None or key not in record.attrs:
            continue
        resource, names = target
        value = to_apple(spec, record.attrs[key].value)
        if len(names) == 1:
            out.setdefault(resource, {})[names[0]] = value
        else:
            values = list(value or [])
            for index, name in enumerate(names):
                out.setdefault(resource, {})[name] = values[index] if index < len(values) else None
    return out
