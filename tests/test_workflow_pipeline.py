"""The case-change pipeline: rules are evaluated, their updates applied once, alerts queued."""
import sqlalchemy as sa

from app.extensions import db
from app.mail import delivery
from app.models import Case, FeedItem, OutboxMessage, RuleAction
from app.services.cases import update_case
from app.services.workflow_engine import evaluate_rules
from tests.factories import make_case, make_email_template, make_workflow_rule
from tests.smtp import smtp  # noqa: F401


def history(case) -> list[FeedItem]:
    return list(db.session.scalars(sa.select(FeedItem).where(
        FeedItem.case_id == case.id, FeedItem.kind == "change").order_by(FeedItem.id)))


def status_changes(case) -> list[dict]:
    return [change for item in history(case) for change in item.changes
            if change["field"] == "status"]


def test_a_workflow_field_update_is_applied_once_with_one_history_item_and_one_alert(
        app, admin, smtp):
    template = make_email_template(subject="Escalated {{ case.number }}",
                                   body_text="Status is now {{ case.status }}.")
    rule = make_workflow_rule([("priority", "changed_to", "High")], template=template,
                              updates={"status": "Escalated"})
    case = make_case(actor=admin, priority="Medium", status="Working")
    db.session.commit()
    case_id = case.id

    update_case(case, actor=admin, expected_version=case.version, priority="High")
    db.session.commit()
    db.session.expire_all()

    stored = db.session.get(Case, case_id)
    assert (stored.priority, stored.status) == ("High", "Escalated")
    edit, by_rule = history(stored)
    assert [c["field"] for c in edit.changes] == ["priority"]
    assert by_rule.changes == [{"field": "status", "label": "Status", "old": "Working",
                                "new": "Escalated"}]
    assert rule.name in by_rule.body and by_rule.author_id == admin.id
    assert by_rule.case_version == stored.version
    assert status_changes(stored) == by_rule.changes
    (alert,) = db.session.scalars(sa.select(OutboxMessage))
    assert alert.rule_id == rule.id and alert.to_addrs == [admin.email]
    assert delivery.send_due().sent == 1
    (received,) = smtp.messages
    assert received.text.startswith("Status is now Escalated.")


def test_a_rule_that_updates_a_new_case_records_the_update_once(app, admin):
    rule = make_workflow_rule([("priority", "equals", "Critical")], evaluate_on="created",
                              updates={"status": "Escalated"})
    case = make_case(actor=admin, priority="Critical")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert stored.status == "Escalated"
    (item,) = history(stored)
    assert [c["new"] for c in item.changes] == ["Escalated"] and rule.name in item.body


def test_a_field_update_that_no_longer_validates_is_skipped_and_the_save_stands(app, admin):
    make_workflow_rule([("priority", "changed_to", "High")], updates={"status": "Escalated"})
    case = make_case(actor=admin, priority="Low")
    db.session.commit()
    db.session.execute(sa.update(RuleAction).where(RuleAction.field == "status")
                       .values(value="Vanished"))
    db.session.expire_all()
    update_case(case, actor=admin, expected_version=None, priority="High")
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert (stored.priority, stored.status) == ("High", "New")
    assert len(history(stored)) == 1


def test_evaluating_rules_only_reports_what_they_want(app, admin):
    rule = make_workflow_rule([("priority", "changed_to", "High")],
                              updates={"status": "Escalated"}, template=make_email_template())
    case = make_case(actor=admin, priority="Low")
    db.session.commit()
    case.priority = "High"  # as a save would have set it, before its side effects run

    outcome = evaluate_rules(case, changes=[{"field": "priority", "old": "Low", "new": "High"}],
                             created=False)

    assert outcome.fired == [rule] and outcome.field_updates == {"status": "Escalated"}
    assert [fired for fired, _action in outcome.alerts] == [rule]
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "New"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert history(case) == []
