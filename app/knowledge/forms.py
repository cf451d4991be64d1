"""Forms for articles, reviews, types, categories and the knowledge settings."""
from wtforms import (
    BooleanField, FieldList, FormField, HiddenField, IntegerField, RadioField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms import Form as RowForm
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form
from app.models.knowledge import CHANNELS, FIELD_KINDS, LANGUAGES, STATUS_LABELS

CHANNEL_LABELS = {"internal": "Internal (staff)", "portal": "Portal (signed-in customers)",
                  "public": "Public (anyone, at /kb)"}
MAX_TYPE_FIELDS = 12


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SearchForm(Form):
    """The knowledge home's search and filters (a GET form)."""

    q = StringField("Search articles", validators=[Optional(), Length(max=1000)])
    type = SelectField("Type", choices=[], coerce=str, validate_choice=False)
    category = SelectField("Category", choices=[], coerce=str, validate_choice=False)
    status = SelectField("Status", choices=[("", "Current")] + [
        (key, STATUS_LABELS[key]) for key in ("draft", "in_review", "published", "archived")],
        validate_choice=False)
    language = SelectField("Language", choices=[], validate_choice=False)
    channel = SelectField("Channel", choices=[("", "Any channel")] +
                          [(c, c.capitalize()) for c in CHANNELS], validate_choice=False)

    def __init__(self, *args, types=(), categories=(), languages=(), **kwargs):
        kwargs.setdefault("meta", {"csrf": False})
        super().__init__(*args, **kwargs)
        self.type.choices = [("", "Any type")] + [(str(t.id), t.name) for t in types]
        self.category.choices = [("", "Any category")] + [
            (str(c.id), "\u2003" * depth + c.name) for c, depth in categories]
        self.language.choices = [("", "Any language")] + [(c, LANGUAGES[c]) for c in languages]

    def filters(self) -> dict:
        """The chosen filters, only values the choices offer."""
        def pick(field):
            return field.data if field.data in {str(v) for v, _ in field.choices} else ""

        values = {name: pick(getattr(self, name))
                  for name in ("type", "category", "status", "language", "channel")}
        for key in ("type", "category"):
            values[key] = int(values[key]) if values[key] else None
        return values


def article_form_class(article_type, *, new: bool):
    """A form with the type's fields in order, after title (and placement when new)."""

    class ArticleForm(Form):
        title = StringField("Title", validators=[DataRequired("Give the article a title."),
                                                 Length(max=255)])
        change_note = StringField("Change note", validators=[Optional(), Length(max=255)])

    for field in article_type.fields:
        if field.kind == "text":
            control = StringField(field.label, validators=[Optional(), Length(max=500)])
        else:
            control = TextAreaField(field.label, validators=[Optional(), Length(max=50000)])
        setattr(ArticleForm, f"f_{field.key}", control)
    if new:
        ArticleForm.language = SelectField("Master language", choices=[],
                                           validate_choice=False)
        ArticleForm.categories = CheckboxesField("Categories", choices=[], coerce=int)
        ArticleForm.channels = CheckboxesField("Channels", choices=list(CHANNEL_LABELS.items()),
                                               default=["internal"])
    return ArticleForm


def field_values(form, article_type) -> dict:
    return {f.key: getattr(form, f"f_{f.key}").data or "" for f in article_type.fields}


class ArticleSettingsForm(Form):
    slug = StringField("Address (slug)", validators=[DataRequired(), Length(max=80)])
    categories = CheckboxesField("Categories", choices=[], coerce=int)
    channels = CheckboxesField("Channels", choices=list(CHANNEL_LABELS.items()))


class ReviewForm(Form):
    comment = TextAreaField("Comment for the author", validators=[Optional(),
                                                                    Length(max=5000)])


class ConfirmForm(Form):
    """A button that posts with the CSRF token and nothing else."""


class VoteForm(Form):
    helpful = HiddenField()


class AttachForm(Form):
    article_id = IntegerField("Article", validators=[DataRequired()])


class CaseArticleForm(Form):
    article_type = SelectField("Type", choices=[], coerce=int, validate_choice=False)


class KnowledgeSettingsForm(Form):
    approval_required = BooleanField("Articles need an approver's approval before they go live")
    writers = RadioField("Who may write articles", default="all", choices=[
        ("all", "Every agent"), ("authors", "Only users marked as authors (and admins)")])
    languages = CheckboxesField("Languages", choices=[(c, n) for c, n in LANGUAGES.items()])
    keep = RadioField("Past versions to keep", default="all",
                      choices=[("all", "All of them"), ("last", "Only the last N per language")])
    keep_versions = IntegerField("N", default=10, validators=[Optional(), NumberRange(1, 1000)])
    authors = CheckboxesField("Authors", choices=[], coerce=int)
    approvers = CheckboxesField("Approvers", choices=[], coerce=int)


class TypeFieldRow(RowForm):
    key = HiddenField()
    label = StringField("Label", validators=[Optional(), Length(max=80)])
    kind = SelectField("Kind", choices=list(FIELD_KINDS.items()))


class ArticleTypeForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the type a name."),
                                           Length(max=80)])
    description = StringField("Description", validators=[Optional(), Length(max=255)])
    fields = FieldList(FormField(TypeFieldRow), min_entries=1, max_entries=MAX_TYPE_FIELDS)
    confirm_removal = HiddenField()

    def rows(self) -> list[dict]:
        return [{"key": row.form.key.data or None, "label": (row.form.label.data or "").strip(),
                 "kind": row.form.kind.data} for row in self.fields]


class CategoryForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the category a name."),
                                           Length(max=120)])
    parent = SelectField("Inside", choices=[], coerce=str, validate_choice=False)
