"""The knowledge base: /knowledge for staff, /kb for anyone."""
from flask import Blueprint

bp = Blueprint("knowledge", __name__, url_prefix="/knowledge")
public_bp = Blueprint("kb", __name__, url_prefix="/kb")

from app.knowledge import (  # noqa: E402,F401
    admin_views, case_views, lifecycle, public, related, routes, versions,
)
