"""Writing into the repo without ever following a symlink out of it.

A listing repo comes from people the CI key must not trust blindly. ``pull`` and
``drift --write`` write YAML and text files, and the checksum cache and the sandbox's
state live in ``.ascsync/``; a symlink in the repo (``locales/fr-FR.yml`` ->
``~/.bashrc``, even a dangling one, or ``.ascsync`` -> ``/etc``) would turn each of those
writes into a write anywhere the user can write. Every such write goes through
:func:`target`, which resolves the path the way the OS would and refuses a place
outside the repo, naming the link. A symlink that stays inside the repo is followed (the
file it points to is updated, the link is kept).
"""

from __future__ import annotations

import os
from pathlib import Path

from ascsync.errors import AscsyncError


class OutsideRepoError(AscsyncError):
    """A write would land outside the repo through a symlink."""


def target(root: Path, path: Path, what: str = "") -> Path:
    """Where writing ``path`` would really land; raise when that is outside ``root``.

    ``os.path.realpath`` follows every symlink on the way, dangling ones included (the
    link's target is where a write would create the file).
    """
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    if real == real_root or real_root in real.parents:
        return real
    raise OutsideRepoError(_refusal(root, path, real, what))


def _refusal(root: Path, path: Path, real: Path, what: str) -> str:
    shown = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    link = _first_link(root, path)
    if link is None:
        how = f"it is outside the repo ({real})"
    elif link == Path(os.path.abspath(path)):
        how = f"it is a symlink leading outside the repo (to {real})"
    else:
        inner = os.path.relpath(link, os.path.abspath(root))
        how = f"{inner} is a symlink leading outside the repo (to {real})"
    label = f" ({what})" if what else ""
    return (
        f"{shown}{label}: not written: {how}; ascsync only writes inside the repo. "
        "Replace the symlink with a real file or folder."
    )


def _first_link(root: Path, path: Path) -> Path | None:
    """The first symlink on the way from ``root`` to ``path`` (or ``path`` itself)."""
    base = Path(os.path.abspath(root))
    absolute = Path(os.path.abspath(path))
    try:
        parts = absolute.relative_to(base).parts
    except ValueError:
        return None
    current = base
    for part in parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def write_text(root: Path, path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` inside ``root``; returns where it was written.

    Parent folders are created inside the repo; the file is opened with ``O_NOFOLLOW``
    on its resolved location, so a link swapped in after the check is refused too.
    """
    real = target(root, path)
    real.parent.mkdir(parents=True, exist_ok=True)
    real = target(root, path)  # a parent made just now cannot have moved it, but be sure
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(real, flags, 0o666)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return real
