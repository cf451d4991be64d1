from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

# Each module's routes (and the related-list registry) join the blueprint when imported.
from app.cases import attachments, editing, emails, feed, related, routes, tasks  # noqa: E402,F401
