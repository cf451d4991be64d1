"""Forms of the case area: create and edit, inline edit, close and reopen, the list filter."""
import hashlib

from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import Form
from app.models import CASE_TYPES, OPEN_STATUSES, ORIGINS, PRIORITIES, STATUSES
from app.services import accounts as account_service
from app.services import case_lists
from app.services import cases as case_service
from app.services.errors import ValidationFailed
from app.submissions import SubmissionMixin

DESCRIPTION_MAX = 20000
NOTE_MAX = 20000


def strip(value):
    return value.strip() if isinstance(value, str) else value


def too_long(label: str, size: int) -> Length:
    return Length(max=size, message=f"{label} can be at most {size} characters long.")


def choice(label: str, noun: str, coerce=str, **kwargs) -> SelectField:
    """A select that answers an unknown or garbled value with a clear message."""
    message = f"Choose {noun} from the list."
    return SelectField(label, coerce=coerce, invalid_value_message=message,
                       invalid_choice_message=message, **kwargs)


def plausible_id(text: str) -> bool:
    """True for a number that could be a row id (so lookups never overflow a column)."""
    return text.isdigit() and 0 < int(text) < 2**31


def pairs(values) -> list[SelectChoice]:
    """Choices whose label is their value; (value, label) tuples for the rest."""
    return [SelectChoice(*value) if isinstance(value, tuple) else SelectChoice(value, value)
            for value in values]


class VersionField(HiddenField):
    """The case version a form was based on: only ever what the browser sent back."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else None


class VersionedForm(Form):
    """A form that changes a case: it carries the version it was based on."""

    version = VersionField()

    def validate_version(self, field):
        if not str(field.data or "").isdigit():
            raise ValidationError("This form is out of date. Reload the page and try again.")

    @property
    def expected_version(self) -> int:
        return int(self.version.data)


class CaseForm(SubmissionMixin, Form):
    """Create a case. Account and contact come from type-aheads or, without JS, typed names."""

    subject = StringField("Subject", filters=[strip], validators=[
        DataRequired("Subject is required."), too_long("The subject", case_service.SUBJECT_MAX)])
    description = TextAreaField("Description", validators=[
        Optional(), too_long("The description", DESCRIPTION_MAX)])
    status = choice("Status", "a status", default="New")
    priority = choice("Priority", "a priority", choices=pairs(PRIORITIES), default="Medium")
    origin = choice("Origin", "an origin", choices=pairs(ORIGINS), default="Phone")
    case_type = choice("Type", "a type", choices=pairs(CASE_TYPES), default="Question")
    # Rendered by the typeahead macro as its hidden input, so not a HiddenField (hidden_tag).
    account_id = StringField("Account", filters=[strip], validators=[too_long("The account", 20)])
    account_id_label = StringField("Account", filters=[strip],
                                   validators=[too_long("The account name", 200)])
    contact_id = StringField("Contact", filters=[strip], validators=[too_long("The contact", 20)])
    contact_id_label = StringField("Contact", filters=[strip],
                                   validators=[too_long("The contact name", 254)])
    owner_id = choice("Owner", "an owner", coerce=int)

    statuses = OPEN_STATUSES

    def __init__(self, *args, owners=(), can_change_owner=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = pairs(self.statuses)
        self.owners = {user.id: user for user in owners}
        self.owner_id.choices = pairs((user.id, user.name) for user in owners)
        if not can_change_owner:
            del self.owner_id
        self.account = self.contact = None

    def validate_account_id(self, field):
        if not field.data and not self.account_id_label.data:
            return
        if field.data and not plausible_id(field.data):
            raise ValidationError("That account could not be found. Type a name and choose "
                                  "one from the list.")
        try:
            self.account = account_service.resolve_account(field.data, self.account_id_label.data)
        except ValidationFailed as exc:
            raise ValidationError(str(exc)) from exc

    def validate_contact_id(self, field):
        if field.data and not plausible_id(field.data):
            raise ValidationError("That contact could not be found. Type a name and choose "
                                  "one from the list.")
        try:
            self.contact = account_service.resolve_contact(field.data, self.contact_id_label.data,
                                                           self.account)
        except ValidationFailed as exc:
            raise ValidationError(str(exc)) from exc

    def fill_links(self, account=None, contact=None) -> None:
        """Show a chosen account and contact in the type-ahead boxes."""
        account = account or (contact.account if contact else None)
        if account is not None:
            self.account = account
            self.account_id.data, self.account_id_label.data = str(account.id), account.name
        if contact is not None:
            self.contact_id.data, self.contact_id_label.data = str(contact.id), contact.name

    def values(self) -> dict:
        """The fields an agent may set, as service arguments."""
        values = {"subject": self.subject.data, "description": self.description.data or "",
                  "status": self.status.data, "priority": self.priority.data,
                  "origin": self.origin.data, "type": self.case_type.data,
                  "account": self.account, "contact": self.contact}
        if "owner_id" in self:
            values["owner"] = self.owners.get(self.owner_id.data)
        return values


def digest(text: str | None) -> str:
    """A short fingerprint of a long text, to tell later whether the user changed it."""
    normal = (text or "").replace("\r\n", "\n").strip()
    return hashlib.sha256(normal.encode()).hexdigest()[:16]


class EditCaseForm(CaseForm, VersionedForm):
    """Change a case; any status, so closing from here records the closed time too."""

    statuses = STATUSES
    # The description the form started from (as a fingerprint): see shown_before().
    description_digest = HiddenField()

    def shown_before(self, change: dict) -> bool:
        """True when the user left this field as the change found it (so theirs may win)."""
        if change["field"] == "description":
            return digest(self.description.data) == self.description_digest.data
        shown = {"account": self.account_id_label.data, "contact": self.contact_id_label.data,
                 "type": self.case_type.data,
                 "owner": getattr(self.owners.get(self.owner_id.data), "name", None)
                 if "owner_id" in self else None}
        value = shown[change["field"]] if change["field"] in shown else \
            self[change["field"]].data
        return (value or "") == (change.get("old") or "")


class StatusForm(VersionedForm):
    value = choice("Status", "a status", choices=pairs(STATUSES))


class PriorityForm(VersionedForm):
    value = choice("Priority", "a priority", choices=pairs(PRIORITIES))


class OwnerForm(VersionedForm):
    value = choice("Owner", "an owner", coerce=int)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {user.id: user for user in owners}
        self.value.choices = pairs((user.id, user.name) for user in owners)


INLINE_FORMS = {"status": StatusForm, "priority": PriorityForm, "owner": OwnerForm}


class CloseCaseForm(VersionedForm):
    note = TextAreaField("Closing note", filters=[strip], validators=[
        Optional(), too_long("The closing note", NOTE_MAX)])


class ReopenCaseForm(VersionedForm):
    pass


class AssignToMeForm(VersionedForm):
    """The header's Assign to me button: the CSRF token and the version the page showed."""


class CaseFilterForm(Form):
    """The GET filter above the case list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    view = choice("View", "a view", choices=pairs(case_lists.VIEWS.items()),
                  default=case_lists.DEFAULT_VIEW)
    status = choice("Status", "a status", choices=pairs([("", "Any status"), *STATUSES]),
                    default="")
    priority = choice("Priority", "a priority",
                      choices=pairs([("", "Any priority"), *PRIORITIES]), default="")
    owner = choice("Owner", "an owner", default="")
    account = StringField("Account", filters=[strip], validators=[
        Optional(), too_long("The account filter", 200)])
    sort = choice("Sort", "a column to sort by",
                  choices=pairs([("", "Default"), *case_lists.COLUMNS.items()]), default="")
    dir = choice("Direction", "ascending or descending",
                 choices=pairs(case_lists.DIRECTIONS), default="desc")

    FIXED_OWNERS = (("", "Anyone"), ("me", "Me"), ("none", "Unassigned"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Who may own a case comes with the list (case_lists.list_cases), read after this
        # form: until then any plausible user id passes, and settle_owner() checks it.
        raw = self.owner.raw_data[0] if self.owner.raw_data else ""
        self.owner.choices = pairs([*self.FIXED_OWNERS, *([(raw, raw)] if plausible_id(raw)
                                                           else [])])

    def to_query(self, page: int) -> tuple[case_lists.CaseQuery, list[str]]:
        """The validated query, and a message for each value that was ignored."""
        self.validate()
        problems = [self._ignore(field) for field in self._fields.values() if field.errors]
        return case_lists.CaseQuery(
            view=self.view.data, status=self.status.data, priority=self.priority.data,
            owner=self.owner.data, account=self.account.data or "", sort=self.sort.data,
            direction=self.dir.data, page=page), problems

    def settle_owner(self, owners: list[tuple[int, str]]) -> str | None:
        """The owner filter's real choices (id, name); the message for an owner id that is no
        one who may own a case, which is then ignored like any other bad value."""
        self.owner.choices = pairs([*self.FIXED_OWNERS,
                                    *((str(user_id), name) for user_id, name in owners)])
        try:
            self.owner.pre_validate(self)
        except ValidationError as error:
            self.owner.errors = [str(error)]
            return self._ignore(self.owner)
        return None

    @staticmethod
    def _ignore(field) -> str:
        """Fall back to the field's default; say what was ignored and why."""
        problem = (f"{field.label.text}: {' '.join(field.errors)} "
                   f"(ignored “{str(field.raw_data[0])[:40]}”)"
                   if field.raw_data else " ".join(field.errors))
        field.data = field.default
        field.errors = []
        return problem


class BulkCaseForm(Form):
    """Change the owner, status and/or priority of the cases selected on the list."""

    case = SelectMultipleField("Cases", coerce=int, validate_choice=False)
    owner = choice("Owner", "an owner", default="")
    status = choice("Status", "a status", choices=pairs([("", "Keep status"), *STATUSES]),
                    default="")
    priority = choice("Priority", "a priority",
                      choices=pairs([("", "Keep priority"), *PRIORITIES]), default="")
    back = HiddenField()

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {str(user.id): user for user in owners}
        self.owner.choices = pairs([("", "Keep owner"),
                                    *((str(user.id), user.name) for user in owners)])

    def validate_case(self, field):
        if not field.data:
            raise ValidationError("Select at least one case.")

    def values(self) -> dict:
        """The changes asked for; None leaves a field as it is."""
        return {"owner": self.owners.get(self.owner.data), "status": self.status.data or None,
                "priority": self.priority.data or None}

    @staticmethod
    def versions(formdata) -> dict[int, int | None]:
        """The version each listed case had when the list was shown (version-<number>)."""
        return {int(key[8:]): int(value) for key, value in formdata.items()
                if key.startswith("version-") and plausible_id(key[8:])
                and value.isdigit() and int(value) < 2**31}

    def back_url(self, default: str) -> str:
        """Back to the list as it was (filters, sort, page): only ever a case list path."""
        back = self.back.data or ""
        return back if back.startswith("/cases/") and "\\" not in back else default

    def first_error(self) -> str:
        return next(iter(error for errors in self.errors.values() for error in errors),
                    "Nothing was changed.")
