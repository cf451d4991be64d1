"""Admin: the outbox — every message with its status, attempts and error, and resend."""
import sqlalchemy as sa
from flask import abort, flash, request, url_for
from sqlalchemy.orm import joinedload

from app.cases.feed import case_link
from app.extensions import db
from app.htmx import hx_redirect, render_page_or_fragment
from app.models import OutboxMessage
from app.models.workflow import OUTBOX_STATUSES
from app.pagination import paginate, parse_page
from app.services import outbox
from app.services.errors import ValidationFailed
from app.workflow import bp
from app.workflow.forms import ConfirmForm

PER_PAGE = 50
STATUS_LABELS = {"all": "All", "queued": "Queued", "sending": "Sending", "sent": "Sent",
                 "failed": "Failed"}


def chosen_status() -> str:
    status = request.args.get("status", "all")
    return status if status in OUTBOX_STATUSES else "all"


@bp.route("/outbox")
def list_outbox():
    """Messages newest first, filtered by status; htmx swaps just the results."""
    status = chosen_status()
    stmt = (sa.select(OutboxMessage)
            .options(joinedload(OutboxMessage.case), joinedload(OutboxMessage.rule))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()))
    if status != "all":
        stmt = stmt.where(OutboxMessage.status == status)
    messages = paginate(stmt, page=parse_page(request.args.get("page")), per_page=PER_PAGE)
    counts = dict(db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                                     .group_by(OutboxMessage.status)).all())
    counts["all"] = sum(counts.values())
    args = {"status": status} if status != "all" else {}
    return render_page_or_fragment(
        "workflow/outbox.html", "workflow/_outbox.html", messages=messages, chosen=status,
        counts=counts, statuses=STATUS_LABELS, form=ConfirmForm(), case_url=case_link,
        page_url=lambda n: url_for("workflow.list_outbox", page=n, **args))


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
def resend_message(message_id: int):
    """Queue a failed message again with the same Message-ID."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        outbox.resend_message(message)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Queued “{message.subject}” again.", "success")
    status = request.args.get("status")
    return hx_redirect(url_for("workflow.list_outbox",
                               **({"status": status} if status in OUTBOX_STATUSES else {})))
