"""Read a step's console the way GitHub's runner does: which workflow commands it obeys.

Modelled on the runner's ``ActionCommand`` / ``ActionCommandManager`` (actions/runner):

- v2: a line that, after leading whitespace, starts with ``::name`` and has a second
  ``::``; properties are ``k=v`` split on ``,``; data and properties are %-unescaped;
- v1 (legacy): ``##[name k=v;...]data`` *anywhere* in a line;
- only registered command names count (case-insensitive);
- ``stop-commands`` with data TOKEN pauses processing until a command named TOKEN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REGISTERED = {
    "add-mask",
    "add-matcher",
    "add-path",
    "debug",
    "echo",
    "endgroup",
    "error",
    "group",
    "notice",
    "remove-matcher",
    "save-state",
    "set-env",
    "set-output",
    "stop-commands",
    "warning",
}


@dataclass
class Command:
    name: str
    data: str
    properties: dict[str, str] = field(default_factory=dict)


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def _parse_v2(line: str, names: set[str]) -> Command | None:
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    name, _, props = info.partition(" ")
    if name.lower() not in names:
        return None
    properties = {}
    for pair in filter(None, props.strip().split(",")):
        key, sep, value = pair.partition("=")
        if sep and key and value:
            properties[key] = _unescape_property(value)
    return Command(name.lower(), _unescape_data(message[end + 2 :]), properties)


def _parse_v1(line: str, names: set[str]) -> Command | None:
    start = line.find("##[")
    if start < 0:
        return None
    close = line.find("]", start)
    if close < 0:
        return None
    name = line[start + 3 : close].split(" ")[0]
    if name.lower() not in names:
        return None
    return Command(name.lower(), line[close + 1 :])


def obeyed(console: str) -> list[Command]:
    """Every command the runner would carry out, in order (stop/resume not listed)."""
    names = set(REGISTERED)
    stop_token: str | None = None
    done: list[Command] = []
    for line in console.splitlines():
        command = _parse_v2(line, names) or _parse_v1(line, names)
        if command is None:
            continue
        if stop_token is not None:
            if command.name == stop_token:
                names.discard(stop_token)
                stop_token = None
            continue
        if command.name == "stop-commands":
            stop_token = command.data.lower()
            names.add(stop_token)
            continue
        done.append(command)
    return done
