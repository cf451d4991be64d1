"""Case list views and case creation."""
from app.cases import bp


@bp.route("/")
def list_cases():
    return "cases"


@bp.route("/tasks")
def my_tasks():
    return "tasks"
