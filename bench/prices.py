"""What AWS charges, for the bill benchmark (bench/cost.py): on-demand list prices in Europe
(Ireland), eu-west-1, in US dollars, without the free tier. Each price with where it was read and
when; check them before quoting a figure, and date the change here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    usd: float
    per: str
    source: str


READ = "2026-12-08"

DYNAMODB_WRITE = Price(
    0.7068,
    "million write request units",
    "aws.amazon.com/dynamodb/pricing/on-demand, Europe (Ireland): $1.4135 per million WRU "
    "before AWS halved on-demand throughput prices on 2024-11-01 (What's New, 2024-11-14); "
    f"read {READ}",
)
DYNAMODB_READ = Price(
    0.1415,
    "million read request units",
    "as DYNAMODB_WRITE: $0.283 per million RRU before the 2024-11-01 halving",
)
DYNAMODB_STORAGE = Price(
    0.283,
    "GB-month (item bytes plus 100 bytes per item and per index entry)",
    "aws.amazon.com/dynamodb/pricing/on-demand, Europe (Ireland), Standard table class, beyond "
    f"the first 25 GB; read {READ}",
)
LAMBDA_COMPUTE = Price(
    0.0000166667,
    "GB-second, x86_64",
    f"aws.amazon.com/lambda/pricing, Europe (Ireland), first 6 billion GB-s a month; read {READ}",
)
LAMBDA_REQUESTS = Price(0.20, "million requests", "aws.amazon.com/lambda/pricing; as above")
API_GATEWAY_REST = Price(
    3.50,
    "million REST API requests",
    f"aws.amazon.com/api-gateway/pricing, Europe (Ireland), first 333 million; read {READ}",
)
S3_STORAGE = Price(
    0.023,
    "GB-month, S3 Standard",
    f"aws.amazon.com/s3/pricing, Europe (Ireland), first 50 TB; read {READ}",
)
S3_PUT = Price(0.005, "thousand PUT requests", "aws.amazon.com/s3/pricing; as above")
