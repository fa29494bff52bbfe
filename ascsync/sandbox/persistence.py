"""``--state FILE``: the store written to JSON so separate commands see one evolving ASC.

Writing the whole store after every request would make a 2,000-screenshot apply
quadratic, so writes are coalesced: a write marks the state dirty and a timer saves it
shortly after; :meth:`StateFile.close` (called when the sandbox stops) saves what is
left. Files are replaced atomically, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from ascsync.errors import ConfigError
from ascsync.sandbox.store import Store

SAVE_DELAY = 0.2
"""Seconds between a write and the save that includes it (later writes join that save)."""


class StateFile:
    """Loads and saves one store to one JSON file."""

    def __init__(self, store: Store, path: Path | None, delay: float = SAVE_DELAY) -> None:
        self.store = store
        self.path = path
        self.delay = delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._dirty = False

    def load(self) -> bool:
        """Replace the store with the file's contents; False when there is no file yet."""
        if self.path is None or not self.path.is_file():
            return False
        try:
            data = json.loads(self.path.read_text())
            if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
                raise ValueError("no 'resources' list")
            self.store.load_dict(data)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{self.path}: not a sandbox state file ({exc}); delete it or use another --state"
            ) from None
        return True

    def mark_dirty(self) -> None:
        """Schedule a save (no-op without a file)."""
        if self.path is None:
            return
        with self._lock:
            self._dirty = True
            if self._timer is None:
                self._timer = threading.Timer(self.delay, self._timed_save)
                self._timer.daemon = True
                self._timer.start()

    def save_now(self) -> None:
        """Write the store at once (no-op without a file)."""
        if self.path is None:
            return
        with self._lock:
            self._dirty = False
        with self.store.lock:
            snapshot: dict[str, Any] = self.store.to_dict()
            text = json.dumps(snapshot, sort_keys=True)
        _atomic_write(self.path, text)

    def close(self) -> None:
        """Cancel a pending timer and save anything not yet written."""
        with self._lock:
            timer, self._timer = self._timer, None
            dirty = self._dirty
        if timer is not None:
            timer.cancel()
        if dirty:
            self.save_now()

    def _timed_save(self) -> None:
        with self._lock:
            self._timer = None
            dirty = self._dirty
        if dirty:
            self.save_now()


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
