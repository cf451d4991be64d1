"""The demo's satisfaction answers and deflections: the 360 shows an average, a demo customer
has a question waiting on their latest closed case, and some articles deflected a case."""
import sqlalchemy as sa

from app.demo.feedback import seed_deflections_demo, seed_satisfaction_demo
from app.demo.seed import load_demo
from app.extensions import db
from app.models import User
from app.models.common import utcnow
from app.models.feedback import ArticleDeflection, SatisfactionSurvey
from tests.conftest import soup


def test_the_demo_has_answered_surveys_an_open_question_and_deflections_once(app, login):
    now = utcnow()
    load_demo(accounts=6, contacts=14, cases=80, now=now)
    db.session.commit()
    surveys = db.session.scalars(sa.select(SatisfactionSurvey)).all()
    answered = [s for s in surveys if s.is_answered]
    assert len(answered) >= 5 and all(1 <= s.rating <= 5 for s in answered)
    dana = db.session.scalar(sa.select(User).where(User.email == "customer1@casebook.example"))
    assert any(s.contact_id == dana.contact_id and not s.is_answered for s in surveys)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ArticleDeflection)) >= 2
    account_id = next(s.account_id for s in answered if (now - s.answered_at).days < 90)
    staff = db.session.scalar(sa.select(User).where(User.email == "admin@casebook.example"))
    page = soup(login(staff).get(f"/accounts/{account_id}"))
    assert "average from" in page.select_one("#satisfaction-average").get_text()
    assert seed_satisfaction_demo(now) == 0 and seed_deflections_demo(now) == 0
