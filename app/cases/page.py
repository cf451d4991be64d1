"""Helpers every case page view shares: loading a case to change, its links and form pages."""
from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from flask_login import current_user

from app.access import can_edit_case, get_case_or_404, require_edit
from app.models import Case, User

CASE_PAGE_ENDPOINT = "cases.view_case"
# Service field names as the forms call them.
FORM_FIELDS = {"account": "account_id", "contact": "contact_id", "owner": "owner_id",
               "type": "case_type", "status": "status", "priority": "priority",
               "origin": "origin", "subject": "subject", "description": "description"}


def get_editable_case_or_404(number: int) -> Case:
    """The case, if the signed-in user may see it (else 404) and change it (else 403)."""
    case = get_case_or_404(number, current_user)
    require_edit(current_user, case)
    return case


def case_link(case: Case, **params) -> str:
    """The case page URL (Feed tab), with query parameters; empty values are left out."""
    params = {key: value for key, value in params.items() if value not in (None, "", "all", 1)}
    return url_for(CASE_PAGE_ENDPOINT, number=case.number, **params)


def today_for(user: User) -> date:
    """Today in the user's time zone, for due dates."""
    return datetime.now(user.zone).date()


def item_context(case: Case, user: User) -> dict:
    """What one feed item (or task card) needs to render on its own."""
    return {"case": case, "today": today_for(user), "can_edit": can_edit_case(user, case)}

