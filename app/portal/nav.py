"""The portal's navigation: sections show once their view exists (they land one by one)."""
from flask import current_app, request

PORTAL_NAV = [("portal.my_cases", "My cases"), ("portal.new_case", "New case"),
              ("portal.contracts", "Contracts"), ("portal.knowledge", "Knowledge")]


def portal_nav() -> list[tuple[str, str, bool]]:
    """(endpoint, label, is current) for each section whose view is registered."""
    current = request.endpoint or ""
    section = current.split(".", 1)[-1]
    return [(endpoint, label, _is_current(endpoint, section))
            for endpoint, label in PORTAL_NAV if endpoint in current_app.view_functions]


def _is_current(endpoint: str, section: str) -> bool:
    name = endpoint.split(".", 1)[-1]
    # A case page belongs to My cases; every other section lights its own entry and pages
    # named after it (knowledge_article under knowledge).
    if name == "my_cases":
        return section in ("my_cases", "case", "case_reply", "case_close", "case_reopen")
    if name == "knowledge" and section == "article":  # portal.article: an article's page
        return True
    return section == name or section.startswith(name + "_")


def portal_has(endpoint: str) -> bool:
    """True when a portal section's view exists (a template links to it only then)."""
    return endpoint in current_app.view_functions
