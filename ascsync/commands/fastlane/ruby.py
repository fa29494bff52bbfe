"""Reading the settings out of a fastlane ``Appfile`` or ``Deliverfile``.

Both are Ruby programs. ascsync does not run Ruby: it reads the small subset teams write
in practice — ``option value`` or ``option(value)`` with strings, symbols, numbers,
booleans, arrays and hashes, ``ENV["NAME"]`` / ``ENV.fetch("NAME", "default")`` /
``ENV["NAME"] || "default"``, and ``for_platform``/``for_lane`` blocks — and reports
every line it did not understand instead of guessing. Environment lookups are resolved
from the importing process's environment; an unset variable is reported by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascsync.commands.fastlane.deliver import PLATFORM_NAMES


@dataclass(frozen=True)
class EnvLookup:
    """A variable a value reads (for the report, and so secrets are never written out)."""

    name: str
    is_set: bool  # False: the default after it was used, or the value is missing


@dataclass(frozen=True)
class Setting:
    """One ``option value`` line: the value, or why it has none."""

    name: str
    line: int
    value: Any = None
    problem: str | None = None  # set when the value could not be worked out
    env: tuple[EnvLookup, ...] = ()
    platform: str | None = None  # inside ``for_platform :mac do``: MAC_OS
    lane: str | None = None  # inside ``for_lane :beta do``


@dataclass
class RubySettings:
    """Every setting of one file, in order, plus the lines that were not understood."""

    path: Path
    settings: list[Setting] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)

    def all(self, name: str, platform: str) -> list[Setting]:
        """Settings of ``name`` that apply to ``platform`` (global ones and its block's)."""
        return [
            s
            for s in self.settings
            if s.name == name and (s.platform is None or s.platform == platform)
        ]

    def get(self, name: str, platform: str) -> Setting | None:
        """The setting deliver would use outside any lane: the platform's, else the global."""
        found = [s for s in self.all(name, platform) if s.lane is None]
        scoped = [s for s in found if s.platform == platform]
        chosen = scoped or found
        return chosen[-1] if chosen else None

    def names(self) -> list[str]:
        return list(dict.fromkeys(s.name for s in self.settings))


class _Unreadable(Exception):
    """A value outside the subset this module understands."""


_TOKEN = re.compile(
    r"""
    (?P<space>[ \t]+|\\\n)
  | (?P<comment>\#[^\n]*)
  | (?P<newline>\n|;)
  | (?P<dstring>"(?:\\.|[^"\\])*")
  | (?P<sstring>'(?:\\.|[^'\\])*')
  | (?P<arrow>=>)
  | (?P<or>\|\|)
  | (?P<symbol>:[A-Za-z_][A-Za-z0-9_]*[?!]?|:"(?:\\.|[^"\\])*")
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<label>[A-Za-z_][A-Za-z0-9_]*:(?!:))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*[?!]?)
  | (?P<punct>[()\[\]{},.|])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "s": " ", "0": "\0"}
_BLOCK_OPENERS = {"if", "unless", "case", "begin", "while", "until", "def", "class", "module"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    line: int


def _tokens(source: str) -> list[_Tok]:
    result, line = [], 1
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup or "other"
        text = match.group()
        if kind not in ("space", "comment"):
            result.append(_Tok(kind, text, line))
        line += text.count("\n")
    result.append(_Tok("newline", "\n", line))
    return result


def read_ruby_settings(path: Path, text: str, environ: Mapping[str, str]) -> RubySettings:
    """Parse an Appfile/Deliverfile's text; never raises on odd Ruby, reports it instead."""
    parser = _Parser(_tokens(text), environ)
    result = RubySettings(path)
    parser.run(result)
    return result


class _Parser:
    def __init__(self, tokens: list[_Tok], environ: Mapping[str, str]):
        self.toks = tokens
        self.pos = 0
        self.environ = environ
        self.env_used: list[EnvLookup] = []
        # (kind, value) for every open block: ("platform", "MAC_OS"), ("lane", "beta"),
        # ("other", "if") — settings inside "other" blocks are conditional, not read.
        self.blocks: list[tuple[str, str]] = []

    # ---------------------------------------------------------------- statements

    def peek(self, offset: int = 0) -> _Tok:
        return self.toks[min(self.pos + offset, len(self.toks) - 1)]

    def take(self) -> _Tok:
        tok = self.peek()
        self.pos += 1
        return tok

    def at_end(self) -> bool:
        return self.pos >= len(self.toks)

    def run(self, out: RubySettings) -> None:
        while not self.at_end():
            tok = self.peek()
            if tok.kind == "newline":
                self.take()
                continue
            start = self.pos
            try:
                self.statement(out)
            except _Unreadable:
                self.pos = start
                self.skip_statement(out)

    def statement(self, out: RubySettings) -> None:
        tok = self.take()
        if tok.kind != "name":
            raise _Unreadable
        if tok.text == "end":
            if self.blocks:
                self.blocks.pop()
            self.end_of_statement()
            return
        if tok.text in _BLOCK_OPENERS:
            raise _Unreadable
        if tok.text in ("for_platform", "platform", "for_lane", "lane") and self._opens_block():
            self.open_block(tok.text)
            return
        self.env_used = []
        try:
            value, problem = self.arguments(), None
        except _Unresolved as exc:
            value, problem = None, str(exc)
            self.skip_to_newline()
        self.end_of_statement()
        if any(kind == "other" for kind, _ in self.blocks):
            out.skipped_lines.append(tok.line)
            return
        platform = next((v for k, v in reversed(self.blocks) if k == "platform"), None)
        lane = next((v for k, v in reversed(self.blocks) if k == "lane"), None)
        out.settings.append(
            Setting(tok.text, tok.line, value, problem, tuple(self.env_used), platform, lane)
        )

    def _opens_block(self) -> bool:
        for offset in range(1, 6):
            tok = self.peek(offset)
            if tok.kind == "newline":
                return False
            if tok.kind == "name" and tok.text == "do":
                return True
        return False

    def open_block(self, keyword: str) -> None:
        tok = self.take()
        if tok.text == "(":
            tok = self.take()
            self.take() if self.peek().text == ")" else None
        name = tok.text.lstrip(":").strip("\"'")
        while not (self.peek().kind == "name" and self.peek().text == "do"):
            self.take()
        self.take()  # do
        if self.peek().text == "|":  # lane :beta do |options|
            self.take()
            while self.take().text != "|":
                pass
        if keyword in ("for_platform", "platform"):
            self.blocks.append(("platform", PLATFORM_NAMES.get(name.lower(), name.upper())))
        else:
            self.blocks.append(("lane", name))

    def skip_statement(self, out: RubySettings) -> None:
        """Skip a statement this reader does not understand, keeping block nesting right."""
        first = self.peek()
        out.skipped_lines.append(first.line)
        if first.kind == "name" and first.text in _BLOCK_OPENERS and first.text != "def":
            self.blocks.append(("other", first.text))
        while not self.at_end():
            tok = self.take()
            if tok.kind == "newline":
                return
            if tok.kind == "name" and tok.text == "do":
                self.blocks.append(("other", "do"))
            if tok.kind == "punct" and tok.text in "{[(":
                self.skip_nested(tok.text)

    def skip_nested(self, opener: str) -> None:
        closer = {"{": "}", "[": "]", "(": ")"}[opener]
        depth = 1
        while depth and not self.at_end():
            tok = self.take()
            if tok.text == opener:
                depth += 1
            elif tok.text == closer:
                depth -= 1

    def skip_to_newline(self) -> None:
        depth = 0
        while not self.at_end():
            tok = self.peek()
            if tok.kind == "newline" and depth == 0:
                return
            if tok.text in "{[(" and tok.kind == "punct":
                depth += 1
            elif tok.text in "}])" and tok.kind == "punct":
                depth -= 1
            self.take()

    def end_of_statement(self) -> None:
        if self.peek().kind != "newline":
            raise _Unreadable
        self.take()

    def arguments(self) -> Any:
        """``option value`` or ``option(value)``; a bare hash may have no braces."""
        if self.peek().kind == "newline":
            return True  # `skip_screenshots` alone is not written in practice; treat as flag
        if self.peek().text == "(":
            self.take()
            self.skip_newlines()
            if self._is_bare_hash():
                return self.hash_body(closer=")")
            value = self.expression(inside=True)
            self.skip_newlines()
            if self.take().text != ")":
                raise _Unreadable
            return value
        if self.peek().kind in ("label", "dstring", "sstring", "symbol") and self._is_bare_hash():
            return self.hash_body(closer=None)
        return self.expression(inside=False)

    def _is_bare_hash(self) -> bool:
        first = self.peek()
        return first.kind == "label" or self.peek(1).kind == "arrow"

    # ---------------------------------------------------------------- values

    def expression(self, inside: bool) -> Any:
        value = self.primary(inside)
        while self.peek().kind == "or":
            self.take()
            fallback = self.primary(inside)
            value = fallback if value is _MISSING else value
        if value is _MISSING:
            raise _Unresolved(self._missing_message())
        return value

    def _missing_message(self) -> str:
        names = [e.name for e in self.env_used if not e.is_set]
        listed = ", ".join(f"${name}" for name in names)
        return f"reads {listed}, which is not set where ascsync runs"

    def primary(self, inside: bool) -> Any:
        if self.peek().kind == "newline" and inside:
            self.take()
            return self.primary(inside)
        tok = self.take()
        if tok.kind == "dstring":
            return _double_quoted(tok.text)
        if tok.kind == "sstring":
            return re.sub(r"\\([\\'])", r"\1", tok.text[1:-1])
        if tok.kind == "symbol":
            return tok.text[1:].strip('"')
        if tok.kind == "number":
            return float(tok.text) if "." in tok.text else int(tok.text)
        if tok.kind == "punct" and tok.text == "[":
            return self.array()
        if tok.kind == "punct" and tok.text == "{":
            return self.hash_body(closer="}")
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                return tok.text == "true"
            if tok.text == "nil":
                return None
            if tok.text == "ENV":
                return self.env_lookup()
        raise _Unreadable

    def array(self) -> list[Any]:
        items: list[Any] = []
        while True:
            self.skip_newlines()
            if self.peek().text == "]":
                self.take()
                return items
            items.append(self.expression(inside=True))
            self.skip_newlines()
            separator = self.take()
            if separator.text == "]":
                return items
            if separator.text != ",":
                raise _Unreadable

    def hash_body(self, closer: str | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while True:
            if closer:
                self.skip_newlines()
            if closer and self.peek().text == closer:
                self.take()
                return result
            key_tok = self.take()
            if key_tok.kind == "label":
                key = key_tok.text[:-1]
            elif key_tok.kind in ("dstring", "sstring", "symbol"):
                key = (
                    _double_quoted(key_tok.text)
                    if key_tok.kind == "dstring"
                    else key_tok.text.strip("'").lstrip(":").strip('"')
                )
                if self.take().kind != "arrow":
                    raise _Unreadable
            else:
                raise _Unreadable
            result[key] = self.expression(inside=True)
            if closer:
                self.skip_newlines()
            nxt = self.peek()
            if nxt.text == ",":
                self.take()
                continue
            if closer and nxt.text == closer:
                self.take()
                return result
            if not closer and nxt.kind == "newline":
                return result
            raise _Unreadable

    def skip_newlines(self) -> None:
        while self.peek().kind == "newline" and self.peek().text == "\n":
            self.take()

    def env_lookup(self) -> Any:
        """``ENV["X"]`` / ``ENV.fetch("X")`` / ``ENV.fetch("X", default)``."""
        tok = self.take()
        if tok.text == "[":
            name = self.expression(inside=True)
            if self.take().text != "]":
                raise _Unreadable
            return self._env(name, _MISSING)
        if tok.text == "." and self.peek().text == "fetch":
            self.take()
            if self.take().text != "(":
                raise _Unreadable
            name = self.expression(inside=True)
            default: Any = _MISSING
            if self.peek().text == ",":
                self.take()
                default = self.expression(inside=True)
            if self.take().text != ")":
                raise _Unreadable
            return self._env(name, default)
        raise _Unreadable

    def _env(self, name: Any, default: Any) -> Any:
        if not isinstance(name, str):
            raise _Unreadable
        self.env_used.append(EnvLookup(name, name in self.environ))
        return self.environ.get(name, default)


class _Unresolved(Exception):
    """A value that is understood but cannot be worked out (an unset variable)."""


_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


def _double_quoted(literal: str) -> str:
    body = literal[1:-1]
    if "#{" in body:
        raise _Unreadable  # string interpolation runs Ruby code
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body, flags=re.DOTALL)
