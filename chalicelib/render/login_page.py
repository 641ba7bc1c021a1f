"""The local issuer's log-in page: it stands in for CSAM's, so it looks plainly like a stand-in."""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from typing import Protocol

from .stappenplan import fill


class AuthorizationRequest(Protocol):
    """What the page carries through the form (the local issuer's request, by shape)."""

    @property
    def client_id(self) -> str: ...
    @property
    def redirect_uri(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def code_challenge(self) -> str: ...


class Identity(Protocol):
    @property
    def sub(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def roles(self) -> Collection[str]: ...


def _hidden(request: AuthorizationRequest) -> str:
    fields = {
        "response_type": "code",
        "code_challenge_method": "S256",
        "client_id": request.client_id,
        "redirect_uri": request.redirect_uri,
        "state": request.state,
        "code_challenge": request.code_challenge,
    }
    return "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value, quote=True)}">'
        for name, value in fields.items()
    )


def render(request: AuthorizationRequest, identities: Sequence[Identity]) -> str:
    hidden = _hidden(request)
    buttons = "".join(
        f'<li><form method="post" action="/v1/dev/authorize">{hidden}'
        f'<input type="hidden" name="sub" value="{html.escape(i.sub, quote=True)}">'
        f'<input type="hidden" name="name" value="{html.escape(i.name, quote=True)}">'
        + ('<input type="hidden" name="ops" value="1">' if "ops" in i.roles else "")
        + f'<button type="submit" class="identity"><strong>{html.escape(i.name)}</strong>'
        f"<span>{html.escape(i.sub)} · {html.escape(i.description)}</span></button></form></li>"
        for i in identities
    )
    return fill("dev-login.html", raw={"hidden": hidden, "identities": buttons})
