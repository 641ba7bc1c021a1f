"""Tariffs and monthly usage (R13): the operators keep the dated tariff table; an EDV's
administrator, and the operators for every EDV, see a month's mandate-days and their amount."""

from __future__ import annotations

from datetime import date, datetime

from ..domain import usage_counts
from ..domain.audit import AuditAction
from ..domain.errors import DomainError
from ..domain.tariffs import (
    TariffEntry,
    TariffTable,
    Usage,
    active_spans,
    month_days,
    usage,
    validate,
)
from ..domain.vocabulary import ApplicationStatus, Granularity
from ..store import onboarding as onboarding_store
from ..store import tariffs as tariffs_store
from ..store import usage as usage_store
from . import audit, directory


def tariff_table(revision: int | None = None) -> TariffTable:
    if revision is None:
        return tariffs_store.current()
    found = tariffs_store.revision(revision)
    if found is None:
        raise DomainError("not_found", f"There is no tariff revision {revision}.")
    return found


def tariff_history() -> list[TariffTable]:
    return tariffs_store.history()


def change_tariffs(
    entries: list[TariffEntry], based_on: int, sub: str, now: datetime
) -> TariffTable:
    """A new revision of the whole table; the earlier ones stay readable."""
    table = tariffs_store.save(validate(entries), based_on, sub, now)
    audit.record(sub, AuditAction.TARIFFS_CHANGED, "tariffs", now, revision=table.revision)
    return table


def of_edv(enterprise_number: str, month: str) -> Usage:
    first, end = month_days(month)
    app = onboarding_store.get_application(enterprise_number)
    if app is None:
        raise DomainError("not_found", f"{enterprise_number} is not an energy service provider.")
    transitions = [(t.status.value, t.at) for t in (*app.previous, *app.history)]
    months, days = usage_store.mandate_events(enterprise_number, month)

    def mandates(granularity: Granularity, part: tuple[date, date]) -> int:
        return usage_counts.open_days(months, days, granularity, part)

    exported = usage_store.exported_between(enterprise_number, first, end)
    table = tariffs_store.current()
    return usage(
        enterprise_number, month, mandates, active_spans(transitions, end), table, exported
    )


def for_administrator(sub: str, enterprise_number: str, month: str) -> Usage:
    directory.admin_of(sub, enterprise_number)
    return of_edv(enterprise_number, month)


def every_edv(month: str) -> list[Usage]:
    """Every EDV that is or was active (terminated ones may still owe for the month)."""
    month_days(month)
    numbers: set[str] = set()
    for status in (ApplicationStatus.ACTIVE, ApplicationStatus.TERMINATED):
        start = None
        while True:
            apps, start = onboarding_store.page_applications_by_status(status, 100, start)
            numbers.update(app.enterprise_number for app in apps)
            if start is None:
                break
    return [of_edv(number, month) for number in sorted(numbers)]
