"""A portal form over the upload limit (a reply, a new case): the page again with the text kept
(read from the body Flask refused to parse) and a clear message, instead of a bare 413 page."""
from flask import request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from app.access import get_portal_case_or_404
from app.cases.oversize import typed_fields
from app.portal import bp
from app.portal.cases import case_form_failed
from app.portal.forms import ReplyForm
from app.portal.new_case import new_case_too_large
from app.services import files as file_store
from app.web import handle_http_error


@bp.errorhandler(413)
def too_large(error):
    """The reply or new case form with its text kept; anything else gets the 413 page."""
    answer = {"portal.case_reply": reply_too_large,
              "portal.new_case": new_case_too_large}.get(request.endpoint)
    if answer is None or current_user.is_anonymous:
        return handle_http_error(error)
    limit = file_store.max_upload_bytes()
    fields = typed_fields(limit)
    if fields is None:
        return handle_http_error(error)
    return answer(fields, limit)


def reply_too_large(fields, limit: int):
    """The case page with the reply kept."""
    try:
        case = get_portal_case_or_404(request.view_args["number"], current_user)
    except HTTPException as refused:
        return handle_http_error(refused)
    form = ReplyForm(formdata=fields)
    form.files.errors = [f"The files are too large: together they may be at most "
                         f"{file_store.human_size(limit)}. Nothing was sent; your text is "
                         "kept. Try fewer or smaller files."]
    return case_form_failed(case, 413, reply_form=form)
