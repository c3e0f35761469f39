"""The package's import graph: no cycles, and every dependency points down the layers.

Every ``import`` in a module counts, including those inside functions (a lazy import that
hides a cycle is still a cycle); only imports under ``if TYPE_CHECKING:`` are left out, since
they never run. ``docs/architecture.md`` draws the layers this test enforces.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "photocheck"

# Layer of each top-level part of the package; a module may import only from its own layer
# (without cycles) or from lower layers. errors is the floor everyone may use.
LAYERS = {
    "errors": 0,
    "imaging": 1,
    "vision": 2,
    "scores": 2,
    "rules": 2,
    "analysis": 3,
    "checks": 4,
    "authoring": 5,
    "api": 5,
    "batch": 6,
    "visual": 6,
    "fixing": 6,
    "evaluation": 7,
    "cli": 8,
    "__init__": 9,
}
# Parts that must stay free of pixel work and of presentation (HTML).
PURE = {"rules": {"imaging", "vision", "analysis", "scores", "checks", "visual"}}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: set[str]) -> set[str]:
    """photocheck modules imported by the file at ``path`` (resolved, TYPE_CHECKING left out)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.split(".")[0] == "photocheck")
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target.split(".")[0] != "photocheck":
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in modules else target)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the photocheck modules it imports."""
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(f) for f in files}
    return {_module_name(f): _imports(f, modules) & modules for f in files}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            strongconnect(v)
    return found


def longest_chain(graph: dict[str, set[str]]) -> list[str]:
    """The longest import chain (the graph has no cycles)."""
    memo: dict[str, list[str]] = {}

    def chain(v: str) -> list[str]:
        if v not in memo:
            best = max((chain(w) for w in graph[v]), key=len, default=[])
            memo[v] = [v, *best]
        return memo[v]

    return max((chain(v) for v in graph), key=len)


GRAPH = import_graph()


def test_the_graph_is_read() -> None:
    assert "photocheck.checks.pose" in GRAPH["photocheck.checks"]
    assert "photocheck.rules.registry" in GRAPH["photocheck.checks.pose"]
    # a function-level import counts
    assert "photocheck.api" in GRAPH["photocheck.visual.report"]


def test_there_are_no_import_cycles() -> None:
    assert _cycles(GRAPH) == []


def test_a_cycle_would_be_found() -> None:
    graph = {k: set(v) for k, v in GRAPH.items()}
    graph["photocheck.errors"].add("photocheck.api")
    assert _cycles(graph)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_dependencies_point_down_the_layers(module: str) -> None:
    part = _part(module)
    for target in GRAPH[module]:
        other = _part(target)
        assert LAYERS[other] <= LAYERS[part], f"{module} imports {target} ({other} is above {part})"
        assert other not in PURE.get(part, set()), f"{module} imports {target}"


def test_nothing_inside_imports_the_package_root() -> None:
    importers = [m for m, targets in GRAPH.items() if "photocheck" in targets]
    assert importers == []


def test_every_part_has_a_layer() -> None:
    assert {_part(m) for m in GRAPH} <= set(LAYERS)


def test_the_longest_chain_is_reported() -> None:
    chain = longest_chain(GRAPH)
    assert len(chain) >= 3
    print("longest import chain:", " -> ".join(chain))
