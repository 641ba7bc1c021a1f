"""The Lambda code as it will be uploaded: the handler modules and everything they import."""

from __future__ import annotations

import ast
import zipfile
from typing import Any

from tests.infrastructure.conftest import ROOT, Assembly


def repository_files(folder: str) -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    }


def functions_of(template: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each Lambda function's handler and asset key."""
    found = {}
    for name, resource in template["Resources"].items():
        props = resource["Properties"]
        if resource["Type"] == "AWS::Lambda::Function" and "functions." in props.get("Handler", ""):
            found[name] = (props["Handler"], props["Code"]["S3Key"])
        elif resource["Type"] == "AWS::Serverless::Function":
            found[name] = (props["Handler"], props["CodeUri"]["Key"])
    return found


def test_every_handler_and_what_it_imports_is_in_its_asset(
    assembly: Assembly, templates: dict[str, dict[str, Any]]
) -> None:
    chalicelib = repository_files("chalicelib")
    for template in templates.values():
        functions = functions_of(template)
        assert len(functions) == 9  # the API and eight functions
        for handler, key in functions.values():
            with zipfile.ZipFile(assembly.asset(key)) as archive:
                names = set(archive.namelist())
                module, attribute = handler.rsplit(".", 1)
                source = module.replace(".", "/") + ".py"
                assert source in names, f"{handler}: {source} missing"
                tree = ast.parse(archive.read(source))
                defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)} | {
                    t.id
                    for n in tree.body
                    if isinstance(n, ast.Assign)
                    for t in n.targets
                    if isinstance(t, ast.Name)
                }
                assert attribute in defined, f"{handler}: no {attribute} in {source}"
                assert chalicelib <= names, f"{handler}: missing {sorted(chalicelib - names)[:5]}"
                # The packaged chalicelib is the one in the repository, byte for byte.
                for path in sorted(chalicelib):
                    assert archive.read(path) == (ROOT / path).read_bytes(), path
                # Compiled packages built for Lambda (manylinux, CPython 3.12), where they are.
                for extension in (n for n in names if n.endswith(".so")):
                    library = extension.rsplit("/", 1)[-1].startswith("lib")  # plain C++ libraries
                    assert (
                        library
                        or ".libs/" in extension
                        or "cpython-312-x86_64-linux" in extension
                        or ".abi3." in extension
                    ), extension


def test_the_job_functions_carry_the_handlers_the_schedules_name(
    assembly: Assembly, templates: dict[str, dict[str, Any]]
) -> None:
    for template in templates.values():
        handlers = {h for h, _ in functions_of(template).values()}
        assert handlers == {
            "app.app",
            "functions.jobs.mandate_expiry",
            "functions.jobs.market_scenarios",
            "functions.jobs.publish_pages",
            "functions.jobs.webhook_dispatch",
            "functions.webhooks.handler",
            "functions.ingest.handler",
            "functions.render.handler",
            "functions.export.handler",
        }
