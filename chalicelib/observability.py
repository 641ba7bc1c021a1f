"""Structured logs and metrics (Powertools). Personal data never goes in either."""

from __future__ import annotations

from aws_lambda_powertools import Logger

SERVICE = "edv-platform"

logger = Logger(service=SERVICE)
