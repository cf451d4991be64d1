"""Case list views: the five named views, their counts, filters, sorting and paging."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from app import access
from app.extensions import db
from app.models import PRIORITIES, STATUSES, Account, Case, Contact, RecentView, User
from app.pagination import Page
from app.services.matching import escape_like

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


# Written into the SQL as literals, not bound parameters: only then can SQLite see that a
# query's `status <> 'Closed'` is the partial indexes' own condition and answer from the index
# alone (with a parameter it reads every candidate row to check it: ten times slower).
CLOSED = sa.literal_column("'Closed'")
ESCALATED = sa.literal_column("'Escalated'")


# Every value a list statement depends on is a bind parameter, so each statement shape is
# built once per process (lru_cache below) and reused: building and cache-keying a statement
# this size costs more Python time than the database takes to answer it.
VIEWER = sa.bindparam("viewer_id", type_=sa.Integer)


def _written_in(name: str, type_=sa.Integer) -> sa.BindParameter:
    """A LIMIT or OFFSET value written into the SQL when it runs (the statement stays cached).

    PostgreSQL plans a prepared statement whose LIMIT is a parameter afresh on every run: its
    plan for an unknown limit always looks dearer than one for the value given, so it never
    settles on a reusable plan, and planning a list query costs about as much as running it.
    With the numbers written in (a page of 50, page 1 most of the time) the plan is reused.
    """
    return sa.bindparam(name, type_=type_, literal_execute=True)


def _view_criterion(view: str) -> sa.ColumnElement[bool]:
    """Which cases a named view holds (Recently viewed joins its own table instead)."""
    is_open = Case.status != CLOSED
    return {
        "mine": sa.and_(Case.owner_id == VIEWER, is_open),
        "open": is_open,
        "recent": sa.true(),
        "escalated": Case.status == ESCALATED,
        "closed": Case.status == CLOSED,
    }[view]


def _viewed(stmt: sa.Select) -> sa.Select:
    """Join the viewer's Recently viewed rows (the view's own table)."""
    return stmt.join(RecentView, sa.and_(RecentView.case_id == Case.id,
                                         RecentView.user_id == VIEWER))


# A list's total is counted up to COUNT_CAP rows past the page's start ("1–50 of 1,000+");
# a tab's count up to TAB_COUNT_CAP ("99+", as badges say): counting every tab to a thousand
# on each list page cost more than the page's own rows.
COUNT_CAP = 1_000
TAB_COUNT_CAP = 99


@functools.lru_cache(maxsize=8)
def _count_columns(scope: str, cap: int) -> tuple[sa.ScalarSelect, ...]:
    """How many visible cases each view holds, counted up to cap + 1.

    Each view is its own bounded subquery so it can use the index that fits it, and a view of
    a hundred thousand closed cases costs no more than one of ten thousand.
    """
    visible = access.visibility_clause(scope, VIEWER)
    counts = []
    for view in VIEWS:
        rows = sa.select(sa.literal_column("1")).select_from(Case).where(
            visible, _view_criterion(view))
        if view == "recent":
            rows = _viewed(rows)
        bounded = rows.limit(sa.literal_column(str(int(cap) + 1))).subquery()
        counts.append(sa.select(sa.func.count()).select_from(bounded).scalar_subquery())
    return tuple(counts)


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


@dataclass(frozen=True)
class _Shape:
    """What decides a list statement's SQL (the values themselves are parameters)."""

    scope: str
    view: str
    status: bool
    priority: bool
    owner: str  # "", "me", "none" or "id"
    account: bool
    sort: str
    direction: str

    @classmethod
    def of(cls, user: User, query: CaseQuery) -> _Shape:
        owner = query.owner if query.owner in ("", "me", "none") else "id"
        return cls(access.case_visibility(user), query.view, bool(query.status),
                   bool(query.priority), owner, bool(query.account), query.sort,
                   query.direction)


def _parameters(user: User, query: CaseQuery) -> dict:
    values = {"viewer_id": user.id}
    if query.status:
        values["status"] = query.status
    if query.priority:
        values["priority"] = query.priority
    if query.owner not in ("", "me", "none"):
        values["owner_id"] = int(query.owner)
    if query.account:
        values["account"] = "%" + escape_like(query.account.casefold()) + "%"
    return values


def _filtered(stmt: sa.Select, shape: _Shape, owner, *,
              joins: tuple[str, ...] = ()) -> sa.Select:
    """Join the named tables ("account", "contact", "owner") and what the filters need;
    filter by the view, the viewer's access and the filters."""
    stmt = stmt.select_from(Case)
    if "account" in joins or shape.account:
        stmt = stmt.outerjoin(Case.account)
    if "contact" in joins:
        stmt = stmt.outerjoin(Case.contact)
    if "owner" in joins:
        stmt = stmt.outerjoin(owner, Case.owner_id == owner.id)
    stmt = stmt.where(access.visibility_clause(shape.scope, VIEWER),
                      _view_criterion(shape.view))
    if shape.view == "recent":
        stmt = _viewed(stmt)
    if shape.status:
        stmt = stmt.where(Case.status == sa.bindparam("status"))
    if shape.priority:
        stmt = stmt.where(Case.priority == sa.bindparam("priority"))
    if shape.owner == "me":
        stmt = stmt.where(Case.owner_id == VIEWER)
    elif shape.owner == "none":
        stmt = stmt.where(Case.owner_id.is_(None))
    elif shape.owner == "id":
        stmt = stmt.where(Case.owner_id == sa.bindparam("owner_id", type_=sa.Integer))
    if shape.account:
        stmt = stmt.where(sa.func.lower(Account.name).like(sa.bindparam("account"),
                                                           escape="\\"))
    return stmt


NULLABLE_SORTS = ("account", "contact", "owner")


def _order(shape: _Shape, owner) -> list:
    if not shape.sort:
        if shape.view == "recent":
            return [RecentView.viewed_at.desc(), Case.number.desc()]
        return [Case.updated_at.desc(), Case.number.desc()]
    key = _sort_keys(owner)[shape.sort]
    # Only related names can be missing; a plain ORDER BY on a column lets an index serve it.
    if shape.direction == "asc":
        first = key.asc().nulls_last() if shape.sort in NULLABLE_SORTS else key.asc()
        return [first, Case.number.asc()]
    first = key.desc().nulls_last() if shape.sort in NULLABLE_SORTS else key.desc()
    return [first, Case.number.desc()]


@functools.lru_cache(maxsize=256)
def _list_statement(shape: _Shape, tab_cap: int | None) -> sa.Select:
    """The page's cases (with account, contact and owner), each followed by the list's numbers:
    its bounded total, each view's count for the tabs (up to tab_cap + 1, unless tab_cap is
    None). A page without cases is one row of numbers alone (its case None).

    The numbers are a one-row subquery that the rows join: worked out once, not per row, and
    the whole list is one statement and one round trip. The rows pick the page's ids from
    the index first, then join just those rows to their account, contact and owner, so a
    deep page does not join every row it skips.
    """
    owner = aliased(User, name="owner")
    total = sa.select(sa.func.count()).select_from(
        _filtered(sa.select(Case.id), shape, owner)
        .limit(_written_in("count_limit", sa.BigInteger)).subquery()).scalar_subquery()
    counts = () if tab_cap is None else _count_columns(shape.scope, tab_cap)
    numbers = sa.select(total.label("counted"),
                        *(count.label(f"count_{view}") for count, view in zip(counts, VIEWS))
                        ).subquery("numbers")
    # A sort by a related name joins that one table; every other sort reads cases alone.
    sort_join = (shape.sort,) if shape.sort in NULLABLE_SORTS else ()
    ids = (_filtered(sa.select(Case.id), shape, owner, joins=sort_join)
           .order_by(*_order(shape, owner))
           .limit(_written_in("page_limit"))
           .offset(_written_in("page_offset", sa.BigInteger))
           .subquery("page_ids"))
    listed = sa.join(Case, ids, ids.c.id == Case.id)
    if shape.view == "recent":
        listed = listed.join(RecentView, sa.and_(RecentView.case_id == Case.id,
                                                 RecentView.user_id == VIEWER))
    listed = (listed.outerjoin(Account, Case.account_id == Account.id)
              .outerjoin(Contact, Case.contact_id == Contact.id)
              .outerjoin(owner, Case.owner_id == owner.id))
    return (sa.select(Case, *numbers.c)
            .select_from(numbers.outerjoin(listed, sa.true()))
            # The list shows the related rows' names only: their other columns stay unread.
            .options(contains_eager(Case.account).load_only(Account.name),
                     contains_eager(Case.contact).load_only(Contact.name),
                     contains_eager(Case.owner.of_type(owner)).load_only(owner.name))
            .order_by(*_order(shape, owner)))


@dataclass
class CaseList:
    """A page of a view, (for a whole page) how many cases each view's tab holds, and who
    may own a case (the owner filter's choices, as (id, name))."""

    page: Page
    counts: dict[str, int] | None
    owners: list[tuple[int, str]]


def list_cases(user: User, query: CaseQuery, *, per_page: int,
               with_counts: bool = True) -> CaseList:
    """One page of a view as cases (with account, contact and owner) and its numbers in one
    query (two for a page past the end, which then shows the last page), and the owner
    filter's choices in one small query of their own.

    The total is counted up to COUNT_CAP rows past the page's start, so a view of a hundred
    thousand closed cases reads as "1,000+" instead of being counted on every request; the
    tabs' counts, when asked for, come in the same statement.
    """
    statement = _list_statement(_Shape.of(user, query), TAB_COUNT_CAP if with_counts else None)
    values = _parameters(user, query)

    def read_page(page: int) -> tuple[list[Case], tuple]:
        found = db.session.execute(statement, values | {
            "count_limit": (page - 1) * per_page + COUNT_CAP + 1,
            "page_limit": per_page, "page_offset": (page - 1) * per_page}).all()
        return [row[0] for row in found if row[0] is not None], found[0][1:]

    page = query.page
    items, (counted, *counts) = read_page(page)
    bound = (page - 1) * per_page + COUNT_CAP
    total, capped = (bound, True) if counted > bound else (counted, False)
    if not items and total and page > 1:  # past the end: show the last page
        page = min(page, max(1, math.ceil(total / per_page)))
        items, _ = read_page(page)
    return CaseList(Page(items=items, page=page, per_page=per_page, total=total, capped=capped),
                    dict(zip(VIEWS, (value or 0 for value in counts))) if with_counts else None,
                    owner_choices())


def assignable_owners(current: User | None = None) -> list[User]:
    """Who may own a case: active agents and admins by name, plus the current owner."""
    users = list(db.session.scalars(
        sa.select(User).where(User.active_staff()).order_by(sa.func.lower(User.name), User.id)))
    if current is not None and current not in users:
        users.append(current)
    return users


def owner_choices() -> list[tuple[int, str]]:
    """(id, name) of everyone assignable_owners() lists, in its order: the owner filter."""
    return [(user_id, name) for user_id, name in db.session.execute(
        sa.select(User.id, User.name).where(User.active_staff())
        .order_by(sa.func.lower(User.name), User.id))]
