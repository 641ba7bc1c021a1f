"""Base classes of the HTTP models.

Schemas are built when a model is first used, not at import (`defer_build`): a Lambda cold start
should not pay for the schemas of every route when it serves one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A response (or any) model of the API."""

    model_config = ConfigDict(defer_build=True)


class RequestBody(ApiModel):
    """A request body: unknown fields are refused, so a typo never passes silently."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
