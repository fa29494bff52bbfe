"""MD5 checksums of local media, cached so a repeat plan of thousands of images is instant.

Apple reports each uploaded screenshot's ``sourceFileChecksum`` (MD5). Comparing it with
the local file's MD5 is how ascsync knows a screenshot is unchanged and must not be
uploaded again. Hashing 2,000 large PNGs on every plan would dominate its run time, so
results are cached in ``<repo>/.ascsync/checksums.json``, keyed by the file's path
relative to the repo, and trusted only while the file's size and modification time
(in nanoseconds) are unchanged.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

from ascsync.desired.media import md5_file

CACHE_DIR = ".ascsync"
CACHE_FILE = "checksums.json"
FORMAT = 1


class ChecksumCache:
    """Load once, look up many times, save if anything changed. Thread-safe."""

    def __init__(self, repo_root: Path) -> None:
        self.root = repo_root.resolve()
        self.path = self.root / CACHE_DIR / CACHE_FILE
        self._lock = threading.Lock()
        self._entries: dict[str, list] = self._load()
        self._dirty = False
        self.hits = 0
        self.misses = 0

    def md5(self, path: Path) -> str:
        """The file's MD5 hex digest, from the cache when size and mtime still match."""
        stat = path.stat()
        key = self._key(path)
        with self._lock:
            entry = self._entries.get(key)
            if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
                self.hits += 1
                return entry[2]
        digest = md5_file(path)
        with self._lock:
            self._entries[key] = [stat.st_size, stat.st_mtime_ns, digest]
            self._dirty = True
            self.misses += 1
        return digest

    def save(self) -> None:
        """Write the cache atomically (a crash never leaves a half-written file)."""
        with self._lock:
            if not self._dirty:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            payload = json.dumps({"format": FORMAT, "files": self._entries}, sort_keys=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".checksums-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path)
            self._dirty = False

    def _key(self, path: Path) -> str:
        # abspath, not resolve(): no per-component symlink lookups on this hot path (the
        # loader already refused symlinks leaving the repo).
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self.root)
        return Path(absolute if relative.startswith("..") else relative).as_posix()

    def _load(self) -> dict[str, list]:
        """Entries from disk; an unreadable or foreign cache is ignored, never fatal."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {}
        files = data.get("files")
        if not isinstance(files, dict):
            return {}
        return {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 3}
