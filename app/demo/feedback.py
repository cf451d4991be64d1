"""Demo satisfaction answers and deflections: the 360 shows an average, the staff feed the
answers, a demo customer's latest closed case asks its question, and a few portal articles
have answered questions before a case was opened."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, FeedItem, User
from app.models.feedback import ArticleDeflection, SatisfactionSurvey
from app.models.knowledge import Article, ArticleVersion

COMMENTS = {
    5: ["Fixed within the hour, thank you!", "Maya explained every step. Great service.", ""],
    4: ["Good, though it took two calls to reach the right person.", "Solved, thanks.", ""],
    3: ["It works now, but the first suggestion did not help.", ""],
    2: ["Took almost a week for a simple question."],
    1: ["We had to chase you three times."],
}
RATING_WEIGHTS = {5: 6, 4: 5, 3: 2, 2: 1, 1: 1}
PER_CUSTOMER_ACCOUNT = 4
OTHERS = 10


def _customers() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(
        User.role == "customer", User.contact_id.is_not(None)).order_by(User.id)))


def seed_satisfaction_demo(now: datetime, seed: int = 2090) -> int:
    """Answered surveys on closed cases (the demo customers' accounts first) and one open
    question for each demo customer; once only. Returns how many were answered."""
    if db.session.scalar(sa.select(SatisfactionSurvey.id).limit(1)) is not None:
        return 0
    rng = random.Random(seed)
    customers = _customers()
    chosen, answered = _closed_cases(customers), 0
    for case in chosen:
        open_question = any(u.contact_id == case.contact_id for u in customers) and \
            case.id == _latest_of(chosen, case.contact_id)
        _survey(case, rng, now, answered=not open_question)
        answered += not open_question
    db.session.flush()
    return answered


def _closed_cases(customers: list[User]) -> list[Case]:
    base = (sa.select(Case).where(Case.status == "Closed", Case.contact_id.is_not(None))
            .order_by(Case.closed_at.desc(), Case.id.desc()))
    picked: dict[int, Case] = {}
    for user in customers:
        account_id = user.contact.account_id if user.contact else None
        for case in db.session.scalars(base.where(Case.account_id == account_id)
                                       .limit(PER_CUSTOMER_ACCOUNT)):
            picked[case.id] = case
        for case in db.session.scalars(base.where(Case.contact_id == user.contact_id).limit(1)):
            picked[case.id] = case
    for case in db.session.scalars(base.limit(OTHERS * 2)):
        if len(picked) >= len(customers) * PER_CUSTOMER_ACCOUNT + OTHERS:
            break
        picked.setdefault(case.id, case)
    return list(picked.values())


def _latest_of(cases: list[Case], contact_id: int) -> int | None:
    mine = [c for c in cases if c.contact_id == contact_id]
    return max(mine, key=lambda c: (c.closed_at or c.updated_at, c.id)).id if mine else None


def _survey(case: Case, rng: random.Random, now: datetime, *, answered: bool) -> None:
    closed = min(case.closed_at or case.updated_at or now, now)
    survey = SatisfactionSurvey(case_id=case.id, contact_id=case.contact_id,
                                account_id=case.account_id, key=f"{rng.getrandbits(128):032x}",
                                emailed=bool(case.contact and case.contact.email),
                                created_at=closed)
    db.session.add(survey)
    if not answered:
        return
    rating = rng.choices(list(RATING_WEIGHTS), weights=list(RATING_WEIGHTS.values()))[0]
    survey.rating, survey.comment = rating, rng.choice(COMMENTS[rating])
    # After the case's last item, so its feed still reads in order.
    last = db.session.scalar(sa.select(sa.func.max(FeedItem.created_at))
                             .where(FeedItem.case_id == case.id))
    survey.answered_at = min(max(closed, last or closed) + timedelta(hours=rng.randint(1, 40)),
                             now)
    survey.answered_via = rng.choice(("email", "portal"))
    body = f"Customer rated {rating}/5" + (f": {survey.comment}" if survey.comment else ".")
    db.session.add(FeedItem(case_id=case.id, kind="system", body=body, visibility="internal",
                            created_at=survey.answered_at))


def seed_deflections_demo(now: datetime, seed: int = 2091) -> int:
    """A few portal articles that answered a demo customer's question; once only."""
    if db.session.scalar(sa.select(ArticleDeflection.id).limit(1)) is not None:
        return 0
    rng, customers = random.Random(seed), _customers()
    articles = db.session.scalars(
        sa.select(Article.id).join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(Article.channel_portal.is_(True), Article.archived_at.is_(None),
               ArticleVersion.status == "published").distinct().order_by(Article.id).limit(3)
    ).all()
    count = 0
    for index, article_id in enumerate(articles):
        for user in customers[:2 if index == 0 else 1]:
            db.session.add(ArticleDeflection(article_id=article_id, contact_id=user.contact_id,
                                             created_at=now - timedelta(days=rng.randint(1, 60))))
            count += 1
    db.session.flush()
    return count
