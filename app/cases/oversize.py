"""Uploads over the size limit without JavaScript: the form again, with what was typed kept
(read from the body Flask refused to parse), instead of a bare 413 page."""
from flask import current_app, request
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from app.cases import bp
from app.cases.email_forms import EmailForm
from app.cases.emails import email_form_response
from app.cases.feed import publisher_response
from app.cases.feed_forms import FileForm
from app.cases.page import get_editable_case_or_404
from app.htmx import is_fragment_request
from app.services import files as file_store
from app.services.case_mail import list_email_templates
from app.uploads import read_text_fields
from app.web import handle_http_error

# An oversized body is read up to this many times the limit to find what was typed (and to
# let the browser finish sending, so it shows the answer rather than a reset connection).
OVERSIZE_READ_FACTOR = 4
UPLOAD_FORMS = ("cases.publish_files", "cases.send_email")


def typed_fields(limit: int) -> dict | None:
    """The text fields of a body refused as too large, or None when its CSRF token fails."""
    fields = read_text_fields(request.environ, read_at_most=OVERSIZE_READ_FACTOR * limit)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(fields.get("csrf_token"))
        except ValidationError:
            return None
    return fields


@bp.errorhandler(413)
def upload_too_large(error):
    """The File tab or the Email form again, with the note kept and a clear message."""
    if request.endpoint not in UPLOAD_FORMS or is_fragment_request():
        return handle_http_error(error)
    limit = file_store.max_upload_bytes()
    fields = typed_fields(limit)
    if fields is None:
        return handle_http_error(error)
    try:
        case = get_editable_case_or_404(request.view_args["number"])
    except HTTPException as refused:  # raised here it would escape as a 500
        return handle_http_error(refused)
    message = (f"The upload is too large: files may total {file_store.human_size(limit)}. "
               "Nothing was saved; what you typed is kept. Try fewer or smaller files.")
    if request.endpoint == "cases.send_email":
        form = EmailForm(formdata=fields, templates=list_email_templates())
        form.attachments.errors = [message]
        return email_form_response(case, form, 413)
    form = FileForm(formdata=fields)
    form.files.errors = [message]
    return publisher_response(case, "file", 413, file_form=form)
