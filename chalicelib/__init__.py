"""Everything that runs in Lambda. Chalice packages this folder with app.py."""

import os

# We use no pydantic plugins; looking for them reads every installed package's metadata on import.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
