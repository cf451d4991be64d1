"""The customer's page in the agent console: where to get help, and a way out."""
from email.utils import parseaddr

from flask import current_app, redirect, render_template
from flask_login import current_user

from app.auth import bp
from app.auth.routes import home_for


def support_address() -> str:
    """The address customers write to: SUPPORT_EMAIL, else the address mail is sent from."""
    config = current_app.config
    configured = config.get("SUPPORT_EMAIL") or config["MAIL_DEFAULT_SENDER"]
    if isinstance(configured, tuple):  # Flask-Mail also takes (name, address)
        configured = configured[1]
    return parseaddr(configured)[1] or configured


@bp.route("/welcome")
def welcome():
    """Tell a customer who is no contact of ours where help is; staff go to their cases,
    customers with a contact to the portal."""
    if current_user.is_staff or current_user.contact_id:
        return redirect(home_for(current_user))
    return render_template("auth/welcome.html", support_email=support_address())
