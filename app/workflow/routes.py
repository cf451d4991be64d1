"""Admin: workflow rules. Criteria rows are added and removed by re-rendering the form."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for

from app.extensions import db
from app.htmx import hx_redirect, render_page_or_fragment
from app.models import CaseTeamRole, EmailTemplate, User, WorkflowRule
from app.services import workflow_admin as rules_service
from app.services.errors import ValidationFailed
from app.submissions import create_once
from app.workflow import bp
from app.workflow.forms import MAX_CRITERIA, ConfirmForm, RuleForm

ERROR_FIELDS = {"recipients": "recipient_kinds", "addresses": "addresses", "users": "users",
                "team_role": "team_role", "template": "template", "name": "name",
                "set_owner": "set_owner", "set_status": "set_status",
                "set_priority": "set_priority", "evaluate_on": "evaluate_on", "match": "match"}


def get_rule_or_404(rule_id: int) -> WorkflowRule:
    rule = db.session.get(WorkflowRule, rule_id)
    if rule is None:
        abort(404)
    return rule


def staff_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.active_staff())
                                   .order_by(sa.func.lower(User.name))))


def rule_form(rule: WorkflowRule | None = None, blank: bool = False) -> RuleForm:
    """The rule form bound to the request, or filled from the rule (or one empty row)."""
    choices = {"templates": db.session.scalars(sa.select(EmailTemplate)
                                               .order_by(EmailTemplate.name)).all(),
               "roles": db.session.scalars(sa.select(CaseTeamRole)
                                           .order_by(CaseTeamRole.name)).all(),
               "users": staff_users()}
    if not blank:
        return RuleForm(**choices)
    return RuleForm(formdata=None, data=rule_data(rule), **choices)


def rule_data(rule: WorkflowRule | None) -> dict:
    if rule is None:
        return {"criteria": [{"field": "", "operator": "equals", "value": ""}]}
    email = rule.email_actions[0] if rule.email_actions else None
    spec = (email.recipients or {}) if email else {}
    updates = {a.field: a.value for a in rule.field_updates}
    return {"name": rule.name, "description": rule.description, "active": rule.active,
            "evaluate_on": rule.evaluate_on, "match": rule.match,
            "criteria": [{"field": c.field, "operator": c.operator, "value": c.value}
                         for c in rule.criteria],
            "template": str(email.template_id) if email else "",
            "recipient_kinds": spec.get("kinds", []),
            "team_role": str(spec.get("team_role_id") or ""),
            "users": [str(i) for i in spec.get("user_ids", [])],
            "addresses": ", ".join(spec.get("addresses", [])),
            "notify_actor": rule.notify_actor,
            "set_status": updates.get("status", ""), "set_priority": updates.get("priority", ""),
            "set_owner": updates.get("owner", "")}


def edit_rows(form: RuleForm, action: str) -> None:
    """Add or remove a criteria row (no save): the no-JavaScript path and htmx share it."""
    rows = [entry.data for entry in form.criteria]
    if action == "add-criterion" and len(rows) < MAX_CRITERIA:
        rows.append({"field": "", "operator": "equals", "value": ""})
    elif action.startswith("remove-criterion-") and action.rsplit("-", 1)[1].isdigit():
        index = int(action.rsplit("-", 1)[1])
        if index < len(rows):
            rows.pop(index)
    form.criteria.entries, form.criteria.last_index = [], -1
    for row in rows:
        form.criteria.append_entry(row)


def render_rule_form(form: RuleForm, rule: WorkflowRule | None, status: int = 200):
    options = dict(rules_service.CHOICE_VALUES, owner=[u.name for u in staff_users()])
    return render_page_or_fragment("workflow/rule_form.html", "workflow/_rule_form.html",
                                   status=status, form=form, rule=rule, value_options=options,
                                   action_url=request.path)


def check_rows(form: RuleForm) -> bool:
    """Put each bad criteria row's message beside it; True when all rows are fine."""
    ok = True
    for row in form.criteria:
        if not row.field.data:
            continue
        try:
            rules_service.clean_criterion(row.field.data, row.operator.data, row.value.data)
        except ValidationFailed as exc:
            row.value.errors = [*row.value.errors, str(exc)]
            ok = False
    return ok


def rule_values(form: RuleForm) -> dict:
    """Service arguments from a valid form; recipients are checked against real rows."""
    template = None
    if form.template.data:
        template = db.session.get(EmailTemplate, int(form.template.data))
        if template is None:
            raise ValidationFailed("That template no longer exists.", "template")
    chosen = (form.recipient_kinds.data or form.team_role.data or form.users.data
              or (form.addresses.data or "").strip())
    if template is None and chosen:
        raise ValidationFailed("Choose the email template to send, or clear the recipients.",
                               "template")
    recipients = None
    if template is not None:
        recipients = rules_service.clean_recipients(
            form.recipient_kinds.data, form.team_role.data, form.users.data, form.addresses.data)
    return {"name": form.name.data, "description": form.description.data or "",
            "active": form.active.data, "evaluate_on": form.evaluate_on.data,
            "match": form.match.data, "criteria": form.filled_criteria(),
            "template": template, "recipients": recipients,
            "notify_actor": form.notify_actor.data,
            "updates": {"status": form.set_status.data, "priority": form.set_priority.data,
                        "owner": form.set_owner.data}}


def save(rule: WorkflowRule | None):
    """Validate and save the form, or re-render it after adding or removing a row."""
    form = rule_form(rule)
    action = request.form.get("action", "save")
    if action != "save":
        edit_rows(form, action)
        return render_rule_form(form, rule)
    valid = form.validate_on_submit()
    if not check_rows(form) or not valid:
        return render_rule_form(form, rule, 422)
    try:
        return create_once(form, lambda: rules_service.save_rule(rule, **rule_values(form)),
                           lambda saved: (url_for("workflow.list_rules"),
                                          f"Saved the rule “{saved.name}”."))
    except ValidationFailed as exc:
        db.session.rollback()
        target = getattr(form, ERROR_FIELDS.get(exc.field or "", "name"))
        target.errors = [*target.errors, str(exc)]
        return render_rule_form(form, rule, 422)


@bp.route("/")
def index():
    return redirect(url_for("workflow.list_rules"))


@bp.route("/rules")
def list_rules():
    """Every rule with its criteria, actions and when it last fired."""
    rules = rules_service.list_rules()
    users = dict(db.session.execute(sa.select(User.id, User.name)).all())
    roles = dict(db.session.execute(sa.select(CaseTeamRole.id, CaseTeamRole.name)).all())
    summaries = {rule.id: ([rules_service.describe_criterion(c) for c in rule.criteria],
                           [rules_service.describe_action(a, users, roles) for a in rule.actions])
                 for rule in rules}
    return render_template("workflow/rules.html", rules=rules, summaries=summaries)


@bp.route("/rules/new", methods=["GET", "POST"])
def new_rule():
    if request.method == "GET":
        return render_rule_form(rule_form(blank=True), None)
    return save(None)


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
def edit_rule(rule_id: int):
    rule = get_rule_or_404(rule_id)
    if request.method == "GET":
        return render_rule_form(rule_form(rule, blank=True), rule)
    return save(rule)


@bp.route("/rules/<int:rule_id>/delete", methods=["GET", "POST"])
def delete_rule(rule_id: int):
    """Ask first (a page of its own, so it works without JavaScript), then delete."""
    rule = get_rule_or_404(rule_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("workflow/confirm_delete.html", form=form, thing="rule",
                               name=rule.name, back=url_for("workflow.edit_rule", rule_id=rule.id))
    rules_service.delete_rule(rule)
    db.session.commit()
    flash(f"Deleted the rule “{rule.name}”.", "success")
    return hx_redirect(url_for("workflow.list_rules"))
