"""cfn-lint, AWS's own template linter, on the synthesised templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.infrastructure.conftest import STAGES, Assembly

# W3005: CDK adds DependsOn beside a GetAtt that already implies it; harmless, and not ours.
IGNORED = {"W3005"}


def test_cfn_lint_finds_nothing(assembly: Assembly) -> None:
    templates = [
        str(assembly.outdir / f"edv-platform-{stage}{stack}.template.json")
        for stage in STAGES
        for stack in ("", "-edge")
    ]
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--format", "json", *templates],
        capture_output=True,
        text=True,
        timeout=300,
    )
    findings = json.loads(completed.stdout or "[]")
    reported = [
        f"{f['Rule']['Id']} {f['Message']} ({f['Location']['Path']})"
        for f in findings
        if f["Rule"]["Id"] not in IGNORED
    ]
    assert reported == []
    assert completed.returncode in (0, 4), completed.stderr  # 4: warnings only (the ignored ones)
