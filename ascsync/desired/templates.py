"""Rendering ``!template`` files with a deadline and caps, so a template cannot hang or
exhaust the machine that validates it.

Templates come from the repo, i.e. from anyone who can open a pull request, and CI
renders them next to the App Store Connect key. jinja2's sandbox already blocks access to
Python internals (and ``range`` beyond 100,000 items); it does not bound time or size:
two nested ``range(100000)`` loops run for hours, and ``"x" * 10**10`` or a string doubled
in a loop eats all memory. Here:

- a **deadline** (:data:`SECONDS`): a trace function on the rendering thread checks the
  clock on every line and call of the template's code and stops it;
- an **output cap** (:data:`MAX_CHARS`): output is streamed and counted, and every value
  a template builds (``*``, ``~`` joins, filters, ``namespace`` attributes, variables) is
  checked against the same cap before or right after it is made;
- **argument caps**: a filter or call given an integer above :data:`MAX_INT_ARGUMENT`
  (``center(10**9)``) is refused before it allocates anything.

A legitimate template (a description with the version and the app name filled in) is
far inside every limit and renders as before.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

import jinja2
import jinja2.runtime
import jinja2.sandbox
from jinja2.utils import Namespace

SECONDS = 2.0
"""Longest a template may render. Real ones take milliseconds."""
MAX_CHARS = 100_000
"""Longest output, and longest value built inside a template (25 times Apple's longest
text field, the 4,000-character description)."""
MAX_INT_ARGUMENT = 100_000
"""Largest integer a filter or function may be given (widths, counts, repeats)."""

_BIG_FORMAT = re.compile(r"%[-#0 +]*(\*|\d{6,})|\{[^{}]*?(\*|\d{6,})[^{}]*\}")
_JOINS = {jinja2.runtime.str_join.__code__, jinja2.runtime.markup_join.__code__}


class TemplateLimitError(Exception):
    """A template went past a limit; the message says which, for the user."""


def render(text: str, context: Mapping[str, Any], *, seconds: float | None = None) -> str:
    """Render ``text`` with ``context`` under the deadline and caps.

    Raises jinja2's own errors for bad templates and :class:`TemplateLimitError` for one
    that runs too long or builds too much.
    """
    env = _environment()
    template = env.from_string(text)
    limit = SECONDS if seconds is None else seconds
    deadline = time.monotonic() + limit
    out: list[str] = []
    size = 0
    with _deadline(deadline, limit):
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_CHARS:
                raise TemplateLimitError(f"output is longer than {MAX_CHARS:,} characters")
            out.append(chunk)
    return "".join(out)


# --- the environment ------------------------------------------------------------------


class _LimitedEnvironment(jinja2.sandbox.SandboxedEnvironment):
    """The sandbox, with ``*``, ``**`` and ``%`` checked before they run and every call's
    integer arguments and result size checked."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        return _checked(super().call_binop(context, operator, left, right))

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``"{:>999999999}".format(...)``: the sandbox hands out its own ``format`` when
        the attribute is read; the format string is checked at that moment."""
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped


class _LimitedNamespace(Namespace):
    """``namespace()`` whose attributes cannot grow past the cap (a value doubled in a
    loop is the classic way to build a huge string)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _checked(value))


def _environment() -> jinja2.sandbox.SandboxedEnvironment:
    env = _LimitedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters = {name: _guarded(function) for name, function in env.filters.items()}
    env.globals["namespace"] = _LimitedNamespace
    return env


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses huge integer arguments and results past the cap. Filters are
    called directly by compiled templates (and at compile time for constants), not
    through the sandbox's ``call``, so each is wrapped."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[1:], kwargs)
        return _checked(function(*args, **kwargs))

    return wrapper


# --- the checks -----------------------------------------------------------------------


def _too_long(value: Any) -> bool:
    return isinstance(value, str | bytes | list | tuple | dict) and len(value) > MAX_CHARS


def _checked(value: Any) -> Any:
    if _too_long(value):
        raise TemplateLimitError(f"a value grew longer than {MAX_CHARS:,} characters")
    return value


def _check_arguments(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT_ARGUMENT:
            raise TemplateLimitError(f"a number above {MAX_INT_ARGUMENT:,} was passed to a filter")


def _check_repeat(sequence: Any, times: Any) -> None:
    repeatable = isinstance(sequence, str | bytes | list | tuple) and isinstance(times, int)
    if repeatable and len(sequence) * max(times, 0) > MAX_CHARS:
        raise TemplateLimitError(f"a value would be longer than {MAX_CHARS:,} characters")


def _check_power(base: Any, exponent: Any) -> None:
    numbers = isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1
    if numbers and exponent * abs(base).bit_length() > 4096:
        raise TemplateLimitError("a power is too large (more than 4,096 bits)")


def _check_format(text: str) -> None:
    if _BIG_FORMAT.search(text):
        raise TemplateLimitError("a format width or precision is too large (at most 5 digits)")


# --- the deadline ---------------------------------------------------------------------


class _deadline:  # noqa: N801 - used as a context manager, reads like one
    """Trace the current thread: every call, and every line of template code, checks the
    clock (and a join's total length, before it is built). The previous trace function
    (a debugger, coverage) is restored on exit."""

    def __init__(self, deadline: float, limit: float) -> None:
        self.deadline = deadline
        self.limit = limit
        self.previous: Any = None

    def __enter__(self) -> None:
        self.previous = sys.gettrace()
        sys.settrace(self._on_call)

    def __exit__(self, *exc: object) -> None:
        sys.settrace(self.previous)

    def _check(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"did not finish within {self.limit:g} s (a loop too long?)")

    def _on_call(self, frame: FrameType, event: str, arg: Any) -> Any:
        self._check()
        if frame.f_code in _JOINS:
            seq = frame.f_locals.get("seq")
            if isinstance(seq, list | tuple):
                total = sum(len(item) for item in seq if isinstance(item, str))
                if total > MAX_CHARS:
                    raise TemplateLimitError(
                        f"a value would be longer than {MAX_CHARS:,} characters"
                    )
        if frame.f_code.co_filename == "<template>":
            return self._on_line
        return None

    def _on_line(self, frame: FrameType, event: str, arg: Any) -> Any:
        self._check()
        if event == "line":
            for value in frame.f_locals.values():
                _checked(value)
        return self._on_line
