"""Test plumbing shared by every suite: a clean AWS environment, moto, and a Scan guard."""

from __future__ import annotations

import os
from pathlib import Path

# Before anything imports boto3 or the app: fake credentials, one region, no endpoint overrides
# (so moto's in-process mock catches every call), the dev stage.
for _name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[_name]
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SECURITY_TOKEN="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_REGION="eu-west-1",
    STAGE="local",
    POWERTOOLS_LOG_LEVEL="INFO",  # as in production: the privacy scan reads every line
    MPLCONFIGDIR=str(Path(__file__).resolve().parents[1] / ".local" / "matplotlib"),
)
os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)
os.environ.pop("AWS_PROFILE", None)

import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import botocore.client  # noqa: E402
import pytest  # noqa: E402

_original_make_api_call = botocore.client.BaseClient._make_api_call


class ScanIssuedError(AssertionError):
    """Every request path and job must read by key or index; a Scan fails the test."""


# moto's in-process backends are not thread-safe (a transaction even restores a deep copy of the
# table when it fails). DynamoDB serves each request atomically; so does this lock, which lets
# concurrency tests race the code's reads and conditional writes, not the emulator's internals.
_one_request_at_a_time = threading.RLock()


def _guarded_make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
    if operation_name == "Scan":
        raise ScanIssuedError(f"DynamoDB Scan issued with {api_params!r}")
    with _one_request_at_a_time:
        return _original_make_api_call(self, operation_name, api_params)


@pytest.fixture(autouse=True)
def no_dynamodb_scan() -> Iterator[None]:
    botocore.client.BaseClient._make_api_call = _guarded_make_api_call
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = _original_make_api_call


# The privacy scan (tests/support/privacy.py): every test's captured output is searched for the
# names and addresses the suite gave the system; a find fails that test (in the process that ran
# it, so it holds under pytest-xdist too).
@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    from tests.support import privacy

    report = yield
    found = [
        finding
        for title, content in report.sections
        if title.startswith("Captured")
        for finding in privacy.scan(f"{report.nodeid} ({title})", content)
    ]
    if found and not report.failed:
        report.outcome = "failed"
        report.longrepr = "privacy: personal data in log output: " + "; ".join(
            f"{finding.where}: {finding.what!r}" for finding in found
        )
    return report


# pytest-xdist (`make test` runs on every core): tests that share one running stack and browser,
# or that build the Lambda bundles and synthesise the stacks, stay together on one worker; so does
# the fuzzing, whose last test counts what the whole file sent. Other tests go out module by module.
# The scheduler reads the suite from the node id: xdist's own `xdist_group` mark renames node ids,
# which pytest 9.2 no longer lets it do, so the mark silently groups nothing.
GROUPS = {"e2e": "local-stack", "bench": "builds", "infrastructure": "builds", "fuzz": "fuzz"}


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BySuite(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            suite = nodeid.split("/")[1] if nodeid.startswith("tests/") else ""
            return GROUPS.get(suite) or nodeid.split("::", 1)[0]

    return BySuite(config, log)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.support import privacy

    if privacy.FINDINGS:
        terminalreporter.section("privacy: personal data in log output", sep="=", red=True)
        for finding in privacy.FINDINGS[:50]:
            terminalreporter.line(f"{finding.where}: {finding.what!r}")
