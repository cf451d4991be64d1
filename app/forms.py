"""What every form view shares: the base of Casebook's forms, the CSRF token pages carry, and
showing a service's refusal on the form it came from."""
from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping

from flask import current_app, g, session
from flask_wtf import FlaskForm
from flask_wtf.form import _FlaskFormCSRF
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer
from markupsafe import Markup, escape
import wtforms.widgets
from wtforms.widgets import core as widgets

from app.services.errors import ValidationFailed

# Flask-WTF's salt, so its CSRF check accepts the tokens csrf_token() signs.
CSRF_SALT = "wtf-csrf-token"


class _UncompressedSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer without its zlib attempt. A CSRF token (40 hex characters)
    never compresses, and finding that out set up zlib's tables, a quarter of a megabyte,
    on every page. It loads exactly as before: only a compressed payload is marked."""

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


@functools.lru_cache(maxsize=4)
def csrf_serializer(secret_key: str) -> _UncompressedSerializer:
    return _UncompressedSerializer(secret_key, salt=CSRF_SALT)


def csrf_token() -> str:
    """The request's CSRF token, as Flask-WTF's generate_csrf() makes it (the random value
    kept in the session, signed with a timestamp; one per request, in g, where Flask-WTF's
    forms find it too), but signed without the zlib attempt. The layout asks for it on
    every page."""
    field = current_app.config["WTF_CSRF_FIELD_NAME"]  # where Flask-WTF keeps it
    if field not in g:
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        setattr(g, field, csrf_serializer(secret).dumps(session[field]))
    return g.get(field)


class _TokenOfThePage(_FlaskFormCSRF):
    """Flask-WTF's form CSRF, whose token is csrf_token()'s: the same token, signed once a
    request without the zlib attempt, whether a form or the layout asks first."""

    def generate_csrf_token(self, csrf_token_field):
        config = current_app.config
        if (self.meta.csrf_field_name == config["WTF_CSRF_FIELD_NAME"]
                and self.meta.csrf_secret == (config.get("WTF_CSRF_SECRET_KEY")
                                              or current_app.secret_key)):
            return csrf_token()
        return super().generate_csrf_token(csrf_token_field)


class Form(FlaskForm):
    """The base of every Casebook form: Flask-WTF's, checked the same way."""

    class Meta:
        csrf_class = _TokenOfThePage


def html_params(**kwargs) -> Markup:
    """WTForms' html_params, to the character, six times as fast: it wrote each attribute
    through Markup.format, whose pure-Python formatter cost a hundred microseconds a widget
    (the case page renders six). Values are escaped as before, quotes in markup included."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = str(escape(widgets.clean_key(key)))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{str.replace(escape(value), chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def _use_our_html_params() -> None:
    """Put html_params wherever WTForms looks it up: most widgets find it in their module at
    each call, labels in the widgets package, and Input and Button (so every text, hidden,
    checkbox and radio input) hold their own copy as a static method of the class."""
    widgets.html_params = html_params
    wtforms.widgets.html_params = html_params
    for value in vars(widgets).values():
        if isinstance(value, type) and "html_params" in vars(value):
            value.html_params = staticmethod(html_params)


wtforms_html_params = widgets.html_params
_use_our_html_params()


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
