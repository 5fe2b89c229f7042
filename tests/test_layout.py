"""The package's shape: imports point from downstream to upstream only, no cycles, short functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"
# Upstream first: a module may import from its own layer or those before it, never from a later one.
LAYERS = (
    {"config", "text", "dates", "titles", "authorities", "schema"},
    {"ingest"},
    {"indexing"},
    {"search"},
    {"answer"},
    {"llm"},
    {"saved", "export"},
    {"api"},
    {"evaluation", "web", "cli", "__main__", "__init__"},
)
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    return next(i for i, names in enumerate(LAYERS) if top in names)


def imports(path: Path) -> set[str]:
    """The assistant modules a file imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("assistant")}
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) - {module_name(p)} for p in sorted(PACKAGE.rglob("*.py"))}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle met in a depth-first walk, as the path that closes it."""
    found: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges[node] & edges.keys()):
            if state.get(target) == "open":
                found.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return found


def upward(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return [
        (module, target)
        for module, targets in edges.items()
        for target in targets
        if target in edges and target != "assistant" and layer(target) > layer(module)
    ]


def long_functions(paths: list[Path]) -> list[tuple[str, int]]:
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                found.append((f"{path.relative_to(ROOT)}:{node.name}", length))
    return sorted(found, key=lambda item: -item[1])


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_imports_point_upstream_only():
    assert upward(graph()) == []


@pytest.mark.parametrize("library", ["gradio"])
def test_only_the_web_shell_imports_gradio(library):
    users = {
        module_name(p)
        for p in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and any(n == library or n.startswith(f"{library}.") for n in _names(node))
    }
    assert all(name.startswith("assistant.web") for name in users), users


def test_only_main_imports_the_cli():
    users = {module for module, targets in graph().items() if "assistant.cli" in targets}
    assert users <= {"assistant.__main__"}


def test_no_function_is_longer_than_80_lines():
    paths = [*PACKAGE.rglob("*.py"), ROOT / "app.py"]
    assert [(name, n) for name, n in long_functions(paths) if n > MAX_FUNCTION_LINES] == []


def _names(node: ast.Import | ast.ImportFrom) -> list[str]:
    return [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
