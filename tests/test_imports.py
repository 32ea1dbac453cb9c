"""No import circles in ``sim/``: the modules import each other one way only.

Every ``import`` statement counts, also those inside functions (they run when the
function does, and a circle through them is still a circle of concepts); imports under
``if TYPE_CHECKING:`` do not (they never run).  An import names the module it reads:
``from sim.experiments import load`` reads ``sim.experiments.load`` when that is a
module, else the package ``sim.experiments`` itself.  Importing a submodule also runs
its package's ``__init__``, but that edge is left out: a package may gather its own
submodules without making every submodule depend on all the others.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT

PACKAGE = ROOT / "sim"

Graph = dict[str, set[str]]


def module_names(package: Path = PACKAGE) -> dict[str, Path]:
    """Return every module of the package by dotted name (a package by its own name)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _under_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Yield every import statement that can run, at any depth (functions included)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _under_type_checking(node):
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> set[str]:
    """Return the modules of the package that one import statement reads."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    found = set()
    for alias in node.names:
        child = f"{base}.{alias.name}"
        if child in known:
            found.add(child)
        elif base in known:
            found.add(base)
    return found


def import_graph(package: Path = PACKAGE) -> Graph:
    """Return, for every module of the package, the modules of the package it imports."""
    modules = module_names(package)
    known = set(modules)
    graph: Graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _imports(tree):
            edges |= _targets(node, name, is_package, known)
        graph[name] = edges - {name}
    return graph


def find_cycles(graph: Graph) -> list[list[str]]:
    """Return the import circles: one path per strongly connected group of two or more modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_sim_has_no_import_circles() -> None:
    cycles = find_cycles(import_graph())
    assert cycles == [], "import circles in sim/: " + "; ".join(" <-> ".join(c) for c in cycles)


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"__init__.py": "", "a.py": "def f():\n    import pkg.b\n", "b.py": "from pkg.a import f\n"},
         [["pkg.a", "pkg.b"]]),
        ({"__init__.py": "", "a.py": "from . import b\n", "b.py": "def g():\n    from .a import x\n"},
         [["pkg.a", "pkg.b"]]),
        ({"__init__.py": "", "a.py": "from pkg import b\n", "b.py": "if TYPE_CHECKING:\n    import pkg.a\n"},
         []),
        ({"__init__.py": "", "a.py": "import pkg.b\n", "b.py": "import pkg.c\n", "c.py": "import os\n"},
         []),
    ],
    ids=["function-level", "relative", "type-checking-only", "a-chain"],
)  # fmt: skip
def test_the_walker_finds_circles_through_function_level_and_relative_imports(
    files: dict[str, str], expected: list[list[str]], tmp_path: Path
) -> None:
    package = _write_package(tmp_path, files)
    assert find_cycles(import_graph(package)) == expected
