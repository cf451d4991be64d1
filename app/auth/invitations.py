"""Invitation acceptance: a new user follows their link and sets a first password."""
from flask import flash, redirect, render_template

from app.auth import bp
from app.auth.forms import SetPasswordForm
from app.auth.routes import home_for, open_session
from app.htmx import render_form
from app.services import users as user_service


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Show the set-password form for a valid link, or say clearly why the link is dead."""
    invitation = user_service.find_invitation(token)
    problem = user_service.invitation_problem(invitation)
    if problem:
        status = 404 if invitation is None else 410
        response = render_template("auth/invitation_invalid.html", message=problem)
        return response, status, {"Cache-Control": "no-store"}
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = user_service.accept_invitation(invitation, form.password.data)
        open_session(user)
        flash(f"Welcome to Casebook, {user.name}. Your password is set.", "success")
        return redirect(home_for(user), code=303)
    page = render_form("auth/accept_invitation.html", form, invitee=invitation.user)
    page.headers["Cache-Control"] = "no-store"
    return page
