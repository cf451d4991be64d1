"""A signed-in user's own settings: password, time zone and list density."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth import bp
from app.auth.forms import OwnPasswordForm, PreferencesForm
from app.extensions import db
from app.forms import show_refusal
from app.services import users as user_service
from app.services.errors import ValidationFailed


def render_settings(preferences=None, password=None, status: int = 200):
    preferences = preferences or PreferencesForm(
        formdata=None, time_zone=current_user.time_zone, list_density=current_user.list_density)
    password = password or OwnPasswordForm(formdata=None)
    return render_template("auth/settings.html", preferences=preferences,
                           password_form=password), status


@bp.route("/account/settings", methods=["GET", "POST"])
def settings():
    """Show both forms; a post saves the time zone and list density."""
    form = PreferencesForm()
    if not form.is_submitted():
        return render_settings()
    if form.validate():
        try:
            user_service.update_preferences(current_user, time_zone=form.time_zone.data,
                                            list_density=form.list_density.data)
        except ValidationFailed as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Your preferences are saved.", "success")
            return redirect(url_for("auth.settings"), code=303)
    return render_settings(preferences=form, status=422)


@bp.route("/account/password", methods=["POST"])
def change_password():
    """Change one's own password; every other browser signed in as this user is signed out."""
    form = OwnPasswordForm()
    if form.validate():
        try:
            user_service.change_own_password(current_user, current=form.current_password.data,
                                             new=form.password.data)
        except ValidationFailed as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Your password is changed. Other browsers signed in as you are signed out.",
                  "success")
            return redirect(url_for("auth.settings"), code=303)
    return render_settings(password=form, status=422)
