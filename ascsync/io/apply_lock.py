"""One apply at a time per repo: a lock file in ``.ascsync/`` that says who holds it.

Two applies of the same listing at once race each other at Apple: both see a screenshot
missing, both upload it, and a duplicate stays live; both create the same localization
and one fails with a 409. ``apply`` therefore takes ``.ascsync/apply.lock`` (created
atomically, ``O_EXCL``) before its first write and removes it when done. A second apply
refuses, naming the holder (process, host, user, command, start time).

A lock left by a process that no longer runs on this host (killed, machine rebooted) is
taken over, and the takeover is said. A lock from another host cannot be checked from
here: the message says how to remove it. Applies on different machines (two CI runners)
do not share this file; serialise them with the CI's own mechanism (GitHub Actions'
``concurrency:`` group, see ``docs/ci.md``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ascsync.errors import AscsyncError
from ascsync.io import safe_write

LOCK_FILE = "apply.lock"


class Locked(AscsyncError):
    """Another apply holds the repo's lock."""


@contextlib.contextmanager
def apply_lock(
    root: Path,
    cache_dir: str,
    command: str,
    *,
    say: Callable[[str], None] = lambda line: None,
) -> Iterator[None]:
    """Hold the repo's apply lock for the duration of the ``with`` block."""
    folder = root / cache_dir
    path = folder / LOCK_FILE
    safe_write.target(root, path, "the apply lock")
    folder.mkdir(parents=True, exist_ok=True)
    holder = _holder(command)
    _take(path, holder, say)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            if _read(path).get("token") == holder["token"]:
                path.unlink()


def _holder(command: str) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "user": _user(),
        "command": command,
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "token": os.urandom(8).hex(),
    }


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return str(os.getuid())


def _take(path: Path, holder: dict[str, Any], say: Callable[[str], None]) -> None:
    for _ in range(2):
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            current = _read(path)
            if not _is_stale(current):
                raise Locked(_refusal(path, current)) from None
            say(f"taking over a stale apply lock: {_who(current)} no longer runs")
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(holder, out)
        return
    raise Locked(f"{path}: could not take the apply lock (another apply is starting)")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_stale(holder: dict[str, Any]) -> bool:
    """True when the holder ran on this host and its process is gone."""
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return False
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _who(holder: dict[str, Any]) -> str:
    if not holder:
        return "an unreadable lock file"
    return (
        f"pid {holder.get('pid')} on {holder.get('host')} (user {holder.get('user')}, "
        f"`{holder.get('command')}`, since {holder.get('started')})"
    )


def _refusal(path: Path, holder: dict[str, Any]) -> str:
    return (
        f"another apply is running on this repo: {_who(holder)}; nothing was changed. "
        "Wait for it to finish and run apply again. If it is not running any more (its "
        f"machine stopped), remove {path}."
    )


__all__ = ["LOCK_FILE", "Locked", "apply_lock"]
