"""Tokens and keys, below both the API and the use cases: bearer parsing, RS256 verification,
the signing keys of the token service and the local issuer. No AWS, no HTTP framework."""
