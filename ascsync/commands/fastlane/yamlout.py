"""How imported values are written as YAML, so they read back exactly as imported."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString


def yaml_writer() -> YAML:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.allow_unicode = True
    # An explicit null reads better than an empty value.
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def render_yaml(data: Any) -> str:
    stream = io.StringIO()
    yaml_writer().dump(data, stream)
    return stream.getvalue()


def text_value(value: str) -> str:
    """Multi-line text as a ``|`` block so review diffs stay readable — but only when the
    block reads back byte for byte (trailing spaces, a leading blank line or a tab can
    make a block lossy); otherwise ruamel picks a quoted style that is exact."""
    if "\n" not in value:
        return value
    block = LiteralScalarString(value)
    if YAML(typ="safe").load(render_yaml({"v": block})) == {"v": value}:
        return block
    return value
