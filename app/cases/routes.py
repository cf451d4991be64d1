"""Case list views and case creation."""
from app.cases import bp


@bp.route("/")
def list_cases():
    return "cases"
