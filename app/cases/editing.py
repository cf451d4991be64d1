"""Changing a case: the full edit form, inline edit in the header, close and reopen."""
from flask import abort, flash, redirect, request
from flask_login import current_user

from app import access
from app.cases import bp
from app.cases.forms import (
    INLINE_FORMS, AssignToMeForm, CloseCaseForm, EditCaseForm, ReopenCaseForm, digest,
)
from app.cases.page import FORM_FIELDS, case_link, get_editable_case_or_404
from app.cases.related import RELATED_CHANGED
from app.cases.routes import header_response
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, is_fragment_request, render_form
from app.services import case_lists
from app.services import cases as case_service
from app.services.errors import CaseConflict, ValidationFailed


def after_conflict(number: int, form) -> tuple:
    """Start over from what is saved now; keep the user's input, based on the new version."""
    db.session.rollback()
    case = access.get_case_or_404(number, current_user)
    changes = case_service.conflict_changes(case, form.expected_version)
    form.version.data = str(case.version)
    return case, changes


def starting(values: dict, case) -> dict | None:
    """A form's starting values for GET; a post is read only from what the browser sent."""
    return values | {"version": case.version} if request.method == "GET" else None


def require_field_edit(case, field: str) -> None:
    """Inline edit needs edit access, and an owner change the right to reassign."""
    access.require_edit(current_user, case)
    if field == "owner":
        access.require_change_owner(current_user, case)


def inline_form(case, field: str, **kwargs):
    """The small form that edits one header field, filled from the case unless posted."""
    if field == "owner":
        kwargs["owners"] = case_lists.assignable_owners(case.owner)
    current = case.owner_id if field == "owner" else getattr(case, field)
    return INLINE_FORMS[field](data=starting({"value": current}, case), **kwargs)


@bp.route("/<int:number>/header")
def case_header(number: int):
    """The case header; `?edit=status|priority|owner` opens that field's editor."""
    case = access.get_case_or_404(number, current_user)
    field = request.args.get("edit")
    focus = request.args.get("focus")
    if field is None:
        return header_response(case, focus=focus if focus in INLINE_FORMS else None)
    if field not in INLINE_FORMS:
        abort(404)
    require_field_edit(case, field)
    return header_response(case, edit_field=field,
                           edit_form=inline_form(case, field, formdata=None))


@bp.route("/<int:number>/fields/<field>", methods=["POST"])
def save_field(number: int, field: str):
    """Save one header field; the header comes back (409 with what changed when stale)."""
    if field not in INLINE_FORMS:
        abort(404)
    case = access.get_case_or_404(number, current_user)
    require_field_edit(case, field)
    form = inline_form(case, field)
    if not form.validate_on_submit():
        return header_response(case, 422, edit_field=field, edit_form=form)
    value = form.owners[form.value.data] if field == "owner" else form.value.data
    try:
        case_service.update_case(case, actor=current_user,
                                 expected_version=form.expected_version, **{field: value})
    except CaseConflict:
        case, changes = after_conflict(number, form)
        return header_response(case, 409, edit_field=field, edit_form=form,
                               edit_changes=changes)
    except ValidationFailed as exc:
        db.session.rollback()
        form.value.errors = [str(exc)]
        return header_response(case, 422, edit_field=field, edit_form=form)
    db.session.commit()
    if not is_fragment_request():
        return redirect(case_link(case), code=303)
    response = header_response(case, focus=field)
    # After the swap, so the feed (and anything else on the page) shows the change item too.
    response.headers["HX-Trigger-After-Settle"] = f"case-changed, {RELATED_CHANGED}"
    return response


@bp.route("/<int:number>/assign-to-me", methods=["POST"])
def assign_to_me(number: int):
    """Make the signed-in user the owner; the header comes back (409 when stale)."""
    case = access.get_case_or_404(number, current_user)
    require_field_edit(case, "owner")
    form = AssignToMeForm()
    if not form.validate_on_submit():
        return header_response(case, 422)
    try:
        case_service.update_case(case, actor=current_user,
                                 expected_version=form.expected_version, owner=current_user)
    except CaseConflict:
        case, changes = after_conflict(number, form)
        return header_response(case, 409, edit_changes=changes)
    db.session.commit()
    if not is_fragment_request():
        flash(f"Case {case.padded_number} is yours.", "success")
        return redirect(case_link(case), code=303)
    response = header_response(case, focus="owner")
    response.headers["HX-Trigger-After-Settle"] = f"case-changed, {RELATED_CHANGED}"
    return response


def edit_data(case) -> dict:
    """The edit form's starting values, from the case."""
    return {"subject": case.subject, "description": case.description, "status": case.status,
            "priority": case.priority, "origin": case.origin, "case_type": case.type,
            "account_id": str(case.account_id or ""),
            "account_id_label": case.account.name if case.account else "",
            "contact_id": str(case.contact_id or ""),
            "contact_id_label": case.contact.name if case.contact else "",
            "owner_id": case.owner_id, "description_digest": digest(case.description)}


def take_theirs(form, case, changes: list[dict]) -> None:
    """After a conflict, fields the user left alone show what others saved meanwhile."""
    current = edit_data(case)
    seen = set()
    for change in changes:  # oldest first: the first change of a field holds its old value
        field = change["field"]
        if field in seen or FORM_FIELDS.get(field) not in form:
            continue
        seen.add(field)
        if form.shown_before(change):
            for name in (FORM_FIELDS[field], f"{FORM_FIELDS[field]}_label"):
                if name in form:
                    form[name].data = current[name]
    form.description_digest.data = current["description_digest"]


@bp.route("/<int:number>/edit", methods=["GET", "POST"])
def edit_case(number: int):
    """Change any field of a case; a stale save answers 409 and keeps what was typed."""
    case = get_editable_case_or_404(number)
    can_reassign = access.can_change_owner(current_user, case)
    form = EditCaseForm(data=starting(edit_data(case), case), can_change_owner=can_reassign,
                        owners=case_lists.assignable_owners(case.owner))
    if form.validate_on_submit():
        try:
            changes = case_service.update_case(case, actor=current_user,
                                               expected_version=form.expected_version,
                                               **form.values())
        except CaseConflict:
            case, changes = after_conflict(number, form)
            take_theirs(form, case, changes)
            return render_form("cases/form.html", form, "cases/_form.html", status=409,
                               case=case, conflict_changes=changes)
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc, FORM_FIELDS)
        else:
            db.session.commit()
            flash("Saved your changes." if changes else "Nothing changed.", "success")
            return hx_redirect(case_link(case))
    return render_form("cases/form.html", form, "cases/_form.html", case=case)


@bp.route("/<int:number>/close", methods=["GET", "POST"])
def close_case(number: int):
    """Ask for an optional closing note, then close the case (closed time recorded)."""
    case = get_editable_case_or_404(number)
    if not case.is_open and request.method == "GET":
        flash("This case is already closed.", "info")
        return redirect(case_link(case), code=303)
    form = CloseCaseForm(data=starting({}, case))
    if form.validate_on_submit():
        try:
            case_service.close_case(case, actor=current_user,
                                    expected_version=form.expected_version,
                                    note=form.note.data or "")
        except CaseConflict:
            case, changes = after_conflict(number, form)
            return render_form("cases/close.html", form, "cases/_close.html", status=409,
                               case=case, conflict_changes=changes)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(str(exc), "info")
            return hx_redirect(case_link(case))
        db.session.commit()
        flash(f"Case {case.padded_number} is closed.", "success")
        return hx_redirect(case_link(case))
    return render_form("cases/close.html", form, "cases/_close.html", case=case)


@bp.route("/<int:number>/reopen", methods=["POST"])
def reopen_case(number: int):
    """Reopen a closed case (status Working); a stale page answers 409 with what changed."""
    case = get_editable_case_or_404(number)
    form = ReopenCaseForm()
    if not form.validate_on_submit():
        flash("This page was out of date, so nothing changed. Try again.", "error")
        return hx_redirect(case_link(case))
    try:
        case_service.reopen_case(case, actor=current_user,
                                 expected_version=form.expected_version)
    except CaseConflict:
        case, changes = after_conflict(number, form)
        return header_response(case, 409, edit_changes=changes)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return hx_redirect(case_link(case))
    db.session.commit()
    flash(f"Case {case.padded_number} is open again.", "success")
    return hx_redirect(case_link(case))
