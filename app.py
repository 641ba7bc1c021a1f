"""The Chalice app. No logic here: chalicelib.api.application builds it."""

from chalicelib.api.application import create_app
from chalicelib.config import API_SECRETS, check_deployed
from chalicelib.invoke import HANDLERS, function_variable

# A deployed function with missing configuration fails here, at cold start: the API also names
# its secrets and the functions it hands drawing and parsing to.
check_deployed(also=(*API_SECRETS, *(function_variable(name) for name in HANDLERS)))
app = create_app()
