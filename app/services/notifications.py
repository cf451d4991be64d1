"""Rendering mail: paired file templates, and admin-written templates in a sandbox."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
import sqlalchemy as sa
from flask import current_app, render_template
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Case, EmailTemplate, FeedItem, Task, User
from app.models.common import utcnow
from app.services.mail_headers import thread_root
from app.services.markdown import ATTRIBUTES, TAGS
from app.services.conversation import latest_customer_comment
from app.services.outbox import enqueue_message

# The documented merge fields: the only names and attributes a template may use.
MERGE_FIELDS = {
    "case": {
        "number": "Case number, e.g. 00001042", "subject": "Subject", "status": "Status",
        "priority": "Priority", "link": "Link to the case", "account": "Account name",
        "contact": "Contact name", "owner": "Owner's name",
    },
    "actor": {"name": "The person who made the change", "email": "Their email address"},
    "comment": "The latest public comment on the case",
}
ALLOWED_FILTERS = ("upper", "lower", "title", "capitalize", "trim", "truncate", "default", "d",
                   "replace", "wordwrap", "indent", "striptags", "length", "e", "escape")
FORBIDDEN_NODES = (nodes.Call, nodes.For, nodes.Include, nodes.Import, nodes.FromImport,
                   nodes.Extends, nodes.Macro, nodes.CallBlock)
HTML_TAGS = TAGS | {"div", "span", "b", "i", "u", "small", "img"}
HTML_ATTRIBUTES = ATTRIBUTES | {"img": {"src", "alt", "width", "height"}}


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=2)
def sandbox(html: bool) -> SandboxedEnvironment:
    """A sandbox with no globals, a few string filters, and errors for unknown names."""
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=html,
                               keep_trailing_newline=True)
    env.globals.clear()
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    return env


def merge_field_list() -> list[tuple[str, str]]:
    """The fields as admins write them, with what each means."""
    rows = []
    for name, spec in MERGE_FIELDS.items():
        if isinstance(spec, dict):
            rows += [(f"{{{{ {name}.{attr} }}}}", text) for attr, text in spec.items()]
        else:
            rows.append((f"{{{{ {name} }}}}", spec))
    return rows


def _check_access(node: nodes.Node) -> str | None:
    """An error for attribute or item access outside the documented fields."""
    target = node.node
    attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
    if isinstance(target, nodes.Name) and isinstance(MERGE_FIELDS.get(target.name), dict):
        if isinstance(attr, str) and attr in MERGE_FIELDS[target.name]:
            return None
        if isinstance(attr, str) and not attr.startswith("_"):
            return f"Unknown merge field {target.name}.{attr}."
    return "Only the documented merge fields can be used."


def template_errors(source: str) -> list[str]:
    """Problems with one template: syntax, unknown fields, anything beyond the fields."""
    env = sandbox(False)
    try:
        ast = env.parse(source or "")
    except TemplateSyntaxError as exc:
        return [f"Line {exc.lineno}: {exc.message}"]
    errors = [f"The filter “{node.name}” is not allowed." for node in ast.find_all(nodes.Filter)
              if node.name not in ALLOWED_FILTERS]
    if errors:  # the checks below compile the template, which needs known filters
        return errors
    errors = [f"Unknown merge field {name}." for name in
              sorted(meta.find_undeclared_variables(ast) - set(MERGE_FIELDS))]
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        if (error := _check_access(node)) and error not in errors:
            errors.append(error)
    if any(True for _ in ast.find_all(FORBIDDEN_NODES)):
        errors.append("Loops, function calls, macros, imports and includes are not allowed.")
    return errors


def validate_email_template(subject: str, text: str, html: str = "") -> dict[str, str]:
    """Field name -> message for each part that would not render; empty when all is well."""
    problems = {}
    for field, source, is_html in (("subject", subject, False), ("body_text", text, False),
                                   ("body_html", html, True)):
        errors = template_errors(source)
        if not errors:
            try:
                sandbox(is_html).from_string(source or "").render(sample_context())
            except TemplateError as exc:
                errors = [f"It does not render: {exc}"]
        if errors:
            problems[field] = " ".join(dict.fromkeys(errors))
    if "subject" not in problems and "\n" in (subject or "").strip():
        problems["subject"] = "The subject must be one line."
    return problems


def sample_context() -> dict:
    """Made-up values for validating a template."""
    return {"case": {"number": "00001042", "subject": "Printer shows error E-104",
                     "status": "Working", "priority": "High",
                     "link": mail_url("cases.view_case", number=1042),
                     "account": "Acme Corporation",
                     "contact": "Jamie Doe", "owner": "Alex Agent"},
            "actor": {"name": "Ada Admin", "email": "ada@example.com"},
            "comment": "We have ordered the replacement part."}


def mail_url(endpoint: str, **values) -> str:
    """An absolute URL for mail, on the configured BASE_URL (never a request's Host).

    url_for would take the host from the request that caused the mail, and outside requests
    (the CLI, the sender) it needs SERVER_NAME, which would also bind the web app to one host;
    so the app's URL map is bound to BASE_URL here and builds the URL the way url_for does.
    """
    base = urlsplit(str(current_app.config.get("BASE_URL") or "http://localhost"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def case_url(case: Case) -> str:
    """The case page's address, for mail."""
    return mail_url("cases.view_case", number=case.number)


def latest_public_comment(case: Case) -> str:
    """The newest comment of the customer's conversation (never an internal item, nor an
    email to a third party): alerts to the contact quote it."""
    return latest_customer_comment(case)


def merge_context(case: Case, actor: User | None) -> dict:
    """The plain strings a template sees for one case: no models reach the sandbox."""
    return {"case": {"number": case.padded_number, "subject": case.subject,
                     "status": case.status, "priority": case.priority, "link": case_url(case),
                     "account": case.account.name if case.account else "",
                     "contact": case.contact.name if case.contact else "",
                     "owner": case.owner.name if case.owner else ""},
            "actor": {"name": actor.name if actor else "Casebook",
                      "email": actor.email if actor else ""},
            "comment": latest_public_comment(case)}


def render_alert(template: EmailTemplate, context: dict, footer: str = "") -> RenderedEmail:
    """Render an admin template; raises jinja2.TemplateError when it cannot."""
    subject = " ".join(sandbox(False).from_string(template.subject).render(context).split())
    text = sandbox(False).from_string(template.body_text).render(context)
    html = ""
    if (template.body_html or "").strip():
        html = render_template("email/alert.html", body=render_html_body(template, context),
                               footer=footer)
    text = render_template("email/alert.txt", body=text, footer=footer)
    return RenderedEmail(subject=subject[:255], text=text, html=html)


def render_html_body(template: EmailTemplate, context: dict) -> Markup:
    """The template's HTML body, rendered with escaped fields and then sanitised."""
    body = sandbox(True).from_string(template.body_html or "").render(context)
    return Markup(nh3.clean(body, tags=HTML_TAGS, attributes=HTML_ATTRIBUTES,
                            url_schemes={"http", "https", "mailto"}))


def render_pair(name: str, **context) -> tuple[str, str]:
    """Render templates/email/<name>.txt and .html with the same context."""
    return (render_template(f"email/{name}.txt", **context),
            render_template(f"email/{name}.html", **context))


def _today_for(user: User, now: datetime):
    return now.astimezone(user.zone).date()


def queue_task_reminders(now: datetime | None = None) -> int:
    """Queue one reminder per open task that is due today (in its assignee's zone) or earlier."""
    now = now or utcnow()
    latest_today = (now + timedelta(hours=14)).date()  # the earliest time zone's date
    tasks = db.session.scalars(
        sa.select(Task).options(joinedload(Task.assignee), joinedload(Task.case))
        .join(User, User.id == Task.assignee_id)
        .where(Task.completed_at.is_(None), Task.reminded_at.is_(None),
               Task.due_date.is_not(None), Task.due_date <= latest_today,
               User.active.is_(True))
        .order_by(Task.id)).all()
    queued = 0
    for task in tasks:
        if task.due_date > _today_for(task.assignee, now):
            continue
        # Compare-and-set, so two workers never remind twice.
        claimed = db.session.execute(
            sa.update(Task).where(Task.id == task.id, Task.reminded_at.is_(None))
            .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount
        if not claimed:
            continue
        text, html = render_pair("task_reminder", task=task, case=task.case,
                                 link=case_url(task.case), user=task.assignee)
        enqueue_message(to=[task.assignee.email], case=task.case, kind="reminder",
                        subject=f"[Case {task.case.padded_number}] Task due: {task.subject}",
                        text=text, html=html, references=[thread_root(task.case)])
        queued += 1
    return queued
