"""Portal sign-in and sign-out, "forgot password", and the emailed set-password link."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from app.auth import throttle
from app.auth.routes import open_session, safe_next
from app.extensions import db
from app.htmx import hx_redirect, render_form
from app.portal import bp
from app.auth.forms import SetPasswordForm
from app.portal.forms import ForgotPasswordForm, PortalSignInForm
from app.services import portal_access as access_service
from app.services import users as user_service

SIGN_IN_FAILED = "That email and password do not match a portal account."


def _already_signed_in():
    """A signed-in visitor of a public portal page goes to their own start page."""
    if current_user.role != "customer":
        return redirect(url_for("cases.list_cases"))
    return redirect(safe_next(request.args.get("next")) or url_for("portal.my_cases"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign a customer in; every failure answers the same, and repeated ones slow down."""
    if current_user.is_authenticated:
        return _already_signed_in()
    form = PortalSignInForm()
    if form.validate_on_submit():
        user, refusal = throttle.attempt_sign_in(
            form.email.data, request.remote_addr or "",
            lambda: access_service.authenticate_customer(form.email.data, form.password.data))
        if refusal:
            return render_template("portal/login.html", form=form, refusal=refusal), 429
        if user is not None:
            return _sign_in(user, remember=form.remember.data)
        form.password.errors.append(SIGN_IN_FAILED)
        return render_template("portal/login.html", form=form), 401
    return render_form("portal/login.html", form)


def _sign_in(user, *, remember: bool = False, message: str | None = None):
    """Open a fresh server-side session for the customer and go to their cases."""
    open_session(user, remember=remember)
    if message:
        flash(message, "success")
    return redirect(safe_next(request.args.get("next")) or url_for("portal.my_cases"), code=303)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session on the server too, so a copied cookie stops working."""
    user_service.end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    flash("You have signed out.", "info")
    return hx_redirect(url_for("portal.login"))


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    """Email a reset link to a portal customer; the answer is the same for any address."""
    if current_user.is_authenticated:
        return _already_signed_in()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        address = request.remote_addr or ""
        refusal = throttle.sign_in_refusal(form.email.data, address)
        if refusal:
            return render_template("portal/forgot.html", form=form, refusal=refusal), 429
        # Counted like a failed sign-in: a flood of reset mail is slowed down the same way.
        throttle.record_failed_sign_in(form.email.data, address)
        access_service.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("portal/forgot_sent.html")
    return render_form("portal/forgot.html", form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a password from an emailed link (an invitation or a reset); dead links say why."""
    link = access_service.find_portal_link(token)
    problem = access_service.portal_link_problem(link)
    if problem:
        page = render_template("portal/link_invalid.html", message=problem)
        return page, 404 if link is None else 410, {"Cache-Control": "no-store"}
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = access_service.use_portal_link(link, form.password.data)
        return _sign_in(user, message=f"Welcome, {user.name}. Your password is set.")
    page = render_form("portal/set_password.html", form, invitee=link.user, link=link)
    page.headers["Cache-Control"] = "no-store"
    return page
