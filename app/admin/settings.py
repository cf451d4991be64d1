"""Admin: org-wide case access, the satisfaction question, and the case page layout (which
related lists, in what order)."""
from flask import flash, request, url_for
from flask_login import current_user
from wtforms import BooleanField, HiddenField, RadioField
from wtforms.validators import DataRequired

from app.admin import bp
from app.errors import ValidationFailed
from app.extensions import db
from app.forms import Form
from app.htmx import hx_redirect, is_fragment_request, render_form, render_page_or_fragment
from app.services import satisfaction
from app.services import settings as settings_service

LAYOUT_ACTIONS = ("up", "down", "show", "hide")


class CaseAccessForm(Form):
    case_access = RadioField(
        "Case access for agents",
        choices=[(level, settings_service.CASE_ACCESS_LABELS[level])
                 for level in settings_service.CASE_ACCESS_LEVELS],
        validators=[DataRequired(message="Choose who can see and change cases.")])


class SatisfactionSettingForm(Form):
    enabled = BooleanField("Ask the contact to rate us (1 to 5, with a comment) when their "
                           "case closes")


class LayoutChangeForm(Form):
    key = HiddenField(validators=[DataRequired()])


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Org-wide case access: public read/write, public read only, or private."""
    form = CaseAccessForm(data={"case_access": settings_service.get_case_access()})
    if form.validate_on_submit():
        settings_service.set_case_access(form.case_access.data, actor=current_user)
        db.session.commit()
        label = settings_service.CASE_ACCESS_LABELS[form.case_access.data]
        flash(f"Case access is now “{label}”.", "success")
        return hx_redirect(url_for("admin.settings"))
    return render_form("admin/settings.html", form, hints=settings_service.CASE_ACCESS_HINTS,
                       survey_form=SatisfactionSettingForm(
                           data={"enabled": satisfaction.surveys_enabled()}))


@bp.route("/settings/satisfaction", methods=["POST"])
def satisfaction_setting():
    """Turn the satisfaction question after a closing on or off."""
    form = SatisfactionSettingForm()
    if form.validate_on_submit():
        satisfaction.set_surveys_enabled(form.enabled.data, actor=current_user)
        db.session.commit()
        flash("Contacts are asked to rate us when their case closes." if form.enabled.data
              else "Contacts are no longer asked to rate us.", "success")
    return hx_redirect(url_for("admin.settings"))


def layout_context(**extra) -> dict:
    return {"shown": settings_service.case_page_related_lists(),
            "hidden": settings_service.hidden_related_lists(), **extra}


@bp.route("/page-layout", methods=["GET", "POST"])
def page_layout():
    """Show, hide and reorder the case page's related lists; htmx swaps just the list."""
    if request.method == "GET":
        return render_page_or_fragment("admin/page_layout.html", "admin/_page_layout.html",
                                       **layout_context())
    form = LayoutChangeForm()
    # The clicked button carries the action (name="action"); a hidden field carries the key.
    action = request.form.get("action", "")
    error = None
    if not form.validate_on_submit() or action not in LAYOUT_ACTIONS:
        error = "That layout change was not understood. Reload the page and try again."
    else:
        try:
            settings_service.change_case_page_layout(form.key.data, action, actor=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
    if error:
        return render_page_or_fragment("admin/page_layout.html", "admin/_page_layout.html", 422,
                                       **layout_context(error=error))
    if is_fragment_request():
        return render_page_or_fragment("admin/page_layout.html", "admin/_page_layout.html",
                                       **layout_context(saved=True, moved=form.key.data))
    flash("Saved the case page layout.", "success")
    return hx_redirect(url_for("admin.page_layout"))
