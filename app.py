"""The Chalice app. No logic here: chalicelib.api.application builds it."""

from chalicelib.api.application import create_app
from chalicelib.config import check_deployed

check_deployed()  # a deployed function with missing configuration fails here, at cold start
app = create_app()
