"""``--state FILE``: the store written to JSON so separate commands see one evolving ASC.

Writing the whole store after every request would make a 2,000-screenshot apply
quadratic, so writes are coalesced: a write marks the state dirty and a timer saves it
shortly after; :meth:`StateFile.close` (called when the sandbox stops) saves what is
left. Files are replaced atomically, so a reader never sees half a file.

The bytes of uploaded (and seeded) images and videos go beside it, in
``FILE.assets/``: one file per asset, named by the SHA-256 of its ``assetToken``, and an
``index.json`` mapping tokens to files. Assets never change once finished, so each is
written once; files of deleted assets are removed on the next save.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from ascsync.errors import ConfigError
from ascsync.sandbox import uploads
from ascsync.sandbox.store import Store

ASSET_INDEX = "index.json"

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
        self._saved_assets: dict[str, str] = {}
        """Token -> file name of the assets already in the assets folder."""

    @property
    def assets_dir(self) -> Path | None:
        """``FILE.assets/`` beside the state file (None without one)."""
        return self.path.with_name(self.path.name + ".assets") if self.path else None

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
        self._load_assets()
        return True

    def _load_assets(self) -> None:
        """Bring back the saved image and video bytes (a missing file is skipped)."""
        uploads.forget_assets(self.store)
        directory = self.assets_dir
        if directory is None or not (directory / ASSET_INDEX).is_file():
            self._saved_assets = {}
            return
        index_file = directory / ASSET_INDEX
        try:
            index = json.loads(index_file.read_text())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{index_file}: not a sandbox asset index ({exc})") from None
        blobs = uploads.registry(self.store).blobs
        self._saved_assets = {}
        for token, name in index.items() if isinstance(index, dict) else []:
            file = directory / str(name)
            if file.is_file():
                blobs[str(token)] = file.read_bytes()
                self._saved_assets[str(token)] = str(name)

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
            blobs = dict(uploads.registry(self.store).blobs)
        _atomic_write(self.path, text)
        self._save_assets(blobs)

    def _save_assets(self, blobs: dict[str, bytes]) -> None:
        """Write new assets, forget deleted ones, then the index (only when it changed)."""
        directory = self.assets_dir
        if directory is None or (not blobs and not self._saved_assets):
            return
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        saved = {t: n for t, n in self._saved_assets.items() if t in blobs}
        for token, data in blobs.items():
            if token not in saved:
                name = hashlib.sha256(token.encode()).hexdigest()
                _atomic_write_bytes(directory / name, data)
                saved[token] = name
        if saved == self._saved_assets:
            return
        _atomic_write(directory / ASSET_INDEX, json.dumps(saved, sort_keys=True))
        for token, name in self._saved_assets.items():
            if token not in saved:
                (directory / name).unlink(missing_ok=True)
        self._saved_assets = saved

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
    _atomic_write_bytes(path, text.encode())


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` at once (a private 0600 temp file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
