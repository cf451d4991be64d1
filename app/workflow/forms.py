"""Forms for workflow rules, email templates and the outbox."""
from wtforms import (
    BooleanField, FieldList, FormField, RadioField, SelectField, SelectMultipleField,
    StringField, TextAreaField,
)
from wtforms import Form as RowForm
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form
from app.models import EVALUATE_ON, PRIORITIES, STATUSES
from app.services.workflow_engine import CRITERIA_FIELDS, OPERATORS, RECIPIENT_KINDS
from app.submissions import SubmissionMixin

MAX_CRITERIA = 20


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CriterionForm(RowForm):
    """One criteria row, inside the rule form (a plain WTForms form: the rule form carries the
    CSRF token); a row with no field chosen is ignored."""

    field = SelectField("Field", choices=[("", "Choose a field…")] + list(CRITERIA_FIELDS.items()),
                        validate_choice=False)
    operator = SelectField("Operator", choices=list(OPERATORS.items()), validate_choice=False)
    value = StringField("Value", validators=[Optional(), Length(max=255)])


class RuleForm(SubmissionMixin, Form):
    name = StringField("Name", validators=[DataRequired("Name is required."), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    active = BooleanField("Active", default=True)
    evaluate_on = RadioField("Evaluate the rule", choices=list(EVALUATE_ON.items()),
                             default="every_edit")
    match = RadioField("Run the actions when", default="all",
                       choices=[("all", "All conditions are met"),
                                ("any", "Any condition is met")])
    criteria = FieldList(FormField(CriterionForm), max_entries=MAX_CRITERIA)
    template = SelectField("Email template", choices=[], validate_choice=False)
    recipient_kinds = CheckboxesField("Recipients", choices=list(RECIPIENT_KINDS.items()))
    team_role = SelectField("Team members with the role", choices=[], validate_choice=False)
    users = SelectMultipleField("Chosen users", choices=[], coerce=str)
    addresses = TextAreaField("Extra addresses", validators=[Optional(), Length(max=2000)])
    notify_actor = BooleanField("Also notify the person who made the change", default=False)
    set_status = SelectField("Set status", choices=[("", "Leave as is")] +
                             [(s, s) for s in STATUSES])
    set_priority = SelectField("Set priority", choices=[("", "Leave as is")] +
                               [(p, p) for p in PRIORITIES])
    set_owner = SelectField("Set owner", choices=[], validate_choice=False)

    def __init__(self, *args, templates=(), roles=(), users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.template.choices = [("", "No email")] + [(str(t.id), t.name) for t in templates]
        self.team_role.choices = [("", "No role")] + [(str(r.id), r.name) for r in roles]
        self.users.choices = [(str(u.id), f"{u.name} ({u.email})") for u in users]
        self.set_owner.choices = [("", "Leave as is")] + [(str(u.id), u.name) for u in users]

    def filled_criteria(self) -> list[tuple[str, str, str]]:
        return [(row.field.data, row.operator.data, row.value.data or "")
                for row in self.criteria if row.field.data]


class TemplateForm(SubmissionMixin, Form):
    name = StringField("Name", validators=[DataRequired("Name is required."), Length(max=120)])
    subject = StringField("Subject", validators=[DataRequired("Subject is required."),
                                                 Length(max=255)])
    body_text = TextAreaField("Text body", validators=[DataRequired("The text body is required."),
                                                       Length(max=20000)])
    body_html = TextAreaField("HTML body", validators=[Optional(), Length(max=40000)])
    preview_case = StringField("Preview with case number", validators=[Optional(),
                                                                       Length(max=20)])


class ConfirmForm(Form):
    """An empty form: the CSRF token for delete and resend buttons."""
