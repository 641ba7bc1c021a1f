"""What each deployed function may touch, in one place. The stack grants exactly this, and
tests/integration/test_function_grants.py runs each function's code under emulation and checks
that it touches nothing more (an AccessDenied in AWS would otherwise be the first sign).

Plain Python, no CDK: the tests import it without starting jsii."""

from __future__ import annotations

from dataclasses import dataclass, field

# Where the functions publish each EDV's pages (stappenplan, consent page) in the pages bucket.
EDV_PAGES = "verbruik/dienstverlener/"
# S3 permissions by the operations that need them.
PUT, DELETE, READ = "put", "delete", "read"
S3_OPERATIONS = {
    "PutObject": PUT,
    # A file written in parts (aws.Upload): s3:PutObject and s3:AbortMultipartUpload, both in
    # CDK's grant_put.
    "CreateMultipartUpload": PUT,
    "UploadPart": PUT,
    "CompleteMultipartUpload": PUT,
    "AbortMultipartUpload": PUT,
    "DeleteObject": DELETE,
    "GetObject": READ,
    "HeadObject": READ,
}


# The records people rely on (R12's access log, the EDVs' change feed): every role may only add to
# them (PutItem, conditioned in the code on the item not existing) and read them; no UpdateItem,
# DeleteItem or BatchWriteItem. IAM cannot tell a put that adds from one that overwrites: point-in-
# time recovery keeps what a compromised function would overwrite.
APPEND_ONLY = frozenset({"access_log", "mandate_events", "audit"})
# DynamoDB operations (and a transaction's actions) that only add or read.
ADDING_OR_READING = frozenset(
    {"PutItem", "Put", "GetItem", "Query", "BatchGetItem", "ConditionCheck", "DescribeTable"}
)


@dataclass(frozen=True)
class Grants:
    tables: frozenset[str] | None  # base table names (no stage prefix); None: every table
    buckets: dict[str, frozenset[str]] = field(default_factory=dict)  # bucket → PUT/DELETE/READ
    invokes: frozenset[str] = frozenset()  # our functions it calls and waits for (invoke.py)
    # bucket → the only key prefix it may write or delete under (its reads are not narrowed)
    write_prefixes: dict[str, str] = field(default_factory=dict)
    configured: bool = True  # reads the stage's configuration (the base URL's SSM parameter)


API = Grants(
    tables=None,  # the API is the whole portal: every use case, every table
    buckets={
        "pages": frozenset({PUT, DELETE}),
        "contracts": frozenset({PUT, DELETE, READ}),  # READ: operators open the signed PDF
        "exports": frozenset({PUT, READ}),  # READ: the presigned download links
    },
    invokes=frozenset({"render", "ingest", "export"}),  # PNG, PDF; posted readings; exports
    # The pages bucket also serves the portal's own scripts (assets/portal.js): a function writes
    # the EDVs' stappenplan and consent pages, nothing else.
    write_prefixes={"pages": EDV_PAGES},
)
JOBS = Grants(
    tables=frozenset(
        {
            "mandates",
            "mandate_events",
            "edv_access_points",
            "market_events",
            "access_points",
            "edv_applications",
            "organisations",
            "webhook_endpoints",  # the mandate jobs queue webhook deliveries of their events
            "webhook_deliveries",
            "job_runs",  # each run, for the operators' console
            "purge_duties",  # what an expiry or a truncation leaves the EDV to delete
        }
    ),
    buckets={"pages": frozenset({PUT, DELETE})},
    write_prefixes={"pages": EDV_PAGES},
)
WEBHOOKS = Grants(tables=frozenset({"webhook_endpoints", "webhook_deliveries"}))
INGEST = Grants(
    tables=frozenset(
        {
            "readings",
            "ingest_reports",
            "access_points",
            "mandates",  # data_available: who holds a mandate on the EAN, and
            "edv_applications",  # what the one entitlement gives each EDV (services/entitlements)
            "edv_access_points",
            "market_events",
            "webhook_endpoints",
            "webhook_deliveries",
        }
    ),
    buckets={
        "ingest": frozenset({READ}),
        "exports": frozenset({READ, DELETE}),  # batches the API staged for it (ingest_reports)
    },
)
EXPORT = Grants(
    tables=frozenset(
        {
            "export_jobs",
            "readings",
            "access_points",
            "mandates",  # the one entitlement (services/entitlements)
            "edv_applications",
            "edv_access_points",
            "market_events",
            "access_log",  # every read is logged per EAN (R12)
            "usage",  # the EANs it served, counted as it finishes (R13)
            "webhook_endpoints",  # export_ready
            "webhook_deliveries",
        }
    ),
    buckets={"exports": frozenset({PUT, READ})},
)
# Draws what it is given: no table, no bucket, no configuration.
RENDER = Grants(tables=frozenset(), configured=False)
