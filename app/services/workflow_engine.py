"""The workflow rule engine: which rules a case change fires, and what they ask for.

evaluate_rules only reads and returns a WorkflowOutcome; the case service applies its field
updates and has its alerts queued (services.workflow_alerts), so nothing here calls back up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import PRIORITIES, STATUSES, Case, RuleAction, RuleCriterion, User, WorkflowRule
from app.models.common import utcnow

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


@dataclass
class WorkflowOutcome:
    """What the fired rules ask of one save: field values to set, and alerts to send."""

    fired: list[WorkflowRule] = field(default_factory=list)
    field_updates: dict[str, Any] = field(default_factory=dict)
    updated_by: list[str] = field(default_factory=list)
    alerts: list[tuple[WorkflowRule, RuleAction]] = field(default_factory=list)

    @property
    def update_note(self) -> str:
        """The history note that names the rules behind the field updates."""
        return f"Set by the workflow rule “{'”, “'.join(dict.fromkeys(self.updated_by))}”."


def evaluate_rules(case: Case, *, changes: list[dict], created: bool) -> WorkflowOutcome:
    """Decide which active rules this save fires and what they ask for; change nothing."""
    values = case_values(case)
    outcome = WorkflowOutcome()
    for rule in active_rules():
        if not should_fire(rule, values, changes, created):
            continue
        outcome.fired.append(rule)
        for action in rule.field_updates:
            value = _update_value(case, action)
            if value is not None:
                outcome.field_updates[action.field] = value
                outcome.updated_by.append(rule.name)
        outcome.alerts += [(rule, action) for action in rule.email_actions]
    return outcome


def record_firing(outcome: WorkflowOutcome) -> None:
    """Stamp each fired rule with the time it fired (shown on the rules page)."""
    now = utcnow()
    for rule in outcome.fired:
        rule.last_fired_at = now


def _update_value(case: Case, action: RuleAction) -> Any:
    """The value to set, or None when it is already set or no longer valid."""
    if action.field == "owner":
        user = db.session.get(User, int(action.value)) if action.value.isdigit() else None
        if user is None or not user.active or not user.is_staff or case.owner_id == user.id:
            return None
        return user
    return None if getattr(case, action.field) == action.value else action.value
