"""The case page's related lists: one registry of what each list is and how it is read.

A list is one registration and one partial. Its partial is a self-contained section with a
stable id, and finds what it needs in the variables its load function returns. The admin's
page layout (app.services.settings) stores only the ordered keys of the lists it shows.

Every list keeps itself fresh the same way: templates/cases/_related_lists.html puts it in a
slot that fetches /cases/<n>/related/<key> again when a response sends `HX-Trigger:
related-changed` (RELATED_CHANGED), which every action that may change a list sends.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from app.access import get_case_or_404
from app.cases import bp
from app.htmx import render_page_or_fragment
from app.models import Case, User
from app.services import related_lists as related_service
from app.services.settings import RELATED_LISTS_EXTENSION, case_page_related_lists

Loader = Callable[[Case, User], dict]
# The htmx event after which the case page's related lists fetch themselves again.
RELATED_CHANGED = "related-changed"


@dataclass(frozen=True)
class RelatedList:
    """A list the case page can show: its layout key, label, partial and loader, which reads
    the list through one service call and returns the partial's template variables."""

    key: str
    label: str
    partial: str
    load: Loader
    description: str = ""
    # A lazy list is read in a request of its own once the page has loaded (hx-trigger
    # "load"), so a list that searches (Knowledge, Milestones) adds nothing to the page's
    # own statements.
    lazy: bool = False
    live: bool = True  # refreshes on RELATED_CHANGED; a list with its own editor may opt out


# key -> list, in registration order (the order Admin → Page layout offers hidden lists in).
REGISTRY: dict[str, RelatedList] = {}


def register(key: str, label: str, partial: str, load: Loader,
             description: str = "", *, lazy: bool = False,
             live: bool = True) -> RelatedList:
    """Make a related list available to the case page layout."""
    REGISTRY[key] = RelatedList(key, label, partial, load, description, lazy, live)
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
        if not item.lazy:
            context |= item.load(case, user)
    return context


@bp.route("/<int:number>/related/<key>")
def related_list(number: int, key: str):
    """One related list on its own: what a lazy list loads, what a live list's slot fetches
    again after a change, and, without JavaScript, a page of its own."""
    case = get_case_or_404(number, current_user)
    item = REGISTRY.get(key)
    if item is None:
        abort(404)
    context = {"case": case, "item": item} | item.load(case, current_user)
    return render_page_or_fragment("cases/related.html", item.partial, **context)


register("files", "Files", "cases/_related_files.html",
         lambda case, user: {"related_files": related_service.list_case_files(case)},
         "Every file attached to the case's feed.")
register("tasks", "Tasks", "cases/_related_tasks.html",
         lambda case, user: {"related_tasks": related_service.list_case_tasks(case)},
         "Open and completed tasks on the case.")
register("history", "History", "cases/_related_history.html",
         lambda case, user: {"related_history": related_service.list_case_history(case)},
         "Field changes, newest first.")
