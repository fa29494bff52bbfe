"""JSON Schemas and the layout reference, generated from the file-kind table.

Editors with yaml-language-server complete keys and flag limits as you type when a
file points at its schema. Both the schemas and ``docs/repo-layout.md`` come from the
file kinds the resource kinds declare (composed by
:func:`ascsync.desired.model.compose_files`) and the rule data, so they cannot drift from
what ``ascsync validate`` checks. Schemas are draft-07, the draft yaml-language-server
supports best. They are a typing aid: cross-field rules exist only in ``validate``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ascsync.desired.model import Field, FieldType, FileKind
from ascsync.rules.locales import APP_STORE_LOCALES
from ascsync.rules.products import PRICE, TERRITORY
from ascsync.rules.text import TEXT_LIMITS, URL_SCHEMES

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_ID_BASE = "https://ascsync.dev/schemas/"


# ascsync's YAML tags, declared so yaml-language-server does not flag them.
CUSTOM_TAGS = ["!file scalar", "!template scalar", "!env scalar"]


def schema_file_name(kind_name: str) -> str:
    return f"{kind_name}.schema.json"


def file_schema(kind: FileKind) -> dict[str, Any]:
    """The JSON Schema of one file kind."""
    schema = _object_schema(kind.fields, free_form=kind.free_form)
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID_BASE + schema_file_name(kind.name),
        "title": f"ascsync {kind.path}",
        "description": kind.doc,
        **schema,
    }


def file_globs(files: Mapping[str, FileKind]) -> dict[str, str]:
    """Where each file kind lives, as globs relative to the repo root (editor settings)."""
    return {name: kind.glob for name, kind in files.items()}


def all_schemas(files: Mapping[str, FileKind]) -> dict[str, dict[str, Any]]:
    return {name: file_schema(kind) for name, kind in files.items()}


def write_schemas(out_dir: Path, files: Mapping[str, FileKind]) -> list[Path]:
    """Write one ``<kind>.schema.json`` per file kind; returns the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas(files).items():
        path = out_dir / schema_file_name(name)
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def vscode_settings(schema_dir: str, files: Mapping[str, FileKind]) -> dict[str, Any]:
    """``.vscode/settings.json`` content mapping every file kind to its schema."""
    return {
        "yaml.schemas": {
            f"./{schema_dir}/{schema_file_name(name)}": glob
            for name, glob in file_globs(files).items()
        },
        "yaml.customTags": CUSTOM_TAGS,
    }


def _object_schema(fields: tuple[Field, ...], free_form: tuple[str, ...] = ()) -> dict[str, Any]:
    properties = {}
    for f in fields:
        properties[f.key] = {"type": "object"} if f.key in free_form else field_schema(f)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    required = [f.key for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def field_schema(f: Field) -> dict[str, Any]:
    """The schema of one field, with its documentation and limits."""
    schema = _kind_schema(f)
    description = _describe(f)
    if description:
        schema["description"] = description
    if f.deprecated:
        schema["deprecated"] = True
    if f.nullable and "type" in schema:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    elif f.nullable:
        schema = {"anyOf": [schema, {"type": "null"}], "description": description}
    return schema


def _kind_schema(f: Field) -> dict[str, Any]:
    k = f.type
    if k in (FieldType.TEXT, FieldType.SECRET):
        schema: dict[str, Any] = {"type": "string"}
        if f.limit and f.type == FieldType.TEXT:
            limit = TEXT_LIMITS[f.limit]
            schema["maxLength"] = limit.max
            if limit.min:
                schema["minLength"] = limit.min
        if f.pattern is not None:
            schema["pattern"] = f.pattern.pattern
        return schema
    if k == FieldType.URL:
        return {"type": "string", "pattern": "^(" + "|".join(URL_SCHEMES) + ")://[^\\s]+$"}
    if k == FieldType.EMAIL:
        return {"type": "string", "format": "email"}
    if k == FieldType.BOOL:
        return {"type": "boolean"}
    if k == FieldType.INT:
        schema = {"type": "integer"}
        if f.min is not None:
            schema["minimum"] = f.min
        if f.max is not None:
            schema["maximum"] = f.max
        return schema
    if k == FieldType.PRICE:
        return {"anyOf": [{"type": "string", "pattern": PRICE.pattern}, {"type": "number"}]}
    if k == FieldType.DATE:
        return {"type": "string"}
    if k == FieldType.ENUM:
        return {
            "type": "string",
            "enum": list(f.choices) + [old for old, _ in f.deprecated_choices],
        }
    if k == FieldType.STRINGS:
        items: dict[str, Any] = {"type": "string"}
        if f.choices:
            items["enum"] = list(f.choices)
        schema = {"type": "array", "items": items}
        if f.max is not None:
            schema["maxItems"] = f.max
        return schema
    if k == FieldType.TERRITORIES:
        codes = {"type": "array", "items": {"type": "string", "pattern": TERRITORY.pattern}}
        return {"anyOf": [{"const": "all"}, codes]}
    if k == FieldType.OBJECT:
        return _object_schema(f.fields)
    if k == FieldType.LOCALES:
        return {
            "type": "object",
            "propertyNames": {"enum": list(APP_STORE_LOCALES)},
            "additionalProperties": _object_schema(f.fields),
        }
    if k == FieldType.LIST:
        return {"type": "array", "items": _object_schema(f.fields)}
    raise AssertionError(f"no schema for {k}")  # a new FieldType must be handled here


def _describe(f: Field, *, with_apple: bool = True) -> str:
    parts = [f.doc] if f.doc else []
    if f.limit:
        limit = TEXT_LIMITS[f.limit]
        unit = "characters" + (" (joined with commas)" if f.type == FieldType.STRINGS else "")
        bound = f"{limit.min}–{limit.max}" if limit.min else f"≤{limit.max}"
        sure = "" if limit.verified else ", unverified: warning only"
        parts.append(f"{bound} {unit} ({limit.source}{sure}).")
    if f.nullable:
        parts.append("null clears it.")
    if f.deprecated:
        parts.append(f"Deprecated: use {f.deprecated}.")
    if f.apple and with_apple:
        parts.append(f"Apple: {f.apple}.")
    return " ".join(parts)


# ----------------------------------------------------------------- layout doc


def render_layout_doc(files: Mapping[str, FileKind], layout: Iterable[str]) -> str:
    """Markdown for ``docs/repo-layout.md``; a test keeps the committed copy current."""
    out = [
        "# Repo layout",
        "",
        "<!-- Generated from the resource kinds' field tables; do not edit by hand.",
        "     Regenerate: python -c 'from ascsync.kinds.registry import layout_doc;"
        ' print(layout_doc(), end="")\' > docs/repo-layout.md -->',
        "",
        "An ascsync repo is YAML plus images, kept in git. Every rule below is checked offline",
        "by `ascsync validate`; `ascsync schema` writes JSON Schemas so editors check as you type.",
        "",
        "```",
        "ascsync.yml",
        *layout,
        "```",
        "",
        "## Conventions",
        "",
        "- **Leaving a key out means ascsync does not manage it**; App Store Connect keeps its",
        "  value. To clear a value write `null` (only where marked *null clears it*).",
        "- `!file path` reads a text file (relative to the YAML file, inside the repo).",
        "- `!template path` renders a jinja2 template with `defaults` (from `ascsync.yml`),",
        "  `locale`, `version` and `app`.",
        "- `!env NAME` reads an environment variable and treats it as a secret: it is never",
        "  printed. `validate` warns when it is unset; commands that send it fail.",
        "- An app on several platforms keeps one folder: `app.yml`'s `platform` is its own",
        "  platform, and each other platform (`IOS`, `MAC_OS`, `TV_OS`, `VISION_OS`) has",
        "  `platforms/<PLATFORM>/` with its `version.yml`, the version texts that differ",
        "  (`locales/<locale>.yml`, falling back to the app's), screenshots and previews. App",
        "  info (name, subtitle, categories, age rating) is one per app, as in App Store Connect.",
        "  `pull` writes the app's own platform only.",
        "- Lengths count Unicode characters (an emoji or a kanji is one). Limits marked",
        "  *unverified* only warn.",
        "- Locales are the 50 App Store codes, exact case: "
        + ", ".join(f"`{c}`" for c in APP_STORE_LOCALES)
        + ".",
        "",
    ]
    for kind in files.values():
        out += [f"## `{kind.path}`", "", kind.doc, ""]
        out += ["| Key | Type | Rules | Apple |", "|---|---|---|---|"]
        out += _rows(kind.fields, "", kind.free_form)
        out.append("")
    out += _validate_output_doc()
    return "\n".join(out)


def _rows(fields: tuple[Field, ...], prefix: str, free_form: tuple[str, ...] = ()) -> list[str]:
    rows = []
    for f in fields:
        key = f"{prefix}{f.key}"
        rules = _rules_text(f) if f.key not in free_form else "free-form"
        apple = f"`{f.apple}`" if f.apple else ""
        rows.append(f"| `{key}` | {_type_text(f)} | {rules} | {apple} |")
        if f.type == FieldType.OBJECT:
            rows += _rows(f.fields, f"{key}.")
        elif f.type == FieldType.LOCALES:
            rows += _rows(f.fields, f"{key}.<locale>.")
        elif f.type == FieldType.LIST:
            rows += _rows(f.fields, f"{key}[].")
    return rows


def _type_text(f: Field) -> str:
    if f.type == FieldType.ENUM:
        return "one of " + ", ".join(f"`{c}`" for c in f.choices)
    if f.type == FieldType.STRINGS and f.choices:
        return "list of " + ", ".join(f"`{c}`" for c in f.choices[:4]) + ", ..."
    return f.type.value


def _rules_text(f: Field) -> str:
    parts = []
    if f.required:
        parts.append("**required**")
    description = _describe(f, with_apple=False).replace("|", "\\|")
    if description:
        parts.append(description)
    if f.pattern_hint:
        parts.append(f.pattern_hint + ".")
    return " ".join(parts)


def _validate_output_doc() -> list[str]:
    return [
        "## `ascsync validate --format json`",
        "",
        "```json",
        "{",
        '  "schema_version": 1,',
        '  "repo": "path/given",',
        '  "valid": false,',
        '  "summary": {"errors": 1, "warnings": 0},',
        '  "problems": [',
        '    {"severity": "error", "file": "apps/x/app.yml", "line": 3, "field": "platform",',
        '     "message": "\'IPHONE\' is not allowed", "valid": "one of IOS, ..."}',
        "  ]",
        "}",
        "```",
        "",
        "Problems are listed errors first, then warnings, each sorted by file and line. `file` is",
        "relative to the repo; `line` and `valid` may be null. New keys may be added; existing",
        "keys keep their meaning while `schema_version` is 1.",
        "",
    ]
