"""The customer 360 view: who is this, may I help them, and everything they have with us.

Every section is read with a fixed number of statements whatever the customer's number of
cases (counts as scalar subqueries of one statement, each list one statement), and cases
only through access.visible_cases.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.access import visible_cases
from app.extensions import db
from app.models import OPEN_STATUSES, Account, Asset, Case, Contact, FeedItem, Task, User
from app.pagination import Page, paginate
from app.services.satisfaction import account_average_columns

SECTION_SIZE = 5
CONTACTS_SHOWN = 25
TIMELINE_PAGE = 20
TIMELINE_KINDS = ("post", "email", "change", "file", "task", "system", "article")


@dataclass
class Customer360:
    account: Account
    contact: Contact | None
    counts: dict[str, int]
    contacts: list[Contact]
    assets: list[Asset]
    tasks: list[Task]
    emails: list[FeedItem]
    # Satisfaction over the last 90 days: {"answers": n, "average": float | None}.
    satisfaction: dict


def _case_scope(account: Account, contact: Contact | None, viewer: User):
    """The customer's cases this viewer may see: the contact's, or the whole account's."""
    owned = Case.contact_id == contact.id if contact else Case.account_id == account.id
    return sa.and_(owned, visible_cases(viewer))


def _count(stmt: sa.Select) -> sa.ScalarSelect:
    return sa.select(sa.func.count()).select_from(stmt.subquery()).scalar_subquery()


def _counts(account: Account, scope) -> dict[str, int]:
    """Every section's count in one statement (and the satisfaction answers' average)."""
    is_open = Case.status.in_(OPEN_STATUSES)
    statements = {
        "contacts": sa.select(Contact.id).where(Contact.account_id == account.id),
        "open_cases": sa.select(Case.id).where(scope, is_open),
        "closed_cases": sa.select(Case.id).where(scope, sa.not_(is_open)),
        "assets": sa.select(Asset.id).where(Asset.account_id == account.id),
        "tasks": sa.select(Task.id).join(Case, Case.id == Task.case_id)
                   .where(scope, Task.completed_at.is_(None)),
        "emails": sa.select(FeedItem.id).join(Case, Case.id == FeedItem.case_id)
                    .where(scope, FeedItem.kind == "email"),
        "timeline": sa.select(FeedItem.id).join(Case, Case.id == FeedItem.case_id)
                      .where(scope, FeedItem.kind.in_(TIMELINE_KINDS)),
    }
    columns = [_count(s).label(k) for k, s in statements.items()]
    columns += [column.label(k) for k, column in account_average_columns(scope).items()]
    row = db.session.execute(sa.select(*columns))
    return dict(row.one()._mapping)


def read_customer(account: Account, *, viewer: User, contact: Contact | None = None,
                  size: int = SECTION_SIZE) -> Customer360:
    """The 360 sections for an account, or for one contact with their account's header."""
    scope = _case_scope(account, contact, viewer)
    scalars = db.session.scalars
    counts = _counts(account, scope)
    average = counts.pop("satisfaction_average")
    return Customer360(
        account=account, contact=contact, counts=counts,
        satisfaction={"answers": counts.pop("satisfaction_answers"),
                      "average": float(average) if average is not None else None},
        contacts=list(scalars(sa.select(Contact).where(Contact.account_id == account.id)
                              .order_by(Contact.name, Contact.id).limit(CONTACTS_SHOWN))),
        assets=list(scalars(sa.select(Asset).where(Asset.account_id == account.id)
                            .order_by(Asset.install_date.desc().nulls_last(), Asset.id.desc())
                            .limit(size * 2))),
        tasks=list(scalars(sa.select(Task).join(Case, Case.id == Task.case_id)
                           .where(scope, Task.completed_at.is_(None))
                           .options(joinedload(Task.case), joinedload(Task.assignee))
                           .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
                           .limit(size))),
        emails=list(scalars(sa.select(FeedItem).join(Case, Case.id == FeedItem.case_id)
                            .where(scope, FeedItem.kind == "email")
                            .options(joinedload(FeedItem.case))
                            .order_by(FeedItem.created_at.desc(), FeedItem.id.desc())
                            .limit(size))),
    )


def customer_timeline(account: Account, *, viewer: User, contact: Contact | None = None,
                      page: int = 1, total: int | None = None,
                      kinds: tuple[str, ...] = TIMELINE_KINDS) -> Page:
    """Everything that happened on the customer's visible cases, newest first, paged."""
    stmt = (sa.select(FeedItem).join(Case, Case.id == FeedItem.case_id)
            .where(_case_scope(account, contact, viewer), FeedItem.kind.in_(kinds))
            .options(joinedload(FeedItem.case), joinedload(FeedItem.author))
            .order_by(FeedItem.created_at.desc(), FeedItem.id.desc()))
    return paginate(stmt, page=page, per_page=TIMELINE_PAGE, total=total)
