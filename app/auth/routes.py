"""Sign in and out."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import bp, throttle
from app.auth.forms import SignInForm
from app.extensions import db
from app.htmx import hx_redirect, render_form
from app.services import users as user_service


def safe_next(target: str | None) -> str | None:
    """Only a path on this site; never //host, /\\host or a scheme."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


def home_for(user) -> str:
    """Where a signed-in user starts: staff at their cases, a customer in the portal (one
    without a contact to sign in as on the welcome page)."""
    if user.is_staff:
        return url_for("cases.list_cases")
    return url_for("portal.my_cases" if user.contact_id else "auth.welcome")


def open_session(user, *, remember: bool = False) -> None:
    """Sign the user in on a fresh session id, with a server-side session a sign-out ends;
    whoever was signed in on this browser before is signed out first."""
    if current_user.is_authenticated:
        user_service.end_session(current_user.session_token)
        logout_user()
    user_service.start_session(user)
    db.session.commit()
    session.clear()  # a fresh session at sign-in
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        user, refusal = throttle.attempt_sign_in(
            form.email.data, request.remote_addr or "",
            lambda: user_service.authenticate(form.email.data, form.password.data))
        if refusal:
            return render_template("auth/login.html", form=form, refusal=refusal), 429
        if user is not None:
            open_session(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or home_for(user), code=303)
        form.password.errors.append("That email and password do not match an active account.")
        return render_template("auth/login.html", form=form), 401
    return render_form("auth/login.html", form)


@bp.route("/")
def index():
    return redirect(home_for(current_user))


@bp.route("/logout", methods=["POST"])
def logout():
    user_service.end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    flash("You have signed out.", "info")
    return hx_redirect(url_for("auth.login"))
