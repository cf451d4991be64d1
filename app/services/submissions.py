"""One answer per rendered create form: claim its token in the transaction of the record."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import FormSubmission, User
from app.models.common import utcnow
from app.services.errors import DomainError, ValidationFailed


class AlreadySubmitted(DomainError):
    """This form was saved before; `result_url` and `message` are what its first save said."""

    def __init__(self, submission: FormSubmission):
        super().__init__(submission.message)
        self.result_url = submission.result_url
        self.message = submission.message


def _find(token: str, user: User) -> FormSubmission | None:
    """The saved submission with this token; someone else's token is refused, not replayed."""
    done = db.session.scalar(sa.select(FormSubmission).where(FormSubmission.token == token))
    if done is not None and done.user_id != user.id:
        raise ValidationFailed("This form was already used. Reload the page and try again.")
    return done


def find_submission(token: str | None, *, user: User) -> FormSubmission | None:
    """The user's saved submission with this token, if there is one."""
    if not token:
        return None
    return db.session.scalar(sa.select(FormSubmission).where(
        FormSubmission.token == token, FormSubmission.user_id == user.id))


def claim_submission(token: str | None, *, user: User) -> FormSubmission | None:
    """Claim the form's token before its record is written; a token already saved raises
    AlreadySubmitted. A concurrent twin waits on the unique token and then sees the first."""
    if not token:
        return None
    if (done := _find(token, user)) is not None:
        raise AlreadySubmitted(done)
    claim = FormSubmission(token=token, user_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError as exc:
        if (done := _find(token, user)) is not None:
            raise AlreadySubmitted(done) from exc
        raise
    return claim


def settle_submission(claim: FormSubmission | None, *, result_url: str, message: str) -> None:
    """Record where the saved form led, for a repeat of it to land there too."""
    if claim is not None:
        claim.result_url, claim.message = result_url[:500], message[:500]
        db.session.flush()


# A form left open longer than this and then saved is treated as new: its token is forgotten.
KEEP_SUBMISSIONS = timedelta(days=7)


def forget_old_submissions(keep: timedelta = KEEP_SUBMISSIONS) -> int:
    """Delete the tokens of forms saved longer ago than `keep`; how many went."""
    result = db.session.execute(sa.delete(FormSubmission).where(
        FormSubmission.created_at < utcnow() - keep))
    return result.rowcount or 0
