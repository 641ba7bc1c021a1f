"""Imports run one way: domain <- store/render/security <- services <- jobs/serving <- api <- app.py/functions,
and handlers (api) and the HTTP layer (serving) never reach past the services into the store.

Every import counts, also those inside functions and under TYPE_CHECKING: a lazy import is still a
dependency, only a cheaper one. A module may import its own package's modules and any layer below
its own; nothing may import upward, and no modules import each other in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The layer of each top-level part, lowest first. A part may import parts of a lower rank only.
RANKS: dict[str, int] = {
    "chalicelib": 0,
    "chalicelib.lazy": 0,
    "chalicelib.media_types": 0,
    "chalicelib.queues": 0,
    "chalicelib.domain": 1,
    "chalicelib.config": 1,
    "chalicelib.observability": 1,
    "chalicelib.aws": 2,
    # Calls our other functions; locally it runs their handlers, named by string, not imported.
    "chalicelib.invoke": 2,
    "chalicelib.security": 2,
    "chalicelib.store": 3,
    "chalicelib.render": 3,
    "chalicelib.services": 4,
    # Jobs are named runs of use cases; the operators' API may start one now, so jobs sit below it.
    "chalicelib.jobs": 5,
    "chalicelib.local": 5,
    # How any operation is served over HTTP (routes, faces, OpenAPI, problems, cursors): below
    # the operations, which it never names.
    "chalicelib.serving": 5,
    "chalicelib.api": 6,
    "app": 7,
    "functions": 7,
}


# Lower layers a part may not reach into although they rank below it: handlers parse, call a
# use case and shape its answer; what is stored, and how, is the services' business.
SKIPPED: dict[str, set[str]] = {
    "chalicelib.api": {"chalicelib.store"},
    "chalicelib.serving": {"chalicelib.store"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> dict[str, Path]:
    files = [
        ROOT / "app.py",
        *(ROOT / "chalicelib").rglob("*.py"),
        *(ROOT / "functions").rglob("*.py"),
    ]
    return {module_name(path): path for path in files}


def part_of(module: str) -> str:
    for part in sorted(RANKS, key=len, reverse=True):
        if module == part or module.startswith(part + "."):
            return part
    raise AssertionError(f"{module} belongs to no layer: add it to RANKS")


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            # The longest known module the name falls in: `from . import x` names module x.
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    files = sources()
    known = set(files)
    return {module: imports_of(module, path, known) for module, path in files.items()}


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(edges.items()):
        mine = part_of(module)
        for target in sorted(targets):
            theirs = part_of(target)
            if theirs != mine and (
                RANKS[theirs] >= RANKS[mine] or theirs in SKIPPED.get(mine, set())
            ):
                wrong.append(f"{module} -> {target}")
    return wrong


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            # A package's __init__ re-exporting its modules is not a circle through its children.
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert upward_imports(graph()) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert circles(graph()) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "chalicelib.services.oauth",
            "from ..serving.auth import verify_rs256",
            ["chalicelib.services.oauth -> chalicelib.serving.auth"],
        ),
        (
            "chalicelib.render.login_page",
            "if TYPE_CHECKING:\n    from ..services.dev_issuer import Identity",
            ["chalicelib.render.login_page -> chalicelib.services.dev_issuer"],
        ),
        (
            "chalicelib.api.ops",
            "from ..store import job_runs",
            [
                "chalicelib.api.ops -> chalicelib.store",
                "chalicelib.api.ops -> chalicelib.store.job_runs",
            ],
        ),
        (
            "chalicelib.domain.mandates",
            "def f():\n    from ..store import mandates",
            [
                "chalicelib.domain.mandates -> chalicelib.store",
                "chalicelib.domain.mandates -> chalicelib.store.mandates",
            ],
        ),
    ],
)
def test_the_check_catches_an_upward_import(
    tmp_path: Path, module: str, source: str, expected: list[str]
) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source)
    edges = graph()
    edges[module] = imports_of(module, path, set(edges))
    assert [line for line in upward_imports(edges) if line.startswith(module + " ")] == expected


def test_the_check_catches_a_circle() -> None:
    edges = {
        "chalicelib.api.a": {"chalicelib.api.b"},
        "chalicelib.api.b": {"chalicelib.api.c"},
        "chalicelib.api.c": {"chalicelib.api.a"},
    }
    assert circles(edges) == [["chalicelib.api.a", "chalicelib.api.b", "chalicelib.api.c"]]
