"""The tree is the architecture: each layer imports only what docs/ARCHITECTURE.md allows.

Read from the source (AST), function-level imports included, so that a lazy import cannot hide
a wrong direction or an import circle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "addin"
STDLIB = set(sys.stdlib_module_names)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """Every module `name` imports (absolute dotted names; `from pkg import mod` resolved)."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in MODULES else base)
    return found


def _internal(targets: set[str]) -> set[str]:
    return {t for t in targets if t == "addin" or t.startswith("addin.")}


def _in(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _modules_of(package: str) -> list[str]:
    return [m for m in MODULES if _in(m, package)]


@pytest.mark.parametrize("module", _modules_of("addin.core"))
def test_core_imports_only_the_standard_library_and_the_core(module: str) -> None:
    bad = [
        t for t in _imports(module)
        if not _in(t, "addin.core") and t.split(".")[0] not in STDLIB and t != "__future__"
    ]
    assert not bad, f"{module} imports {bad}: the core is stdlib only"


@pytest.mark.parametrize("module", _modules_of("addin.io"))
def test_adapters_do_not_import_excel_or_the_entry_points(module: str) -> None:
    forbidden = ("addin.excel", "addin.cli", "addin.macros", "addin.udfs", "addin.commands",
                 "addin.templates", "addin.sandbox")
    bad = [t for t in _internal(_imports(module)) if _in(t, *forbidden)]
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", _modules_of("addin.excel"))
def test_excel_adapter_does_not_import_the_entry_points(module: str) -> None:
    forbidden = ("addin.cli", "addin.macros", "addin.commands", "addin.sandbox")
    bad = [t for t in _internal(_imports(module)) if _in(t, *forbidden)]
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", _modules_of("addin.sandbox"))
def test_sandbox_shares_only_the_catalog_data(module: str) -> None:
    # If both sides used the same validation or formatting code, their bugs would agree.
    bad = [
        t for t in _internal(_imports(module))
        if not _in(t, "addin.sandbox") and t not in ("addin.core.catalog", "addin.core")
    ]
    assert not bad, f"{module} imports {bad}: the sandbox may read only addin.core.catalog"


@pytest.mark.parametrize("module", _modules_of("addin.templates"))
def test_templates_build_from_the_core_only(module: str) -> None:
    bad = [t for t in _internal(_imports(module)) if not _in(t, "addin.core", "addin.templates")]
    assert not bad, f"{module} imports {bad}"


def test_no_module_imports_an_entry_point_except_the_entry_points() -> None:
    doors = ("addin.cli", "addin.macros", "addin.udfs", "addin.__main__")
    for module in MODULES:
        if _in(module, *doors):
            continue
        bad = [t for t in _internal(_imports(module)) if _in(t, *doors)]
        # The UDF/macro tables of the .xlam builder name the doors but never import them.
        assert not bad, f"{module} imports the entry point(s) {bad}"


def test_there_is_no_import_circle() -> None:
    graph = {
        m: {t for t in _internal(_imports(m)) if t in MODULES and t != m and t != "addin"}
        for m in MODULES
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
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
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert not circles, f"import circles: {circles}"


def test_every_module_stays_readable() -> None:
    # ~400 lines: a module over it holds more than one idea (split along meaning).
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > 420}
    assert not long, f"modules over ~400 lines: {long}"
