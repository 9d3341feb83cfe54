"""Data flows one way, checked on the source with no exemptions.

Floors, lowest first; a module may import modules of its own floor or of lower floors only:

0. ``shopassist`` (settings, errors, model assets, privacy, SQLite files): the ground;
   everything in ``shopassist`` except ``shopassist.cli``
1. ``retrieval``: the search floor; everything in ``retrieval`` except ``retrieval.behaviour``
2. ``retrieval.behaviour``: events, behaviour models, reranker, recommender
3. ``assistant``
4. ``ui``, ``finetune``, ``eval`` (one floor: ``ui`` imports neither ``finetune`` nor ``eval``,
   ``finetune`` neither ``ui`` nor ``eval``)
5. ``shopassist.cli``: the command, the only importer of ``eval``

Imports are resolved to full dotted module names (``import a.b``, ``from a.b import c`` with
``c`` a module or not, relative imports, imports inside functions), and the module graph
they make must have no cycle.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shopassist", "retrieval", "assistant", "finetune", "ui", "eval")
FLOORS = {
    "shopassist": 0,
    "retrieval": 1,
    "retrieval.behaviour": 2,
    "assistant": 3,
    "ui": 4, "finetune": 4, "eval": 4,
    "shopassist.cli": 5,
}
SAME_FLOOR_FORBIDDEN = {"ui": {"finetune", "eval"}, "finetune": {"ui", "eval"}}


@cache
def modules() -> dict[str, Path]:
    """Every project module by dotted name (a package is its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def in_project(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def area(name: str) -> str:
    """The longest key of ``FLOORS`` that is ``name`` or a package above it."""
    return max((key for key in FLOORS if name == key or name.startswith(key + ".")), key=len)


def resolve_imports(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The project modules that the module ``name`` imports, by full dotted name.

    ``from pkg import x`` is ``pkg.x`` when that is a module, else ``pkg``; anywhere in the
    file, functions and classes included.
    """
    package = name if is_package else name.rpartition(".")[0]
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                imported.add(full if full in known else module)
    return {m for m in imported if in_project(m)}


@cache
def graph() -> dict[str, frozenset[str]]:
    known = set(modules())
    return {name: frozenset(resolve_imports(path.read_text(), name, path.name == "__init__.py", known))
            for name, path in modules().items()}


def test_every_project_module_has_a_floor():
    assert {area(name) for name in modules()} <= set(FLOORS)
    assert {area(name) for name in modules()} >= {"shopassist", "shopassist.cli", "retrieval",
                                                   "retrieval.behaviour", "assistant", "ui", "finetune", "eval"}


def test_the_resolver_sees_submodules_relative_and_function_level_imports():
    known = {"retrieval", "retrieval.stores", "retrieval.stores.base", "retrieval.search", "assistant",
             "assistant.engine", "shopassist", "shopassist.settings"}
    source = """
import retrieval.stores.base
from retrieval import stores, search as s
from retrieval.stores import SearchFilter
from . import base
from .base import PointData
import numpy, os.path
from shopassist.settings import Settings as S

def later():
    from assistant.engine import Assistant
    import assistant
"""
    assert resolve_imports(source, "retrieval.stores.edge", False, known) == {
        "retrieval.stores.base", "retrieval.stores", "retrieval.search", "shopassist.settings",
        "assistant.engine", "assistant"}
    assert resolve_imports("from .base import x\nfrom .. import search", "retrieval.stores", True, known) == {
        "retrieval.stores.base", "retrieval.search"}


@pytest.mark.parametrize("floor", sorted(FLOORS, key=lambda key: (FLOORS[key], key)))
def test_no_upward_imports(floor):
    offenders = []
    for name, imported in sorted(graph().items()):
        if area(name) != floor:
            continue
        for target in sorted(imported):
            to = area(target)
            if FLOORS[to] > FLOORS[floor] or to in SAME_FLOOR_FORBIDDEN.get(floor, ()):
                offenders.append(f"{name} (floor {FLOORS[floor]}, {floor}) imports {target} "
                                 f"(floor {FLOORS[to]}, {to})")
    assert not offenders, "\n".join(offenders)


def test_only_the_cli_imports_eval():
    offenders = [f"{name} imports {target}" for name, imported in sorted(graph().items())
                 if area(name) not in ("eval", "shopassist.cli")
                 for target in sorted(imported) if area(target) == "eval"]
    assert not offenders, "\n".join(offenders)


def cyclic_components(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected sets of modules that contain a cycle, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan, iterative so deep graphs cannot overflow
        work = [(node, iter(sorted(edges.get(node, ()))))]
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        while work:
            current, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[current] = min(low[current], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[current])
            if low[current] == index[current]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == current:
                        break
                if len(component) > 1 or current in edges.get(current, ()):
                    components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return sorted(components)


def shortest_cycle(component: list[str], edges: dict[str, frozenset[str]]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected set (breadth first)."""
    members, start = set(component), component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges.get(node, ())):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child in members and child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start}")


def test_the_cycle_finder():
    edges = {"a": frozenset({"b"}), "b": frozenset({"c", "x"}), "c": frozenset({"a", "d"}), "d": frozenset(),
             "e": frozenset({"e"}), "f": frozenset({"d"}), "x": frozenset({"b"})}
    assert cyclic_components(edges) == [["a", "b", "c", "x"], ["e"]]
    assert [shortest_cycle(c, edges) for c in cyclic_components(edges)] == [["a", "b", "c", "a"], ["e", "e"]]
    assert cyclic_components({"a": frozenset({"b"}), "b": frozenset()}) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycles(package):
    """Over the whole project's graph; each package reports the cycles that pass through it."""
    edges = dict(graph())
    found = []
    for component in cyclic_components(edges):
        if any(m.split(".")[0] == package for m in component):
            cycle = shortest_cycle(component, edges)
            rest = sorted(set(component) - set(cycle))
            found.append(" -> ".join(cycle) + (f"  (same tangle: {', '.join(rest)})" if rest else ""))
    assert not found, "import cycles:\n" + "\n".join(found)
