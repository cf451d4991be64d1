"""The publisher's Email form."""
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.cases.feed_forms import MAX_BODY, PublisherForm


class EmailForm(PublisherForm):
    to = StringField("To", validators=[DataRequired("Add at least one recipient."),
                                       Length(max=2000)])
    cc = StringField("Cc", validators=[Optional(), Length(max=2000)])
    subject = StringField("Subject", validators=[
        DataRequired("Subject is required."),
        Length(max=255, message="Keep the subject under 255 characters.")])
    body = TextAreaField("Message", validators=[
        DataRequired("Write the message before sending."),
        Length(max=MAX_BODY, message=f"Keep it under {MAX_BODY} characters.")])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "email")
        super().__init__(*args, **kwargs)
