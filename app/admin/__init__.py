from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import routes  # noqa: E402,F401
from app.admin import settings  # noqa: E402,F401  (org settings and page layout: teams work)
