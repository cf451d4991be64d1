"""Forms for contracts, entitlements and their setup: one per use case, clear messages."""
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, FieldList, FormField, IntegerField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms import Form as RowForm
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form
from app.models import PRIORITIES, STATUSES, TIERS
from app.models.entitlements import ENTITLEMENT_KINDS, MILESTONE_KINDS

LINE_ROWS = 4
KIND_CHOICES = [(k, k.capitalize()) for k in ENTITLEMENT_KINDS]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConfirmForm(Form):
    """A button that confirms a destructive or lasting change (CSRF only)."""


class LineForm(RowForm):
    product = SelectField("Product", coerce=str, validate_choice=False)
    quantity = IntegerField("Quantity", default=1, validators=[Optional(), NumberRange(
        min=1, max=100000, message="Give a quantity of at least 1.")])
    asset = SelectField("Asset", coerce=str, validate_choice=False)


class ContractForm(Form):
    account_id = StringField("Account", filters=[strip])
    account_id_label = StringField("Account", filters=[strip])
    name = StringField("Name", filters=[strip], validators=[
        DataRequired("Give the contract a name."), Length(max=200)])
    number = StringField("Contract number", filters=[strip], validators=[
        DataRequired("Give the contract a number."), Length(max=40)])
    start_date = DateField("Start date", validators=[DataRequired("Give the start date.")])
    end_date = DateField("End date", validators=[DataRequired("Give the end date.")])
    notes = TextAreaField("Notes", filters=[strip], validators=[Length(max=5000)])
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS, max_entries=LINE_ROWS)

    def set_choices(self, products, assets) -> None:
        for entry in self.lines:
            entry.product.choices = [("", "—")] + [(str(p.id), p.name) for p in products]
            entry.asset.choices = [("", "No particular asset")] + [
                (str(a.id), a.label) for a in assets]


class EntitlementForm(Form):
    name = StringField("Name", filters=[strip], validators=[
        DataRequired("Give the entitlement a name."), Length(max=200)])
    kind = SelectField("Channel", choices=KIND_CHOICES)
    start_date = DateField("Start date", validators=[DataRequired("Give the start date.")])
    end_date = DateField("End date", validators=[DataRequired("Give the end date.")])
    allowance = IntegerField("Cases allowed", validators=[Optional(), NumberRange(
        min=0, max=100000, message="Give a number of cases, or leave it empty for no limit.")])
    process_id = SelectField("Entitlement process", coerce=str, validate_choice=False)
    contract_line = SelectField("Contract line", coerce=str, validate_choice=False)
    asset = SelectField("Asset", coerce=str, validate_choice=False)


class ApplyTemplateForm(Form):
    template = SelectField("Service level", coerce=str, validate_choice=False)


class CalendarForm(Form):
    name = StringField("Name", filters=[strip], validators=[
        DataRequired("Give the calendar a name."), Length(max=120)])
    zone = StringField("Time zone", filters=[strip], default="UTC",
                       validators=[DataRequired("Give a time zone, like Europe/Berlin.")])
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=2000)])
    windows = TextAreaField("Opening hours", filters=[strip], validators=[
        DataRequired("Add at least one opening window.")])
    holidays = TextAreaField("Holidays", filters=[strip])


class MilestoneRowForm(RowForm):
    enabled = BooleanField("Use this milestone")
    calendar = SelectField("Business hours", coerce=str, validate_choice=False)
    minutes_low = IntegerField("Low", validators=[Optional()])
    minutes_medium = IntegerField("Medium", validators=[Optional()])
    minutes_high = IntegerField("High", validators=[Optional()])
    minutes_critical = IntegerField("Critical", validators=[Optional()])
    pause_statuses = CheckboxesField("Pause while the case is", choices=list(STATUSES[:-1]))
    warn_percent = IntegerField("Warn at (% of the time gone)", validators=[Optional()])
    warn_owner = BooleanField("Email the case owner")
    violation_owner = BooleanField("Email the case owner")
    addresses = StringField("Also email", filters=[strip])
    # Checked by the service: a row left unused posts nothing here.
    violation_status = SelectField("On violation, set status to", validate_choice=False,
                                   choices=[("", "Leave the status")] +
                                   [(s, s) for s in STATUSES[:-1]])


class ProcessForm(Form):
    name = StringField("Name", filters=[strip], validators=[
        DataRequired("Give the process a name."), Length(max=120)])
    description = TextAreaField("Description", filters=[strip], validators=[Length(max=2000)])
    milestones = FieldList(FormField(MilestoneRowForm), min_entries=len(MILESTONE_KINDS),
                           max_entries=len(MILESTONE_KINDS))


class TemplateForm(Form):
    name = StringField("Name", filters=[strip], validators=[
        DataRequired("Give the template a name."), Length(max=200)])
    kind = SelectField("Channel", choices=KIND_CHOICES)
    term_days = IntegerField("Term (days)", default=365, validators=[
        DataRequired("Give the term in days."), NumberRange(min=1, max=3660)])
    allowance = IntegerField("Cases allowed", validators=[Optional(), NumberRange(min=1)])
    tiers = CheckboxesField("Offered to", choices=list(TIERS))
    process_id = SelectField("Entitlement process", coerce=str, validate_choice=False)


class PolicyForm(Form):
    policy = SelectField("When a new case has no active entitlement", choices=[
        ("allow", "Allow it, with a reason"), ("refuse", "Refuse it")])


class WhatIfForm(Form):
    """A GET form (no CSRF): it changes nothing."""

    class Meta:
        csrf = False

    process_id = SelectField("Process", coerce=str, validate_choice=False)
    priority = SelectField("Priority", choices=list(PRIORITIES), default="High")
    opened = DateTimeLocalField("Opened at", format="%Y-%m-%dT%H:%M",
                                validators=[Optional()])
    changes = TextAreaField("Then (one a line)", filters=[strip])
