"""Forms for managing users."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wtforms import EmailField, PasswordField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import (
    DataRequired, Email, EqualTo, Length, Optional, StopValidation, ValidationError,
)

from app.forms import Form
from app.models import ROLES
from app.services import users as user_service
from app.submissions import SubmissionMixin

MIN_PASSWORD = 8
ROLE_CHOICES = [("agent", "Agent"), ("admin", "Admin"), ("customer", "Customer")]
ROLE_HINT = "Admins manage users and settings; agents work cases; customers use the portal."
TIME_ZONES = (
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Amsterdam", "Europe/Madrid", "Europe/Rome", "Europe/Stockholm", "Europe/Warsaw",
    "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Africa/Johannesburg",
    "Africa/Lagos", "Africa/Cairo", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
    "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Perth", "Australia/Sydney",
    "Pacific/Auckland", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    "America/Halifax", "America/New_York", "America/Chicago", "America/Denver",
    "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
)
TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in TIME_ZONES]


def known_time_zone(form, field) -> None:
    """Refuse a name zoneinfo cannot load (the select is the first line of defence)."""
    try:
        ZoneInfo(field.data)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Choose a time zone from the list.") from exc


def password_fields(required: bool):
    """A password and its confirmation; optional ones may both be left empty."""
    first = [DataRequired(message="Enter a password.")] if required else [Optional()]
    return (
        PasswordField("Password", validators=first + [Length(
            min=MIN_PASSWORD, max=200,
            message=f"Use at least {MIN_PASSWORD} characters (and at most 200).")]),
        PasswordField("Repeat the password", validators=(
            [DataRequired(message="Type the password again.")] if required else []) + [
            EqualTo("password", message="The two passwords do not match.")]),
    )


class UserFilterForm(Form):
    q = SearchField("Name or email", validators=[Optional(), Length(max=100)])
    role = SelectField("Role", choices=[("", "All roles")] + ROLE_CHOICES,
                       validate_choice=False)
    status = SelectField("Status", choices=[("", "Any status"), ("active", "Active"),
                                            ("invited", "Invited"), ("inactive", "Deactivated")],
                         validate_choice=False)

    def values(self) -> dict:
        """The filters as service arguments; unknown values are ignored, never trusted."""
        role = self.role.data if self.role.data in ROLES else ""
        status = self.status.data if self.status.data in user_service.USER_STATUSES else ""
        return {"text": (self.q.data or "")[:100], "role": role, "status": status}


class NewUserForm(SubmissionMixin, Form):
    name = StringField("Name", validators=[DataRequired(message="Enter the person's name."),
                                           Length(max=120)])
    email = EmailField("Email", validators=[
        DataRequired(message="Enter an email address."),
        Email(message="Enter a valid email address, like name@example.com."), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="agent")
    time_zone = SelectField("Time zone", choices=TIME_ZONE_CHOICES, default="UTC",
                            validators=[known_time_zone])
    password, confirm = password_fields(required=False)
    submit = SubmitField("Create user")

    def validate_email(self, field) -> None:
        if user_service.find_user_by_email(field.data or ""):
            raise StopValidation("A user with this email already exists.")


class RoleForm(Form):
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")


class PasswordResetForm(Form):
    password, confirm = password_fields(required=True)
    submit = SubmitField("Set new password")


class ConfirmForm(Form):
    """A bare form for buttons that change state: it carries the CSRF token."""

    submit = SubmitField("Confirm")
