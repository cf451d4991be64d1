"""Workflow alerts: who an alert goes to, and queueing it through the outbox."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from jinja2 import TemplateError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Case, CaseTeamMember, OutboxMessage, RuleAction, User, WorkflowRule
from app.services import notifications, outbox
from app.services.errors import ValidationFailed
from app.services.mail_headers import new_message_id, thread_root

log = logging.getLogger(__name__)


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


def queue_alerts(case: Case, alerts: list[tuple[WorkflowRule, RuleAction]],
                 actor: User | None) -> None:
    """Queue each alert the fired rules asked for, rendered against the case as saved."""
    for rule, action in alerts:
        queue_alert(case, rule, action, actor)


def queue_alert(case: Case, rule: WorkflowRule, action: RuleAction, actor: User | None) -> None:
    """Render the rule's template and queue it; a broken template is recorded, never raised."""
    to = resolve_recipients(action.recipients, case)
    if actor is not None and not rule.notify_actor:  # they know: they made the change
        to = [a for a in to if a.lower() != (actor.email or "").lower()]
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
