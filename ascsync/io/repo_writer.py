"""Writing live state into the repo's YAML files, keeping what people wrote around it.

``pull`` (adopt an app) and ``drift --write`` (take the web UI's edits into git) both
turn model :class:`~ascsync.desired.model.Record` s back into the layout's files; each
resource kind says which record goes to which file (``ResourceKind.write``). A
team's files carry comments, a key order and quoting they chose, so this module edits
them with ruamel.yaml's round-trip mode and changes only the values that differ:

* a ``!file`` value gets its new text written into the referenced file;
* a ``!template`` value is never overwritten: it is listed for a person to edit;
* a secret (``!env NAME``) is never written: the tag stays, a new one gets a
  suggested variable name and a note;
* a locale key inherited from ``locales/_defaults.yml`` is left alone while the live
  value matches it, and overridden in the locale's own file when it does not;
* text with line breaks is written as a block scalar (``|``), a single line stays
  inline and unwrapped; keywords are a YAML list.

List items (subscriptions, prices, testers) are matched by their identity key
(product id, territory, email), not by position, so reordering cannot garble them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
)

from ascsync.desired.model import Field, FieldType, FileKind, Record, Secret
from ascsync.desired.yamlio import alias_problem
from ascsync.errors import AscsyncError
from ascsync.io import safe_write

CONFIG_FILE = "ascsync.yml"


@dataclass
class WriteReport:
    """What a write did, and what a person must still do."""

    written: list[Path] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Target:
    """One YAML file being merged into, and what helps decide each key."""

    path: Path
    desired: Record | None = None  # the loaded repo's record (effective values, sources)
    inherited: CommentedMap | None = None  # locales/_defaults.yml for a locale file
    inherited_path: Path | None = None


def make_yaml() -> YAML:
    """Round-trip YAML that keeps quotes, comments and the layout's indentation.

    ``!file``/``!template``/``!env`` load as ruamel's TaggedScalar and dump back as written
    (the loader's own tag constructors live on a subclass of its own, not on ruamel's).
    """
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def slug(name: str) -> str:
    """``Movie Catalog Plus`` -> ``movie-catalog-plus``, a file name for a group."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "unnamed"


class RepoWriter:
    """Merges live records into a repo's files; nothing touches disk before :meth:`save`.

    ``managed_only`` (drift ``--write``) writes only the top-level keys the repo already
    manages, so taking live values never starts managing something new.
    """

    def __init__(
        self, root: Path, files: Mapping[str, FileKind], *, managed_only: bool = False
    ) -> None:
        self.root = root
        self.files = files
        self.managed_only = managed_only
        self.yaml = make_yaml()
        self.docs: dict[Path, CommentedMap] = {}
        self.changed: set[Path] = set()
        self.text_files: dict[Path, str] = {}
        self.report = WriteReport()

    # ---------------------------------------------------------------- documents

    def doc(self, path: Path) -> CommentedMap:
        """The parsed file (cached), or an empty mapping for a file to create.

        A file whose path leads outside the repo (a symlink, dangling or not) is refused
        here, before anything is read or written.
        """
        if path not in self.docs:
            safe_write.target(self.root, path)
            data = self._load(path) if path.exists() else None
            if data is not None and not isinstance(data, CommentedMap):
                raise AscsyncError(
                    f"{self.rel(path)}: cannot update it: it holds a {type(data).__name__}, "
                    "not a mapping of keys (fix or remove the file first)"
                )
            self.docs[path] = data if data is not None else CommentedMap()
        return self.docs[path]

    def _load(self, path: Path) -> Any:
        """Parse an existing file; a broken one (or an alias bomb) stops the write before
        anything is saved."""
        try:
            data = self.yaml.load(path.read_text(encoding="utf-8"))
        except (YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise AscsyncError(
                f"{self.rel(path)}{line}: cannot update it: not valid YAML "
                f"({getattr(exc, 'problem', None) or type(exc).__name__}); fix it first"
            ) from None
        problem = alias_problem(path, data)
        if problem is not None:
            line = f":{problem.line}" if problem.line else ""
            raise AscsyncError(f"{self.rel(path)}{line}: cannot update it: {problem.message}")
        return data

    def save(self) -> WriteReport:
        """Write every changed file; returns the report (paths in write order).

        Every path is checked first: if any would be written through a symlink leading
        outside the repo, nothing at all is written and the error names the link.
        """
        outputs: list[tuple[Path, str]] = list(self.text_files.items())
        for path in sorted(self.changed):
            buffer = StringIO()
            self.yaml.dump(self.docs[path], buffer)
            outputs.append((path, buffer.getvalue()))
        for path, _ in outputs:
            safe_write.target(self.root, path)
        for path, text in outputs:
            safe_write.write_text(self.root, path, text)
            self.report.written.append(path)
        return self.report

    def ensure_config(self, app_folder: str) -> None:
        """``ascsync.yml`` exists, and lists the app when it lists apps at all."""
        path = self.root / CONFIG_FILE
        doc = self.doc(path)
        if "format_version" not in doc:
            doc["format_version"] = 1
            self.changed.add(path)
        apps = doc.get("apps")
        if isinstance(apps, list) and app_folder not in apps:
            apps.append(app_folder)
            self.changed.add(path)

    # ---------------------------------------------------------------- files

    def fields(self, file_kind: str) -> tuple[Field, ...]:
        """The field table of a file kind (composed: ``app.yml`` with availability)."""
        return self.files[file_kind].fields

    def write_record(
        self,
        path: Path,
        live: Record,
        fields: tuple[Field, ...],
        desired: Record | None,
        *,
        new_file_managed: bool = False,
        skip: frozenset[str] = frozenset(),
        inherited_from: Path | None = None,
    ) -> None:
        """Merge one live record into the YAML file at ``path``.

        ``new_file_managed``: under ``managed_only`` (drift), a record the repo has no file
        for still gets one (a locale only live). ``skip``: top-level keys never written.
        ``inherited_from``: a file whose keys this one inherits (``locales/_defaults.yml``).
        """
        target = _Target(path, desired)
        if inherited_from is not None and inherited_from.exists():
            target.inherited = self.doc(inherited_from)
            target.inherited_path = inherited_from
        self._merge_file(target, live, fields, new_file_managed=new_file_managed, skip=skip)

    def _merge_file(
        self,
        target: _Target,
        live: Record,
        fields: tuple[Field, ...],
        *,
        new_file_managed: bool,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        plain = {k: v for k, v in live.to_plain().items() if k not in skip}
        if self.managed_only and target.desired is not None:
            managed = _managed_tops(target.desired)
            plain = {k: v for k, v in plain.items() if k in managed}
        elif self.managed_only and not new_file_managed:
            return
        node = self.doc(target.path)
        if not target.path.exists() and not node:
            self.changed.add(target.path)  # a new file, even if every value is empty
        self._merge_map(target, node, plain, fields, "")

    # ---------------------------------------------------------------- merging

    def _merge_map(
        self,
        target: _Target,
        node: CommentedMap,
        live: dict[str, Any],
        fields: tuple[Field, ...],
        prefix: str,
    ) -> None:
        for spec in fields:  # the field table's order, which new files follow
            if spec.key not in live:
                continue
            key, value = spec.key, live[spec.key]
            dotted = f"{prefix}{key}"
            if spec.type is FieldType.OBJECT:
                child = self._child_map(target, node, key, value)
                if child is not None:
                    self._merge_map(target, child, value, spec.fields, dotted + ".")
            elif spec.type is FieldType.LOCALES:
                self._merge_locales(target, node, key, value, spec, dotted)
            elif spec.type is FieldType.LIST:
                self._merge_list(target, node, key, value, spec, dotted)
            else:
                self._set_leaf(target, node, key, value, spec, dotted)

    def _child_map(
        self, target: _Target, node: CommentedMap, key: str, live: dict[str, Any]
    ) -> CommentedMap | None:
        child = node.get(key)
        if isinstance(child, CommentedMap):
            return child
        if not _has_content(live):
            return None  # nothing live under it: do not start managing an empty object
        child = CommentedMap()
        node[key] = child
        self.changed.add(target.path)
        return child

    def _merge_locales(
        self,
        target: _Target,
        node: CommentedMap,
        key: str,
        live: dict[str, Any],
        spec: Field,
        dotted: str,
    ) -> None:
        holder = node.get(key)
        if not isinstance(holder, CommentedMap):
            if not live:
                return
            holder = CommentedMap()
            node[key] = holder
            self.changed.add(target.path)
        flow = any(_is_flow(v) for v in holder.values())
        for code, values in live.items():
            sub = holder.get(code)
            if not isinstance(sub, CommentedMap):
                sub = _new_map(flow)
                holder[code] = sub
                self.changed.add(target.path)
            inner = _Target(target.path)  # keys under a locale are never inherited
            self._merge_map(inner, sub, values, spec.fields, f"{dotted}.{code}.")
        for code in [c for c in holder if c not in live]:
            del holder[code]  # the locale is gone live
            self.changed.add(target.path)

    def _merge_list(
        self,
        target: _Target,
        node: CommentedMap,
        key: str,
        live: list[Any],
        spec: Field,
        dotted: str,
    ) -> None:
        """Match items by identity (first field), merge each, drop the ones gone live.

        Items keep the repo's order (the order someone chose, with their comments); items
        new live are appended in live order.
        """
        seq = node.get(key)
        if not isinstance(seq, CommentedSeq):
            if not live:
                return
            seq = CommentedSeq()
            node[key] = seq
            self.changed.add(target.path)
        ident = spec.fields[0].key
        flow = any(_is_flow(v) for v in seq)
        by_identity = {_identity(values.get(ident)): values for values in live}
        before = [id(item) for item in seq]
        kept = [
            item
            for item in seq
            if isinstance(item, CommentedMap) and _identity(item.get(ident)) in by_identity
        ]
        known = {_identity(item.get(ident)) for item in kept}
        added = [values for values in live if _identity(values.get(ident)) not in known]
        merged = kept + [_new_map(flow) for _ in added]
        sources = [by_identity[_identity(item.get(ident))] for item in kept] + added
        for index, (item, values) in enumerate(zip(merged, sources, strict=True)):
            inner = _Target(target.path)
            self._merge_map(inner, item, values, spec.fields, f"{dotted}[{index}].")
        if [id(item) for item in merged] != before:
            seq[:] = merged
            self.changed.add(target.path)

    def _set_leaf(
        self,
        target: _Target,
        node: CommentedMap,
        key: str,
        value: Any,
        spec: Field,
        dotted: str,
    ) -> None:
        if key not in node:
            self._set_new(target, node, key, value, spec, dotted)
            return
        existing = node[key]
        if isinstance(existing, TaggedScalar):
            self._set_tagged(target, existing, value, dotted)
            return
        if spec.type is FieldType.SECRET or same(existing, value):
            return  # a secret written inline is validate's problem; never echo it here
        if value is None and not spec.nullable:
            if spec.required:
                self.report.notes.append(
                    f"{self.rel(target.path)}: {dotted} has no value live but is required; "
                    "left as it is"
                )
            else:
                del node[key]  # null is not allowed here: leaving it out is what live says
                self.report.notes.append(
                    f"{self.rel(target.path)}: {dotted} has no value live; removed "
                    "(ascsync no longer manages it)"
                )
                self.changed.add(target.path)
            return
        node[key] = styled(value, spec, existing)
        self.changed.add(target.path)

    def _set_new(
        self,
        target: _Target,
        node: CommentedMap,
        key: str,
        value: Any,
        spec: Field,
        dotted: str,
    ) -> None:
        inherited = target.inherited
        if inherited is not None and key in inherited and "." not in dotted:
            effective = target.desired.get(dotted) if target.desired else inherited[key]
            if same(effective, value):
                return  # _defaults.yml already says it
            if isinstance(inherited[key], TaggedScalar):
                tag = inherited[key].tag.value
                self.report.by_hand.append(
                    f"{self.rel(target.inherited_path)}: {key} is {tag} "
                    f"{inherited[key].value}; live {target.path.stem} differs: edit it by hand "
                    f"or override {key} in {self.rel(target.path)}"
                )
                return
        if value is None or value == [] or isinstance(value, Secret) and not value.is_set:
            return  # nothing live: leave the key unmanaged
        if spec.type is FieldType.SECRET:
            name = suggested_env_name(target.path, self.root, dotted)
            node[key] = TaggedScalar(value=name, tag="!env")
            self.report.notes.append(
                f"{self.rel(target.path)}: {dotted} is a secret: written as !env {name}; "
                f"export {name} before plan/apply (its value is never written)"
            )
        else:
            node[key] = styled(value, spec, None)
        self.changed.add(target.path)

    def _set_tagged(self, target: _Target, tag: TaggedScalar, value: Any, dotted: str) -> None:
        name = tag.tag.value
        if name == "!env":
            return  # secrets stay in the environment
        if name == "!file":
            file = (target.path.parent / str(tag.value).strip()).resolve()
            current = file.read_text(encoding="utf-8") if file.exists() else None
            if value is None:
                if current is not None and current.strip():
                    self.report.by_hand.append(
                        f"{self.rel(target.path)}: {dotted} is !file {tag.value}; "
                        "it is empty live: clear or remove it by hand"
                    )
                return
            if current is None or current.rstrip("\n") != str(value).rstrip("\n"):
                self.text_files[file] = str(value).rstrip("\n") + "\n"
            return
        if name == "!template":
            wanted = target.desired.get(dotted) if target.desired else None
            if target.desired is None or not same(wanted, value):
                self.report.by_hand.append(
                    f"{self.rel(target.path)}: {dotted} is !template {tag.value}; "
                    "live differs: edit the template by hand"
                )
            return
        self.report.by_hand.append(f"{self.rel(target.path)}: {dotted} has unknown tag {name}")

    def rel(self, path: Path | None) -> str:
        if path is None:
            return "?"
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


# ------------------------------------------------------------------------ helpers


def styled(value: Any, spec: Field, existing: Any) -> Any:
    """``value`` dressed for YAML: block text, lists, and the old quoting where it fits."""
    if isinstance(value, list):
        seq = CommentedSeq(value)
        if isinstance(existing, CommentedSeq) and existing.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if not isinstance(value, str):
        return value
    if "\n" in value:
        return LiteralScalarString(value)
    if existing is None and (spec.type is FieldType.PRICE or spec.key == "version"):
        return DoubleQuotedScalarString(value)  # "2.4" or "4.90" unquoted would be numbers
    if isinstance(existing, ScalarString) and not isinstance(
        existing, LiteralScalarString | FoldedScalarString
    ):
        return type(existing)(value)
    return value


def same(have: Any, want: Any) -> bool:
    """Equal as the repo means it: text ignores trailing newlines, prices compare as text."""
    return _norm(have) == _norm(want)


def _norm(value: Any) -> Any:
    if isinstance(value, Secret):
        return ("secret", value.env)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").rstrip("\n")
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in value.items()}
    return str(value)


def suggested_env_name(path: Path, root: Path, dotted: str) -> str:
    """``MOVIECATALOG_DEMO_PASSWORD`` (or ``..._BETA_DEMO_PASSWORD``) for a new secret."""
    try:
        parts = path.relative_to(root).parts
        app = parts[1] if len(parts) > 1 and parts[0] == "apps" else "APP"
    except ValueError:
        app = "APP"
    beta = "_BETA" if "testflight" in path.parts else ""
    base = re.sub(r"[^A-Z0-9]+", "_", app.upper()).strip("_") or "APP"
    return f"{base}{beta}_DEMO_PASSWORD"


def _managed_tops(record: Record) -> set[str]:
    """Top-level keys of a file a desired record manages (``review`` for review.notes)."""
    keys = [*record.attrs, *record.maps, *record.lists]
    return {re.split(r"[.\[]", k, maxsplit=1)[0] for k in keys}


def source_file(record: Record | None) -> Path | None:
    """The file a loaded record came from (where pull writes it back), if any."""
    return record.source.file if record is not None and record.source.file else None


def _has_content(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_content(v) for v in value.values())
    if isinstance(value, list):
        return bool(value)
    return value is not None


def _identity(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _is_flow(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq) and bool(node.fa.flow_style())


def _new_map(flow: bool) -> CommentedMap:
    node = CommentedMap()
    if flow:
        node.fa.set_flow_style()
    return node


__all__ = [
    "RepoWriter",
    "WriteReport",
    "make_yaml",
    "same",
    "slug",
    "source_file",
    "suggested_env_name",
]
