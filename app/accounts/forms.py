"""Forms for accounts and contacts: one per use case, with clear messages."""
import re

from flask import url_for
from markupsafe import Markup
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import (
    DataRequired, Email, InputRequired, Length, Optional, ValidationError,
)

from app.forms import Form
from app.models import TIERS, VERIFICATION_METHODS
from app.services import accounts as account_service
from app.services.errors import ValidationFailed
from app.submissions import SubmissionMixin

NOTES_MAX = 5000


def strip(value):
    return value.strip() if isinstance(value, str) else value


BARE_HOST = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]\S*)?", re.IGNORECASE)


def with_scheme(value):
    """Read a bare host ("example.com/help") as https; anything else is left to validation."""
    return "https://" + value if isinstance(value, str) and BARE_HOST.fullmatch(value) else value


def too_long(label: str, size: int) -> Length:
    return Length(max=size, message=f"{label} can be at most {size} characters long.")


class SearchForm(Form):
    """The GET filter above a list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Search", filters=[strip], validators=[Optional(), too_long("A search", 200)])


class AccountForm(SubmissionMixin, Form):
    name = StringField("Name", filters=[strip], validators=[
        DataRequired("Name is required."), too_long("The name", 200)])
    phone = StringField("Phone", filters=[strip], validators=[too_long("The phone number", 40)])
    website = URLField("Website", filters=[strip, with_scheme],
                       validators=[too_long("The website", 255)])
    tier = SelectField("Tier", choices=list(TIERS), default="Standard",
                       invalid_choice_message=f"Choose a tier: {', '.join(TIERS)}.")
    support_notes = TextAreaField("Support notes", filters=[strip],
                                  validators=[too_long("Support notes", NOTES_MAX)])
    verification = TextAreaField("Verification", filters=[strip],
                                 validators=[too_long("Verification", NOTES_MAX)])

    def validate_website(self, field):
        if field.data and not account_service.is_web_url(field.data):
            raise ValidationError("Enter a full web address starting with http:// or https://, "
                                  "like https://example.com.")

    def values(self) -> dict:
        """The fields an agent may set, as service arguments."""
        return {name: self[name].data or "" for name in account_service.ACCOUNT_FIELDS}


class ContactForm(SubmissionMixin, Form):
    """A contact; the account comes from the type-ahead's id or, without JavaScript, its text."""

    # Rendered by the typeahead macro as its hidden input, so not a HiddenField (hidden_tag).
    account_id = StringField("Account", filters=[strip])
    account_id_label = StringField("Account", filters=[strip],
                                   validators=[too_long("The account name", 200)])
    name = StringField("Name", filters=[strip], validators=[
        DataRequired("Name is required."), too_long("The name", 200)])
    email = EmailField("Email", filters=[strip, lambda v: v.lower() if v else v], validators=[
        Optional(), too_long("The email", 254),
        Email("Enter a valid email address, like name@example.com.")])
    phone = StringField("Phone", filters=[strip], validators=[too_long("The phone number", 40)])
    title = StringField("Title", filters=[strip], validators=[too_long("The title", 120)])

    def __init__(self, *args, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.account = None

    def validate_account_id(self, field):
        try:
            self.account = account_service.resolve_account(field.data, self.account_id_label.data)
        except ValidationFailed as exc:
            raise ValidationError(str(exc)) from exc

    def validate_email(self, field):
        existing = account_service.find_contact_by_email(field.data)
        if existing is not None and existing is not self.contact:
            raise ValidationError(duplicate_email_message(existing))

    def values(self) -> dict:
        return {name: self[name].data or "" for name in account_service.CONTACT_FIELDS}


def duplicate_email_message(existing) -> Markup:
    """The duplicate-email error, linking to the contact who already has the address."""
    return Markup('This email already belongs to <a href="{}">{}</a>{}. Open that contact '
                  'instead, or use another address.').format(
        url_for("accounts.contact_detail", contact_id=existing.id), existing.name,
        f" at {existing.account.name}" if existing.account else "")


class VerifyCallerForm(Form):
    """Record how the caller proved who they are, or that they could not."""

    method = RadioField("How", choices=list(VERIFICATION_METHODS.items()), default="pin",
                        validators=[InputRequired("Choose how the caller was verified.")])
    outcome = RadioField("Result", choices=[("passed", "Verified"), ("failed", "Failed")],
                         default="passed",
                         validators=[InputRequired("Choose whether the check passed.")])
    note = StringField("Note", filters=[strip], validators=[too_long("The note", 500)])

    def validate_note(self, field):
        if self.method.data == "other" and not field.data:
            raise ValidationError("Say how the caller was verified.")
