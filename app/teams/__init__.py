from flask import Blueprint

# Admins define roles and predefined teams under /teams (admin only). The case team itself
# lives at /cases/<n>/team on its own blueprint, open to staff, where every view checks the
# case through app/access.py (get_case_or_404, require_edit).
bp = Blueprint("teams", __name__, url_prefix="/teams")
case_bp = Blueprint("case_team", __name__, url_prefix="/cases")

from app.teams import case_routes, related, roles, routes  # noqa: E402,F401
