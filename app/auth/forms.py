from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.admin.forms import MIN_PASSWORD
from app.forms import Form
from app.services import users as user_service


class SignInForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this computer")
    submit = SubmitField("Sign in")


class PreferencesForm(Form):
    """The signed-in user's own time zone and list density."""

    time_zone = SelectField("Time zone", validate_choice=False)  # the service checks the name
    list_density = RadioField("List density", choices=[
        ("comfortable", "Comfortable"), ("compact", "Compact: more rows on a screen")])
    submit = SubmitField("Save preferences")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(name, name.replace("_", " "))
                                  for name in user_service.time_zone_names()]


class OwnPasswordForm(Form):
    """A new password for oneself, proven by the current one."""

    current_password = PasswordField("Current password", validators=[
        DataRequired(message="Enter your current password."), Length(max=200)])
    password = PasswordField("New password", validators=[
        DataRequired(message="Choose a new password."),
        Length(min=MIN_PASSWORD, max=200,
               message=f"Use at least {MIN_PASSWORD} characters (and at most 200).")])
    confirm = PasswordField("Repeat the new password", validators=[
        DataRequired(message="Type the new password again."),
        EqualTo("password", message="The two passwords do not match.")])
    submit = SubmitField("Change password")


class SetPasswordForm(Form):
    """A first or reset password from an emailed link (staff invitation, portal link)."""

    password = PasswordField("New password", validators=[
        DataRequired(message="Choose a password."),
        Length(min=MIN_PASSWORD, max=200,
               message=f"Use at least {MIN_PASSWORD} characters (and at most 200).")])
    confirm = PasswordField("Repeat the password", validators=[
        DataRequired(message="Type the password again."),
        EqualTo("password", message="The two passwords do not match.")])
    submit = SubmitField("Set password and sign in")
