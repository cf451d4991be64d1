"""What every form view shares: the base of Casebook's forms, and showing a service's refusal
on the form it came from."""
from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm

from app.errors import ValidationFailed


class Form(FlaskForm):
    """The base of every Casebook form: Flask-WTF's own, one name for every area to import."""


def show_refusal(form, exc: ValidationFailed, field_map: Mapping[str, str] | None = None,
                 *, default: str | None = None) -> None:
    """Put the refusal next to the field it names (a service's field name, mapped to the
    form's through field_map), else next to `default`, else above the form."""
    name = (field_map or {}).get(exc.field or "", exc.field)
    field = form._fields.get(name or "") or form._fields.get(default or "")
    if field is not None:
        field.errors = [*field.errors, str(exc)]  # a tuple until the form is validated
    else:
        form.form_errors.append(str(exc))
