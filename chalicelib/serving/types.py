"""Field types shared by request models; their errors carry the API's stable codes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer
from pydantic_core import PydanticCustomError

from ..domain.brussels import BRUSSELS
from ..domain.identifiers import is_valid_ean, is_valid_enterprise_number


def _enterprise_number(value: str) -> str:
    if not is_valid_enterprise_number(value):
        raise PydanticCustomError(
            "invalid_enterprise_number",
            "An enterprise number is 10 digits; the last two are 97 minus the first eight mod 97.",
        )
    return value


def _ean(value: str) -> str:
    if not is_valid_ean(value):
        raise PydanticCustomError(
            "invalid_ean", "An EAN is 18 digits and its last digit is the GS1 mod-10 check digit."
        )
    return value


EnterpriseNumber = Annotated[
    str,
    Field(pattern=r"^[0-9]{10}$", examples=["0123456749"]),
    AfterValidator(_enterprise_number),
]
Ean = Annotated[
    str,
    Field(pattern=r"^[0-9]{18}$", examples=["541448820000000015"]),
    AfterValidator(_ean),
]
Subject = Annotated[str, Field(min_length=1, max_length=255)]
Text = Annotated[str, Field(min_length=1, max_length=200)]


def _instant(value: datetime) -> str:
    return value.astimezone(BRUSSELS).isoformat(timespec="seconds")


# Instants leave the system as ISO 8601 in Brussels time with their UTC offset (R14).
Instant = Annotated[datetime, PlainSerializer(_instant, return_type=str)]
