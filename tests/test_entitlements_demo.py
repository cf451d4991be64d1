"""The demo's entitlements: on most accounts, some expired, one used up, milestones in
every state."""
import sqlalchemy as sa

from app.extensions import db
from app.models.common import utcnow
from app.models.entitlements import CaseMilestone, Entitlement, ServiceContract
from app.services import demo
from app.services.entitlements_demo import seed_entitlements_demo


def test_the_demo_has_entitlements_in_every_state_and_seeds_once(app):
    now = utcnow()
    demo.load_demo(accounts=12, contacts=24, cases=120, now=now)
    counts = seed_entitlements_demo(now)
    db.session.commit()
    assert counts["contracts"] >= 8 and counts["milestones"] > 0
    today = now.date()
    states = {e.status_on(today) for e in db.session.scalars(sa.select(Entitlement))}
    assert {"active", "expired", "used up"} <= states
    assert {c.status_on(today) for c in db.session.scalars(sa.select(ServiceContract))} >= {
        "active", "expired"}
    rows = db.session.scalars(sa.select(CaseMilestone)).all()
    assert {row.state_at(now) for row in rows} >= {"in progress", "paused", "completed",
                                                   "violated"}
    assert seed_entitlements_demo(now) == {"contracts": 0, "entitlements": 0, "milestones": 0}
