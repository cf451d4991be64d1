"""Working the list: one change (owner, status, priority) to the selected cases at once."""
from flask import flash, request, url_for
from flask_login import current_user

from app.cases import bp
from app.cases.forms import BulkCaseForm
from app.extensions import db
from app.htmx import hx_redirect
from app.services import case_bulk, case_lists
from app.services.errors import ValidationFailed


@bp.route("/bulk", methods=["POST"])
def bulk_change():
    """Change the selected cases one by one through the case service, commit once, and say
    how many changed and why any were skipped; back to the list as it was."""
    form = BulkCaseForm(owners=case_lists.assignable_owners())
    back = form.back_url(url_for("cases.list_cases"))
    if not form.validate_on_submit():
        flash(form.first_error(), "error")
        return hx_redirect(back)
    cases = case_bulk.visible_cases_by_number(current_user, form.case.data)
    try:
        outcome = case_bulk.bulk_update_cases(cases, actor=current_user,
                                              versions=form.versions(request.form),
                                              **form.values())
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return hx_redirect(back)
    db.session.commit()
    flash(outcome.summary(), "success" if outcome.changed else "info")
    return hx_redirect(back)
