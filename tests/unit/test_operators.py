"""Who is an operator: the persons the grid operator lists, not whoever's token says `ops`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.config import Settings, settings
from chalicelib.security.keys import DEV_ISSUER_KEY
from chalicelib.security.tokens import OwnKeyResolver
from chalicelib.serving import auth
from tests.support.tokens import signed_by_dev_issuer

JWKS = "https://identity.example/jwks"  # a deployed stage's identity provider (CSAM's stand-in)


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A deployed stage whose identity provider's keys are, for this test, the local issuer's."""
    monkeypatch.setitem(auth._resolvers, JWKS, OwnKeyResolver(DEV_ISSUER_KEY))
    return replace(settings(), stage="prod", auth_jwks_url=JWKS, operators=frozenset({"olivia"}))


def test_a_token_claiming_ops_is_not_an_operator_in_a_deployed_stage(
    deployed: Settings,
) -> None:
    claimed = signed_by_dev_issuer(sub="mallory", roles=["ops"])
    assert not auth.authenticate_person(f"Bearer {claimed}", deployed).is_operator
    listed = signed_by_dev_issuer(sub="olivia", roles=[])
    assert auth.authenticate_person(f"Bearer {listed}", deployed).is_operator


def test_the_local_issuer_may_still_mint_an_operator() -> None:
    local = replace(settings(), operators=frozenset())
    assert local.is_local
    claimed = signed_by_dev_issuer(sub="ops-olivia", roles=["ops"])
    assert auth.authenticate_person(f"Bearer {claimed}", local).is_operator
