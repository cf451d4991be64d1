from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

# Each module's routes (and the related-list registry) join the blueprint when imported.
from app.cases import (  # noqa: E402,F401
    attachments, bulk, editing, emails, feed, oversize, related, routes, tasks,
)
