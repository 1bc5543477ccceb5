"""The package's shape, read from its source: imports one way, no cycles, no long modules.

Layers, lowest first: ``core`` (with ``extensions`` and ``settings``), then the domains
(``identity``, ``learning``, ``experiments``, ``culture``), then ``blueprints``; the app
factory, ``cli``, ``models`` and ``tasks`` sit on top and may import anything. A module
imports only from its own layer or below: core knows no domain, a domain knows no
blueprint. Imports under ``if TYPE_CHECKING:`` are left out: they name a type for the
checker and load nothing (core's audit rows are written by a ``Person``).

A cycle is counted among module-level imports (those that run when a module loads); an
import inside a function is deferred on purpose and cannot make one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "intrapreneur"
DOMAINS = {"identity", "learning", "experiments", "culture", "privacy", "search"}
CORE = {"core", "extensions", "settings"}
LONGEST_MODULE = 500  # lines; issue 18: split by responsibility past this

Edge = tuple[str, str, bool]  # importer, imported, at module level


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(importer: str, node: ast.ImportFrom | ast.Import) -> Iterator[str]:
    """The package modules an import statement loads (``from a import b`` loads ``a.b``
    when ``b`` is a module, else ``a``)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in MODULES:
                yield alias.name
        return
    base = node.module or ""
    if node.level:  # relative: from the importer's package, one level up per extra dot
        is_package = MODULES[importer].name == "__init__.py"
        package = importer if is_package else importer.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    if not base.startswith("intrapreneur"):
        return
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        yield candidate if candidate in MODULES else base


def _imports(name: str, source: str | None = None) -> Iterator[Edge]:
    tree = ast.parse(MODULES[name].read_text() if source is None else source)

    def walk(nodes: list[ast.stmt], top: bool) -> Iterator[Edge]:
        for node in nodes:
            if isinstance(node, ast.If) and _type_checking_only(node):
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                for imported in _resolve(name, node):
                    if imported != name:
                        yield name, imported, top
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.AST):
                    nested_top = top and not isinstance(
                        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                    )
                    yield from walk(inner, nested_top or isinstance(node, ast.ClassDef))

    yield from walk(tree.body, True)


EDGES = [edge for name in sorted(MODULES) for edge in _imports(name)]


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    if top in CORE:
        return 0
    if top in DOMAINS:
        return 1
    if top == "blueprints":
        return 2
    return 3  # the app factory, cli, models, tasks


def test_imports_go_one_way() -> None:
    upward = [
        f"{importer} → {imported}"
        for importer, imported, _ in EDGES
        if _layer(imported) > _layer(importer)
    ]
    assert upward == [], "core knows no domain and a domain no blueprint:\n" + "\n".join(upward)


def _cycle() -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for importer, imported, top in EDGES:
        if top:
            graph.setdefault(importer, set()).add(imported)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for following in sorted(graph.get(module, ())):
            if state.get(following) == 1:
                return [*path[path.index(following) :], following]
            if following not in state and (found := visit(following)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_module_level_import_cycle() -> None:
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert long == {}, f"split by responsibility past {LONGEST_MODULE} lines: {long}"


@pytest.mark.parametrize(
    ("source", "finds"),
    [
        ("from intrapreneur.blueprints import sets\n", "upward"),
        ("if TYPE_CHECKING:\n    from intrapreneur.blueprints import sets\n", None),
        ("def f():\n    from intrapreneur.blueprints import sets\n", "upward"),
    ],
)
def test_the_reader_sees_what_it_must(source: str, finds: str | None) -> None:
    """The checks above would pass vacuously if the reader missed imports: a core module
    given each kind of import shows whether it is seen."""
    edges = list(_imports("intrapreneur.core.database", source))
    upward = [edge for edge in edges if _layer(edge[1]) > _layer(edge[0])]
    assert bool(upward) == (finds == "upward"), edges
