"""Satisfaction surveys: one question (1-5 and a comment) to the contact after a closing.

The rule against spam: a case holds at most one unanswered survey. A closing asks a new
question only when the case has none open, so closing, reopening and closing again while the
first question is unanswered sends nothing more; once it is answered, the next closing asks
again (one survey per closing). The emailed link carries a signed token (the survey's id and
its random key, signed with SECRET_KEY) and answers once; the portal's case page asks the same
question of the signed-in customer whose case it is.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Case, FeedItem, User
from app.models.common import utcnow
from app.models.feedback import RATINGS, SatisfactionSurvey
from app.services.errors import ValidationFailed
from app.services.notifications import mail_url
from app.services.outbox import enqueue_message
from app.services.settings import get_setting, set_setting

TOKEN_SALT = "casebook.satisfaction-survey"
LINK_VALID_FOR = timedelta(days=30)
COMMENT_MAX = 2000
AVERAGE_OVER = timedelta(days=90)
# Admin > Settings turns the question off and on ("on" unless stored "off").
SETTING = "satisfaction_surveys"


class SurveyRefused(ValidationFailed):
    """The survey cannot be answered (already answered, or the link is bad or old)."""


def surveys_enabled() -> bool:
    return get_setting(SETTING) != "off"


def set_surveys_enabled(enabled: bool, *, actor: User) -> None:
    """Ask (or stop asking) contacts for a rating when their case closes (admins only)."""
    set_setting(SETTING, "on" if enabled else "off", actor=actor)


def closed_by(case: Case, changes: list[dict]) -> bool:
    """True when this save closed the case (a case opened as Closed, as an import or a logged
    call may be, was never closed by anyone: it asks nothing)."""
    return not case.is_open and any(c.get("field") == "status" for c in changes)


def open_survey(case: Case) -> SatisfactionSurvey | None:
    """The case's unanswered survey, if it has one."""
    return db.session.scalar(sa.select(SatisfactionSurvey).where(
        SatisfactionSurvey.case_id == case.id, SatisfactionSurvey.answered_at.is_(None)))


def latest_survey(case: Case) -> SatisfactionSurvey | None:
    """The case's newest survey, answered or not."""
    return db.session.scalar(sa.select(SatisfactionSurvey).where(
        SatisfactionSurvey.case_id == case.id)
        .order_by(SatisfactionSurvey.id.desc()).limit(1))


def ask_after_closing(case: Case, *, changes: list[dict]) -> SatisfactionSurvey | None:
    """A step of the case pipeline: when the save closed a case with a contact and no open
    survey, create one and email its link to the contact (when they have an address)."""
    if case.contact is None or not closed_by(case, changes):
        return None
    if not surveys_enabled() or open_survey(case) is not None:
        return None
    survey = SatisfactionSurvey(case_id=case.id, contact_id=case.contact_id,
                                account_id=case.account_id, key=secrets.token_hex(16))
    try:
        with db.session.begin_nested():
            db.session.add(survey)
    except IntegrityError:  # a concurrent closing asked first
        return None
    if (case.contact.email or "").strip():
        survey.emailed = email_survey(survey, case) is not None
    db.session.flush()
    return survey


def survey_token(survey: SatisfactionSurvey) -> str:
    return _serializer().dumps([survey.id, survey.key])


def survey_link(survey: SatisfactionSurvey) -> str:
    return mail_url("portal.survey", token=survey_token(survey))


def email_survey(survey: SatisfactionSurvey, case: Case):
    """Queue the one question: the case's number and subject, the rating links, nothing else."""
    link = survey_link(survey)
    context = {"case": case, "contact": case.contact, "link": link,
               "ratings": [(n, f"{link}?rating={n}") for n in reversed(RATINGS)],
               "days": LINK_VALID_FOR.days}
    return enqueue_message(
        to=[case.contact.email],
        subject=f"How did we do? Case {case.padded_number}: {case.subject}"[:255],
        text=render_template("email/satisfaction_survey.txt", **context),
        html=render_template("email/satisfaction_survey.html", **context),
        case=case, kind="survey")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def survey_from_token(token: str) -> SatisfactionSurvey:
    """The survey a link names; SurveyRefused for a tampered, expired or answered link."""
    try:
        survey_id, key = _serializer().loads(
            token or "", max_age=int(LINK_VALID_FOR.total_seconds()))
    except SignatureExpired as exc:
        raise SurveyRefused("This link has expired. Thank you all the same; you can still "
                            "tell us how we did on the case page in our support portal.") from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise SurveyRefused("This link is not valid. Check that you copied the whole "
                            "link from the email.") from exc
    survey = db.session.get(SatisfactionSurvey, survey_id) if isinstance(survey_id, int) else None
    if survey is None or not secrets.compare_digest(str(key), survey.key):
        raise SurveyRefused("This link is not valid. Check that you copied the whole link "
                            "from the email.")
    return survey


def clean_answer(rating, comment: str | None) -> tuple[int, str]:
    """A rating of 1 to 5 and a comment that fits, or a clear refusal."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if rating not in RATINGS:
        raise ValidationFailed("Choose a rating from 1 to 5.", "rating")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed(f"Keep the comment under {COMMENT_MAX:,} characters.", "comment")
    return rating, comment


def answer_survey(survey: SatisfactionSurvey, *, rating, comment: str = "", via: str,
                  actor: User | None = None) -> SatisfactionSurvey:
    """Record the one answer (a second is refused, even from a concurrent twin) and show it on
    the case's feed for the team."""
    rating, comment = clean_answer(rating, comment)
    now = utcnow()
    done = db.session.execute(
        sa.update(SatisfactionSurvey)
        .where(SatisfactionSurvey.id == survey.id, SatisfactionSurvey.answered_at.is_(None))
        .values(answered_at=now, answered_via=via, rating=rating, comment=comment)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise SurveyRefused("This question was already answered. Thank you!")
    db.session.refresh(survey)
    body = f"Customer rated {rating}/5" + (f": {comment}" if comment else ".")
    db.session.add(FeedItem(case_id=survey.case_id, kind="system", author=actor, body=body,
                            visibility="internal"))
    db.session.flush()
    return survey


def account_average_columns(scope) -> dict[str, sa.ScalarSelect]:
    """Scalar subqueries for the 360's one counts statement: how many answers in the last 90
    days on the cases of `scope`, and their average rating."""
    since = utcnow() - AVERAGE_OVER
    answered = (sa.select(SatisfactionSurvey.rating)
                .join(Case, Case.id == SatisfactionSurvey.case_id)
                .where(scope, SatisfactionSurvey.answered_at >= since).subquery())
    return {"satisfaction_answers": sa.select(sa.func.count()).select_from(answered)
            .scalar_subquery(),
            "satisfaction_average": sa.select(sa.func.avg(answered.c.rating))
            .scalar_subquery()}
