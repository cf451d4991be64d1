"""Contacts: list with active search, create, edit, detail with their cases, and type-ahead."""
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.accounts import bp
from app.accounts.forms import ContactForm, SearchForm, duplicate_email_message
from app.accounts.routes import (
    add_failure, prefill, search_text, typeahead_query,
)
from app.extensions import db
from app.htmx import hx_redirect, render_form, render_page_or_fragment
from app.models import Contact
from app.pagination import parse_page
from app.services import accounts as account_service
from app.services.errors import ValidationFailed
from app.submissions import create_once


def load_contact(contact_id: int) -> Contact:
    contact = account_service.contact_with_account(contact_id)
    if contact is None:
        abort(404)
    return contact


@bp.route("/contacts/")
def list_contacts():
    """List contacts filtered by name or email (and optionally one account)."""
    form = SearchForm(formdata=request.args)
    q = search_text(form)
    account = account_service.find_account(request.args.get("account_id"))
    results = account_service.search_contacts(q, account=account,
                                              page=parse_page(request.args.get("page")))
    return render_page_or_fragment(
        "contacts/list.html", "contacts/_results.html", form=form, q=q, account=account,
        results=results,
        page_url=lambda n: url_for(".list_contacts", q=q or None,
                                   account_id=account.id if account else None, page=n))


@bp.route("/contacts/new", methods=["GET", "POST"])
def new_contact():
    """Add a contact; `?account_id=` preselects the account."""
    form = ContactForm(data=prefill(request.args, ("name", "email", "phone")))
    if request.method == "GET":
        account = account_service.find_account(request.args.get("account_id"))
        if account is not None:
            form.account_id.data, form.account_id_label.data = account.id, account.name
    elif form.validate_on_submit():
        saved = save_contact(form, lambda: create_once(
            form, lambda: account_service.create_contact(actor=current_user, account=form.account,
                                                         **form.values()),
            lambda contact: (url_for(".contact_detail", contact_id=contact.id),
                             f"Added the contact {contact.name}.")))
        if saved is not None:
            return saved
    return render_form("contacts/form.html", form, "contacts/_form.html", contact=None)


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def edit_contact(contact_id: int):
    """Change a contact, including the account they work for."""
    contact = load_contact(contact_id)
    form = ContactForm(obj=contact, contact=contact)
    if request.method == "GET":
        form.account_id_label.data = contact.account.name
    elif form.validate_on_submit():
        saved = save_contact(form, lambda: account_service.update_contact(
            contact, actor=current_user, account=form.account, **form.values()))
        if saved is not None:
            flash(f"Saved {saved.name}.", "success")
            return hx_redirect(url_for(".contact_detail", contact_id=saved.id))
    return render_form("contacts/form.html", form, "contacts/_form.html", contact=contact)


def save_contact(form: ContactForm, action):
    """Run the action and commit (it may have done so); on refusal put the reason on the
    form and return None."""
    try:
        result = action()
        db.session.commit()
        return result
    except ValidationFailed as exc:
        db.session.rollback()
        add_failure(form, exc)
    except IntegrityError:
        # Another agent saved the same address between our check and our commit.
        db.session.rollback()
        existing = account_service.find_contact_by_email(form.email.data)
        if existing is None:
            raise
        form.email.errors.append(duplicate_email_message(existing))
    return None


@bp.route("/contacts/typeahead")
def typeahead_contacts():
    """Suggest up to 10 contacts by name or email for the type-ahead macro.

    The text comes from `q`, or from the one `*_label` argument htmx sends for the macro's
    input (e.g. `contact_id_label`). `account_id`, when given, narrows to that account's
    contacts. Each choice carries only the name, email and account.
    """
    contacts = account_service.suggest_contacts(
        typeahead_query(), account_id=account_service.parse_id(request.args.get("account_id")))
    choices = [{"id": c.id, "label": c.name, "email": c.email or "", "account_id": c.account_id,
                "account_label": c.account.name} for c in contacts]
    return render_template("accounts/_typeahead.html", choices=choices)
