"""Reading deliver's files safely and exactly as deliver reads them.

Two promises live here. First, the import reads only inside the folder it was given: a
symbolic link that leads out of it (say, to ``~/.appstoreconnect/private_keys``) is never
followed, and a broken link is reported at its own path (issue 14). Second, a ``.txt``
value is what deliver would send: deliver reads the file and strips it with Ruby's
``String#strip``; the import does the same, and says so whenever it had to change more
(a byte-order mark, Windows line endings, UTF-16).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ascsync.commands.fastlane.deliver import RUBY_STRIP
from ascsync.commands.fastlane.plan import ImportPlan
from ascsync.desired.media import LFS_POINTER_PREFIX

# Names operating systems and editors drop into folders; never part of a listing.
IGNORED_NAMES = {"Thumbs.db", "desktop.ini"}
LFS_HINT = "a Git LFS pointer, not the file itself: run `git lfs pull` and import again"
MAX_TEXT_BYTES = 1_000_000  # far above any App Store text; a bigger .txt is a mistake


@dataclass(frozen=True)
class SourceRoot:
    """The folder an import may read from; ``real`` is its resolved path."""

    path: Path

    @property
    def real(self) -> Path:
        return self.path.resolve()

    def refusal(self, path: Path) -> str | None:
        """Why ``path`` must not be read (broken link, link out of the root), else None."""
        if path.is_symlink():
            try:
                path.resolve(strict=True)
            except (OSError, RuntimeError):
                target = os.readlink(path)
                return f"broken link (points to {target}, which does not exist); not imported"
        real = path.resolve()
        if real.is_relative_to(self.real):
            return None
        if Path(os.path.normpath(path.absolute())) == real:  # no link involved: a path out
            return f"is outside {self.path}; not read (the import reads only inside it)"
        return (
            f"links to {real}, outside {self.path}; not read (the import never follows"
            " a link out of the folder it imports: copy the file in if you meant it)"
        )

    def allows(self, path: Path, plan: ImportPlan) -> bool:
        """True when ``path`` may be read; otherwise the refusal goes into the report."""
        reason = self.refusal(path)
        if reason is None:
            return True
        if reason.startswith("broken link"):
            plan.warn(path, reason)
        else:
            plan.error(path, reason)
        return False


def entries(folder: Path, root: SourceRoot, plan: ImportPlan) -> list[Path]:
    """A folder's visible entries, sorted; links that may not be followed are reported."""
    try:
        children = sorted(folder.iterdir())
    except OSError as exc:
        plan.error(folder, f"cannot be read ({exc.strerror or exc})")
        return []
    return [
        child
        for child in children
        if not child.name.startswith(".")
        and child.name not in IGNORED_NAMES
        and root.allows(child, plan)
    ]


def all_files(folder: Path, root: SourceRoot, plan: ImportPlan) -> list[Path]:
    """Every readable file under ``folder`` (for reports of what was not imported)."""
    found: list[Path] = []
    for child in entries(folder, root, plan):
        if child.is_dir():
            found += all_files(child, root, plan)
        else:
            found.append(child)
    return found


def ruby_strip(text: str) -> str:
    """Ruby's ``String#strip``: NUL and ASCII whitespace only, so e.g. a trailing no-break
    space stays exactly as deliver would send it (Python's ``str.strip`` would drop it)."""
    return text.strip(RUBY_STRIP)


def is_lfs_pointer(path: Path) -> bool:
    """Whether the file is the small text Git LFS leaves until ``git lfs pull``."""
    try:
        with path.open("rb") as stream:
            return stream.read(len(LFS_POINTER_PREFIX)) == LFS_POINTER_PREFIX
    except OSError:
        return False


def read_value(path: Path, plan: ImportPlan) -> str | None:
    """A deliver ``.txt`` value as deliver sends it; None when empty or unreadable.

    Returns None for an empty file, as deliver skips empty values (they cannot clear a
    field), and for a file that is not text, which is reported with what to do.
    """
    raw = _read_bytes(path, plan)
    if raw is None:
        return None
    text = _decode(path, raw, plan)
    if text is None:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        plan.note(path, "Windows (CRLF) line endings converted to \\n")
    value = ruby_strip(text)
    if not value:
        plan.warn(path, "empty, skipped (deliver skips empty values too)")
        return None
    return value


def _read_bytes(path: Path, plan: ImportPlan) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            plan.error(path, f"{size} bytes is far too long for App Store text; not imported")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        plan.error(path, f"cannot be read ({exc.strerror or exc})")
        return None
    if raw.startswith(LFS_POINTER_PREFIX):
        plan.error(path, LFS_HINT)
        return None
    return raw


def _decode(path: Path, raw: bytes, plan: ImportPlan) -> str | None:
    """UTF-8 (a byte-order mark is dropped and reported); UTF-16 with a BOM is accepted."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            plan.error(path, "not readable as UTF-16 text; re-save it as UTF-8")
            return None
        plan.note(path, "UTF-16 text read as such (deliver would have sent its raw bytes)")
        return text
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        plan.error(path, "not UTF-8 text; re-save it as UTF-8 and import again")
        return None
    if text.startswith("\ufeff"):
        plan.note(path, "UTF-8 byte-order mark dropped (it is invisible and not text)")
        text = text[1:]
    return text
