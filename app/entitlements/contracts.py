"""Service contracts: the list (with "expiring in 30 days"), create, edit, renew, cancel."""
import sqlalchemy as sa
from flask import flash, render_template, request, url_for

from app.entitlements import bp
from app.entitlements.common import confirm_then, get_or_404, optional_id
from app.entitlements.forms import ConfirmForm, ContractForm
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, render_form, render_page_or_fragment
from app.models import Account, Asset, Product
from app.models.entitlements import Entitlement, ServiceContract
from app.pagination import paginate, parse_page
from app.services import entitlements as service
from app.services.errors import ValidationFailed

STATUS_TABS = (("all", "All"), ("active", "Active"), ("expiring", "Expiring in 30 days"),
               ("draft", "Draft"), ("expired", "Expired"), ("cancelled", "Cancelled"))


@bp.route("/contracts")
def list_contracts():
    """Contracts by status; htmx paging and tabs get just the results."""
    status = request.args.get("status", "all")
    status = status if status in dict(STATUS_TABS) else "all"
    results = paginate(service.contracts_query(status), page=parse_page(request.args.get("page")),
                    per_page=50)
    return render_page_or_fragment(
        "entitlements/contracts.html", "entitlements/_contract_results.html", results=results,
        current=status, tabs=STATUS_TABS, today=service.today(),
        page_url=lambda n: url_for(".list_contracts", status=status, page=n))


def _contract_form(contract: ServiceContract | None, account: Account | None) -> ContractForm:
    form = ContractForm(obj=contract) if request.method == "GET" and contract else ContractForm()
    if request.method == "GET" and contract:
        for entry, line in zip(form.lines, contract.lines):
            entry.product.data, entry.quantity.data = str(line.product_id), line.quantity
            entry.asset.data = str(line.asset_id or "")
    account_id = optional_id(form.account_id.data)
    account = account or (db.session.get(Account, account_id) if account_id else None)
    if account is not None and not form.account_id.data:
        form.account_id.data, form.account_id_label.data = str(account.id), account.name
    products = db.session.scalars(sa.select(Product).order_by(Product.name)).all()
    assets = (db.session.scalars(sa.select(Asset).where(Asset.account_id == account.id)).all()
              if account else [])
    form.set_choices(products, assets)
    return form


def _lines(form: ContractForm, account: Account) -> list[service.LineSpec]:
    lines = []
    for entry in form.lines:
        product = db.session.get(Product, optional_id(entry.product.data) or 0)
        if product is None:
            continue
        asset = db.session.get(Asset, optional_id(entry.asset.data) or 0)
        lines.append(service.LineSpec(product, entry.quantity.data or 1, asset))
    return lines


def _save(form: ContractForm, contract: ServiceContract | None):
    account = db.session.get(Account, optional_id(form.account_id.data) or 0)
    if account is None:
        form.account_id.errors = ["Choose the account from the list."]
        return None
    try:
        saved = service.save_contract(
            contract, account=account, name=form.name.data, number=form.number.data,
            start_date=form.start_date.data, end_date=form.end_date.data,
            notes=form.notes.data, lines=_lines(form, account))
    except ValidationFailed as exc:
        db.session.rollback()
        show_refusal(form, exc, {"lines": "-"})  # a line's problem shows above the form
        return None
    db.session.commit()
    return saved


@bp.route("/contracts/new", methods=["GET", "POST"])
def new_contract():
    """Add a contract (for ?account=<id> when coming from an account)."""
    account = db.session.get(Account, optional_id(request.args.get("account")) or 0)
    form = _contract_form(None, account)
    if form.validate_on_submit() and (contract := _save(form, None)) is not None:
        flash(f"Created the contract {contract.number}.", "success")
        return hx_redirect(url_for(".contract_detail", contract_id=contract.id))
    return render_form("entitlements/contract_form.html", form, "entitlements/_contract_form.html", contract=None)


@bp.route("/contracts/<int:contract_id>")
def contract_detail(contract_id: int):
    contract = get_or_404(ServiceContract, contract_id)
    line_ids = [line.id for line in contract.lines]
    entitlements = db.session.scalars(sa.select(Entitlement).where(
        Entitlement.contract_line_id.in_(line_ids))).all() if line_ids else []
    renewals = db.session.scalars(sa.select(ServiceContract).where(
        ServiceContract.renewed_from_id == contract.id)).all()
    today = service.today()
    return render_template("entitlements/contract.html", contract=contract, today=today,
                           status=contract.status_on(today), renewals=renewals,
                           entitlements=[(e, e.status_on(today)) for e in entitlements])


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
def edit_contract(contract_id: int):
    contract = get_or_404(ServiceContract, contract_id)
    form = _contract_form(contract, contract.account)
    if form.validate_on_submit() and _save(form, contract) is not None:
        flash(f"Saved the contract {contract.number}.", "success")
        return hx_redirect(url_for(".contract_detail", contract_id=contract.id))
    return render_form("entitlements/contract_form.html", form, "entitlements/_contract_form.html", contract=contract)


@bp.route("/contracts/<int:contract_id>/renew", methods=["GET", "POST"])
def renew_contract(contract_id: int):
    """Confirm, then create the next term from the day after this one ends."""
    contract = get_or_404(ServiceContract, contract_id)
    return confirm_then(
        ConfirmForm(), lambda: service.renew_contract(contract),
        lambda renewed: (f"Renewed as {renewed.number}, from {renewed.start_date:%d %b %Y}.",
                         url_for(".contract_detail", contract_id=renewed.id)),
        "entitlements/contract_confirm.html", contract=contract, action="renew")


@bp.route("/contracts/<int:contract_id>/cancel", methods=["GET", "POST"])
def cancel_contract(contract_id: int):
    """Confirm, then cancel: its entitlements end today."""
    contract = get_or_404(ServiceContract, contract_id)
    return confirm_then(
        ConfirmForm(), lambda: service.cancel_contract(contract),
        lambda _: (f"Cancelled the contract {contract.number}.",
                   url_for(".contract_detail", contract_id=contract.id)),
        "entitlements/contract_confirm.html", contract=contract, action="cancel")
