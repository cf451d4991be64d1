"""Case list views: the five named views, their counts, filters, sorting and paging."""
from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from app.extensions import db
from app.models import PRIORITIES, STATUSES, Account, Case, Contact, RecentView, User
from app.pagination import Page, paginate
from app.services.accounts import escape_like

VIEWS = {
    "mine": "My open cases",
    "open": "All open cases",
    "recent": "Recently viewed",
    "escalated": "Escalated",
    "closed": "Closed",
}
DEFAULT_VIEW = "mine"
COLUMNS = {
    "number": "Number", "subject": "Subject", "account": "Account", "contact": "Contact",
    "status": "Status", "priority": "Priority", "owner": "Owner", "opened": "Opened",
    "updated": "Last updated",
}
DIRECTIONS = ("asc", "desc")
# Columns whose natural first click is newest / most severe first.
DESCENDING_FIRST = {"opened", "updated", "priority", "number"}


@dataclass(frozen=True)
class CaseQuery:
    """What a list shows: a view, its filters, a sort and a page (all already validated)."""

    view: str = DEFAULT_VIEW
    status: str = ""
    priority: str = ""
    owner: str = ""  # "", "me", "none" or a user id
    account: str = ""  # part of an account name
    sort: str = ""  # "" means the view's own order
    direction: str = "desc"
    page: int = 1

    def with_(self, **changes) -> CaseQuery:
        return replace(self, **changes)

    @property
    def is_filtered(self) -> bool:
        return bool(self.status or self.priority or self.owner or self.account)

    def params(self) -> dict[str, str | int]:
        """The query as URL parameters, leaving out defaults so links stay short."""
        values = {"view": self.view, "status": self.status, "priority": self.priority,
                  "owner": self.owner, "account": self.account, "sort": self.sort,
                  "dir": self.direction if self.sort else "", "page": self.page}
        return {key: value for key, value in values.items() if value not in ("", None, 1)}


def _view_criterion(view: str, user: User) -> sa.ColumnElement[bool]:
    """Which cases a named view holds (Recently viewed joins its own table instead)."""
    is_open = Case.status != "Closed"
    return {
        "mine": sa.and_(Case.owner_id == user.id, is_open),
        "open": is_open,
        "recent": sa.true(),
        "escalated": Case.status == "Escalated",
        "closed": Case.status == "Closed",
    }[view]


COUNT_CAP = 1_000


def view_counts(user: User, visible: sa.ColumnElement[bool]) -> dict[str, int]:
    """How many visible cases each view holds, counted up to COUNT_CAP + 1, in one query.

    Each view is its own bounded subquery so it can use the index that fits it, and a view of
    a hundred thousand closed cases costs no more than one of ten thousand.
    """
    counts = []
    for view in VIEWS:
        rows = sa.select(sa.literal(1)).select_from(Case).where(visible,
                                                               _view_criterion(view, user))
        if view == "recent":
            rows = rows.join(RecentView, sa.and_(RecentView.case_id == Case.id,
                                                 RecentView.user_id == user.id))
        bounded = rows.limit(COUNT_CAP + 1).subquery()
        counts.append(sa.select(sa.func.count()).select_from(bounded).scalar_subquery())
    row = db.session.execute(sa.select(*counts)).one()
    return dict(zip(VIEWS, (value or 0 for value in row)))


def _rank(column, values: tuple[str, ...]):
    """Sort a choice column in its natural order (Low < Critical), not alphabetically."""
    return sa.case({value: index for index, value in enumerate(values)}, value=column, else_=-1)


def _sort_keys(owner) -> dict[str, sa.ColumnElement]:
    return {
        "number": Case.number, "subject": sa.func.lower(Case.subject),
        "account": sa.func.lower(Account.name), "contact": sa.func.lower(Contact.name),
        "status": _rank(Case.status, STATUSES), "priority": _rank(Case.priority, PRIORITIES),
        "owner": sa.func.lower(owner.name), "opened": Case.created_at,
        "updated": Case.updated_at,
    }


def _filtered(stmt: sa.Select, user: User, query: CaseQuery, visible, owner,
              *, for_rows: bool = True) -> sa.Select:
    """Join what rows show and sort by (counts join only what filters need), then filter."""
    stmt = stmt.select_from(Case)
    if for_rows or query.account:
        stmt = stmt.outerjoin(Case.account)
    if for_rows:
        stmt = stmt.outerjoin(Case.contact).outerjoin(owner, Case.owner_id == owner.id)
    stmt = stmt.where(visible, _view_criterion(query.view, user))
    if query.view == "recent":
        stmt = stmt.join(RecentView, sa.and_(RecentView.case_id == Case.id,
                                             RecentView.user_id == user.id))
    if query.status:
        stmt = stmt.where(Case.status == query.status)
    if query.priority:
        stmt = stmt.where(Case.priority == query.priority)
    if query.owner == "me":
        stmt = stmt.where(Case.owner_id == user.id)
    elif query.owner == "none":
        stmt = stmt.where(Case.owner_id.is_(None))
    elif query.owner:
        stmt = stmt.where(Case.owner_id == int(query.owner))
    if query.account:
        pattern = "%" + escape_like(query.account.casefold()) + "%"
        stmt = stmt.where(sa.func.lower(Account.name).like(pattern, escape="\\"))
    return stmt


NULLABLE_SORTS = ("account", "contact", "owner")


def _order(query: CaseQuery, owner) -> list:
    if not query.sort:
        if query.view == "recent":
            return [RecentView.viewed_at.desc(), Case.number.desc()]
        return [Case.updated_at.desc(), Case.number.desc()]
    key = _sort_keys(owner)[query.sort]
    # Only related names can be missing; a plain ORDER BY on a column lets an index serve it.
    if query.direction == "asc":
        first = key.asc().nulls_last() if query.sort in NULLABLE_SORTS else key.asc()
        return [first, Case.number.asc()]
    first = key.desc().nulls_last() if query.sort in NULLABLE_SORTS else key.desc()
    return [first, Case.number.desc()]


def list_cases(user: User, query: CaseQuery, visible, *, per_page: int) -> Page:
    """One page of a view: two queries whatever the page size, with what rows show loaded."""
    owner = aliased(User, name="owner")
    total = db.session.scalar(_filtered(sa.select(sa.func.count(Case.id)), user, query,
                                        visible, owner, for_rows=False)) or 0
    rows = (_filtered(sa.select(Case), user, query, visible, owner)
            .options(contains_eager(Case.account), contains_eager(Case.contact),
                     contains_eager(Case.owner.of_type(owner)))
            .order_by(*_order(query, owner)))
    return paginate(rows, page=query.page, per_page=per_page, total=total)
