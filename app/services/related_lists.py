"""Data for the case page's related lists (Case Team, Files, Tasks, History): plain columns as
rows, not the ORM's objects, and whichever of the lists a page shows read in one statement
(each list a JSON array beside the others), so a case page spends one round trip on them, not
four. The Case Team list's editing view reads the model (app.services.case_teams)."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from operator import itemgetter
from typing import NamedTuple

import sqlalchemy as sa

from app.extensions import db
from app.models import (Account, Attachment, Case, CaseTeamMember, CaseTeamRole, Contact,
                        FeedItem, PredefinedTeam, Task, User)
from app.models.common import UTCDateTime
from app.models.teams import CaseTeamMemberRules, RoleRules, shown_name, team_order
from app.models.teams import case_team_member_sources as sources

HISTORY_LIMIT = 25
FILES_LIMIT = 50
TASKS_LIMIT = 50

CASE_ID = sa.bindparam("case_id", type_=sa.Integer)


class FileRow(NamedTuple):
    """A file attached to the case: is_public (of the item that brought it), author_name
    (None: Casebook)."""
    id: int
    original_name: str
    size: int
    created_at: datetime
    is_public: bool
    author_name: str | None


class TaskRow(NamedTuple):
    """A task of the case: assignee_name (None: unassigned)."""
    id: int
    subject: str
    due_date: date | None
    completed_at: datetime | None
    is_done: bool
    assignee_name: str | None


class HistoryRow(NamedTuple):
    """Field changes on the case: author_name (None: Casebook)."""
    id: int
    changes: list | None
    created_at: datetime
    author_name: str | None


class TeamRole(RoleRules):
    """A team member's role, as the list shows it."""

    __slots__ = ("name", "access", "visible_in_portal")

    def __init__(self, name: str, access: str, visible_in_portal: bool) -> None:
        self.name, self.access, self.visible_in_portal = name, access, visible_in_portal


class TeamRow(CaseTeamMemberRules):
    """A member of the case team, as the Case Team list shows it (the attributes the template
    reads of a CaseTeamMember)."""

    __slots__ = ("id", "person_name", "is_contact", "email", "account_name", "role",
                 "added_manually", "team_names")

    def __init__(self, id, contact_id, name, email, account_name, role, added_manually,
                 team_names) -> None:
        self.id, self.is_contact = id, contact_id is not None
        self.person_name = shown_name(name)
        self.email, self.account_name, self.role = email, account_name, role
        self.added_manually, self.team_names = bool(added_manually), team_names or []


def _team_row(v: list) -> TeamRow:
    return TeamRow(v[0], v[1], v[2], v[3], v[4], TeamRole(v[5], v[6], bool(v[7])), v[8], v[9])


_STORED_TIME = UTCDateTime()


def _utc(value: str | None) -> datetime | None:
    """A stored UTC timestamp as the database wrote it in JSON, read back as the column type
    reads the column itself (timezone-aware)."""
    if value is None:
        return None
    return _STORED_TIME.process_result_value(datetime.fromisoformat(value), None)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class _List(NamedTuple):
    limit: int | None
    order: Callable[[], tuple]  # the list's order (also the order of its JSON array)
    rows: Callable[[str], sa.Select]  # its columns, joins and filter (given the dialect)
    make: Callable[[list], object]  # a row from its JSON array
    json_columns: frozenset[str] = frozenset()  # columns that hold JSON themselves


def _team_names(dialect: str) -> sa.ScalarSelect:
    """The predefined teams that brought a member, by name, as a JSON array."""
    names = (sa.select(PredefinedTeam.name)
             .join(sources, sources.c.team_id == PredefinedTeam.id)
             .where(sources.c.member_id == CaseTeamMember.id))
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        return (names.with_only_columns(sa.func.json_agg(
            aggregate_order_by(PredefinedTeam.name, PredefinedTeam.name)))
            .scalar_subquery())
    # SQLite's json_group_array keeps the order of the rows it is given (a subquery in its FROM
    # may name the member: SQLite runs it again for each one).
    ordered = names.order_by(PredefinedTeam.name).correlate(CaseTeamMember).subquery()
    return sa.select(sa.func.json_group_array(ordered.c.name)).scalar_subquery()


def _team(dialect: str) -> sa.Select:
    return (sa.select(CaseTeamMember.id, CaseTeamMember.contact_id,
                      sa.func.coalesce(User.name, Contact.name).label("person_name"),
                      User.email, Account.name.label("account_name"),
                      CaseTeamRole.name.label("role_name"), CaseTeamRole.access,
                      CaseTeamRole.visible_in_portal, CaseTeamMember.added_manually,
                      _team_names(dialect).label("team_names"))
            .join(CaseTeamRole, CaseTeamRole.id == CaseTeamMember.role_id)
            .outerjoin(User, User.id == CaseTeamMember.user_id)
            .outerjoin(Contact, Contact.id == CaseTeamMember.contact_id)
            .outerjoin(Account, Account.id == Contact.account_id)
            .where(CaseTeamMember.case_id == CASE_ID))


def _files(dialect: str) -> sa.Select:
    return (sa.select(Attachment.id, Attachment.original_name, Attachment.size,
                      Attachment.created_at, FeedItem.is_public.label("is_public"),
                      User.name.label("author_name"))
            .join(FeedItem, FeedItem.id == Attachment.feed_item_id)
            .outerjoin(User, User.id == FeedItem.author_id)
            .where(Attachment.case_id == CASE_ID))


def _tasks(dialect: str) -> sa.Select:
    return (sa.select(Task.id, Task.subject, Task.due_date, Task.completed_at,
                      Task.is_done.label("is_done"), User.name.label("assignee_name"))
            .outerjoin(User, User.id == Task.assignee_id)
            .where(Task.case_id == CASE_ID))


def _history(dialect: str) -> sa.Select:
    return (sa.select(FeedItem.id, FeedItem.changes, FeedItem.created_at,
                      User.name.label("author_name"))
            .outerjoin(User, User.id == FeedItem.author_id)
            .where(FeedItem.case_id == CASE_ID, FeedItem.kind == "change"))


LISTS: dict[str, _List] = {
    # every member (users before contacts, by name: sorted once read, as case_teams does)
    "case_team": _List(None, lambda: (CaseTeamMember.id,), _team, _team_row,
                       frozenset({"team_names"})),
    # newest first
    "files": _List(FILES_LIMIT, lambda: (Attachment.created_at.desc(), Attachment.id.desc()),
                   _files, lambda v: FileRow(v[0], v[1], v[2], _utc(v[3]), bool(v[4]), v[5])),
    # open ones first (soonest due first, undated last), then done ones, newest first
    "tasks": _List(TASKS_LIMIT, lambda: (Task.is_done,
                                         sa.case((Task.due_date.is_(None), 1), else_=0),
                                         Task.due_date, Task.completed_at.desc(),
                                         Task.id.desc()),
                   _tasks, lambda v: TaskRow(v[0], v[1], _day(v[2]), _utc(v[3]), bool(v[4]),
                                             v[5])),
    # newest first
    "history": _List(HISTORY_LIMIT, lambda: (FeedItem.created_at.desc(), FeedItem.id.desc()),
                     _history, lambda v: HistoryRow(v[0], v[1], _utc(v[2]), v[3]),
                     frozenset({"changes"})),
}


def _as_json_array(spec: _List, dialect: str) -> sa.ScalarSelect:
    """One list as a JSON array of arrays, [position, column...] each, up to its limit.

    Each row carries its position in the list's order, which the reader sorts by: neither
    database promises that an aggregate keeps the order of the subquery it reads.
    """
    rows = spec.rows(dialect)
    position = sa.func.row_number().over(order_by=spec.order()).label("position")
    page = rows.add_columns(position).order_by(*spec.order())
    page = (page if spec.limit is None else page.limit(spec.limit)).subquery()
    values = [page.c.position]
    for column in rows.selected_columns:
        value = page.c[column.key]
        if column.key in spec.json_columns and dialect != "postgresql":
            value = sa.func.json(value)  # SQLite keeps JSON as text: nest it, not quote it
        values.append(value)
    if dialect == "postgresql":
        array = sa.cast(sa.func.json_agg(sa.func.json_build_array(*values)), sa.Text)
    else:
        array = sa.func.json_group_array(sa.func.json_array(*values))
    return sa.select(array).select_from(page).scalar_subquery()


@functools.cache
def _lists_stmt(dialect: str, keys: tuple[str, ...]) -> sa.Select:
    """The chosen lists of one case, each a column; built once per dialect and choice."""
    return sa.select(*(_as_json_array(LISTS[key], dialect).label(key) for key in keys))


FIRST = itemgetter(0)


def case_lists(case: Case, keys: Iterable[str]) -> dict[str, list[NamedTuple]]:
    """The case's related lists named in keys (of LISTS), in one statement: key -> rows."""
    keys = tuple(key for key in dict.fromkeys(keys) if key in LISTS)
    if not keys:
        return {}
    stmt = _lists_stmt(db.engine.dialect.name, keys)
    arrays = db.session.execute(stmt, {"case_id": case.id}).one()
    lists = {}
    for key, text in zip(keys, arrays):
        make = LISTS[key].make
        lists[key] = [make(values[1:]) for values in sorted(json.loads(text or "[]"), key=FIRST)]
    if "history" in lists:  # a note without field changes is not history
        lists["history"] = [row for row in lists["history"] if row.changes]
    if "case_team" in lists:
        lists["case_team"].sort(key=team_order)
    return lists
