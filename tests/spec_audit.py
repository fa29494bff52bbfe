"""Test-run audit: every request any in-process sandbox received, and every answer it gave,
must conform to Apple's spec.

Registered from ``tests/conftest.py``. It observes every sandbox journal entry during the
session and, at the end, when ``<repo>/../shared/asc-openapi/openapi.json`` exists,
checks each API request against the full spec (path and method exist; query
parameters declared with valid values; the JSON body validates) and each answer the
sandbox gave: a success body validates against the operation's response schema (Apple
answers ``null`` for unset attributes, which is allowed), an error body against
``ErrorResponse``, and every error's ``source.pointer`` names a place in the request
body. Any departure fails the run with a listing.

Answers are checked for every request, including those invalid on purpose: the
sandbox's side must always be right. Identical answers are checked once.

A request that crashed the sandbox (an unhandled exception, answered 500) fails the run
too, spec or not.

Requests that are invalid ON PURPOSE must say so, explicitly, in one of two ways:

- send the header ``X-Sandbox-Expect-Invalid: 1`` on that request, or
- mark the whole test ``@pytest.mark.spec_audit_exempt``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ascsync.sandbox.journal import OBSERVERS, JournalEntry
from ascsync.sandbox.server import INTERNAL_ERROR
from ascsync.sandbox.spec_validator import pointer_names_a_place

SPEC_PATH = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "asc-openapi" / "openapi.json"
)
MARKER = "spec_audit_exempt"


@dataclass
class Recorded:
    entry: JournalEntry
    test: str
    response: bytes | None = None


@dataclass
class SpecAudit:
    """Collects requests and reports those the spec does not allow."""

    recorded: list[Recorded] = field(default_factory=list)
    answers: list[Recorded] = field(default_factory=list)
    crashes: list[Recorded] = field(default_factory=list)
    exempt: int = 0
    current_test: str = "(outside a test)"
    current_exempt: bool = False

    def observe(self, entry: JournalEntry) -> None:
        if entry.kind == "api" and entry.response:
            self.answers.append(Recorded(entry, self.current_test, entry.response))
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

    def answer_problems(self, validator) -> list[str]:
        """One line per sandbox answer that departs from the spec (identical ones once)."""
        lines: list[str] = []
        seen: set[tuple] = set()
        for item in self.answers:
            e = item.entry
            digest = hashlib.sha1(item.response or b"").digest()
            key = (e.method, e.path, e.status, digest, repr(e.body) if e.status else "")
            if key in seen or e.status is None:
                continue
            seen.add(key)
            for problem in _answer_problems(validator, e, item.response or b""):
                lines.append(f"{item.test}: {e.method} {e.path} -> {e.status}: {problem}")
        return lines


def _answer_problems(validator, entry: JournalEntry, raw: bytes) -> list[str]:
    try:
        body = json.loads(raw)
    except ValueError:
        return ["the answer is not JSON"]
    status = entry.status or 0
    if status < 400:
        problems = validator.check_response(entry.method, entry.path, status, body)
        return problems + _link_problems(validator, body)
    problems = validator.check_error_response(body)
    for error in body.get("errors", []) if isinstance(body, dict) else []:
        pointer = (error.get("source") or {}).get("pointer")
        if pointer is not None and not pointer_names_a_place(entry.body, pointer):
            problems.append(f"source.pointer {pointer!r} names no place in the request body")
    return problems


def _link_problems(validator, body) -> list[str]:
    """Every ``links.self``/``links.related`` of a relationship names a GET in the spec."""
    if not isinstance(body, dict):
        return []
    resources = body.get("data")
    resources = resources if isinstance(resources, list) else [resources]
    problems = []
    for resource in [*resources, *(body.get("included") or [])]:
        if not isinstance(resource, dict):
            continue
        for name, relationship in (resource.get("relationships") or {}).items():
            for kind, url in (relationship.get("links") or {}).items():
                path = urlsplit(url).path
                template = validator.template_for(path)
                if template is None or validator.check("GET", path, [], None)[:1] == [
                    f"GET is not defined for {template}"
                ]:
                    problems.append(f"{resource.get('type')}.{name} links.{kind}: {path} is no GET")
    return problems


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
    if SPEC_PATH.is_file() and (AUDIT.recorded or AUDIT.answers):
        from ascsync.sandbox.spec_validator import SpecValidator

        validator = SpecValidator.from_file(SPEC_PATH)
        problems += AUDIT.problems(validator)
        problems += AUDIT.answer_problems(validator)
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
            f"({AUDIT.exempt} exempt on purpose), and so do its {len(AUDIT.answers)} answers"
        )
        return
    terminalreporter.section(
        "spec audit: requests and answers that Apple's OpenAPI does not allow", red=True
    )
    for line in problems:
        terminalreporter.write_line(line)
    terminalreporter.write_line(
        f"{len(problems)} problem(s) in {total} requests. Fix the request, or if it is invalid "
        f"on purpose send 'X-Sandbox-Expect-Invalid: 1' or mark the test @pytest.mark.{MARKER}."
    )
