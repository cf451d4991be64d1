"""What every portal view shares: the signed-in customer and their contact, the hooks that
keep a customer without a contact out, and the layout's helpers."""
from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.access import PUBLIC_ENDPOINTS, portal_contact
from app.models import Contact, User
from app.portal import bp
from app.portal.nav import portal_has, portal_nav


def current_customer() -> User:
    """The signed-in customer (the blueprint's guard lets only customers in)."""
    if current_user.is_anonymous or current_user.role != "customer":
        abort(404)
    return current_user._get_current_object()


def current_contact() -> Contact:
    """The contact the signed-in customer acts for (their account is contact.account)."""
    contact = portal_contact(current_customer())
    if contact is None:
        abort(404)
    return contact


@bp.before_request
def require_contact():
    """A customer who is no contact of ours has no portal: the welcome page says where help is."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_anonymous:
        return None
    if current_user.role == "customer" and current_user.contact_id is None:
        return redirect(url_for("auth.welcome"))
    return None


@bp.app_template_global()
def portal_account_name() -> str:
    """The account the signed-in customer belongs to, for the portal's header."""
    contact = None if current_user.is_anonymous else portal_contact(current_user)
    return contact.account.name if contact is not None and contact.account else ""


bp.add_app_template_global(portal_nav, "portal_nav")
bp.add_app_template_global(portal_has, "portal_has")
