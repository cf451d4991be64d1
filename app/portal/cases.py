"""My cases and the case page: the customer's view of their cases and the public conversation."""
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app.access import get_portal_case_or_404
from app.cases.attachments import send_attachment
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, render_page_or_fragment
from app.pagination import parse_page
from app.portal import bp
from app.portal.common import current_contact, current_customer
from app.portal.forms import CloseCaseForm, ReopenCaseForm, ReplyForm
from app.services import case_team
from app.services import files as file_store
from app.services import portal as portal_service
from app.services.errors import CaseConflict, ValidationFailed
from app.services.feed import DuplicateSubmission

CASES_PER_PAGE = 20


def _list_filters(contact) -> dict:
    """The list's state, scope and contact from the query string, each from an allowlist."""
    state = request.args.get("state", "open")
    state = state if state in portal_service.CASE_STATES else "open"
    scope = "all" if request.args.get("scope") == "all" and contact.portal_account_admin \
        else "mine"
    contacts = portal_service.account_contacts(contact) if scope == "all" else []
    wanted = request.args.get("contact", "")
    chosen = next((c for c in contacts if str(c.id) == wanted), None)
    return {"state": state, "scope": scope, "contacts": contacts, "chosen_contact": chosen}


@bp.route("/cases")
@bp.route("/")
def my_cases():
    """The customer's cases, open or closed, last updated first; an account admin's "All our
    cases" tab lists the whole account's, with a filter by contact."""
    contact = current_contact()
    filters = _list_filters(contact)
    chosen = filters["chosen_contact"]
    stmt = portal_service.my_cases_stmt(current_customer(), state=filters["state"],
                                        scope=filters["scope"],
                                        contact_id=chosen.id if chosen else None)
    results = portal_service.page_of_cases(stmt, page=parse_page(request.args.get("page")),
                                           per_page=CASES_PER_PAGE)
    return render_page_or_fragment("portal/my_cases.html", "portal/_case_rows.html",
                                   results=results, contact=contact, **filters)


def case_page_context(case, **forms) -> dict:
    """Everything the case page shows: the conversation, visible team and its forms."""
    page = parse_page(request.args.get("page"))
    items, has_earlier = portal_service.conversation(case, page=page)
    forms.setdefault("reply_form", ReplyForm(formdata=None))
    forms.setdefault("close_form", CloseCaseForm(formdata=None))
    forms.setdefault("reopen_form", ReopenCaseForm(formdata=None))
    return {"case": case, "items": items, "has_earlier": has_earlier, "conversation_page": page,
            "team": case_team.portal_team_members(case), "me": current_customer(),
            "upload_limit": file_store.max_upload_bytes(), **forms}


@bp.route("/cases/<int:number>")
def case(number: int):
    """A case as its customer sees it: subject, status and the public conversation."""
    case = get_portal_case_or_404(number, current_user)
    return render_page_or_fragment("portal/case.html", "portal/_conversation.html",
                                   **case_page_context(case))


@bp.route("/cases/<int:number>/files/<int:attachment_id>")
def download(number: int, attachment_id: int):
    """Download a file of the public conversation, with the staff downloads' safe headers."""
    case = get_portal_case_or_404(number, current_user)
    attachment = portal_service.public_attachment(case, attachment_id)
    if attachment is None or not file_store.is_stored(attachment.sha256):
        abort(404)
    return send_attachment(attachment, file_store.safe_type(attachment.content_type),
                           inline=False)


def case_form_failed(case, status: int = 422, **forms):
    """The case page again, with the form that failed and what was typed."""
    response = render_template("portal/case.html", **case_page_context(case, **forms))
    return response, status


@bp.route("/cases/<int:number>/reply", methods=["POST"])
def case_reply(number: int):
    """Add the customer's reply (text and files) to the case's public conversation."""
    case = get_portal_case_or_404(number, current_user)
    form = ReplyForm()
    if not case.is_open:
        flash("This case is closed. Reopen it to add a reply.", "error")
        return hx_redirect(url_for("portal.case", number=number))
    if not form.validate_on_submit():
        return case_form_failed(case, reply_form=form)
    try:
        portal_service.reply_as_customer(
            case, actor=current_customer(), body=form.body.data or "",
            uploads=[(f.filename, f.stream, f.mimetype) for f in form.chosen_files()],
            request_key=form.request_key.data or None)
    except DuplicateSubmission:
        db.session.rollback()
        return hx_redirect(url_for("portal.case", number=number))
    except ValidationFailed as exc:
        db.session.rollback()
        show_refusal(form, exc, {"files": "files"}, default="body")
        return case_form_failed(case, reply_form=form)
    db.session.commit()
    flash("Your reply was sent.", "success")
    return hx_redirect(url_for("portal.case", number=number) + "#conversation")


@bp.route("/cases/<int:number>/close", methods=["POST"])
def case_close(number: int):
    """The customer closes their case; the team sees it, with the note, in the history."""
    case = get_portal_case_or_404(number, current_user)
    form = CloseCaseForm()
    if not form.validate_on_submit():
        return case_form_failed(case, close_form=form)
    return _change(case, lambda: portal_service.close_as_customer(
        case, actor=current_customer(), note=form.note.data or ""),
        "Your case is closed. Reopen it here any time.", close_form=form)


@bp.route("/cases/<int:number>/reopen", methods=["POST"])
def case_reopen(number: int):
    """The customer reopens a closed case with a reason."""
    case = get_portal_case_or_404(number, current_user)
    form = ReopenCaseForm()
    if not form.validate_on_submit():
        return case_form_failed(case, reopen_form=form)
    return _change(case, lambda: portal_service.reopen_as_customer(
        case, actor=current_customer(), reason=form.reason.data),
        "Your case is open again; our team has been told why.", reopen_form=form)


def _change(case, change, message: str, **forms):
    """Run a status change through the one door, commit, and go back to the case."""
    try:
        change()
    except (ValidationFailed, CaseConflict) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, ValidationFailed)
              else "The case changed meanwhile; have a look and try again.", "error")
        return hx_redirect(url_for("portal.case", number=case.number))
    db.session.commit()
    flash(message, "success")
    return hx_redirect(url_for("portal.case", number=case.number))
