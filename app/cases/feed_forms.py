"""Forms of the publisher (Post, File, Share, Task) and of task completion."""
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.cases.forms import VersionedForm
from app.forms import Form
from app.models import PRIORITIES, STATUSES
from app.submissions import OneTimeKeyMixin

VISIBILITY_CHOICES = [("internal", "Internal note"), ("public", "Public reply")]
MAX_BODY = 20000


class PublisherForm(OneTimeKeyMixin, Form):
    """A publisher action; each rendered form carries a fresh one-time key, which its feed
    item keeps (unique per author), so a repeat is refused as DuplicateSubmission."""

    @classmethod
    def blank(cls, **kwargs):
        """An empty form for a fresh publisher (never bound to the request being answered)."""
        return cls(formdata=None, **kwargs)


class PostForm(PublisherForm):
    body = TextAreaField("Comment", validators=[
        DataRequired("Write something before posting."),
        Length(max=MAX_BODY, message=f"Keep it under {MAX_BODY} characters.")])
    visibility = RadioField("Visibility", choices=VISIBILITY_CHOICES, default="internal",
                            validators=[InputRequired("Choose internal or public.")])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "post")
        super().__init__(*args, **kwargs)


class FileForm(PublisherForm):
    files = MultipleFileField("Files")
    comment = TextAreaField("Comment (optional)", validators=[
        Optional(), Length(max=MAX_BODY, message=f"Keep it under {MAX_BODY} characters.")])
    visibility = RadioField("Visibility", choices=VISIBILITY_CHOICES, default="internal",
                            validators=[InputRequired("Choose internal or public.")])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "file")
        super().__init__(*args, **kwargs)

    def chosen_files(self) -> list:
        """The file parts that hold a file (browsers send an empty part when none is chosen)."""
        return [f for f in (self.files.data or []) if getattr(f, "filename", "")]

    def validate_files(self, field):
        if not self.chosen_files():
            raise ValidationError("Choose at least one file.")


class ShareForm(PublisherForm, VersionedForm):
    status = SelectField("Status", choices=list(STATUSES))
    priority = SelectField("Priority", choices=list(PRIORITIES))
    note = TextAreaField("Note", validators=[
        Optional(), Length(max=MAX_BODY, message=f"Keep it under {MAX_BODY} characters.")])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "share")
        super().__init__(*args, **kwargs)


class TaskForm(PublisherForm):
    subject = StringField("Subject", validators=[
        DataRequired("Subject is required."),
        Length(max=255, message="Keep the subject under 255 characters.")])
    due_date = DateField("Due date", validators=[Optional()])
    assignee = SelectField("Assigned to", coerce=int,
                           validators=[InputRequired("Choose who does it.")])

    def __init__(self, *args, assignees=(), **kwargs):
        kwargs.setdefault("prefix", "task")
        super().__init__(*args, **kwargs)
        self.assignee.choices = [(user.id, user.name) for user in assignees]


class CompleteTaskForm(Form):
    """Mark a task done; `view` says which partial to answer with."""

    view = HiddenField(default="feed")

    @property
    def from_list(self) -> bool:
        return self.view.data == "list"
