"""Forms for case team roles, predefined teams and a case's team."""
from wtforms import (
    BooleanField, FieldList, FormField, HiddenField, RadioField, SelectField, StringField,
    TextAreaField,
)
from wtforms import Form as RowForm
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form
from app.models import CaseTeamRole, PredefinedTeam
from app.models.teams import ACCESS_LABELS
from app.submissions import SubmissionMixin

ACCESS_CHOICES = [("read", ACCESS_LABELS["read"]), ("edit", ACCESS_LABELS["edit"])]
MAX_MEMBER_ROWS = 100


def role_choices(roles: list[CaseTeamRole], placeholder: str = "Choose a role…") -> list:
    return [("", placeholder)] + [(str(role.id), role.name) for role in roles]


class RoleForm(SubmissionMixin, Form):
    name = StringField("Name", validators=[DataRequired(message="Name is required."),
                                           Length(max=80, message="Use at most 80 characters.")])
    access = RadioField("Case access", choices=ACCESS_CHOICES, default="read",
                        validators=[DataRequired(message="Choose Read Only or Read/Write.")])
    visible_in_portal = BooleanField("Visible in customer portal")


class DeleteRoleForm(Form):
    replacement = SelectField("Give their members this role instead", choices=[],
                              validators=[Optional()])


class ConfirmForm(Form):
    """Only the CSRF token: a confirmation page's button."""


class MemberRowForm(RowForm):
    """One row of a predefined team: a person (type-ahead) and a role (a plain WTForms form:
    the team form carries the CSRF token)."""

    person = HiddenField()
    person_label = StringField("Person", validators=[Length(max=254)])
    role = SelectField("Role", choices=[], validate_choice=False)  # checked against the roles in the view

    @property
    def is_blank(self) -> bool:
        return not (self.person.data or (self.person_label.data or "").strip())


class TeamForm(SubmissionMixin, Form):
    name = StringField("Name", validators=[DataRequired(message="Name is required."),
                                           Length(max=120, message="Use at most 120 characters.")])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    members = FieldList(FormField(MemberRowForm), min_entries=1, max_entries=MAX_MEMBER_ROWS)

    def set_role_choices(self, roles: list[CaseTeamRole]) -> None:
        for entry in self.members:
            entry.form.role.choices = role_choices(roles)


class AddMemberForm(Form):
    # The type-ahead's own hidden input carries it, so not a HiddenField (hidden_tag would
    # render a second `person` input, and the first one, always empty, would win).
    person = StringField("Person", validators=[Length(max=40)])
    person_label = StringField("User or contact", validators=[Length(max=254)])
    role = SelectField("Role", choices=[])


class ChangeRoleForm(Form):
    role = SelectField("Role", choices=[])


class AddTeamForm(Form):
    team = SelectField("Predefined team", choices=[])

    def set_teams(self, teams: list[PredefinedTeam]) -> None:
        self.team.choices = [("", "Choose a team…")] + [(str(t.id), t.name) for t in teams]
