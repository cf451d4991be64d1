"""What a customer sees of their account's service contracts and entitlements: each with its
status, "expires in N days" inside the staff list's expiring window, and the service level
(milestone targets and business hours) in plain words."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.entitlements import (
    BusinessCalendar, ContractLine, Entitlement, EntitlementProcess, ProcessMilestone,
    ServiceContract,
)
from app.services.business_hours import format_minutes
from app.services.calendar_text import format_windows
from app.services.entitlements import EXPIRING_DAYS, today

PRIORITIES = ("Critical", "High", "Medium", "Low")
CURRENT = ("active", "draft", "not started", "used up")


@dataclass
class Term:
    """A contract or entitlement with its status today and, when it ends soon, in how many
    days (inside the staff "expiring" list's window)."""

    item: ServiceContract | Entitlement
    status: str
    expires_in: int | None = None
    entitlements: list[Term] = field(default_factory=list)
    level: ServiceLevel | None = None

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT


def expires_in(end: date, status: str, on: date) -> int | None:
    """Days until the end date when the term is running and ends within EXPIRING_DAYS."""
    days = (end - on).days
    return days if status in ("active", "used up") and 0 <= days <= EXPIRING_DAYS else None


def _term(item, on: date) -> Term:
    status = item.status_on(on)
    return Term(item, status, expires_in(item.end_date, status, on))


def _entitlements(account_id: int, on: date, where=()) -> list[Term]:
    calendar = (selectinload(Entitlement.process).selectinload(EntitlementProcess.milestones)
                .selectinload(ProcessMilestone.calendar))
    rows = db.session.scalars(
        sa.select(Entitlement).where(Entitlement.account_id == account_id, *where)
        .options(calendar.selectinload(BusinessCalendar.windows),
                 calendar.selectinload(BusinessCalendar.holidays))
        .order_by(Entitlement.end_date.desc(), Entitlement.id))
    terms = [_term(e, on) for e in rows]
    for term in terms:
        term.level = service_level(term.item.process)
    return terms


def account_terms(account_id: int, on: date | None = None) -> dict[str, list[Term]]:
    """The account's contracts and entitlements, current ones (soonest end first) apart from
    past ones (expired or cancelled, latest first)."""
    on = on or today()
    contracts = [_term(c, on) for c in db.session.scalars(
        sa.select(ServiceContract).where(ServiceContract.account_id == account_id)
        .order_by(ServiceContract.end_date.desc(), ServiceContract.id))]
    entitlements = _entitlements(account_id, on)

    def current(terms):
        return sorted((t for t in terms if t.is_current), key=lambda t: t.item.end_date)

    return {"contracts": current(contracts), "entitlements": current(entitlements),
            "past_contracts": [t for t in contracts if not t.is_current],
            "past_entitlements": [t for t in entitlements if not t.is_current]}


def account_contract(contract_id: int, account_id: int, on: date | None = None) -> Term | None:
    """One of the account's contracts with its lines and entitlements; None for another
    account's (or a missing) contract."""
    if not 0 < contract_id < 2**31:  # past any id (and any database's integer)
        return None
    on = on or today()
    contract = db.session.scalar(
        sa.select(ServiceContract)
        .where(ServiceContract.id == contract_id, ServiceContract.account_id == account_id)
        .options(selectinload(ServiceContract.lines).selectinload(ContractLine.asset),
                 selectinload(ServiceContract.renewed_from)))
    if contract is None:
        return None
    term = _term(contract, on)
    line_ids = [line.id for line in contract.lines]
    if line_ids:
        term.entitlements = _entitlements(account_id, on,
                                          [Entitlement.contract_line_id.in_(line_ids)])
    return term


def renewals_of(contract: ServiceContract) -> list[ServiceContract]:
    """The contracts that renewed this one (the same account's, by construction)."""
    return list(db.session.scalars(sa.select(ServiceContract).where(
        ServiceContract.renewed_from_id == contract.id,
        ServiceContract.account_id == contract.account_id).order_by(ServiceContract.start_date)))


@dataclass
class ServiceLevel:
    """A process's targets in words: per milestone, its target for each priority; and the
    business hours the clock runs in: (calendar name, time zone, lines, has holidays)."""

    name: str
    targets: list[tuple[str, list[tuple[str, str]]]]
    hours: list[tuple[str, str, list[str], bool]]


def service_level(process: EntitlementProcess | None) -> ServiceLevel | None:
    """The process's milestones as "First response: Critical 1 h, High 4 h, ..." and each
    calendar's weekly hours ("Mon-Fri 09:00-17:00") in its time zone, and whether it keeps
    holidays."""
    if process is None:
        return None
    targets, calendars = [], {}
    for milestone in process.milestones:
        targets.append((milestone.label, [(p, format_minutes(milestone.minutes_for(p)))
                                          for p in PRIORITIES]))
        calendars.setdefault(milestone.calendar.id, milestone.calendar)
    hours = []
    for calendar in calendars.values():
        lines = format_windows(calendar.windows).splitlines()
        around_the_clock = lines == ["Every day 00:00-24:00"]
        hours.append((calendar.name, calendar.zone,
                      ["Around the clock, every day"] if around_the_clock else lines,
                      bool(calendar.holidays)))
    return ServiceLevel(process.name, targets, hours)
