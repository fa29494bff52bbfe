"""Reading YAML with line numbers and ascsync's tags, without ever raising on bad input.

ruamel.yaml's round-trip loader keeps the line of every key (``mapping.lc``), which is
what lets every later message point at ``file:line``. The three tags are parsed into
small marker objects here and resolved later by the loader, which knows the locale
and version a template needs:

* ``!file path``      the text of a file, relative to the YAML file
* ``!template path``  a jinja2 template rendered with defaults, locale, version, app
* ``!env NAME``       a value from the environment, treated as a secret

Aliases (``*name``) are shared, not copied, when parsed, so an "alias bomb" (each level
a list of nine aliases of the level before) parses in milliseconds; it explodes later,
when a value is copied out (template contexts, comparisons): nine levels are 387 million
values. :func:`parse_yaml` therefore counts what the aliases would expand to and refuses
a file past :data:`MAX_ALIAS_EXPANSION` values. (An alias inside its own anchor cannot
loop: ruamel gives it the value ``None``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode

from ascsync.problems import Problem

TAGS = ("!file", "!template", "!env")
MAX_ALIAS_EXPANSION = 10_000
"""How many values aliases may add to a file beyond those written in it. Real listings
use a few aliases for shared lists; a bomb needs millions."""


@dataclass(frozen=True)
class Tagged:
    """A tagged scalar such as ``!env DEMO_PASSWORD``; ``line`` is 1-based."""

    tag: str
    argument: str
    line: int


def _construct_tagged(constructor: Any, node: Any) -> Tagged:
    tag = str(getattr(node.tag, "value", node.tag))
    line = node.start_mark.line + 1
    if not isinstance(node, ScalarNode):
        # e.g. "!env [a]": keep it visible as a tag with an empty argument, reported later.
        return Tagged(tag, "", line)
    return Tagged(tag, str(node.value), line)


class _TaggedConstructor(RoundTripConstructor):
    """ruamel's round-trip constructor plus ascsync's tags, on a class of our own:
    ``add_constructor`` on ruamel's class would change every round-trip YAML in the
    process (the repo writer's included)."""


for _tag in TAGS:
    _TaggedConstructor.add_constructor(_tag, _construct_tagged)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _TaggedConstructor
    yaml.allow_duplicate_keys = False
    return yaml


def parse_yaml(path: Path, text: str) -> tuple[Any, Problem | None]:
    """Parse ``text`` (the content of ``path``); on failure return a located problem."""
    try:
        data = _yaml().load(text)
        problem = alias_problem(path, data)
        return (None, problem) if problem else (data, None)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "malformed YAML"
        if "duplicate key" in str(what) or "found duplicate key" in str(exc):
            what = "duplicate key " + _duplicate_key(str(exc))
        return None, Problem(path, line, "yaml", f"malformed YAML: {what}", "fix the syntax")
    except YAMLError as exc:
        return None, Problem(path, None, "yaml", f"malformed YAML: {exc}".splitlines()[0])
    except Exception as exc:  # noqa: BLE001
        # ruamel raises plain Python errors on some pathological inputs (deep nesting,
        # odd numbers); a file must never crash validation.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, Problem(path, None, "yaml", f"cannot be read as YAML: {reason}")


def alias_problem(path: Path | None, data: Any) -> Problem | None:
    """A problem when the aliases in ``data`` expand past the limit, else None.

    Shared containers are counted once per place they appear (memoised by identity, so
    the count itself stays as cheap as the parse); the top-level key with the largest
    expansion is the one named.
    """
    sizes: dict[int, int] = {}
    try:
        expanded = _expanded_size(data, sizes)
    except RecursionError:
        return Problem(path, None, "yaml", "values are nested too deeply", "flatten the file")
    written = _written_size(data, set())
    if expanded - written <= MAX_ALIAS_EXPANSION:
        return None
    key, line = _biggest_key(data, sizes)
    return Problem(
        path,
        line,
        key,
        f"YAML aliases (*name) expand this to {expanded:,} values, more than "
        f"{MAX_ALIAS_EXPANSION:,} beyond what is written (an alias bomb?); not read",
        "write the values out, or use fewer nested aliases",
    )


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [*node.keys(), *node.values()]
    if isinstance(node, list):
        return list(node)
    return []


def _expanded_size(node: Any, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is copied out."""
    if not isinstance(node, dict | list):
        return 1
    key = id(node)
    if key not in sizes:
        sizes[key] = 1 + sum(_expanded_size(child, sizes) for child in _children(node))
    return sizes[key]


def _written_size(node: Any, seen: set[int]) -> int:
    """How many values the file spells out (each shared container once)."""
    if not isinstance(node, dict | list):
        return 1
    if id(node) in seen:
        return 1  # the alias itself
    seen.add(id(node))
    return 1 + sum(_written_size(child, seen) for child in _children(node))


def _biggest_key(data: Any, sizes: dict[int, int]) -> tuple[str, int | None]:
    if not isinstance(data, dict) or not data:
        return "yaml", None
    key = max(data, key=lambda k: sizes.get(id(data[k]), 1))
    return str(key), key_line(data, key, 1)


def _duplicate_key(message: str) -> str:
    for line in message.splitlines():
        if "duplicate key" in line and '"' in line:
            return line[line.index('"') :].split(" ")[0].rstrip(":")
    return ""


def key_line(mapping: Any, key: Any, default: int) -> int:
    """1-based line of ``key`` in a ruamel mapping, or ``default`` when not known."""
    if isinstance(mapping, CommentedMap):
        try:
            return mapping.lc.key(key)[0] + 1
        except (KeyError, TypeError, AttributeError, IndexError):
            return default
    return default


def item_line(seq: Any, index: int, default: int) -> int:
    """1-based line of item ``index`` in a ruamel sequence."""
    if isinstance(seq, CommentedSeq):
        try:
            return seq.lc.item(index)[0] + 1
        except (KeyError, TypeError, AttributeError, IndexError):
            return default
    return default


def to_plain(value: Any) -> Any:
    """ruamel containers and scalars as plain Python (for template contexts)."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Tagged):
        return f"{value.tag} {value.argument}"
    return str(value)
