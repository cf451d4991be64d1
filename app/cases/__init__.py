from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")
# The case page's related lists reach the settings service through the app (related.init_app).
bp.record_once(lambda state: related.init_app(state.app))

# Each module's routes join the blueprint when it is imported.
from app.cases import attachments, editing, emails, feed, related, routes, tasks  # noqa: E402,F401
