"""Peak memory of ``ascsync apply`` uploading three large app previews to the sandbox.

Target: the apply process stays under 150 MB peak RSS with three 400 MB previews, because
each upload part is streamed from disk instead of reading whole files (before: 1.26 GB).

The sandbox runs in a process of its own (it keeps every uploaded byte in memory, which
is not what is measured); ``ascsync apply`` runs as a second process and its peak RSS is
read with ``wait4`` when it exits. The listing is example-repo plus one preview set of
three sparse 400 MB movies (a real header and ``moov`` box around a hole: no disk used).

Run by hand: ``python benchmarks/upload_memory.py [--size-mb 400] [--files 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example-repo"
TARGET_MB = 150
PASSWORD_ENV = "MOVIECATALOG_DEMO_PASSWORD"

# The sandbox in its own process: print how to reach it, serve until stdin closes.
SANDBOX_SCRIPT = """
import json, sys
from ascsync.sandbox import Sandbox
with Sandbox(seed="demo", settings={"settle_seconds": 0.05}) as sandbox:
    print(json.dumps({"url": sandbox.url, "key": str(sandbox.api_key_json_path)}), flush=True)
    sys.stdin.read()
"""


def make_preview(path: Path, size: int) -> None:
    """ftyp, a sparse mdat, then moov with a 20 s mvhd, as many encoders write it."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    ftyp = box(b"ftyp", b"qt  " + bytes(4) + b"qt  ")
    mvhd = box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 600, 600 * 20) + bytes(80))
    moov = box(b"moov", mvhd)
    mdat_size = size - len(ftyp) - len(moov)
    with path.open("wb") as stream:
        stream.write(ftyp + struct.pack(">I4sQ", 1, b"mdat", mdat_size))
        stream.seek(len(ftyp) + mdat_size)
        stream.write(moov)


def make_repo(root: Path, files: int, size: int) -> Path:
    repo = root / "listing"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".ascsync"))
    folder = repo / "apps/moviecatalog/previews/en-US/IPHONE_67"
    folder.mkdir(parents=True)
    for index in range(1, files + 1):
        make_preview(folder / f"{index:02}-tour.mov", size)
    return repo


def peak_rss_of_apply(repo: Path, url: str, key: str) -> tuple[int, float, str]:
    """(exit code, peak RSS in MB, output) of one ``ascsync apply`` process."""
    command = [
        sys.executable,
        "-c",
        "from ascsync.cli import main; main()",
        "--no-color",
        "--api-url",
        url,
        "--api-key-json",
        key,
        "apply",
        str(repo),
        "--auto-approve",
        "--allow-delete",
    ]
    env = {**os.environ, PASSWORD_ENV: "benchmark-Passw0rd"}
    with tempfile.TemporaryFile("w+") as output:
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    return child.returncode, usage.ru_maxrss / 1024, text  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=400)
    parser.add_argument("--files", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ascsync-bench-"))
    sandbox = subprocess.Popen(
        [sys.executable, "-c", SANDBOX_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert sandbox.stdout is not None
        where = json.loads(sandbox.stdout.readline())
        repo = make_repo(work, args.files, args.size_mb * 1024 * 1024)
        started = time.perf_counter()
        code, peak, output = peak_rss_of_apply(repo, where["url"], where["key"])
        elapsed = time.perf_counter() - started
        if code != 0:
            print(output)
            raise SystemExit(f"apply failed (exit {code})")
        uploaded = len(re.findall(r"\bok\s+upload\s+\S*previews\[", output))
        if os.environ.get("BENCH_VERBOSE"):
            print(output)
        print(f"apply: {args.files} previews of {args.size_mb} MB, {elapsed:.1f} s")
        print(f"previews uploaded (apply's 'ok upload' lines): {uploaded} of {args.files}")
        print(f"peak RSS of the apply process: {peak:.0f} MB")
        verdict = "met" if peak < TARGET_MB else "NOT met"
        print(f"target: under {TARGET_MB} MB: {verdict}")
    finally:
        if sandbox.stdin is not None:
            sandbox.stdin.close()
        sandbox.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
