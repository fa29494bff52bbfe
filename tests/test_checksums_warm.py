"""A cold checksum cache is filled in the background while plan reads App Store Connect."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from ascsync.io.checksums import ChecksumCache


def test_warm_hashes_each_file_once_and_answers_match(tmp_path: Path) -> None:
    files = []
    for index in range(40):
        path = tmp_path / "shots" / f"{index:02}.png"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(os.urandom(50_000 + index))
        files.append(path)
    cache = ChecksumCache(tmp_path)
    cache.warm(files)
    # the plan asks for them meanwhile, from several threads, in another order
    answers: dict[Path, str] = {}

    def ask(paths: list[Path]) -> None:
        for path in paths:
            answers[path] = cache.md5(path)

    threads = [threading.Thread(target=ask, args=(files[i::3][::-1],)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {p: hashlib.md5(p.read_bytes()).hexdigest() for p in files}
    assert cache.misses == len(files)  # each file read and hashed once, not twice


def test_a_file_that_vanishes_while_warming_is_reported_by_the_plan_not_the_warmer(
    tmp_path: Path,
) -> None:
    gone = tmp_path / "gone.png"
    cache = ChecksumCache(tmp_path)
    cache.warm([gone])
    try:
        cache.md5(gone)
    except FileNotFoundError as error:
        assert "gone.png" in str(error)
    else:
        raise AssertionError("a missing file must be an error")
