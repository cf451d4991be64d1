"""The publisher's Email action: write to the customer from the case, through the outbox."""
# The Email tab of #publisher: _publisher.html includes _publisher_email.html when Email is the
# open tab; otherwise the tab loads it from new_email (htmx) when first opened. The partial
# builds its own blank form (case_email_form) when the context has no email_form.
from flask import flash, make_response, redirect, render_template, request
from flask_login import current_user

from app.cases import bp
from app.cases.email_forms import EmailForm
from app.cases.page import case_link, get_editable_case_or_404, item_context
from app.extensions import db
from app.forms import show_refusal
from app.htmx import is_fragment_request, with_trigger
from app.services import files as file_store
from app.services.case_mail import (
    DuplicateEmail, default_recipient, default_subject, fill_from_template, list_email_templates,
    send_case_email,
)
from app.services.errors import ValidationFailed


@bp.app_template_global("case_email_form")
def case_email_form(case) -> EmailForm:
    """A fresh Email form for the case: to its contact, the subject carrying the case number."""
    return EmailForm.blank(to=default_recipient(case), subject=default_subject(case),
                           templates=list_email_templates())


def email_form_response(case, form: EmailForm, status: int, notice: str | None = None):
    """The form again, in place for htmx or on a page of its own without JavaScript."""
    context = {"case": case, "email_form": form, "publisher_action": "email",
               "email_notice": notice, "upload_limit": file_store.max_upload_bytes(),
               "case_link": lambda **p: case_link(case, **p)}
    if not is_fragment_request():
        return make_response(render_template("cases/email.html", standalone=True, **context),
                             status)
    response = make_response(render_template("cases/_publisher_email.html", **context), status)
    response.headers["HX-Retarget"] = "#pub-email"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def use_template(case, form: EmailForm):
    """Fill subject and message from the chosen template, rendered for this case; nothing is
    sent, and what was typed in To and Cc stays."""
    try:
        form.subject.data, form.body.data = fill_from_template(form.template.data, case,
                                                               current_user)
    except ValidationFailed as exc:
        show_refusal(form, exc, default="template")
        return email_form_response(case, form, 422)
    return email_form_response(case, form, 200)


def email_done(item) -> str:
    """What to say once the email is saved: queued, unless the sender already delivered it."""
    message = item.outbox_message
    if message is not None and message.status == "sent":
        return "Email sent."
    return "Email queued; it will be sent shortly."


@bp.route("/<int:number>/emails/new")
def new_email(number: int):
    """The Email form on a page of its own (the publisher tab without JavaScript)."""
    case = get_editable_case_or_404(number)
    return email_form_response(case, case_email_form(case), 200)


@bp.route("/<int:number>/emails", methods=["POST"])
def send_email(number: int):
    """Send an email from the case; it joins the feed as a public item."""
    case = get_editable_case_or_404(number)
    form, version = EmailForm(templates=list_email_templates()), case.version
    if request.form.get("action") == "use_template":
        return use_template(case, form)
    if not form.validate_on_submit():
        return email_form_response(case, form, 422)
    try:
        item = send_case_email(case, actor=current_user, to=form.to.data, cc=form.cc.data or "",
                               subject=form.subject.data, body=form.body.data,
                               request_key=form.request_key.data,
                               uploads=[(f.filename, f.stream, f.mimetype)
                                        for f in form.chosen_files()])
    except ValidationFailed as exc:
        db.session.rollback()
        show_refusal(form, exc, default="body")
        return email_form_response(case, form, 422)
    except DuplicateEmail as exc:
        db.session.rollback()
        if not is_fragment_request():  # a retried plain post lands where the first one did
            flash(str(exc), "info")
            return redirect(case_link(case) + "#feed", code=303)
        return email_form_response(case, case_email_form(case), 200, notice=str(exc))
    db.session.commit()
    if not is_fragment_request():
        flash(email_done(item), "success")
        return redirect(case_link(case) + "#feed", code=303)
    html = (render_template("cases/_feed_item.html", item=item, **item_context(case, current_user))
            + render_template("cases/_publisher_email.html", case=case, email_oob=True,
                              email_form=case_email_form(case), publisher_action="email",
                              upload_limit=file_store.max_upload_bytes(),
                              email_notice=email_done(item)))
    events = ("related-changed",) + (("case-changed",) if case.version != version else ())
    return with_trigger(make_response(html), *events)
