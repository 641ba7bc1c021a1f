"""What a handler module can import, read from the source rather than by running it: every
`import` in our modules it reaches, at any depth (a function's lazy import too) but for those under
`if TYPE_CHECKING:`, and `lazy_module("…")`. A bundle must hold each third-party package found,
or a request that reaches the lazy import fails in Lambda, long after the cold start passed."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = frozenset({"app", "chalicelib", "functions"})


def _source(module: str) -> Path | None:
    base = ROOT / module.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.is_package = module, is_package
        self.found: list[str] = []

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
        if name == "TYPE_CHECKING":  # for the type checker only: never runs
            for statement in node.orelse:
                self.visit(statement)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found += [alias.name for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            parts = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        else:
            base = node.module or ""
        self.found.append(base)
        self.found += [f"{base}.{alias.name}" for alias in node.names]  # a submodule, perhaps

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "lazy_module" and node.args:
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                self.found.append(argument.value)
        self.generic_visit(node)


def reachable(*entries: str) -> tuple[set[str], set[str]]:
    """(our modules reached, third-party top-level packages they import) from `entries`."""
    ours: set[str] = set()
    third_party: set[str] = set()
    todo = list(entries)
    while todo:
        module = todo.pop()
        source = _source(module)
        if module in ours or source is None:
            continue
        ours.add(module)
        visitor = _Imports(module, source.name == "__init__.py")
        visitor.visit(ast.parse(source.read_text()))
        for name in visitor.found:
            top = name.split(".")[0]
            if top in OURS:
                parts = name.split(".")
                todo += [".".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
            elif top and top not in sys.stdlib_module_names and top != "__future__":
                third_party.add(top)
    return ours, third_party
