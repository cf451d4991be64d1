"""What the entitlements views share: loading rows, the admin check, form responses."""
from flask import abort
from flask_login import current_user

from app.extensions import db
from app.htmx import render_page_or_fragment


def get_or_404(model, row_id: int):
    """A row by id; ids past any database integer are simply missing."""
    row = db.session.get(model, row_id) if 0 < row_id < 2**31 else None
    if row is None:
        abort(404)
    return row


def require_admin() -> None:
    """Setup pages (calendars, processes, templates, the policy) are for admins."""
    if not current_user.is_admin:
        abort(403)


def form_response(page: str, fragment: str, form, **context):
    """The form as a page or an htmx fragment: 422 when it carries errors."""
    return render_page_or_fragment(page, fragment, status=422 if form.errors else 200,
                                   form=form, **context)


def optional_id(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None
