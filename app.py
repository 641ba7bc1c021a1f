"""The Chalice app. No logic here: chalicelib.api.application builds it."""

from chalicelib.api.application import create_app

app = create_app()
