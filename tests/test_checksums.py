"""The checksum cache: hashes once, notices edits, survives a damaged cache file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ascsync.io.checksums import ChecksumCache


def test_second_lookup_comes_from_the_saved_cache(tmp_path: Path) -> None:
    image = tmp_path / "01-home.png"
    image.write_bytes(b"\x89PNG fake bytes")
    first = ChecksumCache(tmp_path)
    assert first.md5(image) == hashlib.md5(image.read_bytes()).hexdigest()
    first.save()
    again = ChecksumCache(tmp_path)
    assert again.md5(image) == hashlib.md5(image.read_bytes()).hexdigest()
    assert (again.hits, again.misses) == (1, 0)


def test_edited_file_is_hashed_again(tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"one")
    cache = ChecksumCache(tmp_path)
    cache.md5(image)
    cache.save()
    image.write_bytes(b"two!")  # size changes
    stat = image.stat()
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    reread = ChecksumCache(tmp_path)
    assert reread.md5(image) == hashlib.md5(b"two!").hexdigest()
    assert reread.misses == 1


def test_same_size_but_touched_file_is_hashed_again(tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"aaaa")
    cache = ChecksumCache(tmp_path)
    cache.md5(image)
    image.write_bytes(b"bbbb")
    stat = image.stat()
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert cache.md5(image) == hashlib.md5(b"bbbb").hexdigest()


def test_damaged_cache_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / ".ascsync").mkdir()
    (tmp_path / ".ascsync" / "checksums.json").write_text("{not json")
    image = tmp_path / "a.png"
    image.write_bytes(b"x")
    cache = ChecksumCache(tmp_path)
    assert cache.md5(image) == hashlib.md5(b"x").hexdigest()
    cache.save()
    assert ChecksumCache(tmp_path).md5(image) == hashlib.md5(b"x").hexdigest()


def git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_fresh_checkout_with_new_mtimes_reuses_md5_through_git(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    image = tmp_path / "shots" / "01.png"
    image.parent.mkdir()
    image.write_bytes(b"committed bytes")
    git(tmp_path, "add", "shots/01.png")
    git(tmp_path, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "x")
    first = ChecksumCache(tmp_path)
    first.md5(image)
    first.save()
    stat = image.stat()
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns + 9_000_000_000))  # a new checkout
    again = ChecksumCache(tmp_path)
    assert again.md5(image) == hashlib.md5(b"committed bytes").hexdigest()
    assert (again.hits, again.misses) == (1, 0)


def test_uncommitted_edit_of_a_tracked_file_is_hashed_again(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    image = tmp_path / "01.png"
    image.write_bytes(b"aaaa")
    git(tmp_path, "add", "01.png")
    first = ChecksumCache(tmp_path)
    first.md5(image)
    first.save()
    image.write_bytes(b"bbbb")  # same size, not staged
    stat = image.stat()
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns + 9_000_000_000))
    again = ChecksumCache(tmp_path)
    assert again.md5(image) == hashlib.md5(b"bbbb").hexdigest()
    assert again.misses == 1
