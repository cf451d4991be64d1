"""Demo entitlements: business hours, a process and a service level per customer type,
contracts and entitlements on most demo accounts, and milestones on their cases."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Account, Asset, Case
from app.models.common import utcnow
from app.models.entitlements import BusinessCalendar, CaseMilestone, Entitlement, EntitlementUse
from app.services import entitlement_setup as setup
from app.services import entitlements as service
from app.services.milestones import recalculate_milestones

OFFICE = "Weekdays 9–17 (Berlin)"
# German national holidays: fixed ones every year, the moveable ones dated.
FIXED_HOLIDAYS = [((1, 1), "New Year's Day"), ((5, 1), "Labour Day"),
                  ((10, 3), "German Unity Day"), ((12, 25), "Christmas Day"),
                  ((12, 26), "Boxing Day")]
MOVEABLE_HOLIDAYS = [("2026-04-03", "Good Friday"), ("2026-04-06", "Easter Monday"),
                     ("2026-05-14", "Ascension Day"), ("2026-05-25", "Whit Monday"),
                     ("2027-03-26", "Good Friday"), ("2027-03-29", "Easter Monday"),
                     ("2027-05-06", "Ascension Day"), ("2027-05-17", "Whit Monday")]
# (tier, process name, first response by priority Low..Critical, resolution, calendar,
#  service level name, kind)
LEVELS = [
    ("Premium", "Premium 24×7", (240, 120, 60, 30), (2880, 1440, 480, 240), "24×7",
     "Premium phone support, 1 h first response, 24×7", "phone"),
    ("Enterprise", "Enterprise 24×7", (120, 60, 30, 15), (1440, 720, 240, 120), "24×7",
     "Enterprise phone support, 30 min first response, 24×7", "phone"),
    ("Standard", "Standard business hours", (960, 480, 240, 120), (4800, 2400, 960, 480),
     OFFICE, "Business-hours web support, 8 business hours", "web"),
]


def seed_entitlements_demo(now: datetime | None = None) -> dict[str, int]:
    """Add the demo's entitlements once (a second run changes nothing); flush only."""
    if db.session.scalar(sa.select(BusinessCalendar.id).where(BusinessCalendar.name == OFFICE)):
        return {"contracts": 0, "entitlements": 0, "milestones": 0}
    now = now or utcnow()
    calendars = _calendars()
    templates = [_level(calendars, *level) for level in LEVELS]
    counts = {"contracts": 0, "entitlements": 0, "milestones": 0}
    accounts = db.session.scalars(sa.select(Account).order_by(Account.id)).all()
    for index, account in enumerate(accounts):
        if index % 6 == 5:
            continue  # a few accounts have no entitlement at all
        _account(account, templates, index, now.date())
        counts["contracts"] += 1
        counts["entitlements"] += 1
    counts["milestones"] = _cases(now)
    db.session.flush()
    return counts


def _calendars() -> dict[str, BusinessCalendar]:
    holidays = [(date(2026, month, day), name, True) for (month, day), name in FIXED_HOLIDAYS]
    holidays += [(date.fromisoformat(day), name, False) for day, name in MOVEABLE_HOLIDAYS]
    office = setup.save_calendar(None, name=OFFICE, zone="Europe/Berlin",
                                 description="Our support office, with German national holidays.",
                                 windows=[(d, 9 * 60, 17 * 60) for d in range(5)],
                                 holidays=holidays)
    always = setup.save_calendar(None, name="24×7", zone="UTC", description="Always open.",
                                 windows=[(d, 0, 24 * 60) for d in range(7)])
    return {OFFICE: office, "24×7": always}


def _level(calendars, tier, process_name, first, resolution, calendar_name, level_name, kind):
    calendar = calendars[calendar_name]
    priorities = ("Low", "Medium", "High", "Critical")

    def spec(kind_, minutes, status=""):
        return setup.MilestoneSpec(kind=kind_, calendar=calendar,
                                   minutes=dict(zip(priorities, minutes)), warn_percent=75,
                                   violation_status=status)

    process = setup.save_process(None, name=process_name, milestones=[
        spec("first_response", first), spec("next_response", first),
        spec("resolution", resolution, "Escalated" if tier != "Standard" else "")])
    return setup.save_template(None, name=level_name, kind=kind, term_days=365,
                               allowance=None, tiers=[tier], process=process)


def _account(account: Account, templates, index: int, today: date) -> None:
    """A contract and its entitlement; every seventh has run out, one is used up."""
    template = next((t for t in templates if account.tier in t.tiers), templates[-1])
    expired = index % 7 == 3
    start = today - timedelta(days=400 if expired else 200 + index * 7)
    end = start + timedelta(days=364)
    asset = db.session.scalar(sa.select(Asset).where(Asset.account_id == account.id).limit(1))
    lines = [service.LineSpec(asset.product, 1, asset)] if asset else []
    contract = service.save_contract(None, account=account, name=f"{account.tier} support",
                                     number=f"SC-{2026 - (1 if expired else 0)}-{index + 1:03d}",
                                     start_date=start, end_date=end, lines=lines)
    allowance = 3 if index == 1 else None
    entitlement = service.save_entitlement(
        None, account=account, name=template.name, kind=template.kind, start_date=start,
        end_date=end, allowance=allowance, process=template.process,
        contract_line=contract.lines[0] if contract.lines else None)
    if allowance:
        entitlement.remaining = 0  # the demo's used-up entitlement


def _cases(now: datetime) -> int:
    """Put open and recent cases under their account's entitlement and derive milestones."""
    rows = db.session.execute(sa.select(Case, Entitlement).join(
        Entitlement, Entitlement.account_id == Case.account_id)
        .where(sa.or_(Case.status != "Closed", Case.created_at >= now - timedelta(days=21)))
        .order_by(Case.id)).all()
    done, count = set(), 0
    for case, entitlement in rows:
        if case.id in done or not (entitlement.start_date <= case.created_at.date()
                                   <= entitlement.end_date):
            continue
        done.add(case.id)
        case.entitlement_id = entitlement.id
        if entitlement.allowance:
            db.session.add(EntitlementUse(entitlement_id=entitlement.id, case_id=case.id,
                                          taken_at=case.created_at))
        count += len(recalculate_milestones(case, now))
    # Alerts that came due in the demo's past are shown as already sent (without mail).
    db.session.execute(sa.update(CaseMilestone).where(
        CaseMilestone.warn_at <= now, CaseMilestone.completed_at.is_(None))
        .values(warned_at=CaseMilestone.warn_at))
    db.session.execute(sa.update(CaseMilestone).where(
        CaseMilestone.target_at <= now, CaseMilestone.completed_at.is_(None))
        .values(violated_at=CaseMilestone.target_at))
    return count
