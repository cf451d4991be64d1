"""Invitation acceptance: a new user follows their link and sets a first password."""
from flask import flash, redirect, render_template, session
from flask_login import current_user, login_user, logout_user
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth import bp
from app.auth.routes import home_for
from app.extensions import db
from app.forms import Form
from app.htmx import render_form
from app.services import users as user_service

MIN_PASSWORD = 8


class AcceptInvitationForm(Form):
    password = PasswordField("New password", validators=[
        DataRequired(message="Choose a password."),
        Length(min=MIN_PASSWORD, max=200,
               message=f"Use at least {MIN_PASSWORD} characters (and at most 200).")])
    confirm = PasswordField("Repeat the password", validators=[
        DataRequired(message="Type the password again."),
        EqualTo("password", message="The two passwords do not match.")])
    submit = SubmitField("Set password and sign in")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Show the set-password form for a valid link, or say clearly why the link is dead."""
    invitation = user_service.find_invitation(token)
    problem = user_service.invitation_problem(invitation)
    if problem:
        status = 404 if invitation is None else 410
        response = render_template("auth/invitation_invalid.html", message=problem)
        return response, status, {"Cache-Control": "no-store"}
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        user = user_service.accept_invitation(invitation, form.password.data)
        if current_user.is_authenticated:  # someone else was signed in on this browser
            user_service.end_session(current_user.session_token)
            logout_user()
        user_service.start_session(user)
        db.session.commit()
        session.clear()  # a fresh session at sign-in
        login_user(user)
        flash(f"Welcome to Casebook, {user.name}. Your password is set.", "success")
        return redirect(home_for(user), code=303)
    page = render_form("auth/accept_invitation.html", form, invitee=invitation.user)
    page.headers["Cache-Control"] = "no-store"
    return page
