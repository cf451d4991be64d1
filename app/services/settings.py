"""Org-wide settings: stored one row per key, read with defaults (once per request, through
app.access.stored_settings, which access itself reads too)."""
from __future__ import annotations

import json

from flask import current_app

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


# The case page layout stores only the admin's ordered keys. The lists themselves (label,
# partial, loader) are registered in app.cases.related, which puts its registry in the app's
# extensions under this name: a service does not import a blueprint's package.
RELATED_LISTS_EXTENSION = "case_related_lists"


def _related_lists() -> dict:
    """The related lists the case page can show, by key, in registration order."""
    return current_app.extensions.get(RELATED_LISTS_EXTENSION, {})


DEFAULTS = {
    "case_access": DEFAULT_CASE_ACCESS,
    "case_page_layout": json.dumps(["case_team", "milestones", "knowledge", "files", "tasks", "history"]),
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
    available, seen = _related_lists(), []
    for key in keys:
        if isinstance(key, str) and key in available and key not in seen:
            seen.append(key)
    return seen


def case_page_related_lists() -> list:
    """The related lists to render on the case page, in layout order."""
    available = _related_lists()
    return [available[key] for key in get_case_page_layout()]


def hidden_related_lists() -> list:
    """Available related lists the layout does not show."""
    shown = set(get_case_page_layout())
    return [item for key, item in _related_lists().items() if key not in shown]


def set_case_page_layout(keys: list[str], *, actor: User) -> list[str]:
    """Store which related lists show, in this order."""
    unknown = [key for key in keys if key not in _related_lists()]
    if unknown:
        raise ValidationFailed(f"Unknown related list: {', '.join(unknown)}.", "layout")
    if len(set(keys)) != len(keys):
        raise ValidationFailed("A related list can appear only once.", "layout")
    set_setting("case_page_layout", json.dumps(keys), actor=actor)
    return keys


def change_case_page_layout(key: str, action: str, *, actor: User) -> list[str]:
    """Show, hide or move one related list; return the new layout."""
    if key not in _related_lists():
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
