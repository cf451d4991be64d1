from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from app.cases import feed, routes  # noqa: E402,F401
from app.cases import emails  # noqa: E402,F401
