"""`python -m chalicelib.api` prints the production OpenAPI document (`make openapi`)."""

from ..serving.openapi import build_document, dumps
from .application import production_operations

print(dumps(build_document(production_operations())), end="")
