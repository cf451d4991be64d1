"""Admin: email templates with merge fields, validated on save and previewed against a case."""
import sqlalchemy as sa
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from jinja2 import TemplateError

from app.access import visible_cases
from app.extensions import db
from app.htmx import hx_redirect, is_fragment_request, render_page_or_fragment
from app.models import Case, EmailTemplate
from app.services import notifications
from app.services import workflow_admin as rules_service
from app.services.errors import ValidationFailed
from app.services.workflow_admin import InvalidTemplate
from app.submissions import create_once
from app.workflow import bp
from app.workflow.forms import ConfirmForm, TemplateForm


def get_template_or_404(template_id: int) -> EmailTemplate:
    template = db.session.get(EmailTemplate, template_id)
    if template is None:
        abort(404)
    return template


@bp.route("/templates")
def list_templates():
    templates = db.session.scalars(sa.select(EmailTemplate).order_by(EmailTemplate.name)).all()
    usage = {t.id: rules_service.rules_using(t) for t in templates}
    return render_template("workflow/templates.html", templates=templates, usage=usage)


def preview_case(number_text: str | None) -> tuple[Case | None, str]:
    """The case to preview with: the number given, else the newest case."""
    visible = sa.select(Case).where(visible_cases(current_user))
    text = (number_text or "").strip().lstrip("#")
    if not text:
        case = db.session.scalar(visible.order_by(Case.id.desc()).limit(1))
        return case, "" if case else "There are no cases yet to preview with."
    if not text.isdigit() or len(text) > 12:
        return None, "Give a case number, like 00001042."
    case = db.session.scalar(visible.where(Case.number == int(text)))
    return case, "" if case else f"There is no case {text}."


def page_context(form: TemplateForm, template: EmailTemplate | None, **preview) -> dict:
    return {"form": form, "template": template, "action_url": request.path,
            "merge_fields": notifications.merge_field_list(), "preview": None,
            "html_body": None, "preview_for": None, "preview_error": "", "problems": {}} | preview


def render_preview(form: TemplateForm, template: EmailTemplate | None):
    """Render the form's current (unsaved) text for a case, or say why it cannot."""
    problems = notifications.validate_email_template(form.subject.data or "",
                                                     form.body_text.data or "",
                                                     form.body_html.data or "")
    case, error = preview_case(form.preview_case.data)
    preview, html_body = None, None
    if not problems and case is not None:
        draft = EmailTemplate(subject=form.subject.data, body_text=form.body_text.data,
                              body_html=form.body_html.data or "")
        context = notifications.merge_context(case, current_user)
        try:
            preview = notifications.render_alert(draft, context)
            html_body = notifications.render_html_body(draft, context) if draft.body_html else None
        except TemplateError as exc:
            error = f"It does not render for this case: {exc}"
    for field, message in problems.items():
        getattr(form, field).errors = [*getattr(form, field).errors, message]
    context = page_context(form, template, preview=preview, html_body=html_body,
                           preview_for=case, preview_error=error, problems=problems)
    if is_fragment_request():
        return render_template("workflow/_template_preview.html", **context)
    return render_template("workflow/template_form.html", **context)


def save(template: EmailTemplate | None):
    form = TemplateForm() if request.method == "POST" else TemplateForm(obj=template)
    render = lambda status=200: render_page_or_fragment(  # noqa: E731
        "workflow/template_form.html", "workflow/_template_form.html", status=status,
        **page_context(form, template))
    if request.method == "GET":
        return render()
    if request.form.get("action") == "preview":
        return render_preview(form, template)
    if not form.validate_on_submit():
        return render(422)
    try:
        return create_once(form, lambda: rules_service.save_template(
            template, name=form.name.data, subject=form.subject.data,
            body_text=form.body_text.data, body_html=form.body_html.data or ""),
            lambda saved: (url_for("workflow.list_templates"),
                           f"Saved the template “{saved.name}”."))
    except InvalidTemplate as exc:
        db.session.rollback()
        for field, message in exc.problems.items():
            getattr(form, field).errors = [*getattr(form, field).errors, message]
        return render(422)
    except ValidationFailed as exc:
        db.session.rollback()
        form.name.errors = [*form.name.errors, str(exc)]
        return render(422)


@bp.route("/templates/new", methods=["GET", "POST"])
def new_template():
    return save(None)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int):
    return save(get_template_or_404(template_id))


@bp.route("/templates/<int:template_id>/delete", methods=["GET", "POST"])
def delete_template(template_id: int):
    """Ask first; a template that rules still use cannot be deleted."""
    template = get_template_or_404(template_id)
    form, used_by = ConfirmForm(), rules_service.rules_using(template)
    if used_by or not form.validate_on_submit():
        return render_template("workflow/confirm_delete.html", form=form, thing="template",
                               name=template.name, used_by=used_by,
                               back=url_for("workflow.edit_template", template_id=template.id))
    rules_service.delete_template(template)
    db.session.commit()
    flash(f"Deleted the template “{template.name}”.", "success")
    return hx_redirect(url_for("workflow.list_templates"))
