"""`python -m chalicelib.api` prints the production OpenAPI document (`make openapi`)."""

from .application import production_operations
from .openapi import build_document, dumps

print(dumps(build_document(production_operations())), end="")
