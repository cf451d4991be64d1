"""Workflow rule evaluation: modes, operators, recipients, field updates, no loops."""
import sqlalchemy as sa

from app.extensions import db
from app.mail import delivery
from app.models import EmailTemplate, FeedItem, OutboxMessage, WorkflowRule
from app.services.cases import update_case
from app.services.workflow_admin import install_default_rules
from tests.factories import (
    add_team_member, make_case, make_contact, make_email_template, make_role, make_user,
    make_workflow_rule,
)
from tests.smtp import smtp  # noqa: F401


def edit(case, actor, **values):
    update_case(case, actor=actor, expected_version=None, **values)
    db.session.commit()


def alerts(rule=None) -> list[OutboxMessage]:
    stmt = sa.select(OutboxMessage).where(OutboxMessage.kind == "alert").order_by(OutboxMessage.id)
    if rule is not None:
        stmt = stmt.where(OutboxMessage.rule_id == rule.id)
    return list(db.session.scalars(stmt))


def test_priority_changed_to_high_fires_once_then_again_after_high_low_high(app, admin, smtp):
    rule = make_workflow_rule([("priority", "changed_to", "High")], kinds=["admins"])
    case = make_case(actor=admin, priority="Medium")
    db.session.commit()

    edit(case, admin, priority="High")
    assert delivery.send_due().sent == 1
    edit(case, admin, subject="Printer still broken")  # saved again while High
    edit(case, admin, priority="High")  # no change at all
    assert alerts(rule) and len(alerts(rule)) == 1
    edit(case, admin, priority="Low")
    edit(case, admin, priority="High")
    assert len(alerts(rule)) == 2
    delivery.send_due()
    assert len(smtp.to(admin.email)) == 2
    assert case.padded_number in smtp.messages[0]["Subject"]


def test_created_only_rule_fires_when_the_case_opens_and_never_on_edits(app, admin):
    rule = make_workflow_rule([("priority", "equals", "High")], evaluate_on="created")
    case = make_case(actor=admin, priority="High")
    db.session.commit()
    assert len(alerts(rule)) == 1
    edit(case, admin, priority="Low")
    edit(case, admin, priority="High")
    assert len(alerts(rule)) == 1


def test_every_edit_rule_fires_on_each_save_that_matches(app, admin):
    rule = make_workflow_rule([("priority", "equals", "High")], evaluate_on="every_edit")
    case = make_case(actor=admin, priority="Medium")
    db.session.commit()
    assert alerts(rule) == []
    edit(case, admin, priority="High")
    edit(case, admin, subject="Now with a better subject")
    assert len(alerts(rule)) == 2


def test_meets_criteria_rule_fires_only_when_the_case_starts_to_match(app, admin):
    rule = make_workflow_rule([("priority", "equals", "High")], evaluate_on="meets_criteria")
    case = make_case(actor=admin, priority="Medium")
    db.session.commit()
    edit(case, admin, priority="High")
    edit(case, admin, subject="Edited while High")
    assert len(alerts(rule)) == 1
    edit(case, admin, priority="Low")
    edit(case, admin, priority="High")
    assert len(alerts(rule)) == 2


def test_meets_criteria_rule_fires_when_a_case_is_created_matching(app, admin):
    rule = make_workflow_rule([("priority", "equals", "High")], evaluate_on="meets_criteria")
    make_case(actor=admin, priority="High")
    db.session.commit()
    assert len(alerts(rule)) == 1


def test_inactive_rules_never_fire(app, admin):
    rule = make_workflow_rule([("priority", "changed_to", "High")], active=False)
    case = make_case(actor=admin, priority="High")
    edit(case, admin, priority="Low")
    edit(case, admin, priority="High")
    assert alerts(rule) == []
    assert db.session.get(WorkflowRule, rule.id).last_fired_at is None


def test_all_needs_every_condition_and_any_needs_one(app, admin):
    both = make_workflow_rule([("priority", "equals", "High"), ("status", "equals", "Escalated")],
                              match="all")
    either = make_workflow_rule([("priority", "equals", "High"),
                                 ("status", "equals", "Escalated")], match="any")
    case = make_case(actor=admin)
    edit(case, admin, priority="High")
    assert (len(alerts(both)), len(alerts(either))) == (0, 1)
    edit(case, admin, status="Escalated")
    assert (len(alerts(both)), len(alerts(either))) == (1, 2)


def test_greater_and_less_than_compare_priority_and_status_by_their_order(app, admin):
    urgent = make_workflow_rule([("priority", "greater", "Medium")])
    early = make_workflow_rule([("status", "less", "Waiting on Customer")])
    case = make_case(actor=admin, priority="Low", status="Escalated")
    assert (alerts(urgent), alerts(early)) == ([], [])
    edit(case, admin, priority="Critical", status="Working")
    assert (len(alerts(urgent)), len(alerts(early))) == (1, 1)


def test_changed_from_contains_and_not_equals_operators(app, admin):
    leaving_new = make_workflow_rule([("status", "changed_from", "New")])
    printer = make_workflow_rule([("subject", "contains", "PRINTER")])
    not_low = make_workflow_rule([("priority", "not_equals", "Low")], evaluate_on="created")
    case = make_case(actor=admin, subject="The printer jams", priority="Low")
    assert (len(alerts(leaving_new)), len(alerts(printer)), len(alerts(not_low))) == (0, 1, 0)
    edit(case, admin, status="Working")
    edit(case, admin, status="Escalated")
    assert len(alerts(leaving_new)) == 1


def test_owner_criteria_compare_the_owners_name(app, admin):
    bea = make_user(name="Bea Baker")
    rule = make_workflow_rule([("owner", "changed_to", "bea baker")])
    case = make_case(actor=admin)
    edit(case, admin, owner=bea)
    assert len(alerts(rule)) == 1


def test_recipients_are_resolved_by_kind_and_deduplicated(app, admin, smtp):
    other_admin = make_user(role="admin", email="boss@example.com")
    retired = make_user(role="admin", email="retired@example.com")
    retired.active = False
    owner, chosen = make_user(email="owner@example.com"), make_user(email="chosen@example.com")
    expert, watcher = make_user(email="expert@example.com"), make_user(email="watch@example.com")
    contact = make_contact(email="jamie@customer.test")
    technical, observer = make_role("Technical"), make_role("Observer")
    case = make_case(actor=admin, owner=owner, contact=contact)
    add_team_member(case, expert, technical)
    add_team_member(case, watcher, observer)
    rule = make_workflow_rule(
        [("priority", "changed_to", "Critical")],
        kinds={"kinds": ["owner", "admins", "contact"], "team_role_id": technical.id,
               "user_ids": [chosen.id, owner.id, retired.id],
               "addresses": ["OWNER@example.com", "oncall@example.com"]})
    edit(case, admin, priority="Critical")
    (message,) = alerts(rule)
    assert sorted(a.lower() for a in message.to_addrs) == sorted([
        "owner@example.com", "ada@example.com", "boss@example.com", "jamie@customer.test",
        "expert@example.com", "chosen@example.com", "oncall@example.com"])
    assert other_admin.email in message.to_addrs
    delivery.send_due()
    (received,) = smtp.messages
    assert "retired@example.com" not in received.rcpt_tos
    assert "watch@example.com" not in received.rcpt_tos


def test_all_case_team_members_includes_contacts_on_the_team(app, admin):
    role = make_role("Customer side")
    colleague = make_contact(email="colleague@customer.test")
    case = make_case(actor=admin)
    add_team_member(case, colleague, role)
    rule = make_workflow_rule([("priority", "changed_to", "High")], kinds=["team"])
    edit(case, admin, priority="High")
    assert alerts(rule)[0].to_addrs == ["colleague@customer.test"]


def test_field_update_applies_before_the_alert_in_the_same_rule(app, admin, smtp):
    template = make_email_template(body_text="Status is now {{ case.status }}.")
    rule = make_workflow_rule([("priority", "changed_to", "Critical")], template=template,
                              updates={"status": "Escalated"})
    case = make_case(actor=admin)
    edit(case, admin, priority="Critical")
    assert case.status == "Escalated"
    history = db.session.scalars(sa.select(FeedItem).where(
        FeedItem.case_id == case.id, FeedItem.kind == "change").order_by(FeedItem.id)).all()
    assert [c["field"] for c in history[-1].changes] == ["status"]
    assert rule.name in history[-1].body
    delivery.send_due()
    assert "Status is now Escalated." in smtp.messages[0].text


def test_field_updates_never_make_rules_fire_again_in_the_same_save(app, admin):
    make_workflow_rule([("priority", "changed_to", "High")], updates={"priority": "Low"})
    pong = make_workflow_rule([("priority", "changed_to", "Low")], updates={"priority": "High"})
    make_workflow_rule([("priority", "changed_to", "High")], updates={"status": "Escalated"})
    chained = make_workflow_rule([("status", "changed_to", "Escalated")])
    case = make_case(actor=admin, priority="Medium")
    db.session.commit()
    edit(case, admin, priority="High")
    assert (case.priority, case.status) == ("Low", "Escalated")
    assert alerts(chained) == []
    assert db.session.get(WorkflowRule, pong.id).last_fired_at is None
    changes = db.session.scalars(sa.select(FeedItem).where(
        FeedItem.case_id == case.id, FeedItem.kind == "change")).all()
    assert len(changes) == 2  # the edit, and one item for the rules' updates


def test_owner_update_assigns_the_case_and_alerts_the_new_owner(app, admin):
    bea = make_user(name="Bea Baker", email="bea@example.com")
    rule = make_workflow_rule([("priority", "changed_to", "Critical")], kinds=["owner"],
                              template=make_email_template(), updates={"owner": str(bea.id)})
    case = make_case(actor=admin)
    edit(case, admin, priority="Critical")
    assert case.owner_id == bea.id
    assert alerts(rule)[0].to_addrs == ["bea@example.com"]


def test_a_rolled_back_save_queues_nothing(app, admin):
    make_workflow_rule([("priority", "changed_to", "High")])
    case = make_case(actor=admin)
    db.session.commit()
    update_case(case, actor=admin, expected_version=None, priority="High")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_broken_template_never_breaks_the_save_and_shows_in_the_outbox(app, admin):
    template = make_email_template()
    rule = make_workflow_rule([("priority", "changed_to", "High")], template=template)
    db.session.execute(sa.update(EmailTemplate).where(EmailTemplate.id == template.id)
                       .values(body_text="{{ case.missing_field }}"))
    db.session.expire_all()
    case = make_case(actor=admin)
    edit(case, admin, priority="High")
    assert db.session.get(type(case), case.id).priority == "High"
    (message,) = alerts(rule)
    assert message.status == "failed" and "could not be rendered" in message.last_error


def test_firing_records_when_the_rule_last_fired(app, admin):
    rule = make_workflow_rule([("priority", "changed_to", "High")])
    case = make_case(actor=admin)
    assert rule.last_fired_at is None
    edit(case, admin, priority="High")
    assert db.session.get(WorkflowRule, rule.id).last_fired_at is not None


def test_demo_rules_install_once_and_email_admins_and_the_case_team(app, admin, smtp):
    install_default_rules()
    install_default_rules()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowRule)) == 2
    member = make_user(email="teammate@example.com")
    other_admin = make_user(role="admin", name="Bo Boss", email="bo@example.com")
    case = make_case(actor=admin, priority="Medium")
    add_team_member(case, member, make_role("Technical"))
    db.session.commit()
    delivery.send_due()
    smtp.messages.clear()
    edit(case, other_admin, priority="High")  # the admin who made the change is left out
    delivery.send_due()
    (high,) = smtp.messages
    assert sorted(high.rcpt_tos) == ["ada@example.com", "teammate@example.com"]
    assert high["Subject"].strip() == (f"[Case {case.padded_number}] Priority is now High: "
                                       f"{case.subject}")
    assert "Bo Boss set case" in high.text and high.html


def test_demo_new_owner_rule_emails_the_new_owner(app, admin, smtp):
    install_default_rules()
    bea = make_user(email="bea@example.com")
    case = make_case(actor=admin)
    db.session.commit()
    delivery.send_due()
    smtp.messages.clear()
    edit(case, admin, owner=bea)
    delivery.send_due()
    (received,) = smtp.messages
    assert received.rcpt_tos == ["bea@example.com"]
    assert received["Subject"].strip().startswith(f"[Case {case.padded_number}] You now own")
