"""Test-run audit: every request any in-process sandbox received must conform to Apple's spec.

Registered from ``tests/conftest.py``. It observes every sandbox journal entry during the
session and, at the end, when ``<repo>/../shared/asc-openapi/openapi.json`` exists,
checks each API request against the full spec (path and method exist; query
parameters declared with valid values; the JSON body validates). Any departure fails
the run with a listing.

A request that crashed the sandbox (an unhandled exception, answered 500) fails the run
too, spec or not.

Requests that are invalid ON PURPOSE must say so, explicitly, in one of two ways:

- send the header ``X-Sandbox-Expect-Invalid: 1`` on that request, or
- mark the whole test ``@pytest.mark.spec_audit_exempt``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ascsync.sandbox.journal import OBSERVERS, JournalEntry
from ascsync.sandbox.server import INTERNAL_ERROR

SPEC_PATH = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "asc-openapi" / "openapi.json"
)
MARKER = "spec_audit_exempt"


@dataclass
class Recorded:
    entry: JournalEntry
    test: str


@dataclass
class SpecAudit:
    """Collects requests and reports those the spec does not allow."""

    recorded: list[Recorded] = field(default_factory=list)
    crashes: list[Recorded] = field(default_factory=list)
    exempt: int = 0
    current_test: str = "(outside a test)"
    current_exempt: bool = False

    def observe(self, entry: JournalEntry) -> None:
        if entry.expect_invalid or self.current_exempt:
            self.exempt += 1
            return
        if entry.fault == INTERNAL_ERROR:
            self.crashes.append(Recorded(entry, self.current_test))
        if entry.kind == "api":  # upload part URLs are Apple's storage, not the API
            self.recorded.append(Recorded(entry, self.current_test))

    def problems(self, validator) -> list[str]:
        """One line per non-conforming request (identical requests checked once)."""
        lines: list[str] = []
        seen: set[str] = set()
        for item in self.recorded:
            e = item.entry
            key = repr((e.method, e.path, e.query, e.body))
            if key in seen:
                continue
            seen.add(key)
            for problem in validator.check(e.method, e.path, e.query, e.body):
                query = "&".join(f"{k}={v}" for k, v in e.query)
                target = f"{e.path}?{query}" if query else e.path
                lines.append(f"{item.test}: {e.method} {target}: {problem}")
        return lines


AUDIT = SpecAudit()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: the test sends requests that violate Apple's spec on purpose"
    )
    if AUDIT.observe not in OBSERVERS:
        OBSERVERS.append(AUDIT.observe)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    AUDIT.current_test = item.nodeid
    AUDIT.current_exempt = item.get_closest_marker(MARKER) is not None
    try:
        return (yield)
    finally:
        AUDIT.current_test = "(outside a test)"
        AUDIT.current_exempt = False


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    problems = [
        f"{c.test}: {c.entry.method} {c.entry.path}: the sandbox crashed (500, see the log)"
        for c in AUDIT.crashes
    ]
    if SPEC_PATH.is_file() and AUDIT.recorded:
        from ascsync.sandbox.spec_validator import SpecValidator

        problems += AUDIT.problems(SpecValidator.from_file(SPEC_PATH))
    elif not AUDIT.crashes:
        return
    session.config.stash[_PROBLEMS] = problems
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_PROBLEMS = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    problems = config.stash.get(_PROBLEMS, None)
    if problems is None:
        return
    total = len(AUDIT.recorded)
    if not problems:
        terminalreporter.write_line(
            f"spec audit: {total} sandbox requests conform to Apple's OpenAPI "
            f"({AUDIT.exempt} exempt on purpose)"
        )
        return
    terminalreporter.section("spec audit: requests that Apple's OpenAPI does not allow", red=True)
    for line in problems:
        terminalreporter.write_line(line)
    terminalreporter.write_line(
        f"{len(problems)} problem(s) in {total} requests. Fix the request, or if it is invalid "
        f"on purpose send 'X-Sandbox-Expect-Invalid: 1' or mark the test @pytest.mark.{MARKER}."
    )
