"""The publisher's Email form."""
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.cases.feed_forms import MAX_BODY, PublisherForm


class EmailForm(PublisherForm):
    template = SelectField("Template", choices=[("", "No template")], validate_choice=False)
    to = StringField("To", validators=[DataRequired("Add at least one recipient."),
                                       Length(max=2000)])
    cc = StringField("Cc", validators=[Optional(), Length(max=2000)])
    subject = StringField("Subject", validators=[
        DataRequired("Subject is required."),
        Length(max=255, message="Keep the subject under 255 characters.")])
    body = TextAreaField("Message", validators=[
        DataRequired("Write the message before sending."),
        Length(max=MAX_BODY, message=f"Keep it under {MAX_BODY} characters.")])
    attachments = MultipleFileField("Attach files")

    def __init__(self, *args, templates=(), **kwargs):
        kwargs.setdefault("prefix", "email")
        super().__init__(*args, **kwargs)
        self.template.choices = [("", "No template")] + [(str(t.id), t.name) for t in templates]

    def chosen_files(self) -> list:
        """The file parts that hold a file (browsers send an empty part when none is chosen)."""
        return [f for f in (self.attachments.data or []) if getattr(f, "filename", "")]
