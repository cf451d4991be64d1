"""Service contracts and entitlements: terms, allowances and templates by customer type."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Account, Asset, Case, Product
from app.models.common import utcnow
from app.models.entitlements import (
    ENTITLEMENT_KINDS, ContractLine, Entitlement, EntitlementProcess, EntitlementTemplate,
    EntitlementUse, ServiceContract,
)
from app.services.errors import ValidationFailed

# A case deleted this soon after it took one of an entitlement's cases gives it back.
GIVE_BACK_WINDOW = timedelta(hours=1)
EXPIRING_DAYS = 30


def today() -> date:
    return utcnow().date()


# Contracts ---------------------------------------------------------------------------------

@dataclass
class LineSpec:
    product: Product
    quantity: int = 1
    asset: Asset | None = None


def _check_term(start: date | None, end: date | None) -> None:
    if start is None or end is None:
        raise ValidationFailed("Give the start and end dates.", "end_date")
    if end < start:
        raise ValidationFailed("The end date cannot be before the start date.", "end_date")


def _check_lines(account: Account, lines: list[LineSpec]) -> None:
    for line in lines:
        if line.quantity < 1:
            raise ValidationFailed("Each line needs a quantity of at least 1.", "lines")
        if line.asset is not None and line.asset.account_id != account.id:
            raise ValidationFailed(f"The asset {line.asset.label} belongs to another account.",
                                   "lines")


def save_contract(contract: ServiceContract | None, *, account: Account, name: str,
                  number: str, start_date: date, end_date: date, notes: str = "",
                  lines: list[LineSpec] = ()) -> ServiceContract:
    """Create or change a contract and replace its lines."""
    name, number = (name or "").strip(), (number or "").strip()
    if not name:
        raise ValidationFailed("Give the contract a name.", "name")
    if not number:
        raise ValidationFailed("Give the contract a number.", "number")
    _check_term(start_date, end_date)
    _check_lines(account, list(lines))
    clash = sa.select(ServiceContract.id).where(ServiceContract.number == number)
    if contract is not None:
        clash = clash.where(ServiceContract.id != contract.id)
    if db.session.scalar(clash) is not None:
        raise ValidationFailed(f"Another contract already has the number {number}.", "number")
    if contract is None:
        contract = ServiceContract(account=account)
        db.session.add(contract)
    contract.name, contract.number, contract.notes = name, number, (notes or "").strip()
    contract.start_date, contract.end_date = start_date, end_date
    contract.lines = [ContractLine(product=line.product, quantity=line.quantity, asset=line.asset)
                      for line in lines]
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # the same number saved at the same moment elsewhere
        raise ValidationFailed(f"Another contract already has the number {number}.",
                               "number") from exc
    return contract


def renewal_number(contract: ServiceContract) -> str:
    """The next free number in the contract's renewal series: SC-1001, SC-1001-R1, ..."""
    base = contract.number.split("-R")[0] if "-R" in contract.number else contract.number
    taken = set(db.session.scalars(sa.select(ServiceContract.number).where(
        ServiceContract.number.like(base + "-R%"))))
    n = 1
    while f"{base}-R{n}" in taken:
        n += 1
    return f"{base}-R{n}"


def renew_contract(contract: ServiceContract) -> ServiceContract:
    """A new contract from the day after the old one ends, for the same length and lines."""
    if contract.cancelled_at is not None:
        raise ValidationFailed("A cancelled contract cannot be renewed.")
    start = contract.end_date + timedelta(days=1)
    end = start + (contract.end_date - contract.start_date)
    renewed = save_contract(
        None, account=contract.account, name=contract.name, number=renewal_number(contract),
        start_date=start, end_date=end, notes=contract.notes,
        lines=[LineSpec(line.product, line.quantity, line.asset) for line in contract.lines])
    renewed.renewed_from = contract
    db.session.flush()
    return renewed


def cancel_contract(contract: ServiceContract, now: datetime | None = None) -> None:
    """Cancel a contract; its entitlements end today."""
    if contract.cancelled_at is not None:
        raise ValidationFailed("This contract is already cancelled.")
    now = now or utcnow()
    contract.cancelled_at = now
    line_ids = [line.id for line in contract.lines]
    if line_ids:
        db.session.execute(sa.update(Entitlement).where(
            Entitlement.contract_line_id.in_(line_ids), Entitlement.end_date > now.date())
            .values(end_date=now.date()))
    db.session.flush()


def contract_filter(status: str, on: date) -> sa.ColumnElement[bool]:
    """The SQL for a contract status filter (all, active, expiring, draft, expired, cancelled)."""
    live = ServiceContract.cancelled_at.is_(None)
    return {
        "active": sa.and_(live, ServiceContract.start_date <= on, ServiceContract.end_date >= on),
        "expiring": sa.and_(live, ServiceContract.start_date <= on,
                            ServiceContract.end_date.between(on, on + timedelta(EXPIRING_DAYS))),
        "draft": sa.and_(live, ServiceContract.start_date > on),
        "expired": sa.and_(live, ServiceContract.end_date < on),
        "cancelled": ServiceContract.cancelled_at.is_not(None),
    }.get(status, sa.true())


def contracts_query(status: str = "all", on: date | None = None) -> sa.Select:
    on = on or today()
    order = (ServiceContract.end_date if status == "expiring"
             else ServiceContract.end_date.desc())
    return (sa.select(ServiceContract).where(contract_filter(status, on))
            .options(selectinload(ServiceContract.account)).order_by(order, ServiceContract.id))


# Entitlements -------------------------------------------------------------------------------

def save_entitlement(entitlement: Entitlement | None, *, account: Account, name: str,
                     kind: str, start_date: date, end_date: date, allowance: int | None = None,
                     process: EntitlementProcess | None = None,
                     contract_line: ContractLine | None = None,
                     asset: Asset | None = None) -> Entitlement:
    """Create or change an entitlement; a new allowance resets what remains of it."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the entitlement a name.", "name")
    if kind not in ENTITLEMENT_KINDS:
        raise ValidationFailed("Choose phone, web or email.", "kind")
    _check_term(start_date, end_date)
    if allowance is not None and allowance < 0:
        raise ValidationFailed("The number of cases cannot be negative.", "allowance")
    if asset is not None and asset.account_id != account.id:
        raise ValidationFailed("That asset belongs to another account.", "asset")
    if contract_line is not None and contract_line.contract.account_id != account.id:
        raise ValidationFailed("That contract belongs to another account.", "contract_line")
    if entitlement is None:
        entitlement = Entitlement(account=account, remaining=allowance)
        db.session.add(entitlement)
    elif allowance != entitlement.allowance:
        used = (entitlement.allowance or 0) - (entitlement.remaining or 0)
        entitlement.remaining = None if allowance is None else max(0, allowance - used)
    entitlement.allowance = allowance
    entitlement.name, entitlement.kind, entitlement.process = name, kind, process
    entitlement.start_date, entitlement.end_date = start_date, end_date
    entitlement.contract_line, entitlement.asset = contract_line, asset
    db.session.flush()
    return entitlement


def templates_for(account: Account) -> list[EntitlementTemplate]:
    """The service levels offered to the account's customer type."""
    templates = db.session.scalars(sa.select(EntitlementTemplate)
                                   .order_by(EntitlementTemplate.name)).all()
    return [t for t in templates if account.tier in (t.tiers or ())]


def apply_template(account: Account, template: EntitlementTemplate,
                   on: date | None = None) -> Entitlement:
    """Give the account the template's entitlement, starting today."""
    if account.tier not in (template.tiers or ()):
        raise ValidationFailed(f"“{template.name}” is not offered to {account.tier} accounts.",
                               "template")
    start = on or today()
    return save_entitlement(None, account=account, name=template.name, kind=template.kind,
                            start_date=start,
                            end_date=start + timedelta(days=max(1, template.term_days) - 1),
                            allowance=template.allowance, process=template.process)


def take_allowance(entitlement: Entitlement, case: Case, now: datetime | None = None) -> None:
    """Take one of the entitlement's cases for this case, or refuse when none are left."""
    if entitlement.allowance is None:
        return
    # One conditional UPDATE: two cases opened at once cannot both take the last one.
    result = db.session.execute(
        sa.update(Entitlement)
        .where(Entitlement.id == entitlement.id, Entitlement.remaining > 0)
        .values(remaining=Entitlement.remaining - 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ValidationFailed(f"{entitlement.name} has no cases left.", "entitlement")
    db.session.add(EntitlementUse(entitlement_id=entitlement.id, case_id=case.id,
                                  taken_at=now or utcnow()))
    db.session.flush()
    db.session.refresh(entitlement, ["remaining"])


def give_back_allowance(case: Case, now: datetime | None = None) -> bool:
    """Before a case is deleted: return its case to the entitlement if taken within the hour."""
    now = now or utcnow()
    use = db.session.scalar(sa.select(EntitlementUse).where(
        EntitlementUse.case_id == case.id, EntitlementUse.returned_at.is_(None)))
    if use is None or now - use.taken_at > GIVE_BACK_WINDOW:
        return False
    use.returned_at = now
    db.session.execute(sa.update(Entitlement).where(Entitlement.id == use.entitlement_id)
                       .values(remaining=Entitlement.remaining + 1)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    return True


def account_entitlements(account: Account) -> list[Entitlement]:
    return list(db.session.scalars(
        sa.select(Entitlement).where(Entitlement.account_id == account.id)
        .options(selectinload(Entitlement.process))
        .order_by(Entitlement.end_date.desc(), Entitlement.id)))


def account_entitlements_summary(account: Account, on: date | None = None) -> dict:
    """What the account 360 page shows: contracts, entitlements with status, templates."""
    on = on or today()
    contracts = db.session.scalars(
        sa.select(ServiceContract).where(ServiceContract.account_id == account.id)
        .order_by(ServiceContract.end_date.desc())).all()
    entitlements = account_entitlements(account)
    return {"account": account, "today": on,
            "contracts": [(c, c.status_on(on)) for c in contracts],
            "entitlements": [(e, e.status_on(on)) for e in entitlements],
            "active_count": sum(1 for e in entitlements if e.status_on(on) == "active"),
            "templates": templates_for(account)}
