"""Who may see and change what: the one choke point for access decisions."""
from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from flask import abort, g, has_request_context
from sqlalchemy.orm import joinedload

from app.errors import AccessDenied
from app.extensions import db
from app.models import (
    STAFF_ROLES, Case, CaseTeamMember, CaseTeamRole, Contact, RecentView, Setting, User,
)
from app.models.knowledge import CHANNELS, Article

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.accept_invitation",
                    "kb.home", "kb.category", "kb.article", "kb.vote",
                    "portal.login", "portal.forgot", "portal.reset", "portal.survey"}
SIGNED_IN_ENDPOINTS = {"auth.logout", "auth.index", "auth.welcome", "auth.settings",
                       "auth.change_password"}
BLUEPRINT_ROLES: dict[str, tuple[str, ...]] = {
    "cases": STAFF_ROLES,
    "accounts": STAFF_ROLES,
    "admin": ("admin",),
    "teams": ("admin",),
    # /cases/<n>/team: per-case checks through get_case_or_404 / require_edit in each view.
    "case_team": STAFF_ROLES,
    "workflow": ("admin",),
    "search": STAFF_ROLES,
    "knowledge": STAFF_ROLES,  # admin pages and per-article rights: checked in each view
    "entitlements": STAFF_ROLES,  # setup pages check for admins themselves
    # Customers use the portal only; every portal case is read through portal_cases().
    "portal": ("customer",),
}


# A customer's own pages live in the portal; of the console's they reach only these.
CUSTOMER_SIGNED_IN_ENDPOINTS = {"auth.logout", "auth.index", "auth.welcome"}


def may_use_endpoint(user: User, endpoint: str) -> bool:
    """True when the user's role may reach this endpoint at all; unknown areas are denied."""
    if endpoint in SIGNED_IN_ENDPOINTS:
        return user.is_staff or endpoint in CUSTOMER_SIGNED_IN_ENDPOINTS
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else ""
    return user.role in BLUEPRINT_ROLES.get(blueprint, ())


# Case access is the most generous of three grants, evaluated per call (never cached):
#   the org-wide setting (public_edit / public_read / private), ownership, and case team role.
# Admins see and change everything; customers never reach agent case pages (the portal has
# its own rules). Owner changes: admins, the owner, and every agent under public_edit;
# a Read/Write member can do what the owner can except change the owner.

def _member_role_access(user: User, case: Case) -> str | None:
    """The access ('read' / 'edit') the user's case team role gives, or None."""
    return db.session.scalar(
        sa.select(CaseTeamRole.access)
        .join(CaseTeamMember, CaseTeamMember.role_id == CaseTeamRole.id)
        .where(CaseTeamMember.case_id == case.id, CaseTeamMember.user_id == user.id))


CASE_ACCESS_LEVELS = ("public_edit", "public_read", "private")
DEFAULT_CASE_ACCESS = "public_edit"


def stored_settings() -> dict[str, str]:
    """Every stored org setting by key, read once per web request (kept in `g`): access asks
    on every case check, and the settings service reads through here too. Outside requests
    (the mail sender, CLI commands) it reads afresh each time, so a setting never goes stale."""
    if has_request_context() and "settings" in g:
        return g.settings
    stored = dict(db.session.execute(sa.select(Setting.key, Setting.value)).tuples().all())
    if has_request_context():
        g.settings = stored
    return stored


def forget_stored_settings() -> None:
    """Read the settings afresh next time (after one was changed)."""
    if has_request_context():
        g.pop("settings", None)


def case_access_level() -> str:
    """The org-wide case access setting; an unknown stored value falls back to private."""
    value = stored_settings().get("case_access", DEFAULT_CASE_ACCESS)
    # Fail closed: a damaged value must never widen access.
    return value if value in CASE_ACCESS_LEVELS else "private"


def case_visibility(user: User) -> str:
    """Which cases the user sees: "all", "none", or "own" (owned or on the case team)."""
    if user.is_admin:
        return "all"
    if not user.is_staff:
        return "none"
    return "own" if case_access_level() == "private" else "all"


def visibility_clause(scope: str, viewer) -> sa.ColumnElement[bool]:
    """The SQL filter for a case_visibility() scope; `viewer` is a user id or a bind parameter
    (statements built once and reused take the viewer as a parameter)."""
    if scope == "all":
        return sa.true()
    if scope == "none":
        return sa.false()
    on_team = sa.exists().where(CaseTeamMember.case_id == Case.id,
                                CaseTeamMember.user_id == viewer)
    return sa.or_(Case.owner_id == viewer, on_team)


def visible_cases(user: User) -> sa.ColumnElement[bool]:
    """A SQL filter for the cases this user may see (one EXISTS, never a query per row)."""
    return visibility_clause(case_visibility(user), user.id)


def can_view_case(user: User, case: Case) -> bool:
    if user.is_admin:
        return True
    if not user.is_staff:
        return False
    if case.owner_id == user.id or case_access_level() != "private":
        return True
    return _member_role_access(user, case) is not None


def can_edit_case(user: User, case: Case) -> bool:
    if user.is_admin:
        return True
    if not user.is_staff:
        return False
    if case.owner_id == user.id:
        return True
    level = case_access_level()
    if level == "public_edit":
        return True
    return _member_role_access(user, case) == "edit"


def can_change_owner(user: User, case: Case) -> bool:
    """Owner changes: admins, the owner, and any agent where every agent may edit every case."""
    if user.is_admin:
        return True
    if not user.is_staff:
        return False
    return case.owner_id == user.id or case_access_level() == "public_edit"


def editable_case_ids(user: User, cases) -> set[int]:
    """The ids of these (visible) cases the user may change, in at most one query."""
    cases = list(cases)
    if user.is_admin or (user.is_staff and case_access_level() == "public_edit"):
        return {case.id for case in cases}
    if not user.is_staff:
        return set()
    owned = {case.id for case in cases if case.owner_id == user.id}
    others = [case.id for case in cases if case.id not in owned]
    if not others:
        return owned
    writable = db.session.scalars(
        sa.select(CaseTeamMember.case_id)
        .join(CaseTeamRole, CaseTeamRole.id == CaseTeamMember.role_id)
        .where(CaseTeamMember.user_id == user.id, CaseTeamMember.case_id.in_(others),
               CaseTeamRole.access == "edit"))
    return owned | set(writable)


def case_permissions(user: User, case: Case) -> dict[str, bool]:
    """What the user may do on a case they can see, for templates to show or hide controls."""
    edit = can_edit_case(user, case)
    return {"edit": edit, "change_owner": edit and can_change_owner(user, case)}


@functools.lru_cache(maxsize=16)
def _case_by_number(scope: str, with_last_view: bool = False,
                    with_creator: bool = False) -> sa.Select:
    """The case page's load for one visibility scope, built once; number and viewer are
    parameters. With the last view, the viewer's Recently viewed time comes as a second
    column (a subquery on its key); with the creator, who opened the case comes joined (the
    Details tab shows them): each saves the page a round trip."""
    viewer = sa.bindparam("viewer_id", type_=sa.Integer)
    columns: list = [Case]
    if with_last_view:
        columns.append(sa.select(RecentView.viewed_at)
                       .where(RecentView.user_id == viewer, RecentView.case_id == Case.id)
                       .scalar_subquery())
    options = [joinedload(Case.account), joinedload(Case.contact), joinedload(Case.owner)]
    if with_creator:
        options.append(joinedload(Case.created_by))
    return (sa.select(*columns)
            .where(Case.number == sa.bindparam("number", type_=sa.Integer),
                   visibility_clause(scope, viewer))
            .options(*options))


def get_case_or_404(number: int, user: User) -> Case:
    """Load a case by number; missing and hidden cases both answer 404."""
    return _load_case_or_404(number, user, _case_by_number(case_visibility(user)))[0]


def get_case_and_last_view_or_404(number: int, user: User, *,
                                  creator: bool = False) -> tuple[Case, datetime | None]:
    """The case, as get_case_or_404 loads it (with its creator loaded too, if asked), and
    when the user last opened it (None if never), in one statement."""
    stmt = _case_by_number(case_visibility(user), with_last_view=True, with_creator=creator)
    return _load_case_or_404(number, user, stmt)


def _load_case_or_404(number: int, user: User, stmt: sa.Select) -> tuple:
    if not 0 < number < 2**31:  # past any case number (and any database's integer)
        abort(404)
    row = db.session.execute(stmt, {"number": number, "viewer_id": user.id}).first()
    if row is None:
        abort(404)
    return tuple(row)


def portal_contact(user: User) -> Contact | None:
    """The contact a customer signs in as; None for staff and for a customer without one."""
    if getattr(user, "role", None) != "customer" or user.contact_id is None:
        return None
    return user.contact


def portal_cases(user: User) -> sa.ColumnElement[bool]:
    """A SQL filter for the cases a customer sees in the portal: those where their contact is
    the case contact; for a contact marked account admin, every case of their account too.
    Staff and customers without a contact see none here."""
    contact = portal_contact(user)
    if contact is None:
        return sa.false()
    own = Case.contact_id == contact.id
    if contact.portal_account_admin:
        return sa.or_(own, Case.account_id == contact.account_id)
    return own


def is_case_contact(user, case: Case) -> bool:
    """The customer is the case's own contact (an account admin who sees it is not): only they
    answer its satisfaction question."""
    return user is not None and user.contact_id is not None and user.contact_id == case.contact_id


def get_portal_case_or_404(number: int, user: User) -> Case:
    """A case by number as the portal shows it; missing and hidden cases both answer 404."""
    if not 0 < number < 2**31:
        abort(404)
    case = db.session.scalar(sa.select(Case)
                             .where(Case.number == number, portal_cases(user))
                             .options(joinedload(Case.account), joinedload(Case.contact),
                                      joinedload(Case.owner)))
    if case is None:
        abort(404)
    return case


def require_admin(user: User, refusal: str) -> None:
    """For services: only admins may go on; anyone else gets AccessDenied(refusal)."""
    if not user.is_admin:
        raise AccessDenied(refusal)


def require_edit(user: User, case: Case) -> None:
    """Refuse a change the user may not make to a case they can see."""
    if not can_edit_case(user, case):
        abort(403)


def require_change_owner(user: User, case: Case) -> None:
    """Refuse an owner change the user may not make."""
    if not can_change_owner(user, case):
        abort(403)


def visible_articles(user, channel: str) -> sa.ColumnElement[bool]:
    """A SQL filter on Article for what this user may read in this channel: staff read the
    internal channel, signed-in users the portal, anyone the public one; archived articles
    are in none."""
    signed_in = getattr(user, "is_authenticated", False)
    allowed = {"public": True, "portal": signed_in,
               "internal": signed_in and getattr(user, "is_staff", False)}
    if channel not in CHANNELS or not allowed[channel]:
        return sa.false()
    return sa.and_(Article.archived_at.is_(None), getattr(Article, f"channel_{channel}").is_(True))
