"""Data flows one way: lower layers never import upper ones (checked on the source)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "shopassist": {"retrieval", "assistant", "finetune", "ui", "eval"},
    "retrieval": {"assistant", "finetune", "ui", "eval"},
    "assistant": {"finetune", "ui", "eval"},
    "finetune": {"ui", "eval"},
    "ui": {"eval", "finetune"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package):
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        if path.name.startswith("cli") and package == "shopassist":
            continue  # the thin entry point (cli.py and its command modules) sits above everything
        bad = _imports(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not offenders, offenders


def test_nothing_imports_eval():
    for package in ("shopassist", "retrieval", "assistant", "finetune", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            if path.parent == ROOT / "shopassist" and path.name.startswith("cli"):
                continue  # the CLI entry point (cli.py and its command modules) dispatches `shopassist eval ...`
            assert "eval" not in _imports(path), path
