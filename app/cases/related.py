"""The case page's related lists: one registry of what each list is and how it is read.

A list is one registration and one partial. Its partial is a self-contained section with a
stable id, and finds what it needs in the variables its load function returns. The admin's
page layout (app.services.settings) stores only the ordered keys of the lists it shows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask.blueprints import BlueprintSetupState

from app.cases import bp
from app.models import Case, User
from app.services import related_lists as related_service
from app.services.settings import RELATED_LISTS_EXTENSION, case_page_related_lists

Loader = Callable[[Case, User], dict]


@dataclass(frozen=True)
class RelatedList:
    """A list the case page can show: its layout key, label, partial and loader, which reads
    the list through one service call and returns the partial's template variables."""

    key: str
    label: str
    partial: str
    load: Loader
    description: str = ""


# key -> list, in registration order (the order Admin → Page layout offers hidden lists in).
REGISTRY: dict[str, RelatedList] = {}


def register(key: str, label: str, partial: str, load: Loader,
             description: str = "") -> RelatedList:
    """Make a related list available to the case page layout."""
    REGISTRY[key] = RelatedList(key, label, partial, load, description)
    return REGISTRY[key]


@bp.record_once
def share_registry(state: BlueprintSetupState) -> None:
    """Let the settings service find the registered lists (it stores only their keys)."""
    state.app.extensions[RELATED_LISTS_EXTENSION] = REGISTRY


def related_lists_context(case: Case, user: User) -> dict:
    """Template variables for templates/cases/_related_lists.html: the lists the layout shows,
    in its order, each with what its partial needs."""
    shown = case_page_related_lists()
    context: dict = {"related_lists": shown}
    for item in shown:
        context |= item.load(case, user)
    return context


register("files", "Files", "cases/_related_files.html",
         lambda case, user: {"related_files": related_service.list_case_files(case)},
         "Every file attached to the case's feed.")
register("tasks", "Tasks", "cases/_related_tasks.html",
         lambda case, user: {"related_tasks": related_service.list_case_tasks(case)},
         "Open and completed tasks on the case.")
register("history", "History", "cases/_related_history.html",
         lambda case, user: {"related_history": related_service.list_case_history(case)},
         "Field changes, newest first.")
