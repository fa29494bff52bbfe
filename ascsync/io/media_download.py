"""Downloading an app's live screenshots into ``screenshots/<locale>/<TYPE>/`` (``pull``).

Apple serves each screenshot through ``imageAsset.templateUrl``, a CDN template with
``{w}x{h}bb.{f}`` placeholders; asking for the asset's own size and the file's format
returns the original bytes, whose MD5 must equal ``sourceFileChecksum``: a download that
does not match is discarded and reported rather than trusted.

The result must plan as "no changes", so the folder has to say what App Store Connect
says: a file whose MD5 already matches is kept under its name (plan matches by MD5),
two live files with one name get ``-2`` suffixes, and when the natural sort order of
the names would upload them in another order, the files get ``01-`` style prefixes.
Files that are no longer live are never deleted: they are reported, a person decides.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ascsync.desired.media import list_media, md5_file
from ascsync.io import safe_write

TIMEOUT = 60


@dataclass
class MediaReport:
    """What a download did. ``problems`` are files that were not pulled (a failure: the
    repo does not hold what App Store Connect has); ``notes`` are only information."""

    downloaded: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    not_live: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, other: MediaReport) -> None:
        self.downloaded += other.downloaded
        self.kept += other.kept
        self.not_live += other.not_live
        self.problems += other.problems
        self.notes += other.notes


@dataclass(frozen=True)
class RemoteImage:
    """One image App Store Connect serves through ``imageAsset.templateUrl``."""

    file_name: str
    checksum: str | None
    state: str | None
    template_url: str | None
    width: int | None
    height: int | None


@dataclass
class _Job:
    item: RemoteImage
    path: Path


def pull_images(
    sets: list[tuple[Path, list[RemoteImage]]],
    root: Path,
    report: MediaReport | None = None,
    *,
    concurrency: int = 8,
) -> MediaReport:
    """Bring each live set of images into its folder (``(folder, images in order)``),
    never writing through a symlink that leads out of the repo at ``root``."""
    report = report or MediaReport()
    jobs: list[_Job] = []
    planned: list[tuple[Path, list[Path]]] = []
    for folder, items in sets:
        planned.append((folder, _plan_set(folder, items, jobs, report)))
    jobs = [job for job in jobs if _stays_in_repo(root, job, report)]
    with requests.Session() as session, ThreadPoolExecutor(max(1, concurrency)) as pool:
        outcomes = list(pool.map(lambda job: _download(session, job), jobs))
    for job, problem in zip(jobs, outcomes, strict=True):
        if problem is None:
            report.downloaded.append(job.path)
        else:
            report.problems.append(problem)
    for folder, ordered in planned:
        _fix_order(folder, [p for p in ordered if p.exists()])
    return report


def _plan_set(
    folder: Path, items: list[RemoteImage], jobs: list[_Job], report: MediaReport
) -> list[Path]:
    """Decide a path per live item (reusing files with the same MD5); queue downloads."""
    existing = list_media(folder) if folder.is_dir() else []
    by_md5: dict[str, Path] = {}
    for path in existing:
        by_md5.setdefault(md5_file(path), path)
    used: set[str] = set()
    paths: list[Path] = []
    for index, item in enumerate(items):
        match = by_md5.pop(item.checksum or "", None)
        if match is not None:
            used.add(match.name)
            paths.append(match)
            report.kept.append(match)
            continue
        name = _unique(_safe_name(item.file_name, index), used)
        used.add(name)
        path = folder / name
        paths.append(path)
        if item.template_url and item.width and item.height and item.state == "COMPLETE":
            jobs.append(_Job(item, path))
        else:
            report.problems.append(
                f"{_tail(path)}: not downloadable (state {item.state or 'unknown'}, "
                "no image URL yet); pull again once App Store Connect has processed it"
            )
    report.not_live += [p for p in existing if p.name not in used]
    return paths


def _stays_in_repo(root: Path, job: _Job, report: MediaReport) -> bool:
    """False (and a problem) when the file would be written through a symlink out of the
    repo."""
    try:
        safe_write.target(root, job.path, "a screenshot")
    except safe_write.OutsideRepoError as exc:
        report.problems.append(str(exc))
        return False
    return True


def _download(session: requests.Session, job: _Job) -> str | None:
    """Fetch one screenshot; returns a problem, or None when saved with the right MD5."""
    item = job.item
    fmt = "jpg" if job.path.suffix.lower() in (".jpg", ".jpeg") else "png"
    url = (
        str(item.template_url)
        .replace("{w}", str(item.width))
        .replace("{h}", str(item.height))
        .replace("{f}", fmt)
    )
    try:
        response = session.get(url, timeout=TIMEOUT)
    except requests.RequestException as exc:
        return f"{_tail(job.path)}: download failed ({type(exc).__name__})"
    if response.status_code != 200:
        return f"{_tail(job.path)}: download failed (HTTP {response.status_code})"
    data = response.content
    if item.checksum and hashlib.md5(data).hexdigest() != item.checksum:
        return (
            f"{_tail(job.path)}: downloaded file's MD5 differs from App Store Connect's "
            "sourceFileChecksum; not saved"
        )
    job.path.parent.mkdir(parents=True, exist_ok=True)
    job.path.write_bytes(data)
    return None


def _fix_order(folder: Path, ordered: list[Path]) -> None:
    """Prefix names with ``01-``... when natural order would upload them differently."""
    if not ordered:
        return
    listed = [p for p in list_media(folder) if p in set(ordered)]
    if listed == ordered:
        return
    width = max(2, len(str(len(ordered))))
    for index, path in enumerate(ordered, start=1):
        path.rename(path.with_name(f"{index:0{width}d}-{path.name}"))


def _safe_name(file_name: str, index: int) -> str:
    name = Path(file_name.replace("\\", "/")).name.strip()
    if not name or name.startswith("."):
        return f"{index + 1:02d}.png"
    return name


def _unique(name: str, used: set[str]) -> str:
    if name not in used:
        return name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while f"{stem}-{n}{suffix}" in used:
        n += 1
    return f"{stem}-{n}{suffix}"


def _tail(path: Path) -> str:
    """``screenshots/en-US/APP_IPHONE_67/01.png``: the part of a path a user recognises."""
    parts = path.parts
    return "/".join(parts[-4:])


__all__ = ["MediaReport", "RemoteImage", "pull_images"]
