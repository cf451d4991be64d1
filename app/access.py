"""Who may see and change what: the one choke point for access decisions."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from app.extensions import db
from app.models import STAFF_ROLES, Case, User

PUBLIC_ENDPOINTS = {"static", "auth.login"}
SIGNED_IN_ENDPOINTS = {"auth.logout", "auth.index"}
BLUEPRINT_ROLES: dict[str, tuple[str, ...]] = {
    "cases": STAFF_ROLES,
    "accounts": STAFF_ROLES,
    "admin": ("admin",),
}


def may_use_endpoint(user: User, endpoint: str) -> bool:
    """True when the user's role may reach this endpoint at all; unknown areas are denied."""
    if endpoint in SIGNED_IN_ENDPOINTS:
        return True
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else ""
    return user.role in BLUEPRINT_ROLES.get(blueprint, ())


def nav_items(user) -> list[tuple[str, str, str]]:
    """The left navigation for this user: (label, endpoint, blueprint)."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return []
    items = [("Cases", "cases.list_cases", "cases"),
             ("Accounts", "accounts.list_accounts", "accounts"),
             ("Contacts", "accounts.list_contacts", "contacts"),
             ("My tasks", "cases.my_tasks", "tasks")]
    if user.is_admin:
        items.append(("Admin", "admin.list_users", "admin"))
    return items


def visible_cases(user: User) -> sa.ColumnElement[bool]:
    """A filter for the cases this user may see."""
    if user.is_staff:
        return sa.true()
    return sa.false()


def can_view_case(user: User, case: Case) -> bool:
    return user.is_staff


def can_edit_case(user: User, case: Case) -> bool:
    return user.is_staff


def get_case_or_404(number: int, user: User) -> Case:
    """Load a case by number; missing and hidden cases both answer 404."""
    case = db.session.scalar(sa.select(Case).where(Case.number == number,
                                                    visible_cases(user)))
    if case is None or not can_view_case(user, case):
        abort(404)
    return case


def require_edit(user: User, case: Case) -> None:
    """Refuse a change the user may not make to a case they can see."""
    if not can_edit_case(user, case):
        abort(403)
