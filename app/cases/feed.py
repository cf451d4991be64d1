"""The case feed and its publisher (Post, File, Share, Task), attachments and My tasks."""
# Contract with the case page (app/cases/routes.py):
#   feed_context(case, user, feed_filter) -> dict of template variables that
#   templates/cases/_publisher.html and templates/cases/_feed.html need.
from app.cases import bp


@bp.route("/tasks")
def my_tasks():
    return "tasks"


def feed_context(case, user, feed_filter: str = "all") -> dict:
    """Everything the Feed tab's templates need for this case and user."""
    return {"feed_filter": feed_filter, "feed_items": []}
