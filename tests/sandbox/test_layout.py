"""The sandbox's own layout: small modules, no import circle, catalog data as the only link.

The sandbox must not share validation or formatting code with the add-in (their bugs would
agree); a module importing back a module above it is a circle that hides the layering.
"""

from __future__ import annotations

import ast
from pathlib import Path

import addin.sandbox

PACKAGE = Path(addin.sandbox.__file__).parent
MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    """Absolute names of every module imported anywhere in the file (TYPE_CHECKING included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = "addin.sandbox" if node.module is None else f"addin.sandbox.{node.module}"
                if node.module is None:
                    found.update(f"addin.sandbox.{alias.name}" for alias in node.names)
                else:
                    found.add(base)
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules() -> dict[str, Path]:
    return {f"addin.sandbox.{p.stem}": p for p in sorted(PACKAGE.glob("*.py"))}


def test_every_module_is_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in _modules().values()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_only_the_catalog_data_loader_is_shared_with_the_add_in() -> None:
    shared = {
        name: sorted(
            i for i in _imports(path)
            if i.startswith("addin") and not i.startswith("addin.sandbox") and i != "addin.core"
        )
        for name, path in _modules().items()
    }
    assert {k: v for k, v in shared.items() if set(v) - {"addin.core.catalog"}} == {}


def test_no_import_circle_inside_the_sandbox() -> None:
    modules = _modules()
    graph = {
        name: {i for i in _imports(path) if i in modules and i != name}
        for name, path in modules.items()
        if not name.endswith("__init__")
    }
    state: dict[str, int] = {}  # 1 visiting, 2 done
    circles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph.get(name, set())):
            if state.get(nxt) == 1:
                circles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[name] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])
    assert circles == []
