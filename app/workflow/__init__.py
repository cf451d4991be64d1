from flask import Blueprint

bp = Blueprint("workflow", __name__, url_prefix="/admin/workflow")

from app.workflow import email_templates, outbox_views, routes  # noqa: E402,F401
