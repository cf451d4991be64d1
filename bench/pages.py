"""The pages the suite measures, each built with url_for against the app's real routes.

A page whose endpoint does not exist yet is reported as "not built" rather than guessed at.
Each page may name a `small` variant showing fewer rows, to check that its query count does
not grow with the rows shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import url_for

HX = {"HX-Request": "true"}


@dataclass
class Page:
    name: str
    group: str                      # "list" or "case" (issue targets) or "other"
    endpoint: str
    build: Callable[[dict], dict]   # context -> url_for values
    small: Callable[[dict], dict] | None = None
    headers: dict = field(default_factory=dict)
    customer: bool = False          # measured signed in as the portal's bench customer


ONE_ACCOUNT = "4217"  # an account-name filter that leaves a handful of rows

PAGES = [
    Page("My open cases", "list", "cases.list_cases", lambda c: {"view": "mine"},
         small=lambda c: {"view": "mine", "account": ONE_ACCOUNT}),
    Page("All open, priority High, sorted", "list", "cases.list_cases",
         lambda c: {"view": "open", "priority": "High", "sort": "opened", "dir": "desc"},
         small=lambda c: {"view": "open", "priority": "High", "sort": "opened", "dir": "desc",
                          "account": ONE_ACCOUNT}),
    Page("Closed, page 50", "list", "cases.list_cases",
         lambda c: {"view": "closed", "page": 50},
         small=lambda c: {"view": "closed", "account": ONE_ACCOUNT}),
    Page("Escalated", "list", "cases.list_cases", lambda c: {"view": "escalated"}),
    Page("Recently viewed", "list", "cases.list_cases", lambda c: {"view": "recent"}),
    Page("Case page (feed of 60)", "case", "cases.view_case",
         lambda c: {"number": c["long_case"]}, small=lambda c: {"number": c["short_case"]}),
    Page("Case details tab (htmx switch)", "case", "cases.case_details",
         lambda c: {"number": c["long_case"]}, small=lambda c: {"number": c["short_case"]},
         headers=HX),
    # A type-ahead asks once when ten names begin with the text (an index range), twice when
    # fewer do (then a search inside names): each path is measured with its own small variant.
    Page("Account type-ahead", "other", "accounts.typeahead_accounts", lambda c: {"q": "nor"},
         headers=HX),
    Page("Account type-ahead, inside names", "other", "accounts.typeahead_accounts",
         lambda c: {"q": "logistics"}, small=lambda c: {"q": "northwind logistics 42"},
         headers=HX),
    Page("Contact type-ahead", "other", "accounts.typeahead_contacts", lambda c: {"q": "maya"},
         headers=HX),
    Page("Contact type-ahead, a surname", "other", "accounts.typeahead_contacts",
         lambda c: {"q": "okafor"}, small=lambda c: {"q": "contact7@"}, headers=HX),
    Page("Accounts list", "other", "accounts.list_accounts", lambda c: {}),
    Page("Account 360", "other", "accounts.account_detail",
         lambda c: {"account_id": c["account_id"]}),
    Page("Contacts list", "other", "accounts.list_contacts", lambda c: {}),
    Page("My tasks", "other", "cases.my_tasks", lambda c: {}),
    Page("Search dropdown, a name", "other", "search.suggest", lambda c: {"q": "maya"},
         headers=HX),
    Page("Search results, a name", "other", "search.results", lambda c: {"q": "okafor"}),
    Page("Search results, a phone's last digits", "other", "search.results",
         lambda c: {"q": "5550142"}),
    Page("Search results, a common word", "other", "search.results",
         lambda c: {"q": "printer"}),
    Page("Search results, a rare word", "other", "search.results",
         lambda c: {"q": "overheats"}),
    Page("Knowledge search", "other", "knowledge.home", lambda c: {"q": "printer"}),
    Page("Knowledge search, two words (htmx)", "other", "knowledge.home",
         lambda c: {"q": "scanner overheats"}, headers=HX),
    Page("New case's knowledge suggestions", "other", "knowledge.suggest",
         lambda c: {"q": "Printer times out after the end-of-month run"}, headers=HX),
    Page("Case page's Knowledge list", "case", "cases.related_list",
         lambda c: {"number": c["long_case"], "key": "knowledge"}, headers=HX),
    Page("Case page's Milestones list", "case", "cases.related_list",
         lambda c: {"number": c["long_case"], "key": "milestones"}, headers=HX),
    Page("At risk milestones", "list", "entitlements.at_risk", lambda c: {}),
    # The customer portal, as the contact of the long-feed case, who is their account's admin.
    Page("Portal My cases", "list", "portal.my_cases", lambda c: {}, customer=True),
    Page("Portal All our cases", "list", "portal.my_cases", lambda c: {"scope": "all"},
         customer=True),
    Page("Portal All our cases, closed, page 5", "list", "portal.my_cases",
         lambda c: {"scope": "all", "state": "closed", "page": 5}, customer=True),
    Page("Portal case page (feed of 60)", "case", "portal.case",
         lambda c: {"number": c["long_case"]},
         small=lambda c: {"number": c["portal_short_case"]}, customer=True),
]


def resolve(app, context: dict) -> list[tuple[Page, str | None, str | None]]:
    """(page, path, small path) for every page; path is None when the endpoint is missing."""
    resolved = []
    with app.test_request_context():
        for page in PAGES:
            if page.endpoint not in app.view_functions:
                resolved.append((page, None, None))
                continue
            path = url_for(page.endpoint, **page.build(context))
            small = url_for(page.endpoint, **page.small(context)) if page.small else None
            resolved.append((page, path, small))
    return resolved
