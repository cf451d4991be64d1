"""Contracts and entitlements: what the customer's account is entitled to, and until when."""
from flask import abort, render_template

from app.portal import bp
from app.portal.common import current_contact
from app.services import contract_views
from app.services.entitlements import EXPIRING_DAYS


@bp.route("/contracts")
def contracts():
    """The account's contracts and entitlements: current ones with what is left and when they
    end, past ones (expired or cancelled) apart."""
    contact = current_contact()
    return render_template("portal/contracts.html", contact=contact,
                           expiring_days=EXPIRING_DAYS,
                           **contract_views.account_terms(contact.account_id))


@bp.route("/contracts/<int:contract_id>")
def contracts_detail(contract_id: int):
    """One contract of the account: its term, products covered, entitlements and terms text;
    another account's contract is 404, the same as a missing one."""
    contact = current_contact()
    term = contract_views.account_contract(contract_id, contact.account_id)
    if term is None:
        abort(404)
    return render_template("portal/contracts_detail.html", term=term, contract=term.item,
                           renewals=contract_views.renewals_of(term.item))
