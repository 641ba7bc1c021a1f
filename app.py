"""The Chalice app. No logic here: chalicelib.api.application builds it."""

from chalicelib.api.application import create_app
from chalicelib.config import check_deployed
from chalicelib.invoke import HANDLERS, function_variable

# A deployed function with missing configuration fails here, at cold start: the API also names
# the functions it hands drawing and parsing to.
check_deployed(also=tuple(function_variable(name) for name in HANDLERS))
app = create_app()
