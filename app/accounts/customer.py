"""The customer 360 pages (account and contact), their timeline, and verifying a caller."""
from flask import flash, request, url_for
from flask_login import current_user

from app.accounts import bp
from app.accounts.contacts import load_contact
from app.accounts.forms import VerifyCallerForm
from app.extensions import db
from app.htmx import hx_redirect, is_fragment_request, render_page_or_fragment
from app.models import Account, Contact
from app.pagination import parse_page
from app.services import accounts as account_service
from app.services import customer_360
from app.services import portal_access as access_service
from app.services.entitlements import account_entitlements_summary
from app.services import verification as verification_service
from app.services.errors import ValidationFailed


def customer_context(account: Account, contact: Contact | None, form=None) -> dict:
    """What a 360 page shows: header, verification, sections with counts, the customer's
    cases (paged by `page`) and the activity timeline (paged by `activity`)."""
    here = ({"endpoint": ".contact_detail", "contact_id": contact.id} if contact
            else {"endpoint": ".account_detail", "account_id": account.id})
    page, activity = parse_page(request.args.get("page")), parse_page(request.args.get("activity"))
    context = {"account": account, "contact": contact, "show_contact": contact is None,
               "cases_url": lambda n: url_for(**here, page=n),
               "timeline_url": lambda n: url_for(**here, activity=n)}
    paging = is_fragment_request() and request.method == "GET"
    if not paging or "activity" not in request.args:
        context["cases"] = (account_service.contact_cases if contact else
                            account_service.account_cases)(contact or account,
                                                           viewer=current_user, page=page)
    if paging:  # only the list being paged is swapped
        if "activity" in request.args:
            context["timeline"] = customer_360.customer_timeline(
                account, viewer=current_user, contact=contact, page=activity)
        return context
    customer = customer_360.read_customer(account, viewer=current_user, contact=contact)
    latest = verification_service.latest_verification(account, contact)
    carried = latest.id if verification_service.is_current(latest) else None
    return context | {
        "customer": customer,
        "timeline": customer_360.customer_timeline(
            account, viewer=current_user, contact=contact, page=activity,
            total=customer.counts["timeline"]),
        "verification": latest,
        "verified_ago": verification_service.time_ago(latest.created_at) if latest else "",
        "verify_form": form or VerifyCallerForm(),
        "verify_url": url_for(".verify_contact", contact_id=contact.id) if contact
        else url_for(".verify_account", account_id=account.id),
        "new_case_url": url_for("cases.new_case", account_id=account.id,
                                contact_id=contact.id if contact else None,
                                verification=carried),
        "website_url": account.website if account_service.is_web_url(account.website) else None,
    }


def paged_part() -> str:
    """The partial an htmx pager asks for: the timeline or the cases."""
    return "accounts/_timeline.html" if "activity" in request.args else "accounts/_cases.html"


@bp.route("/accounts/<int:account_id>")
def account_detail(account_id: int):
    """The account's 360 page; htmx paging gets just the timeline."""
    account = db.get_or_404(Account, account_id)
    context = customer_context(account, None)
    if not is_fragment_request():  # contracts and entitlements, beside the 360 sections
        context["entitlements_summary"] = account_entitlements_summary(account)
    return render_page_or_fragment("accounts/detail.html", paged_part(), **context)


@bp.route("/contacts/<int:contact_id>")
def contact_detail(contact_id: int):
    """A contact's 360 page, under their account's header; htmx paging gets the timeline."""
    contact = load_contact(contact_id)
    return render_page_or_fragment("contacts/detail.html", paged_part(),
                                   portal=access_service.portal_summary(contact),
                                   **customer_context(contact.account, contact))


@bp.route("/accounts/<int:account_id>/verify", methods=["POST"])
def verify_account(account_id: int):
    """Record a caller's verification against the account."""
    return verify_caller(db.get_or_404(Account, account_id), None)


@bp.route("/contacts/<int:contact_id>/verify", methods=["POST"])
def verify_contact(contact_id: int):
    """Record a caller's verification as this contact."""
    contact = load_contact(contact_id)
    return verify_caller(contact.account, contact)


def verify_caller(account: Account, contact: Contact | None):
    """Save the check, then show the page again with it (and the New case link carrying it)."""
    form = VerifyCallerForm()
    if form.validate_on_submit():
        try:
            verification_service.record_verification(
                actor=current_user, account=account, contact=contact, method=form.method.data,
                passed=form.outcome.data == "passed", note=form.note.data)
        except ValidationFailed as exc:
            db.session.rollback()
            form.note.errors = [*form.note.errors, str(exc)]
        else:
            db.session.commit()
            flash("Caller verified." if form.outcome.data == "passed"
                  else "Recorded that the caller could not be verified.",
                  "success" if form.outcome.data == "passed" else "info")
            return hx_redirect(url_for(".contact_detail", contact_id=contact.id) if contact
                               else url_for(".account_detail", account_id=account.id))
    template = "contacts/detail.html" if contact else "accounts/detail.html"
    return render_page_or_fragment(template, "accounts/_verify.html", status=422,
                                   **customer_context(account, contact, form))
