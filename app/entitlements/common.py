"""What the entitlements views share: loading rows, the admin check, confirmation pages."""
from collections.abc import Callable

from flask import abort, flash
from flask_login import current_user

from app.extensions import db
from app.htmx import hx_redirect, render_form
from app.services.errors import ValidationFailed


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



def optional_id(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def confirm_then(form, act: Callable, done: Callable, page: str, **context):
    """A confirmation page: a confirmed POST runs act(); on success done(result) gives the
    message and the address to go to, a refusal shows above the form (422)."""
    if form.validate_on_submit():
        try:
            result = act()
        except ValidationFailed as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            message, url = done(result)
            flash(message, "success")
            return hx_redirect(url)
    return render_form(page, form, **context)
