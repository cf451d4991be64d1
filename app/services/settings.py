"""Org-wide settings: stored one row per key, read with defaults (once per request, through
app.access.stored_settings, which access itself reads too)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from app.access import (
    CASE_ACCESS_LEVELS, DEFAULT_CASE_ACCESS, case_access_level, forget_stored_settings,
    require_admin, stored_settings,
)
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Setting, User

CASE_ACCESS_LABELS = {
    "public_edit": "Public read/write",
    "public_read": "Public read only",
    "private": "Private",
}
CASE_ACCESS_HINTS = {
    "public_edit": "Every agent can see and change every case.",
    "public_read": "Every agent can see every case; only the owner, Read/Write team members "
                   "and admins change it.",
    "private": "Agents see only the cases they own or are on the case team of.",
}


@dataclass(frozen=True)
class RelatedList:
    """A related list the case page can show: its layout key, label and partial."""

    key: str
    label: str
    template: str
    description: str = ""


# Later issues append their related lists here (register_related_list), in module import order.
RELATED_LISTS: dict[str, RelatedList] = {}


def register_related_list(key: str, label: str, template: str, description: str = "") -> None:
    """Make a related list available to the case page layout."""
    RELATED_LISTS[key] = RelatedList(key, label, template, description)


register_related_list("case_team", "Case Team", "cases/_case_team.html",
                      "Who works on the case, with their role and access.")
register_related_list("files", "Files", "cases/_related_files.html",
                      "Every file attached to the case's feed.")
register_related_list("tasks", "Tasks", "cases/_related_tasks.html",
                      "Open and completed tasks on the case.")
register_related_list("history", "History", "cases/_related_history.html",
                      "Field changes, newest first.")

DEFAULTS = {
    "case_access": DEFAULT_CASE_ACCESS,
    "case_page_layout": json.dumps(["case_team", "files", "tasks", "history"]),
}


def get_setting(key: str) -> str:
    """The stored value of a setting, or its default when none is stored."""
    stored = stored_settings()
    return stored[key] if key in stored else DEFAULTS.get(key, "")


def set_setting(key: str, value: str, *, actor: User) -> None:
    """Store a setting (admins only)."""
    require_admin(actor, "Only admins change settings.")
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
    forget_stored_settings()


def get_case_access() -> str:
    """The org-wide case access level; an unknown stored value falls back to private."""
    return case_access_level()


def set_case_access(value: str, *, actor: User) -> None:
    if value not in CASE_ACCESS_LEVELS:
        raise ValidationFailed(f"Choose one of: {', '.join(CASE_ACCESS_LEVELS)}.", "case_access")
    set_setting("case_access", value, actor=actor)


def get_case_page_layout() -> list[str]:
    """The related lists the case page shows, in order (unknown keys dropped)."""
    try:
        keys = json.loads(get_setting("case_page_layout"))
    except (TypeError, ValueError):
        keys = json.loads(DEFAULTS["case_page_layout"])
    if not isinstance(keys, list):
        return []
    seen: list[str] = []
    for key in keys:
        if isinstance(key, str) and key in RELATED_LISTS and key not in seen:
            seen.append(key)
    return seen


def case_page_related_lists() -> list[RelatedList]:
    """The related lists to render on the case page, in layout order."""
    return [RELATED_LISTS[key] for key in get_case_page_layout()]


def hidden_related_lists() -> list[RelatedList]:
    """Available related lists the layout does not show."""
    shown = set(get_case_page_layout())
    return [item for key, item in RELATED_LISTS.items() if key not in shown]


def set_case_page_layout(keys: list[str], *, actor: User) -> list[str]:
    """Store which related lists show, in this order."""
    unknown = [key for key in keys if key not in RELATED_LISTS]
    if unknown:
        raise ValidationFailed(f"Unknown related list: {', '.join(unknown)}.", "layout")
    if len(set(keys)) != len(keys):
        raise ValidationFailed("A related list can appear only once.", "layout")
    set_setting("case_page_layout", json.dumps(keys), actor=actor)
    return keys


def change_case_page_layout(key: str, action: str, *, actor: User) -> list[str]:
    """Show, hide or move one related list; return the new layout."""
    if key not in RELATED_LISTS:
        raise ValidationFailed("That related list does not exist.", "layout")
    keys = get_case_page_layout()
    if action == "show" and key not in keys:
        keys.append(key)
    elif action == "hide" and key in keys:
        keys.remove(key)
    elif action in ("up", "down") and key in keys:
        index = keys.index(key)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(keys):
            keys[index], keys[other] = keys[other], keys[index]
    elif action not in ("show", "hide", "up", "down"):
        raise ValidationFailed("Unknown layout change.", "layout")
    return set_case_page_layout(keys, actor=actor)
