"""Whether a new case may be opened under an entitlement, and recording the one it uses."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.access import visible_cases
from app.extensions import db
from app.models import OPEN_STATUSES, Account, Case, Setting
from app.pagination import paginate
from app.models.entitlements import Entitlement
from app.services.entitlements import account_entitlements, take_allowance, today
from app.services.errors import ValidationFailed
from app.services.milestones import start_milestones

NO_ENTITLEMENT_SETTING = "entitlements.no_entitlement"
NO_ENTITLEMENT_CHOICES = {"allow": "Allow the case, with a reason",
                          "refuse": "Refuse the case"}
# Which entitlement kind a case's origin asks for first.
ORIGIN_KIND = {"Phone": "phone", "Email": "email", "Web": "web", "Portal": "web"}

def no_entitlement_policy() -> str:
    value = db.session.get(Setting, NO_ENTITLEMENT_SETTING)
    return value.value if value is not None and value.value in NO_ENTITLEMENT_CHOICES else "allow"


def set_no_entitlement_policy(value: str) -> None:
    if value not in NO_ENTITLEMENT_CHOICES:
        raise ValidationFailed("Choose allow or refuse.", "policy")
    row = db.session.get(Setting, NO_ENTITLEMENT_SETTING)
    if row is None:
        db.session.add(Setting(key=NO_ENTITLEMENT_SETTING, value=value))
    else:
        row.value = value
    db.session.flush()


def eligibility(account: Account | None, origin: str = "", on: date | None = None) -> dict:
    """The account's entitlements with their status, and the one a new case should use."""
    on = on or today()
    rows = [(e, e.status_on(on)) for e in account_entitlements(account)] if account else []
    active = [e for e, status in rows if status == "active"]
    wanted = ORIGIN_KIND.get(origin)
    matching = [e for e in active if e.kind == wanted]
    chosen = active[0] if len(active) == 1 else (matching[0] if matching else None)
    return {"account": account, "rows": rows, "active": active, "chosen": chosen,
            "policy": no_entitlement_policy(), "origin": origin}


def check_eligibility(account: Account | None, entitlement: Entitlement | None,
                      reason: str = "", origin: str = "", on: date | None = None
                      ) -> Entitlement | None:
    """Refuse a new case the entitlement rules do not allow; return the entitlement to use."""
    on = on or today()
    if entitlement is not None:
        if account is None or entitlement.account_id != account.id:
            raise ValidationFailed("That entitlement belongs to another account.", "entitlement")
        status = entitlement.status_on(on)
        if status != "active":
            raise ValidationFailed(f"{entitlement.name} is {status}; choose an active "
                                   "entitlement.", "entitlement")
        return entitlement
    if no_entitlement_policy() == "refuse":
        raise ValidationFailed("Cases need an active entitlement; this account has none "
                               "chosen.", "entitlement")
    if not (reason or "").strip():
        raise ValidationFailed("Say why this case is opened without an entitlement.",
                               "no_entitlement_reason")
    return None


def attach_entitlement(case: Case, entitlement: Entitlement | None, reason: str = "",
                       now: datetime | None = None) -> None:
    """Record the case's entitlement (taking one of its cases) or the reason it has none,
    and start its milestones."""
    if entitlement is not None:
        take_allowance(entitlement, case, now)
        case.entitlement_id, case.no_entitlement_reason = entitlement.id, ""
    else:
        case.entitlement_id, case.no_entitlement_reason = None, (reason or "").strip()
    db.session.flush()
    start_milestones(case, now=now)


def open_under_entitlement(case: Case, entitlement_id: str | int | None, reason: str = "",
                           origin: str = "") -> None:
    """Check and record the entitlement a new case opens under, for an account that has any
    (an account without entitlements is not covered by the rules: nothing to check)."""
    account = case.account
    if account is None or not account_entitlements(account):
        return
    chosen = (db.session.get(Entitlement, int(entitlement_id))
              if str(entitlement_id or "").isdigit() else None)
    entitlement = check_eligibility(account, chosen, reason, origin)
    attach_entitlement(case, entitlement, reason)


# Said on a case that opened by email (or later, the portal) with no entitlement to take.
UNMATCHED_REASON = "Opened by {origin}: the account had no active entitlement to take."


def entitle_automatically(case: Case) -> None:
    """A case opened by email takes its account's matching active entitlement; when none can
    be taken (none active, or its allowance used up), it is flagged as opened without one.
    Accounts without entitlements are not covered by the rules and are left alone."""
    account = case.account
    if account is None or not account_entitlements(account):
        return
    chosen = eligibility(account, case.origin)["chosen"]
    if chosen is not None:
        try:
            attach_entitlement(case, chosen)
            return
        except ValidationFailed:  # its last case was taken a moment ago
            pass
    attach_entitlement(case, None, UNMATCHED_REASON.format(origin=case.origin.lower()))


def cases_without_entitlement(user, *, page: int, per_page: int = 50):
    """Open cases the user sees that were flagged as opened without an entitlement."""
    stmt = (sa.select(Case).where(visible_cases(user), Case.status.in_(OPEN_STATUSES),
                                  Case.entitlement_id.is_(None),
                                  Case.no_entitlement_reason != "")
            .options(joinedload(Case.account), joinedload(Case.owner))
            .order_by(Case.created_at.desc(), Case.id.desc()))
    return paginate(stmt, page=page, per_page=per_page)
