"""Create forms that save once: a one-time token per rendered form, and the answer a repeat
of it gets (the first save's page and message) instead of a second record."""
from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import flash
from flask_login import current_user
from wtforms import HiddenField
from wtforms.validators import Length, Optional

from app.extensions import db
from app.htmx import hx_redirect
from app.services.submissions import (
    AlreadySubmitted, claim_submission, find_submission, settle_submission,
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class OneTimeKeyMixin:
    """A form mixin: a hidden one-time key, fresh each time an unbound form is rendered
    (a re-rendered form with errors keeps its key, as nothing was saved)."""

    request_key = HiddenField(default=new_token, validators=[Optional(), Length(max=64)])


class SubmissionMixin(OneTimeKeyMixin):
    """A create form saved through create_once: a repeat of a saved form is not validated
    again (its record now exists, so "already taken" would be wrong); it is answered as the
    first one was."""

    def validate_on_submit(self, extra_validators=None) -> bool:
        if self.is_submitted() and find_submission(self.request_key.data, user=current_user):
            return True
        return super().validate_on_submit(extra_validators)


def create_once(form, create: Callable[[], object],
                answer: Callable[[object], tuple[str, str]]):
    """Run `create()` (which may raise ValidationFailed) at most once per rendered form, commit,
    flash and redirect as `answer(record)` -> (url, message) says; a repeat of a saved form
    gets the first save's redirect and message."""
    try:
        claim = claim_submission(form.request_key.data, user=current_user)
    except AlreadySubmitted as done:
        db.session.rollback()
        return _answer(done.result_url, done.message)
    record = create()
    url, message = answer(record)
    settle_submission(claim, result_url=url, message=message)
    db.session.commit()
    return _answer(url, message)


def _answer(url: str, message: str):
    if message:
        flash(message, "success")
    return hx_redirect(url)
