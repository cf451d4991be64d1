"""The customer's own settings: the language articles are shown in and their time zone.

The form lives here rather than in app/portal/forms.py: it has no other user."""
from flask import flash, redirect, render_template, url_for
from wtforms import SelectField, SubmitField

from app.extensions import db
from app.forms import Form, show_refusal
from app.models.knowledge import LANGUAGES
from app.portal import bp
from app.portal.common import current_customer
from app.services import users as user_service
from app.services.errors import ValidationFailed
from app.services.knowledge import get_knowledge_settings


class ReaderSettingsForm(Form):
    language = SelectField("Language", validate_choice=False)  # the service checks the code
    time_zone = SelectField("Time zone", validate_choice=False)
    submit = SubmitField("Save")

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(code, LANGUAGES[code]) for code in languages]
        self.time_zone.choices = [(name, name.replace("_", " "))
                                  for name in user_service.time_zone_names()]


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Choose the language articles are shown in (among those the knowledge base offers) and
    the time zone times are shown in."""
    me = current_customer()
    languages = get_knowledge_settings().language_codes
    form = ReaderSettingsForm(languages=languages)
    if not form.is_submitted():
        form.language.data = me.language if me.language in languages else languages[0]
        form.time_zone.data = me.time_zone
    elif form.validate():
        try:
            user_service.update_reader_preferences(me, language=form.language.data,
                                                   time_zone=form.time_zone.data,
                                                   languages=languages)
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Your settings are saved.", "success")
            return redirect(url_for("portal.settings"), code=303)
    status = 422 if form.errors else 200
    return render_template("portal/settings.html", form=form), status
