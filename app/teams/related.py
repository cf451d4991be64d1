"""The case page's related lists: which ones the layout shows, in order, with their data."""
from collections.abc import Callable

from app.models import Case, User
from app.services import related_lists
from app.services.settings import case_page_related_lists
from app.teams.case_routes import case_team_context

# key -> builder of the template variables its partial needs. A later related list registers
# its partial with app.services.settings.register_related_list and its data here.
CONTEXT_BUILDERS: dict[str, Callable[[Case, User], dict]] = {
    "case_team": lambda case, user: case_team_context(case, user),
    "files": lambda case, user: {"related_files": related_lists.case_files(case)},
    "tasks": lambda case, user: {"related_tasks": related_lists.case_tasks(case)},
    "history": lambda case, user: {"related_history": related_lists.case_history(case)},
}


def register_related_context(key: str, builder: Callable[[Case, User], dict]) -> None:
    CONTEXT_BUILDERS[key] = builder


def related_lists_context(case: Case, user: User) -> dict:
    """Template variables for templates/cases/_related_lists.html (layout order, data)."""
    shown = case_page_related_lists()
    context: dict = {"related_lists": shown}
    for item in shown:
        builder = CONTEXT_BUILDERS.get(item.key)
        if builder is not None:
            context.update(builder(case, user))
    return context
