"""The repository explains itself: the docs cover every route and every rule, and nothing points
outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from chalicelib.api import dev
from chalicelib.api.application import production_operations

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_every_routed_operation_is_in_the_api_overview() -> None:
    overview = (DOCS / "api.md").read_text()
    missing = [
        f"{op.method} {op.path}"
        for op in [*production_operations(), *dev.api.operations]
        if f"`{op.method} {op.path}`" not in overview
    ]
    assert missing == []


def test_every_rule_is_explained_with_the_code_that_enforces_it() -> None:
    domain = (DOCS / "domain.md").read_text()
    for number in range(1, 15):
        match = re.search(rf"\*\*R{number} [^*]+\*\*(.*?)(?=\*\*R\d+ |\Z)", domain, re.S)
        assert match, f"R{number} is not in docs/domain.md"
        for path in re.findall(r"`((?:[a-z_]+/)+[a-z_]+\.py)`", match.group(1)):
            assert (ROOT / "chalicelib" / path).exists(), f"R{number} cites a missing {path}"
        assert "Code:" in match.group(1), f"R{number} names no code"


def test_nothing_in_the_repository_points_outside_it() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    here = Path(__file__).relative_to(ROOT).as_posix()
    outside = re.compile(r"\.\./shared|\b(?:DOMAIN|DESIGN|API)\.md\b")
    offenders = [
        name
        for name in tracked
        if name != here
        and (ROOT / name).is_file()
        and name.endswith((".py", ".md", ".json", ".toml", ".js", ".html", "Makefile"))
        and outside.search((ROOT / name).read_text(errors="ignore"))
    ]
    assert offenders == []


def _documented_tables() -> dict[str, set[str]]:
    """docs/architecture.md's table list: each table's indexes as written."""
    text = (DOCS / "architecture.md").read_text()
    block = text[text.index("| table | module | key | indexes | holds |") :]
    tables: dict[str, set[str]] = {}
    for line in block.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        indexes = {re.sub(r"\s*\(.*\)", "", name).strip() for name in cells[3].split(",")}
        for table in cells[0].split(","):
            tables[table.strip()] = {name for name in indexes if name}
    return tables


def test_the_table_list_is_the_tables_the_code_declares() -> None:
    from chalicelib.config import table_name
    from chalicelib.store import all_models

    prefix = table_name("")
    declared: dict[str, set[str]] = {}
    for model in all_models():
        indexes = {index.Meta.index_name for index in model._indexes.values()}
        name = model.Meta.table_name.removeprefix(prefix)
        declared[name] = declared.get(name, set()) | indexes
    documented = _documented_tables()
    assert set(documented) == set(declared)
    # A table written in one row with others lists the indexes of them all.
    for table, indexes in declared.items():
        assert indexes <= documented[table], table
