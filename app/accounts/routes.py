"""Accounts: list with active search, create, edit, the customer 360 page and its type-ahead."""
from flask import flash, render_template, request, url_for
from flask_login import current_user

from app.accounts import bp
from app.accounts.forms import AccountForm, SearchForm, duplicate_email_message
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, render_form, render_page_or_fragment
from app.models import Account
from app.pagination import parse_page
from app.services import accounts as account_service
from app.services.errors import ValidationFailed
from app.submissions import create_once

QUERY_MAX = 200


def search_text(form: SearchForm) -> str:
    """The validated search text, or nothing when the filter form was refused."""
    return (form.q.data or "") if form.validate() else ""


def typeahead_query() -> str:
    """The type-ahead text: `q`, else the single `*_label` argument the macro's input sends."""
    if "q" in request.args:
        return request.args["q"].strip()[:QUERY_MAX]
    labels = [v for k, v in request.args.items(multi=True) if k.endswith("_label")]
    return labels[0].strip()[:QUERY_MAX] if len(labels) == 1 else ""


def prefill(args, fields: tuple[str, ...]) -> dict | None:
    """Starting values a link may give a new record (from a search that found nothing)."""
    values = {name: args[name][:200] for name in fields if args.get(name)}
    return values or None


def add_failure(form, exc: ValidationFailed) -> None:
    """Show a service's refusal next to the field it concerns, or above the form."""
    if isinstance(exc, account_service.DuplicateEmail):
        form.email.errors.append(duplicate_email_message(exc.existing))
    else:
        show_refusal(form, exc)



@bp.route("/accounts/")
def list_accounts():
    """List accounts filtered by name; htmx gets just the results."""
    form = SearchForm(formdata=request.args)
    q = search_text(form)
    results = account_service.search_accounts(q, viewer=current_user,
                                              page=parse_page(request.args.get("page")))
    return render_page_or_fragment(
        "accounts/list.html", "accounts/_results.html", form=form, q=q, results=results,
        page_url=lambda n: url_for(".list_accounts", q=q or None, page=n))


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account():
    """Add an account, then open it."""
    form = AccountForm(data=prefill(request.args, ("name", "phone")))
    if form.validate_on_submit():
        try:
            return create_once(
                form, lambda: account_service.create_account(actor=current_user, **form.values()),
                lambda account: (url_for(".account_detail", account_id=account.id),
                                 f"Created the account {account.name}."))
        except ValidationFailed as exc:
            db.session.rollback()
            add_failure(form, exc)
    return render_form("accounts/form.html", form, "accounts/_form.html", account=None)


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
def edit_account(account_id: int):
    """Change an account; errors keep what was typed."""
    account = db.get_or_404(Account, account_id)
    form = AccountForm(obj=account)
    if form.validate_on_submit():
        try:
            account_service.update_account(account, actor=current_user, **form.values())
        except ValidationFailed as exc:
            db.session.rollback()
            add_failure(form, exc)
        else:
            db.session.commit()
            flash(f"Saved {account.name}.", "success")
            return hx_redirect(url_for(".account_detail", account_id=account.id))
    return render_form("accounts/form.html", form, "accounts/_form.html", account=account)


@bp.route("/accounts/typeahead")
def typeahead_accounts():
    """Suggest up to 10 accounts by name for the type-ahead macro.

    The text comes from `q`, or from the one `*_label` argument htmx sends for the macro's
    input (e.g. `account_id_label`); empty text lists the first accounts by name.
    """
    choices = [{"id": a.id, "label": a.name} for a in
               account_service.suggest_accounts(typeahead_query())]
    return render_template("accounts/_typeahead.html", choices=choices)
