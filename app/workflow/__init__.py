from flask import Blueprint

bp = Blueprint("workflow", __name__, url_prefix="/admin/workflow")


@bp.before_app_request
def _start_mail_sender() -> None:
    """A web process delivers its outbox itself (make run needs no separate worker)."""
    sender.start_in_process()


from app.workflow import email_templates, outbox_views, routes, sender  # noqa: E402,F401
