"""Reading YAML with line numbers and ascsync's tags, without ever raising on bad input.

ruamel.yaml's round-trip loader keeps the line of every key (``mapping.lc``), which is
what lets every later message point at ``file:line``. The three tags are parsed into
small marker objects here and resolved later by the loader, which knows the locale
and version a template needs:

* ``!file path``      the text of a file, relative to the YAML file
* ``!template path``  a jinja2 template rendered with defaults, locale, version, app
* ``!env NAME``       a value from the environment, treated as a secret
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
        return _yaml().load(text), None
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
