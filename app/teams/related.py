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
}
# The lists app.services.related_lists reads together, in one statement, whichever of them the
# layout shows; each partial finds its rows in related_<key> (related_files, ...).
READ_TOGETHER = tuple(related_lists.LISTS)


def register_related_context(key: str, builder: Callable[[Case, User], dict]) -> None:
    CONTEXT_BUILDERS[key] = builder


def related_lists_context(case: Case, user: User) -> dict:
    """Template variables for templates/cases/_related_lists.html (layout order, data)."""
    shown = case_page_related_lists()
    context: dict = {"related_lists": shown}
    together = [item.key for item in shown if item.key in READ_TOGETHER]
    if together:
        lists = related_lists.case_lists(case, together)
        context.update({f"related_{key}": rows for key, rows in lists.items()})
    for item in shown:
        builder = CONTEXT_BUILDERS.get(item.key)
        if builder is not None:
            context.update(builder(case, user))
    return context
