"""The machine clients of EDVs."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.api_clients import ApiClient, Certificate
from ..domain.vocabulary import AuthMethod, ClientStatus
from .base import Key, TableMeta, register, take_page


class ClientsByEdv(GlobalSecondaryIndex["ApiClientItem"]):
    class Meta:
        index_name = "by_edv"
        projection = AllProjection()

    enterprise_number = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ClientsByThumbprint(GlobalSecondaryIndex["ApiClientItem"]):
    """A signed client assertion names its certificate by thumbprint (x5t)."""

    class Meta:
        index_name = "by_thumbprint"
        projection = AllProjection()

    certificate_thumbprint = UnicodeAttribute(hash_key=True)


@register
class ApiClientItem(Model):
    class Meta(TableMeta):
        table_name = table_name("api_clients")

    client_id = UnicodeAttribute(hash_key=True)
    enterprise_number = UnicodeAttribute()
    name = UnicodeAttribute()
    auth_method = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    secret_hash = UnicodeAttribute(null=True)
    subscription_key_hash = UnicodeAttribute()
    certificate_pem = UnicodeAttribute(null=True)
    certificate_thumbprint = UnicodeAttribute(null=True)
    certificate_thumbprint_s256 = UnicodeAttribute(null=True)
    certificate_not_after = UTCDateTimeAttribute(null=True)
    certificate_subject = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    by_edv = ClientsByEdv()
    by_thumbprint = ClientsByThumbprint()


def _client(item: ApiClientItem) -> ApiClient:
    certificate = None
    if item.certificate_pem and item.certificate_thumbprint and item.certificate_not_after:
        certificate = Certificate(
            pem=item.certificate_pem,
            thumbprint=item.certificate_thumbprint,
            thumbprint_s256=item.certificate_thumbprint_s256 or "",
            not_after=item.certificate_not_after,
            subject=item.certificate_subject or "",
        )
    return ApiClient(
        client_id=item.client_id,
        enterprise_number=item.enterprise_number,
        name=item.name,
        auth_method=AuthMethod(item.auth_method),
        status=ClientStatus(item.status),
        created_at=item.created_at,
        created_by=item.created_by,
        secret_hash=item.secret_hash,
        subscription_key_hash=item.subscription_key_hash,
        certificate=certificate,
        revoked_at=item.revoked_at,
    )


def create(client: ApiClient) -> None:
    certificate = client.certificate
    ApiClientItem(
        client.client_id,
        enterprise_number=client.enterprise_number,
        name=client.name,
        auth_method=client.auth_method.value,
        status=client.status.value,
        created_at=client.created_at,
        created_by=client.created_by,
        secret_hash=client.secret_hash,
        subscription_key_hash=client.subscription_key_hash,
        certificate_pem=certificate.pem if certificate else None,
        certificate_thumbprint=certificate.thumbprint if certificate else None,
        certificate_thumbprint_s256=certificate.thumbprint_s256 if certificate else None,
        certificate_not_after=certificate.not_after if certificate else None,
        certificate_subject=certificate.subject if certificate else None,
    ).save(condition=ApiClientItem.client_id.does_not_exist())


def get(client_id: str) -> ApiClient | None:
    try:
        return _client(ApiClientItem.get(client_id))
    except DoesNotExist:
        return None


def by_thumbprint(thumbprint: str) -> list[ApiClient]:
    return [_client(item) for item in ApiClientItem.by_thumbprint.query(thumbprint)]


def page_of_edv(
    enterprise_number: str, limit: int, start: Key | None
) -> tuple[list[ApiClient], Key | None]:
    query = ApiClientItem.by_edv.query(
        enterprise_number, last_evaluated_key=start, page_size=limit + 1
    )
    items, resume = take_page(query, limit)
    return [_client(item) for item in items], resume


def active_of_edv(enterprise_number: str) -> list[ApiClient]:
    query = ApiClientItem.by_edv.query(
        enterprise_number, filter_condition=ApiClientItem.status == ClientStatus.ACTIVE.value
    )
    return [_client(item) for item in query]


def revoke(client_id: str, by: str, now: datetime) -> None:
    ApiClientItem(client_id).update(
        actions=[
            ApiClientItem.status.set(ClientStatus.REVOKED.value),
            ApiClientItem.revoked_at.set(now),
            ApiClientItem.revoked_by.set(by),
        ],
        condition=ApiClientItem.client_id.exists(),
    )
