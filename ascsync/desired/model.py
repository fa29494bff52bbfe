"""The desired-state model: what a team wants App Store Connect to look like.

The same classes hold the *live* state read from the API, so planning is a like-for-like
diff. Three ideas run through the model:

* Every managed value is a :class:`Value` that remembers its :class:`Source` (file, line),
  so any later message can point at the line to change.
* A key that is absent from ``attrs`` is *not managed*: ascsync leaves it alone. A
  :class:`Value` whose ``value`` is ``None`` is an explicit *clear*.
* Secrets are wrapped in :class:`Secret`, whose ``str``/``repr`` is ``(sensitive)``, so a
  password can travel through plans and logs without ever being printed.

The layout of a file (its keys, their types, limits and the Apple attribute each one maps
to) is a :class:`FileKind` made of :class:`Field` s. Each resource kind
(:mod:`ascsync.kinds`) declares the files it owns and the fields it adds to files other
kinds own (``app.yml`` holds the app record and its availability); :func:`compose_files`
puts them together. The loader, the JSON Schemas and ``docs/repo-layout.md`` are all
generated from the composed tables, so they cannot drift.

An :class:`App` is generic: ``app.yml`` (its :attr:`App.record`, which every kind may
read) plus one *part* per resource kind, stored under the kind's name. Each kind module
says what its part is and offers a typed accessor for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from ascsync.problems import Source

LIVE = Source(None, None)  # values read from App Store Connect


# ---------------------------------------------------------------------------- values


class Secret:
    """A sensitive string (a demo account password). Never printed; compare or reveal it.

    ``value`` is ``None`` when the environment variable it comes from is not set: that
    is fine for ``validate`` and an error for commands that must send it.
    """

    __slots__ = ("_value", "env")

    def __init__(self, value: str | None, env: str | None = None):
        self._value = value
        self.env = env

    @property
    def is_set(self) -> bool:
        return self._value is not None

    def reveal(self) -> str | None:
        """The clear text; call only where it is sent to Apple."""
        return self._value

    def __repr__(self) -> str:
        return "(sensitive)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Value:
    """One managed value. ``value is None`` means "clear it" (explicit ``null``)."""

    value: Any
    source: Source

    @property
    def sensitive(self) -> bool:
        return isinstance(self.value, Secret)

    @property
    def is_clear(self) -> bool:
        return self.value is None


Attrs = dict[str, Value]
"""Managed attributes of one resource, keyed by dotted field path (``review.contact.email``)."""


# ------------------------------------------------------------------- the file layout


class FieldType(StrEnum):
    """The type of a field as written in YAML."""

    TEXT = "text"  # a string; long ones may come from !file or !template
    URL = "url"
    EMAIL = "email"
    BOOL = "bool"
    INT = "int"
    PRICE = "price"  # "4.99"; numbers are accepted
    DATE = "date"  # ISO-8601 date or date-time
    ENUM = "enum"
    SECRET = "secret"  # usually !env NAME
    STRINGS = "strings"  # a list of strings
    TERRITORIES = "territories"  # "all" or a list of ISO alpha-3 codes
    OBJECT = "object"  # nested keys, flattened to dotted paths in Attrs
    LOCALES = "locales"  # a mapping locale -> object (a localization sub-resource)
    LIST = "list"  # a list of objects (sub-resources)


NESTED = (FieldType.OBJECT, FieldType.LOCALES, FieldType.LIST)
"""Field types whose value is not a scalar but more fields."""


@dataclass(frozen=True)
class Field:
    """One key of a file kind: its type, rules, and the Apple attribute it maps to."""

    key: str
    type: FieldType
    doc: str
    apple: str | None = None  # "resourceType.attribute" in App Store Connect
    required: bool = False
    nullable: bool = False  # may be set to null to clear it in App Store Connect
    limit: str | None = None  # key of ascsync.rules.text.TEXT_LIMITS
    choices: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    pattern_hint: str = ""
    plain_text: bool = False  # no HTML allowed
    min: int | None = None
    max: int | None = None
    fields: tuple[Field, ...] = ()  # children of OBJECT / LOCALES / LIST
    deprecated: str | None = None  # this key is deprecated: what to use instead
    # accepted values that earn a warning: old value -> what to write instead
    deprecated_choices: tuple[tuple[str, str], ...] = ()
    fixed: bool = False
    """Set once, when App Store Connect creates the resource (Terraform's RequiresReplace):
    a different value on a live resource is listed as locked, never sent."""

    def child(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class FileKind:
    """A kind of file in the repo, e.g. ``apps/<app>/locales/<locale>.yml``."""

    name: str
    path: str
    doc: str
    fields: tuple[Field, ...]
    free_form: tuple[str, ...] = ()  # keys whose content is not checked (template values)

    @property
    def glob(self) -> str:
        """``apps/*/locales/*.yml``: where files of this kind live, for editor settings."""
        return re.sub(r"<[^>]+>", "*", self.path)


@dataclass(frozen=True)
class FileFields:
    """Fields a resource kind adds to a file another kind owns (``app.yml``'s availability).

    ``after`` is the key they follow in that file (the end when ``None``), which is the
    order editors, the layout reference and ``pull`` show.
    """

    file: str
    fields: tuple[Field, ...]
    after: str | None = None


CONFIG_FILE_KIND = FileKind(
    "config",
    "ascsync.yml",
    "The repo's root: format version, apps, template values.",
    (
        Field("format_version", FieldType.INT, "Always 1.", required=True, min=1, max=1),
        Field("apps", FieldType.STRINGS, "App folders under apps/ to manage; default: all."),
        Field("defaults", FieldType.OBJECT, "Free-form values for !template files, as `defaults`."),
    ),
    free_form=("defaults",),
)
"""``ascsync.yml`` belongs to the repo, not to a resource kind."""


def compose_files(owned: Iterable[FileKind], added: Iterable[FileFields]) -> dict[str, FileKind]:
    """Every file kind with the fields other kinds add to it, by name (config first)."""
    files = {CONFIG_FILE_KIND.name: CONFIG_FILE_KIND}
    for kind in owned:
        if kind.name in files:
            raise ValueError(f"two resource kinds own the file kind {kind.name!r}")
        files[kind.name] = kind
    for extra in added:
        base = files.get(extra.file)
        if base is None:
            raise ValueError(f"fields added to {extra.file!r}, which no resource kind owns")
        fields = list(base.fields)
        at = len(fields)
        if extra.after is not None:
            at = next(i for i, f in enumerate(fields) if f.key == extra.after) + 1
        fields[at:at] = extra.fields
        files[extra.file] = replace(base, fields=tuple(fields))
    return files


def field_spec(files: Mapping[str, FileKind], kind: str, dotted: str) -> Field | None:
    """The :class:`Field` of an attribute path like ``subscriptions[0].localizations.ja.name``.

    List indices and the locale segment under a LOCALES field are skipped, so every
    path found in a :class:`Record` resolves.
    """
    fields = files[kind].fields
    spec: Field | None = None
    parts = dotted.split(".")
    i = 0
    while i < len(parts):
        key = parts[i].split("[", 1)[0]
        spec = next((f for f in fields if f.key == key), None)
        if spec is None:
            return None
        fields = spec.fields
        i += 2 if spec.type == FieldType.LOCALES else 1
    return spec


def apple_attribute(files: Mapping[str, FileKind], kind: str, dotted: str) -> str | None:
    """The Apple ``resource.attribute`` a field maps to, e.g. ("locale", "name")."""
    spec = field_spec(files, kind, dotted)
    return spec.apple if spec else None


def sub_fields(fields: Iterable[Field], key: str) -> tuple[Field, ...]:
    """The children of the nested field ``key`` (a LOCALES or LIST field's item fields)."""
    return next(f.fields for f in fields if f.key == key)


# ------------------------------------------------------------------------- records


@dataclass
class Record:
    """One loaded object: flat attributes plus nested sub-resources.

    ``localizations`` (LOCALES fields) and lists of objects (LIST fields) become
    sub-records so they can be diffed one by one. Keys are always the full path from
    the file's root, also inside sub-records, so a key doubles as the ``field`` of a
    message: a subscription group record has ``maps["localizations"]["ja"]`` whose
    attrs hold ``"localizations.ja.name"``, and ``lists["subscriptions"][0]`` holds
    ``"subscriptions[0].period"``. :func:`field_spec` resolves any such key.
    """

    source: Source
    attrs: Attrs = field(default_factory=dict)
    maps: dict[str, dict[str, Record]] = field(default_factory=dict)
    lists: dict[str, list[Record]] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """The plain value of a managed attribute (``default`` when not managed)."""
        value = self.attrs.get(key)
        return default if value is None else value.value

    def to_plain(self) -> dict[str, Any]:
        """The record as nested plain data, the shape of its YAML file (secrets stay wrapped).

        The inverse of loading: ``review.contact.email`` becomes nested mappings, sub-records
        go back under their locale or list index. Used to write YAML and to test the loader.
        """
        result: dict[str, Any] = {}
        self._merge_into(result)
        return result

    def _merge_into(self, result: dict[str, Any]) -> None:
        for path, value in self.attrs.items():
            _set_path(result, path, value.value)
        for path, records in self.maps.items():
            _set_path(result, path, {})
            for code, sub in records.items():
                _set_path(result, f"{path}.{code}", {})
                sub._merge_into(result)
        for path, items in self.lists.items():
            _set_path(result, path, [])
            for i, sub in enumerate(items):
                _set_path(result, f"{path}[{i}]", {})
                sub._merge_into(result)

    def where(self, key: str) -> Source:
        """Where ``key`` was written, or the record's own source when it is absent."""
        value = self.attrs.get(key)
        return value.source if value is not None else self.source

    def manages(self, prefix: str) -> bool:
        """True when a key under ``prefix`` (``price.``) is managed."""
        return any(key.startswith(prefix) for key in self.attrs)


def _set_path(root: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[2].c`` in nested dicts/lists, creating containers on the way."""
    node: Any = root
    parts = path.split(".")
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        key, _, index = part.partition("[")
        if index:
            items = node.setdefault(key, [])
            i = int(index.rstrip("]"))
            while len(items) <= i:
                items.append({})
            if last:
                items[i] = value
            node = items[i]
        elif last:
            if not (isinstance(value, dict | list) and key in node):
                node[key] = value
        else:
            node = node.setdefault(key, {})


@dataclass
class MediaFile:
    """A screenshot or preview on disk. The md5 is computed only when plan needs it."""

    path: Path
    file_name: str
    size: int

    @cached_property
    def md5(self) -> str:
        from ascsync.desired.media import md5_file  # media imports Pillow; only plan needs it

        return md5_file(self.path)


@dataclass
class MediaSet:
    """Screenshots (or previews) of one display type for one locale, in display order."""

    display_type: str
    folder: Path
    files: list[MediaFile] = field(default_factory=list)


@dataclass
class App:
    """Everything ascsync manages for one app. An absent part means "not managed".

    ``record`` is ``app.yml``: every kind may read its identity keys (``bundle_id``,
    ``platform``, ``primary_locale``). ``parts`` holds what each resource kind loaded,
    under the kind's name; read it through the kind's accessor, which knows its type.

    An app on several platforms is one app record in App Store Connect: the platforms
    share its app info (name, subtitle, categories, age rating, privacy URLs) and each
    has its own version, version texts and screenshots. The folder describes the app's
    ``platform``; each other platform is an App of its own in :attr:`platforms`, loaded
    from ``platforms/<PLATFORM>/`` with only the kinds that are per platform, and
    addressed below the app (``app[x].platform[MAC_OS].version[1.2.0]``).
    """

    name: str  # the folder name under apps/ (``x/MAC_OS`` for another platform of x)
    folder: Path
    record: Record  # app.yml (for another platform: a copy naming that platform)
    parts: dict[str, Any] = field(default_factory=dict)
    platform_of: App | None = None
    """The app this is another platform of; None for the app itself."""
    platforms: dict[str, App] = field(default_factory=dict)
    """The app's other platforms by platform (``MAC_OS``), each with its own parts."""

    @property
    def address(self) -> str:
        if self.platform_of is not None:
            return f"{self.platform_of.address}.platform[{self.record.get('platform')}]"
        return f"app[{self.name}]"

    def with_platforms(self) -> list[App]:
        """The app, then each of its other platforms."""
        return [self, *self.platforms.values()]


@dataclass
class DesiredRepo:
    """A whole repo: the apps and the shared template values of ``ascsync.yml``."""

    root: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
