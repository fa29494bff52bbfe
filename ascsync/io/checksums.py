"""MD5 checksums of local media, cached so a repeat plan of thousands of images is instant.

Apple reports each uploaded screenshot's ``sourceFileChecksum`` (MD5). Comparing it with
the local file's MD5 is how ascsync knows a screenshot is unchanged and must not be
uploaded again. Hashing 2,000 large PNGs on every plan would dominate its run time, so
results are cached in ``<repo>/.ascsync/checksums.json``, keyed by the file's path
relative to the repo, and trusted only while the file's size and modification time
(in nanoseconds) are unchanged.

A fresh checkout (CI) gives every file a new modification time, so an entry also keeps
the file's git blob id: a file git tracks and reports unchanged from its index, with the
same blob id as when it was hashed, has the same content, and its MD5 is reused.

On a cold cache, :meth:`ChecksumCache.warm` hashes the files in the background while
``plan`` reads App Store Connect, so hashing is off the critical path; asking for a file
being hashed waits for that result instead of hashing it twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ascsync.desired.media import md5_file

CACHE_DIR = ".ascsync"
CACHE_FILE = "checksums.json"
FORMAT = 2
WARM_THREADS = 2
"""Background hashing threads (hashlib releases the GIL on large buffers)."""


class ChecksumCache:
    """Load once, look up many times, save if anything changed. Thread-safe."""

    def __init__(self, repo_root: Path) -> None:
        self.root = repo_root.resolve()
        self.path = self.root / CACHE_DIR / CACHE_FILE
        self._lock = threading.Lock()
        self._entries: dict[str, list[Any]] = self._load()
        self._dirty = False
        self._blobs: dict[str, str] | None = None
        self._hashing: dict[str, Future[str]] = {}
        self._keys: dict[str, str] = {}
        self.hits = 0
        self.misses = 0

    def warm(self, paths: Iterable[Path]) -> None:
        """Hash ``paths`` on background threads, so the work overlaps the network reads.

        Only files the cache has never seen: for the others one ``stat`` when the plan
        asks is all it takes (or a hash then, for the few that changed).
        """
        with self._lock:
            todo = [p for p in paths if self._key(p) not in self._entries]
        for index in range(WARM_THREADS):
            share = todo[index::WARM_THREADS]
            if share:
                threading.Thread(
                    target=self._warm, args=(share,), name="ascsync-hash", daemon=True
                ).start()

    def _warm(self, paths: list[Path]) -> None:
        for path in paths:
            with contextlib.suppress(OSError):  # the plan asks again and reports it
                self.md5(path)

    def md5(self, path: Path) -> str:
        """The file's MD5 hex digest, from the cache when the file is known unchanged."""
        stat = path.stat()
        key = self._key(path)
        with self._lock:
            entry = self._entries.get(key)
            if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
                self.hits += 1
                return entry[2]
            running = self._hashing.get(key)
            mine: Future[str] = Future()
            if running is None:
                self._hashing[key] = mine
        if running is not None:
            return running.result()  # another thread is hashing it right now
        try:
            digest = self._digest(path, key, stat, entry)
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._hashing.pop(key, None)
        mine.set_result(digest)
        return digest

    def _digest(self, path: Path, key: str, stat: os.stat_result, entry: list[Any] | None) -> str:
        blob = self._git_blobs().get(key)
        if entry and blob and entry[0] == stat.st_size and entry[3] == blob:
            digest = entry[2]  # same content as when hashed: only the mtime moved
            with self._lock:
                self.hits += 1
        else:
            digest = md5_file(path)
            with self._lock:
                self.misses += 1
        with self._lock:
            self._entries[key] = [stat.st_size, stat.st_mtime_ns, digest, blob]
            self._dirty = True
        return digest

    def _git_blobs(self) -> dict[str, str]:
        """Blob ids of files git tracks under the root whose content matches its index.

        Asked once per run, only after an mtime miss; no git (or not a work tree) means
        an empty answer and plain hashing.
        """
        with self._lock:
            if self._blobs is not None:
                return self._blobs
        blobs: dict[str, str] = {}
        listed = _git(self.root, "ls-files", "--stage", "-z")
        modified = _git(self.root, "diff", "--name-only", "--relative", "-z")
        if listed is not None and modified is not None:
            changed = set(modified.split("\0"))
            for record in filter(None, listed.split("\0")):
                meta, _, name = record.partition("\t")
                parts = meta.split()
                if len(parts) == 3 and name not in changed:
                    blobs[name] = parts[1]
        with self._lock:
            self._blobs = blobs
        return blobs

    def save(self) -> None:
        """Write the cache atomically (a crash never leaves a half-written file).

        Never through a symlink out of the repo: a ``.ascsync`` link to another folder
        would otherwise let a repo decide where this process writes.
        """
        from ascsync.io import safe_write

        with self._lock:
            if not self._dirty:
                return
            safe_write.target(self.root, self.path, "the checksum cache")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            safe_write.target(self.root, self.path, "the checksum cache")
            payload = json.dumps({"format": FORMAT, "files": self._entries}, sort_keys=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".checksums-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path)
            self._dirty = False

    def _key(self, path: Path) -> str:
        # abspath, not resolve(): no per-component symlink lookups on this hot path (the
        # loader already refused symlinks leaving the repo); remembered per path.
        name = os.fspath(path)
        key = self._keys.get(name)
        if key is None:
            absolute = os.path.abspath(name)
            relative = os.path.relpath(absolute, self.root)
            key = Path(absolute if relative.startswith("..") else relative).as_posix()
            self._keys[name] = key
        return key

    def _load(self) -> dict[str, list[Any]]:
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
        return {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 4}


def _git(root: Path, *args: str) -> str | None:
    """Output of a git command run in ``root``, or None when git or the work tree is missing."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


CLEAN_SETS_FILE = "clean-media-sets.json"


class CleanSets:
    """Media sets that passed every offline check, so a warm run need not check them again.

    Checking a screenshot reads its header and decodes its format (most of ``validate``'s
    time on a large repo). A set whose files have the same names, sizes and modification
    times (nanoseconds), with the same ascsync version, gets the same verdict: only
    sets with no problem at all are remembered, so errors and warnings are always shown.
    The list lives in ``<repo>/.ascsync/clean-media-sets.json``; ``plan`` writes it
    (like the checksum cache), every command that validates reads it. A fresh checkout
    gives every file a new modification time, so nothing carries over to CI by accident.
    """

    _by_root: dict[str, CleanSets] = {}
    _registry_lock = threading.Lock()

    def __init__(self, repo_root: Path) -> None:
        self.root = repo_root.resolve()
        self.path = self.root / CACHE_DIR / CLEAN_SETS_FILE
        self._lock = threading.Lock()
        self._keys: set[str] = self._load()
        self._dirty = False

    @classmethod
    def for_repo(cls, repo_root: Path) -> CleanSets:
        """The one list of this process for the repo at ``repo_root``."""
        root = str(repo_root.resolve())
        with cls._registry_lock:
            if root not in cls._by_root:
                cls._by_root[root] = cls(Path(root))
            return cls._by_root[root]

    @staticmethod
    def key(kind: str, display_type: str, files: list[tuple[str, os.stat_result]]) -> str:
        """What a set's checks depend on: each file's name, size and modification time."""
        from ascsync import __version__

        digest = hashlib.sha256(f"{__version__}\0{kind}\0{display_type}".encode())
        for name, stat in files:
            digest.update(f"\0{name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
        return digest.hexdigest()

    def known(self, key: str | None) -> bool:
        with self._lock:
            return key is not None and key in self._keys

    def add(self, key: str | None) -> None:
        if key is None:
            return
        with self._lock:
            if key not in self._keys:
                self._keys.add(key)
                self._dirty = True

    def save(self) -> None:
        """Write the list atomically, never through a symlink out of the repo."""
        from ascsync.io import safe_write

        with self._lock:
            if not self._dirty:
                return
            safe_write.target(self.root, self.path, "the media check cache")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            safe_write.target(self.root, self.path, "the media check cache")
            payload = json.dumps({"format": FORMAT, "sets": sorted(self._keys)})
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".clean-sets-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path)
            self._dirty = False

    def _load(self) -> set[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return set()
        sets = data.get("sets")
        return {k for k in sets if isinstance(k, str)} if isinstance(sets, list) else set()
