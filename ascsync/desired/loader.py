"""Load a desired-state repo into the model, collecting every problem instead of stopping.

The walk is generic: ``ascsync.yml``, then each app folder's ``app.yml`` (whose fields
several resource kinds contribute), then every resource kind in registry order loads its
own files through the helpers of :class:`RepoLoader`. Each YAML mapping is checked key by
key against its :class:`~ascsync.desired.model.Field` list (unknown keys get a "did you
mean"), each value is converted to its type and checked against its own rules (length,
URL, email, enum, pattern). Rules that need several values at once live in each kind's
``check`` and run in :mod:`ascsync.desired.validate`.

Nothing here raises on bad input: a broken file becomes a :class:`Problem` and the
rest of the repo is still read, so one run reports all mistakes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import jinja2
import jinja2.sandbox
from ruamel.yaml.comments import TaggedScalar

from ascsync.api.redact import register_secret
from ascsync.desired.model import (
    NESTED,
    App,
    DesiredRepo,
    Field,
    FieldType,
    FileKind,
    Record,
    Secret,
    Value,
)
from ascsync.desired.yamlio import Tagged, item_line, key_line, parse_yaml, to_plain
from ascsync.problems import Problem, Severity, Source
from ascsync.rules import locales as loc
from ascsync.rules import products as pr
from ascsync.rules import text as tx

CONFIG_FILE = "ascsync.yml"
APP_FILE = "app.yml"
PLATFORMS_FOLDER = "platforms"
"""``apps/<app>/platforms/<PLATFORM>/``: what the app's other platforms have of their own."""
MAX_TEXT_FILE_BYTES = 1_000_000  # far above any App Store text; guards against mistakes


class RepoPart(Protocol):
    """What loading and validating ask of a resource kind (:mod:`ascsync.kinds.base`)."""

    @property
    def name(self) -> str: ...

    @property
    def paths(self) -> tuple[str, ...]:
        """Where its files live (``apps/<app>/locales/<locale>.yml``), for the layout."""
        ...

    @property
    def per_platform(self) -> bool:
        """True when each platform of an app has its own (a version, its screenshots)."""
        ...

    def load(self, loader: RepoLoader, app: App) -> None: ...

    def check(self, app: App) -> list[Problem]: ...


def load_repo(
    root: Path,
    kinds: Sequence[RepoPart],
    files: Mapping[str, FileKind],
    *,
    need_secrets: bool = False,
) -> tuple[DesiredRepo, list[Problem]]:
    """Read the repo at ``root``; with ``need_secrets`` a missing ``!env`` is an error.

    ``files`` are the composed file kinds (:func:`~ascsync.desired.model.compose_files`).
    """
    loader = RepoLoader(root, kinds, files, need_secrets)
    repo = loader.load()
    return repo, loader.problems


def app_entries(kinds: Sequence[RepoPart]) -> tuple[str, ...]:
    """File and folder names the kinds read directly in an app folder (``locales``...)."""
    names: list[str] = [APP_FILE, PLATFORMS_FOLDER]
    for kind in kinds:
        for path in kind.paths:
            parts = path.split("/")
            if len(parts) > 2 and parts[0] == "apps" and parts[2] not in names:
                names.append(parts[2])
    return tuple(names)


class RepoLoader:
    """One load of a repo: the problems found so far and the helpers kinds load with."""

    def __init__(
        self,
        root: Path,
        kinds: Sequence[RepoPart],
        files: Mapping[str, FileKind],
        need_secrets: bool = False,
    ):
        self.root = root
        self.real_root = root.resolve()
        self.kinds = kinds
        self.files = files
        self.need_secrets = need_secrets
        self.problems: list[Problem] = []
        self.context: dict[str, Any] = {}  # template context of the app being loaded
        self._raw_cache: dict[Path, Any] = {}  # parsed YAML by path; _defaults.yml is reused
        self._entries = app_entries(kinds)
        self._inside: set[str] = {str(self.real_root)}
        """Real folders already found inside the repo (see :meth:`inside_repo`)."""

    # ------------------------------------------------------------------ the repo

    def load(self) -> DesiredRepo:
        repo = DesiredRepo(root=self.root)
        if not self.root.is_dir():
            self.report(
                None, None, "repo", f"{self.root} is not a folder", "the path of an ascsync repo"
            )
            return repo
        config = self.read_file(self.root / CONFIG_FILE, self.files["config"], required=True)
        wanted: list[str] | None = None
        if config is not None:
            repo.defaults = to_plain(self._defaults_of(self.root / CONFIG_FILE)) or {}
            wanted = config.get("apps")
        for name in self._app_names(wanted, config):
            app = self.load_app(name, self.root / "apps" / name, repo.defaults)
            if app is not None:
                repo.apps[name] = app
        return repo

    def _defaults_of(self, path: Path) -> Any:
        data = self._raw_cache.get(path)
        return data.get("defaults") if isinstance(data, dict) else None

    def _app_names(self, wanted: list[str] | None, config: Record | None) -> list[str]:
        """App folders to load: all under ``apps/``, or those ``ascsync.yml`` lists.

        A folder name becomes part of plan addresses, PR comments, CI logs and file names,
        so only a safe character set is accepted (see :meth:`_bad_app_name`); such a
        folder is reported and skipped rather than quoted into any of those.
        """
        apps_dir = self.root / "apps"
        listed = (
            sorted(p.name for p in apps_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
            if apps_dir.is_dir()
            else []
        )
        found = []
        for name in listed:
            if self._bad_app_name(name, apps_dir / name, Source(apps_dir / name)):
                continue
            found.append(name)
        if wanted is None:
            if not listed:
                self.report(apps_dir, None, "apps", "no app folders found", "apps/<name>/app.yml")
            return found
        where = config.where("apps") if config else Source(self.root / CONFIG_FILE)
        for name in wanted:
            if name in listed:
                continue
            if self._bad_app_name(str(name), None, where):
                continue
            self.problems.append(
                where.problem(
                    "apps",
                    f"lists {name!r} but apps/{name}/ does not exist",
                    hint(name, found),
                )
            )
        return [n for n in wanted if n in found]

    APP_NAME_RULE = (
        "letters A-Z a-z, digits 0-9, '-', '_' and '.', starting with a letter or digit, "
        "at most 64 characters"
    )

    def _bad_app_name(self, name: str, folder: Path | None, where: Source) -> bool:
        """Report ``name`` unless it is ASCII letters, digits, ``-``, ``_`` and ``.``.

        Why so strict: a name like ``mc<!--`` would hide the rest of a PR comment, one
        with a line break or ``::`` could forge CI log lines; App Store Connect never
        sees folder names, so nothing is lost by renaming.
        """

        def allowed(char: str) -> bool:
            return char.isascii() and (char.isalnum() or char in "-_.")

        first_ok = bool(name) and name[0].isascii() and name[0].isalnum()
        if first_ok and len(name) <= 64 and all(allowed(c) for c in name):
            return False
        what = f"app folder {name!r}" if folder is not None else f"app name {name!r}"
        self.problems.append(
            where.problem(
                "apps", f"{what} has characters ascsync does not accept", self.APP_NAME_RULE
            )
        )
        return True

    # ------------------------------------------------------------------- one app

    def load_app(self, name: str, folder: Path, defaults: dict[str, Any]) -> App | None:
        """``app.yml`` first (every kind reads its identity), then each kind in order."""
        if not self.inside_repo(folder, Source(folder), "app"):
            return None
        record = self.read_file(folder / APP_FILE, self.files["app"], required=True)
        if record is None:
            return None
        app = App(name=name, folder=folder, record=record)
        self._check_app_folder(folder)
        plain_app = {"name": name, **record.to_plain()}
        self.context = {"defaults": defaults, "version": None, "app": plain_app}
        for kind in self.kinds:
            kind.load(self, app)
        self._load_platforms(app, {"defaults": defaults, "version": None, "app": plain_app})
        return app

    def _load_platforms(self, app: App, context: dict[str, Any]) -> None:
        """``platforms/<PLATFORM>/``: the per-platform kinds of each other platform."""
        base = app.folder / PLATFORMS_FOLDER
        if not base.is_dir() or not self.inside_repo(base, Source(base), "platforms"):
            return
        main = app.record.get("platform")
        for folder in sorted(p for p in base.iterdir() if not p.name.startswith(".")):
            where = Source(folder)
            if not folder.is_dir() or folder.name not in pr.PLATFORMS:
                self.problems.append(
                    where.problem(
                        "platforms",
                        f"{folder.name!r} is not a platform folder",
                        hint(folder.name, pr.PLATFORMS),
                    )
                )
                continue
            if folder.name == main:
                self.problems.append(
                    where.problem(
                        "platforms",
                        f"{folder.name} is the app's own platform (app.yml: platform)",
                        "its files go in the app folder itself",
                    )
                )
                continue
            if not (folder / "version.yml").is_file():
                self.problems.append(
                    where.problem(
                        "platforms",
                        f"{folder.name} has no version.yml",
                        f"add platforms/{folder.name}/version.yml with its version",
                    )
                )
                continue
            record = Record(
                app.record.source,
                {**app.record.attrs, "platform": Value(folder.name, Source(folder))},
            )
            other = App(f"{app.name}/{folder.name}", folder, record, platform_of=app)
            self.context = dict(context)
            for kind in self.kinds:
                if kind.per_platform:
                    kind.load(self, other)
            app.platforms[folder.name] = other

    def _check_app_folder(self, folder: Path) -> None:
        """Warn about files ascsync would silently ignore (a typo in a file name)."""
        files = tuple(e for e in self._entries if e.endswith(".yml"))
        folders = tuple(e for e in self._entries if not e.endswith(".yml"))
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yml", ".yaml") and path.name not in files:
                self.report(
                    path,
                    None,
                    "file",
                    "is not a file ascsync reads",
                    hint(path.stem + ".yml", files),
                    Severity.WARNING,
                )
            elif path.is_dir() and path.name not in folders and _close(path.name, folders):
                self.report(
                    path,
                    None,
                    "folder",
                    "is not a folder ascsync reads",
                    hint(path.name, folders),
                    Severity.WARNING,
                )

    def add_unique(self, into: dict[str, Record], key: str, record: Record, field: str) -> None:
        """File ``record`` under ``key`` unless another file of the app already uses it."""
        first = into.get(key)
        if first is None:
            into[key] = record
            return
        other = first.where(field)
        other_name = other.file.name if other.file else "another file"
        self.problems.append(
            record.where(field).problem(
                field, f"{key!r} is already used in {other_name}", "must be unique within the app"
            )
        )

    # ------------------------------------------------------------------- files

    def yaml_files(self, folder: Path) -> list[Path]:
        """The ``*.yml`` files of a folder; a ``.yaml`` there earns a warning."""
        if not folder.is_dir():
            return []
        result = []
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue
            if path.suffix == ".yml" and not path.is_dir():
                result.append(path)
            elif path.suffix == ".yaml":
                self.report(
                    path,
                    None,
                    "file",
                    "is ignored: ascsync reads *.yml",
                    f"rename it to {path.stem}.yml",
                    Severity.WARNING,
                )
        return result

    def read_file(self, path: Path, kind: FileKind, *, required: bool = False) -> Record | None:
        """Parse one YAML file of ``kind``; ``None`` if absent (= not managed) or unreadable."""
        if not path.exists() and not path.is_symlink():
            if required:
                self.report(
                    path, None, kind.name, "is missing", f"create {_relative(path, self.root)}"
                )
            return None
        data = self.raw(path)
        if data is None:
            return None
        record = Record(Source(path, 1))
        self.fill(kind.fields, data, record, Source(path, 1), free_form=kind.free_form)
        return record

    def raw(self, path: Path) -> Any:
        """The parsed YAML of ``path`` (cached), or ``None`` with a problem reported."""
        if path in self._raw_cache:
            return self._raw_cache[path]
        data = None
        text = self.read_text(path, Source(path), "file")
        if text is not None:
            data, problem = parse_yaml(path, text)
            if problem is not None:
                self.problems.append(problem)
                data = None
            elif data is None:
                data = {}  # an empty file manages nothing
            elif not isinstance(data, dict):
                self.report(
                    path,
                    1,
                    "file",
                    f"must be a mapping of keys, not {_type_name(data)}",
                    "key: value lines",
                )
                data = None
        self._raw_cache[path] = data
        return data

    def read_text(self, path: Path, where: Source, field: str) -> str | None:
        if not self.inside_repo(path, where, field):
            return None
        if not path.is_file():
            state = "is a folder, not a file" if path.is_dir() else "does not exist"
            self.problems.append(
                where.problem(
                    field,
                    f"{_relative(path, self.root)} {state}",
                    "a file path relative to the YAML file",
                )
            )
            return None
        try:
            if path.stat().st_size > MAX_TEXT_FILE_BYTES:
                self.problems.append(
                    where.problem(field, f"{path.name} is larger than 1 MB", "a text file")
                )
                return None
            return path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            self.problems.append(
                where.problem(field, f"{path.name} is not UTF-8 text", "save it as UTF-8")
            )
        except OSError as exc:
            self.problems.append(where.problem(field, f"cannot read {path.name}: {exc.strerror}"))
        return None

    def inside_repo(self, path: Path, where: Source, field: str) -> bool:
        """Files must stay in the repo: no ``..`` or symlink may lead outside it.

        A folder found inside is remembered, so for the thousands of files in it one
        ``lstat`` (is it a symlink?) replaces resolving every component of its path.
        """
        parent = os.path.dirname(os.path.abspath(path))
        if parent in self._inside and not _is_link(path):
            return True
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            self.problems.append(
                where.problem(field, f"{path.name} cannot be resolved (symlink loop?)")
            )
            return False
        if real == self.real_root or str(real).startswith(str(self.real_root) + os.sep):
            if real.is_dir() and not _is_link(path) and os.path.abspath(path) == str(real):
                self._inside.add(str(real))
            return True
        how = "is a symlink leading" if path.is_symlink() else "leads"
        self.problems.append(
            where.problem(
                field,
                f"{_relative(path, self.root)} {how} outside the repo",
                "keep every file inside the repo",
            )
        )
        return False

    def report(
        self,
        path: Path | None,
        line: int | None,
        field: str,
        message: str,
        valid: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.problems.append(Problem(path, line, field, message, valid, severity))

    # --------------------------------------------------------- mapping -> record

    def fill(
        self,
        fields: tuple[Field, ...],
        data: Any,
        record: Record,
        at: Source,
        prefix: str = "",
        free_form: tuple[str, ...] = (),
    ) -> None:
        """Check ``data`` (a mapping) against ``fields`` and store its values in ``record``."""
        by_key = {f.key: f for f in fields}
        for key, raw in data.items():
            line = key_line(data, key, at.line or 1)
            src = Source(at.file, line)
            path = f"{prefix}{_key_text(key)}"
            spec = by_key.get(key) if isinstance(key, str) else None
            if spec is None:
                self.problems.append(
                    src.problem(path, "unknown key", hint(_key_text(key), list(by_key)))
                )
                continue
            if spec.deprecated:
                self.problems.append(
                    src.problem(path, "is deprecated", f"use {spec.deprecated}", Severity.WARNING)
                )
            if key in free_form:
                self.expect(raw, dict, src, path, "a mapping of keys")
                continue
            self.fill_one(spec, raw, record, src, path)
        for spec in fields:
            if spec.required and spec.key not in data:
                self.problems.append(
                    at.problem(f"{prefix}{spec.key}", "is required", _example(spec))
                )

    def fill_one(self, spec: Field, raw: Any, record: Record, src: Source, path: str) -> None:
        if raw is None and spec.type not in NESTED:
            if spec.nullable:
                record.attrs[path] = Value(None, src)
            else:
                self.problems.append(
                    src.problem(
                        path,
                        "cannot be null (cleared)",
                        "give a value, or leave the key out to leave it unmanaged",
                    )
                )
            return
        if spec.type == FieldType.OBJECT:
            if self.expect(raw, dict, src, path, "a mapping of keys"):
                self.fill(spec.fields, raw, record, src, prefix=f"{path}.")
        elif spec.type == FieldType.LOCALES:
            if self.expect(raw, dict, src, path, "a mapping locale -> fields"):
                record.maps[path] = self.fill_locales(spec, raw, src, path)
        elif spec.type == FieldType.LIST:
            if self.expect(raw, list, src, path, "a list of mappings"):
                record.lists[path] = self.fill_list(spec, raw, src, path)
        else:
            value = self.convert(spec, raw, src, path)
            if value is not None:
                record.attrs[path] = value
                problems = _content_problems(spec, value, path)
                locale = self.context.get("locale")
                if isinstance(raw, Tagged) and raw.tag == "!template" and locale:
                    # one template renders differently per locale: say which one failed
                    problems = [
                        replace(p, message=f"rendered for {locale}, {p.message}") for p in problems
                    ]
                self.problems.extend(problems)

    def fill_locales(self, spec: Field, data: Any, at: Source, path: str) -> dict[str, Record]:
        result: dict[str, Record] = {}
        for code, raw in data.items():
            src = Source(at.file, key_line(data, code, at.line or 1))
            where = f"{path}.{code}"
            if not isinstance(code, str) or not loc.is_locale(code):
                self.problems.append(
                    src.problem(
                        where, f"{code!r} is not an App Store locale", loc.suggest_locale(str(code))
                    )
                )
                continue
            if self.expect(raw, dict, src, where, "a mapping of keys"):
                record = Record(src)
                saved = self.context.get("locale")
                self.context["locale"] = code
                self.fill(spec.fields, raw, record, src, prefix=f"{where}.")
                self.context["locale"] = saved
                result[code] = record
        return result

    def fill_list(self, spec: Field, items: list[Any], at: Source, path: str) -> list[Record]:
        result = []
        for i, raw in enumerate(items):
            src = Source(at.file, item_line(items, i, at.line or 1))
            where = f"{path}[{i}]"
            if self.expect(raw, dict, src, where, "a mapping of keys"):
                record = Record(src)
                self.fill(spec.fields, raw, record, src, prefix=f"{where}.")
                result.append(record)
        return result

    def expect(self, raw: Any, type_: type, src: Source, path: str, what: str) -> bool:
        if isinstance(raw, type_):
            return True
        self.problems.append(src.problem(path, f"must be {what}, not {_type_name(raw)}", None))
        return False

    # ------------------------------------------------------------------- scalars

    def convert(self, spec: Field, raw: Any, src: Source, path: str) -> Value | None:
        """Turn a YAML scalar into the field's kind; ``None`` (and a problem) if it can't be."""
        if isinstance(raw, TaggedScalar) or (
            isinstance(raw, Tagged) and raw.tag not in ("!file", "!template", "!env")
        ):
            tag = raw.tag if isinstance(raw, Tagged) else str(raw.tag.value)
            self.problems.append(
                src.problem(path, f"unknown tag {tag}", "!file, !template or !env")
            )
            return None
        if isinstance(raw, Tagged):
            return self.resolve_tag(spec, raw, src, path)
        if spec.type == FieldType.SECRET:
            if not isinstance(raw, str):
                self.wrong_type(raw, src, path, "!env NAME")
                return None
            self.problems.append(
                src.problem(
                    path, "is written in clear text in the repo", "use !env NAME", Severity.WARNING
                )
            )
            return Value(Secret(str(raw)), src)
        if spec.type in (FieldType.STRINGS, FieldType.TERRITORIES) and isinstance(raw, list):
            bad = next((i for i, item in enumerate(raw) if not isinstance(item, str)), None)
            if bad is not None:
                item_src = Source(src.file, item_line(raw, bad, src.line or 1))
                self.wrong_type(raw[bad], item_src, f"{path}[{bad}]", "text")
                return None
        converter = _CONVERTERS[spec.type]
        try:
            return Value(converter(spec, raw), src)
        except _WrongType as exc:
            self.wrong_type(raw, src, path, exc.expected)
            return None

    def wrong_type(self, raw: Any, src: Source, path: str, expected: str) -> None:
        """Report a value of the wrong type, with a hint when quoting would fix it."""
        shown = f" {raw!r}" if isinstance(raw, bool | int | float | str) else ""
        self.problems.append(
            src.problem(
                path,
                f"must be {expected}, not {_type_name(raw)}{shown}",
                _quote_hint(raw, expected),
            )
        )

    def resolve_tag(self, spec: Field, tag: Tagged, src: Source, path: str) -> Value | None:
        src = Source(src.file, tag.line or src.line)
        if not tag.argument.strip():
            self.problems.append(
                src.problem(path, f"{tag.tag} needs an argument", f"{tag.tag} <name or path>")
            )
            return None
        if tag.tag == "!env":
            if spec.type is not FieldType.SECRET:
                # a public field would publish the variable (a key, a token) as listing text
                self.problems.append(
                    src.problem(
                        path,
                        "!env is only for secret fields (review.demo_account.password)",
                        "write the value inline, or use !file or !template",
                    )
                )
                return None
            return self.resolve_env(spec, tag.argument.strip(), src, path)
        if spec.type not in (FieldType.TEXT, FieldType.URL, FieldType.EMAIL):
            self.problems.append(
                src.problem(path, f"{tag.tag} is only for text fields", "write the value inline")
            )
            return None
        base = src.file.parent if src.file else self.root
        file = Path(os.path.normpath(base / tag.argument.strip()))
        if self._under_git_dir(file):
            self.problems.append(
                src.problem(
                    path,
                    f"{tag.tag} {tag.argument.strip()} reads git's own files (.git/), "
                    "which hold credentials such as the CI checkout token; refused",
                    "a file of the listing, outside .git/",
                )
            )
            return None
        text = self.read_text(file, src, path)
        if text is None:
            return None
        text_src = Source(file, 1)
        if tag.tag == "!template":
            text = self.render(text, text_src, path)
            if text is None:
                return None
        return Value(text.rstrip("\n"), text_src)

    def _under_git_dir(self, file: Path) -> bool:
        """Whether ``file`` (as written, or where its symlinks lead) is inside a ``.git``
        folder of the repo: ``.git/config`` can carry the checkout token, and a template
        could copy it into the plan comment."""
        try:
            real = file.resolve()
        except (OSError, RuntimeError):
            real = file  # a symlink loop: read_text reports it
        candidates = [
            Path(os.path.relpath(file, self.root)),
            Path(os.path.relpath(real, self.real_root)),
        ]
        return any(part.casefold() == ".git" for c in candidates for part in c.parts)

    def resolve_env(self, spec: Field, name: str, src: Source, path: str) -> Value:
        value = os.environ.get(name)
        register_secret(value)
        if value is None:
            severity = Severity.ERROR if self.need_secrets else Severity.WARNING
            self.problems.append(
                src.problem(
                    path,
                    f"environment variable {name} is not set",
                    f"export {name}=... before plan/apply",
                    severity,
                )
            )
        return Value(Secret(value, env=name), src)

    def render(self, template_text: str, src: Source, path: str) -> str | None:
        """Render a ``!template`` in jinja2's sandbox, with a deadline and size caps
        (:mod:`ascsync.desired.templates`): repo templates come from PR authors."""
        from ascsync.desired import templates

        try:
            return templates.render(template_text, self.context)
        except templates.TemplateLimitError as exc:
            self.problems.append(
                src.problem(
                    path,
                    f"template stopped: {exc}",
                    f"at most {templates.SECONDS:g} s and {templates.MAX_CHARS:,} characters",
                )
            )
        except jinja2.TemplateSyntaxError as exc:
            self.problems.append(
                Source(src.file, exc.lineno).problem(
                    path, f"template error: {exc.message}", "jinja2 syntax"
                )
            )
        except jinja2.UndefinedError as exc:
            names = ", ".join(sorted(self.context))
            self.problems.append(
                src.problem(path, f"template error: {exc.message}", f"available: {names}")
            )
        except Exception as exc:  # noqa: BLE001 - a template can fail in many ways; report, don't crash
            self.problems.append(src.problem(path, f"template error: {type(exc).__name__}: {exc}"))
        return None


# ---------------------------------------------------------------------- converters


class _WrongType(Exception):
    def __init__(self, expected: str):
        self.expected = expected


def _to_text(spec: Field, raw: Any) -> str:
    if isinstance(raw, str):
        return str(raw)
    raise _WrongType("text")


def _to_bool(spec: Field, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    raise _WrongType("true or false")


def _to_int(spec: Field, raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return int(raw)
    raise _WrongType("a whole number")


def _to_price(spec: Field, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _WrongType('a price such as "4.99"')
    return str(raw)


def _to_date(spec: Field, raw: Any) -> str:
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    if isinstance(raw, str):
        try:
            dt.datetime.fromisoformat(str(raw))
            return str(raw)
        except ValueError:
            pass
    raise _WrongType("an ISO-8601 date such as 2026-05-01T09:00:00Z")


def _to_strings(spec: Field, raw: Any) -> list[str]:
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return [str(x) for x in raw]
    raise _WrongType("a list of strings")


def _to_territories(spec: Field, raw: Any) -> str | list[str]:
    if isinstance(raw, str) and str(raw) == "all":
        return "all"
    return _to_strings(spec, raw)


_CONVERTERS = {
    FieldType.TEXT: _to_text,
    FieldType.URL: _to_text,
    FieldType.EMAIL: _to_text,
    FieldType.ENUM: _to_text,
    FieldType.BOOL: _to_bool,
    FieldType.INT: _to_int,
    FieldType.PRICE: _to_price,
    FieldType.DATE: _to_date,
    FieldType.STRINGS: _to_strings,
    FieldType.TERRITORIES: _to_territories,
}


def _content_problems(spec: Field, value: Value, path: str) -> list[Problem]:
    """The rules of a single value: enum, pattern, length, URL, email, HTML, bounds."""
    v, src = value.value, value.source
    if isinstance(v, Secret) or v is None:
        return []
    if spec.type == FieldType.ENUM:
        return _enum_problems(spec, v, src, path)
    if spec.type == FieldType.STRINGS:
        problems = [p for item in v for p in tx.check_control_characters(item, src, path)][:1]
        if spec.max is not None and len(v) > spec.max:
            problems.append(src.problem(path, f"has {len(v)} items", f"at most {spec.max}"))
        if spec.choices:
            for item in v:
                problems += _enum_problems(spec, item, src, path)
        return problems
    if spec.type == FieldType.TERRITORIES:
        bad = [t for t in v if not pr.TERRITORY.match(t)] if isinstance(v, list) else []
        return [
            src.problem(path, f"{t!r} is not a territory code", 'ISO alpha-3 such as USA, or "all"')
            for t in bad
        ]
    if spec.type == FieldType.INT:
        if (spec.min is not None and v < spec.min) or (spec.max is not None and v > spec.max):
            return [src.problem(path, f"is {v}", _bounds(spec))]
        return []
    if spec.type == FieldType.PRICE:
        return (
            []
            if pr.PRICE.match(v)
            else [src.problem(path, f"{v!r} is not a price", 'e.g. "0.00" or "4.99"')]
        )
    if not isinstance(v, str):
        return []
    problems = tx.check_control_characters(v, src, path)
    if spec.type == FieldType.URL:
        problems += tx.check_url(v, src, path)
    if spec.type == FieldType.EMAIL:
        problems += tx.check_email(v, src, path)
    if spec.pattern is not None and not spec.pattern.match(v):
        problems.append(src.problem(path, f"{v!r} is not valid", spec.pattern_hint or None))
    if spec.limit is not None:
        problems += tx.check_length(v, spec.limit, src, path)
    if spec.plain_text:
        problems += tx.check_no_html(v, src, path)
    return problems


def _enum_problems(spec: Field, v: str, src: Source, path: str) -> list[Problem]:
    if v in spec.choices:
        return []
    replacement = dict(spec.deprecated_choices).get(v)
    if replacement:
        return [src.problem(path, f"{v} is deprecated", f"use {replacement}", Severity.WARNING)]
    return [src.problem(path, f"{v!r} is not allowed", hint(v, spec.choices))]


def _example(spec: Field) -> str | None:
    """The 'valid' hint for a missing required key."""
    if spec.choices:
        return hint("", spec.choices)
    return spec.pattern_hint or None


def _key_text(key: Any) -> str:
    if isinstance(key, Tagged):
        return f"{key.tag} {key.argument}"
    if key == "":
        return '""'
    return str(key)


def _bounds(spec: Field) -> str:
    if spec.min is not None and spec.min == spec.max:
        return f"must be {spec.min}"
    if spec.min is not None and spec.max is not None:
        return f"{spec.min} to {spec.max}"
    return f"at least {spec.min}" if spec.min is not None else f"at most {spec.max}"


def hint(word: str, choices: Any) -> str:
    """'did you mean X?' when something is close, else the list of valid values."""
    options = [str(c) for c in choices]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        folded = {o.casefold(): o for o in options}
        match = folded.get(word.casefold())
        close = [match] if match else []
    if close:
        return f"did you mean {close[0]}?"
    if len(options) > 12:
        return "one of " + ", ".join(options[:12]) + ", ..."
    return "one of " + ", ".join(options) if options else "nothing is allowed here"


def _close(word: str, choices: Any) -> bool:
    return bool(difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75))


def _quote_hint(raw: Any, expected: str) -> str | None:
    if expected == "text" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return f'quote it: "{raw}"'
    if expected == "text" and isinstance(raw, bool):
        return "quote it if you mean the word"
    if expected == "a list of strings" and isinstance(raw, str):
        items = ", ".join(part.strip() for part in str(raw).split(",")[:3])
        return f"a YAML list, e.g. [{items}]"
    return None


def _type_name(raw: Any) -> str:
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "a boolean"
    if isinstance(raw, int):
        return "a number"
    if isinstance(raw, float):
        return "a number"
    if isinstance(raw, str):
        return "text"
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, dt.date):
        return "a date"
    return type(raw).__name__


def _relative(path: Path, root: Path) -> str:
    """``path`` as the user thinks of it: relative to the repo, even when it leaves it."""
    return os.path.relpath(path, root)


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return True  # unreadable: take the careful road
