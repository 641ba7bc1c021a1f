"""Pure rules and value types. Nothing here does I/O or reads the clock."""
