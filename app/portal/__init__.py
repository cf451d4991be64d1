"""The customer portal: everything a customer sees, in its own light layout, at /portal.

Each section is a module of views on this one blueprint; a section joins by adding its
import below (one line) and, for the navigation, its entry in app.portal.nav.PORTAL_NAV.
"""
from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")

from app.portal import common  # noqa: E402,F401  (hooks and template helpers)
from app.portal import auth, cases  # noqa: E402,F401
from app.portal import oversize  # noqa: E402,F401  (a reply over the upload limit)
from app.portal import new_case, satisfaction  # noqa: E402,F401  (new case, survey)
from app.portal import contracts, knowledge, settings  # noqa: E402,F401

