"""An EDV's machine client, as its software uses the API: token, subscription key, requests."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from tests.support.certificates import certificate
from tests.support.http import Answer, Http
from tests.support.world import Edv

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_URL = "http://127.0.0.1:8000/oauth2/token"


@dataclass
class MachineClient:
    http: Http
    client_id: str
    subscription_key: str
    secret: str | None = None
    key: Any = None
    thumbprint_hex: str | None = None
    base: str = "/esco-live/v3/api"  # or the sandbox's, /esco-sbx/v3/api

    def token_request(self, **form: str) -> Answer:
        return self.http.post(
            "/oauth2/token",
            body=urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def assertion(self, **overrides: Any) -> str:
        import base64

        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": TOKEN_URL,
            "jti": str(uuid.uuid4()),
            "nbf": now,
            "exp": now + 600,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        assert self.thumbprint_hex is not None
        x5t = base64.urlsafe_b64encode(bytes.fromhex(self.thumbprint_hex)).rstrip(b"=").decode()
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"x5t": x5t})

    def token(self) -> str:
        if self.secret is not None:
            answer = self.token_request(
                grant_type="client_credentials",
                client_id=self.client_id,
                client_secret=self.secret,
                scope="edv/.default",
            )
        else:
            answer = self.token_request(
                grant_type="client_credentials",
                client_id=self.client_id,
                client_assertion_type=ASSERTION_TYPE,
                client_assertion=self.assertion(),
            )
        assert answer.status == 200, answer.body
        return str(answer.json["access_token"])

    def get(
        self, path: str, token: str | None = None, subscription_key: str | None = None
    ) -> Answer:
        headers = {
            "Ocp-Apim-Subscription-Key": subscription_key or self.subscription_key,
            "Accept": "application/json",
        }
        return self.http.get(f"{self.base}{path}", token=token or self.token(), headers=headers)

    def post(self, path: str, body: dict[str, Any], token: str | None = None) -> Answer:
        headers = {"Ocp-Apim-Subscription-Key": self.subscription_key}
        return self.http.post(
            f"{self.base}{path}", token=token or self.token(), json_body=body, headers=headers
        )


def secret_client(http: Http, edv: Edv) -> MachineClient:
    answer = http.post(
        f"/v1/organisations/{edv.enterprise_number}/api-clients",
        token=edv.admin,
        json_body={"name": "software"},
    )
    assert answer.status == 201, answer.body
    return MachineClient(
        http,
        answer.json["client_id"],
        answer.json["subscription_key"],
        secret=answer.json["client_secret"],
    )


def certificate_client(http: Http, edv: Edv) -> MachineClient:
    key, pem = certificate()
    answer = http.post(
        f"/v1/organisations/{edv.enterprise_number}/api-clients",
        token=edv.admin,
        json_body={"name": "mtls", "certificate_pem": pem},
    )
    assert answer.status == 201, answer.body
    thumbprint = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA1()).hex()  # noqa: S303
    return MachineClient(
        http,
        answer.json["client_id"],
        answer.json["subscription_key"],
        key=key,
        thumbprint_hex=thumbprint,
    )
