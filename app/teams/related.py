"""The case page's related lists: which ones the layout shows, in order, with their data."""
from collections.abc import Callable

from app.models import Case, User
from app.services import related_lists
from app.services.settings import case_page_related_lists
from app.teams.case_routes import case_team_context

# The lists app.services.related_lists reads, whichever of them the layout shows, together in
# one statement: key -> rows. Each partial finds its rows in related_<key> (related_files, ...)
# unless a builder below makes its variables from them.
Lists = dict[str, list]

# key -> builder of the template variables its partial needs, from the case, the viewer and
# the lists read together. A later related list registers its partial with
# app.services.settings.register_related_list and its data here.
CONTEXT_BUILDERS: dict[str, Callable[[Case, User, Lists], dict]] = {
    "case_team": lambda case, user, lists: case_team_context(case, user,
                                                             members=lists["case_team"]),
}


def register_related_context(key: str, builder: Callable[[Case, User, Lists], dict]) -> None:
    CONTEXT_BUILDERS[key] = builder


def related_lists_context(case: Case, user: User) -> dict:
    """Template variables for templates/cases/_related_lists.html (layout order, data)."""
    shown = case_page_related_lists()
    context: dict = {"related_lists": shown}
    lists = related_lists.case_lists(case, [item.key for item in shown])
    for item in shown:
        builder = CONTEXT_BUILDERS.get(item.key)
        if builder is not None:
            context.update(builder(case, user, lists))
        elif item.key in lists:
            context[f"related_{item.key}"] = lists[item.key]
    return context
