"""Entitlements on accounts, the new-case eligibility fragment, and the At risk and Violated
milestone lists."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.entitlements import bp
from app.entitlements.common import get_or_404, optional_id
from app.entitlements.forms import ApplyTemplateForm, EntitlementForm
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, render_form, render_page_or_fragment
from app.models import Account, Asset
from app.models.entitlements import (
    ContractLine, Entitlement, EntitlementProcess, EntitlementTemplate, ServiceContract,
)
from app.pagination import parse_page
from app.services import eligibility as eligibility_service
from app.services import entitlements as service
from app.services.errors import ValidationFailed
from app.services.milestone_views import LIST_SORTS, milestone_list


@bp.route("/")
def index():
    return redirect(url_for(".list_contracts"), code=303)


@bp.route("/accounts/<int:account_id>")
def account_entitlements(account_id: int):
    """An account's contracts and entitlements (the section the account page includes)."""
    account = get_or_404(Account, account_id)
    return render_template("entitlements/account.html",
                           **service.account_entitlements_summary(account))


def _entitlement_form(account: Account, entitlement: Entitlement | None) -> EntitlementForm:
    form = EntitlementForm(obj=entitlement) if request.method == "GET" else EntitlementForm()
    if request.method == "GET" and entitlement:
        form.process_id.data = str(entitlement.process_id or "")
        form.contract_line.data = str(entitlement.contract_line_id or "")
        form.asset.data = str(entitlement.asset_id or "")
    processes = db.session.scalars(sa.select(EntitlementProcess)
                                   .order_by(EntitlementProcess.name)).all()
    form.process_id.choices = [("", "No milestones")] + [(str(p.id), p.name) for p in processes]
    lines = db.session.scalars(sa.select(ContractLine).join(ServiceContract).where(
        ServiceContract.account_id == account.id).order_by(ServiceContract.number)).all()
    form.contract_line.choices = [("", "Not under a contract")] + [
        (str(line.id), f"{line.contract.number} · {line.product.name} × {line.quantity}")
        for line in lines]
    assets = db.session.scalars(sa.select(Asset).where(Asset.account_id == account.id)).all()
    form.asset.choices = [("", "Any asset")] + [(str(a.id), a.label) for a in assets]
    return form


def _save_entitlement(form: EntitlementForm, account: Account, entitlement):
    try:
        saved = service.save_entitlement(
            entitlement, account=account, name=form.name.data, kind=form.kind.data,
            start_date=form.start_date.data, end_date=form.end_date.data,
            allowance=form.allowance.data,
            process=db.session.get(EntitlementProcess, optional_id(form.process_id.data) or 0),
            contract_line=db.session.get(ContractLine, optional_id(form.contract_line.data) or 0),
            asset=db.session.get(Asset, optional_id(form.asset.data) or 0))
    except ValidationFailed as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return None
    db.session.commit()
    return saved


@bp.route("/accounts/<int:account_id>/entitlements/new", methods=["GET", "POST"])
def new_entitlement(account_id: int):
    account = get_or_404(Account, account_id)
    form = _entitlement_form(account, None)
    if form.validate_on_submit() and _save_entitlement(form, account, None) is not None:
        flash(f"Added the entitlement {form.name.data}.", "success")
        return hx_redirect(url_for(".account_entitlements", account_id=account.id))
    return render_form("entitlements/entitlement_form.html", form, "entitlements/_entitlement_form.html", account=account,
                         entitlement=None)


@bp.route("/<int:entitlement_id>/edit", methods=["GET", "POST"])
def edit_entitlement(entitlement_id: int):
    entitlement = get_or_404(Entitlement, entitlement_id)
    account = entitlement.account
    form = _entitlement_form(account, entitlement)
    if form.validate_on_submit() and _save_entitlement(form, account, entitlement) is not None:
        flash(f"Saved the entitlement {entitlement.name}.", "success")
        return hx_redirect(url_for(".account_entitlements", account_id=account.id))
    return render_form("entitlements/entitlement_form.html", form, "entitlements/_entitlement_form.html", account=account,
                         entitlement=entitlement)


@bp.route("/accounts/<int:account_id>/apply-template", methods=["POST"])
def apply_template(account_id: int):
    """Give the account the service level its customer type is offered."""
    account = get_or_404(Account, account_id)
    form = ApplyTemplateForm()
    template = db.session.get(EntitlementTemplate, optional_id(form.template.data) or 0)
    if form.validate_on_submit():
        try:
            if template is None:
                raise ValidationFailed("Choose a service level.")
            entitlement = service.apply_template(account, template)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Added {entitlement.name}, until {entitlement.end_date:%d %b %Y}.", "success")
    return hx_redirect(url_for(".account_entitlements", account_id=account.id))


@bp.route("/eligibility")
def eligibility():
    """The new-case form's fragment: the account's entitlements, badges, the preselected one."""
    chosen = request.args.get("account") or request.args.get("account_id")  # the case form's
    account = db.session.get(Account, optional_id(chosen) or 0)
    return render_template("entitlements/_eligibility.html",
                           **eligibility_service.eligibility(account, request.args.get("origin", "")))


def _milestone_page(which: str):
    sort = request.args.get("sort", "left")
    sort = sort if sort in LIST_SORTS else "left"
    results = milestone_list(current_user, which, sort=sort,
                          page=parse_page(request.args.get("page")))
    return render_page_or_fragment(
        "entitlements/milestone_list.html", "entitlements/_milestone_results.html",
        results=results, which=which, sort=sort,
        page_url=lambda n: url_for(f".{which.replace('-', '_')}", sort=sort, page=n))


@bp.route("/at-risk")
def at_risk():
    """Milestones past their warning, not yet violated, on cases the user sees."""
    return _milestone_page("at_risk")


@bp.route("/without")
def without_entitlement():
    """Open cases flagged as opened without an entitlement (by email, or with a reason)."""
    results = eligibility_service.cases_without_entitlement(
        current_user, page=parse_page(request.args.get("page")))
    return render_template("entitlements/without.html", results=results,
                           page_url=lambda n: url_for(".without_entitlement", page=n))


@bp.route("/violated")
def violated():
    """Milestones past their target on open cases the user sees."""
    return _milestone_page("violated")
