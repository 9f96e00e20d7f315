"""Tests that the package's imports run one way: no cycles, no hidden function-level imports,
and each wing imports only from the stages upstream of it (STYLE.md §1, DESIGN.md layout)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "patrolsim"

#: Optional dependencies may be imported inside the function that needs them.
OPTIONAL = ("distributed", "dask", "pyvrp", "playwright")

#: What each part of the package may import from (besides itself, errors, streams, outputs,
#: workers,
#: _version and terms). The data flow: scenario → sim → demand → roster → routing → plan →
#: experiment → formats/plotting/report → cli.
UPSTREAM: dict[str, set[str]] = {
    "scenario": set(),
    "sim": {"scenario"},
    "validation": {"scenario", "sim", "experiment"},
    "demand": {"scenario", "sim", "roster"},
    "roster": {"scenario"},
    "routing": {"scenario", "demand"},
    "plan": {"scenario", "sim", "demand", "roster", "routing", "experiment"},
    "experiment": {"scenario", "sim"},
    "caselog": {"scenario", "sim", "experiment", "plotting"},
}
SHARED = {
    "errors",
    "streams",
    "outputs",
    "workers",
    "_version",
    "terms",
    "__init__",
    "__main__",
}
#: Readers of the public benchmark formats, which the CLI's benchmark modes feed to the solvers.
READERS = {"patrolsim.formats.toptw", "patrolsim.formats.curtois"}


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> tuple[set[str], list[tuple[int, str]]]:
    """Top-level patrolsim imports of a file, and imports made inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    inner: list[tuple[int, str]] = []

    def names(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            return [base] + [f"{base}.{a.name}" for a in node.names]
        return [a.name for a in node.names]

    def visit(node: ast.AST, in_function: bool, in_type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, in_function, True)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                if in_type_checking:
                    continue
                found = names(child)
                if in_function:
                    inner.extend((child.lineno, n) for n in found[:1])
                else:
                    top.update(n for n in found if n.startswith("patrolsim"))
                continue
            visit(
                child,
                in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef),
                in_type_checking,
            )

    visit(tree, False, False)
    return top, inner


def _graph() -> nx.DiGraph:
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for mod, path in files.items():
        graph.add_node(mod)
        top, _ = _imports(path)
        for name in top:
            target = name
            while target and target not in files:
                target = target.rpartition(".")[0]
            if target and target != mod and not mod.startswith(target + "."):
                graph.add_edge(mod, target)
    return graph


def test_no_import_cycle() -> None:
    """Tests that no chain of top-level imports inside patrolsim leads back to where it began."""
    cycles = list(nx.simple_cycles(_graph()))
    assert cycles == []


def test_no_function_level_imports_but_optional_dependencies() -> None:
    """Tests that imports sit at the top of each module, except optional dependencies."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, name in _imports(path)[1]:
            if name.split(".")[0] not in OPTIONAL:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name}")
    assert found == []


def test_wings_import_only_upstream() -> None:
    """Tests that each wing imports only from the stages upstream of it in the data flow."""
    wrong = []
    for src, dst in _graph().edges:
        a, b = src.split(".")[1:2], dst.split(".")[1:2]
        if not a or not b or a == b:
            continue
        wing, other = a[0], b[0]
        if other in SHARED or dst in READERS or wing not in UPSTREAM:
            continue
        if other not in UPSTREAM[wing]:
            wrong.append(f"{src} imports {dst}")
    assert wrong == []
