"""Forms of the portal's New case and satisfaction pages (beside app.portal.forms, which the
portal's core sections own)."""
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.forms import Form
from app.models.feedback import RATINGS
from app.services.cases import SUBJECT_MAX
from app.services.satisfaction import COMMENT_MAX
from app.submissions import OneTimeKeyMixin, SubmissionMixin

DESCRIPTION_MAX = 20000
RATING_LABELS = {1: "1 – Poor", 2: "2", 3: "3", 4: "4", 5: "5 – Excellent"}


def strip(value):
    return value.strip() if isinstance(value, str) else value


class NewCaseForm(SubmissionMixin, Form):
    """A customer's new case; "Find answers" re-renders it with suggestions, keeping it all."""

    subject = StringField("Subject", filters=[strip], validators=[
        DataRequired("Tell us in a few words what the problem is."),
        Length(max=SUBJECT_MAX, message=f"Keep the subject under {SUBJECT_MAX} characters.")])
    description = TextAreaField("Description", validators=[Optional(), Length(
        max=DESCRIPTION_MAX, message=f"Keep the description under {DESCRIPTION_MAX:,} "
                                     "characters.")])
    asset = SelectField("Product", validate_choice=False)
    entitlement = SelectField("Support plan", validate_choice=False)
    files = MultipleFileField("Attach files")
    find = SubmitField("Find answers")
    submit = SubmitField("Open case")

    def __init__(self, *args, assets=(), entitlements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.asset.choices = [("", "Not about a particular product")] + [
            (str(a.id), a.label) for a in assets]
        self.entitlement.choices = [("", "Choose a support plan")] + [
            (str(e.id), e.name) for e in entitlements]
        self.entitlement_rows = list(entitlements)
        if len(self.entitlement_rows) < 2:
            del self.entitlement  # one plan (or none) is taken without asking

    def chosen_files(self) -> list:
        """The file parts that hold a file (browsers send an empty part when none is chosen)."""
        return [f for f in (self.files.data or []) if getattr(f, "filename", "")]

    def validate_asset(self, field):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose one of your products from the list.")

    def validate_entitlement(self, field):
        if field.data not in {value for value, _ in field.choices[1:]}:
            raise ValidationError("Choose the support plan this request comes under.")


class DeflectionForm(OneTimeKeyMixin, Form):
    """"This answered my question": the article that ended a new case before it began."""

    article_id = HiddenField(validators=[DataRequired(), Length(max=12)])


class SurveyForm(Form):
    """The satisfaction question: a rating of 1 to 5 and an optional comment."""

    rating = RadioField("How did we do?", coerce=int,
                        choices=[(n, RATING_LABELS[n]) for n in reversed(RATINGS)],
                        validators=[InputRequired("Choose a rating from 1 to 5.")])
    comment = TextAreaField("Anything you would like to tell us? (optional)", validators=[
        Optional(), Length(max=COMMENT_MAX,
                           message=f"Keep the comment under {COMMENT_MAX:,} characters.")])
    submit = SubmitField("Send my answer")
