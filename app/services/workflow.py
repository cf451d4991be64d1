"""Workflow rules: decide which rules a case change fires, then update fields and queue alerts."""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from jinja2 import TemplateError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    PRIORITIES, STATUSES, Case, CaseTeamMember, OutboxMessage, RuleAction, RuleCriterion, User,
    WorkflowRule,
)
from app.models.common import utcnow
from app.services import notifications, outbox
from app.services.errors import ValidationFailed
from app.services.mail_headers import new_message_id, thread_root

log = logging.getLogger(__name__)
RUNNING = "workflow_running"
CRITERIA_FIELDS = {
    "status": "Status", "priority": "Priority", "origin": "Origin", "type": "Type",
    "subject": "Subject", "description": "Description", "account": "Account",
    "contact": "Contact", "owner": "Owner",
}
OPERATORS = {
    "equals": "equals", "not_equals": "not equal to", "changed": "changed",
    "changed_to": "changed to", "changed_from": "changed from", "contains": "contains",
    "greater": "greater than", "less": "less than",
}
ORDERED = {"status": STATUSES, "priority": PRIORITIES}
RECIPIENT_KINDS = {"owner": "Case owner", "team": "All case team members",
                   "admins": "All admins", "contact": "The case contact"}
UPDATE_FIELDS = {"status": "Status", "priority": "Priority", "owner": "Owner"}


def case_values(case: Case) -> dict[str, str | None]:
    """The case as criteria see it: text for fields, names for related rows."""
    values: dict[str, Any] = {f: getattr(case, f) for f in CRITERIA_FIELDS}
    for field in ("account", "contact", "owner"):
        values[field] = values[field].name if values[field] is not None else None
    return values


def _same(a: Any, b: Any) -> bool:
    return str(a or "").strip().casefold() == str(b or "").strip().casefold()


def _rank(field: str, value: Any) -> int | None:
    order = [v.casefold() for v in ORDERED.get(field, ())]
    key = str(value or "").casefold()
    return order.index(key) if key in order else None


def criterion_met(c: RuleCriterion, values: dict, changed: dict[str, tuple]) -> bool:
    """One row of criteria against the case's values and this save's changes."""
    current = values.get(c.field)
    if c.operator == "equals":
        return _same(current, c.value)
    if c.operator == "not_equals":
        return not _same(current, c.value)
    if c.operator == "contains":
        return c.value.strip().casefold() in str(current or "").casefold()
    if c.operator in ("greater", "less"):
        mine, theirs = _rank(c.field, current), _rank(c.field, c.value)
        if mine is None or theirs is None:
            return False
        return mine > theirs if c.operator == "greater" else mine < theirs
    if c.field not in changed:
        return False
    old, new = changed[c.field]
    if c.operator == "changed_to":
        return _same(new, c.value)
    if c.operator == "changed_from":
        return _same(old, c.value)
    return c.operator == "changed"


def rule_matches(rule: WorkflowRule, values: dict, changed: dict[str, tuple]) -> bool:
    results = (criterion_met(c, values, changed) for c in rule.criteria)
    if not rule.criteria:
        return True
    return any(results) if rule.match == "any" else all(results)


def should_fire(rule: WorkflowRule, values: dict, changes: list[dict], created: bool) -> bool:
    """Apply the rule's evaluation mode to this save."""
    if created:
        # A new case "changes" every field from nothing to its first value.
        return rule_matches(rule, values, {f: (None, v) for f, v in values.items()})
    if rule.evaluate_on == "created":
        return False
    changed = {c["field"]: (c.get("old"), c.get("new", values.get(c["field"]))) for c in changes}
    if not rule_matches(rule, values, changed):
        return False
    if rule.evaluate_on == "every_edit":
        return True
    before = dict(values, **{c["field"]: c.get("old") for c in changes})
    return not rule_matches(rule, before, {})


def active_rules() -> list[WorkflowRule]:
    return list(db.session.scalars(
        sa.select(WorkflowRule).where(WorkflowRule.active.is_(True))
        .options(selectinload(WorkflowRule.criteria),
                 selectinload(WorkflowRule.actions).joinedload(RuleAction.template))
        .order_by(WorkflowRule.name, WorkflowRule.id)))


def evaluate_rules(case: Case, *, actor: User | None, changes: list[dict],
                   created: bool) -> list[WorkflowRule]:
    """Fire the matching rules: field updates first, then alerts; never re-entered in one save."""
    if db.session.info.get(RUNNING):
        return []
    db.session.info[RUNNING] = True
    try:
        values = case_values(case)
        fired = [r for r in active_rules() if should_fire(r, values, changes, created)]
        if not fired:
            return []
        apply_field_updates(case, fired, actor)
        for rule in fired:
            rule.last_fired_at = utcnow()
            for action in rule.email_actions:
                queue_alert(case, rule, action, actor)
        db.session.flush()
        return fired
    finally:
        db.session.info.pop(RUNNING, None)


def _update_value(case: Case, action: RuleAction) -> Any:
    """The value to set, or None when it is already set or no longer valid."""
    if action.field == "owner":
        user = db.session.get(User, int(action.value)) if action.value.isdigit() else None
        if user is None or not user.active or not user.is_staff or case.owner_id == user.id:
            return None
        return user
    return None if getattr(case, action.field) == action.value else action.value


def apply_field_updates(case: Case, rules: list[WorkflowRule], actor: User | None) -> None:
    """Set the fields the fired rules ask for, through the one door, as one history item."""
    from app.services.cases import update_case

    values, names = {}, []
    for rule in rules:
        for action in rule.field_updates:
            value = _update_value(case, action)
            if value is not None:
                values[action.field] = value
                names.append(rule.name)
    if not values:
        return
    names = "”, “".join(dict.fromkeys(names))
    try:
        update_case(case, actor=actor, expected_version=None,
                    note=f"Set by the workflow rule “{names}”.", **values)
    except ValidationFailed as exc:
        log.warning("Workflow field update on case %s skipped: %s", case.number, exc)


def case_team_recipients(case: Case, role_id: int | None = None) -> list[str]:
    """Email addresses of the case team, or of its members with one role (active people only)."""
    stmt = (sa.select(CaseTeamMember).where(CaseTeamMember.case_id == case.id)
            .options(selectinload(CaseTeamMember.user), selectinload(CaseTeamMember.contact))
            .order_by(CaseTeamMember.id))
    if role_id is not None:
        stmt = stmt.where(CaseTeamMember.role_id == role_id)
    addresses = []
    for member in db.session.scalars(stmt):
        if member.user is not None and member.user.active:
            addresses.append(member.user.email)
        elif member.contact is not None and member.contact.email:
            addresses.append(member.contact.email)
    return addresses


def resolve_recipients(spec: dict | None, case: Case) -> list[str]:
    """Every address an alert goes to, once each, leaving out inactive users."""
    spec, found = spec or {}, []
    kinds = set(spec.get("kinds") or [])
    if "owner" in kinds and case.owner is not None and case.owner.active:
        found.append(case.owner.email)
    if "team" in kinds:
        found += case_team_recipients(case)
    if spec.get("team_role_id"):
        found += case_team_recipients(case, int(spec["team_role_id"]))
    if spec.get("user_ids"):
        found += db.session.scalars(sa.select(User.email).where(
            User.id.in_([int(i) for i in spec["user_ids"]]), User.active.is_(True))
            .order_by(User.name))
    if "admins" in kinds:
        found += db.session.scalars(sa.select(User.email).where(
            User.role == "admin", User.active.is_(True)).order_by(User.id))
    if "contact" in kinds and case.contact is not None and case.contact.email:
        found.append(case.contact.email)
    found += spec.get("addresses") or []
    unique = list({a.strip().lower(): a.strip() for a in reversed(found) if a}.values())[::-1]
    blocked = outbox.inactive_addresses(unique)
    return [a for a in unique if a.lower() not in blocked]


def queue_alert(case: Case, rule: WorkflowRule, action: RuleAction, actor: User | None) -> None:
    """Render the rule's template and queue it; a broken template is recorded, never raised."""
    to = resolve_recipients(action.recipients, case)
    if not to or action.template is None:
        return
    footer = f"You receive this because of the workflow rule “{rule.name}”."
    try:
        mail = notifications.render_alert(action.template,
                                          notifications.merge_context(case, actor), footer)
        outbox.enqueue_message(to=to, subject=mail.subject, text=mail.text, html=mail.html,
                               case=case, rule=rule, kind="alert",
                               references=[thread_root(case)])
    except (TemplateError, ValidationFailed) as exc:
        log.warning("Workflow alert for case %s not sent: %s", case.number, exc)
        db.session.add(OutboxMessage(
            kind="alert", status="failed", to_addrs=to, cc_addrs=[], case=case, rule=rule,
            subject=f"Template “{action.template.name}”", body_text="",
            message_id=new_message_id(),
            last_error=f"The template could not be rendered: {exc}"))
