"""retrieval/ has two floors: search (catalogue, encoders, stores, search, the reranker seam)
below, behaviour/ above; and no module of it imports, even lazily, one that imports it back."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """Module → the retrieval modules it imports (``from a import b`` counts as ``a.b`` when
    that is a module), at any depth in the file."""
    files = {_module(p): p for p in (ROOT / "retrieval").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    edges.add(sub if sub in files else node.module)
        graph[name] = {e for e in edges if e in files and e != name}
    return graph


def test_search_floor_never_imports_behaviour():
    offenders = [f"{m} imports {sorted(e)}" for m, edges in _graph().items()
                 if not m.startswith("retrieval.behaviour")
                 for e in [{x for x in edges if x.startswith("retrieval.behaviour")}] if e]
    assert not offenders, offenders


def test_no_import_cycles():
    graph = _graph()
    cycles = []
    for start in graph:
        seen, stack = set(), [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" -> ".join(path + [start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    assert not cycles, cycles
