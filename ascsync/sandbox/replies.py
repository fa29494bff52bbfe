"""What the sandbox's HTTP handler sends back, independent of sockets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ascsync.sandbox.engine import Response


@dataclass
class Reply:
    """Status, bytes and headers of one answer; ``drop`` = close the socket without answering."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def json_reply(response: Response) -> Reply:
    """An engine response as bytes (no body for 204)."""
    headers = dict(response.headers)
    if response.body is None:
        return Reply(response.status, b"", headers)
    headers.setdefault("Content-Type", "application/json")
    return Reply(response.status, json.dumps(response.body).encode(), headers)


def plain_json(status: int, data: Any) -> Reply:
    """Any JSON value (control endpoints)."""
    return Reply(status, json.dumps(data).encode(), {"Content-Type": "application/json"})
