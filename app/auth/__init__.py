from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import routes  # noqa: E402,F401
from app.auth import invitations  # noqa: E402,F401
from app.auth import welcome  # noqa: E402,F401
from app.auth import settings  # noqa: E402,F401
