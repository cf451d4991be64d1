"""The demo's entitlements: on most accounts, some expired, one used up, milestones in
every state."""
import sqlalchemy as sa

from app.extensions import db
from app.models.common import utcnow
from app.models.entitlements import CaseMilestone, Entitlement, ServiceContract
from app.demo.entitlements import seed_entitlements_demo
from app.demo.seed import load_demo


def test_the_demo_has_entitlements_in_every_state_and_seeds_once(app):
    now = utcnow()
    load_demo(accounts=12, contacts=24, cases=120, now=now)  # the entitlements come with it
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceContract)) >= 8
    today = now.date()
    states = {e.status_on(today) for e in db.session.scalars(sa.select(Entitlement))}
    assert {"active", "expired", "used up"} <= states
    assert {c.status_on(today) for c in db.session.scalars(sa.select(ServiceContract))} >= {
        "active", "expired"}
    rows = db.session.scalars(sa.select(CaseMilestone)).all()
    assert {row.state_at(now) for row in rows} >= {"in progress", "paused", "completed",
                                                   "violated"}
    assert seed_entitlements_demo(now) == {"contracts": 0, "entitlements": 0, "milestones": 0}
