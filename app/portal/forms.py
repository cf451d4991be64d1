"""The portal's forms: one per use case."""
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, EmailField, PasswordField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from app.forms import Form
from app.submissions import OneTimeKeyMixin

MAX_REPLY = 20000


class PortalSignInForm(Form):
    # No address syntax check beyond the "@": an address we do not know fails like any other.
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address."),
                                            Regexp(r"[^@\s]+@[^@\s]+",
                                                   message="Enter your email address."),
                                            Length(max=254)])
    password = PasswordField("Password", validators=[
        DataRequired(message="Enter your password."), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class ForgotPasswordForm(Form):
    # No address syntax check beyond the "@": an address we do not know fails like any other.
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address."),
                                            Regexp(r"[^@\s]+@[^@\s]+",
                                                   message="Enter your email address."),
                                            Length(max=254)])
    submit = SubmitField("Email me a link")


class ReplyForm(OneTimeKeyMixin, Form):
    """A reply with text, files or both; its one-time key saves a double click once."""

    body = TextAreaField("Your reply", validators=[Length(
        max=MAX_REPLY, message=f"Keep your reply under {MAX_REPLY:,} characters.")])
    files = MultipleFileField("Attach files")
    submit = SubmitField("Send reply")

    def chosen_files(self) -> list:
        """The file parts that hold a file (browsers send an empty part when none is chosen)."""
        return [f for f in (self.files.data or []) if getattr(f, "filename", "")]

    def validate_body(self, field):
        if not (field.data or "").strip() and not self.chosen_files():
            raise ValidationError("Write a reply or attach a file.")


class CloseCaseForm(Form):
    note = TextAreaField("Anything to add? (optional)", validators=[Length(max=2000)])
    submit = SubmitField("Close my case")


class ReopenCaseForm(Form):
    reason = TextAreaField("Why are you reopening it?", validators=[
        DataRequired(message="Tell us why the case needs more work."), Length(max=2000)])
    submit = SubmitField("Reopen case")
