"""Case milestones: started by the entitlement, re-derived from the history, fired once."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import FeedItem, OutboxMessage
from app.models.entitlements import CaseMilestone
from app.services.eligibility import attach_entitlement
from app.services.cases import run_milestone_tick as tick
from app.services.milestones import case_milestones, recalculate_milestones
from tests.conftest import IS_POSTGRES
from tests.entitlement_factories import (
    WEEKDAYS_9_TO_5, make_calendar, make_entitlement, make_process,
)
from tests.factories import make_case, make_user

OPENED = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # a Monday


def at(minutes):
    return OPENED + timedelta(minutes=minutes)


def opened_case(process, **case_values):
    """A case opened at OPENED under an entitlement that runs `process`."""
    owner = make_user(email=f"owner{datetime.now().timestamp()}@example.com")
    case = make_case(actor=owner, **case_values)
    case.created_at = OPENED
    db.session.flush()
    attach_entitlement(case, make_entitlement(account=case.account, process=process))
    return case


def status_change(case, minutes, old, new, author=None):
    db.session.add(FeedItem(case_id=case.id, kind="change", author=author, created_at=at(minutes),
                            changes=[{"field": "status", "label": "Status", "old": old, "new": new}]))
    case.status = new
    db.session.flush()


def public_item(case, minutes, author, kind="post"):
    db.session.add(FeedItem(case_id=case.id, kind=kind, author=author, visibility="public",
                            body="Hello", created_at=at(minutes)))
    db.session.flush()


def rows(case):
    return {row.milestone.kind: row for row in case_milestones(case)}


def test_an_entitlement_process_starts_its_milestones_when_the_case_opens(app):
    case = opened_case(make_process(minutes=60))
    first, resolution = rows(case)["first_response"], rows(case)["resolution"]
    assert first.started_at == OPENED and first.target_at == at(60) and first.warn_at == at(30)
    assert resolution.target_at == at(240)
    assert first.state_at(at(5)) == "in progress"


def test_a_case_without_an_entitlement_has_no_milestones(app):
    case = make_case()
    attach_entitlement(case, None, reason="Goodwill")
    assert case_milestones(case) == [] and case.no_entitlement_reason == "Goodwill"


def test_the_first_public_answer_completes_the_first_response(app):
    case = opened_case(make_process(minutes=60))
    agent = make_user()
    public_item(case, 20, agent)
    recalculate_milestones(case)
    first = rows(case)["first_response"]
    assert first.completed_at == at(20) and first.state_at(at(100)) == "completed"


def test_an_internal_note_does_not_complete_the_first_response(app):
    case = opened_case(make_process(minutes=60))
    db.session.add(FeedItem(case_id=case.id, kind="post", author=make_user(),
                            visibility="internal", body="note", created_at=at(5)))
    recalculate_milestones(case)
    assert rows(case)["first_response"].completed_at is None


def test_waiting_on_the_customer_pauses_the_clock_and_resuming_moves_the_deadline(app):
    case = opened_case(make_process(minutes=60))
    agent = make_user(name="Pat Agent")
    status_change(case, 10, "New", "Waiting on Customer", agent)
    recalculate_milestones(case)
    first = rows(case)["first_response"]
    assert first.target_at is None and first.paused_since == at(10)
    assert first.state_at(at(30)) == "paused"
    status_change(case, 70, "Waiting on Customer", "Working", agent)
    recalculate_milestones(case)
    first = rows(case)["first_response"]
    assert first.target_at == at(120) and first.paused_minutes == 60
    assert first.paused_since is None


def test_pauses_count_business_time_only(app):
    calendar = make_calendar(windows=WEEKDAYS_9_TO_5, zone="UTC")
    case = opened_case(make_process(calendar=calendar, minutes=8 * 60))
    # Opened Monday 10:00; waiting from 16:00 to Tuesday 10:00 (two business hours).
    status_change(case, 6 * 60, "New", "Waiting on Customer")
    status_change(case, 24 * 60, "Waiting on Customer", "Working")
    recalculate_milestones(case)
    first = rows(case)["first_response"]
    assert first.paused_minutes == 120
    # 6 h Monday before the pause, 2 h more on Tuesday after it: Tuesday 12:00.
    assert first.target_at == datetime(2026, 3, 3, 12, 0, tzinfo=timezone.utc)


def test_re_deriving_gives_the_same_deadlines_every_time(app):
    case = opened_case(make_process(minutes=60))
    status_change(case, 10, "New", "Waiting on Customer")
    status_change(case, 40, "Waiting on Customer", "Working")
    first = [(r.target_at, r.warn_at, r.paused_minutes) for r in recalculate_milestones(case)]
    again = [(r.target_at, r.warn_at, r.paused_minutes) for r in recalculate_milestones(case)]
    assert first == again


def test_closing_completes_resolution_and_reopening_restarts_it(app):
    case = opened_case(make_process(minutes=60))
    status_change(case, 100, "New", "Closed")
    recalculate_milestones(case)
    assert rows(case)["resolution"].completed_at == at(100)
    status_change(case, 300, "Closed", "Working")
    recalculate_milestones(case)
    resolution = rows(case)["resolution"]
    assert resolution.started_at == at(300) and resolution.completed_at is None
    assert resolution.target_at == at(300 + 240)


def test_a_customer_reply_starts_next_response_and_our_answer_completes_it(app):
    case = opened_case(make_process(minutes=60, kinds=("first_response", "next_response")))
    agent = make_user()
    public_item(case, 10, agent)
    recalculate_milestones(case)
    assert "next_response" not in rows(case)
    public_item(case, 50, None, kind="email")  # the customer's email
    recalculate_milestones(case)
    assert rows(case)["next_response"].started_at == at(50)
    assert rows(case)["next_response"].target_at == at(110)
    public_item(case, 80, agent)
    recalculate_milestones(case)
    assert rows(case)["next_response"].completed_at == at(80)


def test_tick_fires_the_warning_then_the_violation_once_each(app):
    process = make_process(minutes=60, kinds=("first_response",), violation_status="Escalated",
                           addresses=("lead@example.com",))
    case = opened_case(process)
    db.session.commit()
    assert tick(at(20)).warned == 0
    assert tick(at(31)).warned == 1
    assert tick(at(32)).warned == 0
    result = tick(at(61))
    assert result.violated == 1 and tick(at(90)).violated == 0
    db.session.commit()
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.subject.split("] ")[1].split(":")[0] for m in messages] == [
        "First response is at risk", "First response was missed"]
    assert "lead@example.com" in messages[0].to_addrs and case.owner.email in messages[0].to_addrs
    db.session.refresh(case)
    assert case.status == "Escalated"
    change = db.session.scalar(sa.select(FeedItem).where(FeedItem.case_id == case.id,
                                                         FeedItem.kind == "change"))
    assert change.changes[0]["new"] == "Escalated" and change.author_id is None


def test_a_paused_milestone_does_not_fire(app):
    case = opened_case(make_process(minutes=60, kinds=("first_response",),
                                    addresses=("lead@example.com",)))
    status_change(case, 5, "New", "Waiting on Customer")
    recalculate_milestones(case)
    assert tick(at(500)).violated == 0


def test_a_new_cycle_fires_its_alerts_again(app):
    case = opened_case(make_process(minutes=60, kinds=("resolution",),
                                    addresses=("lead@example.com",)))
    assert tick(at(300)).violated == 1
    status_change(case, 310, "Escalated", "Closed")
    status_change(case, 320, "Closed", "Working")
    recalculate_milestones(case)
    assert rows(case)["resolution"].violated_at is None
    assert tick(at(320 + 241)).violated == 1


@pytest.mark.skipif(not IS_POSTGRES, reason="two concurrent writers need PostgreSQL")
def test_two_workers_ticking_at_once_fire_each_alert_once(app):
    case = opened_case(make_process(minutes=60, kinds=("first_response",),
                                    addresses=("lead@example.com",)))
    db.session.commit()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                results.append(tick(at(61)))
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sum(r.warned for r in results) == 1 and sum(r.violated for r in results) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.case_id == case.id)) == 2
    row = db.session.scalar(sa.select(CaseMilestone).where(CaseMilestone.case_id == case.id))
    assert row.warned_at is not None and row.violated_at is not None
