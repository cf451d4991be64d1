"""Staff turn a contact's customer portal access on and off, and mark account admins."""
from flask import flash, url_for
from flask_login import current_user
from wtforms import BooleanField, SubmitField

from app.accounts import bp
from app.accounts.contacts import load_contact
from app.extensions import db
from app.forms import Form
from app.htmx import hx_redirect, render_form
from app.services import portal_access as access_service
from app.services.errors import ValidationFailed


class InviteForm(Form):
    submit = SubmitField("Invite to portal")


class DisablePortalForm(Form):
    submit = SubmitField("Turn off portal access")


class AccountAdminForm(Form):
    account_admin = BooleanField("Account admin: sees every case of the account")
    submit = SubmitField("Save")


def _back(contact):
    return hx_redirect(url_for(".contact_detail", contact_id=contact.id) + "#portal-access")


@bp.route("/contacts/<int:contact_id>/portal/invite", methods=["POST"])
def invite_to_portal(contact_id: int):
    """Email the contact a one-use link to set a portal password (a new link replaces any
    earlier one, and turns disabled access back on)."""
    contact = load_contact(contact_id)
    if InviteForm().validate_on_submit():
        try:
            access_service.invite_to_portal(contact, actor=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _back(contact)
        db.session.commit()
        flash(f"Invitation emailed to {contact.email}. The link works once, for 7 days.",
              "success")
    return _back(contact)


@bp.route("/contacts/<int:contact_id>/portal/disable", methods=["GET", "POST"])
def disable_portal(contact_id: int):
    """Confirm, then turn the contact's portal access off: they are signed out at once."""
    contact = load_contact(contact_id)
    form = DisablePortalForm()
    if form.validate_on_submit():
        access_service.disable_portal_access(contact, actor=current_user)
        db.session.commit()
        flash(f"{contact.name} can no longer use the portal and was signed out.", "success")
        return _back(contact)
    return render_form("contacts/portal_disable.html", form, contact=contact)


@bp.route("/contacts/<int:contact_id>/portal/account-admin", methods=["POST"])
def portal_account_admin(contact_id: int):
    """Mark the contact an account admin in the portal, or not."""
    contact = load_contact(contact_id)
    form = AccountAdminForm()
    if form.validate_on_submit():
        access_service.set_account_admin(contact, form.account_admin.data, actor=current_user)
        db.session.commit()
        sees = (f"every case of {contact.account.name}" if contact.portal_account_admin
                else "only the cases they are the contact of")
        flash(f"{contact.name} now sees {sees} in the portal.", "success")
    return _back(contact)
