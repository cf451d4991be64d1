"""Managing workflow rules and email templates, and the demo rules that ship with Casebook."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    CASE_TYPES, EVALUATE_ON, ORIGINS, PRIORITIES, STATUSES, CaseTeamRole, EmailTemplate,
    RuleAction, RuleCriterion, User, WorkflowRule,
)
from app.services import notifications
from app.services.errors import ValidationFailed
from app.services.mail_headers import parse_addresses
from app.services.workflow_engine import (
    CRITERIA_FIELDS, OPERATORS, ORDERED, RECIPIENT_KINDS, UPDATE_FIELDS,
)

CHOICE_VALUES = {"status": STATUSES, "priority": PRIORITIES, "origin": ORIGINS,
                 "type": CASE_TYPES}
NO_VALUE_OPERATORS = ("changed",)


class InvalidTemplate(ValidationFailed):
    """One or more parts of a template would not render; problems maps field to message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(next(iter(problems.values())), next(iter(problems)))
        self.problems = problems


def _clean_name(name: str, model, current_id: int | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("Name is required.", "name")
    taken = db.session.scalar(sa.select(model.id).where(
        sa.func.lower(model.name) == name.lower(), model.id != (current_id or 0)))
    if taken is not None:
        raise ValidationFailed(f"There is already one called “{name}”.", "name")
    return name[:120]


def save_template(template: EmailTemplate | None, *, name: str, subject: str, body_text: str,
                  body_html: str = "") -> EmailTemplate:
    """Create or change a template; refuse one that uses unknown fields or does not render."""
    name = _clean_name(name, EmailTemplate, template.id if template else None)
    if not (subject or "").strip():
        raise InvalidTemplate({"subject": "Subject is required."})
    if not (body_text or "").strip():
        raise InvalidTemplate({"body_text": "The text body is required."})
    problems = notifications.validate_email_template(subject, body_text, body_html or "")
    if problems:
        raise InvalidTemplate(problems)
    template = template or EmailTemplate()
    template.name, template.subject = name, subject.strip()
    template.body_text, template.body_html = body_text, (body_html or "").strip()
    db.session.add(template)
    db.session.flush()
    return template


def rules_using(template: EmailTemplate) -> list[str]:
    return list(db.session.scalars(
        sa.select(WorkflowRule.name).join(RuleAction).where(RuleAction.template_id == template.id)
        .distinct().order_by(WorkflowRule.name)))


def delete_template(template: EmailTemplate) -> None:
    """Delete a template no rule uses."""
    if users := rules_using(template):
        raise ValidationFailed(f"“{template.name}” is used by {', '.join(users)}. Change those "
                               "rules first.")
    db.session.delete(template)
    db.session.flush()


def clean_criterion(field: str, operator: str, value: str) -> tuple[str, str, str]:
    """Check one criteria row; choice values come back in their canonical spelling."""
    if field not in CRITERIA_FIELDS:
        raise ValidationFailed("Choose a field.", "criteria")
    if operator not in OPERATORS:
        raise ValidationFailed("Choose an operator.", "criteria")
    value = " ".join((value or "").split())
    label = CRITERIA_FIELDS[field]
    if operator in ("greater", "less") and field not in ORDERED:
        raise ValidationFailed(f"“{OPERATORS[operator]}” works for Status and Priority only.",
                               "criteria")
    if operator in NO_VALUE_OPERATORS:
        return field, operator, ""
    if not value and (operator not in ("equals", "not_equals") or field in CHOICE_VALUES):
        raise ValidationFailed(f"Give a value for {label} {OPERATORS[operator]}.", "criteria")
    if field in CHOICE_VALUES and value and operator != "contains":
        canonical = {v.casefold(): v for v in CHOICE_VALUES[field]}
        if value.casefold() not in canonical:
            raise ValidationFailed(f"{label} must be one of: {', '.join(CHOICE_VALUES[field])}.",
                                   "criteria")
        value = canonical[value.casefold()]
    return field, operator, value


def clean_recipients(kinds, team_role_id, user_ids, addresses) -> dict:
    """A recipient spec from form values, checked against real roles and users."""
    spec = {"kinds": [k for k in RECIPIENT_KINDS if k in set(kinds or [])],
            "team_role_id": None, "user_ids": [], "addresses": parse_addresses(addresses or "",
                                                                              "Addresses")}
    if team_role_id:
        if db.session.get(CaseTeamRole, int(team_role_id)) is None:
            raise ValidationFailed("That case team role no longer exists.", "team_role")
        spec["team_role_id"] = int(team_role_id)
    if user_ids:
        ids = [int(i) for i in user_ids]
        found = set(db.session.scalars(sa.select(User.id).where(User.id.in_(ids))))
        if found != set(ids):
            raise ValidationFailed("A chosen user no longer exists.", "users")
        spec["user_ids"] = ids
    if not (spec["kinds"] or spec["team_role_id"] or spec["user_ids"] or spec["addresses"]):
        raise ValidationFailed("Choose who receives the email.", "recipients")
    return spec


def _clean_update(field: str, value: str) -> str:
    if field == "owner":
        user = db.session.get(User, int(value)) if str(value).isdigit() else None
        if user is None or not user.is_staff:
            raise ValidationFailed("Choose an agent or admin as the new owner.", "set_owner")
        return str(user.id)
    if value not in CHOICE_VALUES[field]:
        raise ValidationFailed(f"Choose a valid {field}.", f"set_{field}")
    return value


def save_rule(rule: WorkflowRule | None, *, name: str, description: str = "", active: bool = True,
              evaluate_on: str = "every_edit", match: str = "all",
              criteria: list[tuple[str, str, str]] = (), template: EmailTemplate | None = None,
              recipients: dict | None = None, updates: dict[str, str] | None = None,
              notify_actor: bool = False) -> WorkflowRule:
    """Create or replace a rule with its criteria and actions."""
    name = _clean_name(name, WorkflowRule, rule.id if rule else None)
    if evaluate_on not in EVALUATE_ON:
        raise ValidationFailed("Choose when the rule is evaluated.", "evaluate_on")
    if match not in ("all", "any"):
        raise ValidationFailed("Choose all or any.", "match")
    rows = [clean_criterion(*c) for c in criteria]
    updates = {f: _clean_update(f, v) for f, v in (updates or {}).items() if v}
    if template is None and not updates:
        raise ValidationFailed("Add an action: an email alert, a field update, or both.",
                               "template")
    rule = rule or WorkflowRule()
    rule.name, rule.description, rule.active = name, (description or "").strip(), bool(active)
    rule.evaluate_on, rule.match, rule.notify_actor = evaluate_on, match, bool(notify_actor)
    rule.criteria = [RuleCriterion(position=i, field=f, operator=o, value=v)
                     for i, (f, o, v) in enumerate(rows)]
    actions = [RuleAction(position=0, kind="email", template=template,
                          recipients=recipients)] if template is not None else []
    actions += [RuleAction(position=i + 1, kind="field_update", field=f, value=v)
                for i, (f, v) in enumerate(updates.items())]
    rule.actions = actions
    db.session.add(rule)
    db.session.flush()
    return rule


def delete_rule(rule: WorkflowRule) -> None:
    db.session.delete(rule)
    db.session.flush()


def list_rules() -> list[WorkflowRule]:
    return list(db.session.scalars(
        sa.select(WorkflowRule).options(
            selectinload(WorkflowRule.criteria),
            selectinload(WorkflowRule.actions).joinedload(RuleAction.template))
        .order_by(WorkflowRule.name)))


def describe_criterion(c: RuleCriterion) -> str:
    text = f"{CRITERIA_FIELDS.get(c.field, c.field)} {OPERATORS.get(c.operator, c.operator)}"
    return f"{text} {c.value}" if c.value else text


def describe_action(action: RuleAction, users: dict[int, str], roles: dict[int, str]) -> str:
    """A one-line summary of an action for the rules list."""
    if action.kind == "field_update":
        value = users.get(int(action.value), "?") if action.field == "owner" else action.value
        return f"Set {UPDATE_FIELDS.get(action.field, action.field)} to {value}"
    spec = action.recipients or {}
    who = [RECIPIENT_KINDS[k] for k in spec.get("kinds", []) if k in RECIPIENT_KINDS]
    if spec.get("team_role_id"):
        who.append(f"team role {roles.get(spec['team_role_id'], '?')}")
    who += [users.get(i, "?") for i in spec.get("user_ids", [])]
    who += spec.get("addresses", [])
    template = action.template.name if action.template else "?"
    return f"Email “{template}” to {', '.join(who) or 'nobody'}"


DEFAULT_TEMPLATES = {
    "Priority raised": (
        "[Case {{ case.number }}] Priority is now {{ case.priority }}: {{ case.subject }}",
        "{{ actor.name }} set case {{ case.number }} to {{ case.priority }} priority.\n\n"
        "Subject: {{ case.subject }}\nAccount: {{ case.account }}\nContact: {{ case.contact }}\n"
        "Owner: {{ case.owner }}\nStatus: {{ case.status }}\n\nOpen the case: {{ case.link }}\n",
        "<p><strong>{{ actor.name }}</strong> set case {{ case.number }} to "
        "<strong>{{ case.priority }}</strong> priority.</p>\n<p>{{ case.subject }}<br>"
        "Account: {{ case.account }} · Owner: {{ case.owner }} · Status: {{ case.status }}</p>\n"
        "<p><a href=\"{{ case.link }}\">Open case {{ case.number }}</a></p>"),
    "New case owner": (
        "[Case {{ case.number }}] You now own: {{ case.subject }}",
        "Hello {{ case.owner }},\n\n{{ actor.name }} made you the owner of case "
        "{{ case.number }}.\n\nSubject: {{ case.subject }}\nPriority: {{ case.priority }}\n"
        "Account: {{ case.account }}\nContact: {{ case.contact }}\n\nOpen the case: "
        "{{ case.link }}\n", ""),
}


def install_default_rules(actor: User | None = None) -> list[WorkflowRule]:
    """Create the demo templates and rules once; existing ones (by name) are left alone."""
    templates = {}
    for name, (subject, text, html) in DEFAULT_TEMPLATES.items():
        templates[name] = db.session.scalar(
            sa.select(EmailTemplate).where(EmailTemplate.name == name)) or save_template(
            None, name=name, subject=subject, body_text=text, body_html=html)
    specs = [
        ("Priority changed to High", "Tell the admins and the case team when a case becomes "
         "High priority.", [("priority", "changed_to", "High")], "Priority raised",
         {"kinds": ["team", "admins"]}),
        ("New owner", "Tell the new owner when a case is assigned to them.",
         [("owner", "changed", "")], "New case owner", {"kinds": ["owner"]}),
    ]
    rules = []
    for name, description, criteria, template, kinds in specs:
        rule = db.session.scalar(sa.select(WorkflowRule).where(WorkflowRule.name == name))
        if rule is None:
            rule = save_rule(None, name=name, description=description, criteria=criteria,
                             evaluate_on="every_edit", template=templates[template],
                             recipients={**kinds, "team_role_id": None, "user_ids": [],
                                         "addresses": []})
        rules.append(rule)
    return rules
