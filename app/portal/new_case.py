"""New case in the portal: the customer's own case, with portal articles suggested while the
subject is typed ("This answered my question" ends without a case, counted as deflected)."""
from flask import current_app, render_template, request, url_for
from werkzeug.routing import BuildError

from app.extensions import db
from app.forms import show_refusal
from app.htmx import render_page_or_fragment
from app.portal import bp
from app.portal.common import current_contact, current_customer
from app.portal.request_forms import DeflectionForm, NewCaseForm
from app.services import deflections
from app.services import files as file_store
from app.services import portal_requests as requests_service
from app.services.eligibility import eligibility
from app.services.errors import ValidationFailed
from app.services.knowledge_search import highlight, query_tokens
from app.submissions import create_once

FIELDS = {"asset": "asset", "entitlement": "entitlement", "files": "files"}
OVERSIZE_READ_FACTOR = 4
# The portal's own article page once the knowledge section has one; /kb/<slug> until then.
ARTICLE_ENDPOINTS = ("portal.knowledge_article", "portal.article")


def new_case_form(contact, formdata=None, **kwargs) -> NewCaseForm:
    """The form with the customer's products and, when they have several, support plans."""
    kwargs.setdefault("assets", requests_service.customer_assets(contact))
    kwargs.setdefault("entitlements", requests_service.entitlement_choices(contact))
    return NewCaseForm(formdata=formdata, **kwargs) if formdata is not None \
        else NewCaseForm(**kwargs)


def article_url(version) -> str:
    """Where a suggested article is read: the portal's knowledge, else the reader's /kb."""
    for endpoint in ARTICLE_ENDPOINTS:
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, slug=version.article.slug)
            except BuildError:
                continue
    return url_for("kb.article", slug=version.article.slug)


def suggestions_context(subject: str) -> dict:
    """The suggestions for what was typed, each with its link, snippet and deflection form."""
    versions = requests_service.portal_suggestions(current_customer(), subject or "")
    tokens = query_tokens(subject)
    return {"q": subject or "", "suggestions": [
        {"version": v, "url": article_url(v), "snippet": highlight(v.search_text, tokens),
         "form": DeflectionForm(formdata=None, article_id=str(v.article_id))}
        for v in versions]}


def page(form: NewCaseForm, status: int = 200, *, suggest: bool = False):
    """The New case page; the suggestions box is filled when asked (or anything was typed)."""
    subject = form.subject.data or ""
    context = suggestions_context(subject) if suggest or subject else {"q": "", "suggestions": []}
    return render_template("portal/new_case.html", form=form,
                           upload_limit=file_store.max_upload_bytes(), **context), status


@bp.route("/cases/new", methods=["GET", "POST"])
def new_case():
    """Open a case as the signed-in customer; "Find answers" shows suggestions, saving nothing."""
    contact = current_contact()
    form = new_case_form(contact)
    if request.method == "GET":
        if "entitlement" in form:
            form.entitlement.data = _default_plan(contact)
        return page(form)
    if form.find.data:
        return page(form, suggest=True)
    if form.validate_on_submit():
        try:
            return create_once(form, lambda: _open(form, contact), _opened)
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc, FIELDS, default="subject")
    return page(form, 422)


def _default_plan(contact) -> str:
    """The plan a portal case would take by itself (one matching web requests), if any."""
    chosen = eligibility(contact.account, requests_service.ORIGIN)["chosen"]
    return str(chosen.id) if chosen is not None else ""


def _open(form: NewCaseForm, contact):
    return requests_service.open_portal_case(
        actor=current_customer(), contact=contact, subject=form.subject.data,
        description=form.description.data or "", asset_id=form.asset.data,
        entitlement_id=form.entitlement.data if "entitlement" in form else None,
        uploads=[(f.filename, f.stream, f.mimetype) for f in form.chosen_files()])


def _opened(case) -> tuple[str, str]:
    return (url_for("portal.case", number=case.number),
            f"Case #{case.padded_number} is open. We will answer here and by email.")


@bp.route("/cases/new/suggestions")
def new_case_suggestions():
    """Portal articles for the subject being typed: the box for htmx, else the whole page."""
    subject = (request.args.get("subject") or "")[:1000]
    contact = current_contact()
    if not request.headers.get("HX-Request"):
        return page(new_case_form(contact, formdata=request.args), suggest=True)
    return render_page_or_fragment("portal/new_case.html", "portal/_new_case_suggestions.html",
                                   **suggestions_context(subject))


@bp.route("/cases/new/answered", methods=["POST"])
def new_case_answered():
    """"This answered my question": count the deflection and leave without opening a case."""
    contact = current_contact()
    form = DeflectionForm()
    if not form.validate_on_submit():
        return page(new_case_form(contact, formdata=None), 422)
    try:
        return create_once(form, lambda: deflections.record_deflection(
            actor=current_customer(), contact=contact, article_id=form.article_id.data),
            lambda _row: (url_for("portal.my_cases"),
                          "Glad that answered your question. No case was opened."))
    except ValidationFailed as exc:
        db.session.rollback()
        form = new_case_form(contact, formdata=None)
        form.form_errors.append(str(exc))
        return page(form, 422)


def new_case_too_large(fields, limit: int):
    """New case with files over the limit: the form again with what was typed, not a bare 413
    (called by app.portal.oversize once the token is checked)."""
    form = new_case_form(current_contact(), formdata=fields)
    form.files.errors = [f"The upload is too large: files may total "
                         f"{file_store.human_size(limit)}. Nothing was saved; what you typed is "
                         "kept. Try fewer or smaller files."]
    return page(form, 413)
