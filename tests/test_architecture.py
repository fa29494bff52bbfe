"""The package's architecture, checked: layers, private names, import cycles, the registry.

A newcomer adding a resource kind should only have to write one module and add one line
to the registry; these tests keep that true by failing as soon as a layer reaches up
(the engine importing a kind), a module borrows another's private name, two modules
import each other (even inside a function), or a kind is missing from the registry.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import ascsync
from ascsync.kinds.base import ResourceKind
from ascsync.kinds.registry import KINDS

PACKAGE = Path(ascsync.__file__).parent

# rules -> desired -> engine -> kinds -> commands, with the API client and the small
# shared modules at the bottom and the GitHub Action on top. A module may import its
# own layer or a lower one.
LAYERS: dict[str, int] = {
    "ascsync": 0,
    "ascsync.errors": 0,
    "ascsync.problems": 0,
    "ascsync.api": 1,
    "ascsync.rules": 1,
    "ascsync.desired": 2,
    "ascsync.engine": 3,
    "ascsync.io": 3,
    "ascsync.kinds": 4,
    "ascsync.commands": 5,
    "ascsync.cli": 5,
    "ascsync.gha": 6,
}
SANDBOX_MAY_IMPORT = {"ascsync", "ascsync.errors", "ascsync.api.tokens"}
"""The sandbox is an independent oracle of Apple's behaviour: it shares no client code
beyond errors and token minting."""


def modules() -> Iterator[str]:
    yield "ascsync"
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="ascsync."):
        yield info.name


MODULES = frozenset(modules())


def source_of(module: str) -> Path:
    relative = module.split(".")[1:]
    path = PACKAGE.joinpath(*relative)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def imports_of(module: str) -> list[tuple[str, list[str], int]]:
    """``(imported module, names, line)`` for every import, top-level or inside a function."""
    tree = ast.parse(source_of(module).read_text(encoding="utf-8"))
    package = module if source_of(module).name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names = [alias.name for alias in node.names]
            submodules = [f"{base}.{name}" for name in names if f"{base}.{name}" in MODULES]
            # "from ascsync.kinds import registry" depends on the module, not on the package
            if len(submodules) < len(names):
                found.append((base, names, node.lineno))
            found += [(submodule, [], node.lineno) for submodule in submodules]
    return [(target, names, line) for target, names, line in found if target.startswith("ascsync")]


def layer(module: str) -> int | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        rank = LAYERS.get(".".join(parts[:end]))
        if rank is not None:
            return rank
    return None


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in modules() if layer(m) is None and not m.startswith("ascsync.sandbox")]
    assert unplaced == [], "place these modules in LAYERS"


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for module in modules():
        if module.startswith("ascsync.sandbox"):
            continue
        for target, _, line in imports_of(module):
            if target.startswith("ascsync.sandbox"):
                continue  # the --sandbox flag starts it; the sandbox never imports back
            if (layer(target) or 0) > (layer(module) or 0):
                wrong.append(f"{source_of(module).relative_to(PACKAGE)}:{line}: {target}")
    assert wrong == [], "an import reaches up a layer (rules -> desired -> engine -> kinds)"


def test_the_engine_never_imports_a_kind() -> None:
    engine = [m for m in modules() if m.startswith(("ascsync.engine", "ascsync.desired"))]
    reaching = [
        f"{m}: {target}" for m in engine for target, _, _ in imports_of(m) if "kinds" in target
    ]
    assert reaching == []


def test_the_sandbox_shares_no_client_code() -> None:
    leaks = []
    for module in modules():
        if not module.startswith("ascsync.sandbox"):
            continue
        for target, _, line in imports_of(module):
            if not target.startswith("ascsync.sandbox") and target not in SANDBOX_MAY_IMPORT:
                leaks.append(f"{module}:{line}: {target}")
    assert leaks == []


def test_no_module_imports_another_modules_private_names() -> None:
    private = [
        f"{module}: {target}.{name}"
        for module in modules()
        for target, names, _ in imports_of(module)
        for name in names
        if name.startswith("_") and not name.startswith("__") and target != module
    ]
    assert private == []


def test_no_import_cycles_not_even_deferred_ones() -> None:
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for module in graph:
        for target, _, _ in imports_of(module):
            if target in graph and target != module:
                graph[module].add(target)
    cycles = _cycles(graph)
    assert cycles == [], f"import cycles: {cycles}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return out


# -- the registry --------------------------------------------------------------------------


def test_every_kind_module_is_registered() -> None:
    """A kind defined in kinds/ but missing from KINDS would silently do nothing."""
    registered = {type(kind) for kind in KINDS}
    defined = set()
    for info in pkgutil.iter_modules([str(PACKAGE / "kinds")]):
        module = importlib.import_module(f"ascsync.kinds.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, ResourceKind)
                and value is not ResourceKind
                and value.__module__ == module.__name__
            ):
                defined.add(value)
    assert defined - registered == set()
    assert len({kind.name for kind in KINDS}) == len(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_kind_compiles_every_type_it_deletes(kind: ResourceKind) -> None:  # type: ignore[type-arg]
    assert set(kind.deletes) <= set(kind.compiles)
