"""The import graph of the product code: no circles, and the catalog knows nothing of the AI assistant.

Every import counts, function-local ones too: a circle held together by an import inside a function is still
a circle (docs/architecture.md, "rules of the pipeline"). Read from the source with `ast`; nothing is run.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("apps", "ecommerce_backend")
CATALOG_SIDE = ("apps.catalog", "apps.preconfigured_products")
FORBIDDEN_FOR_CATALOG = "apps.ai_assistant"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imported_names(path: Path, module: str, is_package: bool) -> set[str]:
    """Dotted names this file imports (absolute, relative resolved), every `from x import y` as x.y and x."""
    names: set[str] = set()
    base = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                source = ".".join(anchor + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(path, module, path.name == "__init__.py"):
            # `from pkg import mod` names a module when pkg.mod is one; else it names an attribute of pkg.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that import each other in a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return groups


def test_no_import_circles():
    circles = strongly_connected(import_graph())
    assert not circles, "modules that import each other in a circle:\n" + "\n".join(" <-> ".join(c) for c in circles)


def test_the_catalog_imports_nothing_of_the_ai_assistant():
    offenders = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.startswith(CATALOG_SIDE)
        for target in targets
        if target.startswith(FORBIDDEN_FOR_CATALOG)
    )
    assert not offenders, "\n".join(offenders)


def test_the_checks_see_a_circle_and_a_forbidden_import():
    # The checks themselves must be able to fail.
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []
    graph = import_graph()
    assert "apps.ai_assistant.tasks" in graph and graph["apps.ai_assistant.tasks"]
