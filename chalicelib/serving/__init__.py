"""How an operation is served over HTTP, whatever it does: routes and faces (routing.py), the
OpenAPI document (openapi.py), problem+json refusals (problems.py), persons' tokens (auth.py),
signed list cursors (paging.py), typed parameters (types.py, models.py) and large answers
(delivery.py). The operations themselves, their handlers and models, are in chalicelib/api."""
